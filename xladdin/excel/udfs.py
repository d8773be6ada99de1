"""Worksheet formulas (UDFs), prefix ``TZ_`` (投资): thin xlwings wrappers over the pure core.

May import xlwings (its ``func``/``arg``/``ret`` decorators only), pandas and the core modules.
The same functions serve classic xlwings (desktop Excel via ``xladdin.xlam``), xlwings Server
and xlwings Lite. Bad input never raises into Excel: each function returns a short Chinese
message (text) instead, so the cell shows what to fix rather than a traceback.

Settings are the package defaults (the district's 2022 plan); a workbook's own 参数 sheet is
read by the ribbon jobs, not by formulas (a formula sees only its arguments).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any, TypeVar

import pandas as pd
import xlwings as xw

from xladdin.core import periods
from xladdin.core.ledger import read_ledger, read_stats
from xladdin.core.money import wan_to_yi, yi_to_wan
from xladdin.core.rules import validate_ledger
from xladdin.core.settings import Settings, default_settings
from xladdin.core.sheet import SheetData
from xladdin.core.table_read import CATEGORY_FIELDS, LEVEL_FIELDS, UNIT_FIELDS, table_frame
from xladdin.errors import XladdinError
from xladdin.figures import presentation, progress, ranking

__all__ = [
    "CATEGORY",
    "TZ_ACTION",
    "TZ_BYCATEGORY",
    "TZ_BYLEVEL",
    "TZ_BYUNIT",
    "TZ_CHECK",
    "TZ_GROWTH",
    "TZ_PERIOD",
    "TZ_RANK",
    "TZ_RANKING",
    "TZ_RATE",
    "TZ_SCHEDULE",
    "TZ_STATUS",
    "TZ_WAN",
    "TZ_YI",
]

CATEGORY = "投资项目"
_F = TypeVar("_F", bound=Callable[..., Any])

LABELS = presentation.LABELS  # one table of labels for sheets, formulas, JSON and CSV


def _safe(f: _F) -> _F:
    """Turn any error into a short message in the cell: a project error's own message, else a generic one."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except XladdinError as exc:
            return exc.message
        except (TypeError, ValueError, KeyError, IndexError) as exc:
            return f"参数有误：{exc}"

    return wrapper  # type: ignore[return-value]


@functools.lru_cache(maxsize=1)
def _settings() -> Settings:
    return default_settings()


def _num(value: Any, what: str) -> float:
    if isinstance(value, bool) or value is None or value == "":
        raise ValueError(f"{what}为空")
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what}应为数字，现为“{value}”") from None
    if math.isnan(f):
        raise ValueError(f"{what}为空")
    return f


def _month(value: Any) -> periods.Period:
    """A formula's month argument checked once and made the ``Period`` the core takes (1 and 2: 1-2月)."""
    f = _num(value, "月份")
    if f != int(f) or not 1 <= f <= 12:
        raise ValueError(f"月份应为 1 到 12 的整数，现为“{value}”")
    return periods.Period.of(int(f))


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    """Chinese headers; NA/NaN as None so every runtime shows an empty cell.

    Built column by column from Python values (a table has a few hundred cells: the frame-wide
    ``astype(object).where(notna)`` cost more than the rest of a small table)."""
    return pd.DataFrame({LABELS.get(str(c), str(c)): [None if v is None or v is pd.NA or v is pd.NaT or v != v else v
                                                      for v in frame[c].tolist()]
                         for c in frame.columns}, index=frame.index, dtype=object)


def _grid(values: Any, what: str) -> SheetData:
    if not isinstance(values, list) or not values or not isinstance(values[0], list):
        raise ValueError(f"{what}应为含表头的区域")
    return SheetData(what, values)


# ---- single figures -------------------------------------------------------------------------
@xw.func(category=CATEGORY)
@xw.arg("ytd", doc="本年累计完成投资（万元）")
@xw.arg("plan", doc="年度计划投资（万元）")
@_safe
def TZ_RATE(ytd: Any, plan: Any) -> Any:
    """完成率 = 本年累计完成 ÷ 年度计划（小数，设为百分比格式）。"""
    if _num(plan, "年度计划") <= 0:
        return "年度计划应大于 0"
    return progress.completion_rate(_num(ytd, "累计完成"), _num(plan, "年度计划"))


@xw.func(category=CATEGORY)
@xw.arg("ytd", doc="本年累计（万元）")
@xw.arg("last", doc="上年同期累计（万元）")
@_safe
def TZ_GROWTH(ytd: Any, last: Any) -> Any:
    """增速（同比）=（本年累计 − 上年同期）÷ 上年同期。"""
    if _num(last, "上年同期") <= 0:
        return "上年同期应大于 0"
    return progress.growth(_num(ytd, "本年累计"), _num(last, "上年同期"))


@xw.func(category=CATEGORY)
@xw.arg("month", doc="月份 1-12（1、2 月合并为 1-2 月）")
@_safe
def TZ_SCHEDULE(month: Any) -> Any:
    """序时进度 = 月份 ÷ 12。"""
    return _month(month).schedule


@xw.func(category=CATEGORY)
@xw.arg("rate", doc="完成率（小数）")
@xw.arg("month", doc="月份 1-12")
@_safe
def TZ_STATUS(rate: Any, month: Any) -> Any:
    """超序时进度 / 符合序时进度 / 滞后序时进度。"""
    return progress.schedule_status(_num(rate, "完成率"), _month(month))


