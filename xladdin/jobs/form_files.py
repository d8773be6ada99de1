"""Which files of a forms folder a consolidation reads (standard library only: the CLI lists them
before it imports anything heavy, to fork the form workers)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["FORM_SUFFIXES", "form_files"]

FORM_SUFFIXES = (".xlsx", ".xlsm")


def form_files(forms_dir: Path) -> list[Path]:
    """The workbooks of ``forms_dir`` a consolidation reads, sorted by name (owner files and
    hidden files left out)."""
    return sorted(p for p in Path(forms_dir).iterdir()
                  if p.suffix.lower() in FORM_SUFFIXES and not p.name.startswith(("~$", ".")))
