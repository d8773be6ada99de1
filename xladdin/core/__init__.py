"""The pure core: cell values, fields, vocabularies, headers, settings, periods, findings, ledger reading, rules.

Imports only the standard library, pandas, numpy and pydantic (never xlwings or openpyxl)."""
