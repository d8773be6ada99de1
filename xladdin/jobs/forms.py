"""The form job (生成月报表): read the master on any engine, write one report form per unit.

The CLI passes a file, the ribbon the open book; both end in ``forms_from_engine``.
"""

from __future__ import annotations

from pathlib import Path

from xladdin.books.form_writer import forms_for_month
from xladdin.books.template import NAMES, TEMPLATE_ID
from xladdin.core.sheet import parse_ref
from xladdin.engines.base import Engine
from xladdin.engines.files import FileEngine
from xladdin.errors import UsageError
from xladdin.jobs.session import load_ledger, load_settings

__all__ = ["forms_from_engine", "forms_from_master"]


def forms_from_engine(engine: Engine, month: int, out_dir: Path, *, master_file: str) -> tuple[list[Path], list[str]]:
    """The form job on any engine (CLI: a file; ribbon: the open book): read the master, write one
    form per unit for ``month`` stamped with the master's own id. Returns the files and the names
    of projects left out because their unit is not recognised."""

    if not 1 <= month <= 12:
        raise UsageError(f"月份应为 1 至 12，现为 {month}。")
    settings, _ = load_settings(engine)
    frame = load_ledger(engine, settings).frame
    master_id = TEMPLATE_ID
    where = engine.defined_name(NAMES["master_id"])
    if where is not None:
        row, col = parse_ref(where[1].split(":")[0])
        master_id = str(engine.read(where[0]).value(row, col) or TEMPLATE_ID)
    skipped = [str(n) for n in frame.loc[frame["unit"].isna(), "name"]]
    units = [u for u in settings.unit_names if (frame["unit"] == u).any()]
    files = forms_for_month(frame, month, out_dir, year=settings.year, master_id=master_id,
                            master_file=master_file, units=units)
    return files, skipped


def forms_from_master(master: Path, month: int, out_dir: Path) -> tuple[list[Path], list[str]]:
    """``xladdin forms``: ``forms_from_engine`` on the master file (read-only)."""
    engine = FileEngine(master)
    try:
        return forms_from_engine(engine, month, out_dir, master_file=Path(master).name)
    finally:
        engine.close()
