Attribute VB_Name = "XladdinRibbon"
' Ribbon callbacks of xladdin.xlam (tab 'tou zi xiang mu', see customUI14.xml).
' Each callback only hands over to Python through xlwings' RunPython; all logic, messages
' and error handling live in the Python package (xladdin/excel/ribbon.py).
' Keep this file ASCII: the VBA project's code page is 1252.
Option Explicit

Public Sub ValidateLedger(control As IRibbonControl)
    RunPython "import xladdin.excel.ribbon; xladdin.excel.ribbon.validate_ledger()"
End Sub

Public Sub MakeForms(control As IRibbonControl)
    RunPython "import xladdin.excel.ribbon; xladdin.excel.ribbon.make_forms()"
End Sub

Public Sub Consolidate(control As IRibbonControl)
    RunPython "import xladdin.excel.ribbon; xladdin.excel.ribbon.consolidate_month()"
End Sub

Public Sub RefreshRanking(control As IRibbonControl)
    RunPython "import xladdin.excel.ribbon; xladdin.excel.ribbon.refresh_ranking()"
End Sub

Public Sub ExportBulletinPdf(control As IRibbonControl)
    RunPython "import xladdin.excel.ribbon; xladdin.excel.ribbon.export_bulletin_pdf()"
End Sub
