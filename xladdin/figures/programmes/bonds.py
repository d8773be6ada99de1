"""Special bonds (plan §8): each unit evaluated on the plan's four dimensions and ranked.

Pure core (numpy, pandas; settings, ranking).

Plan: "建立专项债券申报发行使用工作考核评价体系，从债券发行规模、项目报送质量、债券资金支出进度和规范性等
多方面对局委、经济开发区、街道办事处工作定期进行综合评价并排名通报". Every kind of unit is evaluated
(局委 too). A unit's bond projects are its projects with 专项债申请额度, 专项债额度 or 专项债已发行 > 0.
Each dimension scores 0-100 from data a district has; a dimension whose inputs are blank on any of
the unit's bond projects is 无数据 (None), never full marks:

- 发行规模 issuance = Σ 专项债已发行 ÷ Σ 专项债申请额度 (capped at 100): how much of what the unit
  applied for it got issued, so a small unit that got all of its request scores as well as a big one;
- 报送质量 quality = 100 × share of the unit's bond projects whose ledger row carries no error
  finding (the validation rules, on the master as it stood before this month's forms were merged:
  a formula 本年累计 keeps a stale cached value until recalculated, which is not the unit's error); when the month's forms were collected, × 1 if the unit's form came
  back on time and × 0.5 if it is missing (未报送). Without forms in the run only the first part counts;
- 支出进度 disbursement = Σ 专项债已支出 ÷ Σ 专项债已发行 (capped at 100); nothing issued → 无数据;
- 规范性 compliance = 100 × share of bond projects without a rule breach: 已支出 > 已发行,
  已支出 > 专项债额度, 已发行 > 申请额度, or money spent while the project is 谋划/前期.

综合得分 = weighted mean with 参数's weights (专项债权重-…); 无数据 when any dimension is; units are
ranked by score (ties share a rank), unscored units last without a rank.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from xladdin.core.settings import Settings
from xladdin.figures.programmes.common import num, units_of
from xladdin.figures.ranking import rank_with_ties

__all__ = ["BOND_COLUMNS", "bond_projects", "bonds"]

BOND_COLUMNS: tuple[str, ...] = (
    "unit", "kind", "rank", "projects", "bond_applied", "bond_amount", "bond_issued", "bond_disbursed",
    "issue_rate", "disbursement_rate", "issuance", "quality", "disbursement", "compliance", "score")
TOL = 1e-6


def bond_projects(frame: pd.DataFrame) -> pd.Series:
    """Mask of the special-bond projects: 申请额度, 额度 or 已发行 > 0."""
    mask = pd.Series(False, index=frame.index)
    for key in ("bond_applied", "bond_amount", "bond_issued"):
        if key in frame.columns:
            mask = mask | (num(frame[key]).fillna(0) > 0)
    return mask


def _col(part: pd.DataFrame, key: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    if key not in part.columns:
        return np.full(len(part), np.nan)
    return num(part[key]).to_numpy()


def _ratio(top: np.ndarray[Any, np.dtype[np.float64]], bottom: np.ndarray[Any, np.dtype[np.float64]]) -> float | None:
    if np.isnan(top).any() or np.isnan(bottom).any():
        return None
    total = float(bottom.sum())
    return None if total <= 0 else 100.0 * min(1.0, float(top.sum()) / total)


def bonds(frame: pd.DataFrame, settings: Settings, error_rows: Collection[int] = (),
          missing_forms: Collection[str] | None = None) -> pd.DataFrame:
    """One row per unit with bond projects (settings order), ranked by 综合得分.

    ``error_rows`` are the Excel rows of the ledger that carry an error finding; ``missing_forms``
    the units whose form for the period is missing (None when the run collected no forms).
    """
    part = frame[bond_projects(frame)]
    w = settings.bond_weights
    applied, quota = _col(part, "bond_applied"), _col(part, "bond_amount")
    issued, spent = _col(part, "bond_issued"), _col(part, "bond_disbursed")
    early = part["status"].isin(("谋划", "前期")).to_numpy() & (np.nan_to_num(spent) > 0)
    breach = ((np.nan_to_num(spent) > np.nan_to_num(issued, nan=np.inf) + TOL)
              | (np.nan_to_num(spent) > np.nan_to_num(quota, nan=np.inf) + TOL)
              | (np.nan_to_num(issued) > np.nan_to_num(applied, nan=np.inf) + TOL) | early)
    rows_of = part["_row"].to_numpy() if "_row" in part.columns else np.zeros(len(part))
    errors = set(error_rows)
    clean = np.array([int(r) not in errors for r in rows_of], dtype=bool)
    kinds = {u.name: u.kind for u in settings.units}
    groups = pd.Series(units_of(part["unit"]), index=part.index).groupby(
        units_of(part["unit"]), sort=False).indices
    order = [u for u in [*settings.unit_names, "未识别单位"] if u in groups]
    rows: list[dict[str, Any]] = []
    for unit in order:
        at = groups[unit]
        quality: float | None = 100.0 * float(clean[at].mean())
        if missing_forms is not None and unit in missing_forms:
            quality = quality * 0.5 if quality is not None else None
        known_spend = not np.isnan(spent[at]).any() and not np.isnan(issued[at]).any()
        compliance = 100.0 * float((~breach[at]).mean()) if known_spend else None
        dims = {"issuance": _ratio(issued[at], applied[at]), "quality": quality,
                "disbursement": _ratio(spent[at], issued[at]), "compliance": compliance}
        weights = {"issuance": w.issuance, "quality": w.quality, "disbursement": w.disbursement,
                   "compliance": w.compliance}
        total_w = sum(weights.values())
        score = None if any(v is None for v in dims.values()) or not total_w else \
            sum(weights[k] * float(v) for k, v in dims.items() if v is not None) / total_w
        sums = {k: (None if np.isnan(a[at]).all() else float(np.nansum(a[at])))
                for k, a in (("bond_applied", applied), ("bond_amount", quota), ("bond_issued", issued),
                             ("bond_disbursed", spent))}
        iss, dis = sums["bond_issued"], sums["bond_disbursed"]
        rows.append({
            "unit": unit, "kind": kinds.get(unit, ""), "projects": len(at), **sums,
            "issue_rate": (iss / sums["bond_applied"]) if iss is not None and sums["bond_applied"] else None,
            "disbursement_rate": (dis / iss) if dis is not None and iss else None,
            **dims, "score": score,
        })
    for r, rank in zip(rows, rank_with_ties([None if r["score"] is None else round(r["score"], 1) for r in rows]),
                       strict=True):
        r["rank"] = rank
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0))
    return pd.DataFrame(rows, columns=list(BOND_COLUMNS))
