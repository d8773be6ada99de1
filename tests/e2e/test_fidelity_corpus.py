"""Lossless in-place jobs on workbooks written by real programs, built here at test time (issue 15).

Workbooks from other projects may not be committed, so the corpus is made by two real writers
available on this machine: XlsxWriter (Excel-faithful OOXML: charts, a table, an image, a text box,
notes, x14 data bars, validation, sparklines, defined names; an .xlsm with a real vbaProject.bin and
a form button) and LibreOffice itself (the XlsxWriter workbook opened in LibreOffice through UNO,
given a pivot table and a note, and saved by LibreOffice's OOXML filter). ``benchmarks/fidelity.py``
then adds a ledger sheet to each, runs ``validate --mark`` (twice) and ``consolidate``, and checks that
every zip member a job had no reason to change keeps its raw compressed bytes and CRC, that
LibreOffice opens the results and reads our notes, and that openpyxl and calamine read the marks.
"""

from __future__ import annotations

import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
import xlsxwriter

from benchmarks import fidelity
from tests import hostile_files as hf

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]


def png(width: int = 8, height: int = 8) -> bytes:
    """A small red PNG, written by hand (no imaging library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _data(wb: xlsxwriter.Workbook, image: Path) -> None:
    ws = wb.add_worksheet("数据")
    ws.write_row(0, 0, ["类别", "金额", "数量", "备注"])
    for i in range(12):
        ws.write_row(i + 1, 0, ["甲乙丙"[i % 3], 100 + i * 7, i, None])
    ws.write_comment("A2", "员工写的批注")
    ws.conditional_format("B2:B13", {"type": "data_bar", "bar_solid": True, "data_bar_2010": True})
    ws.conditional_format("C2:C13", {"type": "cell", "criteria": ">", "value": 5, "format": wb.add_format({"bold": True})})
    ws.data_validation("A2:A13", {"validate": "list", "source": ["甲", "乙", "丙"]})
    ws.add_sparkline("D2", {"range": "数据!B2:C2"})
    ws.insert_image("F2", str(image))
    ws.insert_textbox("F10", "文本框", {"width": 160, "height": 40})
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"categories": "=数据!$A$2:$A$13", "values": "=数据!$B$2:$B$13"})
    ws.insert_chart("J2", chart)
    wb.define_name("金额区", "=数据!$B$2:$B$13")
    table = wb.add_worksheet("表格")
    table.add_table("A1:C4", {"data": [["甲", 1, 2], ["乙", 3, 4], ["丙", 5, 6]],
                              "columns": [{"header": "名称"}, {"header": "一"}, {"header": "二"}]})


def build_corpus(folder: Path) -> dict[str, str]:
    """The workbooks and the program that wrote each."""
    folder.mkdir(parents=True, exist_ok=True)
    image = folder.parent / "red.png"
    image.write_bytes(png())
    wb = xlsxwriter.Workbook(str(folder / "xlsxwriter-features.xlsx"))
    _data(wb, image)
    wb.close()

    with zipfile.ZipFile(hf.office_xlsm(folder.parent / "blank.xlsm")) as zf:
        vba = folder.parent / "vbaProject.bin"
        vba.write_bytes(zf.read("xl/vbaProject.bin"))
    wb = xlsxwriter.Workbook(str(folder / "xlsxwriter-macro.xlsm"))
    ws = wb.add_worksheet("宏")
    ws.write("A1", "按钮")
    ws.insert_button("C2", {"macro": "Module1.Hello", "caption": "运行"})
    ws.write_comment("A1", "宏表批注")
    wb.add_vba_project(str(vba))
    wb.close()

    script = Path(__file__).with_name("lo_corpus.py")
    subprocess.run(["/usr/bin/python3", str(script), str(folder / "xlsxwriter-features.xlsx"),
                    str(folder / "libreoffice-pivot.xlsx"), str(folder.parent / "lo-profile")],
                   check=True, timeout=240)
    return {"xlsxwriter-features.xlsx": "XlsxWriter", "xlsxwriter-macro.xlsm": "XlsxWriter",
            "libreoffice-pivot.xlsx": "LibreOffice"}


def test_generated_corpus_really_has_the_features(tmp_path: Path) -> None:
    build_corpus(tmp_path / "corpus")
    with zipfile.ZipFile(tmp_path / "corpus" / "libreoffice-pivot.xlsx") as zf:
        names = set(zf.namelist())
        assert b"LibreOffice" in zf.read("docProps/app.xml")
    assert any(n.startswith("xl/pivotTables/") for n in names) and any(n.startswith("xl/pivotCache/") for n in names)
    assert any(n.startswith("xl/charts/") for n in names) and any(n.startswith("xl/media/") for n in names)
    assert any(n.startswith("xl/comments") for n in names)
    with zipfile.ZipFile(tmp_path / "corpus" / "xlsxwriter-features.xlsx") as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
        assert b"x14:sparklineGroups" in sheet and b"x14:conditionalFormatting" in sheet
        assert {"xl/tables/table1.xml", "xl/media/image1.png", "xl/charts/chart1.xml"} <= set(zf.namelist())
    with zipfile.ZipFile(tmp_path / "corpus" / "xlsxwriter-macro.xlsm") as zf:
        assert "xl/vbaProject.bin" in zf.namelist() and any("vmlDrawing" in n for n in zf.namelist())

    results = fidelity.run(tmp_path / "corpus", tmp_path / "work")
    assert len(results) == 3
    for r in results:
        assert r.ok, (r.name, r.problems)
        assert r.added_ledger == "ok" and r.mark.startswith("ok") and r.rerun == "identical"
        assert r.consolidate.startswith("ok") and (r.libreoffice, r.openpyxl, r.calamine) == ("ok", "ok", "ok")


def test_a_changed_member_is_caught(tmp_path: Path) -> None:
    """The byte comparison itself: a member re-compressed with the same content counts as changed."""
    src = hf.plain(tmp_path / "a.xlsx")
    dst = tmp_path / "b.xlsx"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            method = zipfile.ZIP_STORED if info.filename == "xl/styles.xml" else zipfile.ZIP_DEFLATED
            zout.writestr(info.filename, zin.read(info), compress_type=method)
    bad = fidelity.unexpected_changes(src, dst, {"xl/worksheets/sheet1.xml"})
    assert "xl/styles.xml changed" in bad
