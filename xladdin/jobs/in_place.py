"""The two in-place jobs on a master file, as every entry point runs them (CLI, page, demo).

One place decides what goes into the backup index for each job (its name, month and what it
changed): the index is how ``xladdin backups`` and the page list copies, and how retention keeps
the pre-consolidation original of a month (``guards.backups``: a copy is protected by its month).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from xladdin.core.findings import Report
from xladdin.core.periods import Period
from xladdin.engines.guards.backups import CONSOLIDATE_JOB
from xladdin.engines.xlsx.early_read import EarlyRead
from xladdin.jobs.consolidate import NEEDS, ConsolidationResult, consolidate
from xladdin.jobs.form_pool import FormPool
from xladdin.jobs.session import run_in_place
from xladdin.jobs.validate import MARK_NEEDS, validate_and_mark

__all__ = ["MARK_JOB", "consolidate_in_place", "mark_in_place"]

MARK_JOB = "校验标注"


def mark_in_place(path: Path, *, sheet: str | None = None, password: str | None = None,
                  progress: Callable[[str], None] | None = None, early: EarlyRead | None = None) -> tuple[Report, int]:
    """``validate --mark``: the findings (the same as a read-only run: formula cells read as their
    cached results) written into 校验结果 and the marked cells; returns the report and the number
    of cells marked. ``early``: the ledger's read started by the caller (the CLI) before it
    imported the job (``cached_values=True``, as this job reads)."""
    done = run_in_place(Path(path), lambda engine: validate_and_mark(engine, sheet=sheet), needs=MARK_NEEDS,
                        password=password, progress=progress, cached_values=True, name=MARK_JOB,
                        describe=lambda done: f"标注 {done.marked} 个单元格", early=early)
    return done.report, done.marked


def consolidate_in_place(master: Path, period: Period, forms: Path | None, *, output: Path | None = None,
                         progress: Callable[[str], None] | None = None, early: EarlyRead | None = None,
                         pool: FormPool | None = None) -> ConsolidationResult:
    """The monthly consolidation of ``forms`` into ``master`` (or into ``output``), indexed as
    月度汇总 of ``period``'s month. ``early``, ``pool``: the ledger's read and the form workers
    started by the caller (the CLI) before it imported the job."""
    return run_in_place(Path(master), lambda engine: consolidate(engine, period, forms, pool=pool), needs=NEEDS,
                        output=output,
                        progress=progress, name=CONSOLIDATE_JOB, month=period.month,
                        describe=lambda done: done.change_text(), early=early)
