Attribute VB_Name = "XladdinRibbon"
' Ribbon callbacks of xladdin.xlam (tab 'tou zi xiang mu', see customUI14.xml).
' Each callback first calls XladdinReady (generated module XladdinStartup: no workbook,
' Protected View, unsaved book, Python/xlwings/xladdin missing or of another version each end
' in a message), then hands over to Python through xlwings' RunPython; XladdinCommand puts the
' Python-side version check in front. All other logic, messages and error handling live in the
' Python package (xladdin/excel/ribbon.py).
' Keep this file ASCII: the VBA project's code page is 1252.
Option Explicit

Public Sub ValidateLedger(control As IRibbonControl)
    If Not XladdinReady() Then Exit Sub
    RunPython XladdinCommand("validate_ledger()")
End Sub

Public Sub MakeForms(control As IRibbonControl)
    If Not XladdinReady(True) Then Exit Sub
    RunPython XladdinCommand("make_forms()")
End Sub

Public Sub Consolidate(control As IRibbonControl)
    If Not XladdinReady(True) Then Exit Sub
    RunPython XladdinCommand("consolidate_month()")
End Sub

Public Sub RefreshRanking(control As IRibbonControl)
    If Not XladdinReady() Then Exit Sub
    RunPython XladdinCommand("refresh_ranking()")
End Sub

Public Sub ExportBulletinPdf(control As IRibbonControl)
    If Not XladdinReady(True) Then Exit Sub
    RunPython XladdinCommand("export_bulletin_pdf()")
End Sub

Public Sub RestoreBackup(control As IRibbonControl)
    If Not XladdinReady(True) Then Exit Sub
    RunPython XladdinCommand("restore_backup()")
End Sub

Public Sub ExportBulletinWord(control As IRibbonControl)
    If Not XladdinReady(True) Then Exit Sub
    RunPython XladdinCommand("export_bulletin_word()")
End Sub
