"""``scan_extent`` on sheets whose cells omit their ``r`` reference (allowed by the schema, written
by some generators): walked tag by tag, rows and columns counted by position (issue 19, coverage).
The expected figures are counted by hand in the comments."""

from __future__ import annotations

import zipfile
from pathlib import Path

from xladdin.engines.xlsx.sheet_extent import Extent, scan_extent

SHEET = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1"/><sheetData>'
         b'<row><c><v>1</v></c><c t="s"><v>0</v></c><c t="n"><v>2</v></c></row>'  # row 1: A1 number, B1 text, C1 number
         b'<row r="5"><c r="B5"><v>3</v></c><c/><c r="ZZ"><v>1</v></c></row>'  # B5 number, C5 empty, "ZZ" → D5 number
         b'<row><c t="str"><v>x</v></c></row>'  # row 6 (after 5): A6 text
         b"</sheetData></worksheet>")


def part(tmp_path: Path, xml: bytes) -> zipfile.ZipFile:
    path = tmp_path / "s.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", xml)
    return zipfile.ZipFile(path)


def test_cells_without_references_are_counted_by_position(tmp_path: Path) -> None:
    with part(tmp_path, SHEET) as zf:
        # rows 1, 5, 6; columns up to D (the bad reference "ZZ" is the next column); numbers A1, C1, B5, D5
        assert scan_extent(zf, "xl/worksheets/sheet1.xml", numbers=True) == Extent(6, 4, "A1", 4, False)
        # the same sheet against limits of 6 x 4 (inside) and 5 x 4, 6 x 3 (just beyond)
        assert not scan_extent(zf, "xl/worksheets/sheet1.xml", max_rows=6, max_cols=4).over
        assert scan_extent(zf, "xl/worksheets/sheet1.xml", max_rows=5, max_cols=4).over
        assert scan_extent(zf, "xl/worksheets/sheet1.xml", max_rows=6, max_cols=3).over


def test_prefixed_cells_without_references(tmp_path: Path) -> None:
    xml = (SHEET.replace(b"<worksheet xmlns=", b"<x:worksheet xmlns:x=").replace(b"</worksheet>", b"</x:worksheet>")
           .replace(b"<row", b"<x:row").replace(b"</row>", b"</x:row>").replace(b"<c", b"<x:c").replace(b"</c>", b"</x:c>")
           .replace(b"<v>", b"<x:v>").replace(b"</v>", b"</x:v>").replace(b"<dimension", b"<x:dimension")
           .replace(b"<sheetData>", b"<x:sheetData>").replace(b"</sheetData>", b"</x:sheetData>"))
    assert b"<c" not in xml
    with part(tmp_path, xml) as zf:
        assert scan_extent(zf, "xl/worksheets/sheet1.xml", numbers=True) == Extent(6, 4, "A1", 4, False)