@xw.func(category=CATEGORY)
@xw.arg("month", doc="月份 1-12")
@_safe
def TZ_PERIOD(month: Any) -> Any:
    """统计期标签，如 1-6月（1、2 月为 1-2月）。"""
    return _month(month).label


@xw.func(category=CATEGORY)
@xw.arg("wan", doc="金额（万元）")
@_safe
def TZ_YI(wan: Any) -> Any:
    """万元 → 亿元。"""
    return wan_to_yi(_num(wan, "金额"))


@xw.func(category=CATEGORY)
@xw.arg("yi", doc="金额（亿元）")
@_safe
def TZ_WAN(yi: Any) -> Any:
    """亿元 → 万元。"""
    return yi_to_wan(_num(yi, "金额"))


@xw.func(category=CATEGORY)
@xw.arg("value", doc="本单位的数值（如增速）")
@xw.arg("values", ndim=1, doc="参与排名的全部数值（空格不参与）")
@_safe
def TZ_RANK(value: Any, values: Any) -> Any:
    """并列排名（降序，1,2,2,4），空值不参与。"""
    pool = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    return ranking.rank_with_ties([_num(value, "数值"), *pool])[0]


@xw.func(category=CATEGORY)
@xw.arg("ranks", ndim=1, doc="本单位各月排名（按月份从左到右）")
@xw.arg("all_ranks", ndim=2, doc="全部参与排名单位的各月排名（每行一个单位，列与上一参数对齐）")
@_safe
def TZ_ACTION(ranks: Any, all_ranks: Any) -> Any:
    """末位增速约谈制：连续末位月数对应的处理措施（通报批评 / 区分管领导约谈 / 区主要领导约谈）。"""
    mine = list(ranks)
    if len(mine) > 13 - periods.first_period_month:
        return "月份列过多（最多 11 个统计期）"

    def rank(v: Any) -> int | None:
        return int(v) if isinstance(v, int | float) and not isinstance(v, bool) else None

    history = {f"r{i}": {periods.first_period_month + j: rank(v) for j, v in enumerate(row)}
               for i, row in enumerate(all_ranks)}
    history["me"] = {periods.first_period_month + j: rank(v) for j, v in enumerate(mine)}
    run = ranking.last_runs(history, periods.Period.of(periods.first_period_month + len(mine) - 1))["me"]
    return ranking.escalation(run)


# ---- one ledger row -------------------------------------------------------------------------
@xw.func(category=CATEGORY)
@xw.arg("header", ndim=2, doc="台账表头行（可含两行表头）")
@xw.arg("row", ndim=2, doc="要检查的一行项目数据")
@_safe
def TZ_CHECK(header: Any, row: Any) -> Any:
    """按台账校验规则检查一行项目，返回问题说明；无问题返回“通过”。"""
    sheet = SheetData("台账", [*header, *row])
    ledger = read_ledger(sheet, _settings(), required=())
    if len(ledger) == 0:
        return "该行不是项目行"
    report = validate_ledger(ledger, _settings())
    messages = [f.message for f in report.findings]
    return "；".join(messages) if messages else "通过"


# ---- spilling tables over a ledger range ----------------------------------------------------
def _frame(ledger: Any, fields: frozenset[str], period: periods.Period) -> pd.DataFrame:
    """Only the columns one progress table of ``period`` reads (issues 7 and 15)."""
    return table_frame(_grid(ledger, "台账区域"), _settings(), fields, period)


@xw.func(category=CATEGORY)
@xw.arg("ledger", ndim=2, doc="台账区域（含表头）")
@xw.arg("month", doc="月份 1-12")
@xw.ret(index=False)
@_safe
def TZ_BYUNIT(ledger: Any, month: Any) -> Any:
    """分责任单位的投资进度表（动态数组，自动溢出）。"""
    period = _month(month)
    return _table(progress.by_unit(_frame(ledger, UNIT_FIELDS, period), _settings(), period))


@xw.func(category=CATEGORY)
@xw.arg("ledger", ndim=2, doc="台账区域（含表头）")
@xw.arg("month", doc="月份 1-12")
@xw.ret(index=False)
@_safe
def TZ_BYCATEGORY(ledger: Any, month: Any) -> Any:
    """分行业类别的投资进度表。"""
    period = _month(month)
    return _table(progress.by_category(_frame(ledger, CATEGORY_FIELDS, period), _settings(), period))


@xw.func(category=CATEGORY)
@xw.arg("ledger", ndim=2, doc="台账区域（含表头）")
@xw.arg("month", doc="月份 1-12")
@xw.ret(index=False)
@_safe
def TZ_BYLEVEL(ledger: Any, month: Any) -> Any:
    """分项目级别（省/市/区重点、攻坚星级、982）的投资进度表。"""
    period = _month(month)
    frame = progress.by_level(_frame(ledger, LEVEL_FIELDS, period), period)
    return _table(frame.rename(columns={frame.columns[0]: "level"}))


@xw.func(category=CATEGORY)
@xw.arg("stats", ndim=2, doc="单位统计区域（含表头：月份、统计对象、本年累计、上年同期）")
@xw.arg("month", doc="月份 1-12")
@xw.ret(index=False)
@_safe
def TZ_RANKING(stats: Any, month: Any) -> Any:
    """经济开发区和各街道（乡）增速排名表，含连续末位月数与处理措施。"""
    frame, _findings = read_stats(_grid(stats, "单位统计区域"), _settings())
    return _table(ranking.rank_units(frame, _settings(), _month(month)))
