"""Lay the bulletin's blocks out as a 公文 page grid on the 通报 sheet: lines, styles, page breaks.

Pure core (standard library; ``bulletin.Block``). The template sizes the 通报 sheet (see
``books.styling.bulletin_page``) as A4 portrait with the GB/T 9704-2012 margins (top 37 mm,
bottom 35 mm, left 28 mm, right 26 mm), ``GRID_COLS`` equal columns, every row one printed
line of the same height, ``LINES_PER_PAGE`` (22) rows a page, page numbers "— 1 —" in the
footer. Each ``Line`` is one row: its values from column A and the style its cells take
(``STYLES``: 小标宋 title, 仿宋_GB2312 body, 黑体 一级 and 楷体_GB2312 二级 headings, ruled tables).
All layout lives in the text and in which column a value starts:

- width is measured in display units: CJK and other wide or ambiguous-width characters
  (full-width punctuation, “”) and the wide ASCII "%", "@", "M", "W" count 2, other ASCII 1; a body line holds ``LINE_UNITS`` (26
  characters of 三号: what the grid holds in Excel, whose columns print 5 % narrower than
  LibreOffice's at the same stored width; the Word document holds the standard 28);
- paragraphs start with two full-width spaces and break at the printable width, never inside
  an ASCII run ("1-6", "3285.80", "9.9%"), never between a number and its unit (月, 亿元, 个 …),
  never before closing punctuation (，。、；：）” … 避头尾) nor after opening punctuation;
- a long title breaks into two centred lines, the first the longer;
- table columns are allotted whole grid columns according to their widest value at the table
  font (小四), spare grid columns going to the tightest column, ruled cell by cell; a table that runs over a page repeats its header row at the
  top of the next page; the unit line ("单位：亿元") ends at the right margin;
- the growth chart is drawn in cells: one row per unit, every unit labelled, a bar of block
  characters (▏…█, eighths) from a zero axis, and the growth in words;
- the 版记 (抄送, 印发机关 and 印发日期) sits at the foot of the last page between rules.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xladdin.figures.bulletin import Block

__all__ = ["BODY_ROW", "COL_UNITS", "GRID_COLS", "LINES_PER_PAGE", "LINE_UNITS", "STYLES", "TABLE_UNITS",
           "TITLE_UNITS", "Line", "display_width", "layout", "split_title", "table_columns", "values", "wrap"]

GRID_COLS = 16  # columns A:P of the 通报 sheet
GRID_MM = 148.0  # their printed width in Excel (LibreOffice draws them 5 % wider: 155 mm), 156 mm between margins
COL_WIDTH = 4.97  # the columns' stored width (characters of Calibri 11): 35 px in Excel, 27.5 pt in LibreOffice
BODY_PT, TITLE_PT, TABLE_PT, IMPRINT_PT = 16, 22, 12, 14  # 三号, 二号, 小四, 四号
COL_UNITS = GRID_MM / 25.4 * 72 / GRID_COLS / (BODY_PT / 2)  # display units of body text one column holds
LINE_UNITS = 52  # 26 characters of 三号 (the grid holds 52.4 units in Excel)
TITLE_UNITS = int(GRID_COLS * COL_UNITS * BODY_PT / TITLE_PT) - 2
TABLE_UNITS = COL_UNITS * BODY_PT / TABLE_PT  # display units of table text one column holds
LINES_PER_PAGE = 22
TITLE_ROWS, BODY_ROW = 2, 1  # kept for callers: the grid starts at A1
INDENT = "\u3000\u3000"
CHART_COLS = (4, 12)  # chart rows: unit name in A:D, bars in E:M (axis inside), growth words from N
BAR = "▏▎▍▌▋▊▉█"

STYLES = ("masthead", "docnumber", "rule", "title", "recipient", "body", "heading1", "heading2", "unit_line",
          "table_head", "table", "chart_title", "chart", "signature", "date", "imprint_top", "imprint",
          "imprint_last", "blank")


@dataclass(frozen=True)
class Line:
    """One printed line (a row of the 通报 sheet): ``values`` from column A, the ``style`` of its
    cells, and for table rows the (first, last) grid column of each table column (its rules)."""

    values: tuple[Any, ...]
    style: str
    spans: tuple[tuple[int, int], ...] = ()

CLOSING = set("，。、；：？！）》」』】〉〕”’…—％‰·,.;:?!)]}%")
OPENING = set("（《「『【〈〔“‘([{")
UNITS = set("年月日时个项家亿万元倍岁名")
_ASCII_RUN = re.compile(r"[!-~]+")


WIDE_ASCII = frozenset("%@MW")  # drawn about as wide as a CJK character by the fonts a 通报 falls back to


def char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") or ch in WIDE_ASCII else 1


def display_width(text: str) -> int:
    """Display units: 2 per wide character, 1 per narrow one."""
    return sum(char_width(ch) for ch in text)


def _atoms(text: str) -> list[str]:
    """Unbreakable pieces: an ASCII run with up to two following unit characters, or one character;
    closing punctuation joins the piece before it, opening punctuation the piece after it."""
    raw: list[str] = []
    i = 0
    while i < len(text):
        m = _ASCII_RUN.match(text, i)
        if m:
            end = m.end()
            while end < len(text) and end - m.end() < 2 and text[end] in UNITS:
                end += 1
            raw.append(text[i:end])
            i = end
        else:
            raw.append(text[i])
            i += 1
    atoms: list[str] = []
    pending = ""
    for piece in raw:
        if piece in OPENING:
            pending += piece
        elif piece[0] in CLOSING and atoms and not pending:
            atoms[-1] += piece
        else:
            atoms.append(pending + piece)
            pending = ""
    if pending:
        atoms.append(pending)
    return atoms


def wrap(text: str, width: int = LINE_UNITS, *, indent: str = INDENT) -> list[str]:
    """``indent`` + ``text`` broken into lines of at most ``width`` display units (see module doc)."""
    lines: list[str] = []
    line, used = indent, display_width(indent)
    for atom in _atoms(text):
        w = display_width(atom)
        if used + w > width and line.strip():
            lines.append(line)
            line, used = "", 0
        while used + w > width:  # a piece longer than what the line holds (after the indent): cut it
            cut = 0
            while display_width(atom[:cut + 1]) <= width - used:
                cut += 1
            lines.append(line + atom[:cut])
            atom, line, used = atom[cut:], "", 0
            w = display_width(atom)
        line += atom
        used += w
    if line or not lines:
        lines.append(line)
    return lines


def split_title(text: str, width: int = TITLE_UNITS) -> list[str]:
    """One line if it fits, else two lines as balanced as the pieces allow, the first not shorter."""
    if display_width(text) <= width:
        return [text]
    atoms = _atoms(text)
    best: tuple[int, int] | None = None
    for cut in range(1, len(atoms)):
        w1, w2 = display_width("".join(atoms[:cut])), display_width("".join(atoms[cut:]))
        if w1 < w2 or w1 > width:
            continue
        if best is None or w1 - w2 < best[1]:
            best = (cut, w1 - w2)
    if best is None:
        return wrap(text, width, indent="")
    return ["".join(atoms[:best[0]]), "".join(atoms[best[0]:])]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def table_columns(rows: Sequence[Sequence[Any]], grid: int = GRID_COLS, unit: float = TABLE_UNITS) -> list[int]:
    """0-based grid column where each table column starts (the table spans the full width when it can)."""
    n = max((len(r) for r in rows), default=0)
    if n == 0:
        return []
    need = [max(display_width(_text(r[j])) for r in rows if j < len(r)) for j in range(n)]
    for gap in (2, 1, 0):
        spans = [max(1, math.ceil((w + gap) / unit)) for w in need]
        if sum(spans) <= grid:
            break
    spare = grid - sum(spans)
    while spare > 0:  # each spare column to the tightest column (least room left around its widest value)
        tightest = min(range(n), key=lambda j: (spans[j] * unit - need[j], -need[j], j))
        spans[tightest] += 1
        spare -= 1
    starts, at = [], 0
    for span in spans:
        starts.append(at)
        at += span
    return starts


def _place(values: Sequence[Any], starts: Sequence[int]) -> tuple[Any, ...]:
    row: list[Any] = [None] * (max(starts, default=-1) + 1)
    for value, start in zip(values, starts, strict=False):
        row[start] = value
    return tuple(row)


def _right(text: str, units: float = COL_UNITS) -> tuple[Any, ...]:
    """``text`` starting in the grid column that lets it end at the right margin."""
    span = math.ceil((display_width(text) + 1) / units)
    return _place([text], [max(0, GRID_COLS - span)])


def _spans(starts: Sequence[int]) -> tuple[tuple[int, int], ...]:
    ends = [*(s - 1 for s in starts[1:]), GRID_COLS - 1]
    return tuple(zip(starts, ends, strict=True))


def _bar(value: float, top: float, cells: int) -> str:
    """A bar of ``value`` against ``top`` (the largest magnitude) over ``cells`` grid columns."""
    eighths = round(abs(value) / top * cells * COL_UNITS / 2 * 8) if top > 0 else 0
    full, part = divmod(eighths, 8)
    return "█" * full + (BAR[part - 1] if part else "")


def _chart(block: Any) -> list[Line]:
    """The growth chart in cells (see module doc): an axis between negative and positive bars."""
    from xladdin.figures.presentation import change

    pairs = [(str(u), float(g)) for u, g in block.rows]
    if not pairs:
        return []
    top = max(abs(g) for _, g in pairs)
    neg = any(g < 0 for _, g in pairs)
    first, last = CHART_COLS
    axis = first + (3 if neg else 0)  # grid column where positive bars start
    out = [Line((block.text,), "chart_title")]
    for unit, g in pairs:
        cells: dict[int, Any] = {0: unit, last + 1: change(g)}
        if g >= 0:
            cells[axis] = "│" + _bar(g, top, last - axis)
        else:
            cells[axis - 1] = _bar(g, top, axis - first) + "│"
        row: list[Any] = [None] * (max(cells) + 1)
        for c, v in cells.items():
            row[c] = v
        out.append(Line(tuple(row), "chart"))
    return out


def _paginate(lines: list[Line]) -> list[Line]:
    """Repeat a table's header row at the top of a page the table runs onto, and keep a heading
    off a page's last line (it moves to the next page with its text)."""
    out: list[Line] = []
    header: Line | None = None
    for line in lines:
        at = len(out) % LINES_PER_PAGE
        if line.style == "table_head":
            header = line
        elif line.style != "table":
            header = None
        if at == LINES_PER_PAGE - 1 and line.style in ("heading1", "heading2", "unit_line", "table_head"):
            out.append(Line((), "blank"))
            at = 0
        if at == 0 and out and line.style == "table" and header is not None:
            out.append(header)
        out.append(line)
    return out


