"""``bulletin``: the month's 通报 as a Word document (.docx) or PDF, from the master, without writing it.

Engine-agnostic (the master is any ``Engine``, read only). The figures are computed as a
consolidation computes them; what the bulletin says about the forms (units that did not
report, the number of errors) comes from the 月报汇总 rows of 校验结果, the same rows staff
see there, so the document and the sheet cannot disagree. ``.pdf`` is the .docx converted by
LibreOffice (Writer).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from xladdin.core.periods import Period
from xladdin.core.regions import SHEETS
from xladdin.core.settings import Settings
from xladdin.engines.base import Engine
from xladdin.errors import UsageError
from xladdin.figures import bulletin
from xladdin.figures.month import compute_month
from xladdin.figures.results import Reporting
from xladdin.jobs.consolidate import load_stats
from xladdin.jobs.outputs import read_history, region_anchor
from xladdin.jobs.session import load_ledger, load_settings
from xladdin.jobs.validate import FINDINGS_HEADER, FORMS_CHECK

__all__ = ["bulletin_blocks", "export_bulletin", "form_findings"]

SUFFIXES = (".docx", ".pdf")


def form_findings(engine: Engine) -> tuple[list[str], int]:
    """(units without a form, errors found) as 校验结果's 月报汇总 rows record them. The rows also
    hold the month's own findings (``figures/gaps.py``), all warnings, so the error count is the
    inputs' as the consolidation counted it (pinned by a test in tests/core/test_month_result.py)."""
    if SHEETS["findings"] not in engine.sheet_names():
        return [], 0
    sheet, anchor = region_anchor(engine, "findings")
    data = engine.read(sheet)
    row0 = int("".join(ch for ch in anchor if ch.isdigit()))
    col = {name: i for i, name in enumerate(FINDINGS_HEADER)}
    missing: list[str] = []
    errors = 0
    for row in data.rows[row0:]:
        cells = [*row, *[None] * (len(FINDINGS_HEADER) - len(row))]
        if all(v in (None, "") for v in cells):
            break
        if cells[col["检查"]] != FORMS_CHECK:
            continue
        if cells[col["级别"]] == "错误":
            errors += 1
        if cells[col["代码"]] == "form-missing" and cells[col["填写内容"]]:
            missing.append(str(cells[col["填写内容"]]))
    return missing, errors


def bulletin_blocks(engine: Engine, period: Period, settings: Settings | None = None) -> list[bulletin.Block]:
    """The period's bulletin blocks, as the consolidation writes them to 通报."""
    if settings is None:
        settings, _ = load_settings(engine)
    ledger = load_ledger(engine, settings)
    stats, _ = load_stats(engine, settings)
    missing, errors = form_findings(engine)
    month = compute_month(ledger, stats, settings, period, history=read_history(engine),
                          reporting=Reporting(missing=tuple(missing)), errors=errors)
    return list(month.bulletin)


def export_bulletin(engine: Engine, period: Period, out: Path) -> Path:
    """Write the bulletin to ``out`` (.docx, or .pdf through LibreOffice)."""
    from xladdin.books.bulletin_docx import write_docx

    out = Path(out)
    if out.suffix.lower() not in SUFFIXES:
        raise UsageError(f"通报只能导出为 .docx 或 .pdf 文件，而不是“{out.name}”。")
    blocks = bulletin_blocks(engine, period)
    if out.suffix.lower() == ".docx":
        return write_docx(blocks, out)
    from xladdin.engines.libreoffice import convert

    with tempfile.TemporaryDirectory(prefix="xladdin-bulletin-") as tmp:
        docx = write_docx(blocks, Path(tmp) / f"{out.stem}.docx")
        pdf = convert([docx], Path(tmp) / "pdf", "pdf")[0]
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(pdf), out)
    return out
