"""``xladdin demo``: writes the demo district's master ledger and one month of returned report forms.

Orchestration (imports the writers, hence openpyxl via them). The master holds months 1..M-1;
the forms carry month M as the units send them back, a handful with the mistakes staff make.
Then the month's jobs run on the result as far as they exist (validate, consolidate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from xladdin.books.form_writer import FORM_LETTERS, build_form, form_values
from xladdin.books.template import MASTER_FILE, build_master
from xladdin.core.fields import month_field
from xladdin.core.findings import grouped_lines
from xladdin.core.form_layout import FORM_FIRST_ROW, FormMeta, form_file_name
from xladdin.core.periods import Period
from xladdin.core.settings import Settings, default_settings
from xladdin.demo.progress import add_progress, unit_statistics
from xladdin.demo.projects import generate_projects
from xladdin.errors import UsageError

__all__ = ["DEMO_MONTH", "DEMO_PERIOD", "DEMO_SEED", "RESERVE_BASE", "DemoResult", "Mistake", "build_demo",
           "demo_settings", "describe", "plan_table", "run_demo", "write_samples"]

DEMO_SEED, DEMO_MONTH = 2022, 6
DEMO_PERIOD = Period(DEMO_MONTH)
MASTER_NAME = "主台账-演示.xlsx"
DEMO_ID = "GC-DEMO-2022"
SAMPLE_UNIT, SAMPLE_FORM = "北下街街道", "月报表样表.xlsx"
RESERVE_BASE = (5, 1_000_000.0)  # 2021 in-construction projects in the statistics database: count, 万元


@dataclass(frozen=True)
class Mistake:
    """A mistake planted in a returned form, and the finding code consolidation should raise."""

    file: str
    cell: str
    what: str
    code: str


@dataclass
class DemoResult:
    master: Path
    forms_dir: Path
    forms: list[Path]
    mistakes: list[Mistake]
    projects: pd.DataFrame  # the truth, months 1..M
    job_output: list[str] = field(default_factory=list)


def plan_table(projects: pd.DataFrame) -> pd.DataFrame:
    """The plan's key-project table (亿元) from a projects frame: count, total, annual plan by level."""
    groups = {"省重点": projects["level"] == "省重点", "市重点": projects["level"] == "市重点",
              "区重点": projects["level"] == "区重点", "攻坚星级": projects["star"].fillna(False).astype(bool),
              "982": projects["is_982"].fillna(False).astype(bool), "合计": projects["level"].notna()}
    rows = [{"口径": k, "项目数": int(m.sum()), "总投资（亿元）": round(projects.loc[m, "total_investment"].sum() / 1e4, 1),
             "年度计划投资（亿元）": round(projects.loc[m, "annual_plan"].sum() / 1e4, 1)} for k, m in groups.items()]
    return pd.DataFrame(rows)


def _plant(rows_by_unit: dict[str, list[dict[str, Any]]], year: int, month: int) -> list[Mistake]:
    """Edit the returned forms in place the way units get them wrong; returns what was planted."""
    cur = FORM_LETTERS["month_current"]

    def name(unit: str) -> str:
        return form_file_name(FormMeta(unit=unit, year=year, month=month))

    def active(unit: str, nth: int = 0) -> tuple[int, dict[str, Any]]:
        found = [(i, r) for i, r in enumerate(rows_by_unit[unit]) if (r["month_current"] or 0) > 0 and r["prev_ytd"] > 0]
        return found[nth]

    # 东大街街道 sends a file whose rows are 西大街街道's projects (copied the neighbour's form):
    # its own projects are then without a figure, and the unit counts as 未报送
    own = len(rows_by_unit["东大街街道"])
    rows_by_unit["东大街街道"] = [dict(r) for r in rows_by_unit["西大街街道"]]
    mistakes = [Mistake(name("东大街街道"), f"B{FORM_FIRST_ROW}", "东大街街道报送的表中是西大街街道的项目（西大街街道也已报送）", "form-double-report"),
                Mistake(name("东大街街道"), "", f"东大街街道本单位的 {own} 个项目都不在表中：计入未报送，"
                        f"{own} 个项目逐一列为本月无数据（form-project-missing）", "form-own-missing")]
    i, row = active("南关街道")
    row["month_current"] = -row["month_current"]
    mistakes.append(Mistake(name("南关街道"), f"{cur}{FORM_FIRST_ROW + i}", "当月完成填成负数", "negative-amount"))
    i, row = active("城东路街道", 1)
    row["month_current"] = f"约{round(row['month_current'])}"
    mistakes.append(Mistake(name("城东路街道"), f"{cur}{FORM_FIRST_ROW + i}", "当月完成填成文字“约…”", "not-a-number"))
    i, row = active("二里岗街道")
    row["ytd"] = round(row["prev_ytd"] * 0.6, 1)  # unprotected copy: the cumulative typed over the formula
    mistakes.append(Mistake(name("二里岗街道"), f"{FORM_LETTERS['ytd']}{FORM_FIRST_ROW + i}",
                            "解除保护后手工改写累计数，小于上月累计", "cumulative-decrease"))
    return mistakes


