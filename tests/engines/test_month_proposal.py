"""The month a job proposes (jobs.months), on the file engine; the remote engine's path is in
test_ribbon_remote.py. The demo master holds 1-2月 … 5月; its forms folder holds June's forms."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xladdin.core.periods import Period
from xladdin.engines.files import FileEngine
from xladdin.jobs.forms import forms_from_master
from xladdin.jobs.months import forms_month, month_after, propose_month


@pytest.fixture
def demo(demo_master: tuple[Path, Path]) -> tuple[Path, Path]:
    return demo_master  # built once per session (tests/conftest.py): read-only


def test_month_after_treats_january_and_february_as_one_period() -> None:
    assert [month_after(m) for m in (None, 1, 2, 3, 5, 11, 12)] == [2, 3, 3, 4, 6, 12, 12]


def test_returned_forms_propose_their_own_month(demo: tuple[Path, Path], tmp_path: Path) -> None:
    master, june = demo
    engine = FileEngine(master)
    try:
        got = propose_month(engine, "consolidate", june)
        assert got.month == 6 and "27 份报表的报告月份为 6月" in got.reason
        april = tmp_path / "april"
        forms_from_master(master, Period(4), april)
        assert propose_month(engine, "consolidate", april).month == 4  # not the ledger's next month
        none = tmp_path / "none"
        none.mkdir()
        (none / "说明.xlsx").write_bytes(b"not a workbook")
        fallback = propose_month(engine, "consolidate", none)
        assert fallback.month == 6 and "已汇总到 5月" in fallback.reason
        assert propose_month(engine, "forms", june).month == 6  # forms: always the next month
        assert propose_month(engine, "refresh").month == 5
    finally:
        engine.close()


def test_mixed_forms_propose_the_month_most_carry(demo: tuple[Path, Path], tmp_path: Path) -> None:
    master, june = demo
    mixed = tmp_path / "mixed"
    shutil.copytree(june, mixed)
    forms_from_master(master, Period(4), tmp_path / "april")
    for path in sorted((tmp_path / "april").iterdir())[:3]:
        shutil.copy(path, mixed / f"四月-{path.name}")
    assert forms_month(mixed) == (6, 27)
    assert forms_month(tmp_path / "missing") is None
