"""Every ledger finding code at its edge: a triggering case beside a near miss (issue 19).

Each test builds a one- or two-project ledger in memory (``SheetData`` → ``read_ledger`` →
``validate_ledger``) and asserts the findings as whole records: code, severity, sheet, cell,
value and the Chinese message, written out here by hand from the templates, so a change in the
threshold, the comparison (``>=`` vs ``>``), the cell or the wording fails a test. Thresholds at
their defaults: 入库标准 500 万元, 累计核对容差 0.5 万元, 金额上限 10,000,000 万元.
"""

from __future__ import annotations

from typing import Any

import pytest

from xladdin.core.ledger import read_ledger
from xladdin.core.rules import validate_ledger
from xladdin.core.settings import Settings, Thresholds
from xladdin.core.sheet import SheetData

S = Settings()

# column letters: A name, B code, C unit, D level, E total, F plan, G completed before, H 1月, I 2月,
# J ytd, K status, L 是否入库, M category, N star, O stage, P round, Q bond quota, R bond spent,
# S bond applied, T bond issued
HEADER = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "截至上年底累计完成", "1月", "2月",
          "本年累计完成", "项目状态", "是否入库", "行业类别", "攻坚星级", "三个一批阶段", "三个一批期次", "专项债额度",
          "专项债已支出", "专项债申请额度", "专项债已发行"]
KEYS = ["name", "code", "unit", "level", "total", "plan", "before", "m01", "m02", "ytd", "status", "in_stats",
        "category", "star", "stage", "round", "bond", "bond_spent", "bond_applied", "bond_issued"]
# a project that passes every rule: 在建, 入库, total 1000 ≥ 500, plan 100 ≤ 1000 − 0
CLEAN: dict[str, Any] = {"name": "甲项目", "code": "P1", "unit": "南曹街道", "level": "区重点", "total": 1000,
                         "plan": 100, "before": 0, "status": "在建", "in_stats": "是", "category": "工业"}

Record = tuple[str, str, str, str, str, str]


def project(**changes: Any) -> list[Any]:
    values = CLEAN | changes
    return [values.get(k) for k in KEYS]


def findings(*rows: list[Any], settings: Settings = S, header: list[str] = HEADER) -> list[Record]:
    ledger = read_ledger(SheetData("项目台账", [header, *rows]), settings)
    report = validate_ledger(ledger, settings)
    return [(f.code, f.severity, f.sheet, f.cell, f.value, f.message) for f in report.findings]


def test_the_clean_project_is_clean() -> None:
    assert findings(project()) == []


# ---- 应统尽统: 入库标准 500 (>=) -----------------------------------------------------------------

def _not_in_stats(total: str, reason: str = "状态为在建", value: str = "否") -> Record:
    return ("not-in-statistics", "warning", "项目台账", "L2", value,
            f"项目已开工（{reason}），总投资 {total} 万元 达到入库标准，但未入库，请及时纳统（应统尽统）。")


def test_entry_threshold_is_inclusive_at_500() -> None:
    assert findings(project(total=499.99, in_stats="否")) == []
    assert findings(project(total=500, in_stats="否")) == [_not_in_stats("500")]
    assert findings(project(total=500.01, in_stats="否")) == [_not_in_stats("500.01")]
    assert findings(project(total=500, in_stats="是")) == []


def test_entry_threshold_follows_settings() -> None:
    low = S.model_copy(update={"thresholds": Thresholds(stats_entry_min=100)})
    assert findings(project(total=100, in_stats="否"), settings=low) == [_not_in_stats("100")]
    assert findings(project(total=99.99, in_stats="否"), settings=low) == []


def test_entry_blank_flag_counts_as_not_entered_and_shows_blank() -> None:
    # the 值 column of 校验结果 is staff-facing: a blank cell is shown blank, never "<NA>"
    assert findings(project(total=500, in_stats=None)) == [_not_in_stats("500", value="")]


