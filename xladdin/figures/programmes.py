"""Programme figures: 三个一批 rates, special bonds, project reserve, "125" attraction, 应统尽统.

Pure core (standard library, pandas; settings, progress, ranking). Every figure is derived
from ledger fields only; the definitions are the docstrings below and docs/consolidation.md.
Amounts 万元, rates fractions.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xladdin.core.fields import SGYP_STAGES, month_field
from xladdin.core.periods import period_month
from xladdin.core.settings import Settings
from xladdin.core.values import norm
from xladdin.figures.progress import TOTAL, project_ytd
from xladdin.figures.ranking import rank_with_ties

__all__ = [
    "ATTRACTION_TIERS",
    "attraction_125",
    "bonds",
    "not_entered",
    "reserve",
    "sgyp",
    "stage_index",
]

YI = 10_000.0  # 万元 per 亿元
# "125" plan: (label, lower bound 万元, upper bound 万元 or None, target count)
ATTRACTION_TIERS: tuple[tuple[str, float, float | None, int], ...] = (
    ("百亿级头部企业项目", 100 * YI, None, 1),
    ("10亿元以上项目", 10 * YI, 100 * YI, 2),
    ("5亿元以上主导产业链项目", 5 * YI, 10 * YI, 3),
)
STARTED = ("在建", "竣工")


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series, errors="coerce").astype("float64")


def _flag(frame: pd.DataFrame, key: str) -> pd.Series:
    return frame[key].astype("boolean").fillna(False).astype(bool)


def stage_index(stage: Any) -> int:
    """0 签约, 1 开工, 2 投产, 3 达效; -1 when blank or unknown ("已投产" and "开工建设" match)."""
    text = norm(stage) if isinstance(stage, str) else ""
    for i, name in reversed(list(enumerate(SGYP_STAGES))):
        if name in text:
            return i
    return -1


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def sgyp(frame: pd.DataFrame, month: int) -> pd.DataFrame:
    """三个一批 by round (期次) and 合计. A project is in the programme when 期次 is filled.

    - 履约率 = fulfilled ÷ signed (all programme projects): fulfilled = stage 开工 or later, or
      investment already made (截至上年底累计完成 + 本年累计 > 0) while still at 签约;
    - 开工率 = stage 开工 or later ÷ signed;
    - 投产率 = stage 投产 or later ÷ started (stage 开工 or later);
    - 达效率 = stage 达效 ÷ producing (stage 投产 or later).
    """
    part = frame[frame["sgyp_round"].notna()]
    stages = part["sgyp_stage"].map(stage_index)
    invested = (_num(part["completed_before"]).fillna(0) + project_ytd(part, month).fillna(0)) > 0
    rows: list[dict[str, Any]] = []
    rounds = sorted({int(r) for r in part["sgyp_round"]})
    for label, mask in [*((f"第{r}期", part["sgyp_round"] == r) for r in rounds), (TOTAL, part["sgyp_round"].notna())]:
        st = stages[mask.astype(bool)]
        inv = invested[mask.astype(bool)]
        signed, started = len(st), int((st >= 1).sum())
        producing, reached = int((st >= 2).sum()), int((st >= 3).sum())
        fulfilled = int(((st >= 1) | inv).sum())
        rows.append({
            "round": label, "projects": signed, "fulfilled": fulfilled, "started": started,
            "producing": producing, "reached": reached,
            "fulfilment_rate": _rate(fulfilled, signed), "start_rate": _rate(started, signed),
            "production_rate": _rate(producing, started), "output_rate": _rate(reached, producing),
            "annual_plan": float(_num(part.loc[mask.astype(bool), "annual_plan"]).sum()),
            "ytd_completed": float(project_ytd(part[mask.astype(bool)], month).sum()),
        })
    return pd.DataFrame(rows)


def bonds(frame: pd.DataFrame, settings: Settings, month: int) -> pd.DataFrame:
    """Special bonds by unit (projects with 专项债额度 > 0), scored on the plan's four dimensions.

    Each dimension scores 0-100:
    - issuance 发行规模 = unit's bond amount ÷ the largest unit's amount;
    - quality 报送质量 = share of the unit's bond projects whose row carries 项目编码, 年度计划投资,
      形象进度 and a figure for the period's month (the submission is complete);
    - disbursement 支出进度 = 专项债已支出 ÷ 专项债额度 (capped at 100%);
    - compliance 规范性 = share of bond projects with spending within the amount and no spending
      before the project has started (状态 谋划/前期).
    score = weighted mean with ``settings.bond_weights``; rank by score (ties share a rank).
    ``quota_share`` = unit's amount ÷ the district quota (``thresholds.bond_quota``).
    """
    part = frame[_num(frame["bond_amount"]).fillna(0) > 0]
    w = settings.bond_weights
    month_col = month_field(period_month(month))
    rows: list[dict[str, Any]] = []
    # per project once, then per unit on index arrays: pandas calls per unit cost 0.5 s at 150 units
    amounts = _num(part["bond_amount"]).to_numpy()
    disbursed = _num(part["bond_disbursed"]).fillna(0).to_numpy()
    complete = (part["code"].notna() & _num(part["annual_plan"]).notna() & part["progress_text"].notna()
                & _num(part[month_col]).notna()).to_numpy()
    early = (part["status"].isin(("谋划", "前期")) & (disbursed > 0)).to_numpy()
    proper = (disbursed <= amounts + 1e-9) & ~early
    groups = part.groupby(part["unit"].astype("object").fillna("未识别单位"), sort=False).indices
    units = [u for u in [*settings.unit_names, "未识别单位"] if u in groups]
    for unit in units:
        at = groups[unit]
        amount = float(np.nansum(amounts[at]))
        spent = float(disbursed[at].sum())
        rows.append({
            "unit": unit, "projects": len(at), "bond_amount": amount, "bond_disbursed": spent,
            "disbursement_rate": spent / amount if amount else None,
            "quota_share": amount / settings.thresholds.bond_quota if settings.thresholds.bond_quota else None,
            "quality": 100.0 * float(complete[at].mean()), "disbursement": 100.0 * min(1.0, spent / amount) if amount else 0.0,
            "compliance": 100.0 * float(proper[at].mean()),
        })
    top = max((r["bond_amount"] for r in rows), default=0.0)
    total_w = w.issuance + w.quality + w.disbursement + w.compliance
    for r in rows:
        r["issuance"] = 100.0 * r["bond_amount"] / top if top else 0.0
        r["score"] = ((w.issuance * r["issuance"] + w.quality * r["quality"] + w.disbursement * r["disbursement"]
                       + w.compliance * r["compliance"]) / total_w) if total_w else None
    for r, rank in zip(rows, rank_with_ties([r["score"] for r in rows]), strict=True):
        r["rank"] = rank
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, -r["bond_amount"]))
    cols = ["unit", "rank", "projects", "bond_amount", "bond_disbursed", "disbursement_rate", "quota_share",
            "issuance", "quality", "disbursement", "compliance", "score"]
    return pd.DataFrame(rows, columns=cols)


def reserve(frame: pd.DataFrame, settings: Settings) -> dict[str, Any]:
    """Reserve (status 谋划 or 前期) against ``reserve_multiple`` × in-construction projects in the
    statistics database (status 在建 and 是否入库 = 是). ``met`` when count and investment both reach it."""
    res = frame[frame["status"].isin(("谋划", "前期"))]
    base = frame[(frame["status"] == "在建") & _flag(frame, "in_stats")]
    k = settings.thresholds.reserve_multiple
    out: dict[str, Any] = {
        "reserve_projects": len(res), "reserve_investment": float(_num(res["total_investment"]).sum()),
        "base_projects": len(base), "base_investment": float(_num(base["total_investment"]).sum()),
        "multiple": k,
    }
    out["count_ratio"] = out["reserve_projects"] / out["base_projects"] if out["base_projects"] else None
    out["investment_ratio"] = out["reserve_investment"] / out["base_investment"] if out["base_investment"] else None
    out["met"] = bool(out["reserve_projects"] >= k * out["base_projects"]
                      and out["reserve_investment"] >= k * out["base_investment"])
    return out


def attraction_125(frame: pd.DataFrame) -> pd.DataFrame:
    """"125": attracted projects (招商引资 = 是) by total investment tier (each counted in its
    highest tier); the 5亿 tier cannot tell the industry chain and counts every such project."""
    part = frame[_flag(frame, "attracted")]
    ti = _num(part["total_investment"])
    rows: list[dict[str, Any]] = []
    for label, low, high, target in ATTRACTION_TIERS:
        mask = (ti >= low) & ((ti < high) if high is not None else True)
        names = [str(n) for n in part.loc[mask, "name"]]
        rows.append({"tier": label, "target": target, "count": len(names), "met": len(names) >= target,
                     "projects": "、".join(names)})
    return pd.DataFrame(rows)


def not_entered(frame: pd.DataFrame, settings: Settings, month: int) -> pd.DataFrame:
    """应统尽统: started projects (status 在建/竣工 or investment this year) with total investment
    ≥ ``thresholds.stats_entry_min`` whose 是否入库 is not 是. One row per project, unit order."""
    started = frame["status"].isin(STARTED) | (project_ytd(frame, month).fillna(0) > 0)
    big = _num(frame["total_investment"]).fillna(0) >= settings.thresholds.stats_entry_min
    part = frame[started & big & ~_flag(frame, "in_stats")]
    order = {n: i for i, n in enumerate(settings.unit_names)}
    out = pd.DataFrame({
        "unit": part["unit"].fillna("未识别单位"), "code": part["code"], "name": part["name"],
        "total_investment": _num(part["total_investment"]), "status": part["status"],
        "row": part.get("_row"),
    })
    out["_o"] = [order.get(u, 10**6) for u in out["unit"]]
    return out.sort_values(["_o", "row"], kind="stable").drop(columns="_o").reset_index(drop=True)
