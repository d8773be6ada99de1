"""ExcelEngine on xlwings' remote engine: the actions it records, and errors translated at the seam."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
import xlwings as xw

if "remote" not in [e.name for e in xw.engines]:  # xlwings was imported before the key was set
    from xlwings.pro import _xlremote

    xw.engines.add(xw.main.Engine(impl=_xlremote.engine))

from xladdin.engines.base import CellStyle, Engine, Formula, Link
from xladdin.engines.excel import (
    ExcelEngine,
    _hex,
    apply_desktop_format,
    desktop_format,
    excel_text,
    merged_areas,
)
from xladdin.errors import EngineError, SheetNotFound


def book() -> Any:
    return xw.Book(json={
        "client": "Office.js", "version": xw.__version__,
        "book": {"name": "台账.xlsx", "active_sheet_index": 0, "selection": "A1"},
        "names": [{"name": "xl_summary", "book_scope": True, "scope_sheet_name": None, "scope_sheet_index": None,
                   "refers_to": "='汇 总'!$A$3", "sheet_index": 0, "address": "A3"}],
        "sheets": [{"name": "汇 总", "values": [["a", 1], [2, None]], "pictures": [], "tables": [], "notes": [],
                    "charts": [], "shapes": []}],
    })


def actions(b: Any, func: str) -> list[dict[str, Any]]:
    return [a for a in b.json()["actions"] if a["func"] == func]


def test_is_an_engine_and_reads_values_and_names() -> None:
    e = ExcelEngine(book())
    assert isinstance(e, Engine)
    assert e.read("汇 总").rows == [["a", 1], [2, None]]
    assert e.defined_name("XL_SUMMARY") == ("汇 总", "A3")
    assert e.defined_name("missing") is None
    with pytest.raises(SheetNotFound):
        e.read("没有")


def test_strings_stay_text_formulas_and_links_are_deliberate() -> None:
    assert excel_text("=1+1") == "'=1+1" and excel_text("007") == "'007" and excel_text("北下街") == "北下街"
    b = book()
    ExcelEngine(b).write_block("汇 总", "C3", [["=cmd|'/c calc'!A1", Formula("=A1"), Link("F12", "'台账'!F12")]],
                               clear=(2, 3))
    clear, = actions(b, "rangeClearContents")
    assert (clear["start_row"], clear["start_column"], clear["row_count"], clear["column_count"]) == (2, 2, 2, 3)
    values, = actions(b, "setValues")
    assert values["values"] == [["'=cmd|'/c calc'!A1", "=A1", "'F12"]]
    link, = actions(b, "addHyperlink")
    assert link["args"][:2] == ["#'台账'!F12", "F12"] and link["start_column"] == 4


def test_fills_notes_sheets_names_chart_status() -> None:
    b = book()
    e = ExcelEngine(b)
    e.set_fill("汇 总", ["a1"], "ffc7ce")
    assert e.fills("汇 总", ["A1", "B1"]) == {"A1": "FFC7CE", "B1": None}
    e.set_note("汇 总", "A1", "问题")
    assert e.notes("汇 总", ["A1"]) == {"A1": "问题"}
    e.ensure_sheet("_xladdin", hidden=True)
    e.ensure_sheet("汇 总")
    e.set_defined_name("xl_summary", "汇 总", "A5:B9")
    e.bar_chart("汇 总", "xl_chart", "E5", "A1:A2", "B1:B2", "增速")
    e.status("正在校验 …")
    assert actions(b, "setRangeColor")[0]["args"] == ["#FFC7CE"]
    assert actions(b, "addNote")[0]["args"] == ["$A$1", "问题"]
    assert [a["args"] for a in actions(b, "addSheet")] == [[1, "_xladdin"]]
    assert actions(b, "setSheetVisibility")[0]["args"] == ["Hidden"]
    assert actions(b, "setNameRefersTo")[0]["args"][-1] == "='汇 总'!$A$5:$B$9"
    chart, = actions(b, "addChart")
    assert chart["args"][:4] == ["xl_chart", "BarClustered", "汇 总", "$A$1:$B$2"]
    assert e.messages == ["正在校验 …"]


def test_values_of_other_types_are_sent_and_read_back_as_their_text() -> None:
    """A value that is none of text, number, date, boolean or formula (here a Decimal) is written as
    its text, kept text by the apostrophe, and this session reads back that text (remote overlay)."""
    b = book()
    e = ExcelEngine(b)
    e.write_cells("汇 总", {"C1": Decimal("1.50")})
    values, = actions(b, "setValues")
    assert values["values"] == [["'1.50"]] and (values["start_row"], values["start_column"]) == (0, 2)
    assert e.read("汇 总").rows == [["a", 1, "1.50"], [2, None]]


def test_a_block_with_nothing_to_write_only_clears() -> None:
    """A stale block is cleared even when there are no rows to put in its place (e.g. no findings)."""
    b = book()
    e = ExcelEngine(b)
    e.write_block("汇 总", "A1", [], clear=(1, 2))
    assert [a["func"] for a in b.json()["actions"]] == ["rangeClearContents"]
    clear, = actions(b, "rangeClearContents")
    assert (clear["start_row"], clear["start_column"], clear["row_count"], clear["column_count"]) == (0, 0, 1, 2)
    assert e.read("汇 总").rows == [[None, None], [2, None]]


def test_names_that_are_not_cell_ranges_are_not_found() -> None:
    """A defined name holding a constant, or a reference broken by a deleted sheet (#REF!), names no
    range of cells: ``defined_name`` says None rather than a wrong place."""
    b = xw.Book(json={
        "client": "Office.js", "version": xw.__version__,
        "book": {"name": "台账.xlsx", "active_sheet_index": 0, "selection": "A1"},
        "names": [{"name": n, "book_scope": True, "scope_sheet_name": None, "scope_sheet_index": None,
                   "refers_to": ref, "sheet_index": None, "address": None}
                  for n, ref in (("xl_rate", "=0.05"), ("xl_gone", "=#REF!$A$1"), ("xl_area", "=Sheet1!$A:$A"),
                                 ("xl_ok", "='它''s'!$b$2:$c$9"))],
        "sheets": [{"name": "汇 总", "values": [["a"]], "pictures": [], "tables": [], "notes": [], "charts": [],
                    "shapes": []}],
    })
    e = ExcelEngine(b)
    assert [e.defined_name(n) for n in ("xl_rate", "xl_gone", "xl_area")] == [None, None, None]
    assert e.defined_name("XL_OK") == ("它's", "B2:C9")


def test_a_cell_address_xlwings_cannot_resolve_is_an_engine_error_naming_sheet_and_cell() -> None:
    e = ExcelEngine(book())
    with pytest.raises(EngineError, match=r"^Excel 无法读取“汇 总”表 ZZ 的底色：.*ZZ"):
        e.fills("汇 总", ["ZZ"])
    with pytest.raises(EngineError, match=r"^Excel 无法读取“汇 总”表 ZZ 的批注："):
        e.notes("汇 总", ["ZZ"])


# ---- desktop-only formatting, its logic outside the COM calls ---------------------------------------
def test_xlwings_colours_become_six_hex_digits() -> None:
    """Desktop xlwings reports fills as (r, g, b) or "#rrggbb"; the remote engine reports none."""
    assert [_hex((255, 199, 206)), _hex((0, 0, 0.0)), _hex("#ffc7ce"), _hex(None)] == ["FFC7CE", "000000", "FFC7CE",
                                                                                       None]


def test_header_merges_are_each_area_once_in_order() -> None:
    """A1:C1 and B2:B3 in a 3 x 4 header: every covered cell reports its area; each area is listed once."""
    areas = {(1, 1): (1, 1, 1, 3), (1, 2): (1, 1, 1, 3), (1, 3): (1, 1, 1, 3), (2, 2): (2, 2, 3, 2),
             (3, 2): (2, 2, 3, 2), (3, 4): (3, 4, 5, 4)}
    asked: list[tuple[int, int]] = []

    def area_at(r: int, c: int) -> tuple[int, int, int, int] | None:
        asked.append((r, c))
        return areas.get((r, c))

    assert merged_areas(3, 4, area_at) == [(1, 1, 1, 3), (2, 2, 3, 2), (3, 4, 5, 4)]
    assert len(asked) == 12 and merged_areas(2, 1, lambda r, c: areas.get((r, c))) == [(1, 1, 1, 3)]
    assert merged_areas(0, 4, area_at) == []


def test_desktop_format_sets_alignment_wrap_and_every_edge() -> None:
    assert desktop_format(CellStyle(bold=True)) == []  # nothing beyond what xlwings sets
    assert desktop_format(CellStyle(align="center", wrap=False)) == [(None, "HorizontalAlignment", -4108),
                                                                     (None, "WrapText", False)]
    assert desktop_format(CellStyle(align="justify"))[0][2] == -4131  # unknown alignment: left
    # thin left and top, medium bottom; the right edge's old line is removed
    assert desktop_format(CellStyle(border="lt", thick="b")) == [
        (7, "LineStyle", 1), (7, "Weight", 2), (8, "LineStyle", 1), (8, "Weight", 2),
        (9, "LineStyle", 1), (9, "Weight", -4138), (10, "LineStyle", -4142)]
    assert desktop_format(CellStyle(border="")) == [(e, "LineStyle", -4142) for e in (7, 8, 9, 10)]


class ComRange:
    """Stand-in for desktop Excel's COM Range (``range.api``), which no machine here has: it keeps
    the properties set on it and on its ``Borders(edge)``."""

    def __init__(self) -> None:
        self.borders: dict[int, ComRange] = {}

    def Borders(self, edge: int) -> ComRange:  # Excel's name
        return self.borders.setdefault(edge, ComRange())


def test_the_desktop_format_is_set_on_the_range_and_its_borders() -> None:
    api = ComRange()
    apply_desktop_format(api, CellStyle(align="right", wrap=True, thick="r"))
    assert vars(api)["HorizontalAlignment"] == -4152 and vars(api)["WrapText"] is True
    assert {edge: {k: v for k, v in vars(b).items() if k != "borders"} for edge, b in api.borders.items()} == {
        7: {"LineStyle": -4142}, 8: {"LineStyle": -4142}, 9: {"LineStyle": -4142},
        10: {"LineStyle": 1, "Weight": -4138}}