def _imprint(block: Any, used: int) -> list[Line]:
    """The 版记 at the foot of the last page: a rule, 抄送, a rule, 印发机关 and 印发日期, a rule."""
    lines: list[Line] = []
    for row in block.rows:
        if len(row) == 1:  # 抄送: 四号, one character in from each side, continued lines aligned
            width = int(LINE_UNITS * BODY_PT / IMPRINT_PT) - 4
            text = str(row[0])
            head = text.index("：") + 1 if "：" in text else 0
            parts = wrap(text, width - 2 * head, indent="")  # continued lines under the first name
            lines += [Line(("\u3000" + ("\u3000" * head if k else "") + t,), "imprint") for k, t in enumerate(parts)]
        else:
            left, right = str(row[0]), str(row[1])
            units = COL_UNITS * BODY_PT / IMPRINT_PT
            lines.append(Line(_merge(_place(["\u3000" + left], [0]), _right(right + "\u3000", units)), "imprint_last"))
    if lines:
        lines[0] = Line(lines[0].values, "imprint_top" if lines[0].style == "imprint" else lines[0].style)
    room = (LINES_PER_PAGE - used % LINES_PER_PAGE) % LINES_PER_PAGE
    if room < len(lines):
        room += LINES_PER_PAGE
    return [Line((), "blank")] * (room - len(lines)) + lines


