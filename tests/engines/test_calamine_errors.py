"""The calamine reader's error translation on real files (issue 19, coverage): what calamine or
openpyxl cannot read becomes ``WorkbookUnreadable`` naming the file and the parser's complaint;
the formula/error overlay finds nothing (never raises) where there is no sheet part to read."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest

from tests import hostile_files as hf
from xladdin import errors
from xladdin.engines.files import FileEngine
from xladdin.engines.xlsx.calamine_read import open_workbook, overlay_cells, read_sheet, sheet_part

BROKEN = "无法读取“{}”：文件已损坏或不是有效的 Excel 工作簿（{}）。"


def test_bytes_that_are_no_workbook(tmp_path: Path) -> None:
    with pytest.raises(errors.WorkbookUnreadable) as caught:
        open_workbook(io.BytesIO(b"not a zip"), "解密后.xlsx")
    assert caught.value.message == BROKEN.format("解密后.xlsx", "CalamineError: Cannot detect file format")
    assert overlay_cells(io.BytesIO(b"not a zip"), "项目台账") == {}  # no part: nothing to overlay


def test_a_sheet_calamine_does_not_have(tmp_path: Path) -> None:
    path = hf.plain(tmp_path / "台账.xlsx")
    with pytest.raises(errors.WorkbookUnreadable) as caught:
        read_sheet(open_workbook(path, path.name), path, "不存在", path.name)
    assert caught.value.message == BROKEN.format("台账.xlsx", "WorksheetNotFound: 不存在")
    with zipfile.ZipFile(path) as zf:
        assert (sheet_part(zf, "不存在"), sheet_part(zf, "项目台账")) == (None, "xl/worksheets/sheet1.xml")


def test_a_sheet_without_a_relationship_or_its_target(tmp_path: Path) -> None:
    no_id = hf.rewrite(hf.plain(tmp_path / "a.xlsx"), tmp_path / "无编号.xlsx", lambda n, d: re.sub(
        rb'\sr:id="[^"]*"', b"", d) if n == "xl/workbook.xml" else d)
    no_target = hf.rewrite(hf.plain(tmp_path / "b.xlsx"), tmp_path / "无目标.xlsx", lambda n, d: re.sub(
        rb'<Relationship [^>]*worksheet"[^>]*/>', b"", d) if n == "xl/_rels/workbook.xml.rels" else d)
    for path in (no_id, no_target):
        with zipfile.ZipFile(path) as zf:
            assert sheet_part(zf, "项目台账") is None, path.name


def test_a_sheet_part_that_is_not_well_formed_xml_on_the_openpyxl_path(tmp_path: Path) -> None:
    """calamine reads past a missing end tag; openpyxl (the file engine that writes) refuses, and the
    refusal names the file and the parser's complaint."""
    path = hf.rewrite(hf.plain(tmp_path / "p.xlsx"), tmp_path / "坏.xlsx",
                      lambda n, d: d.replace(b"</row>", b"", 1) if n == hf.SHEET else d)
    with pytest.raises(errors.WorkbookUnreadable) as caught:
        FileEngine(path, writable=True)
    assert re.fullmatch(re.escape(BROKEN.format("坏.xlsx", "@")).replace("@", r"ParseError: mismatched tag: line 1, column \d+"),
                        caught.value.message), caught.value.message