def test_entry_started_by_status_or_money() -> None:
    # 竣工 counts only with money this year; any status with money this year has started
    assert findings(project(status="竣工", in_stats="否")) == []
    assert findings(project(status="竣工", in_stats="否", ytd=0.01, plan=100)) == [
        _not_in_stats("1,000", reason="本年竣工且有完成投资")]
    assert findings(project(status="前期", in_stats="否", ytd=0)) == []
    assert findings(project(status="前期", in_stats="否", ytd=0.01)) == [
        _not_in_stats("1,000", reason="状态为前期但本年已完成投资")]
    assert findings(project(status="新开工", in_stats="否", ytd=3)) == [
        _not_in_stats("1,000", reason="状态为新开工但本年已完成投资")]


def test_entry_status_unknown_at_the_threshold() -> None:
    unknown_status = ("unknown-status", "warning", "项目台账", "K2", "预备",
                      "项目状态“预备”无法识别，是否为“谋划”（应为 谋划、前期、在建、竣工 之一；新的写法可加在参数表【项目状态】中）。")
    entry = ("entry-status-unknown", "warning", "项目台账", "K2", "预备",
             "项目状态“预备”无法识别，无法判断是否已开工；总投资 500 万元 达到入库标准且未入库，请核实状态（应统尽统）。")
    assert findings(project(total=500, status="预备", in_stats="否")) == [entry, unknown_status]
    assert findings(project(total=499.99, status="预备", in_stats="否")) == [unknown_status]
    assert findings(project(total=500, status="预备", in_stats="是")) == [unknown_status]


# ---- 累计核对容差 0.5: ytd-mismatch in both directions ---------------------------------------------

def _mismatch(value: str) -> Record:
    return ("ytd-mismatch", "error", "项目台账", "J2", value, f"本年累计完成 {value} 万元 与 各月完成之和 30 万元 不一致。")


@pytest.mark.parametrize(("ytd", "expected"), [
    (30.5, []), (29.5, []),  # |gap| = 0.5: within the tolerance
    (30.51, [_mismatch("30.51")]), (29.49, [_mismatch("29.49")]),  # just over, either direction
])
def test_ytd_against_the_month_sum_at_the_tolerance(ytd: float, expected: list[Record]) -> None:
    assert findings(project(m01=10, m02=20, ytd=ytd)) == expected


def test_tolerance_follows_settings() -> None:
    exact = S.model_copy(update={"thresholds": Thresholds(tolerance=0)})
    assert findings(project(m01=10, m02=20, ytd=30.01), settings=exact) == [_mismatch("30.01")]
    assert findings(project(m01=10, m02=20, ytd=30), settings=exact) == []


def test_months_without_ytd_are_the_ytd() -> None:
    # no 本年累计 given: nothing to compare
    assert findings(project(m01=10, m02=20)) == []


# ---- plan-exceeds-remaining, ytd-exceeds-total -----------------------------------------------

def test_plan_against_remaining_at_the_tolerance() -> None:
    # remaining = 1000 − 400 = 600; allowed up to 600.5
    assert findings(project(before=400, plan=600.5)) == []
    assert findings(project(before=400, plan=600.6)) == [
        ("plan-exceeds-remaining", "error", "项目台账", "F2", "600.6",
         "年度计划投资 600.6 万元 超过 总投资减去截至上年底累计完成 (600 万元)。")]


def test_plan_with_blank_completed_before_uses_the_total() -> None:
    assert findings(project(before=None, plan=1000.5)) == []
    assert findings(project(before=None, plan=1000.6)) == [
        ("plan-exceeds-remaining", "error", "项目台账", "F2", "1,000.6",
         "年度计划投资 1,000.6 万元 超过 总投资减去截至上年底累计完成 (1,000 万元)。")]


