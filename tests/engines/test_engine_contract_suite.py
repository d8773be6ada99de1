"""The engine contract, once, over every engine: FileEngine (openpyxl writes, checked with openpyxl
after ``save()``), ExcelEngine on xlwings' remote engine (checked by replaying the recorded actions;
``XLWINGS_LICENSE_KEY=noncommercial``) and PatchEngine (checked with openpyxl after ``save()``).

Where an engine documents that it cannot do something, the documented behaviour is asserted:
the remote engine reads no merges, no fills and no notes the book already had (only its own
session's), and leaves a note it cannot read untouched. The patch engine does everything the file
engine does (new and hidden sheets, fills, notes — issue 15).
"""

from __future__ import annotations

import copy
import shutil
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import openpyxl
import pytest
import xlwings as xw
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName

from tests.engines.remote_book import payload, replay  # enables xlwings' remote engine
from xladdin import errors
from xladdin.engines.base import Engine, Formula, Link
from xladdin.engines.excel import ExcelEngine
from xladdin.engines.files import FileEngine
from xladdin.engines.patch import PatchEngine

ENGINES = ["file", "excel-remote", "patch"]
INJECTIONS = ["=1+1", "+cmd|x", "@SUM(1)", "-1+1", "#N/A", "=cmd|'/c calc'!A1", "007", "TRUE"]
DATA, SUMMARY = "数据", "汇总"


