"""``patch_sheet``'s cell-by-address fast path (issue 7) and its fall-back to the row-by-row path:
both must give the same cells, keep everything else byte for byte, and never touch look-alike text."""

from __future__ import annotations

import re

from xladdin.engines.base import Formula
from xladdin.engines.xlsx.sheet_xml import Patch, formula_cells, patch_sheet

HEAD = b'<worksheet xmlns="a"><dimension ref="A1:C2"/><sheetData>'
TAIL = b'</sheetData><pageMargins left="0.7"/></worksheet>'


def sheet(*rows: bytes) -> bytes:
    return HEAD + b"".join(rows) + TAIL


def cells(xml: bytes) -> dict[str, bytes]:
    """Address -> the whole <c> element, for comparing results."""
    return {m.group(1).decode(): m.group(0) for m in re.finditer(rb'<c r="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', xml)}


def patched(xml: bytes, values: dict[tuple[int, int], object], cleared: list[tuple[int, int, int, int]] | None = None,
            ) -> tuple[bytes, bool]:
    result = patch_sheet(xml, Patch(cells=dict(values), cleared=cleared or []))
    return result.xml, result.formulas_removed


ROW1 = b'<row r="1" spans="1:3"><c r="A1" s="2" t="s"><v>0</v></c><c r="B1" s="3"><v>5</v></c><c r="C1"><f>A1+B1</f><v>5</v></c></row>'
ROW2 = (b'<row r="2"><c r="A2" t="inlineStr"><is><t> r="B2" is not a cell</t></is></c>'
        b'<c r="B2" s="4"/><c r="C2"><v>1</v></c></row>')


def test_existing_cells_are_replaced_in_place_and_the_rest_is_kept() -> None:
    xml = sheet(ROW1, ROW2)
    out, removed = patched(xml, {(1, 2): 7.5, (2, 2): "乙", (2, 3): None})
    got = cells(out)
    assert got["B1"] == b'<c r="B1" s="3"><v>7.5</v></c>'  # style kept
    assert got["B2"] == '<c r="B2" s="4" t="inlineStr"><is><t xml:space="preserve">乙</t></is></c>'.encode()
    assert got["C2"] == b'<c r="C2"/>'
    assert got["A2"] == cells(xml)["A2"]  # the text that looks like an address is untouched
    # the row tag keeps its spans: the fast path ran (the row path rewrites the rows it changes)
    assert b'<row r="1" spans="1:3">' in out and out.startswith(HEAD[:40]) and out.endswith(TAIL)
    assert not removed


def test_overwriting_a_formula_is_reported_and_formulas_can_be_written() -> None:
    out, removed = patched(sheet(ROW1, ROW2), {(1, 3): 9, (2, 3): Formula("=SUM(A1:B1)")})
    assert removed
    assert formula_cells(out) == {(2, 3): "=SUM(A1:B1)"}


def test_a_missing_cell_falls_back_to_the_row_path_with_the_same_result() -> None:
    xml = sheet(ROW1, ROW2)
    values = {(1, 2): 8, (2, 5): "新", (3, 1): 1}  # E2 and row 3 do not exist yet
    out, _ = patched(xml, values)
    got = cells(out)
    assert got["B1"] == b'<c r="B1" s="3"><v>8</v></c>'
    assert got["E2"] == '<c r="E2" t="inlineStr"><is><t xml:space="preserve">新</t></is></c>'.encode()
    assert b'<row r="3"><c r="A3"><v>1</v></c></row>' in out
    # cleared rectangles always take the row path: the existing cells get the same bytes either way
    same, _ = patched(xml, {(1, 2): 8}, cleared=[(9, 9, 9, 9)])
    fast, _ = patched(xml, {(1, 2): 8})
    assert cells(same)["B1"] == cells(fast)["B1"] and cells(same)["A2"] == cells(fast)["A2"]


def test_cells_out_of_column_order_are_still_written() -> None:
    row = b'<row r="1"><c r="C1"><v>3</v></c><c r="A1"><v>1</v></c></row>'
    out, _ = patched(sheet(row), {(1, 1): 10, (1, 3): 30})
    got = cells(out)
    assert got["A1"] == b'<c r="A1"><v>10</v></c>' and got["C1"] == b'<c r="C1"><v>30</v></c>'
