"""Writing consolidation results into the master's named output regions through any ``Engine``.

Engine-agnostic (pandas for the tables). Each region (汇总, 排名, 排名历史, 专项, 通报) is
found by its defined name (fallback: the default anchor) and replaced whole: the previous
block below the anchor is cleared (values only), then the new rows are written. Numbers are
stored as numbers (amounts 万元 to 2 decimals, rates as fractions) and shown through number
formats (``figures.presentation``: thousands separators, percentages with one decimal); table
headers are bold and every table cell ruled. The bulletin is laid out as a 公文 page by
``bulletin_layout`` and styled line by line (``books.bulletin_style``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from xladdin.books.bulletin_style import line_styles
from xladdin.core.findings import Finding, finding
from xladdin.core.periods import Period, first_period_month, period_label
from xladdin.core.regions import NAMES, REGIONS, Region
from xladdin.core.sheet import cell_ref, parse_ref
from xladdin.engines.base import CellStyle, Engine
from xladdin.figures.bulletin import Block
from xladdin.figures.bulletin_layout import GRID_COLS, Line, layout
from xladdin.figures.presentation import LABELS, cell_value, number_format

__all__ = ["broken_names", "named_place", "read_history", "region_anchor", "write_bulletin", "write_history",
           "write_ranking", "write_region", "write_tables"]

HEADERS = LABELS  # the one table of labels (figures.presentation)
HISTORY_MONTHS = list(range(first_period_month, 13))
_HISTORY_LABEL = re.compile(r"^1-(\d{1,2})月$")


def table_rows(frame: pd.DataFrame, columns: list[str] | None = None, *, missing: str | None = None) -> list[list[Any]]:
    """Header (Chinese) plus one row per record, values made cell-ready; ``missing`` (e.g. 无数据)
    replaces unknown values (None/NaN) when given."""
    cols = columns or [c for c in frame.columns if not str(c).startswith("_")]
    rows: list[list[Any]] = [[HEADERS.get(c, c) for c in cols]]
    for rec in frame.to_dict("records"):
        cells = [cell_value(c, rec.get(c)) for c in cols]
        if missing is not None:
            cells = [missing if v is None or v == "—" else v for v in cells]
        rows.append(cells)
    return rows


HEAD_STYLE = CellStyle(bold=True, border="tblr", align="center", wrap=False)
CAPTION_STYLE = CellStyle(bold=True, border="", align="left")


def table_styles(anchor: str, first_row: int, keys: list[str | None], n_rows: int) -> dict[str, CellStyle]:
    """Styles of a table written with its header at ``first_row`` rows below ``anchor``: a bold
    ruled header, ruled cells with each column's number format (by its result key)."""
    r0, c0 = parse_ref(anchor)
    out: dict[str, CellStyle] = {}
    for j, key in enumerate(keys):
        out[cell_ref(r0 + first_row, c0 + j)] = HEAD_STYLE
        body = CellStyle(number_format=(number_format(key) if key else None) or "General", border="tblr", bold=False,
                         align="right" if key and number_format(key) else "left")
        for i in range(1, n_rows + 1):
            out[cell_ref(r0 + first_row + i, c0 + j)] = body
    return out


def named_place(engine: Engine, name: str) -> tuple[str, str] | None:
    """The sheet and first cell the defined name ``name`` points at; None when the workbook has no
    such name or its sheet is gone (deleted or renamed by a program that left the name behind;
    Excel itself turns such a name into #REF!, which reads as no name)."""
    found = engine.defined_name(name)
    if found is None or found[0] not in engine.sheet_names():
        return None
    return found[0], found[1].split(":")[0]


