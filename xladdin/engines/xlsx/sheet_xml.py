"""Patch cell values into one worksheet XML part in place, without re-serialising the rest.

Standard library only (``re``), bytes in, bytes out. ``xml.etree`` would drop namespace prefixes
and ``mc:Ignorable`` declarations, so this works on the text: the ``<sheetData>`` section is
indexed with regular expressions (rows ``<row r="N" …>…</row>``, cells ``<c r="A1" …>…</c>`` or
self-closing, both as every writer we know emits them: Excel, WPS, LibreOffice, openpyxl,
XlsxWriter), touched rows are rebuilt, every other byte is kept. Outside ``<sheetData>`` only
``<dimension ref>`` and ``<hyperlinks>`` change. A touched cell keeps all its attributes
(style ``s``, ``ph``) except the value type ``t`` and the value metadata ``cm``/``vm``.
A cell only restyled (``Patch.formats``: a fill) keeps its value and type and gets a new ``s``.
What cannot be patched safely raises ``EngineUnsupported``: the job stops, nothing is written.
"""

from __future__ import annotations

import functools
import math
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from xladdin.core.sheet import cell_ref, column_letter, parse_ref
from xladdin.engines.base import Formula, Link
from xladdin.engines.xlsx.styles import CellFormat
from xladdin.errors import EngineUnsupported

__all__ = ["Patch", "PatchResult", "Restyle", "cell_styles", "column_number", "patch_sheet", "xml_text"]

Restyle = Callable[[int, CellFormat], int]  # (current style index, change) -> new style index

Rect = tuple[int, int, int, int]  # min_row, min_col, max_row, max_col

_ROW_R = re.compile(rb'(?:^|\s)r="(\d+)"')
_CELL_R = re.compile(rb'(?:^|\s)r="([A-Z]{1,3})(\d+)"')
_DROP_ATTR = re.compile(rb'\s(?:t|cm|vm|spans)="[^"]*"')
_S_ATTR = re.compile(rb'\ss="(\d+)"')
_SHARED_OR_ARRAY = re.compile(rb'<(?:\w+:)?f\b[^>]*\bt="(shared|array)"[^>]*>')
_REF_ATTR = re.compile(rb'\bref="([^"]+)"')
_SI_ATTR = re.compile(rb'\bsi="(\d+)"')
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPE_LIKE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
# elements that follow <hyperlinks> in CT_Worksheet, in schema order
_AFTER_HYPERLINKS = (b"printOptions", b"pageMargins", b"pageSetup", b"headerFooter", b"rowBreaks", b"colBreaks",
                     b"customProperties", b"cellWatches", b"ignoredErrors", b"smartTags", b"drawing",
                     b"legacyDrawing", b"legacyDrawingHF", b"drawingHF", b"picture", b"oleObjects", b"controls",
                     b"webPublishItems", b"tableParts", b"extLst")


@dataclass
class Patch:
    """Pending changes to one sheet: final cell values, cleared rectangles, changes of cell formats
    (fills …; a cell only in ``formats`` keeps its value)."""

    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    cleared: list[Rect] = field(default_factory=list)
    formats: dict[tuple[int, int], CellFormat] = field(default_factory=dict)

    def in_cleared(self, row: int, col: int) -> bool:
        return any(r1 <= row <= r2 and c1 <= col <= c2 for r1, c1, r2, c2 in self.cleared)


@dataclass
class PatchResult:
    xml: bytes
    formulas_removed: bool  # a cell that held a formula was overwritten or cleared (calcChain is stale)
    formulas_written: bool


def xml_text(text: str) -> str:
    """``text`` escaped for an XML text node, control characters as Excel's ``_xHHHH_``."""
    text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    text = _CTRL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr_text(text: str) -> str:
    return xml_text(text).replace('"', "&quot;")


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value == "")


class _KeepValue:
    pass


_KEEP_VALUE = _KeepValue()  # a cell whose format changes and whose value stays


@dataclass(frozen=True)
class _Styled:
    """A cell value (or ``_KEEP_VALUE``) together with the change of its style index."""

    value: Any
    style: Callable[[int], int]


def _bind(restyle: Restyle, fmt: CellFormat) -> Callable[[int], int]:
    return lambda s: restyle(s, fmt)


def _keeps(value: Any) -> bool:
    return isinstance(value, _Styled) and value.value is _KEEP_VALUE


