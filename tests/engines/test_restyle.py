"""``styles_xml.restyle``: a row of plain cells takes the one-pass path (``_plain_row``), any other
row the general one (``_cells``), and both give the same bytes and derive the same formats.

The styles part is the shipped template's own ``xl/styles.xml``; the sheet parts are written here,
one row for each shape of cell a real writer produces."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from xladdin.engines.base import CellStyle
from xladdin.engines.xlsx import styles_xml
from xladdin.engines.xlsx.styles_xml import StyleBook, restyle

TEMPLATE = Path(__file__).resolve().parents[2] / "workbooks" / "主台账模板.xlsx"
BOLD, PERCENT = CellStyle(bold=True), CellStyle(number_format="0.0%", align="center")


def _book() -> StyleBook:
    with zipfile.ZipFile(TEMPLATE) as zf:
        return StyleBook(zf.read("xl/styles.xml").decode("utf-8"))


def _sheet(rows: bytes, p: bytes = b"") -> bytes:
    ns = b' xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"' if p else \
        b' xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    return b"<%sworksheet%s><%ssheetData>%s</%ssheetData></%sworksheet>" % (p, ns, p, rows, p, p)


def _general_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(styles_xml, "_plain_row", lambda *a: None)


ROWS: dict[str, tuple[bytes, dict[tuple[int, int], CellStyle], bytes]] = {
    # (row XML, styles, the row restyle writes)
    "plain cells, one without s": (
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2" s="0"><v>0.5</v></c></row>',
        {(2, 1): BOLD, (2, 2): PERCENT},
        b'<row r="2"><c r="A2" s="{BOLD}" t="inlineStr"><is><t>x</t></is></c><c r="B2" s="{PCT}"><v>0.5</v></c></row>'),
    "a styled cell the row lacks, added in column order": (
        b'<row r="3"><c r="A3"><v>1</v></c><c r="C3"><v>3</v></c></row>',
        {(3, 3): BOLD, (3, 2): PERCENT},
        b'<row r="3"><c r="A3"><v>1</v></c><c r="B3" s="{PCT}"/><c r="C3" s="{BOLD}"><v>3</v></c></row>'),
    "s after another attribute": (
        b'<row r="4"><c r="A4" t="n" s="0"><v>1</v></c></row>',
        {(4, 1): BOLD},
        b'<row r="4"><c r="A4" t="n" s="{BOLD}"><v>1</v></c></row>'),
    "whitespace between cells (dropped, as always)": (
        b'<row r="5" spans="1:2">\n  <c r="A5"><v>1</v></c>\n  <c r="B5"><v>2</v></c>\n</row>',
        {(5, 2): BOLD},
        b'<row r="5"><c r="A5"><v>1</v></c><c r="B5" s="{BOLD}"><v>2</v></c></row>'),
    "cells out of column order": (
        b'<row r="6"><c r="B6"><v>2</v></c><c r="A6"><v>1</v></c></row>',
        {(6, 1): BOLD},
        b'<row r="6"><c r="A6" s="{BOLD}"><v>1</v></c><c r="B6"><v>2</v></c></row>'),
}


@pytest.mark.parametrize("case", list(ROWS))
def test_each_row_is_restyled_alike_by_both_paths(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    row, styles, want = ROWS[case]
    fast_book = _book()
    fast = restyle(_sheet(row), styles, fast_book.derive)
    _general_only(monkeypatch)
    general_book = _book()
    general = restyle(_sheet(row), styles, general_book.derive)
    assert fast == general
    assert fast_book.xml() == general_book.xml()  # the same formats, appended in the same order
    expected = want.replace(b"{BOLD}", b"%d" % general_book.derive(0, BOLD))
    assert fast == _sheet(expected.replace(b"{PCT}", b"%d" % general_book.derive(0, PERCENT)))


def test_the_one_pass_path_takes_plain_rows_only() -> None:
    book = _book()
    taken = {case: styles_xml._plain_row(b"", r, row[row.index(b">") + 1:row.rindex(b"</row>")],
                                         {c: st for (_, c), st in styles.items()}, book.derive)
             for case, (row, styles, _) in ROWS.items() for r in [next(iter(styles))[0]]}
    assert [case for case, out in taken.items() if out is not None] == [
        "plain cells, one without s", "a styled cell the row lacks, added in column order"]


def test_a_prefixed_part_takes_the_one_pass_path_too(monkeypatch: pytest.MonkeyPatch) -> None:
    row = b'<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c><x:c r="B2" s="0"/></x:row>'
    styles: dict[tuple[int, int], Any] = {(2, 1): BOLD, (2, 2): BOLD, (2, 3): PERCENT}
    calls: list[int] = []
    plain = styles_xml._plain_row

    def spy(*args: Any) -> bytes | None:
        out = plain(*args)
        calls.append(out is not None)
        return out

    monkeypatch.setattr(styles_xml, "_plain_row", spy)
    fast = restyle(_sheet(row, b"x:"), styles, _book().derive)
    assert calls == [True]
    _general_only(monkeypatch)
    assert fast == restyle(_sheet(row, b"x:"), styles, _book().derive)
    assert b'<x:c r="C2" s="' in fast
