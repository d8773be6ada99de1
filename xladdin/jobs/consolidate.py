"""The monthly consolidation job: merge unit report forms, compute everything, fill the master.

Engine-agnostic: the master is any ``Engine``; forms are files read through the read-only
``FileEngine`` and ``report_form.read_form``. What the forms change is decided by the pure
``figures.merge.merge_forms`` (who counts as reported, revisions, refusals: see there); the
month's figures by ``figures.month.compute_month``; this module reads, applies and writes.

Ordinary months never stop: a ranked unit without a growth figure is unranked (无数据,
stats-missing), a workbook without 单位统计 or a period nobody has figures for yet is said
plainly (stats-period-missing, period-not-reported) and the job goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from xladdin.core.findings import Finding, Report, finding
from xladdin.core.ledger import read_stats
from xladdin.core.periods import Period
from xladdin.core.regions import NAMES, REGIONS, SHEETS
from xladdin.core.settings import Settings
from xladdin.core.sheet import parse_ref
from xladdin.engines.base import Engine
from xladdin.errors import ColumnNotFound, XladdinError
from xladdin.figures import bulletin
from xladdin.figures.merge import Merge, merge_forms
from xladdin.figures.month import compute_month, ledger_error_rows
from xladdin.figures.results import MonthResult, Reporting
from xladdin.jobs.form_intake import cap_findings, unread_files
from xladdin.jobs.form_pool import FormPool, open_form_pool
from xladdin.jobs.outputs import (
    broken_names,
    named_place,
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


def read_forms(forms_dir: Path, settings: Settings, status: Callable[[str], None] | None = None) -> tuple[list[FormData], list[Finding]]:
    """Every workbook in ``forms_dir`` (sorted by name) read as a report form, within the bounds of
    ``form_intake``; unreadable, oversized or foreign files are findings."""
    from xladdin.jobs.form_intake import read_forms as intake

    return intake(forms_dir, settings, status)


def master_identity(engine: Engine) -> str | None:
    """The master's 台账标识 (defined name ``xl_master_id``), or None when it has none."""
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
                progress: Callable[[str], None] | None = None, pool: FormPool | None = None) -> ConsolidationResult:
    """Run the period: merge forms (if ``forms_dir``), compute, write every output region.
    ``pool``: workers the caller forked for the forms of ``forms_dir`` (``form_pool``); without
    one, workers are forked here when that pays, else the forms are read in process."""
    def status(text: str) -> None:
        engine.status(text)
        if progress is not None:
            progress(text)

    pm = period.month
    found: list[Finding] = []
    if settings is None:
        settings, found = load_settings(engine)
    found = [*found, *broken_names(engine, REGIONS.values(), month=True)]
    forms: list[FormData] = []
    problems: list[Finding] = []
    if forms_dir is not None:
        # many forms: a forked worker reads them while this process reads and checks the ledger
        pool = pool or open_form_pool(Path(forms_dir))  # forks before the prefetch thread starts
    try:
        if forms_dir is not None:
            if pool is not None:
                pool.submit(settings)
            engine.prefetch(SHEETS["ledger"])  # the ledger parses in the background while the forms are read
            if pool is None:
                forms, problems = read_forms(Path(forms_dir), settings, status)
        status("正在读取项目台账 …")
        ledger = load_ledger(engine, settings)
        # 报送质量 reads the master's rows as they stood before this month's forms: a derived 本年累计 cell
        # (a formula) keeps its old cached value until the spreadsheet recalculates, which is no reporting error
        error_rows = ledger_error_rows(ledger, settings)
    except BaseException:
        if pool is not None:
            pool.close()  # the workers stop after the forms in hand; their results are not waited for
        raise
    if pool is not None:
        forms, problems = pool.collect(status)
    merge = Merge()
    if forms_dir is not None:
        forms, foreign = foreign_forms(forms, master_identity(engine), settings.year)
        merge = merge_forms(ledger, forms, settings, period)
        merge.findings = cap_findings(problems + unread_files(Path(forms_dir)) + foreign + merge.findings)
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
    month_cell = named_place(engine, NAMES["month"])
    if month_cell is not None:
        engine.write_cells(month_cell[0], {month_cell[1]: period.month})


def _write_findings(engine: Engine, report: Report, label: str) -> None:
    from xladdin.jobs.validate import FORMS_CHECK, write_findings

    write_findings(engine, report, title=f"{label}月报汇总检查结果", source=FORMS_CHECK)
