"""The demo district's data reproduces the plan's figures and carries the situations the jobs must meet."""

from __future__ import annotations

import pandas as pd

from tests.frames import ledger
from xladdin.core.fields import month_field
from xladdin.core.periods import Period
from xladdin.core.settings import default_settings
from xladdin.demo.district import demo_settings
from xladdin.demo.progress import (
    IDLE_BOND,
    LAST_IN_GROWTH,
    NO_TARGET,
    NOT_IN_STATS,
    RANKED,
    TIED,
    add_progress,
    unit_statistics,
)
from xladdin.demo.projects import NAMED, generate_projects
from xladdin.figures import programmes, targets

PROJECTS = generate_projects()


def test_levels_reproduce_the_plan_table_exactly() -> None:
    for level, expected in {"省重点": (17, 7_990_000, 1_730_000), "市重点": (23, 8_320_000, 2_026_000),
                            "区重点": (251, 16_548_000, 2_240_000)}.items():
        rows = PROJECTS[PROJECTS["level"] == level]
        assert (len(rows), rows["total_investment"].sum(), rows["annual_plan"].sum()) == expected
    star = PROJECTS[PROJECTS["star"].eq(True)]
    assert (len(star), star["total_investment"].sum(), star["annual_plan"].sum()) == (45, 7_691_000, 1_110_000)
    assert set(star["level"]) == {"区重点"}
    assert len(PROJECTS) == 291 and PROJECTS["annual_plan"].sum() == 5_996_000


def test_programmes() -> None:
    p982 = PROJECTS[PROJECTS["is_982"].eq(True)]
    assert (len(p982), p982["annual_plan"].sum()) == (42, 980_000)
    sgyp = PROJECTS[PROJECTS["sgyp_round"].notna()]
    assert len(sgyp) == 18 and sorted(sgyp["sgyp_round"].unique()) == [1, 2, 3]
    assert {"签约", "开工", "投产", "达效"} == set(sgyp["sgyp_stage"])
    assert (sgyp.loc[sgyp["sgyp_stage"] == "签约", "status"] == "前期").all()
    bonds = PROJECTS[PROJECTS["bond_amount"].notna()]
    assert (len(bonds), bonds["bond_amount"].sum()) == (12, 50_000)
    assert PROJECTS["reconstruction"].eq(True).sum() >= 5


def test_named_projects_sit_with_the_units_the_plan_implies() -> None:
    by_name = PROJECTS.set_index("name")
    for name, unit, category, level, *_ in NAMED:
        assert (by_name.loc[name, "unit"], by_name.loc[name, "category"], by_name.loc[name, "level"]) == (unit, category, level)
    assert by_name.loc["郑州市南曹污水处理厂一期工程", "unit"] == "南曹街道"


def test_codes_and_names_unique_units_known_and_every_ranked_unit_reports() -> None:
    assert PROJECTS["code"].is_unique and PROJECTS["name"].is_unique
    settings = default_settings()
    assert set(PROJECTS["unit"]) <= set(settings.unit_names)
    assert set(PROJECTS["category"]) <= set(settings.category_names)
    # the plan ranks 经济开发区 and the 街道; the demo's statistics also cover 圃田乡, unranked by default
    assert set(settings.ranked_units) == set(RANKED) - {"圃田乡"} and set(RANKED) <= set(PROJECTS["unit"])
    remaining = PROJECTS["total_investment"] - PROJECTS["completed_before"]
    assert (PROJECTS["annual_plan"] <= remaining).all()


def test_deterministic_for_a_seed_and_different_for_another() -> None:
    pd.testing.assert_frame_equal(generate_projects(), PROJECTS)
    assert generate_projects(seed=7)["name"].tolist() != PROJECTS["name"].tolist()