def test_ytd_against_total_at_the_tolerance() -> None:
    assert findings(project(ytd=1000.5)) == []
    assert findings(project(ytd=1000.6)) == [
        ("ytd-exceeds-total", "error", "项目台账", "J2", "1,000.6", "本年累计完成 1,000.6 万元 超过 总投资 1,000 万元。")]


# ---- special bonds ---------------------------------------------------------------------------

def test_bond_spent_against_quota_at_the_tolerance() -> None:
    assert findings(project(bond=100, bond_spent=100.5)) == []
    assert findings(project(bond=100, bond_spent=100.6)) == [
        ("bond-exceeds", "error", "项目台账", "R2", "100.6", "专项债已支出 100.6 万元 超过 专项债额度 100 万元。")]


def test_bond_spent_without_a_quota_counts_the_quota_as_zero() -> None:
    assert findings(project(bond=None, bond_spent=0.5)) == []
    assert findings(project(bond=None, bond_spent=0.6)) == [
        ("bond-exceeds", "error", "项目台账", "R2", "0.6", "专项债已支出 0.6 万元 超过 专项债额度 0 万元。")]


def test_bond_issue_chain_at_the_tolerance() -> None:
    ok = {"bond": 100, "bond_applied": 80, "bond_issued": 60}
    assert findings(project(**ok, bond_spent=60.5)) == []
    assert findings(project(**ok, bond_spent=60.6)) == [
        ("bond-over-issued", "error", "项目台账", "R2", "60.6", "专项债已支出 60.6 万元 超过 专项债已发行 60 万元。")]
    assert findings(project(bond=100, bond_applied=80, bond_issued=80.5)) == []
    assert findings(project(bond=100, bond_applied=80, bond_issued=80.6)) == [
        ("bond-issued-over-applied", "warning", "项目台账", "T2", "80.6", "专项债已发行 80.6 万元 超过 申请额度 80 万元。")]


# ---- 1-N月累计 columns never fall -------------------------------------------------------------

CUM_HEADER = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "1-3月累计", "1-4月累计"]


def test_cumulative_decrease_at_the_tolerance() -> None:
    def row(cum3: float, cum4: float) -> list[Any]:
        return ["甲项目", "P1", "南曹街道", "区重点", 1000, 500, cum3, cum4]

    assert findings(row(100, 99.5), header=CUM_HEADER) == []
    assert findings(row(100, 100), header=CUM_HEADER) == []
    assert findings(row(100, 99.4), header=CUM_HEADER) == [
        ("cumulative-decrease", "error", "项目台账", "H2", "99.4", "1-4月 累计 99.4 万元 小于上月累计 100 万元，累计数不应减少。")]


# ---- names against the lists --------------------------------------------------------------------

def test_unknown_category_with_and_without_a_suggestion() -> None:
    assert findings(project(category="工业投资")) == []  # an alias
    assert findings(project(category="农业")) == [
        ("unknown-category", "warning", "项目台账", "M2", "农业", "行业类别“农业”不在类别名单中，是否为“工业”。")]
    assert findings(project(category="xyz")) == [
        ("unknown-category", "warning", "项目台账", "M2", "xyz", "行业类别“xyz”不在类别名单中。")]


def test_unknown_status_and_its_aliases() -> None:
    assert findings(project(status="续建")) == []
    assert findings(project(status="建设中")) == []
    assert findings(project(status="qq")) == [
        ("unknown-status", "warning", "项目台账", "K2", "qq",
         "项目状态“qq”无法识别，应为 谋划、前期、在建、竣工 之一（新的级别或写法可加在参数表【项目状态】中）。")]


def test_unknown_unit_and_level() -> None:
    assert findings(project(unit="南草街道")) == [
        ("unknown-unit", "error", "项目台账", "C2", "南草街道", "责任单位“南草街道”不在单位名单中，是否为“南曹街道”。")]
    assert findings(project(level="区级")) == []
    assert findings(project(level="乡重点")) == [
        ("unknown-level", "error", "项目台账", "D2", "乡重点",
         "项目级别“乡重点”无法识别，是否为“省重点”（应为 省重点、市重点、区重点 之一；新的写法可加在参数表【项目级别】中）。")]


