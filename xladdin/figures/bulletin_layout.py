"""Lay the bulletin's blocks out on the pre-styled 通报 grid: line breaking by display width, tables in columns.

Pure core (standard library; ``bulletin.Block``). The template styles the 通报 sheet (see
``template._bulletin_sheet``): ``GRID_COLS`` equal columns of ``COL_UNITS`` display units each
at the body font size, two title rows, a date row, a spacer row, then body rows. Writers can
only put values, so all layout lives in the text and in which column a value starts:

- width is measured in display units: CJK and other wide or ambiguous-width characters
  (full-width punctuation, “”) count 2, ASCII 1;
- paragraphs start with two full-width spaces (Chinese official-document practice) and break
  at the printable width, never inside an ASCII run ("1-6", "3285.8", "9.9%"), never between a
  number and its unit (月, 亿元, 个 …), never before closing punctuation (，。、；：）” … 避头尾)
  nor after opening punctuation (（“《 …);
- a long title breaks into two centred lines, the first the longer;
- table columns are allotted whole grid columns according to their widest value, spare
  columns go to the widest, and each value starts at its column's left edge (text overflows
  into the empty cells to its right); the unit line ("单位：亿元") ends at the right margin.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from xladdin.figures.bulletin import Block

__all__ = ["BODY_ROW", "COL_UNITS", "GRID_COLS", "LINE_UNITS", "TITLE_UNITS", "display_width", "layout",
           "split_title", "table_columns", "wrap"]

GRID_COLS = 16  # columns A:P of the 通报 sheet
COL_UNITS = 5  # display units one grid column holds at the body font size (12 pt: one unit = 8 px)
LINE_UNITS = GRID_COLS * COL_UNITS - 2  # slack: fallback fonts draw ASCII digits a little wider than half
TITLE_UNITS = LINE_UNITS * 12 // 18  # the title font is 18 pt against the body's 12 pt
TITLE_ROWS, DATE_ROW, BODY_ROW = 2, 3, 5  # rows 1-2 title, 3 date line, 4 spacer, 5… body
INDENT = "\u3000\u3000"

CLOSING = set("，。、；：？！）》」』】〉〕”’…—％‰·,.;:?!)]}%")
OPENING = set("（《「『【〈〔“‘([{")
UNITS = set("年月日时个项家亿万元倍岁名")
_ASCII_RUN = re.compile(r"[!-~]+")


def char_width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1


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
        while w > width:  # a single piece longer than a line: cut it (never happens in our text)
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


def table_columns(rows: Sequence[Sequence[Any]], grid: int = GRID_COLS, unit: int = COL_UNITS) -> list[int]:
    """0-based grid column where each table column starts (the table spans the full width when it can)."""
    n = max((len(r) for r in rows), default=0)
    if n == 0:
        return []
    need = [max(display_width(_text(r[j])) for r in rows if j < len(r)) for j in range(n)]
    for gap in (2, 1, 0):
        spans = [max(1, math.ceil((w + gap) / unit)) for w in need]
        if sum(spans) <= grid:
            break
    order = sorted(range(n), key=lambda j: (-need[j], j))
    spare, k = grid - sum(spans), 0
    while spare > 0:
        spans[order[k % n]] += 1
        spare, k = spare - 1, k + 1
    starts, at = [], 0
    for span in spans:
        starts.append(at)
        at += span
    return starts


def _place(values: Sequence[Any], starts: Sequence[int]) -> list[Any]:
    row: list[Any] = [None] * (max(starts, default=-1) + 1)
    for value, start in zip(values, starts, strict=False):
        row[start] = value
    return row


def _right(text: str) -> list[Any]:
    """``text`` starting in the grid column that lets it end at the right margin."""
    span = math.ceil((display_width(text) + 1) / COL_UNITS)
    return _place([text], [max(0, GRID_COLS - span)])


def layout(blocks: Sequence[Block]) -> list[list[Any]]:
    """The 通报 sheet's rows from A1: title rows, date row, spacer, then the body (see module doc)."""
    rows: list[list[Any]] = []
    body: list[list[Any]] = []

    def blank() -> None:
        if body and any(v not in (None, "") for v in body[-1]):
            body.append([])

    titles = [b for b in blocks if b.kind == "title"]
    dates = [b for b in blocks if b.kind == "subtitle"]
    title_lines = [line for b in titles for line in split_title(b.text)]
    rows += [[line] for line in title_lines[:TITLE_ROWS]]
    rows += [[]] * (TITLE_ROWS - len(rows))
    rows.append([dates[0].text] if dates else [])
    rows.append([])
    for extra in title_lines[TITLE_ROWS:]:  # only if a caller passes several titles
        body.append([extra])
    for b in blocks:
        if b.kind in ("title", "subtitle"):
            continue
        if b.kind == "heading":
            blank()
            body += [[line] for line in wrap(b.text)]
        elif b.kind == "text":
            body += [[line] for line in wrap(b.text)]
        elif b.kind == "table":
            if b.text:
                body.append(_right(b.text))
            starts = table_columns(b.rows)
            body += [_place(r, starts) for r in b.rows]
            blank()
        elif b.kind == "signature":
            blank()
            body.append(_right(b.text + INDENT))
    while body and not body[-1]:
        body.pop()
    return rows + body
