"""The read project ledger as a value: a typed frame with where each value came from.

Pure core (standard library, pandas). ``Ledger`` is what ``core.ledger.read_ledger`` returns
(and ``core.ledger`` re-exports it): one DataFrame row per project with a column for every field
key, the Excel row of each (``_row``) and the column of each field, the findings of reading it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from xladdin.core.columns import ColumnInfo
from xladdin.core.fields import FIELD_BY_KEY, MONTH_FIELDS
from xladdin.core.findings import Finding, column_letter
from xladdin.core.sections import Heading
from xladdin.core.sheet import parse_ref
from xladdin.core.values import as_text, parse_amount, parse_flag, parse_int

__all__ = ["Ledger"]


@dataclass
class Ledger:
    """A read ledger. ``frame`` has every field key as a column (NA when absent) and ``_row``."""

    sheet: str
    frame: pd.DataFrame
    columns: dict[str, int]
    header_rows: tuple[int, ...] = ()
    findings: list[Finding] = field(default_factory=list)
    period_month: int | None = None
    cumulative: dict[int, int] = field(default_factory=dict)  # "1-N月累计" columns: N -> column
    ytd_period: int | None = None  # the period end month written in the 本年累计 column's header
    column_map: list[ColumnInfo] = field(default_factory=list)  # every column and what it was read as
    headings: list[Heading] = field(default_factory=list)  # section headings ("一、省重点项目（2个）")
    unit_from_title: tuple[str, str] | None = None  # (unit as written, cell) when the title names it

    def cell(self, i: int, key: str) -> str:
        """A1 address of field ``key`` in the frame's ``i``-th row (positional)."""
        return f"{column_letter(self.columns[key])}{self.excel_rows[i]}"

    @cached_property
    def excel_rows(self) -> list[int]:
        """The Excel row of each project, positionally (fetched once: ``cell`` is called per finding)."""
        return [int(r) for r in self.frame["_row"].tolist()]

    def with_writes(self, writes: dict[str, Any]) -> Ledger:
        """This ledger after ``writes`` ({"AB12": 35.0, ...}) to its sheet, without reading it again.

        Cells outside the project rows or the mapped columns are ignored here (they are not part
        of the frame); values are parsed as the reader would, and the derived 本年累计 recomputed.
        """
        by_col = {c: k for k, c in self.columns.items()}
        where = {r: i for i, r in enumerate(self.excel_rows)}
        updates: dict[str, dict[int, Any]] = {}
        for ref, value in writes.items():
            r, c = parse_ref(ref)
            key, i = by_col.get(c), where.get(r)
            if key is not None and i is not None:
                updates.setdefault(key, {})[i] = value
        frame = self.frame.copy()
        for key, values in updates.items():
            kind = FIELD_BY_KEY[key].kind if key in FIELD_BY_KEY else "amount"
            column = frame[key].tolist()
            for i, value in values.items():
                parsed: Any
                if kind == "amount":
                    parsed = None if isinstance(value, str) and value.startswith("=") else parse_amount(value)
                elif kind == "flag":
                    parsed = parse_flag(value)
                elif kind == "int":
                    parsed = parse_int(value)
                else:
                    parsed = as_text(value)
                column[i] = parsed
            if kind == "amount":
                frame[key] = pd.to_numeric(pd.Series(column, index=frame.index), errors="coerce").astype("float64")
            else:
                frame[key] = pd.Series(column, index=frame.index).astype(frame[key].dtype)
        months = frame[[m.key for m in MONTH_FIELDS]]
        frame["months_sum"] = months.sum(axis=1, min_count=1)
        frame["ytd"] = frame["ytd_given"].fillna(frame["months_sum"])
        return Ledger(sheet=self.sheet, frame=frame, columns=self.columns, header_rows=self.header_rows,
                      findings=list(self.findings), period_month=self.period_month, cumulative=dict(self.cumulative),
                      ytd_period=self.ytd_period, column_map=self.column_map, headings=self.headings,
                      unit_from_title=self.unit_from_title)

    def __len__(self) -> int:
        return len(self.frame)