def test_missing_required_value() -> None:
    assert findings(project(code=None)) == [
        ("missing-value", "error", "项目台账", "B2", "", "“项目编码”为必填项，请填写。")]


# ---- amounts: 金额上限, negative, text and error values ------------------------------------------

def test_amount_limit_is_inclusive() -> None:
    assert findings(project(total=10_000_000)) == []
    assert findings(project(total=10_000_000.01)) == [
        ("absurd-amount", "error", "项目台账", "E2", "10,000,000.01",
         "“总投资”为 10,000,000.01 万元，超出合理范围（上限 10,000,000 万元），请核对单位是否为万元。")]


def test_amount_limit_follows_settings_and_counts_text_amounts() -> None:
    low = S.model_copy(update={"thresholds": Thresholds(amount_limit=2000)})
    assert findings(project(total="2000"), settings=low) == []
    assert findings(project(total="2000.5"), settings=low) == [
        ("absurd-amount", "error", "项目台账", "E2", "2,000.5",
         "“总投资”为 2,000.5 万元，超出合理范围（上限 2,000 万元），请核对单位是否为万元。")]


def test_negative_amount_at_zero() -> None:
    assert findings(project(before=0)) == []
    assert findings(project(before=-0.01)) == [
        ("negative-amount", "error", "项目台账", "G2", "-0.01", "“截至上年底累计完成”不能为负数，现为 -0.01。")]


def test_text_and_error_values_are_findings_not_zero() -> None:
    assert findings(project(plan="约100")) == [
        ("not-a-number", "error", "项目台账", "F2", "约100", "“年度计划投资”应为数字（万元），现为“约100”。")]
    assert findings(project(plan="#DIV/0!")) == [
        ("error-value", "error", "项目台账", "F2", "#DIV/0!", "“年度计划投资”单元格为错误值 #DIV/0!，请修正公式或改填数字。")]


# ---- 是/否 cells -----------------------------------------------------------------------------------

def test_bad_flag_and_its_near_misses() -> None:
    assert findings(project(in_stats="已入库，编码123")) == []  # begins with a word: read by its meaning
    assert findings(project(in_stats="是，已入库")) == []
    bad = ("bad-flag", "warning", "项目台账", "L2", "待定",
           "“是否入库”应填“是”或“否”（或以参数表【是否】中的词开头），现为“待定”，按未填处理。")
    assert findings(project(in_stats="待定", total=400)) == [bad]  # below 入库标准: only the flag
    assert findings(project(in_stats="待定", total=500)) == [bad, _not_in_stats("500", value="")]


# ---- duplicates ----------------------------------------------------------------------------------

def test_duplicate_codes_name_each_other_after_normalising() -> None:
    first, second = project(), project(name="乙项目", code=" P1 ")
    assert findings(first, second) == [
        ("duplicate-code", "error", "项目台账", "B2", "P1", "项目编码“P1”重复，另见 B3。"),
        ("duplicate-code", "error", "项目台账", "B3", "P1", "项目编码“P1”重复，另见 B2。"),
    ]
    assert findings(first, project(name="乙项目", code="P2")) == []


def test_duplicate_names_only_within_one_unit() -> None:
    assert findings(project(), project(code="P2", unit="南关街道")) == []
    assert findings(project(), project(code="P2")) == [
        ("duplicate-name", "warning", "项目台账", "A2", "甲项目", "本单位项目名称“甲项目”重复，另见 A3。"),
        ("duplicate-name", "warning", "项目台账", "A3", "甲项目", "本单位项目名称“甲项目”重复，另见 A2。"),
    ]


# ---- 攻坚星级 and 三个一批 ------------------------------------------------------------------------

