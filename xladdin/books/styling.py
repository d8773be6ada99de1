"""House style for the workbooks we generate: headers, number formats, validation, print setup, saving.

Writer-side helper (imports openpyxl); used only by the template, form and demo writers.
Saving is deterministic: fixed document timestamps and zip entry dates, so the same input
gives byte-identical files (the committed templates are checked against a rebuild).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

__all__ = [
    "AMOUNT_FORMAT",
    "INPUT_FILL",
    "RATE_FORMAT",
    "add_name",
    "amount_rule",
    "bulletin_page",
    "header_row",
    "list_rule",
    "print_setup",
    "put_text_safe",
    "save_workbook",
    "title_row",
    "whole_rule",
]

AMOUNT_FORMAT = "#,##0.00"  # 万元 with thousands separators
RATE_FORMAT = "0.0%"
FIXED_TIME = dt.datetime(2022, 1, 1, 0, 0, 0)
FONT_NAME = "宋体"
BODY_FONT = "仿宋"  # official-document body font (Windows: FangSong)

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # cells staff fill in
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
UNLOCKED = Protection(locked=False)


def title_row(ws: Worksheet, row: int, text: str, n_cols: int, *, size: int = 16) -> None:
    """A merged, centred, bold title across ``n_cols`` columns."""
    ws.cell(row=row, column=1, value=text).font = Font(name=FONT_NAME, size=size, bold=True)
    ws.cell(row=row, column=1).alignment = Alignment(horizontal="center", vertical="center")
    if n_cols > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=n_cols)
    ws.row_dimensions[row].height = 30


def put_text_safe(cell: Any, value: Any) -> None:
    """Set ``cell``'s value; a ``str`` stays text (openpyxl would make "=…" a formula, "#N/A" an error)."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def header_row(ws: Worksheet, row: int, labels: Sequence[str], widths: Sequence[float]) -> None:
    """Bold, wrapped, bordered header cells; sets column widths."""
    for col, (label, width) in enumerate(zip(labels, widths, strict=True), start=1):
        cell = ws.cell(row=row, column=col, value=label)
        cell.font = Font(name=FONT_NAME, bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[row].height = 32


def print_setup(ws: Worksheet, *, title_rows: str | None = None, landscape: bool = True) -> None:
    """A4, fit to one page wide, header rows repeated on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if title_rows:
        ws.print_title_rows = title_rows


def bulletin_page(ws: Worksheet, *, cols: int, width: float, rows: int) -> None:
    """Pre-size the 通报 sheet as an A4 portrait 公文 page (GB/T 9704-2012): margins top 37 mm,
    bottom 35 mm, left 28 mm, right 26 mm; ``cols`` equal columns of stored ``width``; ``rows``
    rows of one line each (``ROW_PT``: 22 a page) in 仿宋_GB2312 三号; page numbers "— 1 —" in
    四号 宋体 below the text block, odd pages at the right, even pages at the left; printed at
    100 % (the layout counts lines per page). Jobs style each line's cells themselves."""
    from xladdin.books.bulletin_style import BODY_FONT as DOC_FONT
    from xladdin.books.bulletin_style import MARGINS_MM, ROW_PT

    for c in range(1, cols + 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    body = Font(name=DOC_FONT, size=16, charset=134)
    left = Alignment(horizontal="left", vertical="center")
    for r in range(1, rows + 1):
        for c in range(1, cols + 1):
            cell = ws.cell(row=r, column=c)
            cell.font, cell.alignment = body, left
        ws.row_dimensions[r].height = ROW_PT
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.scale = 100
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=False)
    ws.print_options.horizontalCentered = True
    inch = 25.4
    ws.page_margins.top, ws.page_margins.bottom = MARGINS_MM["top"] / inch, MARGINS_MM["bottom"] / inch
    ws.page_margins.left, ws.page_margins.right = MARGINS_MM["left"] / inch, MARGINS_MM["right"] / inch
    ws.page_margins.header, ws.page_margins.footer = 0.5, (MARGINS_MM["bottom"] - 7 - 6) / inch
    number = '&"宋体"&14— &P —'
    ws.HeaderFooter.differentOddEven = True
    ws.oddFooter.right.text = number  # type: ignore[union-attr]
    ws.evenFooter.left.text = number  # type: ignore[union-attr]
    ws.sheet_view.showGridLines = False


def add_name(ws: Worksheet, name: str, ref: str) -> None:
    """Workbook-level defined name -> absolute reference on ``ws`` ("A3" or "A3:B9")."""
    wb = ws.parent
    assert wb is not None
    parts = [f"${''.join(c for c in p if c.isalpha())}${''.join(c for c in p if c.isdigit())}" for p in ref.split(":")]
    wb.defined_names[name] = DefinedName(name, attr_text=f"'{ws.title}'!{':'.join(parts)}")


def _rule(ws: Worksheet, dv: DataValidation, ref: str, title: str, prompt: str, error: str) -> DataValidation:
    dv.promptTitle, dv.prompt, dv.showInputMessage = title[:32], prompt[:255], True
    dv.errorTitle, dv.error, dv.showErrorMessage = "输入有误", error[:255], True
    for part in ref.split():
        dv.add(part)
    ws.add_data_validation(dv)
    return dv


def list_rule(ws: Worksheet, ref: str, source: str, title: str, prompt: str) -> DataValidation:
    """Dropdown from ``source``: a defined name (``=xl_units``) or an inline list ("是,否")."""
    formula = source if source.startswith("=") else f'"{source}"'
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    return _rule(ws, dv, ref, title, prompt, f"请从下拉列表中选择{title}。")


def amount_rule(ws: Worksheet, ref: str, title: str, prompt: str) -> DataValidation:
    """Decimal amount >= 0 (万元)."""
    dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
    return _rule(ws, dv, ref, title, prompt, f"“{title}”应为不小于 0 的数字（万元）。")


def whole_rule(ws: Worksheet, ref: str, low: int, high: int, title: str, prompt: str) -> DataValidation:
    dv = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high), allow_blank=True)
    return _rule(ws, dv, ref, title, prompt, f"“{title}”应为 {low} 至 {high} 之间的整数。")


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Save reproducibly (fixed timestamps) and atomically (temporary file, then replace)."""
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.properties.creator = wb.properties.lastModifiedBy = "xladdin"
    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # closes the archive; unlike openpyxl's save() it keeps our timestamps
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".~xladdin-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as out, zipfile.ZipFile(raw) as src:
            for info in src.infolist():
                entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
                entry.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(entry, src.read(info.filename))
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