def build_workbook(path: Path) -> Path:
    """A small known workbook: numbers, text, empty cells, an error value, a merge, a fill, a note,
    a defined name, two sheets."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = DATA
    for row in (["标题", None, None, None], ["项目", "金额", "比率", "备注"], ["甲", 100, "#DIV/0!", None],
                ["乙", 2.5, 0.25, "文本"], [None, None, None, None], ["丙", -3, None, "末行"]):
        ws.append(row)
    ws.merge_cells("A1:C1")
    ws["B4"].fill = PatternFill("solid", fgColor="FFFFEB9C")
    ws["D4"].comment = Comment("原有批注", "staff")
    s2 = wb.create_sheet(SUMMARY)
    s2["A1"], s2["B2"] = "旧", 7
    wb.defined_names["xl_summary"] = DefinedName("xl_summary", attr_text=f"'{SUMMARY}'!$A$1:$B$2")
    wb.save(path)
    wb.close()
    assert openpyxl.load_workbook(path)[DATA]["C3"].data_type == "e"  # a real error cell, not text
    return path


@dataclass
class View:
    """The workbook as it ends up, engine-independent."""

    sheets: list[str]
    hidden: set[str]
    values: dict[tuple[str, str], Any]  # non-empty cells; formulas as their text
    kinds: dict[tuple[str, str], str]  # "s" text, "f" formula, "n" number/bool, "e" error, "parsed"
    links: dict[tuple[str, str], str]  # internal hyperlink locations
    fills: dict[tuple[str, str], str | None]
    notes: dict[tuple[str, str], str]
    names: dict[str, tuple[str, str]]
    charts: dict[str, int]  # charts per sheet
    funcs: list[str] = field(default_factory=list)  # remote only: the recorded actions, in order


@dataclass
class Case:
    kind: str
    engine: Any
    finish: Callable[[], View]
    path: Path
    original: bytes
    messages: list[str] = field(default_factory=list)
    reopen: Callable[[], Any] | None = None  # a new engine on the saved result (file-based engines)


def _view_from_file(path: Path) -> View:
    wb = openpyxl.load_workbook(path)
    try:
        values: dict[tuple[str, str], Any] = {}
        kinds: dict[tuple[str, str], str] = {}
        links: dict[tuple[str, str], str] = {}
        fills: dict[tuple[str, str], str | None] = {}
        notes: dict[tuple[str, str], str] = {}
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    key = (ws.title, c.coordinate)
                    if c.value is not None:
                        values[key] = c.value
                        kinds[key] = c.data_type
                    if c.hyperlink is not None and c.hyperlink.location:
                        links[key] = c.hyperlink.location
                    if c.fill is not None and c.fill.fill_type == "solid":
                        fills[key] = str(c.fill.fgColor.rgb)[-6:].upper()
                    if c.comment is not None:
                        notes[key] = c.comment.text
        names = {}
        for name, dn in wb.defined_names.items():
            for sheet, ref in dn.destinations:
                names[name] = (sheet, ref.replace("$", ""))
        return View(wb.sheetnames, {ws.title for ws in wb.worksheets if ws.sheet_state != "visible"}, values, kinds,
                    links, fills, notes, names, {ws.title: len(cast(Any, ws)._charts) for ws in wb.worksheets})
    finally:
        wb.close()


def _excel_kind(raw: Any) -> str:
    """How Excel takes a value sent by Office.js: a leading apostrophe keeps text; '=' is a formula;
    other text that starts like a formula or reads as a number, boolean or error is parsed."""
    if not isinstance(raw, str):
        return "n"
    if raw.startswith("'"):
        return "s"
    if raw.startswith("="):
        return "f"
    if raw[:1] in "+-@#" or raw.upper() in ("TRUE", "FALSE"):
        return "parsed"
    try:
        float(raw)
    except ValueError:
        return "s"
    return "parsed"


def _view_from_actions(data: dict[str, Any], book: Any) -> View:
    from openpyxl.utils import get_column_letter

    got = replay(data, book.json()["actions"])
    values = {(s, f"{get_column_letter(c)}{r}"): v for s, grid in got.grids.items() for (r, c), v in grid.items()}
    kinds = {key: ("n" if not isinstance(v, str) else "s") for key, v in values.items()}
    kinds.update({key: _excel_kind(raw) for key, raw in got.raw.items() if key in values})
    names = {}
    for name, refers_to in got.names.items():
        sheet, _, ref = refers_to.lstrip("=").rpartition("!")
        names[name] = (sheet.strip("'").replace("''", "'"), ref.replace("$", ""))
    charts: dict[str, int] = {s: 0 for s in got.sheets}
    for args in got.charts:
        charts[args[2]] += 1
    return View(got.sheets, got.hidden, values, kinds, {k: v.lstrip("#") for k, v in got.links.items()},
                dict(got.fills), dict(got.notes), names, charts, [a["func"] for a in book.json()["actions"]])


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_workbook(tmp_path_factory.mktemp("contract") / "contract.xlsx")


@pytest.fixture(params=ENGINES)
def case(request: pytest.FixtureRequest, source: Path, tmp_path: Path) -> Iterator[Case]:
    path = tmp_path / "book.xlsx"
    shutil.copyfile(source, path)
    original = path.read_bytes()
    messages: list[str] = []
    kind = request.param
    if kind == "excel-remote":
        data = payload(path)
        book = xw.Book(json=copy.deepcopy(data))  # the remote engine adds new sheets to its payload
        xe = ExcelEngine(book)
        assert xe.remote
        c = Case(kind, xe, lambda: _view_from_actions(data, book), path, original, xe.messages)
        yield c
        return
    engine: Any = (FileEngine(path, writable=True, progress=messages.append) if kind == "file"
                   else PatchEngine(path, progress=messages.append))
    opened = [engine]

    def finish() -> View:
        opened[-1].save()
        opened[-1].close()
        return _view_from_file(path)

    def reopen() -> Any:
        opened[-1].save()
        opened[-1].close()
        again = FileEngine(path, writable=True) if kind == "file" else PatchEngine(path)
        opened.append(again)
        return again

    yield Case(kind, engine, finish, path, original, messages, reopen)
    for e in opened:
        e.close()


# ---- reading ---------------------------------------------------------------------------------
def test_is_an_engine_and_lists_sheets_in_order(case: Case) -> None:
    assert isinstance(case.engine, Engine)
    assert case.engine.sheet_names() == [DATA, SUMMARY]
    assert case.engine.label == "book.xlsx"


def test_read_gives_numbers_text_empty_cells_errors_and_merges(case: Case) -> None:
    got = case.engine.read(DATA)
    assert got.name == DATA
    assert [got.value(1, c) for c in range(1, 5)] == ["标题", None, None, None]
    assert [got.value(3, c) for c in range(1, 5)] == ["甲", 100, "#DIV/0!", None]
    assert [got.value(4, c) for c in range(1, 5)] == ["乙", 2.5, 0.25, "文本"]
    assert all(got.value(5, c) is None for c in range(1, 6))
    assert [got.value(6, c) for c in range(1, 5)] == ["丙", -3, None, "末行"]
    assert got.value(7, 1) is None and got.value(1, 9) is None
    assert got.max_row == 6
    # the remote engine cannot read merges (documented in engines/excel.py): it reports none
    assert got.merges == ([] if case.kind == "excel-remote" else [(1, 1, 1, 3)])
    with pytest.raises(errors.SheetNotFound):
        case.engine.read("没有这张表")


def test_prefetch_is_a_hint_read_gives_the_same_and_problems_surface_on_read(case: Case) -> None:
    case.engine.prefetch(DATA)
    case.engine.prefetch("没有这张表")  # never raises
    prefetched = case.engine.read(DATA)
    assert prefetched.rows == case.engine.read(DATA).rows
    assert prefetched.value(3, 3) == "#DIV/0!" and prefetched.value(6, 2) == -3
    with pytest.raises(errors.SheetNotFound):
        case.engine.read("没有这张表")
    case.engine.write_cells(DATA, {"B3": 101})  # a write after a prefetched read patches the same part
    assert case.engine.read(DATA).value(3, 2) == 101
    if case.kind != "excel-remote":
        view = case.finish()
        assert view.values[(DATA, "B3")] == 101 and view.values[(DATA, "A6")] == "丙"


def test_patch_prefetch_then_write_and_save_patches_the_prefetched_part(source: Path, tmp_path: Path) -> None:
    """``save`` patches the XML the prefetch thread kept: the write lands and nothing else changes."""
    path = tmp_path / "book.xlsx"
    shutil.copyfile(source, path)
    engine = PatchEngine(path)
    try:
        engine.prefetch(DATA)
        assert engine.read(DATA).value(4, 1) == "乙"
        engine.write_cells(DATA, {"A4": "乙改"})
        engine.save()
    finally:
        engine.close()
    book = openpyxl.load_workbook(path)
    assert book[DATA]["A4"].value == "乙改" and book[DATA]["D6"].value == "末行" and book[SUMMARY]["B2"].value == 7


# ---- writing values --------------------------------------------------------------------------
def test_write_block_without_clear_writes_only_the_block(case: Case) -> None:
    case.engine.write_block(DATA, "F2", [["一", 1], [2.5, None]])
    got = case.engine.read(DATA)
    assert [got.value(2, 6), got.value(2, 7), got.value(3, 6), got.value(3, 7)] == ["一", 1, 2.5, None]
    assert got.value(3, 1) == "甲" and got.value(4, 2) == 2.5  # untouched
    view = case.finish()
    assert {k: v for k, v in view.values.items() if k[0] == DATA and k[1][0] in "FG"} == {
        (DATA, "F2"): "一", (DATA, "G2"): 1, (DATA, "F3"): 2.5}
    assert view.values[(DATA, "B3")] == 100 and view.values[(DATA, "D4")] == "文本"


def test_write_block_with_clear_empties_the_old_region_and_keeps_formatting(case: Case) -> None:
    case.engine.write_block(DATA, "A3", [["新", 1]], clear=(3, 3))
    got = case.engine.read(DATA)
    assert [got.value(3, c) for c in range(1, 5)] == ["新", 1, None, None]
    assert [got.value(4, c) for c in range(1, 5)] == [None, None, None, "文本"]
    assert [got.value(6, c) for c in range(1, 3)] == ["丙", -3]  # beyond the cleared rows
    view = case.finish()
    data = {k[1]: v for k, v in view.values.items() if k[0] == DATA}
    assert data == {"A1": "标题", "A2": "项目", "B2": "金额", "C2": "比率", "D2": "备注", "A3": "新", "B3": 1,
                    "D4": "文本", "A6": "丙", "B6": -3, "D6": "末行"}
    if case.kind == "excel-remote":  # values only: Office.js clearContents, never a full clear
        assert view.funcs == ["rangeClearContents", "setValues"]
    else:
        assert view.fills[(DATA, "B4")] == "FFEB9C"  # the cleared cell keeps its fill
        assert view.notes[(DATA, "D4")] == "原有批注"


def test_write_cells_writes_sparse_values_and_none_clears(case: Case) -> None:
    case.engine.write_cells(DATA, {"E1": 35.0, "b6": 7, "D6": None, "H10": True, "A1": "新标题"})
    got = case.engine.read(DATA)
    assert (got.value(1, 5), got.value(6, 2), got.value(6, 4), got.value(10, 8), got.value(1, 1)) == (
        35.0, 7, None, True, "新标题")
    view = case.finish()
    assert (view.values[(DATA, "E1")], view.values[(DATA, "B6")], view.values[(DATA, "H10")]) == (35.0, 7, True)
    assert view.values[(DATA, "A1")] == "新标题" and (DATA, "D6") not in view.values
    assert view.kinds[(DATA, "H10")] in ("n", "b")


def test_strings_that_look_like_formulas_or_errors_stay_text(case: Case) -> None:
    case.engine.write_block(DATA, "F1", [[text] for text in INJECTIONS])
    case.engine.write_cells(SUMMARY, {f"C{i + 1}": text for i, text in enumerate(INJECTIONS)})
    got = case.engine.read(DATA)
    assert [got.value(i + 1, 6) for i in range(len(INJECTIONS))] == INJECTIONS
    view = case.finish()
    for i, text in enumerate(INJECTIONS):
        for key in ((DATA, f"F{i + 1}"), (SUMMARY, f"C{i + 1}")):
            assert (view.values[key], view.kinds[key]) == (text, "s"), key
            assert key not in view.links


def test_formula_is_a_formula_and_link_is_an_internal_hyperlink(case: Case) -> None:
    case.engine.write_block(DATA, "F3", [[Formula("=SUM(B3:B4)"), Link("去汇总", f"'{SUMMARY}'!B2")]])
    case.engine.write_cells(SUMMARY, {"D1": Formula("=数据!B3*2"), "D2": Link("=看这里", f"'{DATA}'!A6")})
    got = case.engine.read(DATA)
    assert (got.value(3, 6), got.value(3, 7)) == ("=SUM(B3:B4)", "去汇总")  # no recalculation: formula text
    assert case.engine.read(SUMMARY).value(2, 4) == "=看这里"
    view = case.finish()
    assert (view.values[(DATA, "F3")], view.kinds[(DATA, "F3")]) == ("=SUM(B3:B4)", "f")
    assert (view.values[(SUMMARY, "D1")], view.kinds[(SUMMARY, "D1")]) == ("=数据!B3*2", "f")
    assert (view.values[(DATA, "G3")], view.kinds[(DATA, "G3")]) == ("去汇总", "s")
    assert (view.values[(SUMMARY, "D2")], view.kinds[(SUMMARY, "D2")]) == ("=看这里", "s")  # link text stays text
    assert view.links == {(DATA, "G3"): f"'{SUMMARY}'!B2", (SUMMARY, "D2"): f"'{DATA}'!A6"}


def _reopened_reads(case: Case, sheet: str) -> list[Any]:
    """After save, what new engines on the file read: file: openpyxl (writable) and calamine (read-only)."""
    assert case.reopen is not None
    again = case.reopen().read(sheet)
    return [again] + ([FileEngine(case.path).read(sheet)] if case.kind == "file" else [])


def test_reads_after_writes_see_the_writes(case: Case) -> None:
    e = case.engine
    e.write_block(SUMMARY, "A1", [["新", 1.5, "x"]], clear=(2, 2))
    e.write_cells(SUMMARY, {"E5": "后写", "A1": "再写", "C1": None})
    want: list[list[Any]] = [["再写", 1.5, None], [None, None], [], [], [None, None, None, None, "后写"]]
    readers = [e.read(SUMMARY)]
    if case.reopen is not None:  # after save, a new engine on the file reads the same
        readers += _reopened_reads(case, SUMMARY)
    for n, got in enumerate(readers):
        for r, row in enumerate(want, start=1):
            for c, v in enumerate(row, start=1):
                assert got.value(r, c) == v, (n, r, c)
        assert got.value(2, 2) is None  # B2=7 was cleared


def test_a_written_formula_reads_as_its_text_until_calculated(case: Case) -> None:
    """Protocol: ``read`` gives a formula's cached value where known, else the formula text."""
    case.engine.write_cells(SUMMARY, {"C1": Formula("=B2*2"), "C2": 3})
    assert case.engine.read(SUMMARY).value(1, 3) == "=B2*2"
    if case.reopen is not None:  # nothing has calculated it: the saved cell has no cached value
        for n, got in enumerate(_reopened_reads(case, SUMMARY)):
            assert (got.value(1, 3), got.value(2, 3)) == ("=B2*2", 3), n


