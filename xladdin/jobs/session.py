"""What every job needs: settings from the workbook, the ledger, and a safe in-place session on a file.

Engine-agnostic except ``open_for_job``, which is the file path's way in (lock, backup,
atomic save). Live Excel goes through the same job functions with an ``ExcelEngine``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from xladdin.core.findings import Finding
from xladdin.core.ledger import REQUIRED_COLUMNS, Ledger, find_ledger_sheet, read_ledger
from xladdin.core.regions import SHEETS
from xladdin.core.settings import Settings, default_settings, parse_settings
from xladdin.engines.base import ALL_WRITES, Engine
from xladdin.engines.guards import vetting as safety
from xladdin.errors import EngineUnsupported

if TYPE_CHECKING:
    from xladdin.engines.files import FileEngine
    from xladdin.engines.patch import PatchEngine

__all__ = ["load_ledger", "load_settings", "open_for_job", "run_in_place"]

T = TypeVar("T")


def load_settings(engine: Engine) -> tuple[Settings, list[Finding]]:
    """Settings from the workbook's 参数 sheet when it has one, else the shipped defaults."""
    if SHEETS["settings"] in engine.sheet_names():
        return parse_settings(engine.read(SHEETS["settings"]))
    return default_settings(), []


def load_ledger(engine: Engine, settings: Settings, sheet: str | None = None,
                required: Sequence[str] = REQUIRED_COLUMNS) -> Ledger:
    """The workbook's ledger; only the ``required`` columns refuse the job when absent."""
    return read_ledger(find_ledger_sheet(engine.sheet_names(), engine.read, settings, sheet), settings,
                       required=required)


@contextmanager
def open_for_job(path: Path, *, output: Path | None = None, password: str | None = None,
                 progress: Callable[[str], None] | None = None) -> Iterator[FileEngine]:
    """A writable engine on ``path`` for one job: locked against a second runner, backed up
    (dated copy, retention from 参数) before an in-place save, saved atomically only when the
    job finishes without raising. With ``output`` the original is never written and content
    openpyxl cannot keep is allowed to be dropped from the new file."""
    with safety.job_lock(Path(path)), _file_session(Path(path), output, password, progress) as engine:
        yield engine


@contextmanager
def _file_session(path: Path, output: Path | None, password: str | None,
                  progress: Callable[[str], None] | None) -> Iterator[FileEngine]:
    """``open_for_job`` without the lock (the caller holds it)."""
    from xladdin.engines.files import FileEngine

    engine = FileEngine(path, writable=True, password=password, allow_loss=output is not None, progress=progress)
    try:
        yield engine
        if output is not None:
            engine.save(output)
        else:
            settings, _ = load_settings(engine)
            engine.status("正在备份原台账 …")
            safety.backup(path, settings.thresholds.backups_kept)
            engine.save()
    finally:
        engine.close()

def run_in_place(path: Path, job: Callable[[Engine], T], *, needs: frozenset[str] = ALL_WRITES,
                 output: Path | None = None, password: str | None = None,
                 progress: Callable[[str], None] | None = None, cached_values: bool = False) -> T:
    """Run ``job`` on ``path`` and save, as ``open_for_job`` does (lock, dated backup before an
    in-place save, atomic save, nothing written if the job raises).

    A job plans, then one engine applies: ``needs`` says what the job writes (``ALL_WRITES``:
    cells, links, names, sheets, charts, fills, notes). The engine is picked before anything is
    read: the ``PatchEngine`` (lossless, rewrites only the parts it changes) when it opens the
    file and declares every capability needed, else the ``FileEngine`` (openpyxl, which refuses
    content it would lose): encrypted workbooks (``password``), packages the patch engine cannot
    open, a workbook without a style sheet when fills are needed. The job runs once; nothing is rerun.
    ``cached_values``: the patch engine reads formula cells as their cached results (a job that reads
    everything before it writes, such as validation: its findings then equal a read-only run's)."""
    path = Path(path)
    with safety.job_lock(path):
        engine = _patch_engine(path, progress, cached_values) if password is None else None
        if engine is not None and not needs <= engine.capabilities:
            engine.close()
            engine = None
        if engine is None:
            with _file_session(path, output, password, progress) as file_engine:
                return job(file_engine)
        try:
            result = job(engine)
            engine.prepare()  # anything it cannot write raises here, before the backup
            if output is None:
                settings, _ = load_settings(engine)
                engine.status("正在备份原台账 …")
                safety.backup(path, settings.thresholds.backups_kept)
            engine.save(output)
            return result
        finally:
            engine.close()


def _patch_engine(path: Path, progress: Callable[[str], None] | None, cached_values: bool) -> PatchEngine | None:
    from xladdin.engines.patch import PatchEngine

    try:
        return PatchEngine(path, progress=progress, cached_values=cached_values)
    except EngineUnsupported:
        return None
