"""The engine seam: the few task-shaped operations jobs need from a workbook.

Pure (standard library only); imports neither openpyxl nor xlwings. Two real engines
implement it: ``engines.files.FileEngine`` (openpyxl, .xlsx/.xlsm on disk) and
``engines.excel.ExcelEngine`` (an xlwings Book: desktop Excel or xlwings' remote engine).

Conventions shared by every engine:
- cell addresses are A1 strings (``"F12"``); rows/columns elsewhere are 1-based;
- a plain ``str`` is always written as text, never as a formula or hyperlink (injection-safe);
  a formula is written only when wrapped in ``Formula``, an internal link only as ``Link``;
- ``None`` clears a cell's value;
- colours are 6-hex-digit RGB strings (``"FFC7CE"``) or None for "no fill".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from xladdin.core.sheet import SheetData

__all__ = ["ALL_WRITES", "CellStyle", "Engine", "Formula", "Link"]

# What a job may need an engine to write (``Engine.capabilities``, ``jobs.session.run_in_place``):
# cell values, internal links, defined names, new (hidden) sheets, the ranking chart, fills, notes,
# cell styles (number formats, fonts, rules: ``set_styles``).
ALL_WRITES: frozenset[str] = frozenset({"cells", "links", "names", "sheets", "charts", "fills", "notes", "styles"})


@dataclass(frozen=True)
class Formula:
    """A formula we write on purpose (``"=SUM(A1:A3)"``)."""

    text: str


@dataclass(frozen=True)
class Link:
    """A cell showing ``text`` that links to a place in the same workbook (``"'项目台账'!F12"``)."""

    text: str
    target: str


@dataclass(frozen=True)
class CellStyle:
    """How a cell looks. ``None`` keeps what the cell has (its template style); anything given
    replaces it. ``border``/``thick`` name the sides with a thin/medium rule ("tblr"; "" for
    none); they replace the cell's border only when one of them is given."""

    number_format: str | None = None
    font: str | None = None
    size: float | None = None
    bold: bool | None = None
    color: str | None = None  # font colour, 6 hex digits
    align: str | None = None  # left, center, right, centerContinuous
    wrap: bool | None = None  # wrap text in the cell
    border: str | None = None
    thick: str | None = None
    border_color: str | None = None


@runtime_checkable
class Engine(Protocol):
    """What a job may ask of a workbook. Engines translate their exceptions to ``XladdinError``."""

    label: str  # shown in messages: file name or book name
    capabilities: frozenset[str]  # which of ``ALL_WRITES`` this engine does on this workbook

    def sheet_names(self) -> list[str]: ...

    def read(self, sheet: str) -> SheetData:
        """All values of ``sheet`` (formulas as their cached value where known, else the formula text)."""
        ...

    def prefetch(self, sheet: str) -> None:
        """A hint that ``sheet`` will be read soon: an engine may start reading it in the background
        (or do nothing). Never raises; a missing sheet or unreadable part is reported by ``read``."""
        ...

    def ensure_sheet(self, sheet: str, *, hidden: bool = False) -> None:
        """Create ``sheet`` at the end if absent; never clears an existing one."""
        ...

    def defined_name(self, name: str) -> tuple[str, str] | None:
        """(sheet, "A5" or "A5:H40") a workbook-level defined name points to, or None."""
        ...

    def set_defined_name(self, name: str, sheet: str, ref: str) -> None: ...

    def write_block(self, sheet: str, anchor: str, rows: list[list[Any]], *, clear: tuple[int, int] = (0, 0)) -> None:
        """Write ``rows`` with its top-left at ``anchor``. ``clear=(n_rows, n_cols)`` first empties
        that many rows x columns from the anchor (the previous output), values only — formatting stays."""
        ...

    def write_cells(self, sheet: str, values: dict[str, Any]) -> None:
        """Sparse writes: {"F12": 35.0, ...}."""
        ...

    def fills(self, sheet: str, cells: list[str]) -> dict[str, str | None]:
        """Current solid fill colour of each cell (None = no fill)."""
        ...

    def set_fill(self, sheet: str, cells: list[str], color: str | None) -> None: ...

    def notes(self, sheet: str, cells: list[str]) -> dict[str, str | None]:
        """Current note/comment text of each cell (None = no note)."""
        ...

    def set_note(self, sheet: str, cell: str, text: str | None) -> None:
        """Put (or with None remove) the cell's note/comment."""
        ...

    def set_styles(self, sheet: str, styles: dict[str, CellStyle]) -> None:
        """Number formats, fonts, alignment and rules of cells ({"F12": CellStyle(...)}); values stay."""
        ...

    def bar_chart(self, sheet: str, name: str, anchor: str, categories: str, values: str, title: str) -> None:
        """(Re)create our bar chart ``name`` on ``sheet`` at ``anchor`` from two A1 ranges on that sheet."""
        ...

    def status(self, text: str) -> None:
        """Progress for long runs (status bar in Excel, stderr on the CLI)."""
        ...

    def save(self) -> object:
        """Persist changes (atomically, for files). Live Excel books are left for the user to save."""
        ...
