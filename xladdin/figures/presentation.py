"""How figures are shown to staff: one table of labels, number formats and wording for every output.

Pure (standard library). Excel sheets, formulas, JSON, CSV and the bulletin all take their
column labels from ``LABELS`` and their number formats from ``number_format``, so the same
quantity is called the same thing and shown with the same precision everywhere:

- amounts are 万元 in sheets (``#,##0.00``: thousands separators, two decimals) and 亿元 with
  two decimals in the bulletin (``yi``);
- rates are stored as fractions and shown as percentages with one decimal (``0.0%``, ``pct``);
- counts are whole numbers (``#,##0``); scores one decimal;
- a growth is worded the Chinese way: "增长9.9%" / "下降1.0%" (``change``), never "增速-1.0%".

Each output medium takes its values through one converter here, so they say the same thing:
``cell_value`` (sheet cells: rates to 6 decimals, other floats to 2, the number format shows them),
``json_value`` (JSON: full figures to 6 decimals, unknown null) and ``csv_value`` (CSV: the JSON
figure shown as on paper: rates as percentages with one decimal, amounts to 2). Booleans are
是/否 in cells and CSV (``yes_no``), true/false in JSON. Unknown (None, NA, NaN) is always unknown,
never 0.

Error literals (``#N/A`` …) live with the cell-value parsing in ``core.values.ERROR_LITERALS``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from xladdin.core.fields import FIELDS

__all__ = [
    "AMOUNT_FORMAT",
    "COUNT_FORMAT",
    "LABELS",
    "RATE_FORMAT",
    "RATE_KEYS",
    "cell_value",
    "change",
    "csv_value",
    "field_label",
    "json_records",
    "json_value",
    "label",
    "number_format",
    "pct",
    "plain",
    "points",
    "yes_no",
    "yi",
]

AMOUNT_FORMAT = "#,##0.00"
COUNT_FORMAT = "#,##0"
RATE_FORMAT = "0.0%"
SCORE_FORMAT = "0.0"

LABELS: dict[str, str] = {
    "level": "项目类别", "unit": "责任单位", "category": "行业类别", "projects": "项目个数",
    "total_investment": "总投资（万元）", "annual_plan": "年度计划（万元）", "ytd_completed": "累计完成（万元）",
    "completion_rate": "完成率", "schedule": "序时进度", "gap": "较序时进度", "status": "进度情况", "growth": "增速",
    "scope": "口径", "ytd": "本年累计（万元）", "ytd_last_year": "上年同期（万元）", "target": "目标增速",
    "rank": "排名", "run": "连续末位月数", "action": "处理措施",
    "round": "期次", "fulfilled": "已履约", "started": "已开工", "producing": "已投产", "reached": "已达效",
    "fulfilment_rate": "履约率", "start_rate": "开工率", "production_rate": "投产率", "output_rate": "达效率",
    "bond_amount": "专项债额度（万元）", "bond_disbursed": "已支出（万元）", "disbursement_rate": "支出进度",
    "quota_share": "占新增额度", "issuance": "发行规模得分", "quality": "报送质量得分", "disbursement": "支出进度得分",
    "compliance": "规范性得分", "score": "综合得分", "tier": "档次", "count": "已引进个数", "met": "是否完成",
    "code": "项目编码", "name": "项目名称", "row": "台账行",
    # issue 13: programme measures
    "kind": "单位类型", "bond_applied": "申请额度（万元）", "bond_issued": "已发行（万元）", "issue_rate": "发行比例",
    "no_batch": "批次未填", "sign_list": "签约一批", "start_list": "开工一批", "production_list": "投产一批",
    "link": "关键环节", "held": "受阻项目数", "project_status": "项目状态", "names": "项目名称", "target_count": "目标个数",
    "verdict": "判定", "reason": "依据",
    "required": "应入库", "entered": "已入库", "missing": "应入未入", "unknown": "状态不明", "entry_rate": "入库率",
    "behind": "滞后项目数", "behind_names": "滞后序时进度项目", "new_build": "新建", "continued": "续建",
    "no_nature": "性质未填", "completed": "竣工", "planned": "计划新开工", "due": "应开工（截至本期）",
    "started_new": "已开工", "due_rate": "序时开工率", "late_names": "应开工未开工项目", "annual_target": "年度目标（万元）",
    "target_rate": "目标完成率",
}

RATE_KEYS = frozenset({"completion_rate", "schedule", "gap", "growth", "target", "fulfilment_rate", "start_rate",
                       "production_rate", "output_rate", "disbursement_rate", "quota_share", "count_ratio",
                       "investment_ratio", "issue_rate", "entry_rate", "due_rate", "target_rate"})
AMOUNT_KEYS = frozenset({"total_investment", "annual_plan", "ytd_completed", "ytd", "ytd_last_year", "bond_amount",
                         "bond_disbursed", "reserve_investment", "base_investment", "bond_applied", "bond_issued",
                         "annual_target"})
COUNT_KEYS = frozenset({"projects", "fulfilled", "started", "producing", "reached", "count", "rank", "run", "row",
                        "reserve_projects", "base_projects", "no_batch", "held", "target_count", "required", "entered",
                        "missing", "unknown", "behind", "new_build", "continued", "no_nature", "completed", "planned",
                        "due", "started_new"})
SCORE_KEYS = frozenset({"issuance", "quality", "disbursement", "compliance", "score"})


_FORM_FIELDS = {"value": "本月完成", "cumulative": "本年累计完成", "progress_text": "形象进度", "problems": "存在问题"}
_FIELD_LABELS = {f.key: f.label for f in FIELDS}
_MONTH_KEY = re.compile(r"^m(\d\d)$")


def field_label(key: str) -> str:
    """The Chinese name of a finding's field (ledger columns by their catalogue label, form
    columns by the form's words, month columns as "6月"); text that is not a key stays."""
    if key in _FORM_FIELDS:
        return _FORM_FIELDS[key]
    if key in _FIELD_LABELS:
        return _FIELD_LABELS[key]
    month = _MONTH_KEY.match(key)
    if month:
        return f"{int(month.group(1))}月"
    return LABELS.get(key, key)


