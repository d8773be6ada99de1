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
from dataclasses import dataclass
from xml.sax.saxutils import unescape

from xladdin.core.sheet import parse_ref
from xladdin.engines.xlsx.package import rels_targets, sheet_entries

__all__ = ["Extent", "SheetInfo", "scan_extent", "sheet_infos"]

_CHUNK = 1 << 20
_TAG = re.compile(rb"<(?:\w+:)?(row|c|dimension)\b([^>]*?)(/?)>|</(?:\w+:)?row>")
_R = re.compile(rb'\sr="([^"]*)"')
_REF = re.compile(rb'\sref="([^"]*)"')
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
    numbers: int  # cells holding a number (no t attribute, or t="n")


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


def scan_extent(zf: zipfile.ZipFile, part: str) -> Extent:
    """The extent of the sheet ``part``, streamed (see the module docstring)."""
    max_row = max_col = numbers = 0
    row = col = 0
    dimension: str | None = None
    carry = b""
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            data = carry + chunk
            cut = data.rfind(b">") + 1 if chunk else len(data)
            body, carry = data[:cut], data[cut:]
            for m in _TAG.finditer(body):
                kind = m.group(1)
                if kind is None:  # </row>
                    continue
                attrs = m.group(2)
                if kind == b"row":
                    r = _R.search(attrs)
                    row = int(r.group(1)) if r and r.group(1).isdigit() else row + 1
                    col = 0
                    max_row = max(max_row, row)
                elif kind == b"c":
                    r = _R.search(attrs)
                    if r:
                        try:
                            row_c, col = parse_ref(r.group(1).decode("ascii", "replace"))
                        except ValueError:
                            col += 1
                            row_c = row
                        max_row = max(max_row, row_c)
                    else:
                        col += 1
                    max_col = max(max_col, col)
                    t = _T.search(attrs)
                    if not m.group(3) and (t is None or t.group(1) == b"n"):
                        numbers += 1
                elif dimension is None:
                    ref = _REF.search(attrs)
                    dimension = ref.group(1).decode("ascii", "replace") if ref else None
            if not chunk:
                break
            if len(carry) > _CHUNK:  # a single tag longer than 1 MB: no sheet writes that
                carry = carry[-_CHUNK:]
    return Extent(max_row, max_col, dimension, numbers)
