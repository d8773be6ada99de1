"""Figures at their edges, each expectation worked out by hand in the test (issue 19).

Ledgers and 单位统计 sheets are read from small in-memory grids by the real readers; the expected
rate, status and growth are computed in the comments, never by calling xladdin's own formulas.
Period 1-6月: 序时进度 = 6 ÷ 12 = 50%; default band 0.5 pp, so 符合 is 49.5% … 50.5% inclusive.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from xladdin.core.ledger import read_ledger, read_stats
from xladdin.core.periods import Period
from xladdin.core.settings import Settings, Thresholds
from xladdin.core.sheet import SheetData
from xladdin.figures.progress import by_unit, project_ytd, schedule_status
from xladdin.figures.targets import evaluate, unit_targets

S = Settings()
MONTHS = [f"{m}月" for m in range(1, 7)]
HEADER = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", *MONTHS]


def ledger(*rows: list[Any], header: list[str] = HEADER) -> pd.DataFrame:
    return read_ledger(SheetData("项目台账", [header, *rows]), S).frame


def unit_row(frame: pd.DataFrame, unit: str, settings: Settings = S, stats: pd.DataFrame | None = None) -> dict[str, Any]:
    table = by_unit(frame, settings, Period.of(6), stats)
    rows: dict[str, dict[str, Any]] = {str(r["unit"]): r for r in table.to_dict("records")}
    return rows[unit]


@pytest.mark.parametrize(("done", "rate", "status"), [
    (505, 0.505, "符合序时进度"),   # 505 ÷ 1000 = 50.5%: gap +0.5 pp, on the band's edge
    (506, 0.506, "超序时进度"),     # 50.6%: gap +0.6 pp
    (495, 0.495, "符合序时进度"),   # 49.5%: gap −0.5 pp, on the other edge
    (494, 0.494, "滞后序时进度"),   # 49.4%: gap −0.6 pp
])
def test_schedule_status_at_the_band(done: float, rate: float, status: str) -> None:
    # plan 1000 spread as 6 months: done/6 each month so the sum is ``done``
    frame = ledger(["甲项目", "P1", "南曹街道", "区重点", 5000, 1000, *([done / 6] * 6)])
    row = unit_row(frame, "南曹街道")
    assert row["ytd_completed"] == pytest.approx(done)
    assert row["completion_rate"] == pytest.approx(rate)
    assert row["schedule"] == 0.5
    assert row["gap"] == pytest.approx(rate - 0.5)
    assert row["status"] == status


def test_schedule_band_from_settings() -> None:
    # band 2 pp: 52% (gap +2.0) is 符合, 52.1% (gap +2.1) is 超
    wide = S.model_copy(update={"thresholds": Thresholds(schedule_band_pp=2)})
    assert unit_row(ledger(["甲项目", "P1", "南曹街道", "区重点", 5000, 1000, 520]), "南曹街道", wide)["status"] == "符合序时进度"
    assert unit_row(ledger(["甲项目", "P1", "南曹街道", "区重点", 5000, 1000, 521]), "南曹街道", wide)["status"] == "超序时进度"
    assert unit_row(ledger(["甲项目", "P1", "南曹街道", "区重点", 5000, 1000, 521]), "南曹街道")["status"] == "超序时进度"
    assert schedule_status(None, Period.of(6)) == ""


def test_january_is_the_1_2_period() -> None:
    # month 1 means 1-2月: schedule 2 ÷ 12; 1/6 + 0.5 pp = 0.171666… is on the edge
    assert schedule_status(2 / 12 + 0.005, Period.of(1)) == "符合序时进度"
    assert schedule_status(2 / 12 + 0.0051, Period.of(1)) == "超序时进度"
    assert schedule_status(1 / 12 + 0.0051, Period.of(1)) == "滞后序时进度"  # 1-1月's schedule would call this 超


CUM_HEADER = [*HEADER, "1-5月累计", "1-6月累计"]  # the last 1-M月累计 column is also the 本年累计


def test_year_to_date_prefers_months_then_the_1_m_cumulative() -> None:
    frame = ledger(
        ["甲项目", "P1", "南曹街道", "区重点", 5000, 1000, 10, 10, 10, 10, 10, 10, 40, 55],  # months: 6 × 10 = 60
        ["乙项目", "P2", "南曹街道", "区重点", 5000, 1000, None, None, None, None, None, None, 40, 55],  # 1-6月: 55
        header=CUM_HEADER)
    assert project_ytd(frame, Period.of(6)).tolist() == [60.0, 55.0]
    # for 1-5月 the month sum stops at May (10 × 5 = 50) and the fallback is the 1-5月 column (40)
    assert project_ytd(frame, Period.of(5)).tolist() == [50.0, 40.0]
    row = unit_row(frame, "南曹街道")
    assert row["ytd_completed"] == 60 + 55  # 115
    assert row["completion_rate"] == pytest.approx(115 / 2000)


def test_year_to_date_falls_back_to_the_ytd_column() -> None:
    header = [*HEADER, "本年累计完成"]
    frame = ledger(["丙项目", "P3", "南曹街道", "区重点", 5000, 1000, None, None, None, None, None, None, 99],
                   ["丁项目", "P4", "南曹街道", "区重点", 5000, 1000, 1, 2, None, None, None, None, 3], header=header)
    assert project_ytd(frame, Period.of(6)).tolist() == [99.0, 3.0]  # 丁: months 1 + 2 = 3


STATS_HEADER = ["月份", "统计对象", "本年累计", "上年同期累计", "年度目标"]


def stats(*rows: list[Any]) -> pd.DataFrame:
    frame, found = read_stats(SheetData("单位统计", [STATS_HEADER, *rows]), S)
    assert found == []
    return frame


def test_the_first_statistics_row_of_a_subject_wins() -> None:
    frame = ledger(["甲项目", "P1", "南曹街道", "区重点", 5000, 1000, 100])
    first = stats([6, "南曹街道", 110, 100, None], [6, "南曹街道", 130, 100, None])
    assert unit_row(frame, "南曹街道", stats=first)["growth"] == pytest.approx(0.10)  # (110 − 100) ÷ 100
    other_month = stats([5, "南曹街道", 130, 100, None], [6, "南曹街道", 110, 100, None])
    assert unit_row(frame, "南曹街道", stats=other_month)["growth"] == pytest.approx(0.10)


def test_the_district_row_gives_the_unit_total_its_growth() -> None:
    frame = ledger(["甲项目", "P1", "南曹街道", "区重点", 5000, 1000, 100], ["乙项目", "P2", "南关街道", "区重点", 5000, 1000, 100])
    table = stats([6, "南曹街道", 110, 100, None], [6, "全区", 1150, 1000, None], [6, "全区固定资产投资", 1300, 1000, None])
    total = unit_row(frame, "合计", stats=table)
    assert total["growth"] == pytest.approx(0.15)  # (1150 − 1000) ÷ 1000, the first of the two district rows
    assert total["ytd_completed"] == 200
    assert pd.isna(unit_row(frame, "南关街道", stats=table)["growth"])  # no row: unknown, not 0
    assert pd.isna(unit_row(frame, "合计")["growth"])


def test_growth_target_met_exactly_and_missed_by_a_hair() -> None:
    # 全区 target 10%: (110 − 100) ÷ 100 = 10% is 达标; (109.99 − 100) ÷ 100 = 9.99% is not
    met = {r["scope"]: r for r in evaluate(stats([6, "全区", 110, 100, None]), S, Period.of(6)).to_dict("records")}
    assert (met["全区固定资产投资"]["status"], met["全区固定资产投资"]["gap"]) == ("达标", pytest.approx(0.0))
    missed = {r["scope"]: r for r in evaluate(stats([6, "全区", 109.99, 100, None]), S, Period.of(6)).to_dict("records")}
    assert missed["全区固定资产投资"]["status"] == "未达标"
    assert missed["全区固定资产投资"]["gap"] == pytest.approx(-0.0001)
    assert missed["工业投资"]["status"] == "无数据"  # no 工业 row: never a pass
    # a category target reads its category's row: 工业 (108 − 100) ÷ 100 = 8% = target 8%
    industry = {r["scope"]: r for r in evaluate(stats([6, "工业", 108, 100, None]), S, Period.of(6)).to_dict("records")}
    assert industry["工业投资"]["status"] == "达标"


def test_unit_annual_target_at_the_band() -> None:
    # 年度目标 2000: 1010 ÷ 2000 = 50.5% (符合, edge); 1012 ÷ 2000 = 50.6% (超); no target → 无数据
    table = stats([6, "南曹街道", 1010, 900, 2000], [6, "南关街道", 1012, 1000, 2000], [6, "金岱街道", 500, 400, None])
    rows = {r["unit"]: r for r in unit_targets(table, S, Period.of(6)).to_dict("records")}
    assert (rows["南曹街道"]["target_rate"], rows["南曹街道"]["status"]) == (pytest.approx(0.505), "符合序时进度")
    assert (rows["南关街道"]["target_rate"], rows["南关街道"]["status"]) == (pytest.approx(0.506), "超序时进度")
    assert rows["南曹街道"]["growth"] == pytest.approx(110 / 900)  # (1010 − 900) ÷ 900
    assert pd.isna(rows["金岱街道"]["target_rate"]) and rows["金岱街道"]["status"] == "无数据"
    assert rows["金岱街道"]["growth"] == pytest.approx(0.25)  # (500 − 400) ÷ 400
