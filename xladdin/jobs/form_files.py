"""Which files of a forms folder a consolidation reads (standard library only at import: the CLI
lists them before it imports anything heavy, to fork the form workers), and which it does not."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

__all__ = ["FORM_SUFFIXES", "OTHER_FORMATS", "form_files", "other_format_files", "subfolder_workbooks"]

FORM_SUFFIXES = (".xlsx", ".xlsm")
# spreadsheets a unit may send instead, which the forms reader does not open: each is named to
# staff (never skipped in silence: its unit would otherwise read as 未报送 without a word why)
OTHER_FORMATS = {".xls": "Excel 97-2003 工作簿（.xls）", ".xlsb": "Excel 二进制工作簿（.xlsb）",
                 ".et": "WPS 表格文件（.et）", ".ods": "OpenDocument 表格（.ods）", ".csv": "CSV 文本文件（.csv）",
                 ".numbers": "Numbers 表格（.numbers）"}


def form_files(forms_dir: Path) -> list[Path]:
    """The workbooks of ``forms_dir`` a consolidation reads, sorted by name (owner files and
    hidden files left out)."""
    return sorted(p for p in Path(forms_dir).iterdir() if _listed(p, FORM_SUFFIXES))


def other_format_files(forms_dir: Path) -> list[Path]:
    """Spreadsheets of ``forms_dir`` in a format the forms reader does not open (``OTHER_FORMATS``),
    sorted by name."""
    return sorted(p for p in Path(forms_dir).iterdir() if _listed(p, OTHER_FORMATS) and p.is_file())


def subfolder_workbooks(forms_dir: Path) -> list[tuple[Path, int]]:
    """Each subfolder of ``forms_dir`` holding workbooks (any depth), with how many: forms saved
    per unit in folders of their own are not read (only the folder's own files are), and staff are
    told where they are."""
    from xladdin.engines.guards.writes import BACKUP_DIR  # our own backups: a master kept beside its forms

    any_format = (*FORM_SUFFIXES, *OTHER_FORMATS)
    out = []
    for sub in sorted(p for p in Path(forms_dir).iterdir()
                      if p.is_dir() and not p.name.startswith(".") and p.name != BACKUP_DIR):
        count = sum(1 for p in sub.rglob("*") if _listed(p, any_format) and p.is_file())
        if count:
            out.append((sub, count))
    return out


def _listed(path: Path, suffixes: Collection[str]) -> bool:
    """``path`` ends in one of ``suffixes`` and is no owner file (``~$``) or hidden file."""
    return path.suffix.lower() in suffixes and not path.name.startswith(("~$", "."))
