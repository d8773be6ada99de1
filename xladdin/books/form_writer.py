"""Writes the unit's monthly report forms (月报表) from the master ledger's projects.

Writer (imports openpyxl, pandas). Layout and metadata are in ``formspec``. Each form holds one
unit's projects, code and name locked, the sheet protected (no password: staff may unprotect,
consolidation copes) except the cells the unit fills, with native validation on those cells.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from xladdin.books.styling import (
    AMOUNT_FORMAT,
    BORDER,
    INPUT_FILL,
    UNLOCKED,
    amount_rule,
    header_row,
    list_rule,
    print_setup,
    put_text_safe,
    save_workbook,
    title_row,
)
from xladdin.books.template import flag_text
from xladdin.core.fields import month_field
from xladdin.core.form_layout import (
    FORM_COLUMNS,
    FORM_FIRST_ROW,
    FORM_HEADER_ROW,
    FORM_SHEET,
    INSTRUCTIONS_ROW,
    META_ROW,
    META_SHEET,
    SIGNATURE,
    FormMeta,
    form_file_name,
    meta_rows,
    visible_meta_row,
)
from xladdin.core.periods import Period, period_label
from xladdin.figures.presentation import plain

__all__ = ["FORM_LETTERS", "build_form", "form_values", "forms_for_month"]

FORM_LETTERS = {c.key: chr(64 + i) for i, c in enumerate(FORM_COLUMNS, start=1)}  # 11 columns: A..K
_LETTER = FORM_LETTERS


def _num(value: Any) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(f) else f


def form_values(projects: pd.DataFrame, period: Period) -> list[dict[str, Any]]:
    """One dict per project, keyed by ``FORM_COLUMNS`` keys (``ytd`` left to the formula).

    ``prev_ytd`` is the sum of the ledger's months before the period's own column (1-2月:
    January's; 1-6月: January to May), exactly what consolidation adds the form's figure to;
    ``month_current`` is the period's own column (1-2月: February's), pre-filled only when the
    master already holds it (a form issued again after consolidation). So a form returned
    unchanged changes nothing, for every period."""
    month = period.month
    out: list[dict[str, Any]] = []
    for i, rec in enumerate(projects.to_dict("records"), start=1):
        prev = sum(_num(rec.get(month_field(m))) for m in period.earlier_months)
        out.append({
            "seq": i,
            "code": plain(rec.get("code")),
            "name": plain(rec.get("name")),
            "level": plain(rec.get("level")),
            "annual_plan": plain(rec.get("annual_plan")),
            "prev_ytd": round(prev, 2),
            "month_current": plain(rec.get(month_field(month))),
            "progress_text": plain(rec.get("progress_text")),
            "problems": plain(rec.get("problems")),
            "in_stats": flag_text(rec.get("in_stats")),
        })
    return out


def build_form(path: Path, meta: FormMeta, rows: list[dict[str, Any]], *, protect: bool = True) -> Path:
    """Write one unit's form. ``rows`` as from ``form_values`` (values may be edited first, as the
    demo does to play a unit's mistakes). Returns ``path``."""
    wb = Workbook()
    ws = wb.worksheets[0]
    ws.title = FORM_SHEET
    n = len(FORM_COLUMNS)
    title_row(ws, 1, f"{meta.year}年{period_label(meta.month)}重点项目投资进展月报表（{meta.unit}）", n, size=14)
    for c, value in enumerate(visible_meta_row(meta), start=1):
        cell = ws.cell(row=META_ROW, column=c, value=value)
        cell.font = Font(bold=c % 2 == 1)
        cell.alignment = Alignment(horizontal="right" if c % 2 == 1 else "left")
    ws.cell(row=META_ROW, column=n, value="单位：万元")
    month_note = "（1-2月合并报送：填1-2月合计；“截至上月累计”已含1月数的，只填2月数）" if meta.month <= 2 else ""
    text = (
        f"填报说明：只填写黄色单元格。“当月完成”填{meta.month}月当月完成投资{month_note}，单位万元，只填数字，"
        f"不是累计数；“本年累计完成”（{period_label(meta.month)}）由公式自动计算。“形象进度”写到本月底的实际进展，"
        "“存在问题”写需协调解决的问题，“是否入库”填“是”或“否”。项目编码、名称等灰色信息来自主台账，如有错误请另行说明，不要改动。"
    )
    ws.cell(row=INSTRUCTIONS_ROW, column=1, value=text).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=INSTRUCTIONS_ROW, start_column=1, end_row=INSTRUCTIONS_ROW, end_column=n)
    ws.row_dimensions[INSTRUCTIONS_ROW].height = 48
    header_row(ws, FORM_HEADER_ROW, [c.label for c in FORM_COLUMNS], [c.width for c in FORM_COLUMNS])
    for i, rec in enumerate(rows):
        r = FORM_FIRST_ROW + i
        for c, col in enumerate(FORM_COLUMNS, start=1):
            cell = ws.cell(row=r, column=c)
            if col.key == "ytd" and rec.get("ytd") is None:  # a typed-over figure (retyped copy) is kept
                cell.value = f"={_LETTER['prev_ytd']}{r}+N({_LETTER['month_current']}{r})"
            else:
                put_text_safe(cell, rec.get(col.key))  # project names and notes stay text
            if col.key in ("annual_plan", "prev_ytd", "month_current", "ytd"):
                cell.number_format = AMOUNT_FORMAT
            cell.border = BORDER
            if col.fill:
                cell.fill = INPUT_FILL
                cell.protection = UNLOCKED
            if col.key in ("name", "progress_text", "problems"):
                cell.alignment = Alignment(wrap_text=True, vertical="center")
    last = FORM_FIRST_ROW + max(len(rows), 1) - 1
    ws.cell(row=last + 2, column=1, value=SIGNATURE).font = Font(bold=True)  # column A only: never a project row
    ws.row_dimensions[last + 2].height = 30
    amount_rule(ws, f"G{FORM_FIRST_ROW}:G{last}", "当月完成", f"填{meta.month}月当月完成投资，单位万元，只填数字。")
    list_rule(ws, f"K{FORM_FIRST_ROW}:K{last}", "是,否", "是否入库", "项目是否已纳入固定资产投资统计库：是 或 否。")
    ws.freeze_panes = f"D{FORM_FIRST_ROW}"
    print_setup(ws, title_rows=f"1:{FORM_HEADER_ROW}")
    if protect:
        ws.protection.sheet = True
        ws.protection.formatColumns = ws.protection.formatRows = False  # widths/heights stay adjustable
    hidden = wb.create_sheet(META_SHEET)
    for row in meta_rows(meta):
        hidden.append(row)
    hidden.sheet_state = "hidden"
    hidden.protection.sheet = True
    return save_workbook(wb, path)


def forms_for_month(
    projects: pd.DataFrame, period: Period, out_dir: Path, *, year: int, master_id: str, master_file: str,
    units: list[str] | None = None,
) -> list[Path]:
    """One form per unit holding projects (``projects['unit']`` canonical), in ``out_dir``; units in
    the order given (e.g. the 参数 order), else in order of first appearance."""
    written: list[Path] = []
    known = projects[projects["unit"].notna()]
    for unit in units or list(dict.fromkeys(known["unit"])):
        own = known[known["unit"] == unit]
        if own.empty:
            continue
        meta = FormMeta(unit=unit, year=year, month=period.month, master_id=master_id, master_file=master_file)
        written.append(build_form(out_dir / form_file_name(meta), meta, form_values(own, period)))
    return written