def test_star_only_on_district_projects() -> None:
    assert findings(project(star="是", level="区重点")) == []
    assert findings(project(star="否", level="市重点")) == []
    assert findings(project(star="是", level="市重点")) == [
        ("star-not-district", "error", "项目台账", "N2", "市重点", "攻坚星级项目应为区重点项目，本项目级别为“市重点”。")]


def _order(stage: str, reason: str) -> Record:
    return ("sgyp-stage-order", "error", "项目台账", "O2", stage, f"三个一批阶段“{stage}”{reason}。")


def test_stage_against_a_status_not_yet_started() -> None:
    reason = "与项目状态“前期”矛盾：未开工的项目不能处于开工及以后阶段"
    assert findings(project(status="前期", stage="签约", round=1)) == []  # 签约 is before 开工
    assert findings(project(status="前期", stage="开工", round=1)) == [_order("开工", reason)]
    assert findings(project(status="谋划", stage="达效", round=1)) == [
        _order("达效", "与项目状态“谋划”矛盾：未开工的项目不能处于开工及以后阶段")]


def test_stage_in_production_without_any_investment() -> None:
    reason = "已投产或达效，但没有任何完成投资记录"
    assert findings(project(stage="开工", round=1, before=None)) == []  # 开工 needs no money yet
    assert findings(project(stage="投产", round=1, before=None)) == [_order("投产", reason)]
    assert findings(project(stage="达效", round=1, before=None)) == [_order("达效", reason)]
    assert findings(project(stage="投产", round=1, before=0)) == []  # a recorded 0 is a record
    assert findings(project(stage="投产", round=1, before=None, ytd=5)) == []


def test_stage_without_a_round() -> None:
    assert findings(project(stage="签约", round=1)) == []
    assert findings(project(stage="签约", round=None)) == [_order("签约", "已填阶段但未填三个一批期次")]
    no_round_column = HEADER[:15]
    assert findings(project(stage="签约")[:15], header=no_round_column) == []


def test_stage_unknown() -> None:
    assert findings(project(stage="竣工", round=1)) == [
        ("sgyp-stage-unknown", "warning", "项目台账", "O2", "竣工", "三个一批阶段“竣工”无法识别，应为 签约、开工、投产 或 达效。")]
    assert findings(project(stage="开 工", round=1)) == []  # spaces are normalised away


# ---- the reader's own findings: headings, dates, title unit, missing columns ---------------------

SECTION_HEADER = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资"]


def _section(heading: str, total: float) -> list[list[Any]]:
    # a blank 项目级别 takes the heading's level (区重点), so no missing-value
    return [[heading, None, None, None, total, None], ["甲项目", "P1", "南曹街道", None, 100, 10],
            ["乙项目", "P2", "南曹街道", None, 200, 10]]


def test_heading_sum_at_the_tolerance_both_ways() -> None:
    assert findings(*_section("一、区重点项目（2个）", 300.5), header=SECTION_HEADER) == []
    assert findings(*_section("一、区重点项目（2个）", 299.5), header=SECTION_HEADER) == []

    def over(total: str) -> Record:
        return ("heading-sum", "error", "项目台账", "E2", "一、区重点项目（2个）",
                f"分组“一、区重点项目（2个）”的“总投资”为 {total} 万元，其下 2 个项目合计 300 万元，不一致。")

    assert findings(*_section("一、区重点项目（2个）", 300.6), header=SECTION_HEADER) == [over("300.6")]
    assert findings(*_section("一、区重点项目（2个）", 299.4), header=SECTION_HEADER) == [over("299.4")]


def test_heading_count() -> None:
    assert findings(*_section("一、区重点项目（3个）", 300), header=SECTION_HEADER) == [
        ("heading-count", "warning", "项目台账", "A2", "一、区重点项目（3个）",
         "分组“一、区重点项目（3个）”标明 3 个项目，其下实际有 2 个。")]


