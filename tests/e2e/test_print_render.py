"""What staff print, checked by printing it: every output sheet and the bulletin rendered by
LibreOffice to PDF, then measured (page size and count, fonts requested, no "###", nothing past
the page edge) and read (the bulletin's 公文 parts). Reference pictures: docs/print/ (made by
scripts/print-pictures from the same demo)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest

from tests.conftest import demo_copy_source
from xladdin.core.periods import Period
from xladdin.core.regions import SHEETS
from xladdin.engines.files import FileEngine
from xladdin.engines.libreoffice import convert
from xladdin.figures.bulletin_layout import LINES_PER_PAGE, layout
from xladdin.jobs.bulletin_export import bulletin_blocks, export_bulletin
from xladdin.jobs.consolidate import consolidate
from xladdin.jobs.session import run_in_place

pytestmark = [pytest.mark.libreoffice, pytest.mark.slow]

A4 = (595.3, 841.9)
MM = 72 / 25.4
OUTPUTS = ("汇总", "排名", "专项", "校验结果", "通报")
PARTS = ("管城回族区发展和改革委员会文件", "管发改〔2022〕12号", "经济开发区管委会，各街道办事处、圃田乡人民政府，区直有关部门：",
         "关于2022年1-6月全区固定资产投资和重点项目建设进展情况的通报", "一、全区固定资产投资完成情况",
         "三、经济开发区和各街道投资增速排名", "1-6月经济开发区和各街道投资增速", "2022年7月10日",
         "抄送：区委办公室", "管城回族区发展和改革委员会办公室", "2022年7月10日印发", "—1—")


def sheets_alone(master: Path, sheets: tuple[str, ...], out: Path) -> list[Path]:
    """For each of ``sheets``, a copy of ``master`` printing only that sheet (the others hidden);
    the master is read once (a load of the demo master costs 1–2 s)."""
    wb = openpyxl.load_workbook(master)
    paths = []
    for sheet in sheets:
        for ws in wb.worksheets:
            ws.sheet_state = "visible" if ws.title == sheet else "hidden"
        wb.active = wb.sheetnames.index(sheet)
        paths.append(out / f"{sheet}.xlsx")
        wb.save(paths[-1])
    return paths


def one_sheet(master: Path, sheet: str, out: Path) -> Path:
    """A copy of ``master`` printing only ``sheet`` (the others hidden)."""
    return sheets_alone(master, (sheet,), out)[0]


def words(pdf: Path) -> list[tuple[int, float, float, float, str]]:
    """(page, xMin, xMax, page width, text) of every word pdftotext finds."""
    xml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out: list[tuple[int, float, float, float, str]] = []
    page, width = 0, 0.0
    for line in xml.splitlines():
        if m := re.search(r'<page width="([\d.]+)"', line):
            page, width = page + 1, float(m.group(1))
        elif m := re.search(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>(.*)</word>', line):
            out.append((page, float(m.group(1)), float(m.group(2)), width, m.group(3)))
    return out


def pdf_pages(pdf: Path) -> tuple[int, tuple[float, float]]:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    w, h = (float(x) for x in re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())  # type: ignore[union-attr]
    return pages, (w, h)


def flat_text(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def printed(demo_build: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo consolidated in place (the patch engine, as staff run it), each output sheet alone
    to PDF in one LibreOffice run, and the bulletin exported as .docx and .pdf."""
    out = tmp_path_factory.mktemp("print")
    folder = Path(shutil.copytree(demo_copy_source(demo_build), out / "demo"))  # the session's demo, copied
    master, forms = folder / demo_build.master.name, folder / demo_build.forms_dir.name
    run_in_place(master, lambda e: consolidate(e, Period(6), forms))
    copies = out / "copies"
    copies.mkdir()
    pdfs = convert(sheets_alone(master, OUTPUTS, copies), out / "pdf", "pdf")
    engine = FileEngine(master)
    try:
        blocks = bulletin_blocks(engine, Period(6))
        word = export_bulletin(engine, Period(6), out / "通报.docx")
        word_pdf = export_bulletin(engine, Period(6), out / "通报-word.pdf")
    finally:
        engine.close()
    return {"master": master, "pdf": dict(zip(OUTPUTS, pdfs, strict=True)), "blocks": blocks, "docx": word,
            "docx_pdf": word_pdf}


def test_every_output_sheet_prints_on_a4_inside_the_page_without_hashes(printed: dict[str, Any]) -> None:
    for sheet, pdf in printed["pdf"].items():
        pages, size = pdf_pages(pdf)
        portrait = sheet == "通报"
        assert size == pytest.approx(A4 if portrait else A4[::-1], abs=1), sheet  # A4, landscape but the bulletin
        assert pages >= 1
        assert "###" not in flat_text(pdf), sheet  # no number too wide for its column
        right = (26 if portrait else 0) * MM  # the bulletin keeps its right margin; tables stay on the page
        late = [(p, t) for p, _x0, x1, w, t in words(pdf) if x1 > w - right + 2]
        assert not late, (sheet, late[:5])


