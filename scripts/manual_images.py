#!/usr/bin/env python3
"""Render the pictures of docs/操作手册.md (Excel part) from the real outputs of the demo district.

    .venv/bin/python scripts/manual_images.py            # writes docs/images/manual-excel-*.png

Runs ``xladdin demo`` (master with 1-2月 … 5月, June's 27 returned forms, then validate and the
June consolidation: the same jobs the ribbon buttons run), keeps one sheet per picture (openpyxl,
formatting kept), prints it with LibreOffice to PDF (A4 landscape, one page wide) and turns the
first page into a small PNG with pdftoppm. Needs LibreOffice and poppler-utils (as the tests).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import openpyxl
from openpyxl.worksheet.properties import PageSetupProperties

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images"
DPI = 75

# (picture, workbook in the demo folder or "form", sheet, orientation)
PICTURES = [
    ("manual-excel-form", "form", "月报表", "landscape"),
    ("manual-excel-findings", "master", "校验结果", "landscape"),
    ("manual-excel-summary", "master", "汇总", "landscape"),
    ("manual-excel-ranking", "master", "排名", "landscape"),
    ("manual-excel-bulletin", "master", "通报", "portrait"),
]


def one_sheet_pdf(book: Path, sheet: str, orientation: str, work: Path) -> Path:
    from xladdin.engines.libreoffice import to_pdf

    wb = openpyxl.load_workbook(book)
    for ws in list(wb.worksheets):
        if ws.title != sheet:
            wb.remove(ws)
    ws = wb[sheet]
    ws.sheet_state = "visible"
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    copy = work / f"{sheet}.xlsx"
    wb.save(copy)
    return to_pdf(copy, work)


def content_box(pdf: Path, work: Path, margin: int = 12) -> tuple[int, int, int, int]:
    """(x, y, width, height) in pixels at DPI of the non-white part of the first page."""
    base = work / "page"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", str(pdf), str(base)], check=True)
    data = (work / "page.ppm").read_bytes()
    fields = data.split(maxsplit=4)  # P6 width height maxval pixels
    width, height = int(fields[1]), int(fields[2])
    pixels = fields[4]
    rows = [pixels[r * width * 3:(r + 1) * width * 3] for r in range(height)]
    ink = [r for r in range(height) if rows[r].strip(b"\xff")]
    cols = [i // 3 for r in ink for i in (len(rows[r]) - len(rows[r].lstrip(b"\xff")),
                                           len(rows[r].rstrip(b"\xff")) - 1)]
    if not ink:
        return 0, 0, width, height
    x0, x1 = max(min(cols) - margin, 0), min(max(cols) + margin, width)
    y0, y1 = max(ink[0] - margin, 0), min(ink[-1] + margin, height)
    return x0, y0, x1 - x0, y1 - y0


def main() -> int:
    from xladdin.cli import main as cli

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xladdin-manual-") as tmp:
        work = Path(tmp)
        cli(["demo", str(work / "demo")])
        demo = work / "demo"
        books = {"master": demo / "主台账-演示.xlsx",
                 "form": sorted(next(demo.glob("*月报表*")).glob("*.xlsx"))[0]}
        for picture, which, sheet, orientation in PICTURES:
            pdf = one_sheet_pdf(books[which], sheet, orientation, work)
            target = OUT / f"{picture}.png"
            x, y, w, h = content_box(pdf, work)
            subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile",
                            "-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h), str(pdf),
                            str(target.with_suffix(""))], check=True)
            print(f"{target.relative_to(ROOT)}: {target.stat().st_size // 1024} KB ({books[which].name} / {sheet})")
        shutil.rmtree(demo, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
