"""``summary``: the month's figures as a JSON-ready dict, computed from the master without writing.

Engine-agnostic. Amounts are 万元 and rates fractions (None where unknown), as in issue #4.
Earlier months' ranks come from 排名历史 where recorded, else from 单位统计.

A period nobody has reported (``--month 7`` on a ledger filled to June) is not refused: the
dict says ``"reported": false``, its progress figures are null with status 无数据, and
``findings`` says so (period-not-reported); units without a growth figure are unranked and
named (stats-missing / stats-period-missing). Staff asking for 1-7月 before July's figures
exist see plainly that there are none, and what else the workbook holds (targets, programmes).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from xladdin.core.findings import Finding
from xladdin.core.ledger import READ_COLUMNS, Ledger
from xladdin.core.period_check import for_period
from xladdin.core.periods import Period
from xladdin.core.settings import Settings
from xladdin.engines.base import Engine
from xladdin.figures.gaps import ledger_gaps, month_findings
from xladdin.jobs.consolidate import _fill_history, compute, load_stats_checked
from xladdin.jobs.outputs import read_history
from xladdin.jobs.session import load_ledger, load_settings

__all__ = ["summary", "to_json_value"]


def to_json_value(value: Any) -> Any:
    """NaN/NA → None, numpy scalars → Python."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):
        return to_json_value(value.item())
    if isinstance(value, float):
        return round(value, 6)
    return value


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return [{c: to_json_value(rec.get(c)) for c in columns} for rec in frame.to_dict("records")]


def _all(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return _records(frame, list(frame.columns))


def _unknown_figures(ledger: Ledger, period: list[Finding]) -> set[str]:
    """The progress-table figures the ledger cannot give: a missing column or period is unknown, never 0."""
    out: set[str] = set()
    if any(f.severity == "error" for f in period):
        out |= {"ytd_completed", "completion_rate", "gap", "status"}
    if "total_investment" not in ledger.columns:
        out.add("total_investment")
    if "annual_plan" not in ledger.columns:
        out |= {"annual_plan", "completion_rate", "gap", "status"}
    return out


def _blank(table: pd.DataFrame, keys: set[str]) -> pd.DataFrame:
    out = table.copy()
    for key in keys & set(out.columns):
        out[key] = None
    return out


def summary(engine: Engine, period: Period, settings: Settings | None = None) -> dict[str, Any]:
    """The period's figures (see the module docstring); never writes."""
    if settings is None:
        settings, _ = load_settings(engine)
    # only the figures read: a ledger without 项目编码 or 项目级别 still has a month to report
    ledger, period_found = for_period(load_ledger(engine, settings, required=READ_COLUMNS), period.month)
    stats, _, stats_problem = load_stats_checked(engine, settings)
    history = read_history(engine)
    _fill_history(history, stats, settings, period)
    t = compute(ledger, stats, settings, period, history)
    found = month_findings(ledger, stats, stats_problem, t["ranking"], t["reported"], period)
    missing, incomplete, unreported = ledger_gaps(ledger, settings.unit_names, period)
    found += unreported
    cols = ["projects", "total_investment", "annual_plan", "ytd_completed", "completion_rate", "schedule", "gap",
            "status", "growth"]
    unknown = _unknown_figures(ledger, period_found)
    for key in ("levels", "units", "categories"):
        t[key] = _blank(t[key], unknown)
    return {
        "month": period.month,
        "period": period.label,
        "reported": bool(t["reported"]),
        "missing_units": missing,
        "incomplete_units": incomplete,
        # what the reader could not read, what contradicts the period, what the month lacks: the
        # figures above leave it out
        "findings": [f.model_dump(include={"code", "severity", "sheet", "cell", "field", "value", "message"})
                     for f in [*ledger.findings, *period_found, *found]],
        "by_level": _records(t["levels"], ["level", *cols]),
        "by_unit": _records(t["units"], ["unit", *cols]),
        "by_category": _records(t["categories"], ["category", *cols]),
        "targets": _records(t["targets"], ["scope", "category", "ytd", "ytd_last_year", "growth", "target", "status", "gap"]),
        "ranking": _records(t["ranking"], ["unit", "rank", "growth", "ytd", "ytd_last_year", "run", "action"]),
        "unit_targets": _all(t["unit_targets"]),
        "programmes": {
            "sgyp": _all(t["sgyp"]),
            "key_links": _all(t["key_links"]),
            "bonds": _all(t["bonds"]),
            "bond_progress": _all(t["bond_progress"]),
            "government_progress": None if t["government_progress"] is None else _all(t["government_progress"]),
            "reserve": {k: to_json_value(v) for k, v in t["reserve"].items()},
            "attraction_125": _all(t["attraction"]),
            "not_entered": _all(t["not_entered"]),
            "entry_report": _all(t["entry_report"]),
            "reconstruction": _all(t["reconstruction"]),
            "new_starts": _all(t["new_starts"]),
        },
    }
