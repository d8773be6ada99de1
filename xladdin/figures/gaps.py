"""What a month lacks, said plainly: periods nobody has reported and units without statistics.

Pure (pandas; core findings, periods, ledger). Issue 12: an ordinary month never stops the cycle
and never shows a silent wrong figure. The jobs (consolidate, summary) call these after
computing the month: ``no_figures`` blanks the progress tables of a period nobody has reported
(``progress.period_reported``) and ``month_findings`` names what is missing.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from xladdin.core.fields import month_field
from xladdin.core.findings import Finding, finding
from xladdin.core.ledger import Ledger
from xladdin.core.periods import Period
from xladdin.core.regions import SHEETS
from xladdin.core.values import as_number
from xladdin.figures import progress

__all__ = ["NO_DATA", "month_findings", "no_figures"]

NO_DATA = "无数据"


def no_figures(table: pd.DataFrame) -> pd.DataFrame:
    """A progress table of a period nobody has reported: 累计完成, 完成率 and the gap unknown,
    进度情况 无数据 (project counts, totals, plans and 序时进度 stay)."""
    out = table.copy()
    for col in ("ytd_completed", "completion_rate", "gap"):
        out[col] = float("nan")
    out["status"] = NO_DATA
    return out


def month_findings(ledger: Ledger, stats: pd.DataFrame | None, stats_problem: str | None, ranks: pd.DataFrame,
                   reported: bool, period: Period) -> list[Finding]:
    """What the month lacks, said plainly: the period nobody has reported (period-not-reported),
    统计 figures missing for every ranked unit (stats-period-missing, with ``stats_problem``
    when the sheet is absent or unreadable) or for some (stats-missing, one per unit)."""
    out: list[Finding] = []
    if not reported and len(ledger):
        prev = period.previous()
        reason = f"，不以{prev.label}的累计数对照{period.label}序时进度" if prev is not None else ""
        column = ledger.columns.get(month_field(period.month), 0)
        out.append(finding("period-not-reported", sheet=ledger.sheet, row=0, column=column, value=period.month,
                           label=period.label, reason=reason))
    unranked = [str(r["unit"]) for r in ranks.to_dict("records") if pd.isna(r["rank"])]
    sheet = SHEETS["stats"]
    if unranked and len(unranked) == len(ranks):
        reason = stats_problem or f"“单位统计”表中没有{period.label}的各单位统计数据，"
        out.append(finding("stats-period-missing", sheet=sheet, row=0, column=0, value=len(unranked),
                           label=period.label, reason=reason))
        return out
    rows: dict[str, Any] = {}
    if stats is not None and not stats.empty:
        for rec in progress.stats_rows(stats, period).to_dict("records"):
            rows.setdefault(rec.get("unit") or str(rec.get("subject") or "").strip(), rec.get("_row"))
    for unit in unranked:
        row = as_number(rows.get(unit))
        # the unit's row when it has one (cell in column A: the row is what staff look for)
        out.append(finding("stats-missing", sheet=sheet, row=0 if row is None else int(row),
                           column=0 if row is None else 1, value=unit, label=period.label))
    return out


def ledger_gaps(ledger: Ledger, unit_names: list[str], period: Period) -> tuple[list[str], list[str], list[Finding]]:
    """Without forms (刷新排名与通报, summary): units none of whose projects has a figure for the
    period (counted in 未报送, ``period-unit-missing``) and units some of whose projects have none
    (incomplete), each such project named (``form-project-missing``). Returns (missing,
    incomplete, findings). Nothing when nobody has reported the period (``period-not-reported``
    says that once). A figure is a number in the period's own month column (1-2月: January's or
    February's) or in its 1-M月累计 column."""
    frame = ledger.frame
    if not len(frame) or "unit" not in frame.columns or not progress.period_reported(frame, period, ledger.columns):
        return [], [], []
    keys = [month_field(m) for m in (period.months if period.is_first else (period.month,))]
    keys = [k for k in keys if k in ledger.columns and k in frame.columns] + \
        [k for k in [f"cum{period.month:02d}"] if k in frame.columns]
    if not keys:
        return [], [], []
    have = pd.concat([pd.to_numeric(frame[k], errors="coerce").notna() for k in keys], axis=1).any(axis=1)
    key = month_field(period.month)
    column = ledger.columns.get(key, 0)
    month_text = period.label if period.is_first else f"{period.month}月"
    missing: list[str] = []
    incomplete: list[str] = []
    found: list[Finding] = []
    units = frame["unit"].astype("object")
    owned = units.value_counts().to_dict()  # counted once: a province ledger has 150 units
    lacking_rows = frame[~have.to_numpy()]
    by_unit = {u: part for u, part in lacking_rows.groupby(lacking_rows["unit"].astype("object"), sort=False)}
    for unit in unit_names:
        lacking = by_unit.get(unit)
        if lacking is None or lacking.empty:
            continue
        if len(lacking) == int(owned.get(unit, 0)):
            missing.append(unit)
            found.append(finding("period-unit-missing", sheet=ledger.sheet, row=0, column=0, value=unit,
                                 limit=len(lacking), label=month_text))
        else:
            incomplete.append(unit)
        for rec in lacking.to_dict("records"):
            code = rec.get("code")
            found.append(finding("form-project-missing", sheet=ledger.sheet, row=int(str(rec.get("_row"))),
                                 column=column, field=key, value="" if _blank(code) else code,
                                 label="" if _blank(rec.get("name")) else str(rec.get("name")), other=unit,
                                 reason="项目台账中没有该项目的本期数据", limit=month_text))
    return missing, incomplete, found


def _blank(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)
