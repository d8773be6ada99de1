"""Report forms read in a forked worker process while the job reads the master.

A province consolidation reads 150 forms (about a second of Python: vetting, measuring, header
search, typed rows) and a 30,000-project ledger (calamine's parse, then a second of Python typing
and validating it). Threads cannot overlap the two Python halves (the GIL); a forked process can,
and costs a few milliseconds to start because it shares the parent's imported modules. Each form is
read by ``form_intake.read_form_file``, exactly as in process, and its result comes back pickled.

Used only where forking is safe and pays (``XLADDIN_FORM_WORKERS=0`` turns it off): Linux and
other POSIX systems' ``fork`` (not macOS, not Windows), a process with no other thread (a
fork copies only the calling thread, and a lock another thread held would stay locked in the
child: the page server and Excel's own process read forms in process), and at least
``MIN_FORMS`` forms. The worker ignores Ctrl-C (the job itself answers it) and exits when the job
ends, or soon after the job's process dies (it watches its parent). A worker that dies (a native crash in a
parser) loses nothing: every form it had not returned is read again in process, as without a worker.
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

from xladdin.core.findings import Finding
from xladdin.core.form_reader import FormData
from xladdin.core.settings import Settings
from xladdin.jobs.form_intake import form_files, read_form_file

__all__ = ["MIN_FORMS", "FormPool", "pool_size", "start_form_pool"]

MIN_FORMS = 30  # below this the forms take less time than the worker's start and the pickling
_SETTINGS: list[Settings] = []  # the worker's 参数: set before the fork, inherited (never pickled)

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

Result = tuple[FormData | None, list[Finding]]


def _init(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:  # a killed job never leaves its worker waiting for work that cannot come
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=watch, name="xladdin-orphan-watch", daemon=True).start()


def _read(path: Path) -> Result:
    return read_form_file(path, _SETTINGS[0])


class FormPool:
    """Forms being read by a worker process; ``collect`` gives what ``form_intake.read_forms`` gives."""

    def __init__(self, files: list[Path], settings: Settings, workers: int) -> None:
        self.files = files
        self.settings = settings
        import multiprocessing  # only here: a job with few forms never loads it
        from concurrent.futures import ProcessPoolExecutor

        _SETTINGS[:] = [settings]
        self._pool: ProcessPoolExecutor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                         initializer=_init, initargs=(os.getpid(),))
        self._futures: list[Future[Result]] = [self._pool.submit(_read, p) for p in files]  # the fork happens here

    def collect(self, status: Callable[[str], None] | None = None) -> tuple[list[FormData], list[Finding]]:
        """Every form's result in file order (a form the worker could not return is read in process)."""
        from concurrent.futures.process import BrokenProcessPool

        forms: list[FormData] = []
        problems: list[Finding] = []
        try:
            for n, (path, future) in enumerate(zip(self.files, self._futures, strict=True), start=1):
                if status:
                    status(f"正在读取月报表 {n}/{len(self.files)}：{path.name} …")
                try:
                    form, found = future.result()
                except BrokenProcessPool:
                    form, found = read_form_file(path, self.settings)
                problems += found
                if form is not None:
                    forms.append(form)
        finally:
            self.close()
        return forms, problems

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        _SETTINGS.clear()


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


def start_form_pool(forms_dir: Path, settings: Settings) -> FormPool | None:
    """A worker reading the forms of ``forms_dir``, started now; None where one is not used
    (no ``fork``, another thread running, fewer than ``MIN_FORMS`` forms, or no process to be had):
    the caller then reads them in process (``form_intake.read_forms``)."""
    if not hasattr(os, "fork") or sys.platform == "darwin" or threading.active_count() > 1:
        return None  # macOS: system frameworks are not fork-safe (Python itself spawns there)
    try:
        files = form_files(forms_dir)
    except OSError:
        return None  # the in-process read says what is wrong with the folder
    workers = pool_size(len(files), os.cpu_count(), os.environ.get("XLADDIN_FORM_WORKERS"))
    if workers == 0 or not files:
        return None
    try:
        return FormPool(files, settings, workers)
    except OSError:  # no process to be had (limits): read in process
        _SETTINGS.clear()
        return None
