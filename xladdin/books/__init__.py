"""Workbook builders: the master ledger template, the unit report form writer and the house style."""
