import pandas as pd
import pytest

from tests.frames import ledger
from xladdin.core.periods import Period
from xladdin.core.settings import default_settings
from xladdin.figures.progress import (
    by_category,
    by_level,
    by_unit,
    by_unit_category,
    completion_rate,
    growth,
    project_ytd,
    schedule_status,
)
from xladdin.figures.targets import evaluate


def test_completion_rate_and_growth() -> None:
    assert completion_rate(50, 200) == 0.25
    assert completion_rate(None, 200) is None
    assert completion_rate(10, 0) is None
    assert completion_rate(10, None) is None
    assert growth(110, 100) == pytest.approx(0.10)
    assert growth(90, 100) == pytest.approx(-0.10)
    assert growth(90, 0) is None
    assert growth(90, None) is None
    assert growth(None, 100) is None
    assert growth(float("nan"), 100) is None


def test_schedule_status_with_half_point_tolerance() -> None:
    # June: schedule 50%
    assert schedule_status(0.506, Period(6)) == "超序时进度"
    assert schedule_status(0.504, Period(6)) == "符合序时进度"
    assert schedule_status(0.496, Period(6)) == "符合序时进度"
    assert schedule_status(0.49, Period(6)) == "滞后序时进度"
    assert schedule_status(None, Period(6)) == ""
    # 1-2月: schedule 2/12 = 16.7%
    assert schedule_status(0.17, Period.of(1)) == "符合序时进度"


def test_project_ytd_sums_months_up_to_the_period() -> None:
    f = ledger([
        {"m01": 1.0, "m02": 2.0, "m03": 4.0, "ytd": 99.0},
        {"ytd": 30.0},
        {},
    ])
    assert project_ytd(f, Period(2)).tolist()[:2] == [3.0, 30.0]
    assert project_ytd(f, Period.of(1)).tolist()[0] == 3.0  # month 1 is the 1-2月 period
    assert project_ytd(f, Period(3)).tolist()[0] == 7.0
    assert pd.isna(project_ytd(f, Period(3)).iloc[2])


def test_by_level_counts_star_and_982_and_total() -> None:
    f = ledger([
        {"unit": "南关街道", "category": "工业", "level": "省重点", "total_investment": 1000.0, "annual_plan": 200.0, "m02": 20.0, "m03": 30.0},
        {"unit": "南关街道", "category": "工业", "level": "区重点", "star": True, "total_investment": 500.0, "annual_plan": 100.0, "m03": 10.0},
        {"unit": "经济开发区", "category": "房地产开发", "level": "区重点", "is_982": True, "total_investment": 300.0, "annual_plan": 100.0},
    ])
    t = by_level(f, Period(3)).set_index("level")
    assert t.index.tolist() == ["省重点", "市重点", "区重点", "攻坚星级", "982", "合计"]
    assert t.loc["省重点", "projects"] == 1
    assert t.loc["省重点", "completion_rate"] == pytest.approx(0.25)
    assert t.loc["省重点", "status"] == "符合序时进度"  # 25% equals 3/12
    assert t.loc["市重点", "projects"] == 0 and pd.isna(t["completion_rate"]["市重点"])
    assert t.loc["区重点", "projects"] == 2
    assert t.loc["攻坚星级", "total_investment"] == 500.0
    assert t.loc["982", "annual_plan"] == 100.0
    assert t.loc["合计", "ytd_completed"] == 60.0
    assert t.loc["合计", "completion_rate"] == pytest.approx(0.15)
    assert t.loc["合计", "gap"] == pytest.approx(0.15 - 0.25)
    assert t.loc["合计", "status"] == "滞后序时进度"


def test_by_unit_category_and_unit_category_with_stats_growth() -> None:
    s = default_settings()
    f = ledger([
        {"unit": "南关街道", "category": "工业", "level": "省重点", "total_investment": 1000.0, "annual_plan": 200.0, "m02": 20.0},
        {"unit": "经济开发区", "category": "工业", "level": "区重点", "total_investment": 500.0, "annual_plan": 100.0, "m02": 10.0},
        {"unit": None, "category": None, "level": "区重点", "total_investment": 5.0, "annual_plan": 1.0},
    ])
    stats = pd.DataFrame({"month": [2, 2, 2], "subject": ["经济开发区", "南关", "工业投资"],
                          "ytd": [110.0, 80.0, 108.0], "ytd_last_year": [100.0, 100.0, 100.0]})
    u = by_unit(f, s, Period(2), stats).set_index("unit")
    assert u.index.tolist() == ["经济开发区", "南关街道", "未识别单位", "合计"]  # settings order
    assert u.loc["经济开发区", "growth"] == pytest.approx(0.10)
    assert u.loc["南关街道", "growth"] == pytest.approx(-0.20)  # alias 南关 resolved
    assert u.loc["合计", "projects"] == 3
    c = by_category(f, s, Period(2), stats).set_index("category")
    assert c.loc["工业", "projects"] == 2 and c.loc["工业", "growth"] == pytest.approx(0.08)
    assert "未分类" in c.index
    uc = by_unit_category(f, s, Period(2))
    assert list(zip(uc["unit"], uc["category"], strict=True)) == [("经济开发区", "工业"), ("南关街道", "工业"), ("未识别单位", "未分类")]


def test_targets_met_missed_and_missing() -> None:
    s = default_settings()
    stats = pd.DataFrame({
        "month": [6, 6, 6, 5],
        "subject": ["全区", "工业", "道路基础设施", "房地产开发"],
        "ytd": [110.0, 107.0, 100.0, 200.0],
        "ytd_last_year": [100.0, 100.0, 100.0, 100.0],
    })
    t = evaluate(stats, s, Period(6)).set_index("scope")
    assert t.loc["全区固定资产投资", "status"] == "达标"  # exactly 10%
    assert t.loc["工业投资", "status"] == "未达标"
    assert t.loc["工业投资", "gap"] == pytest.approx(-0.01)
    assert t.loc["道路基础设施投资", "status"] == "达标"  # flat meets 0%
    assert t.loc["房地产开发投资", "status"] == "无数据"  # only month 5 known
