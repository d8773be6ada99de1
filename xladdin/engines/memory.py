"""The in-memory engine: the ``Engine`` seam over plain Python data, with no file and no Excel.

Standard library only. It implements every operation of the seam for real (values, merges, hidden
sheets, defined names, fills, notes, internal links, charts), so job tests run a whole validation or
consolidation against it and inspect exactly what the job wrote, and it is one more engine in the
contract suite. ``from_sheets`` builds one from ``SheetData`` grids; ``from_engine`` copies the
values, merges and defined names of any other engine (e.g. a read-only ``FileEngine``).

What it keeps of a written cell is what a spreadsheet would show: a ``Formula`` is kept as its text
(``"=SUM(A1:A3)"``, as the file engine reads a formula without a cached value), a ``Link`` as its
text with the target in ``links``, any other value as given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from xladdin import errors
from xladdin.core.sheet import Merge, SheetData, cell_ref, parse_ref
from xladdin.engines.base import ALL_WRITES, CellStyle, Engine, Formula, Link

__all__ = ["Chart", "MemoryEngine"]


@dataclass(frozen=True)
class Chart:
    """A bar chart as a job asked for it."""

    name: str
    anchor: str
    categories: str
    values: str
    title: str


@dataclass
class _Sheet:
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    merges: list[Merge] = field(default_factory=list)
    hidden: bool = False
    fills: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    charts: dict[str, Chart] = field(default_factory=dict)
    styles: dict[str, CellStyle] = field(default_factory=dict)


class MemoryEngine:
    """An ``Engine`` whose workbook lives in memory. ``saves`` counts ``save()`` calls."""

    def __init__(self, label: str = "内存工作簿") -> None:
        self.label = label
        self.capabilities = ALL_WRITES
        self._sheets: dict[str, _Sheet] = {}
        self._names: dict[str, tuple[str, str]] = {}
        self.statuses: list[str] = []
        self.saves = 0

    # ---- building ----------------------------------------------------------------------------
    @classmethod
    def from_sheets(cls, sheets: Iterable[SheetData], *, names: dict[str, tuple[str, str]] | None = None,
                    label: str = "内存工作簿") -> MemoryEngine:
        engine = cls(label)
        for data in sheets:
            sheet = engine._sheets.setdefault(data.name, _Sheet())
            for r, row in enumerate(data.rows, start=1):
                for c, value in enumerate(row, start=1):
                    if value is not None and value != "":
                        sheet.cells[(r, c)] = value
            sheet.merges = list(data.merges)
        engine._names = dict(names or {})
        return engine

    @classmethod
    def from_engine(cls, other: Engine, names: Iterable[str] = ()) -> MemoryEngine:
        """A copy of ``other``'s values and merges, and of the defined ``names`` asked for."""
        found = {n: where for n in names if (where := other.defined_name(n)) is not None}
        return cls.from_sheets((other.read(s) for s in other.sheet_names()), names=found, label=other.label)

    # ---- reading -----------------------------------------------------------------------------
    def _sheet(self, sheet: str) -> _Sheet:
        try:
            return self._sheets[sheet]
        except KeyError:
            raise errors.SheetNotFound(f"“{self.label}”中没有工作表“{sheet}”。") from None

    def sheet_names(self) -> list[str]:
        return list(self._sheets)

    def hidden_sheets(self) -> set[str]:
        return {name for name, s in self._sheets.items() if s.hidden}

    def read(self, sheet: str) -> SheetData:
        s = self._sheet(sheet)
        if not s.cells:
            return SheetData(sheet, [], list(s.merges))
        n_rows = max(r for r, _ in s.cells)
        n_cols = max(c for _, c in s.cells)
        rows: list[list[Any]] = [[None] * n_cols for _ in range(n_rows)]
        for (r, c), value in s.cells.items():
            rows[r - 1][c - 1] = value
        return SheetData(sheet, rows, list(s.merges))

    def prefetch(self, sheet: str) -> None:
        """Nothing to overlap: everything is in memory."""

    def defined_name(self, name: str) -> tuple[str, str] | None:
        return self._names.get(name)

    def fills(self, sheet: str, cells: list[str]) -> dict[str, str | None]:
        s = self._sheet(sheet)
        return {ref: s.fills.get(ref) for ref in cells}

    def notes(self, sheet: str, cells: list[str]) -> dict[str, str | None]:
        s = self._sheet(sheet)
        return {ref: s.notes.get(ref) for ref in cells}

    def links(self, sheet: str) -> dict[str, str]:
        """Internal hyperlinks written on ``sheet``: cell -> target."""
        return dict(self._sheet(sheet).links)

    def charts(self, sheet: str) -> list[Chart]:
        return list(self._sheet(sheet).charts.values())

    # ---- writing -----------------------------------------------------------------------------
    def ensure_sheet(self, sheet: str, *, hidden: bool = False) -> None:
        if sheet not in self._sheets:
            self._sheets[sheet] = _Sheet(hidden=hidden)

    def set_defined_name(self, name: str, sheet: str, ref: str) -> None:
        self._sheet(sheet)
        self._names[name] = (sheet, ref.replace("$", ""))

    def _put(self, s: _Sheet, row: int, col: int, value: Any) -> None:
        ref = cell_ref(row, col)
        s.links.pop(ref, None)
        if isinstance(value, Link):
            s.links[ref] = value.target
            value = value.text
        elif isinstance(value, Formula):
            value = value.text
        if value is None or value == "":
            s.cells.pop((row, col), None)
        else:
            s.cells[(row, col)] = value

    def write_block(self, sheet: str, anchor: str, rows: list[list[Any]], *, clear: tuple[int, int] = (0, 0)) -> None:
        s = self._sheet(sheet)
        row0, col0 = parse_ref(anchor)
        for r in range(row0, row0 + clear[0]):
            for c in range(col0, col0 + clear[1]):
                self._put(s, r, c, None)
        for i, values in enumerate(rows):
            for j, value in enumerate(values):
                self._put(s, row0 + i, col0 + j, value)

    def write_cells(self, sheet: str, values: dict[str, Any]) -> None:
        s = self._sheet(sheet)
        for ref, value in values.items():
            self._put(s, *parse_ref(ref), value)

    def set_fill(self, sheet: str, cells: list[str], color: str | None) -> None:
        s = self._sheet(sheet)
        for ref in cells:
            if color:
                s.fills[ref] = color.upper()
            else:
                s.fills.pop(ref, None)

    def set_note(self, sheet: str, cell: str, text: str | None) -> None:
        s = self._sheet(sheet)
        if text:
            s.notes[cell] = text
        else:
            s.notes.pop(cell, None)

    def set_styles(self, sheet: str, styles: dict[str, CellStyle]) -> None:
        """Kept as asked, the last style of a cell winning (``styles`` of the sheet)."""
        self._sheet(sheet).styles.update({ref.upper(): st for ref, st in styles.items()})

    def bar_chart(self, sheet: str, name: str, anchor: str, categories: str, values: str, title: str) -> None:
        self._sheet(sheet).charts[name] = Chart(name, anchor, categories, values, title)

    def status(self, text: str) -> None:
        self.statuses.append(text)

    def save(self) -> MemoryEngine:
        self.saves += 1
        return self
