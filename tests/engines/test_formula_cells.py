"""``formula_cells``: which cells of a sheet part hold formulas, and which of them carry no cached
value (what calamine reads as empty). One regular-expression pass since issue 7; these cases pin
what the per-formula loop it replaced read."""

from __future__ import annotations

import pytest

from xladdin.engines.xlsx.sheet_xml import formula_cells

SHEET = (b'<x:worksheet xmlns:x="a"><x:sheetData><x:row r="1">'
         b'<x:c r="A1"><x:f>SUM(B1:C1)</x:f><x:v>3</x:v></x:c>'
         b'<x:c r="B1" t="str"><x:f t="shared" ref="B1:E1" si="0">A1&amp;"&lt;x&quot;"</x:f><x:v></x:v></x:c>'
         b'<x:c r="C1" t="inlineStr"><x:is><x:r><x:rPr><x:family val="2"/></x:rPr><x:t>f</x:t></x:r></x:is></x:c>'
         b'<x:c r="D1"><x:f t="shared" si="0"/><x:v>5</x:v></x:c><x:c r="E1"><x:f t="shared" si="0"/></x:c>'
         b'<x:c r="F1"><x:f>1+1</x:f><x:v/></x:c>'
         b'<x:c r="AA1" s="3"><x:f t="array" ref="AA1">ROW()</x:f>\n  <x:v>1</x:v></x:c>'
         b'<x:c s="1"><x:f>NOREF()</x:f></x:c><x:c r="AB1"/><x:c r="AC1"><x:f/></x:c>'
         b'</x:row></x:sheetData></x:worksheet>')
PLAIN = SHEET.replace(b"x:", b"").replace(b' xmlns:x="a"', b' xmlns="a"')


@pytest.mark.parametrize("xml", [SHEET, PLAIN], ids=["prefixed", "default-namespace"])
def test_every_formula_with_shared_text_entities_and_no_rich_text(xml: bytes) -> None:
    assert formula_cells(xml) == {
        (1, 1): "=SUM(B1:C1)",
        (1, 2): '=A1&"<x""',  # entities decoded; the shared group's text ...
        (1, 4): '=A1&"<x""',  # ... given to every cell of the group
        (1, 5): '=A1&"<x""',
        (1, 6): "=1+1",
        (1, 27): "=ROW()",
        (1, 29): "=",  # an empty <f/> is still a formula cell
    }  # C1's <family> is rich text, not a formula; a cell without r= has no address


@pytest.mark.parametrize("xml", [SHEET, PLAIN], ids=["prefixed", "default-namespace"])
def test_uncached_only_keeps_formulas_without_a_value(xml: bytes) -> None:
    # <v></v> and <v/> are no value; a value after whitespace (AA1) is one
    assert formula_cells(xml, uncached_only=True) == {
        (1, 2): '=A1&"<x""', (1, 5): '=A1&"<x""', (1, 6): "=1+1", (1, 29): "="}


def test_sheet_without_formulas() -> None:
    xml = b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData></worksheet>'
    assert formula_cells(xml) == {}
    assert formula_cells(xml, uncached_only=True) == {}