def _with_style(attrs: bytes, style: Callable[[int], int]) -> bytes:
    m = _S_ATTR.search(attrs)
    new = b' s="%d"' % style(int(m.group(1)) if m else 0)
    return attrs[: m.start()] + new + attrs[m.end():] if m else attrs + new


def _render(p: bytes, attrs: bytes, value: Any, content: bytes = b"") -> bytes:
    """One ``<c>`` element: ``attrs`` (with r=; t=, cm=, vm= are dropped) plus the value ("" is no
    value, as openpyxl). A ``_Styled`` value also changes ``s``; with ``_KEEP_VALUE`` the cell keeps
    its type and ``content``."""
    if isinstance(value, _Styled):
        attrs = _with_style(attrs, value.style)
        if value.value is _KEEP_VALUE:
            return b"<%sc%s>%s</%sc>" % (p, attrs, content, p) if content else b"<%sc%s/>" % (p, attrs)
        value = value.value
    if b"t=" in attrs or b"cm=" in attrs or b"vm=" in attrs or b"spans=" in attrs:  # else nothing to drop
        attrs = attrs.replace(b' t="n"', b"")  # how most writers mark a number: no regex for it
        if not (attrs.count(b"=") == 2 and b' s="' in attrs):  # else r= and s= are all that is left
            attrs = _DROP_ATTR.sub(b"", attrs)
    return _render_value(p, attrs, value)


def _render_value(p: bytes, attrs: bytes, value: Any) -> bytes:
    """One ``<c>`` element of ``attrs`` (none to drop) holding ``value``."""
    if type(value) is float and math.isfinite(value):  # the common case: a figure
        return b"<%sc%s><%sv>%s</%sv></%sc>" % (p, attrs, p, repr(value).encode(), p, p)
    if _empty(value):
        return b"<" + p + b"c" + attrs + b"/>"
    if isinstance(value, Formula) and value.text.startswith("="):
        return b"<%sc%s><%sf>%s</%sf></%sc>" % (p, attrs, p, xml_text(value.text[1:]).encode(), p, p)
    if isinstance(value, Formula | Link):
        value = value.text
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalars
    if isinstance(value, str):
        body = b'<%sis><%st xml:space="preserve">%s</%st></%sis>' % (p, p, xml_text(value).encode(), p, p)
        return b'<%sc%s t="inlineStr">%s</%sc>' % (p, attrs, body, p)
    if isinstance(value, bool):
        return b'<%sc%s t="b"><%sv>%d</%sv></%sc>' % (p, attrs, p, int(value), p, p)
    if isinstance(value, int):
        return b"<%sc%s><%sv>%d</%sv></%sc>" % (p, attrs, p, value, p, p)
    if isinstance(value, float) and math.isfinite(value):
        return b"<%sc%s><%sv>%s</%sv></%sc>" % (p, attrs, p, repr(value).encode(), p, p)
    raise EngineUnsupported(f"补丁写入不支持该类型的值：{type(value).__name__} {value!r}")


def _prefix(xml: bytes) -> bytes:
    m = re.search(rb"<(\w+:)?worksheet\b", xml)
    if m is None:
        raise EngineUnsupported("工作表部件不是 worksheet（可能是图表工作表），无法就地写入。")
    return m.group(1) or b""


def _rect_of(ref: bytes) -> Rect:
    a, _, b = ref.decode().partition(":")
    r1, c1 = parse_ref(a)
    r2, c2 = parse_ref(b) if b else (r1, c1)
    return r1, c1, r2, c2


def _array_ranges(data: bytes) -> list[Rect]:
    out = []
    for m in _SHARED_OR_ARRAY.finditer(data):
        ref = _REF_ATTR.search(m.group(0))
        if m.group(1) == b"array" and ref is not None:
            out.append(_rect_of(ref.group(1)))
    return out