# ---- names and sheets ------------------------------------------------------------------------
def test_defined_names_read_set_new_and_replace(case: Case) -> None:
    e = case.engine
    assert e.defined_name("xl_summary") == (SUMMARY, "A1:B2")
    assert e.defined_name("xl_missing") is None
    e.set_defined_name("xl_summary", SUMMARY, "A3:C9")
    e.set_defined_name("xl_ranking", DATA, "F2")
    assert e.defined_name("xl_summary") == (SUMMARY, "A3:C9")
    assert e.defined_name("xl_ranking") == (DATA, "F2")
    view = case.finish()
    assert view.names == {"xl_summary": (SUMMARY, "A3:C9"), "xl_ranking": (DATA, "F2")}


def test_ensure_sheet_adds_at_the_end_hidden_on_request_and_leaves_existing_ones(case: Case) -> None:
    e = case.engine
    e.ensure_sheet(DATA, hidden=True)  # an existing sheet stays as it is
    e.ensure_sheet("_xladdin", hidden=True)
    e.ensure_sheet("排名")
    e.ensure_sheet(SUMMARY)
    e.ensure_sheet("_xladdin", hidden=True)  # twice: still one
    assert e.sheet_names() == [DATA, SUMMARY, "_xladdin", "排名"]
    e.write_cells("排名", {"A1": "名次"})
    assert e.read("排名").value(1, 1) == "名次"
    assert e.read(SUMMARY).value(2, 2) == 7
    view = case.finish()
    assert view.sheets == [DATA, SUMMARY, "_xladdin", "排名"]
    assert view.hidden == {"_xladdin"}  # DATA, existing, was not hidden
    assert view.values[("排名", "A1")] == "名次"
    assert (view.values[(SUMMARY, "A1")], view.values[(SUMMARY, "B2")]) == ("旧", 7)


