"""灾后重建 (plan §7, §17): the monthly table by unit, the projects behind schedule, a ranking.

Pure core (pandas; settings, progress, ranking).

Plan §17: "建立健全灾后重建目标责任制考核办法，每月集中调度、对单交账、通报排名". Reconstruction projects
are those marked 灾后重建 = 是. Per unit: count, total, annual plan, year to date, 完成率 = YTD ÷
annual plan, against the 序时进度 with 参数's band; a project is **behind schedule** when its own
完成率 is below 序时进度 by more than the band (对单交账: project by project). Units are ranked by
完成率 as printed (one decimal of a percent; ties share the rank); a unit without an annual plan
has no rate and no rank. A ledger without any 灾后重建 mark gives an empty table (无数据).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xladdin.core.periods import Period
from xladdin.core.settings import Settings
from xladdin.figures.programmes.common import flag, num, published, rows_by_unit, unit_order, units_of
from xladdin.figures.progress import TOTAL, band_of, completion_rate, project_ytd, schedule_status
from xladdin.figures.ranking import rank_with_ties

__all__ = ["RECONSTRUCTION_COLUMNS", "reconstruction"]

RECONSTRUCTION_COLUMNS: tuple[str, ...] = (
    "unit", "rank", "projects", "total_investment", "annual_plan", "ytd_completed", "completion_rate", "schedule",
    "gap", "status", "behind", "behind_names")


def reconstruction(frame: pd.DataFrame, settings: Settings, period: Period, *,
                   ytd: pd.Series | None = None) -> pd.DataFrame:
    """``ytd``: ``project_ytd`` of the whole ``frame`` when the caller has it already."""
    part = frame[flag(frame, "reconstruction")]
    ytd = project_ytd(part, period) if ytd is None else ytd.loc[part.index]
    plan = num(part["annual_plan"])
    band, sched = band_of(settings), period.schedule
    own = (ytd / plan.where(plan > 0)).to_numpy()
    behind = np.nan_to_num(own, nan=np.inf) < sched - band - 1e-12
    units = units_of(part["unit"])
    order = unit_order(settings)
    rows: list[dict[str, Any]] = []
    names = np.array([str(n) for n in part["name"].tolist()], dtype=object)
    sums = {"ytd": ytd.to_numpy(dtype="float64"), "plan": plan.to_numpy(dtype="float64"),
            "total": num(part["total_investment"]).to_numpy(dtype="float64")}
    by_unit = rows_by_unit(units)
    for unit in sorted(by_unit, key=lambda u: order.get(u, 10**6)):
        rows.append(_row(unit, by_unit[unit], sums, behind, names, period, band))
    rates = [published(r["completion_rate"], settings.thresholds.growth_decimals) for r in rows]
    for r, rank in zip(rows, rank_with_ties(rates), strict=True):
        r["rank"] = rank
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, order.get(r["unit"], 10**6)))
    if rows:
        total = _row(TOTAL, np.arange(len(part)), sums, behind, names, period, band)
        rows.append(total | {"rank": ""})
    return pd.DataFrame(rows, columns=list(RECONSTRUCTION_COLUMNS))


def _row(unit: str, at: np.ndarray[Any, np.dtype[np.intp]], sums: dict[str, np.ndarray[Any, np.dtype[np.float64]]],
         behind: np.ndarray[Any, np.dtype[np.bool_]], names: np.ndarray[Any, np.dtype[Any]], period: Period,
         band: float) -> dict[str, Any]:
    """One unit's row from its row positions ``at`` (sums skip blanks, as pandas sums)."""
    done, p = float(np.nansum(sums["ytd"][at])), float(np.nansum(sums["plan"][at]))
    rate = completion_rate(done, p)
    late = [str(n) for n in names[at][behind[at]]]
    return {"unit": unit, "rank": None, "projects": len(at),
            "total_investment": float(np.nansum(sums["total"][at])), "annual_plan": p,
            "ytd_completed": done, "completion_rate": rate, "schedule": period.schedule,
            "gap": None if rate is None else rate - period.schedule, "status": schedule_status(rate, period, band),
            "behind": len(late), "behind_names": "、".join(late)}
