"""The monthly consolidation job: merge unit report forms, compute everything, fill the master.

Engine-agnostic: the master is any ``Engine``; forms are files read through the read-only
``FileEngine`` and ``report_form.read_form``. ``merge_forms`` is pure (forms + ledger in,
cell writes and findings out). Nothing is overwritten silently: a changed, already filled
month cell is a revision (form-revision, old → new). Re-running a month writes nothing new.

Reported means its own projects: a unit counts as reported only when its form held its own
projects. A unit whose form held none of them (东大街街道 sending 西大街街道's rows) is
counted in 未报送 (form-own-missing) whatever else the file held; a form that left out some
of them is incomplete (form-incomplete); each own project left without a figure for the
period is named (form-project-missing). A unit with no accepted form at all is form-missing.

Ordinary months never stop: a ranked unit without a growth figure is unranked (无数据,
stats-missing), a workbook without 单位统计 or a period nobody has figures for yet is said
plainly (stats-period-missing, period-not-reported) and the job goes on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xladdin.core.fields import month_field
from xladdin.core.findings import Finding, Report, finding
from xladdin.core.ledger import Ledger, read_stats
from xladdin.core.periods import Period
from xladdin.core.regions import SHEETS
from xladdin.core.settings import Settings
from xladdin.core.sheet import parse_ref
from xladdin.core.values import as_number
from xladdin.engines.base import Engine
from xladdin.errors import ColumnNotFound, XladdinError
from xladdin.figures import bulletin
from xladdin.figures.month import compute_month, ledger_error_rows
from xladdin.figures.results import MonthResult, Reporting
from xladdin.jobs.form_intake import cap_findings
from xladdin.jobs.outputs import (
    read_history,
    table_rows,
    write_bulletin,
    write_history,
    write_ranking,
    write_tables,
)
from xladdin.jobs.programme_tables import NO_DATA, programme_tables
from xladdin.jobs.session import load_ledger, load_settings

if TYPE_CHECKING:
    from xladdin.core.form_reader import FormData

__all__ = ["NEEDS", "ConsolidationResult", "Merge", "consolidate", "merge_forms", "read_forms"]

# what ``consolidate`` writes: the engine is chosen for this before the job runs
NEEDS = frozenset({"cells", "links", "names", "sheets", "charts", "styles"})

FORM_SUFFIXES = (".xlsx", ".xlsm")


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


@dataclass
class ConsolidationResult:
    """What a consolidation did: the forms merged (``merge``), the month's figures as written
    (``figures``), every finding (``report``) and the 参数 it ran with (``settings``: the file
    session backs up by them without parsing 参数 again)."""

    month: int
    period: str
    report: Report
    merge: Merge
    figures: MonthResult
    settings: Settings

    def change_text(self) -> str:
        """What the job changed in the master, for the backup index."""
        merged = f"汇入月报表 {len(self.merge.units)} 份、数据 {self.merge.merged} 项，修改 {len(self.merge.revisions)} 项；" \
            if self.merge.units or self.merge.merged else ""
        return f"{self.period}：{merged}更新汇总、排名、通报"

    def summary_text(self) -> str:
        total = self.figures.progress.total()
        missing = f"（{'、'.join(self.merge.missing)}）" if self.merge.missing else ""
        if not int(total["projects"]):
            head = f"{self.period}汇总完成：台账中暂无重点项目。"
        elif self.figures.reported:
            head = (f"{self.period}汇总完成：重点项目 {int(total['projects'])} 个，累计完成 {bulletin.yi(total['ytd_completed'])} 亿元，"
                    f"完成年度计划 {bulletin.pct(total['completion_rate'])}（序时进度 {bulletin.pct(total['schedule'])}）。")
        else:
            head = (f"{self.period}汇总完成：重点项目 {int(total['projects'])} 个；项目台账中没有任何项目的 {self.month} 月数据，"
                    f"{self.period}累计完成、完成率为无数据（序时进度 {bulletin.pct(total['schedule'])}）。")
        lines = [
            head,
            f"汇入月报表 {len(self.merge.units)} 份，数据 {self.merge.merged} 项，修改已汇总数据 {len(self.merge.revisions)} 项；"
            f"未报送 {len(self.merge.missing)} 个单位{missing}；错误 {self.report.errors} 条，警告 {self.report.warnings} 条。",
        ]
        if self.merge.incomplete:
            lines.append(f"部分项目本期无数据的单位：{'、'.join(self.merge.incomplete)}。")
        unranked = self.figures.unranked()
        if unranked and len(unranked) == len(self.figures.ranking):
            lines.append(f"参与排名的 {len(unranked)} 个单位均无{self.period}增速数据（无数据），本月不排名。")
        elif unranked:
            lines.append(f"无增速数据、本月不参与排名（无数据）：{'、'.join(unranked)}。")
        acts = [f"{unit}（{action}）" for unit, action in self.figures.actions()]
        if acts:
            lines.append("末位增速约谈：" + "、".join(acts))
        return "\n".join(lines)


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
        owner = None if owner_raw is None or owner_raw is pd.NA else str(owner_raw)
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
        for form, row in reports[:1]:
            if owner is not None and form.unit != owner:
                r, c = _where(form, row, "code")
                out.findings.append(finding("form-wrong-unit", sheet=form.sheet, row=r, column=c, file=form.file, field="code",
                                            value=code, reason=f"项目“{code}”在主台账中的责任单位为{owner}，不属于{form.unit}，未汇入。"))
                continue
            if form.unit is not None:
                own_rows[form.unit].add(i)
            _merge_row(out, ledger, cols, i, form, row, key, float(prev[i]), tol)
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


def _merge_row(out: Merge, ledger: Ledger, cols: _Columns, i: int, form: FormData, row: Any, key: str,
               prev: float, tol: float) -> None:
    name = str(cols("name")[i] or row.code)
    value, cum = as_number(row.value), as_number(row.cumulative)
    if value is None and cum is not None:
        value = cum - prev
    if value is not None and value < 0 and row.value is not None:
        r, c = _where(form, row, "value")
        out.findings.append(finding("negative-amount", sheet=form.sheet, row=r, column=c, file=form.file, field="value",
                                    value=value, label=f"{name} 本月完成"))
        return
    if cum is not None and cum < prev - tol:
        rc, cc = _where(form, row, "cumulative")
        out.findings.append(finding("cumulative-decrease", sheet=form.sheet, row=rc, column=cc, file=form.file,
                                    field="cumulative", value=cum, limit=prev, label=str(name)))
        return
    if value is not None:
        cell = ledger.cell(i, key)
        old = as_number(cols(key)[i])
        if old is None or abs(old - value) > 1e-9:
            out.writes[cell] = value
            if old is not None:
                out.revisions.append(finding("form-revision", sheet=ledger.sheet, row=int(str(cols("_row")[i])),
                                             column=ledger.columns[key], file=form.file, field=key, value=value,
                                             limit=old, label=f"{name} {key[1:].lstrip('0')}月"))
        out.merged += 1
    for k in ("progress_text", "problems"):
        text = getattr(row, k)
        current = cols(k)[i]
        if text and k in ledger.columns and str(text).strip() != ("" if current is None else str(current)).strip():
            out.writes[ledger.cell(i, k)] = str(text).strip()
    if row.in_stats is not None and "in_stats" in ledger.columns:
        old_flag = cols("in_stats")[i]
        if old_flag is pd.NA or bool(old_flag) != row.in_stats:
            out.writes[ledger.cell(i, "in_stats")] = "是" if row.in_stats else "否"


def read_forms(forms_dir: Path, settings: Settings, status: Callable[[str], None] | None = None) -> tuple[list[FormData], list[Finding]]:
    """Every workbook in ``forms_dir`` (sorted by name) read as a report form, within the bounds of
    ``form_intake``; unreadable, oversized or foreign files are findings."""
    from xladdin.jobs.form_intake import read_forms as intake

    return intake(forms_dir, settings, status)


def master_identity(engine: Engine) -> str | None:
    """The master's 台账标识 (defined name ``xl_master_id``), or None when it has none."""
    from xladdin.books.template import NAMES

    where = engine.defined_name(NAMES["master_id"])
    if where is None:
        return None
    row, col = parse_ref(where[1].split(":")[0])
    try:
        value = engine.read(where[0]).value(row, col)
    except XladdinError:
        return None
    return str(value).strip() if value not in (None, "") else None