# ---- fills and notes -------------------------------------------------------------------------
def test_fills_set_read_and_clear(case: Case) -> None:
    e = case.engine
    before = e.fills(DATA, ["B4", "A3"])
    # the remote engine cannot read fills (documented): only this session's own are known
    assert before == ({"B4": None, "A3": None} if case.kind == "excel-remote" else {"B4": "FFEB9C", "A3": None})
    e.set_fill(DATA, ["A3", "b3"], "ffc7ce")
    e.set_fill(DATA, ["A6"], "C6EFCE")
    e.set_fill(DATA, ["A6", "B4"], None)
    assert e.fills(DATA, ["A3", "B3", "A6", "B4"]) == {"A3": "FFC7CE", "B3": "FFC7CE", "A6": None, "B4": None}
    view = case.finish()
    assert {k[1]: v for k, v in view.fills.items() if v} == {"A3": "FFC7CE", "B3": "FFC7CE"}


def test_notes_set_replace_and_remove(case: Case) -> None:
    e = case.engine
    e.set_note(DATA, "A3", "第一次")
    e.set_note(DATA, "A3", "替换后")
    e.set_note(DATA, "B3", "将删除")
    e.set_note(DATA, "B3", None)
    e.set_note(DATA, "C6", None)  # removing a note that is not there
    e.set_note(DATA, "A6", "保留")
    assert e.notes(DATA, ["A3", "B3", "C6", "A6"]) == {"A3": "替换后", "B3": None, "C6": None, "A6": "保留"}
    if case.kind == "excel-remote":
        # documented: a note the remote engine cannot read (the book's own) reads as None and is
        # never overwritten or deleted
        assert e.notes(DATA, ["D4"]) == {"D4": None}
        e.set_note(DATA, "D4", "覆盖")
        e.set_note(DATA, "D4", None)
        view = case.finish()
        assert view.notes == {(DATA, "A3"): "替换后", (DATA, "A6"): "保留"}
        return
    assert e.notes(DATA, ["D4"]) == {"D4": "原有批注"}
    view = case.finish()
    assert view.notes == {(DATA, "A3"): "替换后", (DATA, "A6"): "保留", (DATA, "D4"): "原有批注"}


