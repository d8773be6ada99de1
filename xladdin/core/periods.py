"""Reporting periods: cumulative year-to-date periods, their labels and the time schedule (序时进度).

Pure core (standard library only).

Chinese statistics publish January and February together: the first period of the year is
"1-2月" and ends in February (``first_period_month = 2``); every later period is "1-M月".
There is no January-only period, so ``month=1`` is accepted as a synonym of the 1-2月
period: ``period_month(1) == 2``, ``period_label(1) == "1-2月"`` and
``schedule(1) == schedule(2) == 2/12``. In the ledger a 1-2月 figure is written into the
February column (m02); anything staff typed into m01 still counts towards the year to date.
"""

from __future__ import annotations

from xladdin.errors import UsageError

__all__ = ["first_period_month", "period_label", "period_month", "period_months", "schedule"]

first_period_month = 2


def _check(month: int) -> int:
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise UsageError(f"月份应为 1 到 12 之间的整数，现为 {month!r}。")
    return month


def period_month(month: int) -> int:
    """The closing month of the period ``month`` belongs to (1 -> 2; others unchanged)."""
    return max(_check(month), first_period_month)


def period_label(month: int) -> str:
    """"1-2月" for months 1 and 2, "1-M月" otherwise."""
    return f"1-{period_month(month)}月"


def schedule(month: int) -> float:
    """序时进度: share of the year elapsed at the end of the period (period month ÷ 12)."""
    return period_month(month) / 12


def period_months(month: int) -> list[int]:
    """Closing months of every period from the first up to ``month``'s: 3 -> [2, 3]."""
    return list(range(first_period_month, period_month(month) + 1))
