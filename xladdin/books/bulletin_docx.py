"""The bulletin as a Word document (.docx), for offices that finish 公文 in a word processor.

Imports python-docx. The same blocks as the 通报 sheet (``figures.bulletin``), set per
GB/T 9704-2012: A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; a document grid
of 22 lines x 28 characters; 方正小标宋简体 二号 title, 仿宋_GB2312 三号 body, 黑体 一级 and
楷体_GB2312 二级 headings (the font table names the fallbacks of ``bulletin_style.FALLBACKS``);
page numbers "— 1 —" in 四号 宋体, odd pages right and even pages left; ruled tables whose
header row repeats on every page; the growth chart as a table of bars, every unit labelled;
the 版记 (抄送, 印发机关 and 印发日期) between rules at the foot of the last page.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from xladdin.books.bulletin_style import BODY_FONT, FALLBACKS, H1_FONT, H2_FONT, MARGINS_MM, RED, TITLE_FONT
from xladdin.engines.guards.writes import atomic_write
from xladdin.figures.bulletin import Block
from xladdin.figures.presentation import change

__all__ = ["write_docx"]

LINE_TWIPS = 579  # 225 mm text block / 22 lines (28.95 pt)
CHAR_TWIPS = -5  # 28 characters of 三号 across 156 mm: each 0.25 pt narrower (442 pt / 28 = 15.79 pt)
PAGE_FONT = "宋体"


def _fonts(run: Any, name: str, size: float, *, bold: bool = False, color: str | None = None) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman" if name == BODY_FONT else name
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)
    if color:
        run.font.color.rgb = RGBColor.from_string(color)


def _para(doc: Any, text: str, font: str = BODY_FONT, size: float = 16, *, align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
          indent: bool = False, bold: bool = False, color: str | None = None, right_chars: int = 0) -> Any:
    p = doc.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_TWIPS / 20)
    ind = p._p.get_or_add_pPr().get_or_add_ind()
    if indent:
        ind.set(qn("w:firstLineChars"), "200")
        ind.set(qn("w:firstLine"), str(int(size * 2 * 20)))  # the same two characters in twips, for other readers
    if right_chars:
        ind.set(qn("w:rightChars"), str(right_chars * 100))
        ind.set(qn("w:right"), str(int(size * right_chars * 20)))
    _fonts(p.add_run(text), font, size, bold=bold, color=color)
    return p


def _rule(p: Any, side: str, *, size: int = 12, color: str = "000000") -> None:
    borders = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", color)):
        edge.set(qn(k), v)
    borders.append(edge)
    p_pr = p._p.get_or_add_pPr()
    after = p_pr.find(qn("w:framePr"))  # schema order: …, framePr, widowControl, numPr, suppressLineNumbers, pBdr
    if after is None:
        p_pr.insert(0, borders)
    else:
        after.addnext(borders)


def _cell_borders(cell: Any, sides: dict[str, int]) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        size = sides.get(side, 0)
        edge.set(qn("w:val"), "single" if size else "nil")
        if size:
            edge.set(qn("w:sz"), str(size))
            edge.set(qn("w:color"), "000000")
        borders.append(edge)
    tc_pr.append(borders)


def _cell_text(cell: Any, text: str, size: float, *, bold: bool = False, align: Any = WD_ALIGN_PARAGRAPH.CENTER) -> None:
    p = cell.paragraphs[0]
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_before = fmt.space_after = Pt(1)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(size * 1.5)
    snap = OxmlElement("w:snapToGrid")  # table text keeps its own line height, not the page's 22-line grid
    snap.set(qn("w:val"), "0")
    p._p.get_or_add_pPr().append(snap)
    _fonts(p.add_run(text), BODY_FONT, size, bold=bold)


def _table(doc: Any, block: Block) -> None:
    if block.text:
        _para(doc, block.text, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT)
    from xladdin.figures.bulletin_layout import display_width

    n = max(len(r) for r in block.rows)
    table = doc.add_table(rows=len(block.rows), cols=n)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    need = [max(6, *(display_width("" if j >= len(r) or r[j] is None else str(r[j])) for r in block.rows)) + 4
            for j in range(n)]
    for j, col in enumerate(table.columns):  # widths by the widest value, the table as wide as the text
        col.width = Mm(156 * need[j] / sum(need))
        for c in col.cells:
            c.width = col.width
    for i, row in enumerate(block.rows):
        tr = table.rows[i]
        tr_pr = tr._tr.get_or_add_trPr()
        no_split = OxmlElement("w:cantSplit")
        tr_pr.append(no_split)
        if i == 0:
            header = OxmlElement("w:tblHeader")  # repeated at the top of every page the table runs onto
            tr_pr.append(header)
        for j in range(n):
            value = row[j] if j < len(row) else ""
            cell = tr.cells[j]
            _cell_borders(cell, {"top": 4, "bottom": 4, "left": 4, "right": 4})
            _cell_text(cell, "" if value is None else str(value), 12, bold=i == 0)


def _chart(doc: Any, block: Block) -> None:
    """The growth of every unit as a bar table: unit, bar (█ eighths), growth in words."""
    from xladdin.figures.bulletin_layout import BAR

    pairs = [(str(u), float(g)) for u, g in block.rows]
    if not pairs:
        return
    _para(doc, block.text, size=14, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
    neg = max([-g for _, g in pairs if g < 0] + [0.0])
    pos = max([g for _, g in pairs if g > 0] + [0.0])
    per = 24 * 8 / ((neg + pos) or 1.0)  # eighths of a block per unit of growth: 24 blocks in all
    block_mm = 10.5 * 25.4 / 72
    widths = [Mm(34), Mm(neg * per / 8 * block_mm + 4), Mm(pos * per / 8 * block_mm + 4), Mm(28)]
    table = doc.add_table(rows=len(pairs), cols=4)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (unit, g) in enumerate(pairs):
        eighths = round(abs(g) * per)
        bar = "█" * (eighths // 8) + (BAR[eighths % 8 - 1] if eighths % 8 else "")
        cells = table.rows[i].cells
        _cell_text(cells[0], unit, 10.5, align=WD_ALIGN_PARAGRAPH.RIGHT)
        _cell_text(cells[1], bar + "│" if g < 0 else "", 10.5, align=WD_ALIGN_PARAGRAPH.RIGHT)
        _cell_text(cells[2], "│" + bar if g >= 0 else "", 10.5, align=WD_ALIGN_PARAGRAPH.LEFT)
        _cell_text(cells[3], change(g), 10.5, align=WD_ALIGN_PARAGRAPH.LEFT)
        for c in cells:
            _cell_borders(c, {})
    table.autofit = False
    for col, width in zip(table.columns, widths, strict=True):
        col.width = width
        for c in col.cells:
            c.width = width


def _imprint(doc: Any, block: Block) -> None:
    """版记 as a one-column table after the date, a blank line above it: a medium rule above 抄送,
    a thin rule between, a medium rule under 印发机关 and 印发日期. (GB/T 9704 puts it at the foot
    of the last page; a floating table or frame would, but LibreOffice drops or ignores those, so
    the office moves it down in Word if wanted: documented in docs/bulletin.md.)"""
    from docx.enum.text import WD_TAB_ALIGNMENT

    _para(doc, "")
    rows = list(block.rows)
    table = doc.add_table(rows=len(rows), cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, row in enumerate(rows):
        cell = table.rows[i].cells[0]
        cell.width = Mm(156)
        _cell_borders(cell, {"top": 8 if i == 0 else 4, "bottom": 8 if i == len(rows) - 1 else 0})
        p = cell.paragraphs[0]
        fmt = p.paragraph_format
        fmt.space_before = fmt.space_after = Pt(2)
        ind = p._p.get_or_add_pPr().get_or_add_ind()
        ind.set(qn("w:left"), "280")
        ind.set(qn("w:right"), "280")
        if len(row) == 1:  # continued lines align with the first character after "抄送："
            ind.set(qn("w:left"), str(280 + 3 * 280))
            ind.set(qn("w:hanging"), str(3 * 280))
            _fonts(p.add_run(str(row[0])), BODY_FONT, 14)
        else:
            fmt.tab_stops.add_tab_stop(Mm(148), WD_TAB_ALIGNMENT.RIGHT)
            _fonts(p.add_run(f"{row[0]}\t{row[1]}"), BODY_FONT, 14)


def _edge(side: str, size: int) -> Any:
    edge = OxmlElement(f"w:{side}")
    for k, v in (("w:val", "single"), ("w:sz", str(size)), ("w:space", "1"), ("w:color", "000000")):
        edge.set(qn(k), v)
    return edge


def _page_numbers(section: Any) -> None:
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        p = footer.paragraphs[0]
        p.alignment = align
        _fonts(p.add_run("— "), PAGE_FONT, 14)
        run = p.add_run()
        _fonts(run, PAGE_FONT, 14)
        for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)
        _fonts(p.add_run(" —"), PAGE_FONT, 14)


def _page(doc: Any) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(MARGINS_MM["bottom"] - 7 - 7)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))
    doc.settings.odd_and_even_pages_header_footer = True
    _page_numbers(section)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    normal.font.name = "Times New Roman"
    r_pr = normal.element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CHAR_TWIPS))
    r_pr.append(spacing)


def _font_table(doc: Any) -> None:
    """Name each 公文 font's fallback in the font table (Word's w:altName)."""
    part = next((p for p in doc.part.package.iter_parts() if str(p.partname) == "/word/fontTable.xml"), None)
    if part is None or not hasattr(part, "_element"):
        return
    root = part._element
    for name, alt in FALLBACKS.items():
        font = OxmlElement("w:font")
        font.set(qn("w:name"), name)
        alt_el = OxmlElement("w:altName")
        alt_el.set(qn("w:val"), alt)
        font.append(alt_el)
        charset = OxmlElement("w:charset")
        charset.set(qn("w:val"), "86")  # GB2312
        font.append(charset)
        root.append(font)


def build_document(blocks: Sequence[Block]) -> Any:
    """The python-docx Document of the bulletin (see the module doc)."""
    doc = Document()
    _page(doc)
    _font_table(doc)
    for b in blocks:
        if b.kind == "masthead":
            _para(doc, b.text, TITLE_FONT, 26, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
        elif b.kind == "docnumber":
            _para(doc, "")
            p = _para(doc, b.text, align=WD_ALIGN_PARAGRAPH.CENTER)
            _rule(p, "bottom", size=18, color=RED)  # the red rule under the 发文字号
        elif b.kind in ("title", "subtitle"):
            _para(doc, "")
            _para(doc, b.text, TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER)
            _para(doc, "")
        elif b.kind == "recipient":
            _para(doc, b.text)
        elif b.kind == "heading":
            second = b.text.startswith("（")
            _para(doc, b.text, H2_FONT if second else H1_FONT, indent=True)
        elif b.kind == "text":
            _para(doc, b.text, indent=True)
        elif b.kind == "table":
            _table(doc, b)
        elif b.kind == "chart":
            _chart(doc, b)
        elif b.kind == "signature":
            _para(doc, "")
            _para(doc, "")
            _para(doc, b.text, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
        elif b.kind == "date":
            _para(doc, b.text, align=WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)
        elif b.kind == "imprint":
            _imprint(doc, b)
    return doc


def write_docx(blocks: Sequence[Block], path: Path) -> Path:
    """Save the bulletin as a .docx at ``path`` (atomically)."""
    doc = build_document(blocks)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write(Path(path), lambda tmp: doc.save(str(tmp)))
    return Path(path)