def demo_settings() -> Settings:
    """The defaults plus the statistics bureau's reserve base (plan §9), as the demo district's 参数
    gives it: the latest year's in-construction projects in the statistics database."""
    base = default_settings()
    return base.model_copy(update={"thresholds": base.thresholds.model_copy(update={
        "reserve_base_projects": RESERVE_BASE[0], "reserve_base_investment": RESERVE_BASE[1]})})


def build_demo(out_dir: Path, *, seed: int = DEMO_SEED, period: Period = DEMO_PERIOD,
               settings: Settings | None = None) -> DemoResult:
    """Write the demo master (months 1..M-1) and the returned forms for ``period`` (1-M月) into ``out_dir``."""
    month = period.month
    if not 3 <= month <= 12:
        raise UsageError(f"演示月份应为 3 至 12（1-2月为第一个统计期），现为 {month}。")
    if settings is None:  # the demo's 通报 is issue 12 of the year: a full 发文字号 and 成文日期
        base = demo_settings()
        settings = base.model_copy(update={"document": base.document.model_copy(
            update={"number": 12, "signed": f"{base.year}年{month + 1 if month < 12 else 1}月10日"})})
    truth = add_progress(generate_projects(seed, settings.year), month, seed)
    ledger = truth.copy()
    ledger[month_field(month)] = float("nan")  # not yet consolidated: the forms bring it
    master = build_master(out_dir / MASTER_NAME, settings=settings, projects=ledger,
                          stats=unit_statistics(month, seed), month=month - 1, master_id=DEMO_ID)
    forms_dir = out_dir / f"{settings.year}年{month}月月报表（已收回）"
    units = [u for u in settings.unit_names if (truth["unit"] == u).any()]
    rows_by_unit = {u: form_values(truth[truth["unit"] == u], period) for u in units}
    mistakes = _plant(rows_by_unit, settings.year, month)
    forms: list[Path] = []
    for unit in units:
        meta = FormMeta(unit=unit, year=settings.year, month=month, master_id=DEMO_ID, master_file=MASTER_NAME)
        forms.append(build_form(forms_dir / form_file_name(meta), meta, rows_by_unit[unit],
                                protect=unit != "二里岗街道"))
    return DemoResult(master, forms_dir, forms, mistakes, truth)


def write_samples(out_dir: Path) -> list[Path]:
    """``xladdin template DIR``: the blank master template and a sample form (a demo unit's form for
    the demo month, as issued), the two workbooks committed under ``workbooks/``."""
    settings = default_settings()
    master = build_master(out_dir / MASTER_FILE, settings=settings)
    truth = add_progress(generate_projects(DEMO_SEED, settings.year), DEMO_MONTH, DEMO_SEED)
    truth[month_field(DEMO_MONTH)] = float("nan")
    own = truth[truth["unit"] == SAMPLE_UNIT]
    meta = FormMeta(unit=SAMPLE_UNIT, year=settings.year, month=DEMO_MONTH, master_id=DEMO_ID, master_file=MASTER_NAME)
    return [master, build_form(out_dir / SAMPLE_FORM, meta, form_values(own, DEMO_PERIOD))]


def run_demo(out_dir: Path, *, seed: int = DEMO_SEED, period: Period = DEMO_PERIOD, run_jobs: bool = True) -> DemoResult:
    """``xladdin demo``: build, then run the month's jobs (validate, consolidate in place) and say
    what they found: every finding, grouped by kind."""
    from xladdin.engines.files import FileEngine
    from xladdin.jobs.in_place import consolidate_in_place
    from xladdin.jobs.validate import validate

    result = build_demo(out_dir, seed=seed, period=period)
    if not run_jobs:
        return result
    engine = FileEngine(result.master)
    try:
        report, _ = validate(engine)
    finally:
        engine.close()
    out = result.job_output
    out.append(f"校验主台账（{result.master.name}）：共 {report.projects} 个项目，" + _found(report.errors, report.warnings))
    out += grouped_lines(report.findings)
    done = consolidate_in_place(result.master, period, result.forms_dir)
    out.append(f"汇总 {period.month} 月月报表（{result.forms_dir.name}）：" + _found(done.report.errors, done.report.warnings))
    out += grouped_lines(done.report.findings)
    out += ["  " + line for line in done.summary_text().splitlines()]
    return result


def _found(errors: int, warnings: int) -> str:
    if not errors + warnings:
        return "未发现问题。"
    return f"发现问题 {errors + warnings} 处（错误 {errors} 处，警告 {warnings} 处）。"


def describe(result: DemoResult, period: Period = DEMO_PERIOD) -> str:
    """The text ``xladdin demo`` prints."""
    month = period.month
    table = plan_table(result.projects).to_string(index=False)
    lines = [
        f"演示区县已生成：{result.master.parent}",
        f"  主台账：{result.master.name}（含 1-{month - 1} 月进度、单位统计 1-2月至{month}月）",
        f"  已收回的 {month} 月月报表：{result.forms_dir.name}/ 共 {len(result.forms)} 份",
        "  其中故意留下的填报错误（供校验和汇总发现）：",
        *(f"    - {m.file}{' ' + m.cell if m.cell else ''}：{m.what}（应报 {m.code}）" for m in result.mistakes),
        "",
        "重点项目计划（与《2022年全区扩大有效投资工作实施方案》一致）：",
        table,
    ]
    if result.job_output:
        lines += ["", "已运行本月任务：", *result.job_output]
    return "\n".join(lines)
