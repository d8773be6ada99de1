"""The progress tables whole, and the helpers on frames other callers pass (issue 19: mutation
testing found 参数's band, the 合计 row, empty tables, the level list, plain frames without the
reader's columns and ``period_reported`` unpinned). Every value is worked out in the comments;
period 1-6月, 序时进度 6 ÷ 12 = 50%; band 2 pp where 参数 sets it (default 0.5 pp).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from xladdin.core.ledger import read_ledger, read_stats
from xladdin.core.periods import Period
from xladdin.core.settings import Settings, TermSpec, Thresholds
from xladdin.core.sheet import SheetData
from xladdin.figures.progress import (
    PROGRESS_COLUMNS,
    by_category,
    by_level,
    by_unit,
    by_unit_category,
    completion_rate,
    growth,
    period_reported,
    project_ytd,
    stats_growth,
    stats_rows,
)

S = Settings()
WIDE = Settings(thresholds=Thresholds(schedule_band_pp=2))
JUNE = Period.of(6)
STATS_HEADER = ["月份", "统计对象", "本年累计", "上年同期累计", "年度目标"]


def stats(*rows: list[Any]) -> pd.DataFrame:
    frame, found = read_stats(SheetData("单位统计", [STATS_HEADER, *rows]), S)
    assert found == []
    return frame


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    def plain(v: Any) -> Any:
        return None if v is None or (isinstance(v, float) and pd.isna(v)) else v
    return [{str(k): plain(v) for k, v in r.items()} for r in table.to_dict("records")]


def row(n: int, t: float, p: float, d: float, rate: float | None, status: str, grow: float | None = None) -> dict[str, Any]:
    """A progress row; gap = rate − 50%."""
    return {"projects": n, "total_investment": t, "annual_plan": p, "ytd_completed": pytest.approx(d),
            "completion_rate": None if rate is None else pytest.approx(rate), "schedule": 0.5,
            "gap": None if rate is None else pytest.approx(rate - 0.5), "status": status,
            "growth": None if grow is None else pytest.approx(grow)}


def test_rates_with_denominators_between_0_and_1() -> None:
    assert completion_rate(0.25, 0.5) == 0.5  # 0.25 ÷ 0.5
    assert completion_rate(1.0, 0.0) is None and completion_rate(1.0, -1.0) is None
    assert growth(1.5, 0.5) == 2.0  # (1.5 − 0.5) ÷ 0.5
    assert growth(1.0, 0.0) is None and growth(1.0, -2.0) is None


# ---- period_reported ---------------------------------------------------------------------------

def _ledger(header: list[str], *rows: list[Any]) -> Any:
    return read_ledger(SheetData("项目台账", [["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资",
                                                *header], *rows]), S)


def test_period_reported_reads_the_periods_own_column() -> None:
    months = [f"{m}月" for m in range(1, 7)]
    base = ["甲项目", "P1", "南关街道", "区重点", 1000, 100]
    june_blank = _ledger(months, [*base, 1, 2, 3, 4, 5, None])
    assert period_reported(june_blank.frame, JUNE, june_blank.columns) is False  # filled to May only
    june = _ledger(months, [*base, 1, 2, 3, 4, 5, 6])
    assert period_reported(june.frame, JUNE, june.columns) is True
    # no 6月 column on the sheet (the reader's frame still carries the key): not judged here
    to_may = _ledger(months[:5], [*base, 1, 2, 3, 4, 5])
    assert period_reported(to_may.frame, JUNE, to_may.columns) is True
    assert period_reported(to_may.frame, JUNE) is False  # without ``present``: the frame's keys (m06 blank)
    # 1-2月: January's figure alone reports the period
    jan = _ledger(months[:2], [*base, 7, None])
    assert period_reported(jan.frame, Period.of(2), jan.columns) is True
    assert period_reported(_ledger(months[:2], [*base, None, None]).frame, Period.of(2), jan.columns) is False
    # the 1-6月累计 column counts as the period's own figure
    cum = _ledger(["1-5月累计", "1-6月累计", "6月"], [*base, 10, 12, None])
    assert period_reported(cum.frame, JUNE, cum.columns) is True
    assert period_reported(_ledger(["1-5月累计", "1-6月累计", "6月"], [*base, 10, None, None]).frame, JUNE,
                           cum.columns) is False


# ---- project_ytd and the stats helpers on plain frames ------------------------------------------

def test_project_ytd_on_plain_frames() -> None:
    # no month column at all: 本年累计 for every row (two rows: the index is the frame's)
    only_ytd = project_ytd(pd.DataFrame({"ytd": [5.0, 7.0]}, index=[3, 4]), JUNE)
    assert only_ytd.tolist() == [5.0, 7.0] and only_ytd.index.tolist() == [3, 4]
    # 1-2月: 1 + text (nothing) = 1; a row without months falls back to 1-2月累计 9, then 本年累计 4;
    # a text 本年累计 is nothing
    frame = pd.DataFrame({"m01": [1.0, None, None, None], "m02": ["x", None, None, None],
                          "cum02": [None, 9.0, "约9", None], "ytd": [None, None, 4.0, "约5"]})
    got = project_ytd(frame, Period.of(2))
    assert got.dtype == "float64"
    assert got.tolist()[:3] == [1.0, 9.0, 4.0] and pd.isna(got.iloc[3])


def test_stats_helpers_on_frames_without_every_column() -> None:
    assert list(stats_rows(None, JUNE).columns) == ["month", "subject", "ytd", "ytd_last_year"]
    assert list(stats_rows(pd.DataFrame(), JUNE).columns) == ["month", "subject", "ytd", "ytd_last_year"]
    # a row dated 1 belongs to the 1-2月 period
    assert stats_rows(stats([1, "全区", 110, 100, None]), Period.of(2))["subject"].tolist() == ["全区"]
    no_last = pd.DataFrame({"month": [6], "subject": ["全区"], "ytd": [110.0]})
    assert stats_growth(no_last, JUNE, ["全区"]) == (110.0, None, None)
    no_ytd = pd.DataFrame({"month": [6], "subject": ["全区"], "ytd_last_year": [100.0]})
    assert stats_growth(no_ytd, JUNE, ["全区"]) == (None, 100.0, None)


# ---- by_level ----------------------------------------------------------------------------------

LEVEL_FRAME = pd.DataFrame({
    "level": ["区重点", "区重点", "县重点"],  # 县重点: not in 参数, listed after the known levels
    "total_investment": [1000.0, "约200", 300.0],  # a text total counts as nothing
    "annual_plan": [100.0, 100.0, 0.0],
    "m01": [52.0, 48.0, 2.0],
})  # no star or is_982 column: those rows count nothing


def test_by_level_whole_with_the_settings_levels_and_band() -> None:
    settings = WIDE.model_copy(update={"levels": (TermSpec(name="区重点"), TermSpec(name="市重点"))})
    table = by_level(LEVEL_FRAME, JUNE, settings)
    assert records(table) == [
        {"level": "区重点", **row(2, 1000.0, 200.0, 100.0, 0.5, "符合序时进度")},  # 100 ÷ 200 = 50%
        {"level": "市重点", **row(0, 0.0, 0.0, 0.0, None, "")},
        {"level": "县重点", **row(1, 300.0, 0.0, 2.0, None, "")},  # plan 0: no rate
        {"level": "攻坚星级", **row(0, 0.0, 0.0, 0.0, None, "")},
        {"level": "982", **row(0, 0.0, 0.0, 0.0, None, "")},
        # 102 ÷ 200 = 51%, gap +1 pp: within 参数's 2 pp (the default 0.5 pp would say 超)
        {"level": "合计", **row(3, 1300.0, 200.0, 102.0, 0.51, "符合序时进度")},
    ]


def test_by_level_without_settings_lists_the_default_levels() -> None:
    table = by_level(LEVEL_FRAME, JUNE)
    assert table["level"].tolist() == ["省重点", "市重点", "区重点", "县重点", "攻坚星级", "982", "合计"]
    assert table["status"].tolist()[-1] == "超序时进度"  # 51%: gap +1 pp > 0.5 pp


# ---- by_unit, by_category, by_unit_category ----------------------------------------------------

HEADER = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "行业类别", "6月"]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return read_ledger(SheetData("项目台账", [
        HEADER,
        ["甲项目", "P1", "南关街道", "区重点", 1000, 100, "工业", 53],
        ["乙项目", "P2", "南关街道", "区重点", 500, 100, "未知类", 50],  # category not in 参数: 未分类
        ["丙项目", "P3", "某某办", "区重点", 200, 100, "工业", 51.5],  # unit not in 参数: 未识别单位
    ]), WIDE).frame


def test_by_unit_whole(frame: pd.DataFrame) -> None:
    table = by_unit(frame, WIDE, JUNE, stats([6, "全区固定资产投资", 1150, 1000, None], [6, "南关街道", 120, 100, None],
                                            [6, "未识别单位", 130, 100, None]))
    assert list(table.columns) == ["unit", *PROGRESS_COLUMNS]
    assert records(table) == [
        # (53 + 50) ÷ 200 = 51.5%, gap +1.5 pp: 符合 within 2 pp; growth (120 − 100) ÷ 100
        {"unit": "南关街道", **row(2, 1500.0, 200.0, 103.0, 0.515, "符合序时进度", 0.2)},
        # 51.5 ÷ 100; a 单位统计 row named 未识别单位 is no unit's growth
        {"unit": "未识别单位", **row(1, 200.0, 100.0, 51.5, 0.515, "符合序时进度")},
        # 154.5 ÷ 300 = 51.5%; growth from 全区固定资产投资: (1150 − 1000) ÷ 1000
        {"unit": "合计", **row(3, 1700.0, 300.0, 154.5, 0.515, "符合序时进度", 0.15)},
    ]


def test_by_category_whole(frame: pd.DataFrame) -> None:
    # "工业项目" is an alias of 工业 (read as 工业); 全区 comes first in 单位统计 and must not give
    # 工业 its growth
    table = by_category(frame, WIDE, JUNE, stats([6, "全区固定资产投资", 200, 100, None], [6, "工业项目", 110, 100, None],
                                                [6, "未分类", 130, 100, None]))
    assert records(table) == [
        # (53 + 51.5) ÷ 200 = 52.25%, gap +2.25 pp > 2 pp; growth (110 − 100) ÷ 100
        {"category": "工业", **row(2, 1200.0, 200.0, 104.5, 0.5225, "超序时进度", 0.1)},
        {"category": "未分类", **row(1, 500.0, 100.0, 50.0, 0.5, "符合序时进度")},
        {"category": "合计", **row(3, 1700.0, 300.0, 154.5, 0.515, "符合序时进度")},  # no total scope: no growth
    ]


def test_by_unit_category_whole(frame: pd.DataFrame) -> None:
    table = by_unit_category(frame, WIDE, JUNE)
    assert records(table) == [
        {"unit": "南关街道", "category": "工业", **row(1, 1000.0, 100.0, 53.0, 0.53, "超序时进度")},  # +3 pp
        {"unit": "南关街道", "category": "未分类", **row(1, 500.0, 100.0, 50.0, 0.5, "符合序时进度")},
        {"unit": "未识别单位", "category": "工业", **row(1, 200.0, 100.0, 51.5, 0.515, "符合序时进度")},  # +1.5 pp
    ]


def test_empty_ledgers_give_empty_tables_and_a_zero_total(frame: pd.DataFrame) -> None:
    empty = frame.iloc[0:0]
    assert list(by_unit_category(empty, S, JUNE).columns) == ["unit", "category", *PROGRESS_COLUMNS]
    assert records(by_unit(empty, S, JUNE)) == [{"unit": "合计", **row(0, 0.0, 0.0, 0.0, None, "")}]


def test_plain_frames_with_text_and_blank_figures() -> None:
    # text or blank 总投资 / 年度计划 count as nothing, in the groups and in 合计 alike:
    # t = 1000, p = 100 + 50 = 150, d = 10 + 5 + 2 = 17 → 17 ÷ 150 = 11.33%
    plain = pd.DataFrame({"unit": ["南关街道"] * 3, "total_investment": [1000.0, "约1", None],
                          "annual_plan": [100.0, "x", 50.0], "m06": [10.0, 5.0, 2.0]})
    table = by_unit(plain, S, JUNE)
    assert records(table) == [{"unit": "南关街道", **row(3, 1000.0, 150.0, 17.0, 17 / 150, "滞后序时进度")},
                              {"unit": "合计", **row(3, 1000.0, 150.0, 17.0, 17 / 150, "滞后序时进度")}]
    levels = by_level(plain.assign(level="区重点"), JUNE)
    assert records(levels)[2] == {"level": "区重点", **row(3, 1000.0, 150.0, 17.0, 17 / 150, "滞后序时进度")}
    # a text in the period's own column is no figure; a text month in 单位统计 is no month
    assert period_reported(pd.DataFrame({"m06": ["x"]}), JUNE) is False
    odd = pd.DataFrame({"month": ["x", 6], "subject": ["甲", "乙"], "ytd": [1.0, 2.0], "ytd_last_year": [1.0, 1.0]})
    assert stats_rows(odd, JUNE)["subject"].tolist() == ["乙"]
