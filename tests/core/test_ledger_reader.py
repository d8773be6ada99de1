"""The reader on in-memory grids: merged two-row headers, subtotals, provenance, settings."""

from __future__ import annotations

import pytest

from xladdin.core.ledger import read_ledger
from xladdin.core.settings import default_settings, parse_settings, settings_rows
from xladdin.core.sheet import SheetData
from xladdin.errors import ColumnNotFound

S = default_settings()


def _grid() -> SheetData:
    rows = [
        ["管城回族区2022年重点项目台账"],
        ["单位：万元"],
        ["序号", "项目名称", "项目编码", "责任单位", "项目级别", "总投资（亿元）", "年度计划投资", "2022年1-6月完成投资", None],
        [None, None, None, None, None, None, None, "当月", "累计"],
        ["一、省重点项目"],
        [1, "甲", "P1", "北下街办事处", "省重点项目", "1.2", "1,000", 80, 300],
        [None, "小计", None, None, None, 1.2, 1000, 80, 300],
        [2, "乙", "P2", "园区", "区重点（攻坚星级）", 3, 2000, None, 200],
    ]
    merges = [(1, 1, 1, 9), (3, 8, 3, 9)] + [(3, c, 4, c) for c in range(1, 8)]
    return SheetData("台账", rows, merges)


def test_two_row_header_with_merged_group() -> None:
    ledger = read_ledger(_grid(), S)
    assert ledger.header_rows == (3, 4)
    assert ledger.columns["month_current"] == 8 and ledger.columns["ytd"] == 9
    assert ledger.period_month == 6


def test_rows_values_and_provenance() -> None:
    ledger = read_ledger(_grid(), S)
    fr = ledger.frame
    assert list(fr["_row"]) == [6, 8]  # section heading and 小计 skipped
    assert list(fr["unit"]) == ["北下街街道", "经济开发区"]
    assert list(fr["total_investment"]) == [12_000.0, 30_000.0]  # 亿元 -> 万元
    assert list(fr["level"]) == ["省重点", "区重点"]
    assert bool(fr["star"].iat[1]) is True
    assert ledger.cell(1, "ytd") == "I8"


def test_missing_required_column_names_it_and_the_fix() -> None:
    grid = SheetData("项目台账", [["项目名称", "项目编码", "责任单位", "项目级别", "年度计划投资"], ["甲", "P", "园区", "区重点", 1]])
    with pytest.raises(ColumnNotFound) as err:
        read_ledger(grid, S)
    assert "“总投资”" in str(err.value) and "列名别名" in str(err.value)


def test_settings_round_trip_and_cell_findings() -> None:
    rows = settings_rows()
    parsed, findings = parse_settings(SheetData("参数", rows))
    assert findings == [] and parsed.units == S.units and parsed.targets == S.targets
    rows[4][1] = "社区"  # a unit type that does not exist
    _, findings = parse_settings(SheetData("参数", rows))
    assert [f.flat() for f in findings] == ["bad-setting@参数!B5"]


# ---- which sheet is the ledger, the title block's unit, 单位统计's own errors ----------------------
_HEADER = ["序号", "项目名称", "项目编码", "责任单位", "行业类别", "项目级别", "总投资", "年度计划投资"]


def _book(sheets: dict[str, list[list[object]]]):  # type: ignore[no-untyped-def]
    data = {name: SheetData(name, rows) for name, rows in sheets.items()}
    return list(data), data.__getitem__


def test_the_ledger_sheet_is_the_one_asked_for_else_项目台账_else_the_first_with_a_header() -> None:
    from xladdin.core.ledger import find_ledger_sheet
    from xladdin.errors import LedgerNotFound

    settings = default_settings()
    names, read = _book({"参数": [_HEADER], "说明": [["项目名称"]], "汇总表": [["合计"]], "2022台账": [_HEADER],
                         "项目台账": [["空"]]})
    assert find_ledger_sheet(names, read, settings, "汇总表").name == "汇总表"  # --sheet: taken as given
    with pytest.raises(LedgerNotFound) as missing:
        find_ledger_sheet(names, read, settings, "台账2023")
    assert missing.value.message == ("工作簿中没有名为“台账2023”的工作表。现有工作表：参数、说明、汇总表、2022台账、项目台账。")
    # 项目台账 has no header; 参数 has one but is never the ledger; a sheet named 台账 comes before others
    assert find_ledger_sheet(names, read, settings).name == "2022台账"
    names, read = _book({"参数": [_HEADER], "Sheet1": [["合计"]]})
    with pytest.raises(LedgerNotFound) as none:
        find_ledger_sheet(names, read, settings)
    assert none.value.message.startswith("没有找到项目台账：任何工作表的前 30 行中都没有可识别的表头")


def test_a_sheet_whose_merged_title_reaches_past_its_values_is_passed_over_on_the_way_to_the_ledger() -> None:
    """The template's output sheets (汇总, 排名 …) hold one title in A1 merged across A1:H1: a ledger
    renamed without 台账 in its name is looked for past them, and was an IndexError there."""
    from xladdin.core.ledger import find_ledger_sheet

    summary = SheetData("汇总", [["1-6月重点项目完成情况"]], [(1, 1, 1, 8)])
    assert summary.filled_row(1) == ["1-6月重点项目完成情况"] * 8
    ledger = SheetData("重点项目", [_HEADER])
    book = {"说明": SheetData("说明", []), "汇总": summary, "重点项目": ledger}
    assert find_ledger_sheet(list(book), book.__getitem__, default_settings()).name == "重点项目"


