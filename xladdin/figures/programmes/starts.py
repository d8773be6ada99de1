"""新开工 and 开工率 (plan §1 "持续抓好集中开工重大项目"), by unit, with the 新建/续建/竣工 split.

Pure core (pandas; settings, values, periods, progress).

A **planned new start** is a project whose 建设性质 is 新建 and whose 计划开工时间 falls in 参数's
年度 (a date, "2022年5月", "2022-05" or a bare month "5"; a year alone counts as due by December).
It has **started** when its status is 在建 or 竣工 or it has investment this year (a planned
"新开工" status is not a start: see ``core.vocabulary``).

- 计划新开工 = planned new starts this year; 应开工 = those planned by the end of the period;
- 已开工 = planned new starts that have started; 开工率 = 已开工 ÷ 计划新开工;
- 序时开工率 = started among 应开工 ÷ 应开工; 未按期开工 lists those due and not started;
- the split counts every project by 建设性质 (新建, 续建, 未填) and status 竣工.
A ledger without 建设性质 gives 无数据 for everything but 竣工; without 计划开工时间 the planned
figures are 无数据.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from xladdin.core.periods import Period
from xladdin.core.settings import Settings
from xladdin.core.values import norm
from xladdin.figures.programmes.common import has_data, rate, rows_by_unit, unit_order, units_of
from xladdin.figures.progress import TOTAL, project_ytd

__all__ = ["STARTS_COLUMNS", "nature_of", "new_starts", "planned_month"]

STARTS_COLUMNS: tuple[str, ...] = (
    "unit", "new_build", "continued", "no_nature", "completed", "planned", "due", "started_new", "start_rate",
    "due_rate", "late_names")


def nature_of(value: Any) -> str | None:
    """新建 / 续建 (also 新开工 → 新建, 改扩建 → 新建 as common statistics practice); None otherwise."""
    text = norm(value) if isinstance(value, str) else ""
    if "续建" in text:
        return "续建"
    if "新建" in text or "新开工" in text or "扩建" in text:
        return "新建"
    return None


def planned_month(value: Any, year: int) -> int | None:
    """Month (1-12) of a planned start in ``year``; 12 for a bare year; 0 for another year; None if unreadable."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, dt.date):
        return value.month if value.year == year else 0
    text = norm(str(value))
    m = re.match(r"^(\d{4})(?:[年\-/.](\d{1,2}))?", text)
    if m:
        if int(m.group(1)) != year:
            return 0
        return int(m.group(2)) if m.group(2) and 1 <= int(m.group(2)) <= 12 else 12
    m = re.match(r"^(\d{1,2})月?$", text)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    return None


def new_starts(frame: pd.DataFrame, settings: Settings, period: Period, *,
               ytd: pd.Series | None = None) -> pd.DataFrame:
    """One row per unit with projects (settings order), then 合计. ``ytd``: ``project_ytd`` of
    ``frame`` when the caller has it already."""
    pm = period.month
    natures = _each(frame, "nature", nature_of)
    has_nature, has_plan = has_data(frame, "nature"), has_data(frame, "planned_start")
    months = _each(frame, "planned_start", lambda v: planned_month(v, settings.year))
    started = frame["status"].isin(("在建", "竣工")) | ((project_ytd(frame, period) if ytd is None else ytd).fillna(0) > 0)
    planned = (natures == "新建") & months.fillna(0).astype(int).between(1, 12)
    due = planned & (months.fillna(13).astype(int) <= pm)
    units = units_of(frame["unit"])
    columns = {"new_build": (natures == "新建").to_numpy(bool), "continued": (natures == "续建").to_numpy(bool),
               "no_nature": natures.isna().to_numpy(bool), "completed": (frame["status"] == "竣工").to_numpy(bool),
               "planned": planned.to_numpy(bool), "due": due.to_numpy(bool)}
    done = started.to_numpy(bool)
    columns["started_new"] = columns["planned"] & done
    columns["started_due"] = columns["due"] & done
    late = columns["due"] & ~done  # due and not started
    every_name = frame["name"].tolist()
    order = unit_order(settings)
    by_unit = rows_by_unit(units)  # each unit's rows in one pass, not a pandas mask per unit
    rows = [_row(unit, {k: int(m[at].sum()) for k, m in columns.items()},
                 [str(every_name[i]) for i in at[late[at]].tolist()], has_nature, has_plan)
            for unit, at in sorted(by_unit.items(), key=lambda u: order.get(u[0], 10**6))]
    rows.append(_row(TOTAL, {k: int(m.sum()) for k, m in columns.items()},
                     [str(every_name[i]) for i in np.flatnonzero(late).tolist()], has_nature, has_plan))
    return pd.DataFrame(rows, columns=list(STARTS_COLUMNS))


def _each(frame: pd.DataFrame, key: str, read: Callable[[Any], Any]) -> pd.Series:
    """``read`` of each value of the column (None without the column), once per distinct value:
    a ledger repeats its 建设性质 and 计划开工时间 texts over thousands of projects."""
    if key not in frame.columns:
        return pd.Series(None, index=frame.index)
    values = frame[key].tolist()
    seen: dict[tuple[type, Any], Any] = {}  # keyed with the type: 5 and 5.0 hash alike but read apart
    try:
        out = [seen[k] if (k := (type(v), v)) in seen else seen.setdefault(k, read(v)) for v in values]
    except TypeError:  # an unhashable value: read each
        out = [read(v) for v in values]
    return pd.Series(out, index=frame.index, dtype=object)


def _row(unit: str, n: dict[str, int], late: list[str], has_nature: bool, has_plan: bool) -> dict[str, Any]:
    known = has_nature and has_plan
    return {
        "unit": unit,
        "new_build": n["new_build"] if has_nature else None,
        "continued": n["continued"] if has_nature else None,
        "no_nature": n["no_nature"] if has_nature else None,
        "completed": n["completed"],
        "planned": n["planned"] if known else None, "due": n["due"] if known else None,
        "started_new": n["started_new"] if known else None,
        "start_rate": rate(n["started_new"], n["planned"]) if known else None,
        "due_rate": rate(n["started_due"], n["due"]) if known else None,
        "late_names": "、".join(late) if known else "",
    }
