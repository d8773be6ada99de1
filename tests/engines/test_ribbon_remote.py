"""The five ribbon buttons run for real on xlwings' remote engine (no Excel): each writes what the
CLI writes through the file engine for the same job, cell for cell; errors end in a message.

The remote book is built from a real workbook (the demo master, recalculated by LibreOffice so
that formula cells carry values as they would in Excel, or a committed fixture). The actions the
remote engine records are replayed onto the payload (``remote_book.replay``) and compared with
the file the CLI saved. Cells holding the workbook's own formulas are left out of the
comparison: Excel recalculates them, and neither engine writes them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw

from tests.conftest import FIXTURES, run_main
from tests.engines.remote_book import book_from, cells, normalised, payload, reader, replay
from xladdin.core.periods import Period
from xladdin.excel import ribbon

pytestmark = pytest.mark.libreoffice  # the remote book is the demo as LibreOffice recalculated it

@pytest.fixture(scope="module")
def demo(demo_build: Any, demo_recalculated: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The session's demo and its LibreOffice recalculation (tests/conftest.py, read-only); "dir" is
    this module's own folder for outputs."""
    return {"master": demo_build.master, "recalculated": demo_recalculated, "forms": demo_build.forms_dir,
            "dir": tmp_path_factory.mktemp("ribbon")}


@pytest.fixture(scope="module")
def consolidated(demo: dict[str, Path]) -> Path:
    """What ``xladdin consolidate --output`` writes for the demo's month 6 (file engine)."""
    out = demo["dir"] / "cli-consolidated.xlsx"
    proc = run_main("consolidate", demo["master"], "--month", "6", "--forms", demo["forms"], "--output", out)
    assert proc.returncode == 1, proc.stderr  # 1: the planted mistakes are found
    return out


def saved_cells(path: Path) -> dict[str, dict[tuple[int, int], Any]]:
    """Every sheet's non-empty cells as the file engine saved them (formula cells as formula text)."""
    wb = openpyxl.load_workbook(path)
    try:
        return {ws.title: cells([list(r) for r in ws.iter_rows(values_only=True)]) for ws in wb.worksheets}
    finally:
        wb.close()


def formula_cells(path: Path) -> dict[str, set[tuple[int, int]]]:
    wb = openpyxl.load_workbook(path)
    try:
        return {ws.title: {(c.row or 0, c.column or 0) for row in ws.iter_rows() for c in row if c.data_type == "f"}
                for ws in wb.worksheets}
    finally:
        wb.close()


def assert_same_cells(book: xw.Book, data: dict[str, Any], cli_output: Path, original: Path,
                      unlike: dict[str, set[tuple[int, int]]] | None = None) -> None:
    """The replayed remote book and the CLI's file hold the same values in the same cells
    (except the cells in ``unlike``, each an asserted, documented difference)."""
    got = replay(data, book.json()["actions"])
    want = saved_cells(cli_output)
    formulas = formula_cells(original)
    assert set(got.sheets) == set(want), "same sheets"
    for sheet, expected in want.items():
        skip = formulas.get(sheet, set()) | (unlike or {}).get(sheet, set())
        mine = {k: v for k, v in normalised(got.grids[sheet]).items() if k not in skip}
        theirs = {k: v for k, v in expected.items() if k not in skip}
        assert mine == theirs, sheet


def alerts(book: xw.Book) -> list[list[Any]]:
    return [a["args"] for a in book.json()["actions"] if a["func"] == "alert"]


