"""招商引资 "125" (plan §11): projects brought in this year, by tier.

Pure core (pandas; settings).

Plan: "实施好高质量项目招商“125”计划，全年引进1个百亿级头部企业项目、2个10亿元以上项目、3个5亿元以上主导
产业链项目". A project counts when it is a 招商引资 project (招商引资 = 是) brought in this year
(招商引资年度 = 参数's 年度), by its total investment:

- 百亿级头部企业项目: total ≥ 100亿元 (target 1);
- 10亿元以上项目: 10亿 ≤ total < 100亿 (target 2);
- 5亿元以上主导产业链项目: 5亿 ≤ total < 10亿 and 主导产业链 = 是 (target 3).

Assumptions: each project counts once, in its highest tier (a 100亿 project is not also one of the
two 10亿 projects); a 5-10亿 project off the leading industry chains counts in no tier. A ledger
without 招商引资年度 gives 无数据 for every tier (an old 招商引资 flag does not say when); without
主导产业链 the third tier is 无数据. 无数据 is never 完成.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from xladdin.core.settings import Settings
from xladdin.figures.programmes.common import YI, flag, has_data, num

__all__ = ["ATTRACTION_TIERS", "attraction_125"]

# (label, lower bound 万元, upper bound 万元 or None, target count, needs the industry-chain mark)
ATTRACTION_TIERS: tuple[tuple[str, float, float | None, int, bool], ...] = (
    ("百亿级头部企业项目", 100 * YI, None, 1, False),
    ("10亿元以上项目", 10 * YI, 100 * YI, 2, False),
    ("5亿元以上主导产业链项目", 5 * YI, 10 * YI, 3, True),
)


def attraction_125(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """One row per tier: target_count, count (None = 无数据), met (None = 无数据), names."""
    year_known = has_data(frame, "attracted_year")
    chain_known = has_data(frame, "industry_chain")
    years = pd.to_numeric(frame["attracted_year"], errors="coerce") if "attracted_year" in frame.columns else None
    this_year = flag(frame, "attracted") & (years == settings.year).fillna(False).astype(bool) if years is not None \
        else pd.Series(False, index=frame.index)
    ti = num(frame["total_investment"])
    chain = flag(frame, "industry_chain") if "industry_chain" in frame.columns else pd.Series(False, index=frame.index)
    rows: list[dict[str, Any]] = []
    for label, low, high, target, needs_chain in ATTRACTION_TIERS:
        known = year_known and (chain_known or not needs_chain)
        mask = this_year & (ti >= low) & ((ti < high) if high is not None else True)
        if needs_chain:
            mask = mask & chain
        names = [str(n) for n in frame.loc[mask, "name"]] if known else []
        rows.append({"tier": label, "target_count": target, "count": len(names) if known else None,
                     "met": (len(names) >= target) if known else None, "names": "、".join(names)})
    return pd.DataFrame(rows, columns=["tier", "target_count", "count", "met", "names"])