def test_bad_date_beside_a_chinese_year() -> None:
    header = [*SECTION_HEADER, "开工年份"]
    assert findings(["甲项目", "P1", "南曹街道", "区重点", 100, 10, "二〇二一年"], header=header) == []
    assert findings(["甲项目", "P1", "南曹街道", "区重点", 100, 10, "明年"], header=header) == [
        ("bad-date", "warning", "项目台账", "G2", "明年", "“开工年份”应为日期或年份，现为“明年”。")]


def test_unknown_title_unit_is_one_finding_at_the_title() -> None:
    rows = [["填报单位：南草街道"], ["项目名称", "项目编码", "项目级别", "总投资", "年度计划投资"],
            ["甲项目", "P1", "区重点", 100, 10], ["乙项目", "P2", "区重点", 100, 10]]
    report = validate_ledger(read_ledger(SheetData("项目台账", rows), S), S)
    assert [(f.code, f.severity, f.cell, f.value, f.message) for f in report.findings] == [
        ("unknown-title-unit", "error", "A1", "南草街道", "标题中的填报单位“南草街道”不在单位名单中，是否为“南曹街道”。")]
    rows[0] = ["填报单位：南曹街道"]
    assert validate_ledger(read_ledger(SheetData("项目台账", rows), S), S).findings == ()


def test_missing_plan_column_is_an_error_at_the_header() -> None:
    rows = [["项目名称", "项目编码", "责任单位", "项目级别", "总投资"], ["甲项目", "P1", "南曹街道", "区重点", 100]]
    ledger = read_ledger(SheetData("项目台账", rows), S, required=("name",))
    assert [(f.code, f.severity, f.cell, f.message) for f in validate_ledger(ledger, S).findings] == [
        ("missing-column", "error", "A1", "台账没有“年度计划投资”列：完成率无法计算，汇总中显示为空。")]


# ---- found by mutation testing (scripts/mutation xladdin/core/rules.py) ---------------------------

def test_unknown_unit_without_a_near_name_says_where_to_add_it() -> None:
    assert findings(project(unit="xyz")) == [
        ("unknown-unit", "error", "项目台账", "C2", "xyz", "责任单位“xyz”不在单位名单中，请在参数表【单位】中添加。")]


def test_findings_name_their_field() -> None:
    ledger = read_ledger(SheetData("项目台账", [HEADER, project(m01=10, m02=20, ytd=31, star="是", level="市重点")]), S)
    got = {(f.code, f.field) for f in validate_ledger(ledger, S).findings}
    assert got == {("ytd-mismatch", "ytd"), ("star-not-district", "star")}


def test_a_missing_required_column_does_not_stop_the_other_required_checks() -> None:
    # no 项目编码 column (checked second of 名称, 编码, 单位, 级别): the blank 项目级别 is still reported
    header = ["项目名称", "责任单位", "项目级别", "总投资", "年度计划投资"]
    ledger = read_ledger(SheetData("项目台账", [header, ["甲项目", "南曹街道", None, 100, 10]]), S, required=("name",))
    got = [(f.code, f.cell, f.message) for f in validate_ledger(ledger, S).findings]
    assert ("missing-value", "C2", "“项目级别”为必填项，请填写。") in got


def test_unknown_level_without_a_near_name_lists_the_levels() -> None:
    assert findings(project(level="xyz")) == [
        ("unknown-level", "error", "项目台账", "D2", "xyz",
         "项目级别“xyz”无法识别，应为 省重点、市重点、区重点 之一（新的级别或写法可加在参数表【项目级别】中）。")]


def test_entry_status_blank_says_not_filled_never_na() -> None:
    # a blank 项目状态 (in the column, or no column at all: the finding goes to 是否入库)
    message = "项目状态未填，无法判断是否已开工；总投资 500 万元 达到入库标准且未入库，请核实状态（应统尽统）。"
    assert findings(project(total=500, status=None, in_stats="否")) == [
        ("entry-status-unknown", "warning", "项目台账", "K2", "", message)]
    header = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "是否入库"]
    assert findings(["甲项目", "P1", "南曹街道", "区重点", 500, 100, "否"], header=header) == [
        ("entry-status-unknown", "warning", "项目台账", "G2", "", message)]


