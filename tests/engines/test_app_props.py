"""docProps/app.xml keeps listing every worksheet when a job adds one (TitlesOfParts/HeadingPairs)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from benchmarks.fidelity import LEDGER_ROWS, sheet_list_problems
from tests import hostile_files as hf
from tests.conftest import run_main
from xladdin.engines import libreoffice
from xladdin.engines.patch import PatchEngine
from xladdin.engines.xlsx.app_props import add_sheet_titles


def _excel_like(path: Path) -> Path:
    """A workbook as XlsxWriter writes it (Excel's app.xml: "Worksheets" then "Named Ranges")."""
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("说明").write("A1", "台账说明")
    ledger = wb.add_worksheet("项目台账")
    for r, row in enumerate(LEDGER_ROWS):
        ledger.write_row(r, 0, row)
    ledger.print_area("A1:G5")
    wb.close()
    return path


def _app(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("docProps/app.xml").decode("utf-8")


def test_titles_go_to_the_worksheet_group_and_counts_follow() -> None:
    app = ('<Properties><HeadingPairs><vt:vector size="4" baseType="variant"><vt:variant><vt:lpstr>工作表</vt:lpstr>'
           '</vt:variant><vt:variant><vt:i4>2</vt:i4></vt:variant><vt:variant><vt:lpstr>Named Ranges</vt:lpstr>'
           '</vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts>'
           '<vt:vector size="3" baseType="lpstr"><vt:lpstr>A</vt:lpstr><vt:lpstr>B</vt:lpstr>'
           '<vt:lpstr>A!Print_Area</vt:lpstr></vt:vector></TitlesOfParts></Properties>')
    out = add_sheet_titles(app, ["校验结果", "R&D"])
    assert out is not None
    assert re.findall(r"<vt:lpstr>([^<]*)</vt:lpstr>", out) == [
        "工作表", "Named Ranges", "A", "B", "校验结果", "R&amp;D", "A!Print_Area"]
    assert re.findall(r"<vt:i4>(\d+)</vt:i4>", out) == ["4", "1"] and 'size="5"' in out and 'size="4"' in out
    assert add_sheet_titles(app.replace("工作表", "Diagramme"), ["X"]) is None  # unknown heading: left alone
    assert add_sheet_titles("<Properties><Application>x</Application></Properties>", ["X"]) is None


@pytest.mark.libreoffice
def test_mark_adds_its_sheet_to_the_list_and_the_file_reopens(tmp_path: Path) -> None:
    path = _excel_like(tmp_path / "台账.xlsx")
    assert sheet_list_problems(path) == []
    assert run_main("validate", path, "--mark").returncode == 1  # errors found, 校验结果 added
    assert sheet_list_problems(path) == []  # the list is the workbook's worksheets, counts add up
    titles = re.findall(r"<vt:lpstr>([^<]*)</vt:lpstr>", _app(path))  # headings, then titles
    sheets = ["说明", "项目台账", "校验结果", "_xladdin"]  # --mark adds 校验结果 and its hidden state sheet
    assert titles[2:] == [*sheets, "项目台账!Print_Area"]
    assert re.findall(r"<vt:i4>(\d+)</vt:i4>", _app(path)) == ["4", "1"]
    assert openpyxl.load_workbook(path).sheetnames == sheets
    (reopened,) = libreoffice.convert([path], tmp_path / "lo", "xlsx")  # LibreOffice opens and saves it
    assert openpyxl.load_workbook(reopened).sheetnames == sheets


def test_a_file_without_the_list_keeps_its_app_xml(tmp_path: Path) -> None:
    path = hf.plain(tmp_path / "p.xlsx")  # openpyxl writes no sheet list
    before = _app(path)
    engine = PatchEngine(path)
    try:
        engine.ensure_sheet("新表")
        engine.write_cells("新表", {"A1": 1})
        engine.save()
    finally:
        engine.close()
    assert _app(path) == before and openpyxl.load_workbook(path).sheetnames[-1] == "新表"
