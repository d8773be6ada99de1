import pandas as pd
import pytest

from xladdin.core.periods import Period
from xladdin.core.settings import Settings, UnitSpec
from xladdin.figures.ranking import escalation, last_in_month, last_runs, rank_units, rank_with_ties


def test_competition_ranking_with_ties_and_unknowns() -> None:
    assert rank_with_ties([0.1, 0.3, 0.3, -0.2]) == [3, 1, 1, 4]
    assert rank_with_ties([0.5, 0.2, 0.2, 0.1]) == [1, 2, 2, 4]
    assert rank_with_ties([None, 0.2, float("nan"), 0.2]) == [None, 1, None, 1]
    assert rank_with_ties([]) == []


def test_escalation_ladder() -> None:
    assert [escalation(n) for n in range(5)] == ["", "通报批评", "区分管领导约谈", "区主要领导约谈", "区主要领导约谈"]


def test_everyone_tied_for_last_is_last_but_all_tied_is_nobody() -> None:
    assert last_in_month({"a": 1, "b": 2, "c": 2}) == {"b", "c"}
    assert last_in_month({"a": 1, "b": 1}) == set()
    assert last_in_month({"a": 1, "b": None}) == set()


def test_runs_count_back_and_reset() -> None:
    history = {
        "a": {2: 3, 3: 3, 4: 1, 5: 3, 6: 3, 7: 3},
        "b": {2: 1, 3: 2, 4: 3, 5: 3, 6: 1, 7: 3},
        "c": {2: 2, 3: 1, 4: 2, 5: 1, 6: 2, 7: 1},
    }
    # month 7: a last in 5, 6, 7 -> 3; b last in 7 (and tied in 5) but not 6 -> 1
    assert last_runs(history, Period(7)) == {"a": 3, "b": 1, "c": 0}
    assert last_runs(history, Period(5)) == {"a": 1, "b": 2, "c": 0}  # tied for last in 5; b also in 4
    assert last_runs(history, Period(4)) == {"a": 0, "b": 1, "c": 0}  # a reset by month 4
    assert last_runs(history, Period(3)) == {"a": 2, "b": 0, "c": 0}  # 1-2月 and 1-3月
    assert last_runs(history, Period.of(1)) == {"a": 1, "b": 0, "c": 0}  # month 1 is the 1-2月 period


def test_a_month_without_figures_neither_extends_nor_resets_a_run() -> None:
    """Issue 12: the documented choice. A month with no rank (no figure) is skipped: last in 1-2月
    and 1-4月 with nothing in 1-3月 is a run of 2; last in 1-3月 but without a figure in 1-4月 is
    run 0 in 1-4月 (nobody is interviewed on a missing figure), and the run resumes after it."""
    assert last_runs({"a": {2: 2, 4: 2}, "b": {2: 1, 4: 1}}, Period(4)) == {"a": 2, "b": 0}
    history = {"a": {2: 2, 3: 2, 5: 2}, "b": {2: 1, 3: 1, 4: 1, 5: 1}, "c": {2: 1, 3: 1, 4: 2, 5: 1}}
    runs = {m: last_runs(history, Period(m))["a"] for m in (2, 3, 4, 5)}
    assert runs == {2: 1, 3: 2, 4: 0, 5: 3}
    # a unit ranked but not last still resets
    assert last_runs({"a": {2: 2, 3: 1, 4: 2}, "b": {2: 1, 3: 2, 4: 1}}, Period(4)) == {"a": 1, "b": 0}


def test_units_without_growth_are_unranked_with_no_action() -> None:
    """Issue 12 seen 1: a unit whose 单位统计 row is empty is unranked (None), gets no action, and
    the others are ranked among themselves."""
    stats = pd.DataFrame({"month": [6, 6, 6], "subject": ["甲街道", "乙街道", "丙街道"],
                          "ytd": [120.0, None, 80.0], "ytd_last_year": [100.0, 100.0, 100.0]})
    t = rank_units(stats, settings(), Period(6), {}).set_index("unit")
    assert pd.isna(t.loc["乙街道", "rank"]) and t.loc["乙街道", "action"] == "" and t.loc["乙街道", "run"] == 0
    assert (t.loc["甲街道", "rank"], t.loc["丙街道", "rank"]) == (1, 2)
    assert t.loc["丙街道", "action"] == "通报批评"


def settings() -> Settings:
    return Settings(units=(
        UnitSpec(name="甲街道", kind="街道", ranked=True),
        UnitSpec(name="乙街道", kind="街道", ranked=True),
        UnitSpec(name="丙街道", kind="街道", ranked=True),
        UnitSpec(name="丁街道", kind="街道", ranked=True),
        UnitSpec(name="区工信局", ranked=False),
    ))


def test_rank_units_ties_display_order_and_escalation() -> None:
    stats = pd.DataFrame({
        "month": [4, 4, 4, 4, 4, 4],
        "subject": ["甲街道", "乙街道", "丙", "丁街道", "区工信局", "全区"],
        "ytd": [120.0, 220.0, 90.0, 180.0, 500.0, 1000.0],
        "ytd_last_year": [100.0, 200.0, 100.0, 200.0, 100.0, 900.0],
    })
    # growth: 甲 20%, 乙 10%, 丙 -10%, 丁 -10% -> ranks 1, 2, 3, 3 (丙 and 丁 tied for last)
    history = {"丙街道": {2: 4, 3: 4}, "丁街道": {2: 1, 3: 2}, "甲街道": {2: 2, 3: 1}, "乙街道": {2: 3, 3: 3, 4: 1}}
    t = rank_units(stats, settings(), Period(4), history)
    assert t["unit"].tolist() == ["甲街道", "乙街道", "丁街道", "丙街道"]  # tie: larger ytd first
    assert t["rank"].tolist() == [1, 2, 3, 3]
    assert t["growth"].tolist() == pytest.approx([0.2, 0.1, -0.1, -0.1])
    assert dict(zip(t["unit"], t["run"], strict=True)) == {"甲街道": 0, "乙街道": 0, "丁街道": 1, "丙街道": 3}
    assert dict(zip(t["unit"], t["action"], strict=True))["丙街道"] == "区主要领导约谈"
    assert dict(zip(t["unit"], t["action"], strict=True))["丁街道"] == "通报批评"
    assert "区工信局" not in t["unit"].tolist()


def test_rank_units_without_figures_leaves_unit_unranked() -> None:
    stats = pd.DataFrame({"month": [6, 6], "subject": ["甲街道", "乙街道"], "ytd": [10.0, 12.0],
                          "ytd_last_year": [10.0, 0.0]})
    t = rank_units(stats, settings(), Period(6), {})
    assert t["unit"].tolist()[0] == "甲街道"
    assert t["rank"].isna().sum() == 3
    assert t["action"].tolist() == ["", "", "", ""]  # a single ranked unit is never "last"