def foreign_forms(forms: Sequence[FormData], master_id: str | None, year: int) -> tuple[list[FormData], list[Finding]]:
    """Forms of this ledger and year, and a ``form-wrong-ledger`` finding (naming both values) for
    each form carrying another 台账标识 or 年度 (refused: its figures belong to another ledger).
    A form that lost its 台账标识 or 年度 (a retyped copy) is accepted: the other checks still apply."""
    kept: list[FormData] = []
    found: list[Finding] = []
    for form in forms:
        year_of = getattr(form, "year", None)
        reasons = []
        if master_id and form.master_id and form.master_id.strip() != master_id:
            reasons.append(f"台账标识为“{form.master_id}”，本主台账为“{master_id}”")
        if year_of is not None and year_of != year:
            reasons.append(f"年度为 {year_of} 年，本主台账为 {year} 年")
        if reasons:
            found.append(finding("form-wrong-ledger", sheet=form.sheet, row=0, column=0, file=form.file,
                                 reason=f"月报表{'；'.join(reasons)}，不是本台账的月报表，未汇入。"))
        else:
            kept.append(form)
    return kept, found


def load_stats(engine: Engine, settings: Settings) -> tuple[pd.DataFrame | None, list[Finding]]:
    stats, found, _ = load_stats_checked(engine, settings)
    return stats, found