def test_a_title_line_without_the_unit_takes_the_next_filled_cell() -> None:
    from xladdin.core.ledger import title_unit

    rows: list[list[object]] = [["填报单位：", None, "南曹街道"], ["填报单位（盖章）：", "日期：2022年6月"], _HEADER]
    assert title_unit(SheetData("项目台账", rows), 3) == ("南曹街道", "A1")
    # the next filled cell is another label, not a unit: no unit
    assert title_unit(SheetData("项目台账", rows[1:]), 2) is None


def test_stats_sheet_errors_name_their_cells() -> None:
    from xladdin.core.ledger import read_stats

    settings = default_settings()
    with pytest.raises(ColumnNotFound) as no_header:
        read_stats(SheetData("单位统计", [["单位", "数值"], ["南曹街道", 1]]), settings)
    assert no_header.value.message == "工作表“单位统计”中找不到单位统计表头（需含“月份”“统计对象”“本年累计”等列）。"
    sheet = SheetData("单位统计", [["月份", "统计对象", "本年累计", "上年同期"], [6, "南曹街道", "十万", 100.0],
                                   [None, None, None, None], [6, "紫荆山南路街道", 120.0, 100.0]])
    stats, found = read_stats(sheet, settings)
    assert [(f.code, f.cell, f.value) for f in found] == [("not-a-number", "C2", "十万")]
    assert stats["subject"].tolist() == ["南曹街道", "紫荆山南路街道"]  # the blank row is skipped
    assert stats["ytd"].isna().tolist() == [True, False]


def test_text_that_python_reads_as_a_number_but_a_ledger_does_not_is_a_finding() -> None:
    """numpy converts text with Python's float(), which takes "1_000", "nan" and "infinity"; a ledger
    figure written so is not a number to the staff (``parse_amount``), so each is a not-a-number
    finding with its cell, never 1000 or an empty cell read in silence. Text figures ("80", "1,200")
    still read."""
    header = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资"]
    rows: list[list[object]] = [header, ["甲", "P1", "园区", "区重点", "1_000", "80"],
                                ["乙", "P2", "园区", "区重点", 50.0, "nan"],
                                ["丙", "P3", "园区", "区重点", 60.0, 70.0]]
    ledger = read_ledger(SheetData("台账", rows), S)
    assert sorted(f.flat() for f in ledger.findings) == ["not-a-number@台账!E2", "not-a-number@台账!F3"]
    fr = ledger.frame
    assert fr["total_investment"].isna().tolist() == [True, False, False]
    assert fr["annual_plan"].tolist()[0::2] == [80.0, 70.0]


def test_a_unit_merged_down_over_its_projects_is_every_project_s_unit() -> None:
    """责任单位 (and 项目级别) merged down over a block of projects, as many offices lay them out:
    the spreadsheet keeps the value in the first cell only; every project the merge covers has it.
    An amount merged that way stays the first project's figure, with a warning naming the range."""
    rows: list[list[object]] = [
        ["序号", "项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资"],
        ["一、省重点项目"],
        [1, "甲", "P1", "北下街街道", "省重点", 100, 50],
        [2, "乙", "P2", None, None, None, 60],
        [3, "丙", "P3", None, None, None, 70],
        [4, "丁", "P4", "南关街道", None, 40, 20],
    ]
    merges = [(3, 4, 5, 4), (3, 5, 6, 5), (3, 6, 5, 6), (1, 1, 2, 1)]  # D3:D5, E3:E6, F3:F5; A1:A2 above the data
    ledger = read_ledger(SheetData("台账", rows, merges), S)
    fr = ledger.frame
    assert list(fr["unit"]) == ["北下街街道", "北下街街道", "北下街街道", "南关街道"]
    assert list(fr["level"]) == ["省重点"] * 4
    assert list(fr["total_investment"].fillna(-1)) == [100, -1, -1, 40]  # counted once, not three times
    merged = [f for f in ledger.findings if f.code == "merged-amount"]
    assert [(f.cell, f.message) for f in merged] == [
        ("F3", "“总投资”单元格合并了 3 个项目的行（F3:F5），只计入第一个项目，其余项目此项为空；请取消合并，逐个项目填写。")]
    assert not [f for f in ledger.findings if f.field == "unit"]


def test_a_code_typed_as_a_number_of_more_than_15_digits_is_an_error() -> None:
    """Excel keeps 15 significant digits: a 19-digit 项目代码 typed without its dashes comes back as
    another number. A shorter code typed as a number reads as its digits, with no finding."""
    from xladdin.core.rules import validate_ledger

    rows: list[list[object]] = [
        ["序号", "项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资"],
        [1, "甲", 2207410104040150000.0, "北下街街道", "省重点", 100, 50],
        [2, "乙", 10002.0, "北下街街道", "省重点", 100, 50],
        [3, "丙", "2207-410104-04-01-540592", "北下街街道", "省重点", 100, 50],
    ]
    ledger = read_ledger(SheetData("台账", rows), S)
    assert list(ledger.frame["code"])[1:] == ["10002", "2207-410104-04-01-540592"]
    found = [f for f in validate_ledger(ledger, S).findings if f.code == "code-as-number"]
    assert [(f.cell, f.severity, f.message) for f in found] == [
        ("C2", "error", "项目编码以数字保存（现为 2207410104040150000），Excel 只保留 15 位有效数字，后面的位数已丢失；"
                        "请把该列设为“文本”格式，按原编码重新录入。")]
