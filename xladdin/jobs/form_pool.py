"""Report forms read in forked worker processes while the job reads the master.

A province consolidation reads 150 forms (about a second of Python: vetting, measuring, header
search, typed rows) and a 30,000-project ledger (calamine's parse, then a second of Python typing
and validating it). Threads cannot overlap the two Python halves (the GIL); a forked process can.
Each form is read exactly as in process (``form_intake.read_form_file``), in its two steps:

- a worker starts on its share of the forms the moment it is forked: vetting, measuring and
  calamine's parse (``load_form_file``) need no 参数, so they run while the job imports its
  modules and reads its 参数 (about a second at province scale, when a worker that waited for
  the 参数 sat idle);
- ``submit`` sends the 参数; the worker reads its loaded forms as forms (``form_of``) and sends
  the results back pickled, in one message, once they are all read.

A worker runs at a lower priority (``WORKER_NICE``): what the job waits for first is the ledger's
parse and its own imports, and the forms are read long before the job needs them.

Used only where forking is safe and pays (``XLADDIN_FORM_WORKERS=0`` turns it off): Linux and
other POSIX systems' ``fork`` (not macOS, not Windows), a process with no other thread (a
fork copies only the calling thread, and a lock another thread held would stay locked in the
child: the page server and Excel's own process read forms in process), and at least
``MIN_FORMS`` forms. The CLI forks the workers first thing, before it starts the early read of
the ledger (a thread) and before it imports the jobs; every worker is forked before this module
starts any thread of its own. A worker ignores Ctrl-C (the job itself answers it) and exits when
its results are sent, when the job stops it (``close``), or soon after the job's process dies (it
watches its parent). A worker that dies (a native crash in a parser) loses nothing: the forms it
had not returned are read again in process, as without a worker.

This module imports the standard library only (the form readers load in the worker and at
``collect``), so the CLI can fork before it imports anything heavy.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xladdin.jobs.form_files import form_files

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from xladdin.core.findings import Finding
    from xladdin.core.form_reader import FormData
    from xladdin.core.settings import Settings

__all__ = ["MIN_FORMS", "WORKER_NICE", "FormPool", "open_form_pool", "pool_size"]

MIN_FORMS = 30  # below this the forms take less time than the worker's start and the pickling
# a worker runs at a lower priority: on two cores it would otherwise take a core's share from the
# ledger's parse and the job's imports, which are what the job waits for; it still gets every
# cycle they leave (its forms are read long before the job needs them). Measured at province scale
# on two cores, job medians of 10 runs each: 3.86 s at the same priority, 3.42 s at nice 10.
WORKER_NICE = 10

Result = tuple["FormData | None", "list[Finding]"]


def _work(conn: Connection, parent: int, paths: list[Path]) -> None:
    """A worker's life: load ``paths`` now, read them once the 参数 come, send the results."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.nice(WORKER_NICE)

    def watch() -> None:  # a killed job never leaves its worker waiting for 参数 that cannot come
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(0)

    threading.Thread(target=watch, name="xladdin-orphan-watch", daemon=True).start()
    from xladdin.jobs.form_intake import form_of, load_form_file

    loaded = [load_form_file(p) for p in paths]
    try:
        settings = pickle.loads(conn.recv_bytes())
    except (EOFError, OSError):  # the job stopped before it had 参数 to give
        return
    conn.send([form_of(form, settings) for form in loaded])


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
    """Worker processes forked now, each loading its share of the forms at once; ``submit`` gives
    them the 参数, ``collect`` gives what ``form_intake.read_forms`` gives. A context manager:
    leaving it stops the workers."""

    def __init__(self, files: list[Path], workers: int) -> None:
        import multiprocessing  # only here: a job with few forms never loads it

        self.files = files
        self.settings: Settings | None = None
        context = multiprocessing.get_context("fork")
        n = max(1, min(workers, len(files)))
        self._shares = [files[len(files) * k // n:len(files) * (k + 1) // n] for k in range(n)]
        self._workers: list[tuple[Any, Connection]] = []
        try:
            for share in self._shares:
                ours, theirs = context.Pipe()
                process = context.Process(target=_work, args=(theirs, os.getpid(), share),
                                          name="xladdin-forms", daemon=True)
                process.start()
                theirs.close()  # the worker holds its end: its death is an EOF here
                self._workers.append((process, ours))
        except BaseException:
            self.close()
            raise

    def pids(self) -> list[int]:
        """The workers' process ids."""
        return [process.pid for process, _ in self._workers]

    def __enter__(self) -> FormPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, settings: Settings) -> None:
        """Give the workers the 参数: each reads the forms it loaded with them. Sent from a thread:
        a worker takes them only once its forms are loaded, and the job goes on meanwhile."""
        self.settings = settings
        data = pickle.dumps(settings)

        def send() -> None:
            for _, conn in self._workers:
                with contextlib.suppress(OSError):  # a worker that died: collect reads its forms in process
                    conn.send_bytes(data)

        threading.Thread(target=send, name="xladdin-forms-send", daemon=True).start()

    def collect(self, status: Callable[[str], None] | None = None) -> tuple[list[FormData], list[Finding]]:
        """Every form's result in file order (a form the workers could not return is read in process)."""
        from xladdin.jobs.form_intake import read_form_file

        assert self.settings is not None, "submit before collect"
        forms: list[FormData] = []
        problems: list[Finding] = []
        n = 0
        try:
            for share, (_, conn) in zip(self._shares, self._workers, strict=True):
                try:
                    results: list[Result] | None = conn.recv()
                except (EOFError, OSError):  # the worker died
                    results = None
                if results is None or len(results) != len(share):
                    results = [read_form_file(p, self.settings) for p in share]
                for path, (form, found) in zip(share, results, strict=True):
                    n += 1
                    if status:
                        status(f"正在读取月报表 {n}/{len(self.files)}：{path.name} …")
                    problems += found
                    if form is not None:
                        forms.append(form)
        finally:
            self.close()
        return forms, problems

    def close(self) -> None:
        """Stop the workers (those still reading are not waited for) and reap them."""
        for process, _ in self._workers:
            if process.is_alive():
                process.kill()
        for process, conn in self._workers:
            process.join()
            conn.close()
        self._workers = []


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
