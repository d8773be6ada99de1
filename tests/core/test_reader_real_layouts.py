"""The reader on layouts real offices use (issue 12): wordings, aliases as written, section headings,
vocabularies from 参数, every column accounted for, the unit from the title block, the period check."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from xladdin.core.fields import READER_FIELDS
from xladdin.core.headers import alias_index, match_header
from xladdin.core.ledger import READ_COLUMNS, REQUIRED_COLUMNS, read_ledger
from xladdin.core.period_check import for_period
from xladdin.core.periods import Period
from xladdin.core.rules import validate_ledger
from xladdin.core.settings import default_settings, parse_settings, settings_rows
from xladdin.core.sheet import SheetData
from xladdin.core.table_read import table_frame
from xladdin.core.values import parse_flag
from xladdin.figures import progress

S = default_settings()
INDEX = alias_index(READER_FIELDS)


@pytest.mark.parametrize(("header", "key", "period"), [
    ("本年度累计完成投资额度（不含2021年）", "ytd", None),  # seen 2: the "年）" was stripped as a unit
    ("本年度累计完成投资额度（不含上年）", "ytd", None),
    ("本年累计完成投资（万元）", "ytd", None),
    ("1-6月累计完成投资", "ytd", 6),
    ("2010年1-7月完成投资（万元）", "ytd", 7),
    ("1-3月实际完成投资(万元)", "ytd", 3),
    ("自开工累计完成投资", "since_start", None),  # cumulative since the start: NOT this year's
    ("开工以来累计完成投资（万元）", "since_start", None),
    ("至2009年底累计完成投资（万元）", "completed_before", None),
    ("开工至上一年度底累计完成投资", "completed_before", None),
    ("年度计划投资", "annual_plan", None),
    ("本年计划投资", "annual_plan", None),
    ("年度投资计划", "annual_plan", None),
    ("本年度投资计划（万元）", "annual_plan", None),
    ("2010年度计划投资额", "annual_plan", None),
    ("总投资", "total_investment", None),
    ("计划总投资", "total_investment", None),
    ("牵头单位", "unit", None),
    ("挂钩责任单位", "unit", None),
    ("市或县挂钩责任单位", "unit", None),
    ("包抓单位", "unit", None),
    ("属地", "unit", None),
    ("责任主体", "unit", None),
    ("建设单位", "owner", None),  # the enterprise, never the responsible unit
    ("项目业主", "owner", None),
    ("项目单位", "owner", None),
])
def test_real_wordings_map_to_their_field(header: str, key: str, period: int | None) -> None:
    got, _scale, got_period = match_header(header, INDEX)
    assert (got, got_period) == (key, period)


def test_a_staff_alias_matches_the_header_as_written_before_any_stripping() -> None:
    header = "实际到位资金（不含2021年）"
    assert match_header(header, INDEX)[0] is None
    staff = alias_index(READER_FIELDS, {"ytd": ("实际到位资金（不含2021年）",)})
    assert match_header(header, staff)[0] == "ytd"
    assert match_header("实际到位资金(不含2021年)", staff)[0] == "ytd"  # half-width brackets alike


@pytest.mark.parametrize(("raw", "flag"), [
    ("已纳统，MA3MAC819371326001", True), ("已入库（2022年3月）", True), ("未入库", False), ("未纳统，待核", False),
    ("√", True), ("×", False), ("是，已开工", True), ("否（未开工）", False),
])
def test_flags_are_read_by_meaning(raw: str, flag: bool) -> None:
    assert parse_flag(raw) is flag


@pytest.mark.parametrize("raw", ["待定", "是否", "正在办理"])
def test_flag_text_meaning_neither_is_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        parse_flag(raw)


def _county(extra_rows: list[list[Any]] | None = None) -> SheetData:
    """A county key-project 台账 laid out like a real one: title block, headings with subtotals, text flags."""
    rows: list[list[Any]] = [
        ["某县2022年重点项目形象进度台账"],
        ["填报单位：卞桥镇", None, None, None, None, "单位：万元"],
        ["序号", "项目名称", "项目级别", "总投资（万元）", "2022年计划投资（万元）",
         "本年度累计完成投资额度（不含2021年）", "是否纳统", "形象进度", "备注", "本年到位资金（万元）"],
        ["一、省重点项目（2个）", None, None, 84000, 30000, 35800],
        [1, "洪宽生态板、高档家具制造项目", None, 54000, 20000, 25800, "已纳统，MA3MAC819371326001", "钢构主体完成", None, 9000],
        [2, "乙项目", "省级", 30000, 10000, 10000, "待定", "在建", "无", 1000],
        ["二、县重点项目（1个）", None, None, 5000, 2000, 999],
        [3, "丙项目", None, 5000, 2000, 500, "未入库", "前期", None, 100],
        *(extra_rows or []),
    ]
    return SheetData("台账", rows, [(1, 1, 1, 10)])


def _county_settings() -> Any:
    rows = settings_rows()
    rows += [[], ["【项目级别】"], ["项目级别", "其他写法"], ["省重点", "省级、省重点项目"], ["县重点", "县级重点、县级"]]
    rows[4] = ["卞桥镇", "镇", "卞桥镇人民政府", "是"]
    settings, findings = parse_settings(SheetData("参数", rows))
    assert findings == []
    return settings


def test_section_headings_are_not_projects_and_give_their_level() -> None:
    s = _county_settings()
    ledger = read_ledger(_county(), s, required=READ_COLUMNS)
    fr = ledger.frame
    assert list(fr["_row"]) == [5, 6, 8]  # the headings (with amounts) are not projects
    assert list(fr["level"]) == ["省重点", "省重点", "县重点"]  # blank levels take the heading's
    assert float(np.nansum(fr["total_investment"])) == 89000.0  # not inflated by the headings' subtotals
    levels = progress.by_level(fr, Period.of(6), s).set_index("level")
    assert levels.loc["县重点", "projects"] == 1 and levels.loc["合计", "projects"] == 3
    # the second heading says 999 done, its one project 500: a finding at the heading's cell
    assert [f.flat() for f in ledger.findings if f.code.startswith("heading")] == ["heading-sum@台账!F7"]


def test_heading_count_that_disagrees_is_reported() -> None:
    grid = _county()
    grid.rows[3][0] = "一、省重点项目（3个）"
    ledger = read_ledger(grid, _county_settings(), required=READ_COLUMNS)
    assert "heading-count@台账!A4" in [f.flat() for f in ledger.findings]


def test_levels_statuses_and_unit_kinds_come_from_settings() -> None:
    default = validate_ledger(read_ledger(_county(), S, required=READ_COLUMNS), S)
    unknown = [f for f in default.findings if f.code == "unknown-level"]
    assert unknown and "参数表【项目级别】" in unknown[0].message  # 县重点 is unknown to Guancheng's list
    county = validate_ledger(read_ledger(_county(), _county_settings(), required=READ_COLUMNS), _county_settings())
    assert not [f for f in county.findings if f.code in ("unknown-level", "unknown-unit", "bad-setting")]


def test_unknown_level_suggests_the_closest_known_one() -> None:
    grid = _county()
    grid.rows[5][2] = "省重"
    report = validate_ledger(read_ledger(grid, S, required=READ_COLUMNS), S)
    f = next(f for f in report.findings if f.code == "unknown-level")
    assert "是否为“省重点”" in f.message


def test_text_flags_by_meaning_and_a_warning_for_neither() -> None:
    ledger = read_ledger(_county(), _county_settings(), required=READ_COLUMNS)
    assert ledger.frame["in_stats"].tolist() == [True, pd.NA, False]
    report = validate_ledger(ledger, _county_settings())
    flags = [f for f in report.findings if f.code == "bad-flag"]
    assert [f.flat() for f in flags] == ["bad-flag@台账!G6"] and flags[0].severity == "warning"
    assert "not-in-statistics@台账!G5" not in report.flatten()  # 已纳统 is 是


def test_the_unit_comes_from_the_title_block() -> None:
    ledger = read_ledger(_county(), _county_settings(), required=READ_COLUMNS)
    assert set(ledger.frame["unit"]) == {"卞桥镇"} and ledger.unit_from_title == ("卞桥镇", "A2")
    codes = {f.code: f for f in ledger.findings}
    assert "missing-column" in codes  # 项目编码 is absent: said, not refused
    assert not any(f.code == "missing-column" and f.field == "unit" for f in ledger.findings)


def test_an_enterprise_column_is_not_the_responsible_unit() -> None:
    grid = SheetData("台账", [["项目名称", "建设单位", "总投资", "年度计划投资"], ["甲", "河南某公司", 100, 50]])
    ledger = read_ledger(grid, S, required=READ_COLUMNS)
    assert ledger.frame["owner"].tolist() == ["河南某公司"] and ledger.frame["unit"].isna().all()
    assert any(f.code == "missing-column" and f.field == "unit" for f in ledger.findings)
    with pytest.raises(Exception, match="责任单位"):
        read_ledger(grid, S, required=REQUIRED_COLUMNS)  # the jobs that need it still refuse


def test_every_column_is_accounted_for() -> None:
    ledger = read_ledger(_county(), _county_settings(), required=READ_COLUMNS)
    status = {c.header: (c.status, c.key) for c in ledger.column_map}
    assert status["本年度累计完成投资额度（不含2021年）"] == ("field", "ytd")
    assert status["形象进度"] == ("field", "progress_text") and status["备注"] == ("field", "remarks")
    assert status["本年到位资金（万元）"][0] == "unknown"
    unknown = [f for f in ledger.findings if f.code == "unknown-column"]
    assert [f.flat() for f in unknown] == ["unknown-column@台账!J3"] and unknown[0].severity == "warning"
    assert "本年到位资金（万元）" in unknown[0].message and "列名别名" in unknown[0].message


def test_table_formulas_read_headings_and_levels_as_the_ledger_does() -> None:
    s = _county_settings()
    grid = _county()
    core = read_ledger(grid, s, only=None, required=READ_COLUMNS).frame
    grid.rows[2].insert(2, "项目编码")
    grid.rows[2].insert(3, "责任单位")
    for r in grid.rows[3:]:
        coded = isinstance(r[0], int)
        r.insert(2, f"P{r[0]}" if coded else None)
        r.insert(3, "卞桥镇" if coded else None)
    lean = table_frame(grid, s)
    assert list(lean["level"]) == list(core["level"]) == ["省重点", "省重点", "县重点"]
    assert list(lean["ytd"]) == list(core["ytd"])


def test_a_period_the_ledger_does_not_hold_is_a_finding_not_a_figure() -> None:
    grid = SheetData("台账", [["项目名称", "总投资", "年度计划投资", "1-5月累计完成投资"], ["甲", 100, 60, 30]])
    ledger = read_ledger(grid, S, required=READ_COLUMNS)
    same, none = for_period(ledger, 5)
    assert none == [] and float(same.frame["ytd"].iat[0]) == 30.0
    later, found = for_period(ledger, 6)
    assert [f.flat() for f in found] == ["period-mismatch@台账!D1"] and np.isnan(later.frame["ytd"].iat[0])
    bare = read_ledger(SheetData("台账", [["项目名称", "总投资", "年度计划投资"], ["甲", 100, 60]]), S,
                       required=READ_COLUMNS)
    assert [f.code for f in for_period(bare, 6)[1]] == ["period-missing"]


def test_a_second_column_for_a_field_already_read_is_reported() -> None:
    grid = SheetData("台账", [["项目名称", "总投资", "年度计划投资", "总投资"], ["甲", 100, 60, 90]])
    ledger = read_ledger(grid, S, required=READ_COLUMNS)
    assert [f.flat() for f in ledger.findings if f.code == "duplicate-column"] == ["duplicate-column@台账!D1"]
    assert float(ledger.frame["total_investment"].iat[0]) == 100.0


def test_the_new_settings_sections_round_trip() -> None:
    parsed, findings = parse_settings(SheetData("参数", settings_rows()))
    assert findings == []
    assert (parsed.levels, parsed.statuses, parsed.flag_true, parsed.flag_false) == (
        S.levels, S.statuses, S.flag_true, S.flag_false)
    rows = settings_rows()
    rows += [[], ["【是否】"], ["含义", "写法"], ["是", "有、已报"], ["否", "没有"]]
    custom, _ = parse_settings(SheetData("参数", rows))
    assert custom.flag_true == ("有", "已报") and custom.flag_false == ("没有",)


def test_the_unit_of_a_units_own_ledger_can_come_from_settings() -> None:
    rows = settings_rows()
    for row in rows:
        if row and row[0] == "本台账单位":
            row[1] = "南曹街道"
    settings, findings = parse_settings(SheetData("参数", rows))
    assert findings == [] and settings.ledger_unit == "南曹街道"
    grid = SheetData("台账", [["项目名称", "项目编码", "项目级别", "总投资", "年度计划投资"], ["甲", "P1", "区重点", 100, 50]])
    ledger = read_ledger(grid, settings)  # even the jobs that need 责任单位 go on
    assert ledger.frame["unit"].tolist() == ["南曹街道"]
    assert not [f for f in ledger.findings if f.code == "missing-column"]
