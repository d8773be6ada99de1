"""Writing consolidation results into the master's named output regions through any ``Engine``.

Engine-agnostic (pandas for the tables). Each region (汇总, 排名, 排名历史, 专项, 通报) is
found by its defined name (fallback: the default anchor) and replaced whole: the previous
block below the anchor is cleared (values only, formatting stays), then the new rows are
written. Amounts are 万元 rounded to 2 decimals; rates are shown as text ("8.5%") so they
read right without number formats; the ranking chart draws a numeric growth column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from xladdin.core.periods import Period, first_period_month, period_label
from xladdin.core.regions import REGIONS
from xladdin.core.sheet import cell_ref, parse_ref
from xladdin.engines.base import Engine
from xladdin.figures.bulletin import Block, pct
from xladdin.figures.bulletin_layout import GRID_COLS, layout

__all__ = ["read_history", "write_bulletin", "write_history", "write_ranking", "write_region", "write_tables"]

RATE_KEYS = frozenset({"completion_rate", "schedule", "gap", "growth", "target", "fulfilment_rate", "start_rate",
                       "production_rate", "output_rate", "disbursement_rate", "quota_share", "count_ratio",
                       "investment_ratio", "issue_rate", "entry_rate", "due_rate", "target_rate"})
HEADERS: dict[str, str] = {
    "level": "项目类别", "unit": "单位", "category": "行业类别", "projects": "项目个数",
    "total_investment": "总投资（万元）", "annual_plan": "年度计划（万元）", "ytd_completed": "累计完成（万元）",
    "completion_rate": "完成率", "schedule": "序时进度", "gap": "较序时进度", "status": "进度情况", "growth": "增速",
    "scope": "口径", "ytd": "本年累计（万元）", "ytd_last_year": "上年同期（万元）", "target": "目标增速",
    "rank": "排名", "run": "连续末位月数", "action": "处理意见",
    "round": "期次", "fulfilled": "已履约", "started": "已开工", "producing": "已投产", "reached": "已达效",
    "fulfilment_rate": "履约率", "start_rate": "开工率", "production_rate": "投产率", "output_rate": "达效率",
    "bond_amount": "专项债额度（万元）", "bond_disbursed": "已支出（万元）", "disbursement_rate": "支出进度",
    "quota_share": "占新增额度", "issuance": "发行规模得分", "quality": "报送质量得分", "disbursement": "支出进度得分",
    "compliance": "规范性得分", "score": "综合得分", "tier": "档次", "count": "已引进个数", "met": "是否完成",
    "code": "项目编码", "name": "项目名称", "row": "台账行",
    # issue 13: programme measures
    "kind": "单位类型", "bond_applied": "申请额度（万元）", "bond_issued": "已发行（万元）", "issue_rate": "发行比例",
    "no_batch": "批次未填", "sign_list": "签约一批", "start_list": "开工一批", "production_list": "投产一批",
    "link": "关键环节", "held": "受阻项目数", "project_status": "项目状态", "names": "项目名称", "target_count": "目标个数", "verdict": "判定", "reason": "依据",
    "required": "应入库", "entered": "已入库", "missing": "应入未入", "unknown": "状态不明", "entry_rate": "入库率",
    "behind": "滞后项目数", "behind_names": "滞后序时进度项目", "new_build": "新建", "continued": "续建",
    "no_nature": "性质未填", "completed": "竣工", "planned": "计划新开工", "due": "应开工（截至本期）",
    "started_new": "已开工", "due_rate": "序时开工率", "late_names": "应开工未开工项目", "annual_target": "年度目标（万元）",
    "target_rate": "目标完成率",
}
HISTORY_MONTHS = list(range(first_period_month, 13))
_HISTORY_LABEL = re.compile(r"^1-(\d{1,2})月$")


def _cell(key: str, value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in RATE_KEYS:
        return pct(value)
    if isinstance(value, float):
        return round(value, 2)
    return value


def table_rows(frame: pd.DataFrame, columns: list[str] | None = None, *, missing: str | None = None) -> list[list[Any]]:
    """Header (Chinese) plus one row per record, values made cell-ready; ``missing`` (e.g. 无数据)
    replaces unknown values (None/NaN) when given."""
    cols = columns or [c for c in frame.columns if not str(c).startswith("_")]
    rows: list[list[Any]] = [[HEADERS.get(c, c) for c in cols]]
    for rec in frame.to_dict("records"):
        cells = [_cell(c, rec.get(c)) for c in cols]
        if missing is not None:
            cells = [missing if v is None or v == "—" else v for v in cells]
        rows.append(cells)
    return rows


def region_anchor(engine: Engine, key: str) -> tuple[str, str]:
    region = REGIONS[key]
    found = engine.defined_name(region.name)
    if found is not None:
        return found[0], found[1].split(":")[0]
    engine.ensure_sheet(region.sheet)
    return region.sheet, region.anchor


def write_region(engine: Engine, key: str, rows: list[list[Any]], *, min_cols: int = 14) -> tuple[str, str]:
    """Replace everything from the region's anchor down with ``rows``; returns (sheet, anchor)."""
    sheet, anchor = region_anchor(engine, key)
    old = engine.read(sheet)
    row0, col0 = parse_ref(anchor)
    width = max([min_cols, old.max_col - col0 + 1, *(len(r) for r in rows)])
    engine.write_block(sheet, anchor, rows, clear=(max(old.max_row - row0 + 1, 0), width))
    return sheet, anchor


