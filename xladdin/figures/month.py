"""The month computed once: ledger + statistics + settings + period → one ``MonthResult``.

Pure (pandas; core and the other figures). ``compute_month`` is the one place the month's figures
are made; the consolidation writes its sheets from the result, ``summary`` turns it into JSON and
CSV, the Word bulletin and the local page read it. A project's 本年累计 (``progress.project_ytd``)
is computed once here and handed to every table that needs it.

Reading the inputs is the jobs' part: they pass the ledger, 单位统计 (None when absent) with why it
could not be read (``stats_problem``), 排名历史 as recorded, and, when forms were merged, who
reported (``Reporting``). Without forms, who has no figure for the period is read from the ledger
itself (``gaps.ledger_gaps``: 刷新, summary).
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

from xladdin.core.findings import Finding
from xladdin.core.ledger import Ledger
from xladdin.core.periods import Period
from xladdin.core.rules import validate_ledger
from xladdin.core.settings import Settings
from xladdin.figures import bulletin, bulletin_measures, gaps, programmes, progress, ranking, targets
from xladdin.figures.results import History, MonthResult, Programmes, ProgressTables, Reporting

__all__ = ["compute_month", "fill_history", "ledger_error_rows"]


def compute_month(ledger: Ledger, stats: pd.DataFrame | None, settings: Settings, period: Period, *,
                  history: History | None = None, stats_problem: str | None = None,
                  reporting: Reporting | None = None, error_rows: Collection[int] | None = None,
                  errors: int = 0) -> MonthResult:
    """Every figure, finding and bulletin block of ``period`` (see the module docstring).

    ``history``: 排名历史 as recorded (earlier months missing from it are ranked from 单位统计;
    what was published wins). ``error_rows``: the ledger rows with an error finding, for the bonds'
    报送质量 (default: ``ledger`` validated here). ``errors``: the errors found reading the inputs
    (settings, statistics, forms), which the bulletin counts with the month's own. A period nobody
    has a figure for (``progress.period_reported`` False) shows 累计完成, 完成率 and the gap as
    unknown and the status as 无数据, never last period's totals against this period's 序时进度."""
    frame = ledger.frame
    if error_rows is None:
        error_rows = ledger_error_rows(ledger, settings)
    recorded = fill_history(history or {}, stats, settings, period)
    reported = progress.period_reported(frame, period, ledger.columns)
    ytd = progress.project_ytd(frame, period)
    tables = ProgressTables(
        levels=progress.by_level(frame, period, settings, ytd=ytd),
        units=progress.by_unit(frame, settings, period, stats, ytd=ytd),
        categories=progress.by_category(frame, settings, period, stats, ytd=ytd),
        unit_categories=progress.by_unit_category(frame, settings, period, ytd=ytd),
    )
    if not reported:
        tables = ProgressTables(*(gaps.no_figures(t) for t in (tables.levels, tables.units, tables.categories,
                                                                tables.unit_categories)))
    ranks = ranking.rank_units(stats, settings, period, recorded)
    history_now = {unit: dict(months) for unit, months in recorded.items()}
    for unit, rank in zip(ranks["unit"], ranks["rank"], strict=True):
        history_now.setdefault(unit, {})[period.month] = None if pd.isna(rank) else int(rank)
    collected = reporting is not None and reporting.collected
    measures = Programmes(
        sgyp=programmes.sgyp(frame, period, ytd=ytd),
        key_links=programmes.key_links(frame),
        bonds=programmes.bonds(frame, settings, error_rows, reporting.missing if collected and reporting else None),
        bond_progress=programmes.bond_progress(frame, settings, period, ytd=ytd),
        government_progress=programmes.government_progress(frame, settings, period, ytd=ytd),
        reserve=programmes.reserve(frame, settings),
        attraction=programmes.attraction_125(frame, settings),
        not_entered=programmes.not_entered(frame, settings, period, ytd=ytd),
        entry_report=programmes.entry_report(frame, settings, period, ytd=ytd),
        reconstruction=programmes.reconstruction(frame, settings, period, ytd=ytd),
        new_starts=programmes.new_starts(frame, settings, period, ytd=ytd),
    )
    goals = targets.evaluate(stats, settings, period)
    unit_goals = targets.unit_targets(stats, settings, period)
    found: list[Finding] = gaps.month_findings(ledger, stats, stats_problem, ranks, reported, period)
    if reporting is None:
        missing, incomplete, unreported = gaps.ledger_gaps(ledger, settings.unit_names, period)
        found += unreported
        reporting = Reporting(tuple(missing), tuple(incomplete))
    problems = errors + sum(f.severity == "error" for f in found)
    blocks = bulletin.build(period, settings, targets=goals, levels=tables.levels, ranking=ranks,
                            not_entered=measures.not_entered, missing_units=list(reporting.missing),
                            problems=problems, bonds=measures.bonds, sgyp=measures.sgyp,
                            extra=bulletin_measures.sections(measures, unit_goals, period), reported=reported,
                            incomplete_units=list(reporting.incomplete))
    return MonthResult(period=period, reported=reported, progress=tables, targets=goals, unit_targets=unit_goals,
                       ranking=ranks, history=history_now, programmes=measures, missing_units=reporting.missing,
                       incomplete_units=reporting.incomplete, findings=tuple(found), bulletin=tuple(blocks))


def fill_history(history: History, stats: pd.DataFrame | None, settings: Settings, period: Period) -> History:
    """排名历史 with the earlier months it lacks ranked from 单位统计 (what was published wins)."""
    out = {unit: dict(months) for unit, months in history.items()}
    for m in period.closing_months[:-1]:
        if any(m in h for h in out.values()):
            continue
        table = ranking.rank_units(stats, settings, Period(m), {})
        if table["rank"].notna().any():
            for unit, rank in zip(table["unit"], table["rank"], strict=True):
                out.setdefault(unit, {})[m] = None if pd.isna(rank) else int(rank)
    return out


def ledger_error_rows(ledger: Ledger, settings: Settings) -> set[int]:
    """Excel rows of ``ledger`` that carry an error finding of the validation rules."""
    return {f.row for f in validate_ledger(ledger, settings).findings if f.severity == "error" and f.sheet == ledger.sheet}
