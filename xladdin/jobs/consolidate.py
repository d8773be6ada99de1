"""The monthly consolidation job: merge unit report forms, compute everything, fill the master.

Engine-agnostic: the master is any ``Engine``; forms are files read through the read-only
``FileEngine`` and ``report_form.read_form``. ``merge_forms`` is pure (forms + ledger in,
cell writes and findings out). Nothing is overwritten silently: a changed, already filled
month cell is a revision (form-revision, old → new). Re-running a month writes nothing new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xladdin.core.fields import month_field
from xladdin.core.findings import Finding, Report, finding
from xladdin.core.ledger import Ledger, read_stats
from xladdin.core.periods import period_label, period_month
from xladdin.core.regions import SHEETS
from xladdin.core.rules import validate_ledger
from xladdin.core.settings import Settings
from xladdin.core.sheet import parse_ref
from xladdin.core.values import as_number
from xladdin.engines.base import Engine
from xladdin.errors import ColumnNotFound, XladdinError
from xladdin.figures import bulletin, bulletin_measures, programmes, progress, ranking, targets
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

__all__ = ["NEEDS", "ConsolidationResult", "Merge", "compute", "consolidate", "merge_forms", "read_forms"]

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
    missing: list[str] = field(default_factory=list)


@dataclass
class ConsolidationResult:
    month: int
    period: str
    report: Report
    merge: Merge
    tables: dict[str, Any]

    def summary_text(self) -> str:
        lv = self.tables["levels"].set_index("level")
        total = lv.loc["合计"]
        lines = [
            f"{self.period}汇总完成：重点项目 {int(total['projects'])} 个，累计完成 {bulletin.yi(total['ytd_completed'])} 亿元，"
            f"完成年度计划 {bulletin.pct(total['completion_rate'])}（序时进度 {bulletin.pct(total['schedule'])}）。",
            f"汇入月报表 {len(self.merge.units)} 份，数据 {self.merge.merged} 项，修改已汇总数据 {len(self.merge.revisions)} 项；"
            f"未报送 {len(self.merge.missing)} 个单位；错误 {self.report.errors} 条，警告 {self.report.warnings} 条。",
        ]
        acts = [f"{r['unit']}（{r['action']}）" for r in self.tables["ranking"].to_dict("records") if r["action"]]
        if acts:
            lines.append("末位增速约谈：" + "、".join(acts))
        return "\n".join(lines)


def _where(form: FormData, row: Any, key: str) -> tuple[int, int]:
    ref = row.cells.get(key) or row.cells.get("code")
    return parse_ref(ref) if ref else (row.row, 0)


def merge_forms(ledger: Ledger, forms: Sequence[FormData], settings: Settings, month: int) -> Merge:
    """Decide every write from the forms into ``ledger``'s period-month column (pure)."""
    pm = period_month(month)
    key = month_field(pm)
    if key not in ledger.columns:
        raise ColumnNotFound(f"项目台账中没有“{pm}月”列，无法汇入{period_label(month)}数据。")
    out = Merge()
    frame = ledger.frame
    index = {str(c).strip(): i for i, c in enumerate(frame["code"]) if c is not None and c is not pd.NA}
    tol = settings.thresholds.tolerance
    prev = _prev_sums(frame, [month_field(m) for m in range(1, pm) if month_field(m) in frame.columns])
    cols = _Columns(frame)
    accepted: list[FormData] = []
    for form in forms:
        out.findings += form.findings
        sheet = form.sheet
        if form.month is None or period_month(max(1, min(12, form.month))) != pm:
            out.findings.append(finding("form-wrong-month", sheet=sheet, row=0, column=0, file=form.file,
                                        value=form.month if form.month is not None else "未填", limit=pm))
            continue
        if form.unit is None:
            out.findings.append(finding("form-wrong-unit", sheet=sheet, row=0, column=0, file=form.file,
                                        value=form.unit_raw, reason=f"月报表的填报单位“{form.unit_raw or ''}”不在单位名单中，未汇入。"))
            continue
        accepted.append(form)
    reporters: dict[str, list[tuple[FormData, Any]]] = defaultdict(list)
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
            _merge_row(out, ledger, cols, i, form, row, key, float(prev[i]), tol)
    out.units = [f.unit for f in accepted if f.unit]
    have = set(out.units)
    expected = [u for u in settings.unit_names if (frame["unit"] == u).any()]
    out.missing = [u for u in expected if u not in have]
    for u in out.missing:
        out.findings.append(finding("form-missing", sheet=ledger.sheet, row=0, column=0, value=u))
    return out


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
    """Every workbook in ``forms_dir`` (sorted by name) read as a report form; unreadable files are findings."""
    from xladdin.core.form_reader import read_form
    from xladdin.engines.files import FileEngine

    forms: list[FormData] = []
    problems: list[Finding] = []
    files = sorted(p for p in Path(forms_dir).iterdir()
                   if p.suffix.lower() in FORM_SUFFIXES and not p.name.startswith(("~$", ".")))
    for n, path in enumerate(files, start=1):
        if status:
            status(f"正在读取月报表 {n}/{len(files)}：{path.name} …")
        try:
            eng = FileEngine(path)
            try:
                sheets = [eng.read(s) for s in eng.sheet_names()]
            finally:
                eng.close()
            forms.append(read_form(sheets, settings, file=path.name))
        except XladdinError as exc:
            problems.append(finding("form-not-a-form", sheet="", row=0, column=0, file=path.name, reason=str(exc)))
    return forms, problems


