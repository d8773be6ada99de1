"""The defined names the patch engine writes, as LibreOffice reads them: a formula that uses each
name computes from the range it names (kept out of the mutation selection: one LibreOffice run
costs seconds; ``test_package_edges.py`` pins the same text without it)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from xladdin.engines.libreoffice import recalc
from xladdin.engines.patch import PatchEngine


@pytest.mark.libreoffice
def test_names_added_to_openpyxls_empty_definedNames_resolve_in_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "names.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "汇总"
    other = wb.create_sheet("O'Brien & Co")
    for r in range(5, 9):
        ws.cell(r, 1, r)  # A5:A8 = 5..8
        other.cell(r, 2, 10 * r)  # B5:B8 = 50..80
    ws["D1"], ws["D2"] = "=SUM(xl_a)", "=SUM(xl_b)"
    wb.save(path)  # no names yet: openpyxl writes an empty <definedNames/>
    engine = PatchEngine(path)
    try:
        engine.set_defined_name("xl_a", "汇总", "A5:A8")
        engine.set_defined_name("xl_b", "O'Brien & Co", "B5:B8")
        engine.save()
    finally:
        engine.close()
    out = recalc(path, tmp_path / "lo")
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("汇总").to_python()
    assert [rows[0][3], rows[1][3]] == [26, 260]
    # LibreOffice saves them back (quoting only the sheet name that needs it)
    names = {n: d.attr_text for n, d in openpyxl.load_workbook(out).defined_names.items()}
    assert names == {"xl_a": "汇总!$A$5:$A$8", "xl_b": "'O''Brien & Co'!$B$5:$B$8"}