# ---- 校验台账 ---------------------------------------------------------------------------------
def test_validate_button_writes_and_marks_what_the_cli_does(tmp_path: Path) -> None:
    source = FIXTURES / "rules.xlsx"
    data = payload(source)
    book = xw.Book(json=data)
    outcome = ribbon.validate_ledger(book)
    assert outcome.mode == "critical" and outcome.result.errors > 0
    assert "请先修改“项目台账”表 B5" in outcome.text
    assert alerts(book) == [[outcome.text, "投资项目", "ok", "critical", ""]]

    copy = tmp_path / "rules.xlsx"
    shutil.copy(source, copy)
    assert run_main("validate", copy, "--mark").returncode == 1
    # the one documented difference: I7 has the staff's own note, which the remote engine cannot
    # read; the file engine records and keeps its text, the remote engine leaves the note untouched
    got = replay(data, book.json()["actions"])
    record = saved_cells(copy)["_xladdin"]
    row = next(r for (r, c), v in record.items() if c == 2 and v == "I7")
    assert record[(row, 4)] == "计划已报区政府" and (row, 4) not in got.grids["_xladdin"]
    assert_same_cells(book, data, copy, source, unlike={"_xladdin": {(row, 4)}})
    wb = openpyxl.load_workbook(copy)
    try:
        ws = wb["项目台账"]
        marked = {ref for (sheet, ref) in got.fills if sheet == "项目台账"}
        assert len(marked) >= 10 and "I7" in marked
        for ref in marked:
            assert ws[ref].fill.fgColor.rgb[-6:] == got.fills[("项目台账", ref)], ref
            if ref == "I7":
                assert ("项目台账", "I7") not in got.notes and ws[ref].comment.text.endswith("——原批注：计划已报区政府")
                continue
            assert ws[ref].comment is not None and ws[ref].comment.text == got.notes[("项目台账", ref)], ref
        assert wb["_xladdin"].sheet_state == "hidden" and "_xladdin" in got.hidden
    finally:
        wb.close()
    assert not [a for a in book.json()["actions"] if a["func"].startswith("note") and "I7" in str(a["args"])]


def test_a_broken_ledger_ends_in_a_message_naming_the_column() -> None:
    # validate needs only the names: the missing 总投资 is its first error, written to 校验结果 (issue 12)
    book = book_from(FIXTURES / "missing-column.xlsx")
    outcome = ribbon.validate_ledger(book)
    assert "总投资" in outcome.text and "Traceback" not in outcome.text
    # the jobs that need the column refuse, naming it, and write nothing
    for button in (ribbon.refresh_ranking, ribbon.make_forms):
        other = book_from(FIXTURES / "missing-column.xlsx")
        assert "总投资" in button(other, month=6).text


# ---- 月度汇总 and 刷新排名与通报 --------------------------------------------------------------------
def test_consolidate_button_writes_what_the_cli_writes(demo: dict[str, Path], consolidated: Path) -> None:
    data = payload(demo["recalculated"], name=demo["master"].name)
    book = xw.Book(json=data)
    outcome = ribbon.consolidate_month(book, folder=demo["forms"])  # no month: June's forms propose June
    result = outcome.result
    assert result is not None and len(result.merge.units) == 27 and result.merge.merged > 200
    assert outcome.text.startswith("1-6月汇总完成") and "请先处理 文件“" in outcome.text
    assert alerts(book)[0][0] == outcome.text

    assert_same_cells(book, data, consolidated, demo["master"])


def test_refresh_button_writes_what_the_cli_writes(demo: dict[str, Path], tmp_path: Path) -> None:
    data = payload(demo["recalculated"], name=demo["master"].name)
    book = xw.Book(json=data)
    outcome = ribbon.refresh_ranking(book, month=5)
    assert outcome.text.startswith("已刷新1-5月汇总、排名与通报"), outcome.text
    out = tmp_path / "cli.xlsx"
    proc = run_main("consolidate", demo["master"], "--month", "5", "--output", out)
    assert proc.returncode == 0, proc.stderr  # the demo month consolidates without error findings
    assert_same_cells(book, data, out, demo["master"])
    got = replay(data, book.json()["actions"])
    assert got.grids["通报"], "the bulletin is written"
    assert got.names["xl_month"] == data["names"][[n["name"] for n in data["names"]].index("xl_month")]["refers_to"]


