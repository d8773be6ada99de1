"""The form job (生成月报表): read the master on any engine, write one report form per unit.

The CLI passes a file, the ribbon the open book; both end in ``forms_from_engine``. A form in
the output folder that already holds figures (a unit may have filled it there) is never
overwritten: the job refuses and names the files, unless ``force``; an untouched form
without figures is simply replaced.
"""

from __future__ import annotations

from pathlib import Path

from xladdin.books.form_writer import forms_for_month
from xladdin.books.template import NAMES, TEMPLATE_ID
from xladdin.core.form_layout import FormMeta, form_file_name
from xladdin.core.periods import Period
from xladdin.core.settings import Settings
from xladdin.core.sheet import parse_ref
from xladdin.engines.base import Engine
from xladdin.engines.files import FileEngine
from xladdin.errors import UsageError
from xladdin.jobs.session import load_ledger, load_settings

__all__ = ["filled_forms", "forms_from_engine", "forms_from_master"]


def _holds_figures(path: Path, settings: Settings) -> bool:
    """Whether the workbook at ``path`` holds any typed 当月完成 figure (or a cell that could not be
    read as one); a file that cannot be read as a form counts as holding something (never
    overwritten). 本年累计 is the form's own formula (截至上月累计 + 当月完成), so a form opened
    and saved untouched is still figure-less."""
    from xladdin.jobs.form_intake import read_form_file

    try:  # the bounded reader: a form in the folder is untrusted input like a returned one
        form, _ = read_form_file(path, settings)
    except OSError:
        return True
    if form is None:
        return True
    return any(r.value is not None for r in form.rows) or bool(form.findings)


def filled_forms(out_dir: Path, names: list[str], settings: Settings) -> list[Path]:
    """The files among ``names`` in ``out_dir`` that exist and already hold figures."""
    paths = [Path(out_dir) / n for n in names]
    return [p for p in paths if p.exists() and _holds_figures(p, settings)]


def forms_from_engine(engine: Engine, period: Period, out_dir: Path, *, master_file: str,
                      force: bool = False) -> tuple[list[Path], list[str]]:
    """The form job on any engine (CLI: a file; ribbon: the open book): read the master, write one
    form per unit for ``period`` stamped with the master's own id. Returns the files and the names
    of projects left out because their unit is not recognised. Refuses (``UsageError``) when a
    form it would write already exists in ``out_dir`` holding figures, unless ``force``."""

    settings, _ = load_settings(engine)
    frame = load_ledger(engine, settings).frame
    master_id = TEMPLATE_ID
    where = engine.defined_name(NAMES["master_id"])
    if where is not None:
        row, col = parse_ref(where[1].split(":")[0])
        master_id = str(engine.read(where[0]).value(row, col) or TEMPLATE_ID)
    skipped = [str(n) for n in frame.loc[frame["unit"].isna(), "name"]]
    units = [u for u in settings.unit_names if (frame["unit"] == u).any()]
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise UsageError(f"“{out_dir}”是一个文件，不是文件夹，请指定月报表的输出文件夹。")
    if not force:
        names = [form_file_name(FormMeta(unit=u, year=settings.year, month=period.month)) for u in units]
        filled = filled_forms(Path(out_dir), names, settings)
        if filled:
            listed = "、".join(p.name for p in filled[:5]) + (f" 等 {len(filled)} 份" if len(filled) > 5 else "")
            raise UsageError(f"文件夹“{out_dir}”中已有填了数字的月报表：{listed}，未覆盖任何文件。"
                             "如确需重新生成，请先移走这些文件，或加 --force 覆盖。")
    files = forms_for_month(frame, period, out_dir, year=settings.year, master_id=master_id,
                            master_file=master_file, units=units)
    return files, skipped


def forms_from_master(master: Path, period: Period, out_dir: Path, *, force: bool = False) -> tuple[list[Path], list[str]]:
    """``xladdin forms``: ``forms_from_engine`` on the master file (read-only)."""
    engine = FileEngine(master)
    try:
        return forms_from_engine(engine, period, out_dir, master_file=Path(master).name, force=force)
    finally:
        engine.close()