def test_the_bulletin_sheet_paginates_as_laid_out_and_holds_every_gongwen_part(printed: dict[str, Any]) -> None:
    pdf = printed["pdf"]["通报"]
    pages, _ = pdf_pages(pdf)
    lines = layout(printed["blocks"])
    assert len(lines) % LINES_PER_PAGE == 0 and pages == len(lines) // LINES_PER_PAGE  # 22 lines a page, as counted
    text = flat_text(pdf)
    for part in PARTS:
        assert part in text, part
    assert text.index("管发改〔2022〕12号") < text.index("关于2022年") < text.index("抄送")
    for n in range(1, pages + 1):
        assert f"—{n}—" in text  # page numbers
    ranked = [u for u, _ in next(b for b in printed["blocks"] if b.kind == "chart").rows]
    chart = text[text.index("1-6月经济开发区和各街道投资增速"):]
    assert len(ranked) == 14 and all(u in chart for u in ranked)  # every unit labelled in the chart
    assert "下降1.0%" in chart and "增速-" not in text


def test_the_bulletin_sheet_requests_the_gongwen_fonts(printed: dict[str, Any]) -> None:
    wb = openpyxl.load_workbook(printed["master"])
    ws = wb[SHEETS["bulletin"]]
    fonts = {(c.font.name, c.font.sz) for row in ws.iter_rows(max_row=60) for c in row if c.value}
    assert ("方正小标宋简体", 22) in fonts and ("仿宋_GB2312", 16) in fonts and ("黑体", 16) in fonts
    margins = ws.page_margins
    assert (round(margins.top * 25.4), round(margins.bottom * 25.4), round(margins.left * 25.4),
            round(margins.right * 25.4)) == (37, 35, 28, 26)
    assert "— &P —" in (ws.oddFooter.right.text or "")
    rank = wb[SHEETS["ranking"]]
    growth = next(c for c in rank["E"] if isinstance(c.value, float))
    assert growth.number_format == "0.0%" and rank.column_dimensions["H"].hidden  # numbers, formatted; helper hidden
    summary = wb[SHEETS["summary"]]
    amount = next(c for row in summary.iter_rows() for c in row if isinstance(c.value, float) and c.value > 10_000)
    assert amount.number_format == "#,##0.00"
    wb.close()


def test_the_word_bulletin_is_a_gongwen(printed: dict[str, Any]) -> None:
    document = docx.Document(str(printed["docx"]))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.bottom_margin.mm), round(section.left_margin.mm),
            round(section.right_margin.mm)) == (37, 35, 28, 26)
    body = document.element.body.xml
    for font in ("方正小标宋简体", "仿宋_GB2312", "黑体"):
        assert f'w:eastAsia="{font}"' in body, font
    assert "w:tblHeader" in body  # table header rows repeat on every page
    assert 'w:linePitch="579"' in section._sectPr.xml  # 22 lines a page
    pdf = printed["docx_pdf"]
    pages, size = pdf_pages(pdf)
    assert size == pytest.approx(A4, abs=1) and 3 <= pages <= 14
    text = flat_text(pdf)
    for part in PARTS:
        assert part in text, part
    late = [(p, t) for p, _x0, x1, w, t in words(pdf) if x1 > w - 26 * MM + 2]
    assert not late, late[:5]


def test_the_form_prints_codes_whole_labels_apart_and_a_signature_line(tmp_path: Path) -> None:
    from tests.conftest import ROOT
    from xladdin.core.form_reader import read_form
    from xladdin.core.settings import default_settings

    sample = ROOT / "workbooks" / "月报表样表.xlsx"
    pdf = convert([one_sheet(sample, "月报表", tmp_path)], tmp_path / "pdf", "pdf")[0]
    pages, size = pdf_pages(pdf)
    assert size == pytest.approx(A4[::-1], abs=1) and pages == 1
    text = flat_text(pdf)
    assert "###" not in text
    engine = FileEngine(sample)
    try:
        form = read_form([engine.read(s) for s in engine.sheet_names()], default_settings(), file=sample.name)
    finally:
        engine.close()
    assert form.unit and form.rows and all(r.code in text for r in form.rows)  # 项目编码 whole, and still read
    assert f"填报单位：{form.unit}" in text
    for label in ("填报人：", "联系电话：", "单位负责人：", "填报日期："):
        assert label in text
    assert not [t for _p, _x0, x1, w, t in words(pdf) if x1 > w]


def test_the_ledger_prints_on_a3_with_the_key_columns_outside_the_fold(printed: dict[str, Any]) -> None:
    from xladdin.books.template import LEDGER_COLUMNS, PRINT_KEYS

    ws = openpyxl.load_workbook(printed["master"])[SHEETS["ledger"]]
    assert int(ws.page_setup.paperSize) == 8 and ws.page_setup.orientation == "landscape"  # 8: A3
    folded = {c.key for i, c in enumerate(LEDGER_COLUMNS, start=1)
              if ws.column_dimensions[openpyxl.utils.get_column_letter(i)].outlineLevel}
    assert folded and not folded & set(PRINT_KEYS) and len(LEDGER_COLUMNS) - len(folded) <= 14