def test_refresh_button_finishes_on_ordinary_months(demo: dict[str, Path]) -> None:
    """Issue 12 seen 1: month 7 (no statistics, nobody reported) and month 1 (the 1-2月 period)
    finish with a message, never 内部错误; the missing figures are counted as warnings."""
    for month, label in ((7, "1-7月"), (1, "1-2月")):
        book = xw.Book(json=payload(demo["recalculated"], name=demo["master"].name))
        outcome = ribbon.refresh_ranking(book, month=month)
        assert outcome.text.startswith(f"已刷新{label}汇总、排名与通报"), outcome.text
        assert "内部错误" not in outcome.text and not outcome.failed
    assert "警告 2 条" in ribbon.refresh_ranking(xw.Book(json=payload(demo["recalculated"], name="m.xlsx")), month=7).text


# ---- 生成月报表 --------------------------------------------------------------------------------
def test_forms_button_writes_the_cli_forms_to_the_temp_folder_when_the_book_has_none(demo: dict[str, Path],
                                                                                      tmp_path: Path) -> None:
    name = f"台账-{tmp_path.name}.xlsx"  # a book name of its own: its temp folder is this test's
    book = xw.Book(json=payload(demo["recalculated"], name=name))
    assert book.fullname == name, "a remote book has no folder"
    folder = ribbon.output_folder(book, None, "月报表")
    assert folder == Path(tempfile.gettempdir()) / "xladdin" / Path(name).stem / "月报表"
    try:
        outcome = ribbon.make_forms(book, month=6)
        assert outcome.mode == "info" and str(folder) in outcome.text and alerts(book)[0][0] == outcome.text
        cli_dir = tmp_path / "cli"
        proc = run_main("forms", demo["master"], "--month", "6", "--out", cli_dir)
        assert proc.returncode == 0, proc.stderr
        mine = sorted(p.name for p in folder.iterdir())
        assert mine == sorted(p.name for p in cli_dir.iterdir()) and len(mine) == 27
        for file in mine:
            a, b = saved_cells(folder / file), saved_cells(cli_dir / file)
            # the form names the master it came from: the book's name here, the file's name there.
            # both carry the master's own id (defined name xl_master_id)
            assert "GC-DEMO-2022" in a["_表单信息"].values() and "GC-DEMO-2022" in b["_表单信息"].values()
            ids = {"GC-DEMO-2022", "GC-TEMPLATE-2022"}
            assert {s: {k: v for k, v in g.items() if v != name and v not in ids} for s, g in a.items()} == \
                   {s: {k: v for k, v in g.items() if v != demo["master"].name and v not in ids}
                    for s, g in b.items()}, file
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    assert ribbon.output_folder(book, tmp_path / "给定") == tmp_path / "给定" and (tmp_path / "给定").is_dir()


def test_consolidate_button_without_forms_says_where_it_looked(tmp_path: Path) -> None:
    book = book_from(FIXTURES / "rules.xlsx")
    outcome = ribbon.consolidate_month(book, month=6, folder=tmp_path)
    assert outcome.failed and str(tmp_path) in outcome.text and "没有月报表" in outcome.text
    assert "月份应为 1 到 12" in ribbon.refresh_ranking(book_from(FIXTURES / "rules.xlsx"), month=13).text


# ---- 导出通报PDF -------------------------------------------------------------------------------
def test_pdf_button_falls_back_to_libreoffice_on_the_remote_engine(demo: dict[str, Path], consolidated: Path,
                                                                   tmp_path: Path) -> None:
    done = consolidated
    book = book_from(done, name=demo["master"].name)
    outcome = ribbon.export_bulletin_pdf(book, folder=tmp_path / "pdf")
    assert outcome.mode == "info", outcome.text
    pdf = outcome.result
    assert pdf == tmp_path / "pdf" / "主台账-演示-通报.pdf" and pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    first = next(v for v in saved_cells(done)["通报"].values() if isinstance(v, str))
    assert first.strip() in text and "末位增速约谈" in text.replace(" ", "")
    assert [a["func"] for a in book.json()["actions"]] == ["alert"], "the book itself is not touched"

    empty = book_from(FIXTURES / "rules.xlsx")
    assert "请先点“刷新排名与通报”" in ribbon.export_bulletin_pdf(empty, folder=tmp_path).text


