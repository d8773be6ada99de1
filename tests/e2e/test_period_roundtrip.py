"""Issue 12 seen 6 / issue 11 item 2: one Period. Forms issued for month M from a master and
returned unchanged change nothing, for every month 1-12; months 1 and 2 are the same 1-2月
period for the forms and for consolidation."""

from __future__ import annotations

from pathlib import Path

import pytest

from xladdin.books.template import build_master
from xladdin.core.periods import Period
from xladdin.core.settings import default_settings
from xladdin.demo.progress import add_progress
from xladdin.demo.projects import generate_projects
from xladdin.engines.files import FileEngine
from xladdin.errors import UsageError
from xladdin.jobs.consolidate import consolidate
from xladdin.jobs.forms import forms_from_master
from xladdin.jobs.session import open_for_job

UNITS = ("南关街道", "东大街街道")


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small master with every month 1-12 filled (January too, apart from February)."""
    settings = default_settings()
    projects = add_progress(generate_projects(2022, settings.year), 12, 2022)
    small = projects[projects["unit"].isin(UNITS)].reset_index(drop=True)
    assert small["m01"].fillna(0).gt(0).any() and small["m02"].fillna(0).gt(0).any()
    return build_master(tmp_path_factory.mktemp("rt") / "master.xlsx", settings=settings, projects=small, month=12)


def ledger_rows(path: Path) -> list[list[object]]:
    engine = FileEngine(path)
    try:
        return [list(r) for r in engine.read("项目台账").rows]
    finally:
        engine.close()


@pytest.mark.parametrize("month", range(1, 13))
def test_forms_returned_unchanged_change_nothing(master: Path, month: int, tmp_path: Path) -> None:
    period = Period.of(month)
    files, skipped = forms_from_master(master, period, tmp_path / "forms")
    assert len(files) == len(UNITS) and skipped == []
    out = tmp_path / "out.xlsx"
    with open_for_job(master, output=out) as engine:
        result = consolidate(engine, period, tmp_path / "forms")
    assert result.period == period.label
    assert result.merge.writes == {} and result.merge.revisions == [], result.merge.writes
    assert result.merge.missing == [] and result.merge.incomplete == []
    assert result.merge.merged > 0
    assert not [f for f in result.report.findings if f.code.startswith("form-")]
    # every header and project cell identical (rows 1-2 are the title and the 报告月份 stamp)
    assert ledger_rows(out)[2:] == ledger_rows(master)[2:]


def test_month_1_and_2_are_one_period_everywhere(master: Path, tmp_path: Path) -> None:
    one, _ = forms_from_master(master, Period.of(1), tmp_path / "one")
    two, _ = forms_from_master(master, Period.of(2), tmp_path / "two")
    assert [p.name for p in one] == [p.name for p in two]
    for a, b in zip(one, two, strict=True):
        ea, eb = FileEngine(a), FileEngine(b)
        try:
            assert ea.read("月报表").rows == eb.read("月报表").rows
        finally:
            ea.close()
            eb.close()
    assert Period.of(1) == Period.of(2) == Period(2)
    assert (Period.of(1).label, Period.of(1).schedule, Period.of(1).earlier_months) == ("1-2月", 2 / 12, (1,))
    assert Period.of(7).months == tuple(range(1, 8)) and Period.of(7).closing_months == tuple(range(2, 8))
    for bad in (0, 13, True, 2.0):
        with pytest.raises(UsageError):
            Period.of(bad)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        Period(1)  # a period closes in February at the earliest: use Period.of(1)