def broken_names(engine: Engine, regions: Iterable[Region], month: bool = False) -> list[Finding]:
    """A ``name-broken`` warning for each of our names that points at a sheet the workbook no
    longer has: ``regions`` are rebuilt at their usual place (``region_anchor``), the month name
    (``month``) is left as it is (the ledger's formulas read it; staff point it again)."""
    out: list[Finding] = []
    wanted = [(r.name, f"本次已在“{r.sheet}”表的 {r.anchor} 重建该区域，并将名称改指向它") for r in regions]
    if month:
        wanted.append((NAMES["month"], "台账公式中的当前月份本次未能更新，请在 Excel【公式】→【名称管理器】中"
                                       "将其改为指向项目台账中的月份单元格"))
    for name, reason in wanted:
        found = engine.defined_name(name)
        if found is not None and named_place(engine, name) is None:
            out.append(finding("name-broken", sheet="", row=0, column=0, value=name, label=found[0], reason=reason))
    return out


def region_anchor(engine: Engine, key: str | Region) -> tuple[str, str]:
    """Where a region's block starts: at its defined name, else (no name, or a name left pointing
    at a sheet the workbook no longer has) at its usual place, the sheet created when missing and
    a left-behind name pointed at it."""
    region = REGIONS[key] if isinstance(key, str) else key
    place = named_place(engine, region.name)
    if place is not None:
        return place
    engine.ensure_sheet(region.sheet)
    if engine.defined_name(region.name) is not None:
        engine.set_defined_name(region.name, region.sheet, region.anchor)
    return region.sheet, region.anchor


def write_region(engine: Engine, key: str, rows: list[list[Any]], *, min_cols: int = 14) -> tuple[str, str]:
    """Replace everything from the region's anchor down with ``rows``; returns (sheet, anchor)."""
    sheet, anchor = region_anchor(engine, key)
    old = engine.read(sheet)
    row0, col0 = parse_ref(anchor)
    width = max([min_cols, old.max_col - col0 + 1, *(len(r) for r in rows)])
    engine.write_block(sheet, anchor, rows, clear=(max(old.max_row - row0 + 1, 0), width))
    return sheet, anchor


def write_tables(engine: Engine, key: str, tables: list[tuple[str, pd.DataFrame | list[list[Any]]]],
                 keys: dict[str, list[str | None]] | None = None) -> None:
    """Several captioned tables one under another, a blank row between them, styled as tables
    (``table_styles``). A table given as rows takes its columns' result keys from ``keys``."""
    rows: list[list[Any]] = []
    parts: list[tuple[int, list[str | None], int]] = []
    for caption, table in tables:
        rows.append([caption])
        if isinstance(table, pd.DataFrame):
            cols = [c for c in table.columns if not str(c).startswith("_")]
            body = table_rows(table, cols)
            col_keys: list[str | None] = list(cols)
        else:
            body = table
            col_keys = (keys or {}).get(caption) or _keys_of(table[0] if table else [])
        parts.append((len(rows), col_keys, len(body) - 1))
        rows += body
        rows.append([])
    sheet, anchor = write_region(engine, key, rows)
    styles: dict[str, CellStyle] = {}
    r0, c0 = parse_ref(anchor)
    for start, col_keys, n in parts:
        styles[cell_ref(r0 + start - 1, c0)] = CAPTION_STYLE
        styles.update(table_styles(anchor, start, col_keys, n))
    engine.set_styles(sheet, styles)


_KEY_OF_LABEL = {label: key for key, label in reversed(list(LABELS.items()))}


def _keys_of(header: list[Any]) -> list[str | None]:
    """The result keys of a table given as rows, from its header's labels (None where unknown)."""
    return [_KEY_OF_LABEL.get(str(v)) if v is not None else None for v in header]


