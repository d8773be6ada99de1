import pytest

from xladdin.core.periods import first_period_month, period_label, period_month, period_months, schedule
from xladdin.errors import UsageError


def test_first_period_is_january_and_february() -> None:
    assert first_period_month == 2
    assert period_label(1) == "1-2月"
    assert period_label(2) == "1-2月"
    assert period_label(6) == "1-6月"
    assert period_label(12) == "1-12月"


def test_month_one_is_the_first_period() -> None:
    assert period_month(1) == 2
    assert schedule(1) == schedule(2) == pytest.approx(2 / 12)
    assert schedule(6) == pytest.approx(0.5)
    assert period_months(1) == [2]
    assert period_months(4) == [2, 3, 4]


@pytest.mark.parametrize("bad", [0, 13, -1, 2.0, True])
def test_bad_month_is_a_usage_error(bad: object) -> None:
    with pytest.raises(UsageError):
        period_label(bad)  # type: ignore[arg-type]
