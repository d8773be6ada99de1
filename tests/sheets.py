"""Reading a written workbook back in tests: a sheet as plain text, through the file engine."""

from __future__ import annotations

from pathlib import Path

from xladdin.core.values import as_text
from xladdin.engines.files import FileEngine


def sheet_text(path: Path, sheet: str) -> str:
    """Every row of ``sheet`` as ``a|b|c`` lines (empty cells as empty strings)."""
    engine = FileEngine(path)
    try:
        return "\n".join("|".join(as_text(v) or "" for v in row) for row in engine.read(sheet).rows)
    finally:
        engine.close()