def test_ytd_over_total_without_a_ytd_column_points_at_the_month_column() -> None:
    # no 本年累计 column: the year to date is the months' sum, 600 + 500.6 = 1100.6 > 1000 + 0.5;
    # the finding names the row's last filled month cell (2月, H2), the figure that took it over
    header = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "1月", "2月"]
    row = ["甲项目", "P1", "南曹街道", "区重点", 1000, 100, 600, 500.6]
    assert findings(row, header=header) == [
        ("ytd-exceeds-total", "error", "项目台账", "H2", "1,100.6", "本年累计完成 1,100.6 万元 超过 总投资 1,000 万元。")]
    assert findings([*row[:7], 400.5], header=header) == []  # 1000.5: within the tolerance
    # 2月 blank: 1,000.6 from 1月 alone, and the cell named is 1月's (G2), never an empty one
    assert [f[3:5] for f in findings([*row[:6], 1000.6, None], header=header)] == [("G2", "1,000.6")]
    december = [*header[:6], "1月", "12月"]
    assert [f[3] for f in findings(row, header=december)] == ["H2"]  # 12月, the last filled month


def test_ytd_over_total_with_neither_ytd_nor_january_nor_december_names_a_month_cell() -> None:
    # issue 19's known bug: a ledger with only 3月…6月 gave the finding no cell (column 0).
    # 3月 300 + 4月 300 + 5月 400.6 = 1000.6 > 1000 + 0.5 (6月 blank): the cell is 5月's, I2
    header = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "3月", "4月", "5月", "6月"]
    row = ["甲项目", "P1", "南曹街道", "区重点", 1000, 100, 300, 300, 400.6, None]
    assert findings(row, header=header) == [
        ("ytd-exceeds-total", "error", "项目台账", "I2", "1,000.6", "本年累计完成 1,000.6 万元 超过 总投资 1,000 万元。")]
    assert findings([*row[:8], 400.5, None], header=header) == []  # 1000.5: within the tolerance


def test_ytd_over_total_names_each_rows_own_cell() -> None:
    # two projects, no 本年累计: row 2 is within its total; row 3's 1月 1000.6 (2月 blank) is over → G3
    header = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "1月", "2月"]
    rows = (["甲项目", "P1", "南曹街道", "区重点", 1000, 100, 600, 400], ["乙项目", "P2", "南曹街道", "区重点", 1000, 100, 1000.6, None])
    assert findings(*rows, header=header) == [
        ("ytd-exceeds-total", "error", "项目台账", "G3", "1,000.6", "本年累计完成 1,000.6 万元 超过 总投资 1,000 万元。")]


def test_ytd_over_total_with_a_blank_ytd_cell_names_the_months() -> None:
    # the 本年累计 column exists but this row left it blank: the months (1月 600 + 2月 400.6 = 1000.6)
    # are the year to date, so the finding names 2月 (I2), not the blank J2
    assert findings(project(m01=600, m02=400.6)) == [
        ("ytd-exceeds-total", "error", "项目台账", "I2", "1,000.6", "本年累计完成 1,000.6 万元 超过 总投资 1,000 万元。")]
    # filled 本年累计 wins: 1000.6 there (J2); the months agree (600 + 400.6), so no ytd-mismatch
    assert findings(project(m01=600, m02=400.6, ytd=1000.6)) == [
        ("ytd-exceeds-total", "error", "项目台账", "J2", "1,000.6", "本年累计完成 1,000.6 万元 超过 总投资 1,000 万元。")]


