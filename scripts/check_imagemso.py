#!/usr/bin/env python3
"""Check every imageMso/idMso of macros/customUI14.xml against Office's published Excel control IDs.

The lists cannot be committed or installed here (see docs/addin.md); run with local copies:

    XLADDIN_EXCEL_CONTROLS=/path/excelcontrols.xlsx[:/path/other.xlsx|ids.txt ...] \\
        .venv/bin/python scripts/check_imagemso.py [customUI14.xml]

Source: github.com/OfficeDev/office-fluent-ui-command-identifiers (MIT), one ``excelcontrols.xlsx``
per Office version (sheet ``excelcontrols``, column ``Control Name``); a ``.txt`` with one ID per
line works too. Each ID is reported with the lists that hold it. Exit code 0 when every ID is in
every list given, 1 otherwise, 2 without a list. When an ID is added, add it to
``EXCEL_CONTROL_IDS_CHECKED`` in tests/e2e/test_addin_build.py after this check passes.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

ATTRS = ("imageMso", "idMso", "insertAfterMso", "insertBeforeMso")


def control_ids(path: Path) -> set[str]:
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True)
        try:
            ws = wb["excelcontrols"] if "excelcontrols" in wb.sheetnames else wb.worksheets[0]
            rows = ws.iter_rows(values_only=True)
            header = [str(h or "").strip() for h in next(rows)]
            col = header.index("Control Name")
            return {str(r[col]).strip() for r in rows if r[col]}
        finally:
            wb.close()
    return set(path.read_text(encoding="utf-8").split())


def used_ids(xml: Path) -> list[tuple[str, str, str]]:
    """(attribute, value, element id) for every Office control reference in the ribbon XML."""
    out = []
    for el in ET.parse(xml).getroot().iter():
        for attr in ATTRS:
            if el.get(attr):
                out.append((attr, el.get(attr) or "", el.get("id") or ""))
    return out


def main(argv: list[str]) -> int:
    lists = [Path(p) for p in os.environ.get("XLADDIN_EXCEL_CONTROLS", "").split(os.pathsep) if p]
    if not lists:
        print("set XLADDIN_EXCEL_CONTROLS to excelcontrols.xlsx / .txt files", file=sys.stderr)
        return 2
    known = {p: control_ids(p) for p in lists}
    xml = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / "macros" / "customUI14.xml"
    bad = 0
    for attr, value, el_id in used_ids(xml):
        holders = [p.name if len({q.name for q in lists}) == len(lists) else str(p) for p in lists if value in known[p]]
        ok = len(holders) == len(lists)
        bad += not ok
        print(f"{'OK ' if ok else 'NOT'}  {attr}={value}  ({el_id}) in {len(holders)}/{len(lists)} lists")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
