"""Worksheet formulas: right figures, and a short Chinese message (never an exception) for bad input."""

from __future__ import annotations

import pytest

from xladdin.excel import udfs as u

H = ["序号", "项目名称", "项目编码", "责任单位", "行业类别", "项目级别", "总投资", "年度计划投资", "1月", "2月", "3月"]
ROWS = [
    H,
    [1, "甲项目", "P001", "北下街街道", "工业", "区重点", 10000, 2000, 100, 200, 300],
    [2, "乙项目", "P002", "园区", "房地产", "市重点", 50000, 8000, 500, 600, None],
]


def test_single_figures() -> None:
    assert u.TZ_RATE(50, 200) == 0.25
    assert u.TZ_GROWTH(110, 100) == pytest.approx(0.1)
    assert u.TZ_SCHEDULE(6) == 0.5
    assert u.TZ_SCHEDULE(1) == pytest.approx(2 / 12)
    assert u.TZ_STATUS(0.3, 6) == "滞后序时进度"
    assert u.TZ_STATUS(0.6, 6) == "超序时进度"
    assert u.TZ_PERIOD(1) == "1-2月"
    assert u.TZ_YI(3_286_000) == pytest.approx(328.6)
    assert u.TZ_WAN(5) == 50_000
    assert u.TZ_RANK(0.1, [0.2, 0.1, 0.1, None, 0.05]) == 2


@pytest.mark.parametrize(("call", "text"), [
    (lambda: u.TZ_RATE(50, 0), "年度计划应大于 0"),
    (lambda: u.TZ_RATE("abc", 1), "累计完成应为数字"),
    (lambda: u.TZ_GROWTH(1, None), "上年同期为空"),
    (lambda: u.TZ_SCHEDULE(13), "月份应为 1 到 12"),
    (lambda: u.TZ_BYUNIT([[1]], 3), "台账区域"),
    (lambda: u.TZ_BYUNIT(ROWS, "x"), "月份应为数字"),
])
def test_bad_input_is_a_short_message(call: object, text: str) -> None:
    result = call()  # type: ignore[operator]
    assert isinstance(result, str) and text in result and "Traceback" not in result and len(result) < 120


def test_escalation_for_a_run_of_ranks() -> None:
    everyone = [[1, 2, 1], [3, 5, 5], [2, 1, 2], [4, 3, 4], [5, 4, 3]]
    assert u.TZ_ACTION([3, 5, 5], everyone) == "区分管领导约谈"
    assert u.TZ_ACTION([1, 2, 1], everyone) == ""
    assert u.TZ_ACTION([5, 5, 5], [[1, 1, 1], [5, 5, 5]]) == "区主要领导约谈"


def test_check_one_row() -> None:
    assert u.TZ_CHECK([H], [ROWS[1]]) == "通过"
    bad = [3, "丙项目", "P003", "区城建局", "道路", "省重点", -5, 100, 1, 1, 1]
    assert "不能为负数" in u.TZ_CHECK([H], [bad])


def test_tables_spill_with_chinese_headers() -> None:
    units = u.TZ_BYUNIT(ROWS, 3)
    assert list(units.columns[:3]) == ["责任单位", "项目个数", "总投资（万元）"]
    assert list(units["责任单位"]) == ["经济开发区", "北下街街道", "合计"]
    assert units.iloc[-1]["累计完成（万元）"] == 1700.0
    levels = u.TZ_BYLEVEL(ROWS, 3)
    assert levels.columns[0] == "项目类别" and levels.iloc[-1]["项目个数"] == 2
    assert u.TZ_BYCATEGORY(ROWS, 3)["行业类别"].tolist() == ["工业", "房地产开发", "合计"]
    stats = [["月份", "统计对象", "本年累计", "上年同期"], [3, "北下街街道", 100, 90], [3, "经济开发区", 120, 100],
             [3, "南关街道", 80, 100]]
    ranking = u.TZ_RANKING(stats, 3)
    top = ranking.head(3)
    assert top["责任单位"].tolist() == ["经济开发区", "北下街街道", "南关街道"]
    assert top["处理措施"].tolist() == ["", "", "通报批评"]
    assert ranking.iloc[5]["排名"] is None


def test_formulas_finish_on_ordinary_months() -> None:
    """Issue 12 seen 1, 6: a unit whose statistics are empty is unranked with no action, the
    others ranked; a month without ranks in a run is skipped, not a reset; month 1 is 1-2月."""
    stats = [["月份", "统计对象", "本年累计", "上年同期"], [7, "北下街街道", 100, 90], [7, "经济开发区", None, 100],
             [7, "南关街道", 80, 100]]
    ranking = u.TZ_RANKING(stats, 7)
    rows = ranking.set_index("责任单位")
    assert rows.loc["经济开发区", "排名"] is None and rows.loc["经济开发区", "处理措施"] == ""
    assert rows.loc["南关街道", "排名"] == 2 and rows.loc["南关街道", "处理措施"] == "通报批评"
    assert u.TZ_RANKING([["月份", "统计对象", "本年累计", "上年同期"]], 12)["排名"].isna().all()  # nobody yet
    # last in 1-2月 and 1-4月, no figure in 1-3月: a run of 2
    assert u.TZ_ACTION([2, None, 2], [[1, 1, 1], [2, None, 2]]) == "区分管领导约谈"
    assert u.TZ_PERIOD(1) == u.TZ_PERIOD(2) == "1-2月" and u.TZ_SCHEDULE(1) == u.TZ_SCHEDULE(2)
