"""LibreOffice as an independent client: full recalculation, PDF export, error-value scan.

LibreOffice must be installed (CI installs it): a missing soffice fails these tests, never skips.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from xladdin import errors
from xladdin.engines import libreoffice

pytestmark = pytest.mark.libreoffice


def _with_cached_values(src: Path, dst: Path, cached: dict[str, str]) -> Path:
    """Copy an openpyxl workbook, giving formula cells ``cached`` (stale) values as another tool would."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                for ref, value in cached.items():
                    start = data.index(f'<c r="{ref}"'.encode())
                    end = data.index(b"</c>", start)
                    data = (
                        data[:start]
                        + data[start:end].replace(b"<v />", f"<v>{value}</v>".encode())
                        .replace(b"<v/>", f"<v>{value}</v>".encode())  # openpyxl writes <v/> when lxml is present
                        + data[end:]
                    )
            zout.writestr(info, data)
    return dst


def test_soffice_is_installed() -> None:
    assert Path(libreoffice.soffice()).is_file()


def test_missing_soffice_is_an_error_with_an_install_hint() -> None:
    code = "from xladdin import errors\nfrom xladdin.engines import libreoffice\ntry:\n    libreoffice.soffice()\nexcept errors.XladdinError as e:\n    print(e)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PATH": ""},
    )
    assert "未找到 LibreOffice" in out.stdout and "libreoffice-calc-nogui" in out.stdout


def test_recalc_replaces_stale_and_missing_cached_values(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "汇总"
    ws.append(["单位", "年度计划", "本年完成", "完成率"])
    ws.append(["区住建局", 1200, 300, "=C2/B2"])
    ws.append(["区发展改革局", 800, 800, "=C3/B3"])
    ws.append(["合计", "=SUM(B2:B3)", "=SUM(C2:C3)", "=C4/B4"])
    wb.save(tmp_path / "plain.xlsx")
    src = _with_cached_values(tmp_path / "plain.xlsx", tmp_path / "汇总.xlsx", {"B4": "999", "D2": "0.99"})
    original = src.read_bytes()
    stale = openpyxl.load_workbook(src, data_only=True)["汇总"]
    assert (stale["B4"].value, stale["D2"].value, stale["C4"].value) == (999, 0.99, None)

    out = libreoffice.recalc(src, tmp_path / "out")

    assert out == tmp_path / "out" / "汇总-recalc.xlsx"
    ws = openpyxl.load_workbook(out, data_only=True)["汇总"]
    assert ws["B4"].value == 2000
    assert ws["C4"].value == 1100
    assert ws["D2"].value == pytest.approx(0.25)
    assert ws["D3"].value == 1
    assert ws["D4"].value == pytest.approx(0.55)
    assert src.read_bytes() == original  # the original is never touched ...
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out",
        "plain.xlsx",
        "汇总.xlsx",
    ]  # ... nor its folder
    assert libreoffice.error_cells(out) == []


def test_error_cells_finds_error_values_by_sheet_and_cell(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "项目台账"
    ws.append(["项目名称", "总投资", "完成"])
    ws.append(["#N/A 不是错误，是文字", 100, 0])
    ws["A2"].data_type = "s"
    summary = wb.create_sheet("汇总")
    summary["A1"] = "=项目台账!C2/项目台账!C2"
    summary["B1"] = "=NOSUCHFUNCTION(1)"
    summary["C1"] = "=#REF!+1"
    summary["D1"] = "=SUM(项目台账!B2:B3)"
    wb.save(tmp_path / "错误.xlsx")

    out = libreoffice.recalc(tmp_path / "错误.xlsx", tmp_path)

    assert libreoffice.error_cells(out) == ["汇总!A1: #DIV/0!", "汇总!B1: #NAME?", "汇总!C1: #REF!"]


def test_to_pdf_renders_chinese_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "通报"
    ws["A1"] = "全区重点项目建设进展情况通报"
    ws["A2"] = "区发展改革局"
    ws["B2"] = "=1+1"
    ws.column_dimensions["A"].width = 30  # A2 must not be clipped by B2, whatever the CJK font's metrics
    wb.save(tmp_path / "通报.xlsx")

    pdf = libreoffice.to_pdf(tmp_path / "通报.xlsx", tmp_path / "pdf")

    assert pdf == tmp_path / "pdf" / "通报.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "全区重点项目建设进展情况通报" in text
    # B2's formula =1+1 printed as its value, on the same line as A2 and right of it
    assert re.search(r"区发展改革局\s+2\s*$", text, re.MULTILINE), text


def test_convert_many_in_one_run_and_never_over_the_source(tmp_path: Path) -> None:
    books = []
    for name in ("甲", "乙"):
        wb = openpyxl.Workbook()
        wb.active["A1"] = f'="{name}"&"单位"'  # type: ignore[index]
        wb.save(tmp_path / f"{name}.xlsx")
        books.append(tmp_path / f"{name}.xlsx")
    outs = libreoffice.convert(books, tmp_path / "out", "xlsx")
    values = [openpyxl.load_workbook(p, data_only=True).worksheets[0]["A1"].value for p in outs]
    assert values == ["甲单位", "乙单位"]
    with pytest.raises(errors.XladdinError, match="覆盖原文件"):
        libreoffice.convert([books[0]], tmp_path, "xlsx")
