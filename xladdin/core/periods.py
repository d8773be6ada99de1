"""Reporting periods: cumulative year-to-date periods, their labels and the time schedule (序时进度).

Pure core (standard library only).

Chinese statistics publish January and February together: the first period of the year is
"1-2月" and ends in February (``first_period_month = 2``); every later period is "1-M月".
There is no January-only period, so ``month=1`` is accepted as a synonym of the 1-2月
period: ``Period.of(1) == Period.of(2)``, labelled "1-2月", 序时进度 2/12. In the ledger a
1-2月 figure is written into the February column (m02); anything staff typed into m01 still
counts towards the year to date, and the 1-2月 report form shows it as 截至上月累计.

``Period`` is the one value every layer passes around: it is made and checked once where a
month enters the program (the command line, a formula, a ribbon button, the forms job, the
demo) with ``Period.of``; everything below takes a ``Period`` and never re-checks a month.
The int helpers (``period_month``, ``period_label``, ``schedule``, ``period_months``) remain
for callers that hold a plain month number (a history column, a form's stamped month).
"""

from __future__ import annotations

from dataclasses import dataclass

from xladdin.errors import UsageError

__all__ = ["Period", "first_period_month", "period_label", "period_month", "period_months", "schedule"]

first_period_month = 2


def _check(month: object) -> int:
    if isinstance(month, Period):
        return month.month
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise UsageError(f"月份应为 1 到 12 之间的整数，现为 {month!r}。")
    return month


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period "1-M月", identified by its closing month ``month`` (2..12).

    Build it with ``Period.of(m)`` (checks ``m``; 1 and 2 give the same 1-2月 period);
    ``Period(m)`` is for values already checked. Two periods are equal when they are the
    same period, whatever month the user typed.
    """

    month: int

    def __post_init__(self) -> None:
        if isinstance(self.month, bool) or not isinstance(self.month, int) \
                or not first_period_month <= self.month <= 12:
            raise UsageError(f"统计期的截止月份应为 2 到 12，现为 {self.month!r}。")

    @classmethod
    def of(cls, month: int | Period) -> Period:
        """The period ``month`` (1-12) belongs to; a ``Period`` is returned unchanged."""
        if isinstance(month, Period):
            return month
        return cls(max(_check(month), first_period_month))

    @property
    def label(self) -> str:
        """"1-2月" for the first period, "1-M月" otherwise."""
        return f"1-{self.month}月"

    @property
    def schedule(self) -> float:
        """序时进度: share of the year elapsed at the end of the period (closing month ÷ 12)."""
        return self.month / 12

    @property
    def months(self) -> tuple[int, ...]:
        """The calendar months the period covers (the ledger's month columns): 1..M."""
        return tuple(range(1, self.month + 1))

    @property
    def earlier_months(self) -> tuple[int, ...]:
        """Calendar months before the period's own month column (1-2月: (1,); 1-6月: 1..5).
        A report form shows their sum as 截至上月累计 and the period's own column as 当月完成."""
        return tuple(range(1, self.month))

    @property
    def closing_months(self) -> tuple[int, ...]:
        """Closing months of every period from the first up to this one: 1-3月 -> (2, 3)."""
        return tuple(range(first_period_month, self.month + 1))

    @property
    def is_first(self) -> bool:
        return self.month == first_period_month

    def previous(self) -> Period | None:
        """The period before (None for 1-2月)."""
        return None if self.is_first else Period(self.month - 1)

    def __str__(self) -> str:
        return self.label


def period_month(month: int | Period) -> int:
    """The closing month of the period ``month`` belongs to (1 -> 2; others unchanged)."""
    return Period.of(month).month


def period_label(month: int | Period) -> str:
    """"1-2月" for months 1 and 2, "1-M月" otherwise."""
    return Period.of(month).label


def schedule(month: int | Period) -> float:
    """序时进度: share of the year elapsed at the end of the period (period month ÷ 12)."""
    return Period.of(month).schedule


def period_months(month: int | Period) -> list[int]:
    """Closing months of every period from the first up to ``month``'s: 3 -> [2, 3]."""
    return list(Period.of(month).closing_months)