def write_ranking(engine: Engine, ranking: pd.DataFrame, period: Period) -> None:
    """The ranking table plus a numeric growth column and our bar chart of unit growth. A unit
    without a growth figure shows 无数据 as its rank and growth (not ranked)."""
    cols = ["rank", "unit", "ytd", "ytd_last_year", "growth", "run", "action"]
    rows: list[list[Any]] = [[f"{period.label}各单位固定资产投资增速排名（并列同名次；名次相同按本年累计降序显示；"
                              "无统计数据的单位显示“无数据”，不参与排名）"]]
    rows += table_rows(ranking, cols)
    rows[1].append("增速（数值）")  # the chart's data: kept for charts made by earlier versions; hidden
    for rec, row in zip(ranking.to_dict("records"), rows[2:], strict=True):
        if pd.isna(rec.get("rank")):
            row[cols.index("rank")] = "无数据"
            if row[cols.index("growth")] is None:
                row[cols.index("growth")] = "无数据"
        row.append(cell_value("growth", rec.get("growth")))
    sheet, anchor = write_region(engine, "ranking", rows)
    r0, c0 = parse_ref(anchor)
    styles = table_styles(anchor, 1, [*cols, "growth"], len(ranking))
    styles[anchor] = CAPTION_STYLE
    engine.set_styles(sheet, styles)
    first, last = r0 + 2, r0 + 1 + len(ranking)
    if len(ranking):
        engine.bar_chart(sheet, "xl_rank_chart", cell_ref(r0, c0 + len(cols) + 2),
                         f"{cell_ref(first, c0 + 1)}:{cell_ref(last, c0 + 1)}",
                         f"{cell_ref(first, c0 + 4)}:{cell_ref(last, c0 + 4)}",  # 增速, a number now
                         f"{period.label}各单位投资增速")


def read_history(engine: Engine) -> dict[str, dict[int, int | None]]:
    """排名历史 as {unit: {period month: rank}} (empty when the sheet or block is absent)."""
    region = REGIONS["history"]
    place = named_place(engine, region.name)
    sheet = place[0] if place else region.sheet
    if sheet not in engine.sheet_names():
        return {}
    data = engine.read(sheet)
    out: dict[str, dict[int, int | None]] = {}
    for r in range(1, data.max_row + 1):
        row = data.rows[r - 1]
        months: dict[int, int] = {}
        for c, v in enumerate(row):
            hit = _HISTORY_LABEL.match(v.strip()) if isinstance(v, str) else None
            if hit:
                months[c] = int(hit.group(1))
        if not months or not row or row[0] != "单位":
            continue
        for below in data.rows[r:]:
            if not below or below[0] in (None, ""):
                break
            unit = str(below[0]).strip()
            out[unit] = {}
            for c, pm in months.items():
                v = below[c] if c < len(below) else None
                if isinstance(v, int | float) and not isinstance(v, bool):
                    out[unit][pm] = int(v)
        break
    return out


def write_history(engine: Engine, history: Mapping[str, Mapping[int, int | None]], units: list[str]) -> None:
    """One column per period (1-2月 … 1-12月), one row per ranked unit; blank where unranked."""
    rows: list[list[Any]] = [["单位", *(period_label(m) for m in HISTORY_MONTHS)]]
    extra = [u for u in history if u not in units]
    for unit in units + extra:
        h = history.get(unit, {})
        rows.append([unit, *(h.get(m) for m in HISTORY_MONTHS)])
    write_region(engine, "history", rows)


def write_bulletin(engine: Engine, blocks: list[Block]) -> None:
    """The bulletin laid out as a 公文 on the template's A4 通报 grid (``bulletin_layout``), each
    line's cells styled (``bulletin_style``); rows the previous bulletin used below are reset."""
    lines = layout(blocks)
    rows = [[*line.values, *[None] * (GRID_COLS - len(line.values))][:GRID_COLS] for line in lines]
    sheet, anchor = region_anchor(engine, "bulletin")
    old = engine.read(sheet)
    r0, c0 = parse_ref(anchor)
    stale = max(old.max_row - r0 + 1 - len(rows), 0)
    rows += [[None] * GRID_COLS for _ in range(stale)]
    write_region(engine, "bulletin", rows, min_cols=GRID_COLS)
    styles: dict[str, CellStyle] = {}
    for i, line in enumerate([*lines, *[Line((), "blank")] * stale]):
        for j, st in enumerate(line_styles(line)):
            styles[cell_ref(r0 + i, c0 + j)] = st
    engine.set_styles(sheet, styles)