def load_stats_checked(engine: Engine, settings: Settings) -> tuple[pd.DataFrame | None, list[Finding], str | None]:
    """单位统计 read, with why it could not be (None when read): a workbook without the sheet
    or without its header is an ordinary month before the statistics come, never a stop."""
    if SHEETS["stats"] not in engine.sheet_names():
        return None, [], "工作簿中没有“单位统计”表，"
    try:
        stats, found = read_stats(engine.read(SHEETS["stats"]), settings)
    except ColumnNotFound as exc:
        return None, [], f"{exc.message.rstrip('。')}，"
    return stats, found, None


def consolidate(engine: Engine, period: Period, forms_dir: Path | None = None, settings: Settings | None = None, *,
                progress: Callable[[str], None] | None = None) -> ConsolidationResult:
    """Run the period: merge forms (if ``forms_dir``), compute, write every output region."""
    def status(text: str) -> None:
        engine.status(text)
        if progress is not None:
            progress(text)

    pm = period.month
    found: list[Finding] = []
    if settings is None:
        settings, found = load_settings(engine)
    forms: list[FormData] = []
    problems: list[Finding] = []
    if forms_dir is not None:
        engine.prefetch(SHEETS["ledger"])  # the ledger parses in the background while the forms are read
        forms, problems = read_forms(Path(forms_dir), settings, status)
    status("正在读取项目台账 …")
    ledger = load_ledger(engine, settings)
    merge = Merge()
    # 报送质量 reads the master's rows as they stood before this month's forms: a derived 本年累计 cell
    # (a formula) keeps its old cached value until the spreadsheet recalculates, which is no reporting error
    error_rows = ledger_error_rows(ledger, settings)
    if forms_dir is not None:
        forms, foreign = foreign_forms(forms, master_identity(engine), settings.year)
        merge = merge_forms(ledger, forms, settings, period)
        merge.findings = cap_findings(problems + foreign + merge.findings)
        merge.revisions = cap_findings(merge.revisions)
        if merge.writes:
            status(f"正在写入 {len(merge.writes)} 个单元格 …")
            engine.write_cells(ledger.sheet, merge.writes)
            ledger = ledger.with_writes(merge.writes)
    stats, stat_findings, stats_problem = load_stats_checked(engine, settings)
    status("正在计算进度、排名和专项指标 …")
    inputs = [*found, *stat_findings, *merge.findings, *merge.revisions]
    # with forms, who reported is what the merge decided; a refresh (刷新) reads it from the ledger
    reporting = Reporting(tuple(merge.missing), tuple(merge.incomplete), collected=True) \
        if forms_dir is not None else None
    figures = compute_month(ledger, stats, settings, period, history=read_history(engine), stats_problem=stats_problem,
                            reporting=reporting, error_rows=error_rows,
                            errors=sum(f.severity == "error" for f in inputs))
    merge.missing, merge.incomplete = list(figures.missing_units), list(figures.incomplete_units)
    report = Report.of([*found, *stat_findings, *figures.findings, *merge.findings, *merge.revisions],
                       projects=len(ledger))
    status("正在写入汇总、排名、专项和通报 …")
    _write(engine, figures, settings, report)
    return ConsolidationResult(month=pm, period=period.label, report=report, merge=merge, figures=figures,
                               settings=settings)


def _write(engine: Engine, month: MonthResult, settings: Settings, report: Report) -> None:
    """Every output region from the month's result: 汇总, 排名, 排名历史, 专项, 通报, 校验结果, xl_month."""
    period = month.period
    label = period.label
    p = month.progress
    write_tables(engine, "summary", [
        (f"一、{label}重点项目完成情况（按项目级别）", p.levels),
        ("二、增长目标完成情况", month.targets),
        ("三、按责任单位", p.units),
        ("四、按行业类别", p.categories),
        ("五、按责任单位和行业类别", p.unit_categories),
        ("六、各单位年度目标任务完成情况（单位统计）", table_rows(month.unit_targets, missing=NO_DATA)),
    ])
    write_ranking(engine, month.ranking, period)
    write_history(engine, month.history, settings.ranked_units)
    write_tables(engine, "programmes", programme_tables(month.programmes, period))
    write_bulletin(engine, list(month.bulletin))
    _write_findings(engine, report, label)
    name = engine.defined_name("xl_month")
    if name is not None:
        engine.write_cells(name[0], {name[1].split(":")[0]: period.month})


def _write_findings(engine: Engine, report: Report, label: str) -> None:
    from xladdin.jobs.validate import FORMS_CHECK, write_findings

    write_findings(engine, report, title=f"{label}月报汇总检查结果", source=FORMS_CHECK)
