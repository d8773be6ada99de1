"""The lean table read gives the same three progress tables as ``read_ledger(...).frame`` (issue 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from xladdin.core.ledger import find_ledger_sheet, read_ledger
from xladdin.core.periods import Period
from xladdin.core.settings import default_settings
from xladdin.core.sheet import SheetData
from xladdin.core.table_read import CATEGORY_FIELDS, LEVEL_FIELDS, TABLE_FIELDS, UNIT_FIELDS, table_frame
from xladdin.engines.files import FileEngine
from xladdin.errors import ColumnNotFound
from xladdin.figures import progress

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MESSY = ["merged-header", "fullwidth-digits", "subtotal-rows", "unit-aliases", "rules", "cumulative-falls"]


def assert_same_tables(sheet: SheetData, months: tuple[int, ...] = (2, 3, 6, 11, 12)) -> None:
    settings = default_settings()
    core = read_ledger(sheet, settings, only=TABLE_FIELDS).frame
    lean = table_frame(sheet, settings)
    by_unit, by_category, by_level = (table_frame(sheet, settings, fields)
                                      for fields in (UNIT_FIELDS, CATEGORY_FIELDS, LEVEL_FIELDS))
    assert len(lean) == len(core) == len(by_unit) == len(by_category) == len(by_level)
    assert "category" not in by_unit and "unit" not in by_level and "level" not in by_category
    for month in map(Period.of, months):
        expected = progress.by_unit(core, settings, month)
        pd.testing.assert_frame_equal(progress.by_unit(lean, settings, month), expected, check_exact=True)
        pd.testing.assert_frame_equal(progress.by_unit(by_unit, settings, month), expected, check_exact=True)
        expected = progress.by_category(core, settings, month)
        pd.testing.assert_frame_equal(progress.by_category(lean, settings, month), expected, check_exact=True)
        pd.testing.assert_frame_equal(progress.by_category(by_category, settings, month), expected, check_exact=True)
        expected = progress.by_level(core, month)
        pd.testing.assert_frame_equal(progress.by_level(lean, month), expected, check_exact=True)
        pd.testing.assert_frame_equal(progress.by_level(by_level, month), expected, check_exact=True)
        # read for one period only (as the formulas read): the months after it only where the 本年累计
        # fallback reaches them
        for fields, table in ((UNIT_FIELDS, progress.by_unit), (CATEGORY_FIELDS, progress.by_category)):
            pd.testing.assert_frame_equal(table(table_frame(sheet, settings, fields, month), settings, month),
                                          table(core, settings, month), check_exact=True)
        pd.testing.assert_frame_equal(progress.by_level(table_frame(sheet, settings, LEVEL_FIELDS, month), month),
                                      expected, check_exact=True)


def ledger_sheet(path: Path) -> SheetData:
    engine = FileEngine(path)
    return find_ledger_sheet(engine.sheet_names(), engine.read, default_settings())


def test_demo_ledger(demo_master: tuple[Path, Path]) -> None:
    sheet = ledger_sheet(demo_master[0])
    assert_same_tables(sheet)


@pytest.mark.parametrize("name", MESSY)
def test_messy_fixtures(name: str) -> None:
    sheet = ledger_sheet(FIXTURES / f"{name}.xlsx")
    try:
        read_ledger(sheet, default_settings(), only=TABLE_FIELDS)
    except ColumnNotFound as exc:
        with pytest.raises(ColumnNotFound) as lean:
            table_frame(sheet, default_settings())
        assert lean.value.message == exc.message
        return
    assert_same_tables(sheet)


HEADER = ["序号", "项目名称", "项目编码", "责任单位", "行业类别", "项目级别", "攻坚星级", "982工程",
          "总投资(亿元)", "年度计划投资", "1-2月", "3月", "4月", "1-3月累计", "1-4月累计", "本年累计完成"]


def test_odd_cells_read_as_the_core_reads_them() -> None:
    """Text numbers, full-width digits, booleans, negatives, inf, error literals, formulas, (亿元) scale,
    cumulative columns, subtotal / section / blank / formula-only rows, uncoded rows, ragged rows."""
    rows: list[list[Any]] = [["某区重点项目台账"], ["单位：万元"], HEADER,
                             ["一、省重点项目（3个）"],
                             [1, "甲", "C1", "北下街办事处", "城市更新", "省重点（攻坚星级）", None, "是",
                              1.5, "1,200", 100.0, "３０", None, None, None, "=SUM(K5:M5)"],
                             [2, "乙", "C2", "经济开发区", "产业", "市级重点", "√", "否", "2", 800.0, True, -5.0,
                              "#N/A", 95.0, None, None],
                             [3, "丙", None, "未知单位", None, "区重点", "★", None, 0.3, "约500", "=K7", 20.0,
                              float("inf"), None, 40.0, 70.0],
                             [None, "小计", None, None, None, None, None, None, 3.8, 2500.0, 300.0],
                             ["二、市重点项目"],
                             [None, None, None, None, None, None, None, None, None, None, "=A1"],
                             [4, "丁", "C4", "二里岗街道", "城市更新", "市重点", "x", 1, "0.5亿", 300.0, 10.0, 10.0],
                             [5, "戊", 4105, " 北下街 ", "文旅", "省重点", None, 0, 1e12, 50.0, None, None, 5.0],
                             [None, "合计", None, None, None, None, None, None, 5.0, 4000.0],
                             [],
                             [6, "己", "  ", "经济开发区", "文旅", "区重点", None, None, None, None, None, None, None, True]]
    width = len(HEADER)
    sheet = SheetData("台账", [r + [None] * (width - len(r)) if i % 2 else r for i, r in enumerate(rows)])
    assert len(table_frame(sheet, default_settings())) == 6  # 甲 乙 丙 丁 戊 己
    assert_same_tables(sheet, months=tuple(range(1, 13)))


def test_ytd_formula_column_read_where_the_tables_fall_back_to_it() -> None:
    """本年累计 as the template's uncached SUM in some rows, figures typed over it in others: projects
    without 1月/1-2月 figures take it (month 2), or their later months (month 3). A TRUE among the
    numbers of 3月 makes the core read that column cell by cell (TRUE is empty, not 1)."""
    header = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "1月", "2月", "3月", "本年累计完成"]
    rows: list[list[Any]] = [header,
                             ["甲", "C1", "经济开发区", "省重点", 100.0, 50.0, 10.0, 5.0, None, "=SUM(G2:I2)"],
                             ["乙", "C2", "经济开发区", "市重点", 100.0, 50.0, None, None, None, 30.0],
                             ["丙", "C3", "北下街街道", "区重点", 100.0, 50.0, None, None, 7.0, 12.0],
                             ["丁", "C4", "北下街街道", "区重点", 100.0, 50.0, None, None, True, "=J9"],
                             ["戊", "C5", "北下街街道", "区重点", 100.0, 50.0, 1.0, None, None, 99.0],
                             ["己", "C6", "北下街街道", "区重点", 100.0, 50.0, None, None, 4.0, None]]
    sheet = SheetData("台账", rows)
    lean = table_frame(sheet, default_settings())
    assert lean["ytd"].tolist()[1:3] == [30.0, 12.0]
    # read for 1-2月 only: 3月 is read just for the projects without a figure in 1月 or 2月, where
    # the fallback reaches it (己's empty 本年累计 is its months' sum, 4)
    early = table_frame(sheet, default_settings(), period=Period.of(2))
    assert "m03" not in early and early["ytd"].tolist()[1:3] == [30.0, 12.0] and early["ytd"].iloc[5] == 4.0
    assert_same_tables(sheet, months=tuple(range(1, 13)))


def _big_ledger(header: list[str], width: int, spread: int = 0) -> list[list[Any]]:
    """600 coded projects (three chunks of the row-wise read) of ``header``; amounts hold zeros and ones."""
    rows: list[list[Any]] = [header]
    units = ["经济开发区", "北下街街道", "西大街街道", " 北下街 ", "未知单位"]
    for i in range(600):
        months = [float((i * 7 + m) % 5) if (i + m) % 3 else 0.0 for m in range(12)]
        row = [f"项目{i}", f"C{i:04d}", units[i % 5], ["省重点", "市重点", "区重点"][i % 3], 100.0 + i,
               *([f"说明{i}"] * spread), float(i % 4), 1.0 if i % 2 else 0.0, *months]
        rows.append(row + [None] * (width - len(row)))
    return rows


def test_chunks_with_text_or_flags_near_the_amounts_read_as_the_core_reads_them() -> None:
    """Every layout path of the row-wise read, across chunk boundaries: a column between the amounts
    that the tables do not read (截至上年底累计完成) holding text in one chunk and TRUE in another; a
    FALSE among the 0/1 figures of 5月 (the column goes cell by cell: FALSE is empty, not 0); a
    text figure in 3月; amounts far apart (read cell by cell instead of as a row slice)."""
    months = [f"{m}月" for m in range(1, 13)]
    header = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "截至上年底累计完成", "年度计划投资", *months]
    rows = _big_ledger(header, len(header))
    rows[300][5] = "见备注"
    rows[520][5] = True
    rows[100][5] = False
    rows[410][11] = False  # 5月
    rows[40][9] = "1,5"  # 3月
    sheet = SheetData("台账", rows)
    frame = table_frame(sheet, default_settings())
    assert len(frame) == 600
    assert pd.isna(frame["m05"].iloc[409]) and frame["m05"].iloc[408] in (0.0, 1.0, 2.0, 3.0, 4.0)
    assert_same_tables(sheet, months=tuple(range(1, 13)))
    spread = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", *[f"备注{j}" for j in range(30)],
              "截至上年底累计完成", "年度计划投资", *months]
    sheet = SheetData("台账", _big_ledger(spread, len(spread), spread=30))
    assert len(table_frame(sheet, default_settings())) == 600
    assert_same_tables(sheet, months=tuple(range(1, 13)))


@pytest.mark.parametrize("blank", ["", " ", "\t", "\u3000"])
def test_a_heading_with_a_blank_code_is_not_a_project(blank: str) -> None:
    """The all-coded shortcut is taken only when no code is blank (empty, spaces, a tab, a full-width
    space): a section heading whose code cell holds only whitespace stays a heading."""
    header = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "1月"]
    rows = _big_ledger(header, len(header))
    rows[200] = ["二、市重点项目", blank, None, None, 500.0, 60.0, 7.0]
    sheet = SheetData("台账", rows)
    assert len(table_frame(sheet, default_settings())) == 599
    assert_same_tables(sheet, months=(1, 12))


def test_remembered_header_follows_the_range_and_the_column_aliases() -> None:
    """The header lookup is remembered between calls; a change to a header cell, to a cell's type or
    to 参数's column aliases is read afresh (the same grid, then swapped headers, then an alias)."""
    from xladdin.core.settings import Settings

    header = ["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "1月"]
    rows = _big_ledger(header, len(header))
    first = table_frame(SheetData("台账", rows), default_settings())
    again = table_frame(SheetData("台账", [list(r) for r in rows]), default_settings())
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    swapped = [["项目名称", "项目编码", "责任单位", "项目级别", "年度计划投资", "总投资", "1月"], *rows[1:]]
    frame = table_frame(SheetData("台账", swapped), default_settings())
    assert frame["annual_plan"].tolist() == first["total_investment"].tolist()
    assert frame["total_investment"].tolist() == first["annual_plan"].tolist()
    renamed = [["项目名称", "项目编码", "责任单位", "项目级别", "项目投资总额", "年度计划投资", "1月"], *rows[1:]]
    with pytest.raises(ColumnNotFound):
        table_frame(SheetData("台账", renamed), default_settings())
    aliased = Settings(column_aliases={"total_investment": ("项目投资总额",)})
    frame = table_frame(SheetData("台账", renamed), aliased)
    assert frame["total_investment"].tolist() == first["total_investment"].tolist()
    with pytest.raises(ColumnNotFound):  # the default settings again: no alias
        table_frame(SheetData("台账", renamed), default_settings())
    # remembered: the same answer for an equal grid; a cell of the first rows changing type only
    # (1.0 to TRUE, which compare equal) is looked up afresh
    from xladdin.core.table_read import _header

    typed = [list(r) for r in rows]
    typed[1][6] = 1.0
    remembered = _header(SheetData("台账", typed), default_settings())
    assert _header(SheetData("台账", [list(r) for r in typed]), default_settings()) is remembered
    typed[1][6] = True
    assert _header(SheetData("台账", typed), default_settings()) is not remembered


def test_a_unit_merged_down_over_its_projects_gives_the_core_s_tables() -> None:
    """A sheet read from a file knows its merges: 责任单位 merged down over three projects counts
    them under that unit in the table formulas' read as in read_ledger's."""
    rows: list[list[Any]] = [
        ["序号", "项目名称", "项目编码", "责任单位", "行业类别", "项目级别", "总投资", "年度计划投资", "1-6月完成投资"],
        [1, "甲", "P1", "北下街街道", "工业", "省重点", 100, 50, 20],
        [2, "乙", "P2", None, "工业", "市重点", 90, 60, 30],
        [3, "丙", "P3", None, "城建", "区重点", 80, 70, 40],
        [4, "丁", "P4", "南关街道", "城建", "区重点", 40, 20, 10],
    ]
    sheet, settings, june = SheetData("台账", rows, [(2, 4, 4, 4)]), default_settings(), Period.of(6)
    core = read_ledger(sheet, settings).frame
    for fields, table in ((UNIT_FIELDS, progress.by_unit), (CATEGORY_FIELDS, progress.by_category)):
        pd.testing.assert_frame_equal(table(table_frame(sheet, settings, fields, june), settings, june),
                                      table(core, settings, june), check_exact=True)
    pd.testing.assert_frame_equal(progress.by_level(table_frame(sheet, settings, LEVEL_FIELDS), june),
                                  progress.by_level(core, june), check_exact=True)
    units = progress.by_unit(table_frame(sheet, settings, UNIT_FIELDS), settings, june).set_index("unit")
    assert units.loc["北下街街道", "projects"] == 3 and units.loc["南关街道", "projects"] == 1