def test_bond_spending_without_a_quota_column_is_not_checked_against_zero() -> None:
    header = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "专项债已支出"]
    assert findings(["甲项目", "P1", "南曹街道", "区重点", 1000, 100, 80], header=header) == []


def test_duplicate_names_compare_units_by_canonical_name_and_unknown_units_as_written() -> None:
    # 园区 is 经济开发区 written another way: the same unit, so the same name twice is a duplicate
    assert [f[:4] for f in findings(project(unit="经济开发区"), project(code="P2", unit="园区"))] == [
        ("duplicate-name", "warning", "项目台账", "A2"), ("duplicate-name", "warning", "项目台账", "A3")]
    # two different unknown units are two units, whatever the name
    assert [f[0] for f in findings(project(unit="甲单位"), project(code="P2", unit="乙单位"))] == [
        "unknown-unit", "unknown-unit"]


def test_a_negative_1_n_cumulative_is_reported_by_its_header() -> None:
    # 1-3月累计 (G) is not the last cumulative column (that one, 1-4月, is read as 本年累计)
    row = ["甲项目", "P1", "南曹街道", "区重点", 1000, 500, -0.01, 0]
    assert findings(row, header=CUM_HEADER) == [
        ("negative-amount", "error", "项目台账", "G2", "-0.01", "“1-3月累计”不能为负数，现为 -0.01。")]


def test_a_negative_two_digit_cumulative_keeps_both_digits_of_its_month() -> None:
    # 1-10月累计 (G) beside 1-11月累计 (H, read as 本年累计): its key is cum10, its label 1-10月 (not 1-0月)
    header = [*CUM_HEADER[:6], "1-10月累计", "1-11月累计"]
    row = ["甲项目", "P1", "南曹街道", "区重点", 1000, 500, -0.01, 0]
    assert findings(row, header=header) == [
        ("negative-amount", "error", "项目台账", "G2", "-0.01", "“1-10月累计”不能为负数，现为 -0.01。")]


# ---- survivors of the full mutation run of rules.py (2026-12-02) ----------------------------------

def test_a_star_read_from_the_level_text_is_reported_at_the_level_cell() -> None:
    # no 攻坚星级 column: “市重点（攻坚星级）” in 项目级别 makes the project a star one, reported at D2
    header = HEADER[:13] + HEADER[14:]
    row = project(level="市重点（攻坚星级）")
    assert findings(row[:13] + row[14:], header=header) == [
        ("star-not-district", "error", "项目台账", "D2", "市重点", "攻坚星级项目应为区重点项目，本项目级别为“市重点”。")]


def test_a_code_used_three_times_names_both_other_cells() -> None:
    rows = [project(name=n) for n in ("甲项目", "乙项目", "丙项目")]
    assert [f[3:] for f in findings(*rows)] == [
        ("B2", "P1", "项目编码“P1”重复，另见 B3、B4。"), ("B3", "P1", "项目编码“P1”重复，另见 B2、B4。"),
        ("B4", "P1", "项目编码“P1”重复，另见 B2、B3。")]


def test_blank_names_in_one_unit_are_missing_not_duplicates() -> None:
    got = findings(project(name=None), project(name=None, code="P2"))
    assert [(f[0], f[3]) for f in got] == [("missing-value", "A2"), ("missing-value", "A3")]


def test_an_unknown_stage_does_not_stop_the_stage_checks_of_later_rows() -> None:
    rows = [project(stage="竣工", round=1), project(name="乙项目", code="P2", status="前期", stage="开工", round=1)]
    got = findings(*rows)
    assert [(f[0], f[3]) for f in got] == [("sgyp-stage-unknown", "O2"), ("sgyp-stage-order", "O3")]


def test_the_report_counts_the_projects_validated() -> None:
    ledger = read_ledger(SheetData("项目台账", [HEADER, project(), project(name="乙项目", code="P2")]), S)
    report = validate_ledger(ledger, S)
    assert report.findings == () and report.projects == 2
