"""How big a sheet really is, found cheaply before any spreadsheet parser builds it.

Standard library only. A report form is untrusted input: calamine builds a sheet as one dense
range, so a single cell at XFD1048576 asks it for 17 billion cells (a native allocation abort,
exit 134, that no ``except`` can catch). ``sheet_infos`` lists every sheet with its state
(visible / hidden / veryHidden), its part and its declared uncompressed size; ``scan_extent``
streams one sheet part through zlib in 1 MB chunks (memory stays bounded whatever the sheet
holds) and returns the largest row and column actually present, the ``<dimension>`` declared and
how many cells hold a number. Callers refuse a sheet before reading it when the extent or the
part size is beyond what it can hold.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field

from xladdin.core.findings import column_letter
from xladdin.core.sheet import parse_ref
from xladdin.engines.xlsx.package import rels_targets, sheet_entries
from xladdin.engines.xlsx.xml_text import unescape

__all__ = ["Extent", "SheetInfo", "scan_extent", "sheet_infos"]

_CHUNK = 1 << 20
_TAG = re.compile(rb"<(?:\w+:)?(row|c|dimension)\b([^>]*?)(/?)>|</(?:\w+:)?row>")
_R = re.compile(rb'\sr="([^"]*)"')
_T = re.compile(rb'\st="([^"]*)"')
_STATE = re.compile(r'\sstate="([^"]*)"')


@dataclass(frozen=True)
class SheetInfo:
    name: str
    part: str
    state: str  # "visible", "hidden" or "veryHidden"
    size: int  # declared uncompressed size of the part (bytes)


@dataclass(frozen=True)
class Extent:
    max_row: int
    max_col: int
    dimension: str | None  # the <dimension ref> the file declares (may lie; max_row/max_col do not)
    numbers: int  # cells holding a number (no t attribute, or t="n"); -1 when not counted
    over: bool = False  # a cell or row lies beyond the limits given to ``scan_extent``
    xml: bytes | None = field(default=None, repr=False, compare=False)  # the part, when asked to keep it


def sheet_infos(zf: zipfile.ZipFile) -> list[SheetInfo]:
    """Every sheet of the workbook in ``zf``, in workbook order (parts missing from the zip are left out)."""
    workbook = zf.read("xl/workbook.xml").decode("utf-8")
    try:
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    except KeyError:
        return []
    targets = rels_targets(rels, "xl/workbook.xml")
    sizes = {i.filename: i.file_size for i in zf.infolist()}
    states = {}
    for m in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        found = re.search(r'\sname="([^"]*)"', m.group(0))
        state = _STATE.search(m.group(0))
        if found:
            states[unescape(found.group(1), {"&quot;": '"', "&apos;": "'"})] = state.group(1) if state else "visible"
    out = []
    for name, rid in sheet_entries(workbook):
        if rid in targets and targets[rid][1] in sizes:
            part = targets[rid][1]
            out.append(SheetInfo(name, part, states.get(name, "visible"), sizes[part]))
    return out


def scan_extent(zf: zipfile.ZipFile, part: str, *, max_rows: int = 1_048_576, max_cols: int = 16_384,
                numbers: bool = False, keep: bool = False) -> Extent:
    """The extent of the sheet ``part``, streamed (see the module docstring). A sheet within
    ``max_rows`` x ``max_cols`` is recognised with C-level regex searches alone (a 150-form province
    month takes a fraction of a second); ``max_row``/``max_col`` are exact once a cell lies beyond
    (``over``), else lower bounds. ``numbers``: also count the cells holding a number. A chunk with
    cells that omit their ``r`` reference (allowed, rare) is walked tag by tag. ``keep``: also
    return the part's bytes (the caller bounds its size), so that a reader need not inflate it again."""
    max_row = max_col = count = 0
    kept: list[bytes] = []
    over = False
    beyond = _beyond(max_rows, max_cols)
    state = [0, 0]  # the current row and column, for cells without a reference
    dimension: str | None = None
    carry = b""
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            if keep:
                kept.append(chunk)
            data = carry + chunk
            cut = data.rfind(b">") + 1 if chunk else len(data)
            body, carry = data[:cut], data[cut:]
            if dimension is None:  # it comes before the sheet data
                found = _DIMENSION.search(body, 0, 8192)
                dimension = found.group(1).decode("ascii", "replace") if found else None
            plain = body.count(b"<c ") + body.count(b"<c>") + body.count(b"<c/>")
            refs_first = body.count(b'<c r="')  # how Excel, WPS, LibreOffice and openpyxl write cells
            if (plain != refs_first or b":c" in body) and _CELL_WITHOUT_REF.search(body) is not None:
                r, c, n = _walk(body, state)
                max_row, max_col, count = max(max_row, r), max(max_col, c), count + n
            else:
                rows = _ROW_REF.findall(body[-4096:])  # the current row, for cells without a reference later
                if rows:
                    state = [int(rows[-1]), 0]
                    max_row = max(max_row, state[0])
                if beyond.search(body) is not None:  # exact figures, only for a sheet that is too large
                    refs = _CELL_REF.findall(body)
                    if refs:
                        max_col = max(max_col, max(_column(c) for c in {c for c, _ in refs}))
                        max_row = max(max_row, max(int(r) for _, r in refs))
                    max_row = max([max_row, *(int(r) for r in _ROW_REF.findall(body))])
                if numbers:
                    count += body.count(b"<v>") + body.count(b":v>") // 2 - len(_TYPED_VALUE.findall(body))
            over = over or max_row > max_rows or max_col > max_cols
            if not chunk:
                break
            if len(carry) > _CHUNK:  # a single tag longer than 1 MB: no sheet writes that
                carry = carry[-_CHUNK:]
    return Extent(max_row, max_col, dimension, max(count, 0) if numbers else -1, over,
                  b"".join(kept) if keep else None)


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\sref="([^"]*)"')
_CELL_WITHOUT_REF = re.compile(rb'<(?:\w+:)?c(?:/?>|\s(?![^>]*\br=)[^>]*>)')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="\$?([A-Z]{1,4})\$?(\d{1,9})"')
_ROW_REF = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="(\d{1,9})"')
_TYPED_VALUE = re.compile(rb'<(?:\w+:)?c\s[^>]*?\bt="(?:s|str|b|e|d)"[^>]*>(?:<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>))?<(?:\w+:)?v>')