def patch_sheet(xml: bytes, patch: Patch, restyle: Restyle | None = None) -> PatchResult:
    """Apply ``patch``: write its final values, clear its rectangles, change the formats of its
    cells through ``restyle`` (needed when ``patch.formats`` is not empty), keep the rest byte-for-byte."""
    links = {k: v for k, v in patch.cells.items() if isinstance(v, Link)}
    if patch.formats:
        if restyle is None:
            raise EngineUnsupported("没有样式表，无法就地改变单元格格式。")
        merged = dict(patch.cells)
        for (r, c), fmt in patch.formats.items():
            value = merged.get((r, c), None if patch.in_cleared(r, c) else _KEEP_VALUE)
            merged[(r, c)] = _Styled(value, _bind(restyle, fmt))
        patch = Patch(merged, patch.cleared)
    p = _prefix(xml)
    open_m = re.search(rb"<" + p + rb"sheetData\b[^>]*?(/?)>", xml)
    if open_m is None:
        raise EngineUnsupported("工作表缺少 sheetData 部分，无法就地写入。")
    # the body is located by offsets, not sliced: a 30,000-row sheet is 60 MB, and each copy costs
    if open_m.group(1):  # <sheetData/>
        head, lo, hi, tail = xml[: open_m.start()], open_m.end(), open_m.end(), xml[open_m.end():]
        open_tag, close_tag = b"<" + p + b"sheetData>", b"</" + p + b"sheetData>"
    else:
        close = xml.rindex(b"</" + p + b"sheetData>", open_m.end())  # near the end of a 60 MB part
        head, lo, hi, tail = xml[: open_m.start()], open_m.end(), close, xml[close + len(p) + 12:]
        open_tag, close_tag = xml[open_m.start(): open_m.end()], b"</" + p + b"sheetData>"
    if xml.find(b't="array"', lo, hi) >= 0:
        for r1, c1, r2, c2 in _array_ranges(xml[lo:hi]):
            if (r1, c1) != (r2, c2) and any(r1 <= r <= r2 and c1 <= c <= c2 and not _keeps(v)
                                              for (r, c), v in patch.cells.items()):
                raise EngineUnsupported("要写入的单元格属于数组公式区域，无法就地写入。")
    if not patch.cleared and (fast := _splice_cells(xml, lo, hi, p, patch.cells)) is not None:
        written = any(isinstance(v, Formula) for v in patch.cells.values())
        pieces, removed = fast
        head, tail = _dimension(head, p, patch), _hyperlinks(tail, p, patch, links)
        return PatchResult(b"".join([head, open_tag, *pieces, close_tag, tail]), removed, written)
    body = xml[lo:hi]
    cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(/>|>(.*?)</" + p + rb"c>)", re.S)
    rows = _RowIndex(body, p)
    by_row: dict[int, dict[int, Any]] = {}
    for (r, c), v in patch.cells.items():
        by_row.setdefault(r, {})[c] = v
    targets = set(by_row)
    if patch.cleared:
        existing = set(rows.numbers())
        targets |= {r for r1, _, r2, _ in patch.cleared for r in range(r1, r2 + 1) if r in existing}
    removed = written = False
    out: list[bytes] = []
    pos = 0
    for r in sorted(targets):
        updates = by_row.get(r, {})
        row = rows.find(r, pos)
        if isinstance(row, tuple):
            start, end, attrs, inner = row
            cleared = [(c1, c2) for r1, c1, r2, c2 in patch.cleared if r1 <= r <= r2]
            new, rem = _patch_row(p, r, attrs, inner, updates, cleared, cell_re)
            removed = removed or rem
            out += [body[pos:start], new]
            pos = end
        else:
            added = _new_row(p, r, updates)
            if added is None:
                continue
            out += [body[pos:row], added]
            pos = row
        written = written or any(isinstance(v, Formula) for v in updates.values())
    out.append(body[pos:])
    new_body = b"".join(out)
    head = _dimension(head, p, patch)
    tail = _hyperlinks(tail, p, patch, links)
    return PatchResult(head + open_tag + new_body + close_tag + tail, removed, written)