def _merge(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    n = max(len(a), len(b))
    return tuple((a[i] if i < len(a) and a[i] is not None else (b[i] if i < len(b) else None)) for i in range(n))


def layout(blocks: Sequence[Block]) -> list[Line]:
    """The 通报 sheet's lines from A1 (see module doc)."""
    lines: list[Line] = []

    def blank() -> None:
        if lines and lines[-1].style != "blank":
            lines.append(Line((), "blank"))

    imprint = None
    for b in blocks:
        if b.kind == "masthead":
            lines.append(Line((b.text,), "masthead"))
        elif b.kind == "docnumber":
            lines += [Line((), "blank"), Line((b.text,), "docnumber"), Line((), "rule")]
        elif b.kind in ("title", "subtitle"):
            blank()
            lines += [Line((t,), "title") for t in split_title(b.text)]
            blank()
        elif b.kind == "recipient":
            lines += [Line((t,), "recipient") for t in wrap(b.text, indent="")]
        elif b.kind == "heading":
            style = "heading2" if b.text.startswith("（") else "heading1"
            lines += [Line((t,), style) for t in wrap(b.text)]
        elif b.kind == "text":
            lines += [Line((t,), "body") for t in wrap(b.text)]
        elif b.kind == "table":
            if b.text:
                lines.append(Line(_right(b.text, TABLE_UNITS), "unit_line"))
            starts = table_columns(b.rows)
            spans = _spans(starts)
            for i, r in enumerate(b.rows):
                lines.append(Line(_place(r, starts), "table_head" if i == 0 else "table", spans))
        elif b.kind == "chart":
            lines += _chart(b)
        elif b.kind == "signature":
            blank()
            blank_line = lines.pop() if lines and lines[-1].style == "blank" else None
            if blank_line is not None:
                lines += [blank_line, Line((), "blank")]
            lines.append(Line(_right(b.text + INDENT * 2), "signature"))
        elif b.kind == "date":
            lines.append(Line(_right(b.text + INDENT * 2), "date"))
        elif b.kind == "imprint":
            imprint = b
    while lines and lines[-1].style == "blank":
        lines.pop()
    lines = _paginate(lines)
    if imprint is not None:
        lines += _imprint(imprint, len(lines))
    return lines


def values(lines: Sequence[Line]) -> list[list[Any]]:
    """The lines' cell values as rows from A1."""
    return [list(line.values) for line in lines]
