"""The ribbon's paths off desktop Excel that test_ribbon_remote.py does not take: the answer to an
InputBox, a button whose job breaks unexpectedly, folders that cannot be used, and a book on
xlwings' calamine engine - a real local file, read-only, not remote, with no message box, InputBox,
status bar or PDF export (what the buttons meet where desktop Excel's features are missing)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import xlwings as xw

from tests.conftest import FIXTURES
from tests.engines.remote_book import book_from, reader
from xladdin import __version__
from xladdin.engines.excel import ExcelEngine
from xladdin.engines.files import FileEngine
from xladdin.errors import EngineError, UsageError
from xladdin.excel import ribbon
from xladdin.jobs.months import propose_month


def alerts(book: xw.Book) -> list[list[Any]]:
    return [a["args"] for a in book.json()["actions"] if a["func"] == "alert"]


# ---- the InputBox answer --------------------------------------------------------------------------------
def test_an_inputbox_answer_is_taken_cancel_stops_and_no_inputbox_takes_the_proposal() -> None:
    assert ribbon.answer_or(None, 6) == 6  # no InputBox here: the proposal
    assert ribbon.answer_or(7.0, 6) == 7.0 and ribbon.answer_or("3", "5") == "3"  # Excel's Type=1 gives a float
    assert ribbon.answer_or(0, 6) == 0  # 0 is an answer (checked later), not a cancel
    with pytest.raises(UsageError, match=r"^已取消。$"):
        ribbon.answer_or(False, 6)


def test_a_month_that_is_no_whole_number_is_refused_by_name() -> None:
    assert ribbon._checked(7.0) == 7 and ribbon._checked("12") == 12
    for bad in ("六月", None, "7.5"):
        with pytest.raises(UsageError, match=f"^月份应为 1 到 12 的整数，现为“{bad}”。$"):
            ribbon._checked(bad)
    outcome = ribbon.refresh_ranking(book_from(FIXTURES / "rules.xlsx"), month="六月")  # type: ignore[arg-type]
    assert outcome.failed and outcome.text == "月份应为 1 到 12 的整数，现为“六月”。"


# ---- a job that breaks in a way no guard names -------------------------------------------------------
def test_an_unexpected_error_becomes_a_short_message_never_a_traceback() -> None:
    book = book_from(FIXTURES / "rules.xlsx")

    def broken(engine: ExcelEngine) -> ribbon.Outcome:
        engine.status("正在处理 …")
        raise KeyError("序号")

    outcome = ribbon._run(book, broken)
    assert (outcome.text, outcome.mode, outcome.failed) == ("操作未完成：KeyError: '序号'", "critical", True)
    assert alerts(book) == [[outcome.text, "投资项目", "ok", "critical", ""]]
    assert "Traceback" not in outcome.text


# ---- folders ------------------------------------------------------------------------------------------
def test_a_folder_that_cannot_be_made_is_refused_naming_it(tmp_path: Path) -> None:
    (tmp_path / "报表.xlsx").write_bytes(b"")
    wanted = tmp_path / "报表.xlsx" / "月报表"  # under a file: no folder can be made there
    book = book_from(FIXTURES / "rules.xlsx")
    with pytest.raises(UsageError, match=r"^无法使用文件夹“.*月报表”：.+。$"):
        ribbon.output_folder(book, wanted)
    outcome = ribbon.make_forms(book, month=6, folder=wanted)
    assert outcome.failed and outcome.text.startswith(f"无法使用文件夹“{wanted}”") and not wanted.exists()


def test_a_book_saved_on_this_computer_writes_beside_itself(tmp_path: Path) -> None:
    path = tmp_path / "主台账.xlsx"
    shutil.copyfile(FIXTURES / "rules.xlsx", path)
    book = reader(path)
    assert Path(book.fullname) == path
    assert ribbon.output_folder(book, None, "月报表") == tmp_path / "月报表" and (tmp_path / "月报表").is_dir()
    assert ribbon.output_folder(book) == tmp_path


# ---- a book on xlwings' calamine engine (read-only, not remote) ------------------------------------------
def test_calamine_reads_like_the_file_engine_and_refuses_writes_naming_the_operation() -> None:
    engine = ExcelEngine(reader(FIXTURES / "rules.xlsx"))
    assert engine.remote is False and engine.label == "rules.xlsx"
    files = FileEngine(FIXTURES / "rules.xlsx")
    try:
        assert engine.read("项目台账").rows == files.read("项目台账").rows
    finally:
        files.close()
    assert engine.read("项目台账").merges == []  # cannot tell: none claimed
    with pytest.raises(EngineError, match=r"^Excel 无法完成操作（写入单元格，“项目台账”表）："):
        engine.write_cells("项目台账", {"A1": 1})


def test_a_book_closed_under_the_engine_is_an_error_naming_it() -> None:
    book = reader(FIXTURES / "rules.xlsx")
    book.close()
    engine = ExcelEngine(book)  # no app behind a closed book: no engine name, so not remote
    assert engine.remote is False and engine.label == "rules.xlsx"
    with pytest.raises(EngineError, match=r"^Excel 无法完成操作（列出工作表，工作簿“rules\.xlsx”）："):
        engine.sheet_names()


def test_a_button_on_a_read_only_book_ends_in_its_message_without_a_message_box() -> None:
    """校验台账 reads the ledger, then cannot write 校验结果: the outcome names that; with no message
    box on this engine the button still returns (never an exception out of RunPython)."""
    outcome = ribbon.validate_ledger(reader(FIXTURES / "rules.xlsx"))
    assert outcome.failed and outcome.text.startswith("Excel 无法完成操作（新建工作表，“校验结果”表）：")


def test_a_version_mismatch_without_a_message_box_is_raised_with_the_message() -> None:
    book = reader(FIXTURES / "rules.xlsx")
    assert ribbon.check_version(xw.__version__, __version__, book) is True
    with pytest.raises(UsageError) as info:
        ribbon.check_version(xw.__version__, "9.9.9", book)
    assert info.value.message == ribbon.version_problem(xw.__version__, "9.9.9")
    assert f"加载项需要 xladdin 9.9.9，Python 端是 {__version__}" in info.value.message


def test_without_an_inputbox_the_month_is_the_proposal(demo_master: tuple[Path, Path]) -> None:
    """Not remote, yet no InputBox (as Excel on macOS): the button takes the proposed month, the
    same one the file engine proposes for the same master."""
    master, june = demo_master
    engine = ExcelEngine(reader(master))
    assert ribbon.input_box(engine, "请输入月份（1-12）：", 5, 1) is None
    files = FileEngine(master)
    try:
        for job, forms, want in (("refresh", None, 5), ("forms", None, 6), ("consolidate", june, 6)):
            assert ribbon.ask_month(engine, job, forms) == propose_month(files, job, forms).month == want, job
    finally:
        files.close()