def label(key: str) -> str:
    """The Chinese column label of a result key (the key itself when it has none)."""
    return LABELS.get(key, key)


def number_format(key: str) -> str | None:
    """The Excel number format of a result key's cells, or None for text and other values."""
    if key in RATE_KEYS:
        return RATE_FORMAT
    if key in AMOUNT_KEYS:
        return AMOUNT_FORMAT
    if key in COUNT_KEYS:
        return COUNT_FORMAT
    if key in SCORE_KEYS:
        return SCORE_FORMAT
    return None


def known(value: Any) -> bool:
    """A value that is there: not None, pandas' NA nor NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return False
    return type(value).__name__ != "NAType"


def yes_no(value: bool) -> str:
    """A yes/no value in staff's words: 是 / 否."""
    return "是" if value else "否"


def plain(value: Any) -> Any:
    """A value as Python holds it, nothing rounded: numpy scalars as Python numbers, unknown
    (None, NA, NaN) as None. The first step of every converter here; new workbooks (``books``)
    write their cells with it."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalars
    return value if known(value) else None


def cell_value(key: str, value: Any) -> Any:
    """A value as a sheet cell holds it: numbers stay numbers (rates to 6 decimals, other floats
    to 2; the number format shows them), booleans are 是/否, unknown is empty."""
    value = plain(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, float):
        return round(value, 6) if key in RATE_KEYS else round(value, 2)
    return value


def json_value(value: Any) -> Any:
    """A value as JSON carries it: unknown (None, NA, NaN) is null, numpy scalars are Python
    numbers, floats to 6 decimals (a rate's full figure), booleans true/false."""
    value = plain(value)
    if isinstance(value, float):
        return round(value, 6)
    return value


def json_records(records: Iterable[Mapping[Any, Any]], columns: Iterable[str]) -> list[dict[str, Any]]:
    """Table rows (``DataFrame.to_dict("records")``) as JSON objects of ``columns``, each value
    through ``json_value`` (a column a row lacks is null)."""
    cols = list(columns)
    return [{c: json_value(rec.get(c)) for c in cols} for rec in records]


def csv_value(key: str, value: Any) -> Any:
    """A figure in a CSV cell: the JSON figure (``json_value``) with rates as percentages to one
    decimal (the header says "（%）"), amounts and other fractions to 2 decimals, counts and text as
    they are; unknown is None (an empty cell)."""
    value = json_value(value)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value
    if key in RATE_KEYS:
        return round(value * 100, 1)
    if key in AMOUNT_KEYS or isinstance(value, float):
        return round(value, 2)
    return value


def yi(amount: Any) -> str:
    """万元 → 亿元 with two decimals: 16_548_000 → "1654.80"; "—" when unknown."""
    if not known(amount):
        return "—"
    text = f"{float(amount) / 10_000:.2f}"
    return "0.00" if text == "-0.00" else text


def pct(rate: Any) -> str:
    """0.1234 → "12.3%"; "—" when unknown."""
    return f"{float(rate) * 100:.1f}%" if known(rate) else "—"


def points(gap: float) -> str:
    """A gap in percentage points with one decimal: 0.012 → "1.2"."""
    return f"{abs(gap) * 100:.1f}"


def change(rate: Any) -> str:
    """A growth rate in words: 0.099 → "增长9.9%", -0.01 → "下降1.0%", 0 → "持平"; "—" when unknown."""
    if not known(rate):
        return "—"
    shown = f"{abs(float(rate)) * 100:.1f}"
    if shown == "0.0":
        return "持平"
    return ("增长" if float(rate) > 0 else "下降") + shown + "%"
