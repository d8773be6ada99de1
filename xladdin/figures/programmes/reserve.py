"""Project reserve (plan §9) against the statistics base.

Pure core (pandas; settings).

Plan: "全区项目的储备个数和总投资要达到最近年度在建项目纳入统计库个数和总投资的3倍以上". The base is
the statistics database's in-construction projects of the latest year (count and total investment),
district-wide: a figure the statistics bureau (区统计局) gives, entered in 参数 as 统计库在建项目个数 and
统计库在建项目总投资（万元）. It is not this year's key-project ledger. Without the base the answer
is 无数据 (``met`` None), never 是.

The reserve is the ledger's projects in preparation, status 谋划 or 前期 (assumption: a project in
the reserve has not started; started projects are the base's kind, not reserve).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from xladdin.core.settings import Settings
from xladdin.figures.programmes.common import num

__all__ = ["reserve"]


def reserve(frame: pd.DataFrame, settings: Settings) -> dict[str, Any]:
    """Reserve count and investment, the base from 参数, the ratios and ``met`` (None = 无数据)."""
    res = frame[frame["status"].isin(("谋划", "前期"))]
    t = settings.thresholds
    base_n, base_i = t.reserve_base_projects, t.reserve_base_investment
    k = t.reserve_multiple
    out: dict[str, Any] = {
        "reserve_projects": len(res), "reserve_investment": float(num(res["total_investment"]).sum()),
        "base_projects": None if base_n is None else int(base_n), "base_investment": base_i, "multiple": k,
    }
    out["count_ratio"] = out["reserve_projects"] / base_n if base_n else None
    out["investment_ratio"] = out["reserve_investment"] / base_i if base_i else None
    if base_n is None or base_i is None:
        out["met"] = None
    else:
        out["met"] = bool(out["reserve_projects"] >= k * base_n and out["reserve_investment"] >= k * base_i)
    return out
