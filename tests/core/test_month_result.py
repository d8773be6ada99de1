"""The month computed once (issue 11): ``figures.month.compute_month`` gives one frozen result that
every output reads; a project's 本年累计 handed to the tables gives the figures they compute alone;
JSON, CSV and cells take their values through ``figures.presentation``."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xladdin.core.periods import Period
from xladdin.demo.district import build_demo
from xladdin.engines.files import FileEngine
from xladdin.figures import programmes, progress
from xladdin.figures.month import compute_month
from xladdin.figures.presentation import cell_value, csv_value, json_value, plain
from xladdin.figures.results import Reporting
from xladdin.jobs.consolidate import consolidate, load_stats_checked
from xladdin.jobs.outputs import read_history
from xladdin.jobs.session import load_ledger, load_settings, run_in_place
from xladdin.jobs.summary import month_summary, summary_json


@pytest.fixture(scope="module")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo")).master


def _inputs(master: Path) -> tuple:  # type: ignore[type-arg]
    engine = FileEngine(master)
    try:
        settings, _ = load_settings(engine)
        ledger = load_ledger(engine, settings)
        stats, _, problem = load_stats_checked(engine, settings)
        return ledger, stats, settings, problem, read_history(engine)
    finally:
        engine.close()


def test_the_result_is_frozen_and_its_tables_are_what_each_figure_gives_alone(demo_master: Path) -> None:
    ledger, stats, settings, problem, history = _inputs(demo_master)
    period = Period(5)  # the demo master holds 1-5月
    month = compute_month(ledger, stats, settings, period, history=history, stats_problem=problem)
    with pytest.raises(dataclasses.FrozenInstanceError):
        month.reported = False  # type: ignore[misc]
    frame = ledger.frame
    pd.testing.assert_frame_equal(month.progress.units, progress.by_unit(frame, settings, period, stats))
    pd.testing.assert_frame_equal(month.progress.levels, progress.by_level(frame, period, settings))
    pd.testing.assert_frame_equal(month.programmes.sgyp, programmes.sgyp(frame, period))
    pd.testing.assert_frame_equal(month.programmes.reconstruction, programmes.reconstruction(frame, settings, period))
    pd.testing.assert_frame_equal(month.programmes.new_starts, programmes.new_starts(frame, settings, period))
    pd.testing.assert_frame_equal(month.programmes.bond_progress, programmes.bond_progress(frame, settings, period))
    assert month.reported and month.programmes.sgyp["projects"].sum() > 0
    # 排名历史 carries this period's ranks, as the ranking table shows them
    ranked = {u: int(r) for u, r in zip(month.ranking["unit"], month.ranking["rank"], strict=True) if not pd.isna(r)}
    assert ranked and all(month.history[u][5] == r for u, r in ranked.items())
    # without forms, who has no figure for the period is read from the ledger (刷新, summary)
    forms = compute_month(ledger, stats, settings, period, history=history,
                          reporting=Reporting(("南关街道",), (), collected=True), errors=2)
    said = [b.text for b in forms.bulletin]
    assert forms.missing_units == ("南关街道",) and "本月未按时报送月报表的单位：南关街道。" in said
    assert any(t.startswith("月报表汇总中发现2处数据错误") for t in said)
    assert not any(t.startswith("月报表汇总中发现") for t in (b.text for b in month.bulletin))


def test_a_period_nobody_reported_shows_no_figures_and_says_so(demo_master: Path) -> None:
    ledger, stats, settings, problem, history = _inputs(demo_master)
    month = compute_month(ledger, stats, settings, Period(6), history=history, stats_problem=problem)
    assert not month.reported
    assert set(month.progress.levels["status"]) == {"无数据"}
    assert "period-not-reported" in {f.code for f in month.findings}


def test_consolidation_summary_and_json_read_one_result(demo_master: Path, tmp_path: Path) -> None:
    work = tmp_path / "master.xlsx"
    work.write_bytes(demo_master.read_bytes())
    done = run_in_place(work, lambda e: consolidate(e, Period(5)))
    assert done.settings.year == 2022 and done.figures.period == Period(5)
    engine = FileEngine(work)
    try:
        summary = month_summary(engine, Period(5))
    finally:
        engine.close()
    data = json.loads(json.dumps(summary_json(summary), ensure_ascii=False))
    total = done.figures.progress.total()
    level_total = next(r for r in data["by_level"] if r["level"] == "合计")
    assert level_total["ytd_completed"] == round(float(total["ytd_completed"]), 6)
    assert [r["unit"] for r in data["ranking"]] == list(done.figures.ranking["unit"])


def test_one_converter_per_medium_through_plain() -> None:
    assert plain(np.float64("nan")) is None and plain(pd.NA) is None and plain(np.int64(3)) == 3
    assert type(plain(np.int64(3))) is int
    assert json_value(np.float64(0.123456789)) == 0.123457 and json_value(True) is True
    assert csv_value("growth", 0.123456789) == 12.3 and csv_value("ytd", 1234.5678) == 1234.57
    assert csv_value("projects", np.int64(7)) == 7 and csv_value("growth", None) is None
    assert cell_value("growth", 0.123456789) == 0.123457 and cell_value("ytd", 1234.5678) == 1234.57
    assert cell_value("met", np.bool_(True)) == "是" and cell_value("ytd", float("nan")) is None


def test_the_months_own_findings_are_warnings_so_the_bulletin_counts_only_input_errors() -> None:
    """A consolidation tells the bulletin how many errors the inputs had (参数, 单位统计, the forms)
    before it computes the month; ``bulletin_export.form_findings`` later counts every error in
    校验结果, which also holds the month's own findings (``figures/gaps.py``). The two counts agree
    only while the month itself never finds an error: every code gaps.py can emit is a warning."""
    import re

    from xladdin.core.findings import CODES
    from xladdin.figures import gaps

    source = Path(gaps.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'finding\(\s*"([a-z0-9-]+)"', source))
    assert codes == {"period-not-reported", "stats-period-missing", "stats-missing", "period-unit-missing",
                     "form-project-missing"}
    assert {code: CODES[code][0] for code in codes} == dict.fromkeys(codes, "warning")
