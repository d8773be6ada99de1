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
