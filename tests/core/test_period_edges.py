"""Periods at their edges (issue 19, the survivors of mutation testing): months 0, 1, 12, 13 and
non-integers, with the exact messages staff read, and the previous period."""

from __future__ import annotations

import pytest

from xladdin.core.periods import Period
from xladdin.errors import UsageError


@pytest.mark.parametrize("month", [0, 13, True, 1.0, "3"])
def test_a_month_outside_1_to_12_or_not_an_integer_is_refused(month: object) -> None:
    with pytest.raises(UsageError) as caught:
        Period.of(month)  # type: ignore[arg-type]
    assert str(caught.value) == f"月份应为 1 到 12 之间的整数，现为 {month!r}。"


def test_months_1_and_12_are_periods() -> None:
    assert Period.of(1) == Period(2) and Period.of(12) == Period(12)


@pytest.mark.parametrize("month", [1, 13, True, "3"])
def test_a_period_ends_in_months_2_to_12(month: object) -> None:
    with pytest.raises(UsageError) as caught:
        Period(month)  # type: ignore[arg-type]
    assert str(caught.value) == f"统计期的截止月份应为 2 到 12，现为 {month!r}。"


def test_the_previous_period() -> None:
    assert Period(3).previous() == Period(2) and Period(12).previous() == Period(11)
    assert Period(2).previous() is None  # 1-2月 is the first period