# ---- chart and status ------------------------------------------------------------------------
def test_bar_chart_is_recreated_not_duplicated_within_a_run(case: Case) -> None:
    e = case.engine
    e.bar_chart(DATA, "xl_chart", "F2", "A3:A4", "B3:B4", "完成率")
    e.bar_chart(DATA, "xl_chart", "F2", "A3:A4", "B3:B4", "完成率")  # a second call in the same run
    view = case.finish()
    assert view.charts == {DATA: 1, SUMMARY: 0}


def test_bar_chart_is_recreated_not_duplicated_by_the_next_run(case: Case) -> None:
    if case.reopen is None:  # remote: the next session's payload holds the chart the last one added
        data = payload(case.path)
        data["sheets"][0]["charts"] = [{"name": "xl_chart", "chart_type": "barClustered", "top": 20, "left": 300,
                                        "width": 355, "height": 211}]
        book = xw.Book(json=copy.deepcopy(data))
        ExcelEngine(book).bar_chart(DATA, "xl_chart", "F2", "A3:A4", "B3:B4", "完成率")
        assert [a["func"] for a in book.json()["actions"]] == ["deleteChart", "addChart", "setChartTitle"]
        assert _view_from_actions(data, book).charts == {DATA: 1, SUMMARY: 0}
        return
    case.engine.bar_chart(DATA, "xl_chart", "F2", "A3:A4", "B3:B4", "完成率")
    case.reopen().bar_chart(DATA, "xl_chart", "F2", "A3:A4", "B3:B4", "完成率")  # next run, on the saved file
    view = case.finish()
    assert view.charts == {DATA: 1, SUMMARY: 0}