def compute(ledger: Ledger, stats: pd.DataFrame | None, settings: Settings, month: int,
            history: dict[str, dict[int, int | None]], missing_forms: Collection[str] | None = None,
            error_rows: Collection[int] | None = None) -> dict[str, Any]:
    """Every result table of the month (pure). For the bonds' 报送质量: ``missing_forms``, the units
    whose form is missing this period (None when the run collected no forms), and ``error_rows``, the
    ledger rows with an error finding (default: ``ledger`` validated here)."""
    frame = ledger.frame
    if error_rows is None:
        error_rows = ledger_error_rows(ledger, settings)
    return {
        "levels": progress.by_level(frame, month, settings),
        "units": progress.by_unit(frame, settings, month, stats),
        "categories": progress.by_category(frame, settings, month, stats),
        "unit_categories": progress.by_unit_category(frame, settings, month),
        "targets": targets.evaluate(stats, settings, month),
        "ranking": ranking.rank_units(stats, settings, month, history),
        "unit_targets": targets.unit_targets(stats, settings, month),
        "sgyp": programmes.sgyp(frame, month),
        "key_links": programmes.key_links(frame),
        "bonds": programmes.bonds(frame, settings, error_rows, missing_forms),
        "bond_progress": programmes.bond_progress(frame, settings, month),
        "government_progress": programmes.government_progress(frame, settings, month),
        "reserve": programmes.reserve(frame, settings),
        "attraction": programmes.attraction_125(frame, settings),
        "not_entered": programmes.not_entered(frame, settings, month),
        "entry_report": programmes.entry_report(frame, settings, month),
        "reconstruction": programmes.reconstruction(frame, settings, month),
        "new_starts": programmes.new_starts(frame, settings, month),
    }


def ledger_error_rows(ledger: Ledger, settings: Settings) -> set[int]:
    """Excel rows of ``ledger`` that carry an error finding of the validation rules."""
    return {f.row for f in validate_ledger(ledger, settings).findings if f.severity == "error" and f.sheet == ledger.sheet}


def load_stats(engine: Engine, settings: Settings) -> tuple[pd.DataFrame | None, list[Finding]]:
    if SHEETS["stats"] not in engine.sheet_names():
        return None, []
    try:
        return read_stats(engine.read(SHEETS["stats"]), settings)
    except ColumnNotFound:
        return None, []


def consolidate(engine: Engine, month: int, forms_dir: Path | None = None, settings: Settings | None = None, *,
                progress: Callable[[str], None] | None = None) -> ConsolidationResult:
    """Run the month: merge forms (if ``forms_dir``), compute, write every output region."""
    def status(text: str) -> None:
        engine.status(text)
        if progress is not None:
            progress(text)

    pm = period_month(month)
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
        merge = merge_forms(ledger, forms, settings, pm)
        merge.findings = problems + merge.findings
        if merge.writes:
            status(f"正在写入 {len(merge.writes)} 个单元格 …")
            engine.write_cells(ledger.sheet, merge.writes)
            ledger = ledger.with_writes(merge.writes)
    stats, stat_findings = load_stats(engine, settings)
    status("正在计算进度、排名和专项指标 …")
    history = read_history(engine)
    _fill_history(history, stats, settings, pm)
    tables = compute(ledger, stats, settings, pm, history, merge.missing if forms_dir is not None else None,
                     error_rows)
    for rec in tables["ranking"].to_dict("records"):
        history.setdefault(rec["unit"], {})[pm] = None if pd.isna(rec["rank"]) else int(rec["rank"])
    report = Report.of([*found, *stat_findings, *merge.findings, *merge.revisions], projects=len(ledger))
    status("正在写入汇总、排名、专项和通报 …")
    _write(engine, tables, settings, pm, history, report, merge)
    return ConsolidationResult(month=pm, period=period_label(pm), report=report, merge=merge, tables=tables)


def _write(engine: Engine, t: dict[str, Any], settings: Settings, pm: int, history: dict[str, dict[int, int | None]],
           report: Report, merge: Merge) -> None:
    label = period_label(pm)
    write_tables(engine, "summary", [
        (f"一、{label}重点项目完成情况（按项目级别）", t["levels"]),
        ("二、增长目标完成情况", t["targets"]),
        ("三、按责任单位", t["units"]),
        ("四、按行业类别", t["categories"]),
        ("五、按责任单位和行业类别", t["unit_categories"]),
        ("六、各单位年度目标任务完成情况（单位统计）", table_rows(t["unit_targets"], missing=NO_DATA)),
    ])
    write_ranking(engine, t["ranking"], pm)
    write_history(engine, history, settings.ranked_units)
    write_tables(engine, "programmes", programme_tables(t, pm))
    blocks = bulletin.build(pm, settings, targets=t["targets"], levels=t["levels"], ranking=t["ranking"],
                            not_entered=t["not_entered"], missing_units=merge.missing,
                            problems=report.errors, bonds=t["bonds"], sgyp=t["sgyp"],
                            extra=bulletin_measures.sections(t, pm))
    write_bulletin(engine, blocks)
    _write_findings(engine, report, label)
    name = engine.defined_name("xl_month")
    if name is not None:
        engine.write_cells(name[0], {name[1].split(":")[0]: pm})


def _fill_history(history: dict[str, dict[int, int | None]], stats: pd.DataFrame | None, settings: Settings,
                  pm: int) -> None:
    """Earlier months missing from 排名历史 are ranked from 单位统计 (what was published wins)."""
    for m in range(2, pm):
        if any(m in h for h in history.values()):
            continue
        table = ranking.rank_units(stats, settings, m, {})
        if table["rank"].notna().any():
            for rec in table.to_dict("records"):
                history.setdefault(rec["unit"], {})[m] = None if rec["rank"] is pd.NA else int(rec["rank"])




def _write_findings(engine: Engine, report: Report, label: str) -> None:
    from xladdin.jobs.validate import FORMS_CHECK, write_findings

    write_findings(engine, report, title=f"{label}月报汇总检查结果", source=FORMS_CHECK)
