"""Report forms read in a forked worker process while the job reads the master.

A province consolidation reads 150 forms (about a second of Python: vetting, measuring, header
search, typed rows) and a 30,000-project ledger (calamine's parse, then a second of Python typing
and validating it). Threads cannot overlap the two Python halves (the GIL); a forked process can.
Each form is read by ``form_intake.read_form_file``, exactly as in process, and its result comes
back pickled.

Used only where forking is safe and pays (``XLADDIN_FORM_WORKERS=0`` turns it off): Linux and
other POSIX systems' ``fork`` (not macOS, not Windows), a process with no other thread (a
fork copies only the calling thread, and a lock another thread held would stay locked in the
child: the page server and Excel's own process read forms in process), and at least
``MIN_FORMS`` forms. The CLI forks the worker first thing, before it starts the early read of the
ledger (a thread) and before it imports the jobs; the worker imports what it needs meanwhile.
The worker ignores Ctrl-C (the job itself answers it) and exits when the job ends, or soon after
the job's process dies (it watches its parent). A worker that dies (a native crash in a parser)
loses nothing: every form it had not returned is read again in process, as without a worker.

This module imports the standard library only (the form readers load in the worker and at
``submit``), so the CLI can fork before it imports anything heavy.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from xladdin.jobs.form_files import form_files

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

    from xladdin.core.findings import Finding
    from xladdin.core.form_reader import FormData
    from xladdin.core.settings import Settings

__all__ = ["CHUNK", "MIN_FORMS", "FormPool", "open_form_pool", "pool_size"]

MIN_FORMS = 30  # below this the forms take less time than the worker's start and the pickling
CHUNK = 8  # forms per task: the 参数 travel once per task, results come back in file order

Result = tuple["FormData | None", "list[Finding]"]


def _init(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:  # a killed job never leaves its worker waiting for work that cannot come
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=watch, name="xladdin-orphan-watch", daemon=True).start()
    import xladdin.jobs.form_intake  # noqa: F401  (loaded while the job imports its own modules)


def _read(paths: list[Path], settings: Settings) -> list[Result]:
    from xladdin.jobs.form_intake import read_form_file

    return [read_form_file(p, settings) for p in paths]


def pool_size(forms: int, cpus: int | None, setting: str | None) -> int:
    """Worker processes for ``forms`` forms: none below ``MIN_FORMS``, else one less than the CPUs
    (the job's own thread works meanwhile), 1 to 2. ``setting`` (``XLADDIN_FORM_WORKERS``) decides
    when it is a number: 0 reads in process, N uses N workers (at most 8) whatever the count."""
    given = (setting or "").strip()
    if given.isdigit():
        return min(int(given), 8)
    if forms < MIN_FORMS:
        return 0
    return max(1, min(2, (cpus or 1) - 1))


class FormPool:
    """Worker processes forked now; ``submit`` gives them the forms, ``collect`` gives what
    ``form_intake.read_forms`` gives. A context manager: leaving it stops the workers."""

    def __init__(self, files: list[Path], workers: int) -> None:
        import multiprocessing  # only here: a job with few forms never loads it
        from concurrent.futures import ProcessPoolExecutor

        self.files = files
        self.settings: Settings | None = None
        self._pool: ProcessPoolExecutor = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("fork"), initializer=_init, initargs=(os.getpid(),))
        self._pool.submit(int)  # forks the workers now (their start imports the form readers)
        self._futures: list[Future[list[Result]]] = []

    def __enter__(self) -> FormPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, settings: Settings) -> None:
        """Give the workers every form, to be read with ``settings``."""
        self.settings = settings
        self._futures = [self._pool.submit(_read, self.files[i:i + CHUNK], settings)
                         for i in range(0, len(self.files), CHUNK)]

    def collect(self, status: Callable[[str], None] | None = None) -> tuple[list[FormData], list[Finding]]:
        """Every form's result in file order (a form the workers could not return is read in process)."""
        from concurrent.futures.process import BrokenProcessPool

        from xladdin.jobs.form_intake import read_form_file

        assert self.settings is not None, "submit before collect"
        forms: list[FormData] = []
        problems: list[Finding] = []
        try:
            for k, future in enumerate(self._futures):
                paths = self.files[k * CHUNK:(k + 1) * CHUNK]
                try:
                    results = future.result()
                except BrokenProcessPool:
                    results = [read_form_file(p, self.settings) for p in paths]
                for n, (path, (form, found)) in enumerate(zip(paths, results, strict=True), start=k * CHUNK + 1):
                    if status:
                        status(f"正在读取月报表 {n}/{len(self.files)}：{path.name} …")
                    problems += found
                    if form is not None:
                        forms.append(form)
        finally:
            self.close()
        return forms, problems

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def open_form_pool(forms_dir: Path) -> FormPool | None:
    """Workers forked now for the forms of ``forms_dir``; None where none is used (no ``fork``,
    another thread running, fewer than ``MIN_FORMS`` forms, or no process to be had): the caller
    then reads the forms in process (``form_intake.read_forms``)."""
    if not hasattr(os, "fork") or sys.platform == "darwin" or threading.active_count() > 1:
        return None  # macOS: system frameworks are not fork-safe (Python itself spawns there)
    try:
        files = form_files(Path(forms_dir))
    except OSError:
        return None  # the in-process read says what is wrong with the folder
    workers = pool_size(len(files), os.cpu_count(), os.environ.get("XLADDIN_FORM_WORKERS"))
    if workers == 0 or not files:
        return None
    try:
        return FormPool(files, workers)
    except OSError:  # no process to be had (limits): read in process
        return None
