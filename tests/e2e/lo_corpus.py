"""Run by /usr/bin/python3 (python3-uno): open an .xlsx in headless LibreOffice, add a pivot table
(DataPilot) over the first sheet's data and a note, and save it as LibreOffice's own .xlsx.

Usage: lo_corpus.py SOURCE TARGET PROFILE_DIR. The result is a workbook written by LibreOffice:
every part (charts, images, notes, conditional formats, validation, the pivot table and its cache)
serialised by LibreOffice's OOXML filter.
"""

import os
import sys

import uno
from com.sun.star.table import CellAddress, CellRangeAddress
from lo_uno import desktop, prop


def main() -> None:
    src, dst, profile = (os.path.abspath(a) for a in sys.argv[1:4])
    with desktop(profile, "xladdincorpus") as office:
        doc = office.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
        sheets = doc.Sheets
        data = sheets.getByIndex(0)
        cursor = data.createCursor()
        cursor.gotoEndOfUsedArea(False)
        last_row, last_col = cursor.RangeAddress.EndRow, cursor.RangeAddress.EndColumn
        sheets.insertNewByName("透视", sheets.Count)
        pivot_sheet = sheets.getByName("透视")
        tables = pivot_sheet.getDataPilotTables()
        desc = tables.createDataPilotDescriptor()
        area = CellRangeAddress()
        area.Sheet, area.StartColumn, area.StartRow, area.EndColumn, area.EndRow = 0, 0, 0, min(last_col, 2), last_row
        desc.setSourceRange(area)
        fields = desc.getDataPilotFields()
        row_field = fields.getByIndex(0)
        row_field.Orientation = uno.Enum("com.sun.star.sheet.DataPilotFieldOrientation", "ROW")
        data_field = fields.getByIndex(1)
        data_field.Orientation = uno.Enum("com.sun.star.sheet.DataPilotFieldOrientation", "DATA")
        data_field.Function = uno.Enum("com.sun.star.sheet.GeneralFunction", "SUM")
        at = CellAddress()
        at.Sheet, at.Column, at.Row = sheets.Count - 1, 0, 0
        tables.insertNewByName("透视表1", at, desc)
        note_at = CellAddress()
        note_at.Sheet, note_at.Column, note_at.Row = 0, 4, 1
        data.getAnnotations().insertNew(note_at, "LibreOffice 批注")
        doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", "Calc Office Open XML"),))
        doc.close(True)


if __name__ == "__main__":
    main()
