"""The plan's monthly measures (issue 13): 应统尽统 as one rule, 灾后重建, 新开工, government and bond
progress, each unit against its own target, the ranking on published growth, the 序时 band in 参数.
Every figure is worked out by hand in the comments."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.frames import ledger
from xladdin.core.ledger import read_ledger
from xladdin.core.periods import Period
from xladdin.core.rules import validate_ledger
from xladdin.core.settings import (
    Settings,
    Thresholds,
    UnitSpec,
    default_settings,
    parse_settings,
    settings_rows,
)
from xladdin.core.sheet import SheetData
from xladdin.core.statistics_entry import entry_status
from xladdin.core.vocabulary import canonical_status
from xladdin.figures.programmes import (
    bond_progress,
    entry_report,
    government_progress,
    new_starts,
    not_entered,
    planned_month,
    reconstruction,
)
from xladdin.figures.progress import by_level, schedule_status
from xladdin.figures.ranking import rank_units
from xladdin.figures.targets import unit_targets

ENTRY_ROWS: list[dict[str, object]] = [
    {"unit": "经济开发区", "code": "A", "name": "在建未入", "status": "在建", "total_investment": 600.0, "in_stats": False},
    {"unit": "南关街道", "code": "B", "name": "前期有投资", "status": "前期", "total_investment": 600.0, "m03": 5.0},
    {"unit": "南关街道", "code": "C", "name": "低于标准", "status": "在建", "total_investment": 400.0},
    {"unit": "南关街道", "code": "D", "name": "已入库", "status": "在建", "total_investment": 900.0, "in_stats": True},
    {"unit": "南关街道", "code": "E", "name": "谋划", "status": "谋划", "total_investment": 900.0},
    {"unit": "南关街道", "code": "F", "name": "竣工无投资", "status": "竣工", "total_investment": 900.0},
    {"unit": "南关街道", "code": "G", "name": "竣工有投资", "status": "竣工", "total_investment": 900.0, "m02": 1.0},
    {"unit": "南关街道", "code": "H", "name": "预备", "status": None, "status_raw": "预备", "total_investment": 900.0},
    {"unit": "南关街道", "code": "I", "name": "计划新开工", "status": canonical_status("新开工"),
     "total_investment": 900.0},
]


def test_status_words_a_planned_new_start_is_not_started() -> None:
    assert [canonical_status(s) for s in ("新开工", "计划新开工", "未开工", "已开工", "已新开工", "续建", "预备")] == \
        ["前期", "前期", "前期", "在建", "在建", "在建", None]


def test_statistics_entry_one_rule() -> None:
    f = ledger(ENTRY_ROWS)
    v = entry_status(f, default_settings(), f[["m02", "m03"]].sum(axis=1))
    # required: A (在建), B (money this year), D (在建, entered), G (竣工 with money) → 4; C below 500;
    # E 谋划, F 竣工 idle and I planned 新开工 are not started
    assert v["required"].tolist() == [True, True, False, True, False, False, True, False, False]
    assert v["missing"].tolist() == [True, True, False, False, False, False, True, False, False]
    assert v["unknown"].tolist() == [False] * 7 + [True, False]  # "预备" cannot be judged
    t = not_entered(f, default_settings(), Period.of(3))
    assert t["code"].tolist() == ["A", "B", "G", "H"] and t["verdict"].tolist() == ["应入未入"] * 3 + ["状态不明"]
    assert t.loc[3, "project_status"] == "预备"
    r = entry_report(f, default_settings(), Period.of(3)).set_index("unit")
    # 南关街道: required B, D, G = 3; entered D = 1; missing 2; unknown H = 1; rate 1/3
    assert r.loc["南关街道", ["required", "entered", "missing", "unknown"]].tolist() == [3, 1, 2, 1]
    assert r.loc["南关街道", "entry_rate"] == pytest.approx(1 / 3)
    assert r.loc["合计", ["required", "entered", "missing"]].tolist() == [4, 1, 3]


def test_validate_and_the_list_agree() -> None:
    """The same ledger read from cells: validate's not-in-statistics rows are the 专项 list's 应入未入 rows."""
    header = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "项目状态", "是否入库", "本年累计完成"]
    rows = [["在建未入", "A", "南关街道", "区重点", 600, 100, "在建", "否", 10],
            ["竣工无投资", "F", "南关街道", "区重点", 900, 100, "竣工", "否", None],
            ["竣工有投资", "G", "南关街道", "区重点", 900, 100, "竣工", "否", 5],
            ["预备", "H", "南关街道", "区重点", 900, 100, "预备", "否", None],
            ["新开工", "I", "南关街道", "区重点", 900, 100, "新开工", None, None]]
    led = read_ledger(SheetData("项目台账", [header, *rows]), default_settings())
    report = validate_ledger(led, default_settings())
    flagged = {f.row for f in report.findings if f.code == "not-in-statistics"}
    unclear = {f.row for f in report.findings if f.code == "entry-status-unknown"}
    listed = not_entered(led.frame, default_settings(), Period.of(12))
    assert flagged == set(listed.loc[listed["verdict"] == "应入未入", "row"]) == {2, 4}
    assert unclear == set(listed.loc[listed["verdict"] == "状态不明", "row"]) == {5}


def test_reconstruction_table_behind_and_rank() -> None:
    f = ledger([
        # month 6: schedule 50%, band ±0.5 pp. 南关街道: plans 100 + 100, done 60 + 30 → 45%; only 乙 (30%) is behind
        {"unit": "南关街道", "name": "甲", "reconstruction": True, "annual_plan": 100.0, "total_investment": 500.0, "m06": 60.0},
        {"unit": "南关街道", "name": "乙", "reconstruction": True, "annual_plan": 100.0, "total_investment": 500.0, "m06": 30.0},
        # 区城管局: 55 of 100 → 55%, none behind → rank 1
        {"unit": "区城管局", "name": "丙", "reconstruction": True, "annual_plan": 100.0, "total_investment": 500.0, "m06": 55.0},
        # 北下街街道: 45 of 100 → 45%, the same printed rate as 南关街道 → shares rank 2
        {"unit": "北下街街道", "name": "丁", "reconstruction": True, "annual_plan": 100.0, "total_investment": 300.0, "m06": 45.0},
        {"unit": "南关街道", "name": "戊", "annual_plan": 100.0, "total_investment": 500.0, "m06": 1.0},  # not reconstruction
    ])
    t = reconstruction(f, default_settings(), Period.of(6))
    assert t["unit"].tolist() == ["区城管局", "北下街街道", "南关街道", "合计"]
    assert t["rank"].tolist()[:3] == [1, 2, 2]
    row = t.set_index("unit").loc["南关街道"]
    assert (row["projects"], row["ytd_completed"], row["completion_rate"]) == (2, 90.0, 0.45)
    assert (row["behind"], row["behind_names"], row["status"]) == (1, "乙", "滞后序时进度")
    total = t.set_index("unit").loc["合计"]
    # 60 + 30 + 55 + 45 = 190 of 400 = 47.5%; behind: 乙 (30%) and 丁 (45%)
    assert (total["projects"], total["ytd_completed"], total["behind"]) == (4, 190.0, 2)


def test_planned_month_parsing() -> None:
    import datetime as dt

    assert [planned_month(v, 2022) for v in ("2022年5月", "2022-03", "2022", "2023年1月", "7", dt.date(2022, 9, 1),
                                              "明年", None)] == [5, 3, 12, 0, 7, 9, None, None]


def test_new_starts_rates_and_split() -> None:
    f = ledger([
        # 南关街道 plans three new starts in 2022: March (started), May (not started), October (not yet due)
        {"unit": "南关街道", "name": "甲", "nature": "新建", "planned_start": "2022年3月", "status": "在建"},
        {"unit": "南关街道", "name": "乙", "nature": "新建", "planned_start": "2022年5月", "status": "前期"},
        {"unit": "南关街道", "name": "丙", "nature": "新建", "planned_start": "2022年10月", "status": "前期", "m06": 2.0},
        {"unit": "南关街道", "name": "丁", "nature": "续建", "status": "在建"},
        {"unit": "南关街道", "name": "戊", "nature": "续建", "status": "竣工"},
        {"unit": "经济开发区", "name": "己", "nature": None, "status": "在建"},
    ])
    t = new_starts(f, default_settings(), Period.of(6)).set_index("unit")
    r = t.loc["南关街道"]
    # planned 3; due by June 2 (甲, 乙); started among planned: 甲 (在建) and 丙 (money this year) → 2/3;
    # started among due: 甲 → 1/2; 乙 is due and not started
    assert (r["planned"], r["due"], r["started_new"]) == (3, 2, 2)
    assert r["start_rate"] == pytest.approx(2 / 3) and r["due_rate"] == 0.5 and r["late_names"] == "乙"
    assert (r["new_build"], r["continued"], r["completed"], r["no_nature"]) == (3, 2, 1, 0)
    assert t.loc["经济开发区", "no_nature"] == 1
    bare = new_starts(ledger([{"unit": "南关街道", "name": "甲", "status": "在建"}]), default_settings(), Period.of(6))
    assert bare["planned"].isna().all() and bare["start_rate"].isna().all()  # no 建设性质: 无数据


def test_government_and_bond_progress() -> None:
    f = ledger([
        {"unit": "南关街道", "is_government": True, "annual_plan": 100.0, "total_investment": 500.0, "m06": 40.0},
        {"unit": "南关街道", "is_government": False, "annual_plan": 100.0, "total_investment": 500.0, "m06": 90.0,
         "bond_amount": 50.0},
    ])
    gov = government_progress(f, default_settings(), Period.of(6))
    assert gov is not None
    row = gov.set_index("unit").loc["南关街道"]
    assert (row["projects"], row["completion_rate"], row["status"]) == (1, 0.4, "滞后序时进度")  # 40% < 50% − 0.5 pp
    bond = bond_progress(f, default_settings(), Period.of(6)).set_index("unit").loc["南关街道"]
    assert (bond["projects"], bond["completion_rate"], bond["status"]) == (1, 0.9, "超序时进度")
    assert government_progress(ledger([{"unit": "南关街道"}]), default_settings(), Period.of(6)) is None  # no column: 无数据


def _stats(rows: list[tuple[str, float, float, float | None]], month: int = 6) -> pd.DataFrame:
    return pd.DataFrame([{"month": month, "subject": s, "ytd": y, "ytd_last_year": last, "annual_target": t}
                         for s, y, last, t in rows])


def test_each_unit_against_its_own_target() -> None:
    s = Settings(units=(UnitSpec(name="甲街道", kind="街道", ranked=True), UnitSpec(name="乙街道", kind="街道", ranked=True),
                        UnitSpec(name="丙街道", kind="街道", ranked=True), UnitSpec(name="区工信局")))
    stats = _stats([("甲街道", 600.0, 500.0, 1000.0),  # 60% of its target by June (schedule 50%) → 超
                    ("乙街道", 400.0, 500.0, 1000.0),  # 40% → 滞后; growth (400 − 500) ÷ 500 = −20%
                    ("丙街道", 300.0, 250.0, None),  # no target → 无数据
                    ("区工信局", 90.0, 100.0, 200.0)])  # 45%: listed after the ranked units
    t = unit_targets(stats, s, Period.of(6)).set_index("unit")
    assert t.index.tolist() == ["甲街道", "乙街道", "丙街道", "区工信局"]
    assert (t.loc["甲街道", "target_rate"], t.loc["甲街道", "status"]) == (0.6, "超序时进度")
    assert (t.loc["乙街道", "status"], t.loc["乙街道", "growth"]) == ("滞后序时进度", pytest.approx(-0.2))
    assert t.loc["丙街道", "status"] == "无数据" and pd.isna(t.loc["丙街道", "target_rate"])
    assert t.loc["区工信局", "target_rate"] == pytest.approx(0.45)


def test_ranking_on_published_growth_shares_the_rank() -> None:
    s = Settings(units=(UnitSpec(name="甲街道", kind="街道", ranked=True), UnitSpec(name="乙街道", kind="街道", ranked=True),
                        UnitSpec(name="丙街道", kind="街道", ranked=True)))
    # 甲 1084.9 ÷ 1000 → +8.49% → printed 8.5%; 乙 1085.4 ÷ 1000 → +8.54% → printed 8.5%: same rank;
    # 丙 1070 → 7.0%
    stats = _stats([("甲街道", 1084.9, 1000.0, None), ("乙街道", 1085.4, 1000.0, None), ("丙街道", 1070.0, 1000.0, None)])
    t = rank_units(stats, s, Period.of(6)).set_index("unit")
    assert t.loc["甲街道", "rank"] == t.loc["乙街道", "rank"] == 1 and t.loc["丙街道", "rank"] == 3
    finer = Settings(units=s.units, thresholds=Thresholds(growth_decimals=2))  # 8.49% vs 8.54%: no longer tied
    t = rank_units(stats, finer, Period.of(6)).set_index("unit")
    assert (t.loc["乙街道", "rank"], t.loc["甲街道", "rank"]) == (1, 2)


def test_default_ranked_units_follow_the_plan() -> None:
    units = {u.name: u for u in default_settings().units}
    assert units["经济开发区"].ranked and units["南关街道"].ranked
    assert not units["圃田乡"].ranked and not units["区工信局"].ranked  # the plan names 经济开发区、各街道办事处


def test_schedule_band_and_new_parameters_round_trip_through_the_sheet() -> None:
    assert schedule_status(0.51, Period.of(6)) == "超序时进度"
    assert schedule_status(0.51, Period.of(6), band=0.02) == "符合序时进度"
    rows = settings_rows(Settings(thresholds=Thresholds(schedule_band_pp=2, growth_decimals=2,
                                                        reserve_base_projects=40, reserve_base_investment=900_000)))
    parsed, bad = parse_settings(SheetData("参数", rows))
    assert bad == []
    t = parsed.thresholds
    assert (t.schedule_band_pp, t.growth_decimals, t.reserve_base_projects, t.reserve_base_investment) == (2, 2, 40, 900_000)
    defaults, bad = parse_settings(SheetData("参数", settings_rows()))
    assert bad == [] and defaults.thresholds.reserve_base_projects is None  # a blank base stays 无数据
    f = ledger([{"level": "区重点", "annual_plan": 100.0, "total_investment": 500.0, "m06": 51.0}])
    assert by_level(f, Period.of(6)).set_index("level").loc["合计", "status"] == "超序时进度"
    assert by_level(f, Period.of(6), parsed).set_index("level").loc["合计", "status"] == "符合序时进度"  # 51% within 50% ± 2 pp


def test_a_ledger_without_the_new_columns_gives_no_data_and_aliases_read_them() -> None:
    from xladdin.figures.programmes import attraction_125, bonds, sgyp

    header = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "项目状态", "招商引资", "三个一批期次",
              "三个一批阶段", "专项债额度", "专项债已支出"]
    rows = [["甲", "A", "南关街道", "区重点", 1_200_000, 100, "在建", "是", 1, "开工", 500, 100]]
    s = default_settings()
    old = read_ledger(SheetData("项目台账", [header, rows[0]]), s).frame
    assert attraction_125(old, s)["count"].isna().all()
    assert pd.isna(sgyp(old, Period.of(6)).set_index("round").loc["合计", "start_rate"])
    assert new_starts(old, s, Period.of(6))["planned"].isna().all() and government_progress(old, s, Period.of(6)) is None
    b = bonds(old, s).set_index("unit").loc["南关街道"]
    assert pd.isna(b["issuance"]) and pd.isna(b["score"])  # no 申请额度/已发行: 无数据, not full marks
    new = read_ledger(SheetData("项目台账", [[*header, "引进年度", "是否主导产业链", "批次", "是否政府投资", "新建/续建"],
                                            [*rows[0], "2022年", "是", "开工一批", "是", "新建"]]), s).frame
    assert new.loc[0, ["attracted_year", "sgyp_batch", "nature"]].tolist() == [2022, "开工一批", "新建"]
    assert bool(new.loc[0, "industry_chain"]) and bool(new.loc[0, "is_government"])
    assert attraction_125(new, s)["count"].tolist() == [1, 0, 0]
    assert sgyp(new, Period.of(6)).set_index("round").loc["合计", "start_rate"] == 1.0
