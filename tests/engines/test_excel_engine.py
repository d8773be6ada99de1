"""ExcelEngine on xlwings' remote engine: the actions it records, and errors translated at the seam."""

from __future__ import annotations

import os
from typing import Any

import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
import xlwings as xw

if "remote" not in [e.name for e in xw.engines]:  # xlwings was imported before the key was set
    from xlwings.pro import _xlremote

    xw.engines.add(xw.main.Engine(impl=_xlremote.engine))

from xladdin.engines.base import Engine, Formula, Link
from xladdin.engines.excel import ExcelEngine, excel_text
from xladdin.errors import SheetNotFound


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