def test_status_does_not_raise_and_is_recorded(case: Case) -> None:
    case.engine.status("正在校验 …")
    case.engine.status("完成")
    assert case.messages[:2] == ["正在校验 …", "完成"]
    if case.kind == "file":
        FileEngine(case.path).status("没有进度回调也不报错")  # read-only, no progress callback


@pytest.mark.libreoffice
def test_patch_bar_chart_joins_the_drawing_a_sheet_already_has(source: Path, tmp_path: Path) -> None:
    """Documented in engines/xlsx/chart.py: on a sheet with shapes the chart's anchor is appended to
    that drawing; the shape stays, openpyxl and LibreOffice read the chart."""
    from tests.hostile_files import _DRAWING, rewrite

    part, rels = "xl/worksheets/sheet2.xml", "xl/worksheets/_rels/sheet2.xml.rels"
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    def edit(name: str, data: bytes) -> bytes:
        if name == part:
            return data.replace(b"</worksheet>", f'<drawing xmlns:r="{rel_ns}" r:id="rIdShape"/></worksheet>'.encode())
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", b'<Override PartName="/xl/drawings/drawing1.xml" ContentType="application/'
                                b'vnd.openxmlformats-officedocument.drawing+xml"/></Types>')
        return data

    with zipfile.ZipFile(source) as zf:
        assert rels not in zf.namelist()
    path = rewrite(source, tmp_path / "shapes.xlsx", edit, {
        "xl/drawings/drawing1.xml": _DRAWING,
        rels: (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
               f'openxmlformats.org/package/2006/relationships"><Relationship Id="rIdShape" Type="{rel_ns}/drawing" '
               f'Target="../drawings/drawing1.xml"/></Relationships>').encode()})
    engine = PatchEngine(path)
    try:
        engine.bar_chart(SUMMARY, "xl_chart", "D2", "A1:A2", "B1:B2", "完成率")
        engine.save()
    finally:
        engine.close()
    with zipfile.ZipFile(path) as zf:
        drawing = zf.read("xl/drawings/drawing1.xml")
        assert b"TextBox 1" in drawing and b"xl_rank_chart" in drawing  # the shape stays beside the chart
        assert sum(n.startswith("xl/drawings/drawing") for n in zf.namelist()) == 1
    assert len(openpyxl.load_workbook(path)[SUMMARY]._charts) == 1
    from xladdin.engines import libreoffice

    out = libreoffice.recalc(path, tmp_path / "lo")
    with zipfile.ZipFile(out) as zf:
        assert any(n.startswith("xl/charts/") for n in zf.namelist())