def test_pdf_button_on_an_engine_without_pdf_export_uses_libreoffice(demo: dict[str, Path], consolidated: Path,
                                                                     tmp_path: Path) -> None:
    """Not remote, but no PDF export either (xlwings' calamine reader raises NotImplementedError):
    the same LibreOffice export, beside the saved workbook, instead of a message about an open file."""
    local = tmp_path / demo["master"].name
    shutil.copyfile(consolidated, local)
    outcome = ribbon.export_bulletin_pdf(reader(local))
    assert outcome.mode == "info", outcome.text
    assert outcome.result == tmp_path / "主台账-演示-通报.pdf" and outcome.result.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(outcome.result), "-"], capture_output=True, text=True, check=True).stdout
    assert "末位增速约谈" in text.replace(" ", "")


# ---- the month a button proposes, and the version check ---------------------------------------------
def test_remote_buttons_use_the_month_the_forms_carry_else_the_next_one(demo: dict[str, Path], tmp_path: Path) -> None:
    """xlwings Server/Lite cannot ask: the proposal is used. The demo master holds 1-2月 … 5月 and
    its folder June's returned forms; April's forms in another folder propose April."""
    from xladdin.engines.excel import ExcelEngine
    from xladdin.jobs.forms import forms_from_master

    april = tmp_path / "四月"
    forms_from_master(demo["master"], Period(4), april)
    engine = ExcelEngine(xw.Book(json=payload(demo["recalculated"], name=demo["master"].name)))
    assert ribbon.ask_month(engine, "consolidate", demo["forms"]) == 6
    assert ribbon.ask_month(engine, "consolidate", april) == 4
    assert ribbon.ask_month(engine, "consolidate", tmp_path / "空") == 6  # month after 5
    assert ribbon.ask_month(engine, "forms") == 6 and ribbon.ask_month(engine, "refresh") == 5


def test_version_check_on_the_remote_engine(tmp_path: Path) -> None:
    from xladdin import __version__

    book = book_from(FIXTURES / "rules.xlsx")
    assert ribbon.check_version(xw.__version__, __version__, book) is True
    assert alerts(book) == []
    assert ribbon.check_version("0.30.0", __version__, book) is False
    [[text, title, _, mode, _]] = alerts(book)
    assert title == "投资项目" and mode == "critical"
    assert f"加载项需要 xlwings 0.30.0，Python 端是 {xw.__version__}" in text and "安装.cmd" in text
    other = book_from(FIXTURES / "rules.xlsx")
    assert ribbon.check_version(xw.__version__, "9.9.9", other) is False
    assert f"加载项需要 xladdin 9.9.9，Python 端是 {__version__}" in alerts(other)[0][0]


# ---- 导出通报Word ------------------------------------------------------------------------------
def test_word_button_exports_the_bulletin_as_a_gongwen(demo: dict[str, Path], consolidated: Path,
                                                       tmp_path: Path) -> None:
    import docx

    book = book_from(consolidated, name=demo["master"].name)
    outcome = ribbon.export_bulletin_word(book, folder=tmp_path / "word")  # month: the last consolidation's
    assert outcome.mode == "info", outcome.text
    assert outcome.result == tmp_path / "word" / "主台账-演示-通报.docx"
    text = "\n".join(p.text for p in docx.Document(str(outcome.result)).paragraphs)
    assert "管发改〔2022〕12号" in text and "1-6月" in text and "经济开发区管委会" in text
    assert [a["func"] for a in book.json()["actions"]] == ["alert"], "the book itself is not touched"

    taken = tmp_path / "占用"
    (taken / "主台账-演示-通报.docx").mkdir(parents=True)  # the file's name is taken by a folder
    failed = ribbon.export_bulletin_word(book_from(consolidated, name=demo["master"].name), folder=taken)
    assert failed.failed and failed.text.startswith("导出 Word 文档失败（"), failed.text
    assert failed.text.endswith("请确认文件“主台账-演示-通报.docx”未被打开。") and sorted(taken.iterdir()) == [
        taken / "主台账-演示-通报.docx"]
