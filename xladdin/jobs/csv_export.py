"""CSV output of the findings and of the month's summary tables, safe to open in Excel.

Engine-agnostic (standard library csv; the jobs' headers). Files are UTF-8 with a BOM (so Excel
reads the Chinese), comma-separated, CRLF, written atomically. Every text cell goes through
``safety.csv_safe`` (a leading ``= + - @`` … becomes ``'…``, OWASP CSV injection), and a text that
is exactly an Excel error literal (``#N/A`` …) is prefixed the same way, since Excel would turn it
into an error value. Numbers stay numbers: amounts in 万元 (two decimals), rates as percentages
(one decimal, header "（%）").
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from xladdin.core.findings import Report
from xladdin.core.values import ERROR_LITERALS
from xladdin.engines.guards.vetting import csv_safe
from xladdin.engines.guards.writes import atomic_write
from xladdin.figures.presentation import LABELS as HEADERS
from xladdin.figures.presentation import RATE_KEYS, csv_value, field_label, yes_no
from xladdin.figures.results import MonthResult

__all__ = ["SUMMARY_TABLES", "cell_text", "write_csv", "write_findings_csv", "write_summary_csv"]

# file stem, the table in the month's result, columns
SUMMARY_TABLES: tuple[tuple[str, Callable[[MonthResult], pd.DataFrame], tuple[str, ...]], ...] = (
    ("按项目级别", lambda m: m.progress.levels, ("level", "projects", "total_investment", "annual_plan", "ytd_completed",
                           "completion_rate", "schedule", "gap", "status")),
    ("按责任单位", lambda m: m.progress.units, ("unit", "projects", "total_investment", "annual_plan", "ytd_completed",
                          "completion_rate", "schedule", "gap", "status", "growth")),
    ("按行业类别", lambda m: m.progress.categories, ("category", "projects", "total_investment", "annual_plan", "ytd_completed",
                              "completion_rate", "schedule", "gap", "status", "growth")),
    ("增长目标", lambda m: m.targets, ("scope", "ytd", "ytd_last_year", "growth", "target", "gap", "status")),
    ("排名", lambda m: m.ranking, ("rank", "unit", "ytd", "ytd_last_year", "growth", "run", "action")),
    ("已开工未入库项目", lambda m: m.programmes.not_entered, ("unit", "code", "name", "project_status", "verdict", "reason",
                                   "total_investment", "row")),
    ("各单位年度目标", lambda m: m.unit_targets, ("unit", "annual_target", "ytd", "target_rate", "schedule", "gap", "status",
                                 "growth")),
    ("专项债券评价", lambda m: m.programmes.bonds, ("rank", "unit", "kind", "bond_applied", "bond_issued", "bond_disbursed", "issuance",
                          "quality", "disbursement", "compliance", "score")),
    ("统计入库情况", lambda m: m.programmes.entry_report, ("unit", "required", "entered", "missing", "unknown", "entry_rate")),
    ("灾后重建", lambda m: m.programmes.reconstruction, ("rank", "unit", "projects", "annual_plan", "ytd_completed", "completion_rate",
                                "status", "behind", "behind_names")),
    ("新开工", lambda m: m.programmes.new_starts, ("unit", "new_build", "continued", "completed", "planned", "due", "started_new",
                           "start_rate", "due_rate")),
)


def cell_text(value: Any) -> Any:
    """A CSV cell: text defused (see module doc), numbers as they are, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.strip() in ERROR_LITERALS else csv_safe(text)


def write_csv(path: Path, rows: Iterable[Sequence[Any]]) -> Path:
    """``rows`` (the first the header) to ``path`` as UTF-8-with-BOM CSV, every cell through ``cell_text``."""
    path = Path(path)
    data = [[cell_text(v) for v in row] for row in rows]

    def write(temp: Path) -> None:
        with temp.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows(data)

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, write)
    return path


def write_findings_csv(report: Report, path: Path) -> Path:
    """校验结果 as CSV, row for row as on the sheet (``validate.finding_row``)."""
    from xladdin.jobs.validate import FINDINGS_HEADER, finding_row

    rows: list[list[Any]] = [list(FINDINGS_HEADER)]
    rows += [finding_row(f, n) for n, f in enumerate(report.findings, start=1)]
    return write_csv(path, rows)


def _header(key: str) -> str:
    label = HEADERS.get(key, field_label(key))
    return f"{label}（%）" if key in RATE_KEYS else label


def write_summary_csv(month: MonthResult, folder: Path) -> list[Path]:
    """One CSV per summary table of the month's result (as ``summary`` reports it:
    ``jobs.summary.month_summary``), named ``<period>_<table>.csv``; figures through
    ``presentation.csv_value``."""
    period = month.period.label
    out: list[Path] = []
    for stem, table, columns in SUMMARY_TABLES:
        rows: list[list[Any]] = [[_header(c) for c in columns]]
        rows += [[csv_value(c, rec.get(c)) for c in columns] for rec in table(month).to_dict("records")]
        out.append(write_csv(Path(folder) / f"{period}_{stem}.csv", rows))
    return out