def _above(limit: str, alphabet: str, first: str) -> str:
    """A regex for the strings over ``alphabet`` that sort after ``limit`` as numbers do: longer
    ones (starting with a character of ``first``), or as long and larger at the first difference."""
    alts = [f"[{first}][{alphabet}]{{{len(limit)},}}"]
    for i, ch in enumerate(limit):
        higher = alphabet[alphabet.index(ch) + 1:] if ch in alphabet else ""
        if higher:
            rest = len(limit) - i - 1
            alts.append(re.escape(limit[:i]) + f"[{higher}]" + (f"[{alphabet}]{{{rest}}}" if rest else ""))
    return "(?:" + "|".join(alts) + ")"


_BEYOND: dict[tuple[int, int], re.Pattern[bytes]] = {}


def _beyond(max_rows: int, max_cols: int) -> re.Pattern[bytes]:
    """A cell or row reference beyond ``max_rows`` x ``max_cols`` (reference text compared as numbers)."""
    key = (max_rows, max_cols)
    if key not in _BEYOND:
        digits, letters = "0123456789", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        row = _above(str(max_rows), digits, "1-9")
        col = _above(column_letter(max_cols), letters, "A-Z")
        # any r="…" attribute (cells and rows) that could lie beyond: a quick literal-led scan; the
        # exact extent is then computed from the cells themselves
        _BEYOND[key] = re.compile((r'r="\$?(?:' + col + r'\$?\d|[A-Z]{0,4}\$?' + row + r'")').encode())
    return _BEYOND[key]


def _column(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + (ch - 64)
    return col


def _walk(body: bytes, state: list[int]) -> tuple[int, int, int]:
    """(max row, max column, number cells) of ``body`` tag by tag; ``state`` carries the current
    row and column across chunks."""
    max_row = max_col = numbers = 0
    row, col = state
    for m in _TAG.finditer(body):
        kind = m.group(1)
        if kind is None or kind == b"dimension":
            continue
        attrs = m.group(2)
        r = _R.search(attrs)
        if kind == b"row":
            row = int(r.group(1)) if r and r.group(1).isdigit() else row + 1
            col = 0
            max_row = max(max_row, row)
            continue
        if r:
            try:
                cell_row, col = parse_ref(r.group(1).decode("ascii", "replace"))
            except ValueError:
                cell_row, col = row, col + 1
            max_row = max(max_row, cell_row)
        else:
            col += 1
        max_col = max(max_col, col)
        t = _T.search(attrs)
        if not m.group(3) and (t is None or t.group(1) == b"n"):
            numbers += 1
    state[:] = [row, col]
    return max_row, max_col, numbers
