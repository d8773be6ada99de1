"""Validation rules over a read ledger: per-row shape checks and cross-row checks, all vectorised.

Pure core (standard library, pandas). Each rule returns findings with the cell to fix; the
thresholds come from ``Settings``. ``validate_ledger`` runs every rule and adds the reader's
findings, so one call gives the whole report.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from .fields import FIELD_BY_KEY, REQUIRED_FIELDS, SGYP_STAGES
from .findings import Finding, Report, finding
from .ledger import Ledger
from .settings import Settings
from .text import norm
from .units import vocabulary

__all__ = ["RULES", "validate_ledger"]

Rule = Callable[[Ledger, Settings], Iterable[Finding]]


def _at(series: pd.Series, i: int) -> Any:
    """Positional scalar access typed loosely (pandas-stubs types scalars as a wide union)."""
    return series.iat[i]


def _f(ledger: Ledger, i: int, key: str, code: str, value: object = None, **params: Any) -> Finding:
    col = ledger.columns.get(key, 0)
    row = int(_at(ledger.frame["_row"], i))
    params.setdefault("label", FIELD_BY_KEY[key].label if key in FIELD_BY_KEY else key)
    return finding(code, sheet=ledger.sheet, row=row, column=col, field=key, value=value, **params)


def _positions(mask: pd.Series) -> list[int]:
    return [int(i) for i in mask.to_numpy().nonzero()[0]]


def missing_values(ledger: Ledger, settings: Settings) -> Iterable[Finding]:
    fr = ledger.frame
    for key in REQUIRED_FIELDS:
        if key not in ledger.columns:
            continue
        source = fr[f"{key}_raw"] if f"{key}_raw" in fr else fr[key]
        # amounts that failed to parse already have a finding of their own
        failed = {(f.row, f.field) for f in ledger.findings}
        for i in _positions(source.isna()):
            if (int(_at(fr["_row"], i)), key) not in failed:
                yield _f(ledger, i, key, "missing-value")


def unknown_names(ledger: Ledger, settings: Settings) -> Iterable[Finding]:
    fr = ledger.frame
    vocab = vocabulary(settings)
    for i in _positions(fr["unit"].isna() & fr["unit_raw"].notna()):
        raw = str(_at(fr["unit_raw"], i))
        near = vocab.suggest_unit(raw)
        yield _f(ledger, i, "unit", "unknown-unit", raw, hint=f"，是否为“{near}”" if near else "，请在参数表【单位】中添加")
    if "category" in ledger.columns:
        for i in _positions(fr["category"].isna() & fr["category_raw"].notna()):
            raw = str(_at(fr["category_raw"], i))
            near = vocab.suggest_category(raw)
            yield _f(ledger, i, "category", "unknown-category", raw, hint=f"，是否为“{near}”" if near else "")
    for i in _positions(fr["level"].isna() & fr["level_raw"].notna()):
        yield _f(ledger, i, "level", "unknown-level", _at(fr["level_raw"], i))
    if "status" in ledger.columns:
        for i in _positions(fr["status"].isna() & fr["status_raw"].notna()):
            yield _f(ledger, i, "status", "unknown-status", _at(fr["status_raw"], i))


def negative_amounts(ledger: Ledger, settings: Settings) -> Iterable[Finding]:
    fr = ledger.frame
    for key in ledger.columns:
        if (FIELD_BY_KEY[key].kind if key in FIELD_BY_KEY else "amount") != "amount":
            continue
        for i in _positions(fr[key] < 0):
            yield _f(ledger, i, key, "negative-amount", float(_at(fr[key], i)))


def plan_and_totals(ledger: Ledger, settings: Settings) -> Iterable[Finding]:
    fr = ledger.frame
    tol = settings.thresholds.tolerance
    remaining = fr["total_investment"] - fr["completed_before"].fillna(0)
    for i in _positions(fr["annual_plan"] > remaining + tol):
        yield _f(ledger, i, "annual_plan", "plan-exceeds-remaining", float(_at(fr["annual_plan"], i)),
                 limit=float(_at(remaining, i)))
    ytd_key = "ytd" if "ytd" in ledger.columns else next((m for m in ("m12", "m01") if m in ledger.columns), "ytd")
    for i in _positions(fr["ytd"] > fr["total_investment"] + tol):
        yield _f(ledger, i, ytd_key, "ytd-exceeds-total", float(_at(fr["ytd"], i)),
                 limit=float(_at(fr["total_investment"], i)))
    both = fr["ytd_given"].notna() & fr["months_sum"].notna()
    for i in _positions(both & ((fr["ytd_given"] - fr["months_sum"]).abs() > tol)):
        yield _f(ledger, i, "ytd", "ytd-mismatch", float(_at(fr["ytd_given"], i)), limit=float(_at(fr["months_sum"], i)))
    if "bond_amount" in ledger.columns and "bond_disbursed" in ledger.columns:
        for i in _positions(fr["bond_disbursed"] > fr["bond_amount"].fillna(0) + tol):
            yield _f(ledger, i, "bond_disbursed", "bond-exceeds", float(_at(fr["bond_disbursed"], i)),
                     limit=float(_at(fr["bond_amount"].fillna(0), i)))


def cumulative_decrease(ledger: Ledger, settings: Settings) -> Iterable[Finding]:
    fr = ledger.frame
    ends = sorted(ledger.cumulative)
    tol = settings.thresholds.tolerance
    for prev, cur in itertools.pairwise(ends):
        a, b = fr[f"cum{prev:02d}"], fr[f"cum{cur:02d}"]
        for i in _positions(b < a - tol):
            yield _f(ledger, i, f"cum{cur:02d}", "cumulative-decrease", float(_at(b, i)), limit=float(_at(a, i)),
                     label=f"1-{cur}月")


def statistics_entry(ledger: Ledger, settings: Settings) -> Iterable[Finding]:
    """应统尽统: a started project (在建, or investment this year > 0) of ≥ threshold not entered."""
    if "in_stats" not in ledger.columns:
        return
    fr = ledger.frame
    started = (fr["status"] == "在建") | (fr["ytd"].fillna(0) > 0)
    big = fr["total_investment"] >= settings.thresholds.stats_entry_min
    not_in = fr["in_stats"].fillna(False) == False  # noqa: E712 - nullable boolean
    for i in _positions(started & big & not_in):
        reason = "状态为在建" if _at(fr["status"], i) == "在建" else "本年已完成投资"
        yield _f(ledger, i, "in_stats", "not-in-statistics", _at(fr["in_stats"], i), reason=reason,
                 limit=float(_at(fr["total_investment"], i)))


def duplicates(ledger: Ledger, settings: Settings) -> Iterable[Finding]:
    fr = ledger.frame
    codes = _normalised(fr["code"])
    yield from _duplicated(ledger, codes, "code", "duplicate-code")
    names = _normalised(fr["name"])
    unit = fr["unit"].fillna(fr["unit_raw"]).astype("object").fillna("")
    yield from _duplicated(ledger, (unit + "\x00" + names.fillna("")).where(names.notna()), "name", "duplicate-name")


def _normalised(values: pd.Series) -> pd.Series:
    """Width- and space-normalised text per row (None for empty), as one list pass."""
    return pd.Series([None if v is None else (norm(v) or None) for v in values.tolist()], index=values.index,
                     dtype="object")


def _duplicated(ledger: Ledger, keys: pd.Series, field: str, code: str) -> Iterable[Finding]:
    """A finding on every row whose key occurs more than once, naming the other cells."""
    mask = keys.notna() & keys.duplicated(keep=False)
    if not mask.any():
        return
    positions: dict[Any, list[int]] = {}
    for i in _positions(mask):
        positions.setdefault(_at(keys, i), []).append(i)
    for pos in positions.values():
        for i in pos:
            others = "、".join(ledger.cell(k, field) for k in pos if k != i)
            yield _f(ledger, i, field, code, _at(ledger.frame[field], i), other=others)


def programme_flags(ledger: Ledger, settings: Settings) -> Iterable[Finding]:
    fr = ledger.frame
    star = fr["star"].fillna(False).astype(bool)
    key = "star" if "star" in ledger.columns else "level"
    for i in _positions(star & fr["level"].notna() & (fr["level"] != "区重点")):
        yield _f(ledger, i, key, "star-not-district", _at(fr["level"], i))
    if "sgyp_stage" not in ledger.columns:
        return
    stages, statuses, rounds = fr["sgyp_stage"].tolist(), fr["status"].tolist(), fr["sgyp_round"].tolist()
    no_investment = (fr["ytd"].isna() & fr["completed_before"].isna()).tolist()
    has_round = "sgyp_round" in ledger.columns
    for i in _positions(fr["sgyp_stage"].notna()):
        stage = norm(stages[i])
        if stage not in SGYP_STAGES:
            yield _f(ledger, i, "sgyp_stage", "sgyp-stage-unknown", stage)
            continue
        status = statuses[i]
        order = SGYP_STAGES.index(stage)
        if order >= 1 and status in ("谋划", "前期"):
            yield _f(ledger, i, "sgyp_stage", "sgyp-stage-order", stage,
                     reason=f"与项目状态“{status}”矛盾：未开工的项目不能处于开工及以后阶段")
        elif order >= 2 and no_investment[i]:
            yield _f(ledger, i, "sgyp_stage", "sgyp-stage-order", stage,
                     reason="已投产或达效，但没有任何完成投资记录")
        elif has_round and pd.isna(rounds[i]):
            yield _f(ledger, i, "sgyp_stage", "sgyp-stage-order", stage, reason="已填阶段但未填三个一批期次")


RULES: tuple[Rule, ...] = (
    missing_values, unknown_names, negative_amounts, plan_and_totals, cumulative_decrease,
    statistics_entry, duplicates, programme_flags,
)


def validate_ledger(ledger: Ledger, settings: Settings, *, extra: Iterable[Finding] = ()) -> Report:
    """Every rule over ``ledger`` plus the reader's own findings, as one report."""
    found: list[Finding] = list(ledger.findings)
    found.extend(extra)
    for rule in RULES:
        found.extend(rule(ledger, settings))
    return Report.of(found, projects=len(ledger))