class _RowIndex:
    """Where each ``<row r="N">`` of a ``<sheetData>`` body is. A row is first looked for directly
    (``<row r="N"``, how every writer starts a row), which is fast on a 30,000-row ledger; the
    full regex index is built only when that fails or when cleared rectangles need it."""

    def __init__(self, body: bytes, p: bytes) -> None:
        self.body, self.p = body, p
        self._re = re.compile(rb"<" + p + rb"row\b([^>]*?)(/>|>(.*?)</" + p + rb"row>)", re.S)
        self._rows: list[int] | None = None
        self._found: list[re.Match[bytes]] = []

    def numbers(self) -> list[int]:
        if self._rows is None:
            self._rows = []
            for m in self._re.finditer(self.body):
                num = _ROW_R.search(m.group(1))
                if num is None:
                    raise EngineUnsupported("工作表的行缺少行号（r 属性），无法就地写入。")
                self._rows.append(int(num.group(1)))
                self._found.append(m)
            if any(a >= b for a, b in pairwise(self._rows)):
                raise EngineUnsupported("工作表的行未按行号排列，无法就地写入。")
        return self._rows

    def find(self, r: int, pos: int) -> tuple[int, int, bytes, bytes | None] | int:
        """(start, end, attributes, inner or None) of row ``r`` at or after ``pos``, or the
        position where a new row ``r`` belongs."""
        p, body = self.p, self.body
        if self._rows is None:
            at = body.find(b'<%srow r="%d"' % (p, r), pos)
            gt = body.find(b">", at) if at >= 0 else -1
            if gt >= 0:
                attrs_start = at + len(p) + 4
                if body[gt - 1] == 0x2F:  # "/>"
                    return at, gt + 1, body[attrs_start: gt - 1], None
                close = body.find(b"</" + p + b"row>", gt)
                if close >= 0:
                    return at, close + len(p) + 6, body[attrs_start:gt], body[gt + 1: close]
        rows = self.numbers()
        i = bisect_left(rows, r)
        if i < len(rows) and rows[i] == r:
            m = self._found[i]
            return m.start(), m.end(), m.group(1), m.group(3)
        return self._found[i].start() if i < len(rows) else len(body)


def _new_row(p: bytes, r: int, updates: dict[int, Any]) -> bytes | None:
    cells = [_render(p, attrs, v) if type(v) is _Styled else _render_value(p, attrs, v)
             for c, v in sorted(updates.items()) if not _empty(v)
             for attrs in (b' r="%s%d"' % (_letters(c), r),)]
    if not cells:
        return None
    return b'<%srow r="%d">%s</%srow>' % (p, r, b"".join(cells), p)


@functools.cache
def _formula_pattern(p: bytes) -> re.Pattern[bytes]:
    """A cell's formula: (<f> attributes, formula text or None when self-closed, "<v>" when a
    non-empty cached value follows)."""
    e = re.escape(p)
    return re.compile(rb"<" + e + rb"f\b([^>]*?)(?:/>|>([^<]*)</" + e + rb"f>)(?:\s*(<" + e + rb"v>)(?!</" + e + rb"v>))?")


def _letters(col: int) -> bytes:
    letters = _LETTERS.get(col)
    if letters is None:
        letters = _LETTERS[col] = column_letter(col).encode()
    return letters


_LETTERS: dict[int, bytes] = {}


def column_number(letters: bytes) -> int:
    """Excel column letters (bytes) -> 1-based index, each distinct one computed once."""
    col = _COLS.get(letters)
    if col is None:
        col = 0
        for ch in letters:
            col = col * 26 + ch - 64
        _COLS[letters] = col
    return col


_COLS: dict[bytes, int] = {}


def _check_formula(p: bytes, content: bytes, r: int, c: int) -> bool:
    """True if the cell held a formula (which may be overwritten unless it anchors a shared/array one)."""
    if b"<" + p + b"f" not in content:
        return False
    fm = _SHARED_OR_ARRAY.search(content)
    if fm is not None and _REF_ATTR.search(fm.group(0)):
        raise EngineUnsupported(f"单元格 {cell_ref(r, c)} 是共享/数组公式的首格，无法就地改写。")
    return True


