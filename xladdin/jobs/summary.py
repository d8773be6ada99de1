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

from dataclasses import dataclass
from typing import Any

import pandas as pd

from xladdin.core.findings import Finding
from xladdin.core.ledger import READ_COLUMNS, Ledger
from xladdin.core.period_check import for_period
from xladdin.core.periods import Period
from xladdin.core.settings import Settings
from xladdin.engines.base import Engine
from xladdin.figures.month import compute_month
from xladdin.figures.presentation import json_records, json_value
from xladdin.figures.results import MonthResult
from xladdin.jobs.consolidate import load_stats_checked
from xladdin.jobs.outputs import read_history
from xladdin.jobs.session import load_ledger, load_settings

__all__ = ["MonthSummary", "month_summary", "summary", "summary_json"]

PROGRESS_JSON = ["projects", "total_investment", "annual_plan", "ytd_completed", "completion_rate", "schedule", "gap",
                 "status", "growth"]


@dataclass(frozen=True)
class MonthSummary:
    """The period's figures as ``summary`` reports them: the month's result with the figures the
    ledger cannot give blanked, and every finding of reading it (ledger, period check, month)."""

    month: MonthResult
    findings: tuple[Finding, ...]


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return json_records(frame.to_dict("records"), columns)


def _all(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return _records(frame, [str(c) for c in frame.columns])


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


def month_summary(engine: Engine, period: Period, settings: Settings | None = None) -> MonthSummary:
    """The period's figures (see the module docstring), computed once; never writes."""
    if settings is None:
        settings, _ = load_settings(engine)
    # only the figures read: a ledger without 项目编码 or 项目级别 still has a month to report
    ledger, period_found = for_period(load_ledger(engine, settings, required=READ_COLUMNS), period.month)
    stats, _, stats_problem = load_stats_checked(engine, settings)
    month = compute_month(ledger, stats, settings, period, history=read_history(engine), stats_problem=stats_problem)
    return MonthSummary(month=month.blanked(_unknown_figures(ledger, period_found)),
                        findings=(*ledger.findings, *period_found, *month.findings))


def summary_json(s: MonthSummary) -> dict[str, Any]:
    """The JSON of ``summary --json`` (amounts 万元, rates fractions, unknown null)."""
    m, p = s.month, s.month.programmes
    return {
        "month": m.period.month,
        "period": m.period.label,
        "reported": bool(m.reported),
        "missing_units": list(m.missing_units),
        "incomplete_units": list(m.incomplete_units),
        # what the reader could not read, what contradicts the period, what the month lacks: the
        # figures above leave it out
        "findings": [f.model_dump(include={"code", "severity", "sheet", "cell", "field", "value", "message"})
                     for f in s.findings],
        "by_level": _records(m.progress.levels, ["level", *PROGRESS_JSON]),
        "by_unit": _records(m.progress.units, ["unit", *PROGRESS_JSON]),
        "by_category": _records(m.progress.categories, ["category", *PROGRESS_JSON]),
        "targets": _records(m.targets, ["scope", "category", "ytd", "ytd_last_year", "growth", "target", "status", "gap"]),
        "ranking": _records(m.ranking, ["unit", "rank", "growth", "ytd", "ytd_last_year", "run", "action"]),
        "unit_targets": _all(m.unit_targets),
        "programmes": {
            "sgyp": _all(p.sgyp),
            "key_links": _all(p.key_links),
            "bonds": _all(p.bonds),
            "bond_progress": _all(p.bond_progress),
            "government_progress": None if p.government_progress is None else _all(p.government_progress),
            "reserve": {k: json_value(v) for k, v in p.reserve.items()},
            "attraction_125": _all(p.attraction),
            "not_entered": _all(p.not_entered),
            "entry_report": _all(p.entry_report),
            "reconstruction": _all(p.reconstruction),
            "new_starts": _all(p.new_starts),
        },
    }


def summary(engine: Engine, period: Period, settings: Settings | None = None) -> dict[str, Any]:
    """The period's figures as JSON-ready data (``summary_json`` of ``month_summary``); never writes."""
    return summary_json(month_summary(engine, period, settings))
