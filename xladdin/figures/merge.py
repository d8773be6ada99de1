"""Merging the unit report forms into the ledger (pure: forms + ledger in, cell writes and findings out).

Pure (pandas, numpy; core). ``merge_forms`` decides every write into the ledger's period-month
column; the consolidation job (``jobs.consolidate``) applies them. Nothing is overwritten
silently: a changed, already filled month cell is a revision (form-revision, old → new).
Re-running a month writes nothing new.

Reported means its own projects: a unit counts as reported only when its form held its own
projects. A unit whose form held none of them (东大街街道 sending 西大街街道's rows) is
counted in 未报送 (form-own-missing) whatever else the file held; a form that left out some
of them is incomplete (form-incomplete); each own project left without a figure for the
period is named (form-project-missing). A unit with no accepted form at all is form-missing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xladdin.core.fields import month_field
from xladdin.core.findings import Finding, finding
from xladdin.core.ledger import Ledger
from xladdin.core.periods import Period
from xladdin.core.settings import Settings
from xladdin.core.sheet import column_letter, parse_ref
from xladdin.core.values import as_number
from xladdin.errors import ColumnNotFound

if TYPE_CHECKING:
    from xladdin.core.form_reader import FormData

__all__ = ["Merge", "merge_forms"]


@dataclass
class Merge:
    """What merging the forms decided: cells to write on the ledger sheet and what was found."""

    writes: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    revisions: list[Finding] = field(default_factory=list)
    merged: int = 0  # month figures written or confirmed
    units: list[str] = field(default_factory=list)  # units with an accepted form
    missing: list[str] = field(default_factory=list)  # 未报送: no form, or a form without the unit's own projects
    incomplete: list[str] = field(default_factory=list)  # forms that left out some of the unit's own projects


def _where(form: FormData, row: Any, key: str) -> tuple[int, int]:
    ref = row.cells.get(key) or row.cells.get("code")
    return parse_ref(ref) if ref else (row.row, 0)


def merge_forms(ledger: Ledger, forms: Sequence[FormData], settings: Settings, period: Period) -> Merge:
    """Decide every write from the forms into ``ledger``'s period-month column (pure).

    Forms stamped with either month of the 1-2月 period (1 or 2) belong to it; the figure goes
    into the period's own month column (1-2月: February's), the months before it (1-2月:
    January's) are the 截至上月累计 the form showed."""
    pm = period.month
    key = month_field(pm)
    if key not in ledger.columns:
        raise ColumnNotFound(f"项目台账中没有“{pm}月”列，无法汇入{period.label}数据。")
    out = Merge()
    frame = ledger.frame
    index = {str(c).strip(): i for i, c in enumerate(frame["code"]) if c is not None and c is not pd.NA}
    tol = settings.thresholds.tolerance
    prev = _prev_sums(frame, [month_field(m) for m in period.earlier_months if month_field(m) in frame.columns])
    cols = _Columns(frame)
    target = _Target(ledger, cols, key)
    accepted: list[FormData] = []
    for form in forms:
        out.findings += form.findings
        sheet = form.sheet
        if form.month is None or Period.of(max(1, min(12, form.month))) != period:
            out.findings.append(finding("form-wrong-month", sheet=sheet, row=0, column=0, file=form.file,
                                        value=form.month if form.month is not None else "未填", limit=pm))
            continue
        if form.unit is None:
            out.findings.append(finding("form-wrong-unit", sheet=sheet, row=0, column=0, file=form.file,
                                        value=form.unit_raw, reason=f"月报表的填报单位“{form.unit_raw or ''}”不在单位名单中，未汇入。"))
            continue
        accepted.append(form)
    reporters: dict[str, list[tuple[FormData, Any]]] = defaultdict(list)
    own_rows: dict[str, set[int]] = defaultdict(set)  # unit -> ledger rows its own forms held
    for form in accepted:
        for row in form.rows:
            if row.code:
                reporters[str(row.code).strip()].append((form, row))
    for code, reports in reporters.items():
        i = index.get(code)
        if i is None:
            for form, row in reports:
                r, c = _where(form, row, "code")
                out.findings.append(finding("form-unknown-code", sheet=form.sheet, row=r, column=c, file=form.file,
                                            field="code", value=code))
            continue
        owner_raw = cols("unit")[i]
        owner = None if owner_raw is None or pd.isna(owner_raw) else str(owner_raw)  # blank reads as NaN
        units = {f.unit for f, _ in reports}
        if len(units) > 1:
            keep = [(f, rw) for f, rw in reports if f.unit == owner]
            for form, row in reports:
                if keep and (form, row) == keep[0]:
                    continue
                r, c = _where(form, row, "code")
                others = "、".join(sorted(u for u in units if u != form.unit and u))
                out.findings.append(finding("form-double-report", sheet=form.sheet, row=r, column=c, file=form.file,
                                            field="code", value=code, other=others))
            reports = keep[:1]
        elif len(reports) > 1:  # one unit lists the project more than once: the first row is merged, never in silence
            first_form, first_row = reports[0]
            fr, _ = _where(first_form, first_row, "code")
            for form, row in reports[1:]:
                r, c = _where(form, row, "code")
                where = f"本表第 {fr} 行" if form is first_form else f"“{first_form.file}”第 {fr} 行"
                out.findings.append(finding("form-duplicate-row", sheet=form.sheet, row=r, column=c, file=form.file,
                                            field="code", value=code, other=where))
        for form, row in reports[:1]:
            if owner is not None and form.unit != owner:
                r, c = _where(form, row, "code")
                out.findings.append(finding("form-wrong-unit", sheet=form.sheet, row=r, column=c, file=form.file, field="code",
                                            value=code, reason=f"项目“{code}”在主台账中的责任单位为{owner}，不属于{form.unit}，未汇入。"))
                continue
            if form.unit is not None:
                own_rows[form.unit].add(i)
            _merge_row(out, target, i, form, row, float(prev[i]), tol)
    out.units = [f.unit for f in accepted if f.unit]
    _own_projects(out, ledger, cols, settings, period, accepted, own_rows)
    return out


def _own_projects(out: Merge, ledger: Ledger, cols: _Columns, settings: Settings, period: Period,
                  accepted: list[FormData], own_rows: dict[str, set[int]]) -> None:
    """未报送 and own projects left without a figure for the period (see the module docstring)."""
    files: dict[str, list[str]] = defaultdict(list)
    for form in accepted:
        if form.unit:
            files[form.unit].append(form.file)
    own_keys = [month_field(m) for m in (period.months if period.is_first else (period.month,))
                if month_field(m) in ledger.columns]
    key = month_field(period.month)

    def has_figure(i: int) -> bool:
        if ledger.cell(i, key) in out.writes:
            return True
        return any(as_number(cols(k)[i]) is not None for k in own_keys)

    by_unit: dict[Any, list[int]] = defaultdict(list)  # one pass: a province ledger has 150 units
    for i, v in enumerate(cols("unit")):
        by_unit[v].append(i)
    month_text = period.label if period.is_first else f"{period.month}月"
    expected = [u for u in settings.unit_names if u in by_unit]
    for u in expected:
        own = by_unit[u]
        if u not in files:
            out.missing.append(u)
            out.findings.append(finding("form-missing", sheet=ledger.sheet, row=0, column=0, value=u))
            continue
        lacking = [i for i in own if i not in own_rows[u] and not has_figure(i)]
        where = "、".join(files[u])
        if not own_rows[u]:
            out.missing.append(u)
            out.findings.append(finding("form-own-missing", sheet=ledger.sheet, row=0, column=0, file=where, value=u,
                                        other=where, limit=len(lacking), label=month_text))
        elif lacking:
            out.incomplete.append(u)
            out.findings.append(finding("form-incomplete", sheet=ledger.sheet, row=0, column=0, file=where, value=u,
                                        other=where, limit=len(lacking), label=month_text))
        reason = "本单位月报表中没有该项目" if own_rows[u] else f"{u}报送的月报表中没有本单位项目"
        column = ledger.columns.get(key, 0)
        for i in lacking:
            code = cols("code")[i]
            out.findings.append(finding("form-project-missing", sheet=ledger.sheet, row=int(str(cols("_row")[i])),
                                        column=column, field=key, value="" if code is None or code is pd.NA else code,
                                        label=str(cols("name")[i] or ""), other=u, reason=reason, limit=month_text))


class _Columns:
    """A frame's columns as plain lists, each fetched once: per-cell DataFrame access made
    merging 3,000 rows take seconds."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self._cache: dict[str, list[Any]] = {}

    def __call__(self, key: str) -> list[Any]:
        if key not in self._cache:
            self._cache[key] = self._frame[key].tolist()
        return self._cache[key]


def _prev_sums(frame: pd.DataFrame, prev_cols: list[str]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Per project, the months before the period summed (empty, text or infinite as nothing),
    added column by column in month order: the same floats as summing each row's cells in turn."""
    acc = np.zeros(len(frame))
    for col in prev_cols:
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
        acc = acc + np.where(np.isfinite(values), values, 0.0)
    return acc


class _Target:
    """What ``_merge_row`` reads of the ledger, fetched once per merge: the columns as lists and the
    letters of the columns it writes (a province merge takes 30,000 rows)."""

    def __init__(self, ledger: Ledger, cols: _Columns, key: str) -> None:
        self.sheet, self.key, self.key_col = ledger.sheet, key, ledger.columns[key]
        self.names, self.month, self.excel_rows = cols("name"), cols(key), ledger.excel_rows
        self.letters = column_letter(self.key_col)
        self.texts = [(k, cols(k), column_letter(ledger.columns[k])) for k in ("progress_text", "problems")
                      if k in ledger.columns]
        self.in_stats = (cols("in_stats"), column_letter(ledger.columns["in_stats"])) \
            if "in_stats" in ledger.columns else None


def _merge_row(out: Merge, at: _Target, i: int, form: FormData, row: Any, prev: float, tol: float) -> None:
    def name() -> str:  # only a finding needs it
        return str(at.names[i] or row.code)

    value, cum = as_number(row.value), as_number(row.cumulative)
    if value is None and cum is not None:
        value = cum - prev
    if value is not None and value < 0 and row.value is not None:
        r, c = _where(form, row, "value")
        out.findings.append(finding("negative-amount", sheet=form.sheet, row=r, column=c, file=form.file, field="value",
                                    value=value, label=f"{name()} 本月完成"))
        return
    if cum is not None and cum < prev - tol:
        rc, cc = _where(form, row, "cumulative")
        out.findings.append(finding("cumulative-decrease", sheet=form.sheet, row=rc, column=cc, file=form.file,
                                    field="cumulative", value=cum, limit=prev, label=name()))
        return
    if row.value is not None and value is not None and cum is not None and abs(prev + value - cum) > tol:
        # a typed-over 本年累计 (the template's is a formula) that the month figure does not add up to:
        # the month figure is merged, as before, and the difference is never silent
        rc, cc = _where(form, row, "cumulative")
        out.findings.append(finding("form-ytd-mismatch", sheet=form.sheet, row=rc, column=cc, file=form.file,
                                    field="cumulative", value=cum, limit=prev, other=value, label=name()))
    if value is not None and value < 0:  # derived from a 累计 within the tolerance below last month's:
        value = 0.0  # rounding, nothing done this month (never a negative month figure in the master)
    excel_row = at.excel_rows[i]
    if value is not None:
        old = as_number(at.month[i])
        if old is None or abs(old - value) > 1e-9:
            out.writes[f"{at.letters}{excel_row}"] = value
            if old is not None:
                out.revisions.append(finding("form-revision", sheet=at.sheet, row=excel_row, column=at.key_col,
                                             file=form.file, field=at.key, value=value, limit=old,
                                             label=f"{name()} {at.key[1:].lstrip('0')}月"))
        out.merged += 1
    for k, current_values, letters in at.texts:
        text = getattr(row, k)
        current = current_values[i]
        if text and str(text).strip() != ("" if current is None else str(current)).strip():
            out.writes[f"{letters}{excel_row}"] = str(text).strip()
    if row.in_stats is not None and at.in_stats is not None:
        old_flag = at.in_stats[0][i]
        if old_flag is pd.NA or bool(old_flag) != row.in_stats:
            out.writes[f"{at.in_stats[1]}{excel_row}"] = "是" if row.in_stats else "否"
