"""A sheet's values as the core sees them: a rectangular grid plus merged ranges.

Pure core (standard library only). Engines produce ``SheetData``; readers consume it.
Rows and columns are 1-based in every public coordinate; ``rows[0][0]`` is cell A1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

__all__ = ["Merge", "SheetData", "cell_ref", "column_letter", "parse_ref"]

# (min_row, min_col, max_row, max_col), 1-based inclusive
Merge = tuple[int, int, int, int]


@cache  # a sheet has at most 16,384 columns; a job asks for the same few 100,000s of times
def column_letter(col: int) -> str:
    """1-based column index -> Excel letters (1 -> A, 27 -> AA)."""
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, col: int) -> str:
    return f"{column_letter(col)}{row}"


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]+)$")


@lru_cache(maxsize=1 << 16)  # the same addresses are parsed for every table cell a job styles
def parse_ref(ref: str) -> tuple[int, int]:
    """"B12" -> (12, 2). Accepts ``$`` signs."""
    m = _REF.match(ref)
    if m is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    return int(m.group(2)), _column_index(m.group(1).upper())


@lru_cache(maxsize=4096)
def _column_index(letters: str) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return col


@dataclass
class SheetData:
    """Values of one sheet. ``rows`` may be ragged; ``value()`` pads with None."""

    name: str
    rows: list[list[Any]]
    merges: list[Merge] = field(default_factory=list)

    @property
    def max_row(self) -> int:
        return len(self.rows)

    @property
    def max_col(self) -> int:
        cached = self.__dict__.get("_max_col")
        if cached is None or cached[0] != len(self.rows):
            cached = (len(self.rows), max((len(r) for r in self.rows), default=0))
            self.__dict__["_max_col"] = cached
        return int(cached[1])

    def value(self, row: int, col: int) -> Any:
        if 1 <= row <= len(self.rows):
            r = self.rows[row - 1]
            if 1 <= col <= len(r):
                return r[col - 1]
        return None

    def filled_row(self, row: int) -> list[Any]:
        """Row ``row`` with horizontally merged cells carrying their top-left value."""
        values = list(self.rows[row - 1]) if 1 <= row <= len(self.rows) else []
        values += [None] * (self.max_col - len(values))
        for r1, c1, r2, c2 in self.merges:
            if r1 <= row <= r2 and c2 > c1:
                if c2 > len(values):  # a merge reaching past the last column holding a value
                    values += [None] * (c2 - len(values))
                top = self.value(r1, c1)
                for c in range(c1, c2 + 1):
                    values[c - 1] = top
        return values

    def merged_down(self, row: int, col: int) -> bool:
        """True when (row, col) is covered by a merge that starts on an earlier row."""
        return any(r1 < row <= r2 and c1 <= col <= c2 for r1, c1, r2, c2 in self.merges)