def _splice_cells(xml: bytes, lo: int, hi: int, p: bytes, cells: dict[tuple[int, int], Any],
                  ) -> tuple[list[bytes | memoryview], bool] | None:
    """Fast path for the common job (every written cell already exists, nothing is cleared): each
    cell of the ``sheetData`` body ``xml[lo:hi]`` is found by its address, in document order, and
    replaced; rows are left as they are. None (the caller takes the row-by-row path) when a cell is
    missing or out of order. Returns the new body's pieces and whether a formula was overwritten.

    A consolidation writes 30,000 cells into a 60 MB ledger part: the text between them is passed
    on as views of ``xml``, not copied (``bytes.join`` copies it once), and each address is built
    from its column's letters, looked up once per column (``_letters``)."""
    if not cells:
        return None
    ctag, cclose, ftag = b"<" + p + b"c", b"</" + p + b"c>", b"<" + p + b"f"
    skip = len(ctag)
    view = memoryview(xml)
    out: list[bytes | memoryview] = []
    pos = lo
    removed = False
    for (r, c), value in sorted(cells.items()):
        ref = b' r="%s%d"' % (_letters(c), r)
        at = xml.find(ref, pos, hi)
        while at >= 0:  # the address must be an attribute of a <c> tag, not text that looks like one
            start = xml.rfind(ctag, pos, at)
            if start >= 0 and xml.find(b">", start, at) < 0 and xml[start + skip] in b" \t\r\n":
                break
            at = xml.find(ref, at + 1, hi)
        gt = xml.find(b">", at, hi) if at >= 0 else -1
        if gt < 0:
            return None
        if xml[gt - 1] == 0x2F:  # "/>": an empty cell
            attrs, end, content = xml[start + skip: gt - 1], gt + 1, b""
        else:
            close = xml.find(cclose, gt, hi)
            if close < 0:
                return None
            attrs, end, content = xml[start + skip: gt], close + len(cclose), xml[gt + 1: close]
            if ftag in content and not _keeps(value):
                removed = _check_formula(p, content, r, c) or removed
        out += [view[pos:start], _render(p, attrs, value, content)]
        pos = end
    out.append(view[pos:hi])
    return out, removed


def _patch_row(p: bytes, r: int, attrs: bytes, inner: bytes | None, updates: dict[int, Any],
               cleared: list[tuple[int, int]], cell_re: re.Pattern[bytes]) -> tuple[bytes, bool]:
    row_attrs = _DROP_ATTR.sub(b"", attrs) if b"spans=" in attrs else attrs
    if inner and updates and not cleared:
        fast = _splice_cells(inner, 0, len(inner), p, {(r, c): v for c, v in updates.items()})
        if fast is not None:
            return b"<%srow%s>%s</%srow>" % (p, row_attrs, b"".join(fast[0]), p), fast[1]
    cells: dict[int, bytes] = {}
    lead = tail = b""
    removed = False
    changed = False
    if inner:
        last = 0
        for n, m in enumerate(cell_re.finditer(inner)):
            if n == 0:
                lead = inner[: m.start()]
            last = m.end()
            ref = _CELL_R.search(m.group(1))
            if ref is None:
                raise EngineUnsupported("单元格缺少地址（r 属性），无法就地写入。")
            c = column_number(ref.group(1))
            content = m.group(3) or b""
            if c in updates:
                value = updates[c]
            elif content.strip() and any(c1 <= c <= c2 for c1, c2 in cleared):
                value = None
            else:
                cells[c] = m.group(0)
                continue
            if not _keeps(value):
                removed = _check_formula(p, content, r, c) or removed
            cells[c] = _render(p, m.group(1).rstrip(b"/"), value, content)
            changed = True
        tail = inner[last:] if cells else inner
    for c, v in updates.items():
        if c not in cells and not _empty(v):
            cells[c] = _render(p, b' r="%s"' % cell_ref(r, c).encode(), v)
            changed = True
    if not changed:
        return b"<%srow%s%s" % (p, attrs, b"/>" if inner is None else b">" + inner + b"</" + p + b"row>"), False
    body = lead + b"".join(cells[c] for c in sorted(cells)) + tail
    return b"<%srow%s>%s</%srow>" % (p, row_attrs, body, p), removed


def _dimension(head: bytes, p: bytes, patch: Patch) -> bytes:
    m = re.search(rb"<" + p + rb'dimension\b[^>]*?\bref="([^"]*)"', head)
    written = [k for k, v in patch.cells.items() if not _empty(v)]
    if m is None or not written:
        return head
    try:
        r1, c1, r2, c2 = _rect_of(m.group(1))
    except ValueError:
        return head
    rows = [r for r, _ in written]
    cols = [c for _, c in written]
    new = (min(r1, *rows), min(c1, *cols), max(r2, *rows), max(c2, *cols))
    ref = cell_ref(new[0], new[1]) + ("" if new[:2] == new[2:] else ":" + cell_ref(new[2], new[3]))
    return head[: m.start(1)] + ref.encode() + head[m.end(1):]