def test_progress_is_cumulative_and_spread_around_the_time_schedule() -> None:
    done = add_progress(PROJECTS, 6)
    months = done[[month_field(m) for m in range(1, 7)]]
    assert (months >= 0).all().all() and done[month_field(7)].isna().all()
    assert (months.sum(axis=1) <= done["total_investment"] - done["completed_before"]).all()
    by_unit = done.assign(ytd=months.sum(axis=1)).groupby("unit")[["ytd", "annual_plan"]].sum()
    rate = by_unit["ytd"] / by_unit["annual_plan"]
    assert (rate > 0.5).sum() >= 3 and (rate < 0.5).sum() >= 3  # some ahead of 6/12, some behind
    started = (done["status"] == "在建") & (months.sum(axis=1) > 0)
    assert (started & done["in_stats"].eq(False)).sum() == NOT_IN_STATS


def test_statistics_last_place_runs_tie_and_targets() -> None:
    stats = unit_statistics(6)
    stats["growth"] = stats["ytd"] / stats["ytd_last_year"] - 1
    for month, unit in LAST_IN_GROWTH.items():
        ranked = stats[(stats["month"] == month) & stats["subject"].isin(RANKED)].sort_values("growth")
        assert ranked["subject"].iloc[0] == unit and ranked["growth"].iloc[1] > ranked["growth"].iloc[0]
    month, units, growth = TIED
    tied = stats[(stats["month"] == month) & stats["subject"].isin(units)]
    assert tied["growth"].nunique() == 1 and abs(tied["growth"].iloc[0] - growth) < 1e-12
    latest = stats[stats["month"] == 6].set_index("subject")["growth"]
    assert abs(latest["全区"] - 0.10) < 0.02
    assert latest["工业"] < 0.08 and latest["道路基础设施"] > 0 and latest["房地产开发"] < 0.07
    whole = stats[stats["subject"] == "全区"].set_index("month")["ytd"]
    parts = stats[stats["subject"].isin(RANKED)].groupby("month")["ytd"].sum()
    assert whole.to_dict() == parts.to_dict()


def test_demo_exercises_every_measure_of_the_plan() -> None:
    """Issue 13: each measure has something to say on the demo, including the 无数据 cases."""
    s = demo_settings()
    frame = ledger(add_progress(PROJECTS, 6).to_dict("records"))
    total = programmes.sgyp(frame, Period.of(6)).set_index("round").loc["合计"]
    rates = [total[k] for k in ("fulfilment_rate", "start_rate", "production_rate", "output_rate")]
    assert all(0 < r <= 1 for r in rates) and min(rates) < 1  # every rate known, some below 100%
    assert programmes.key_links(frame).set_index("link")["held"].iloc[:3].sum() > 0
    bonds = programmes.bonds(frame, s).set_index("unit")
    idle = PROJECTS.set_index("name").loc[IDLE_BOND, "unit"]
    assert bonds.loc[idle, "bond_disbursed"] == 0 and bonds.loc[idle, "disbursement"] == 0  # spends nothing
    assert bonds["issue_rate"].min() < 1 and "区直部门" in set(bonds["kind"]) and bonds["rank"].notna().all()
    assert programmes.reserve(frame, s)["met"] is not None
    assert programmes.reserve(frame, default_settings())["met"] is None  # without the base: 无数据
    assert programmes.attraction_125(frame, s)["count"].notna().all()
    verdicts = set(programmes.not_entered(frame, s, Period.of(6))["verdict"])
    assert verdicts == {"应入未入", "状态不明"}
    recon = programmes.reconstruction(frame, s, Period.of(6))
    assert recon["behind"].iloc[-1] > 0 and recon["rank"].iloc[0] == 1
    starts = programmes.new_starts(frame, s, Period.of(6)).set_index("unit").loc["合计"]
    assert 0 < starts["start_rate"] < 1 and starts["completed"] >= 1 and starts["continued"] > 0
    assert programmes.government_progress(frame, s, Period.of(6)) is not None
    unit_t = targets.unit_targets(unit_statistics(6), s, Period.of(6)).set_index("unit")
    assert unit_t.loc[NO_TARGET, "status"] == "无数据" and (unit_t["status"] == "滞后序时进度").any()
