"""The month's result as typed, frozen values: what ``figures.month.compute_month`` returns and every
output reads (the consolidation's sheets, ``summary``'s JSON, the CSV export, the Word bulletin and
the local page).

Pure (pandas; core findings and periods, the bulletin's blocks). Tables stay pandas frames with
the result keys of ``figures.presentation.LABELS`` as their columns (amounts 万元, rates fractions,
unknown None/NaN); the containers are frozen dataclasses, so a reader names a table by attribute
(``result.progress.units``, ``result.programmes.bonds``), never by a string looked up in a dict.
The frames are not to be changed in place: a variant is a new value (``MonthResult.blanked``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from xladdin.core.findings import Finding
from xladdin.core.periods import Period
from xladdin.figures.bulletin import Block

__all__ = ["History", "MonthResult", "Programmes", "ProgressTables", "Reporting"]

History = Mapping[str, Mapping[int, int | None]]  # unit -> period month -> rank (None: unranked)


@dataclass(frozen=True)
class ProgressTables:
    """The progress tables (``figures.progress``): by level, unit, category, unit and category.
    In a period nobody has reported, 累计完成, 完成率 and the gap are unknown and 进度情况 is 无数据."""

    levels: pd.DataFrame
    units: pd.DataFrame
    categories: pd.DataFrame
    unit_categories: pd.DataFrame

    def total(self) -> pd.Series:
        """The 合计 row of the level table, by result key."""
        row = self.levels.set_index("level").loc["合计"]
        assert isinstance(row, pd.Series), "one 合计 row"
        return row


@dataclass(frozen=True)
class Programmes:
    """The plan's programme measures (``figures.programmes``, issue 13). None: the ledger has no
    column to tell (政府投资), an empty frame: nothing to show."""

    sgyp: pd.DataFrame
    key_links: pd.DataFrame
    bonds: pd.DataFrame
    bond_progress: pd.DataFrame
    government_progress: pd.DataFrame | None
    reserve: Mapping[str, Any]
    attraction: pd.DataFrame
    not_entered: pd.DataFrame
    entry_report: pd.DataFrame
    reconstruction: pd.DataFrame
    new_starts: pd.DataFrame


@dataclass(frozen=True)
class Reporting:
    """Who reported the period, as the job knows it from the forms it merged: units counted in
    未报送 (``missing``) and units some of whose projects have no figure (``incomplete``).
    ``collected``: forms were collected this run (the bonds' 报送质量 then counts the missing)."""

    missing: tuple[str, ...] = ()
    incomplete: tuple[str, ...] = ()
    collected: bool = False


@dataclass(frozen=True)
class MonthResult:
    """Everything computed for one period, once (``figures.month.compute_month``).

    ``history``: 排名历史 with this period's ranks in it (earlier months as recorded, else ranked
    from 单位统计). ``findings``: what the month itself lacks (period-not-reported, stats-missing …;
    without forms also the units and projects without a figure for the period), never the
    findings of reading the inputs. ``bulletin``: the 通报 as blocks, laid out by the writers."""

    period: Period
    reported: bool
    progress: ProgressTables
    targets: pd.DataFrame
    unit_targets: pd.DataFrame
    ranking: pd.DataFrame
    history: History
    programmes: Programmes
    missing_units: tuple[str, ...]
    incomplete_units: tuple[str, ...]
    findings: tuple[Finding, ...]
    bulletin: tuple[Block, ...]

    def unranked(self) -> list[str]:
        """Ranked units without a growth figure for the period (无数据), in table order."""
        return [str(u) for u, r in zip(self.ranking["unit"], self.ranking["rank"], strict=True) if pd.isna(r)]

    def actions(self) -> Iterator[tuple[str, str]]:
        """(unit, 处理措施) of each unit the bottom-growth rule acts on, in table order."""
        for unit, action in zip(self.ranking["unit"], self.ranking["action"], strict=True):
            if action:
                yield str(unit), str(action)

    def blanked(self, keys: set[str]) -> MonthResult:
        """The same month with the figures ``keys`` of the level, unit and category tables unknown
        (a figure the ledger cannot give: ``jobs.summary``)."""
        if not keys:
            return self

        def blank(table: pd.DataFrame) -> pd.DataFrame:
            out = table.copy()
            for key in keys & set(out.columns):
                out[key] = None
            return out

        p = self.progress
        return replace(self, progress=replace(p, levels=blank(p.levels), units=blank(p.units),
                                              categories=blank(p.categories)))