def _hyperlinks(tail: bytes, p: bytes, patch: Patch, links: dict[tuple[int, int], Link]) -> bytes:
    block = re.search(rb"<" + p + rb"hyperlinks\b[^>]*?(?:/>|>(.*?)</" + p + rb"hyperlinks>)", tail, re.S)
    if block is None and not links:
        return tail
    kept: list[bytes] = []
    if block is not None:
        for m in re.finditer(rb"<" + p + rb"hyperlink\b[^>]*?(?:/>|>.*?</" + p + rb"hyperlink>)", block.group(1) or b"", re.S):
            ref = _REF_ATTR.search(m.group(0))
            if ref is not None:
                r, c = _rect_of(ref.group(1))[:2]
                if patch.in_cleared(r, c) or (r, c) in links:
                    continue
            kept.append(m.group(0))
    for (r, c), link in sorted(links.items()):
        kept.append(b'<%shyperlink ref="%s" location="%s" display="%s"/>' % (
            p, cell_ref(r, c).encode(), _attr_text(link.target).encode(), _attr_text(link.text).encode()))
    new = b"<%shyperlinks>%s</%shyperlinks>" % (p, b"".join(kept), p) if kept else b""
    if block is not None:
        return tail[: block.start()] + new + tail[block.end():]
    names = b"|".join(_AFTER_HYPERLINKS)
    after = re.search(rb"<" + p + rb"(?:" + names + rb")\b", tail)
    at = after.start() if after is not None else tail.rindex(b"</")
    return tail[:at] + new + tail[at:]


def cell_styles(xml: bytes, refs: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """The style index ``s`` of each cell (0 when absent or when the cell has no element), found
    by address in one forward pass over the sheet part."""
    p = _prefix(xml)
    ctag = b"<" + p + b"c"
    lo = max(xml.find(b"<" + p + b"sheetData"), 0)
    hi = xml.find(b"</" + p + b"sheetData>")
    hi = len(xml) if hi < 0 else hi
    out: dict[tuple[int, int], int] = {}
    pos = lo
    for r, c in sorted(set(refs)):
        ref = b' r="%s"' % cell_ref(r, c).encode()
        at = xml.find(ref, pos, hi)
        while at >= 0:
            start = xml.rfind(ctag, pos, at)
            if start >= 0 and xml.find(b">", start, at) < 0 and xml[start + len(ctag)] in b" \t\r\n":
                break
            at = xml.find(ref, at + 1, hi)
        if at < 0:
            out[(r, c)] = 0
            continue
        gt = xml.find(b">", at, hi)
        m = _S_ATTR.search(xml, start, gt)
        out[(r, c)] = int(m.group(1)) if m else 0
        pos = start
    return out


def formula_cells(xml: bytes, *, uncached_only: bool = False) -> dict[tuple[int, int], str]:
    """{(row, col): "=formula"} of every formula cell in a sheet part, as the file engine reads
    them when writable (a written value can make any cached result stale). Cells that share a
    formula (``<f t="shared" si="0"/>``) get their group's first formula, not re-based: the text
    only says "this is a formula" to readers, which derive such figures themselves.
    ``uncached_only`` keeps just the formulas with no cached value (what calamine reads as empty).

    One regular-expression pass over the ``<f>`` elements: a 30,000-row ledger holds 120,000
    formulas, and a Python loop per formula took most of a second."""
    from xladdin.engines.xlsx.xml_text import unescape

    p = _prefix(xml)
    start = xml.find(b"<" + p + b"sheetData")
    stop = xml.find(b"</" + p + b"sheetData>")
    out: dict[tuple[int, int], str] = {}
    shared: dict[bytes, str] = {}
    entities = {"&quot;": '"', "&apos;": "'"}
    ctag = b"<" + p + b"c"
    for m in _formula_pattern(p).finditer(xml, max(start, 0), stop if stop >= 0 else len(xml)):
        fattrs, body, cached = m.group(1, 2, 3)
        if uncached_only and cached is not None and not (b"si=" in fattrs and body):
            continue  # a cached result follows: calamine reads that
        cstart = xml.rfind(ctag, 0, m.start())
        ref = _CELL_R.search(xml, cstart, m.start()) if cstart >= 0 else None
        if ref is None:
            continue
        text = "" if body is None else body.decode("utf-8")
        if "&" in text:
            text = unescape(text, entities)
        if b"si=" in fattrs and (si := _SI_ATTR.search(fattrs)) is not None:
            text = shared.setdefault(si.group(1), text) if text else shared.get(si.group(1), "")
        if uncached_only and cached is not None:
            continue
        out[(int(ref.group(2)), column_number(ref.group(1)))] = "=" + text
    return out
