"""What every job needs: settings from the workbook, the ledger, and a safe in-place session on a file.

Engine-agnostic except ``open_for_job``, which is the file path's way in (lock, backup,
atomic save). Live Excel goes through the same job functions with an ``ExcelEngine``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .. import safety
from ..engines.base import Engine
from ..findings import Finding
from ..ledger import Ledger, find_ledger_sheet, read_ledger
from ..regions import SHEETS
from ..settings import Settings, default_settings, parse_settings

if TYPE_CHECKING:
    from ..engines.files import FileEngine

__all__ = ["load_ledger", "load_settings", "open_for_job"]


def load_settings(engine: Engine) -> tuple[Settings, list[Finding]]:
    """Settings from the workbook's 参数 sheet when it has one, else the shipped defaults."""
    if SHEETS["settings"] in engine.sheet_names():
        return parse_settings(engine.read(SHEETS["settings"]))
    return default_settings(), []


def load_ledger(engine: Engine, settings: Settings, sheet: str | None = None) -> Ledger:
    return read_ledger(find_ledger_sheet(engine.sheet_names(), engine.read, settings, sheet), settings)


@contextmanager
def open_for_job(path: Path, *, output: Path | None = None, password: str | None = None,
                 progress: Callable[[str], None] | None = None) -> Iterator[FileEngine]:
    """A writable engine on ``path`` for one job: locked against a second runner, backed up
    (dated copy, retention from 参数) before an in-place save, saved atomically only when the
    job finishes without raising. With ``output`` the original is never written and content
    openpyxl cannot keep is allowed to be dropped from the new file."""
    from ..engines.files import FileEngine

    path = Path(path)
    with safety.job_lock(path):
        engine = FileEngine(path, writable=True, password=password, allow_loss=output is not None,
                            progress=progress)
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