def write_tables(engine: Engine, key: str, tables: list[tuple[str, pd.DataFrame | list[list[Any]]]]) -> None:
    """Several captioned tables one under another, a blank row between them."""
    rows: list[list[Any]] = []
    for caption, table in tables:
        rows.append([caption])
        rows += table_rows(table) if isinstance(table, pd.DataFrame) else table
        rows.append([])
    write_region(engine, key, rows)


def write_ranking(engine: Engine, ranking: pd.DataFrame, period: Period) -> None:
    """The ranking table plus a numeric growth column and our bar chart of unit growth. A unit
    without a growth figure shows 无数据 as its rank and growth (not ranked)."""
    cols = ["rank", "unit", "ytd", "ytd_last_year", "growth", "run", "action"]
    rows: list[list[Any]] = [[f"{period.label}各单位固定资产投资增速排名（并列同名次；名次相同按本年累计降序显示；"
                              "无统计数据的单位显示“无数据”，不参与排名）"]]
    rows += table_rows(ranking, cols)
    rows[1].append("增速（数值）")
    for rec, row in zip(ranking.to_dict("records"), rows[2:], strict=True):
        if pd.isna(rec.get("rank")):
            row[cols.index("rank")] = "无数据"
            if row[cols.index("growth")] is None:
                row[cols.index("growth")] = "无数据"
        g = rec.get("growth")
        row.append(None if g is None or (isinstance(g, float) and math.isnan(g)) else round(float(g), 6))
    sheet, anchor = write_region(engine, "ranking", rows)
    r0, c0 = parse_ref(anchor)
    first, last = r0 + 2, r0 + 1 + len(ranking)
    if len(ranking):
        engine.bar_chart(sheet, "xl_rank_chart", cell_ref(r0, c0 + len(cols) + 2),
                         f"{cell_ref(first, c0 + 1)}:{cell_ref(last, c0 + 1)}",
                         f"{cell_ref(first, c0 + len(cols))}:{cell_ref(last, c0 + len(cols))}",
                         f"{period.label}各单位投资增速")


def read_history(engine: Engine) -> dict[str, dict[int, int | None]]:
    """排名历史 as {unit: {period month: rank}} (empty when the sheet or block is absent)."""
    region = REGIONS["history"]
    found = engine.defined_name(region.name)
    sheet = found[0] if found else region.sheet
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
    """The bulletin laid out for the template's pre-styled A4 通报 grid (``bulletin_layout``):
    values only, no merged cells; formatting comes from the template."""
    write_region(engine, "bulletin", layout(blocks), min_cols=GRID_COLS)
