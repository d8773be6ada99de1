"""Which files of a forms folder a consolidation reads (standard library only: the CLI lists them
before it imports anything heavy, to fork the form workers)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["FORM_SUFFIXES", "OTHER_FORMATS", "form_files", "other_format_files"]

FORM_SUFFIXES = (".xlsx", ".xlsm")
# spreadsheets a unit may send instead, which the forms reader does not open: each is named to
# staff (never skipped in silence: its unit would otherwise read as 未报送 without a word why)
OTHER_FORMATS = {".xls": "Excel 97-2003 工作簿（.xls）", ".xlsb": "Excel 二进制工作簿（.xlsb）",
                 ".et": "WPS 表格文件（.et）", ".ods": "OpenDocument 表格（.ods）", ".csv": "CSV 文本文件（.csv）",
                 ".numbers": "Numbers 表格（.numbers）"}


def form_files(forms_dir: Path) -> list[Path]:
    """The workbooks of ``forms_dir`` a consolidation reads, sorted by name (owner files and
    hidden files left out)."""
    return sorted(p for p in Path(forms_dir).iterdir()
                  if p.suffix.lower() in FORM_SUFFIXES and not p.name.startswith(("~$", ".")))


def other_format_files(forms_dir: Path) -> list[Path]:
    """Spreadsheets of ``forms_dir`` in a format the forms reader does not open (``OTHER_FORMATS``),
    sorted by name."""
    return sorted(p for p in Path(forms_dir).iterdir()
                  if p.suffix.lower() in OTHER_FORMATS and not p.name.startswith(("~$", ".")) and p.is_file())
