"""Monthly growth ranking of the development zone and sub-districts, and the bottom-growth rule.

Pure core (standard library, pandas; settings, periods, progress).

Growth is ranked as published: rounded to 参数's 增速排名保留小数位 (one decimal of a percent by
default), so two units printed "8.5%" share a rank (plan 三、(三) ranks what it publishes).

末位增速约谈制 (plan 三、(三)): last in the month → 通报批评; last two months running →
区分管领导约谈; three or more → 区主要领导约谈. Every unit tied for last counts as last;
a month in which a unit is ranked but not last resets its run; a month in which it has
no rank is skipped (see below). When all ranked units
tie, nobody is "last" (there is no bottom to single out). Months are period months: the
1-2月 period is month 2, so the run before 3 (1-3月) looks at 2 and stops there.

A month without a figure (assumption, the plan is silent): a unit with no growth figure for a
month (its 单位统计 row missing or empty, or nobody's figures published yet) is not ranked
that month (shown as 无数据). Such a month neither extends nor resets the unit's run of last
places: the run skips it and goes on counting the months before. A unit without a figure in
the current month gets no action this month (run 0: nobody is interviewed on a missing
figure); when its figure comes, months last on either side of the gap count as consecutive.
Units get a ``stats-missing`` finding for the month (see ``jobs.consolidate``).

Display order: rank ascending; ties by larger year-to-date amount first, then by the order
of units in 参数; unranked units (no growth figure) at the end with no rank.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from xladdin.core.periods import Period, first_period_month
from xladdin.core.settings import Settings
from xladdin.core.values import as_number
from xladdin.figures.progress import canon_subjects, stats_rows
from xladdin.figures.progress import growth as growth_of

__all__ = ["RANK_COLUMNS", "escalation", "last_in_month", "last_runs", "published_growth", "rank_units",
           "rank_with_ties"]

RANK_COLUMNS: tuple[str, ...] = ("unit", "rank", "growth", "ytd", "ytd_last_year", "run", "action")
ACTIONS: tuple[str, ...] = ("", "通报批评", "区分管领导约谈", "区主要领导约谈")


def rank_with_ties(values: Sequence[float | None]) -> list[int | None]:
    """Descending competition ranking (1, 2, 2, 4); None/NaN values get no rank."""
    clean = [as_number(v) for v in values]
    known = [v for v in clean if v is not None]
    return [None if v is None else 1 + sum(o > v for o in known) for v in clean]


def published_growth(value: float | None, decimals: int = 1) -> float | None:
    """A growth fraction as the percentage the bulletin prints: 0.08549 → 8.5 (one decimal). Formatted
    like the bulletin's ``pct`` (same float formatting), so ranking and print never round apart."""
    if value is None or value != value:
        return None
    return float(f"{float(value) * 100:.{decimals}f}")


def escalation(run: int) -> str:
    """0 → "", 1 → 通报批评, 2 → 区分管领导约谈, ≥3 → 区主要领导约谈."""
    return ACTIONS[max(0, min(run, 3))]


def last_in_month(ranks: Mapping[str, int | None]) -> set[str]:
    """Units ranked last in one month (all tied for last), empty when nobody is distinguished."""
    known = {u: r for u, r in ranks.items() if r is not None}
    if len(known) < 2:
        return set()
    worst = max(known.values())
    if worst == min(known.values()):
        return set()
    return {u for u, r in known.items() if r == worst}


def last_runs(history: Mapping[str, Mapping[int, int | None]], period: Period) -> dict[str, int]:
    """Per unit: consecutive period months ending at ``period`` in which it was last.

    Months in which the unit has no rank (no figure) are skipped: they neither extend nor
    reset the run. A unit with no rank in ``period`` itself has run 0 (no action on a
    missing figure)."""
    end = period.month
    lasts: dict[int, set[str]] = {}
    for m in range(first_period_month, end + 1):
        lasts[m] = last_in_month({u: h.get(m) for u, h in history.items()})
    out: dict[str, int] = {}
    for unit, ranks in history.items():
        run = 0
        if ranks.get(end) is not None:
            for m in range(end, first_period_month - 1, -1):
                if ranks.get(m) is None:
                    continue  # no figure that month: skipped
                if unit not in lasts[m]:
                    break
                run += 1
        out[unit] = run
    return out


def rank_units(
    stats_frame: pd.DataFrame | None,
    settings: Settings,
    period: Period,
    history: Mapping[str, Mapping[int, int | None]] | None = None,
) -> pd.DataFrame:
    """Ranked units (``settings.ranked_units``) by ytd growth from 单位统计, with run and action.

    ``history`` holds earlier months' ranks (排名历史); this month's ranks replace any stored
    for ``period``, so re-running a month gives the same result. Units without a growth
    figure have rank None (shown as 无数据) and no action.
    """
    pm = period.month
    units = settings.ranked_units
    rows = stats_rows(canon_subjects(stats_frame, settings), period)
    figures: dict[str, tuple[float | None, float | None]] = {}
    for _, r in rows.iterrows():
        subject = str(r["subject"])
        if subject in units and subject not in figures:
            figures[subject] = (as_number(r.get("ytd")), as_number(r.get("ytd_last_year")))
    grows = [growth_of(*figures.get(u, (None, None))) for u in units]
    # 三、(三): ranked on the growth as published (rounded to 参数's decimals of a percent), so units
    # printed with the same figure share the rank
    ranks = rank_with_ties([published_growth(g, settings.thresholds.growth_decimals) for g in grows])
    merged: dict[str, dict[int, int | None]] = {u: dict((history or {}).get(u, {})) for u in units}
    for u, rank in zip(units, ranks, strict=True):
        merged[u][pm] = rank
    runs = last_runs(merged, period)
    table: list[dict[str, Any]] = []
    for i, (u, rank, grow) in enumerate(zip(units, ranks, grows, strict=True)):
        ytd, last = figures.get(u, (None, None))
        run = runs.get(u, 0)
        table.append({"unit": u, "rank": rank, "growth": grow, "ytd": ytd, "ytd_last_year": last,
                      "run": run, "action": escalation(run), "_order": i})
    table.sort(key=lambda d: (d["rank"] is None, d["rank"] or 0, -(d["ytd"] or 0.0), d["_order"]))
    frame = pd.DataFrame(table, columns=[*RANK_COLUMNS, "_order"]).drop(columns="_order")
    frame["rank"] = frame["rank"].astype("Int64")
    return frame
