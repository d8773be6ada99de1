"""Validation rules over a read ledger: per-row shape checks and cross-row checks, all vectorised.

Pure core (standard library, pandas). Each rule returns findings with the cell to fix; the
thresholds come from ``Settings``. ``validate_ledger`` runs every rule and adds the reader's
findings, so one call gives the whole report.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from xladdin.core.fields import FIELD_BY_KEY, MONTH_FIELDS, REQUIRED_FIELDS, SGYP_STAGES
from xladdin.core.findings import Finding, Report, finding
from xladdin.core.ledger import Ledger
from xladdin.core.settings import Settings
from xladdin.core.statistics_entry import entry_status
from xladdin.core.values import norm
from xladdin.core.vocabulary import vocabulary

__all__ = ["RULES", "validate_ledger"]

Rule = Callable[[Ledger, Settings, "_Arrays"], Iterable[Finding]]


class _Arrays:
    """The ledger frame's columns as numpy arrays, each converted once per validation run.

    The rules compare whole columns; done on pandas Series each comparison costs ~50 µs of
    overhead, which at district scale (300 rows) is most of the run (issue 7: ≥ 50,000 rows/s).
    ``num`` gives float64 with NaN for missing (floats, Int64, boolean), ``na`` the missing mask,
    ``obj`` the values as an object array (missing as None)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._num: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = {}
        self._na: dict[str, np.ndarray[Any, np.dtype[np.bool_]]] = {}
        self._obj: dict[str, np.ndarray[Any, np.dtype[np.object_]]] = {}

    def num(self, key: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        if key not in self._num:
            self._num[key] = self.frame[key].to_numpy(dtype="float64", na_value=np.nan)
        return self._num[key]

    def na(self, key: str) -> np.ndarray[Any, np.dtype[np.bool_]]:
        if key not in self._na:
            if self.frame[key].dtype == "float64":
                self._na[key] = np.isnan(self.num(key))
            else:
                self._obj_and_na(key)
        return self._na[key]

    def obj(self, key: str) -> np.ndarray[Any, np.dtype[np.object_]]:
        if key not in self._obj:
            self._obj_and_na(key)
        return self._obj[key]

    def _obj_and_na(self, key: str) -> None:
        values = self.frame[key].to_numpy(dtype=object, copy=True)
        missing = pd.isna(values)
        values[missing] = None
        self._obj[key] = values
        self._na.setdefault(key, missing)


def _f(ledger: Ledger, i: int, key: str, code: str, value: object = None, **params: Any) -> Finding:
    col = ledger.columns.get(key, 0)
    row = ledger.excel_rows[i]
    params.setdefault("label", FIELD_BY_KEY[key].label if key in FIELD_BY_KEY else _label(key))
    return finding(code, sheet=ledger.sheet, row=row, column=col, field=key, value=value, **params)


def _label(key: str) -> str:
    """The staff-facing name of a column that is not a field: "cum03" is the 1-3月累计 column."""
    if key.startswith("cum") and key[3:].isdigit():
        return f"1-{int(key[3:])}月累计"
    return key


def _positions(mask: np.ndarray[Any, np.dtype[np.bool_]]) -> list[int]:
    return [int(i) for i in np.flatnonzero(mask)]


def missing_values(ledger: Ledger, settings: Settings, c: _Arrays) -> Iterable[Finding]:
    fr = ledger.frame
    failed = {(f.row, f.field) for f in ledger.findings}  # amounts that failed to parse have a finding already
    for key in REQUIRED_FIELDS:
        if key not in ledger.columns:
            continue
        for i in _positions(c.na(f"{key}_raw" if f"{key}_raw" in fr else key)):
            if (ledger.excel_rows[i], key) not in failed:
                yield _f(ledger, i, key, "missing-value")


def unknown_names(ledger: Ledger, settings: Settings, c: _Arrays) -> Iterable[Finding]:
    vocab = vocabulary(settings)
    for i in _positions(c.na("unit") & ~c.na("unit_raw")):
        raw = str(c.obj("unit_raw")[i])
        near = vocab.suggest_unit(raw)
        yield _f(ledger, i, "unit", "unknown-unit", raw, hint=f"，是否为“{near}”" if near else "，请在参数表【单位】中添加")
    if "category" in ledger.columns:
        for i in _positions(c.na("category") & ~c.na("category_raw")):
            raw = str(c.obj("category_raw")[i])
            near = vocab.suggest_category(raw)
            yield _f(ledger, i, "category", "unknown-category", raw, hint=f"，是否为“{near}”" if near else "")
    for i in _positions(c.na("level") & ~c.na("level_raw")):
        raw = c.obj("level_raw")[i]
        yield _f(ledger, i, "level", "unknown-level", raw,
                 hint=_vocab_hint(vocab.suggest(raw, vocab.levels, vocab.level_names), vocab.level_names, "项目级别"))
    if "status" in ledger.columns:
        for i in _positions(c.na("status") & ~c.na("status_raw")):
            raw = c.obj("status_raw")[i]
            yield _f(ledger, i, "status", "unknown-status", raw,
                     hint=_vocab_hint(vocab.suggest(raw, vocab.statuses, vocab.status_names), vocab.status_names,
                                      "项目状态"))


def _vocab_hint(near: str | None, names: list[str], section: str) -> str:
    """"，是否为“X”" (the closest known word), else the list; either way where to add a new word."""
    listed = "、".join(names)
    if near:
        return f"，是否为“{near}”（应为 {listed} 之一；新的写法可加在参数表【{section}】中）"
    return f"，应为 {listed} 之一（新的级别或写法可加在参数表【{section}】中）"


def negative_amounts(ledger: Ledger, settings: Settings, c: _Arrays) -> Iterable[Finding]:
    for key in ledger.columns:
        if (FIELD_BY_KEY[key].kind if key in FIELD_BY_KEY else "amount") != "amount":
            continue
        values = c.num(key)
        for i in _positions(values < 0):
            yield _f(ledger, i, key, "negative-amount", float(values[i]))


def _zero_na(values: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    return np.where(np.isnan(values), 0.0, values)


def plan_and_totals(ledger: Ledger, settings: Settings, c: _Arrays) -> Iterable[Finding]:
    tol = settings.thresholds.tolerance
    total, plan, ytd = c.num("total_investment"), c.num("annual_plan"), c.num("ytd")
    remaining = total - _zero_na(c.num("completed_before"))
    for i in _positions(plan > remaining + tol):
        yield _f(ledger, i, "annual_plan", "plan-exceeds-remaining", float(plan[i]), limit=float(remaining[i]))
    for i in _positions(ytd > total + tol):
        yield _f(ledger, i, _ytd_cell(ledger, c, i), "ytd-exceeds-total", float(ytd[i]), limit=float(total[i]))
    given, summed = c.num("ytd_given"), c.num("months_sum")
    for i in _positions(np.abs(given - summed) > tol):  # NaN on either side compares False
        yield _f(ledger, i, "ytd", "ytd-mismatch", float(given[i]), limit=float(summed[i]))
    if "bond_amount" in ledger.columns and "bond_disbursed" in ledger.columns:
        amount, disbursed = _zero_na(c.num("bond_amount")), c.num("bond_disbursed")
        for i in _positions(disbursed > amount + tol):
            yield _f(ledger, i, "bond_disbursed", "bond-exceeds", float(disbursed[i]), limit=float(amount[i]))
    if "bond_issued" in ledger.columns:
        issued = c.num("bond_issued")
        if "bond_disbursed" in ledger.columns:  # plan §8 规范性: money spent that was never issued
            spent = c.num("bond_disbursed")
            for i in _positions(spent > issued + tol):
                yield _f(ledger, i, "bond_disbursed", "bond-over-issued", float(spent[i]), limit=float(issued[i]))
        if "bond_applied" in ledger.columns:
            applied = c.num("bond_applied")
            for i in _positions(issued > applied + tol):
                yield _f(ledger, i, "bond_issued", "bond-issued-over-applied", float(issued[i]), limit=float(applied[i]))


def _ytd_cell(ledger: Ledger, c: _Arrays, i: int) -> str:
    """The cell a year to date is read from: 本年累计 when the row fills it, else the row's last
    filled month column (the year to date is then the months' sum; the last figure is the one to
    check first). Never column 0: a finding always names a cell."""
    if "ytd" in ledger.columns and not c.na("ytd_given")[i]:
        return "ytd"
    months = [m.key for m in MONTH_FIELDS if m.key in ledger.columns]
    filled = [m for m in months if not c.na(m)[i]]
    return filled[-1] if filled else "ytd"


def cumulative_decrease(ledger: Ledger, settings: Settings, c: _Arrays) -> Iterable[Finding]:
    ends = sorted(ledger.cumulative)
    tol = settings.thresholds.tolerance
    for prev, cur in itertools.pairwise(ends):
        a, b = c.num(f"cum{prev:02d}"), c.num(f"cum{cur:02d}")
        for i in _positions(b < a - tol):
            yield _f(ledger, i, f"cum{cur:02d}", "cumulative-decrease", float(b[i]), limit=float(a[i]),
                     label=f"1-{cur}月")


def statistics_entry(ledger: Ledger, settings: Settings, c: _Arrays) -> Iterable[Finding]:
    """应统尽统: the shared rule of ``core.statistics_entry`` (also behind the 专项 list)."""
    if "in_stats" not in ledger.columns:
        return
    verdict = entry_status(ledger.frame, settings)
    total = c.num("total_investment")
    in_stats = c.obj("in_stats")
    reasons = verdict["reason"].tolist()
    for i in _positions(verdict["missing"].to_numpy()):
        # the cell as staff read it (校验结果's 值 column): 否, or blank — never "False" or "<NA>"
        value = "" if in_stats[i] is None else "否"
        yield _f(ledger, i, "in_stats", "not-in-statistics", value, reason=reasons[i], limit=float(total[i]))
    key = "status" if "status" in ledger.columns else "in_stats"
    for i in _positions(verdict["unknown"].to_numpy()):
        # reason: 项目状态“预备”无法识别, or 项目状态未填 for a blank cell (never “<NA>”)
        yield _f(ledger, i, key, "entry-status-unknown", c.obj("status_raw")[i], reason=reasons[i],
                 limit=float(total[i]))


def duplicates(ledger: Ledger, settings: Settings, c: _Arrays) -> Iterable[Finding]:
    codes = _normalised(c.obj("code"))
    yield from _duplicated(ledger, c, codes, "code", "duplicate-code")
    names = _normalised(c.obj("name"))
    units = [u if u is not None else r for u, r in zip(c.obj("unit"), c.obj("unit_raw"), strict=True)]
    keys = [None if n is None else f"{'' if u is None else u}\x00{n}" for u, n in zip(units, names, strict=True)]
    yield from _duplicated(ledger, c, keys, "name", "duplicate-name")


def _normalised(values: Iterable[Any]) -> list[str | None]:
    """Width- and space-normalised text per row (None for empty), as one list pass."""
    return [None if v is None else (norm(v) or None) for v in values]


def _duplicated(ledger: Ledger, c: _Arrays, keys: list[Any], field: str, code: str) -> Iterable[Finding]:
    """A finding on every row whose key occurs more than once, naming the other cells. Keys are
    counted first (in C), so only a repeated key's rows are gathered."""
    repeated = {k for k, n in Counter(keys).items() if n > 1 and k is not None}
    if not repeated:
        return
    positions: dict[Any, list[int]] = {}
    for i, key in enumerate(keys):
        if key in repeated:
            positions.setdefault(key, []).append(i)
    values = c.obj(field)
    for pos in (p for p in positions.values() if len(p) > 1):  # in order of first occurrence
        for i in pos:
            others = "、".join(ledger.cell(k, field) for k in pos if k != i)
            yield _f(ledger, i, field, code, values[i], other=others)


def programme_flags(ledger: Ledger, settings: Settings, c: _Arrays) -> Iterable[Finding]:
    key = "star" if "star" in ledger.columns else "level"
    levels = c.obj("level")
    for i in _positions((c.num("star") == 1.0) & ~c.na("level") & (levels != "区重点")):
        yield _f(ledger, i, key, "star-not-district", levels[i])
    if "sgyp_stage" not in ledger.columns:
        return
    stages, statuses, rounds = c.obj("sgyp_stage"), c.obj("status"), c.obj("sgyp_round")
    no_investment = c.na("ytd") & c.na("completed_before")
    has_round = "sgyp_round" in ledger.columns
    for i in _positions(~c.na("sgyp_stage")):
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
        elif has_round and rounds[i] is None:
            yield _f(ledger, i, "sgyp_stage", "sgyp-stage-order", stage, reason="已填阶段但未填三个一批期次")


RULES: tuple[Rule, ...] = (
    missing_values, unknown_names, negative_amounts, plan_and_totals, cumulative_decrease,
    statistics_entry, duplicates, programme_flags,
)


def validate_ledger(ledger: Ledger, settings: Settings, *, extra: Iterable[Finding] = ()) -> Report:
    """Every rule over ``ledger`` plus the reader's own findings, as one report."""
    found: list[Finding] = list(ledger.findings)
    found.extend(extra)
    columns = _Arrays(ledger.frame)
    for rule in RULES:
        found.extend(rule(ledger, settings, columns))
    return Report.of(found, projects=len(ledger))
