"""The ranking's edges found by mutation testing (issue 19): published rounding, the 参数 decimals,
the first statistics row, the order of unranked units and the table's shape. Expected values are
worked out in the comments."""

from __future__ import annotations

import pandas as pd

from xladdin.core.periods import Period
from xladdin.core.settings import Settings, Thresholds
from xladdin.figures.ranking import RANK_COLUMNS, published_growth, rank_units

S = Settings()
UNITS = S.ranked_units  # 经济开发区, then the 13 街道 in 参数 order


def stats(*rows: tuple[str, float | None, float | None], month: int = 6) -> pd.DataFrame:
    return pd.DataFrame([{"month": month, "subject": s, "ytd": y, "ytd_last_year": last} for s, y, last in rows])


def test_published_growth_is_one_decimal_of_a_percent_by_default() -> None:
    assert published_growth(0.08549) == 8.5  # 8.549% printed as 8.5
    assert published_growth(0.085) == 8.5
    assert published_growth(-0.1234) == -12.3
    assert published_growth(0.08549, 2) == 8.55
    assert published_growth(None) is None and published_growth(float("nan")) is None


def test_growth_decimals_from_settings_split_a_tie() -> None:
    # 南关 (108.54 − 100) ÷ 100 = 8.54%, 南曹 8.46%: both "8.5%" at one decimal, apart at two
    table = stats(("南关街道", 108.54, 100), ("南曹街道", 108.46, 100))
    ranks = rank_units(table, S, Period.of(6)).set_index("unit")["rank"]
    assert (ranks["南关街道"], ranks["南曹街道"]) == (1, 1)
    two = S.model_copy(update={"thresholds": Thresholds(growth_decimals=2)})
    ranks = rank_units(table, two, Period.of(6)).set_index("unit")["rank"]
    assert (ranks["南关街道"], ranks["南曹街道"]) == (1, 2)


def test_the_first_row_of_a_unit_is_its_figure() -> None:
    table = stats(("南关街道", 110, 100), ("南关街道", 150, 100), ("南曹街道", 120, 100))
    row = rank_units(table, S, Period.of(6)).set_index("unit").loc["南关街道"]
    assert (row["ytd"], row["ytd_last_year"], row["growth"], row["rank"]) == (110, 100, 0.1, 2)


def test_the_table_carries_last_year_and_an_integer_rank() -> None:
    frame = rank_units(stats(("南关街道", 110, 100), ("南曹街道", 120, 80)), S, Period.of(6))
    assert list(frame.columns) == list(RANK_COLUMNS)
    assert str(frame["rank"].dtype) == "Int64"
    first = frame.iloc[0]
    # 南曹 (120 − 80) ÷ 80 = 50% first, 南关 10% second
    assert (first["unit"], first["rank"], first["ytd"], first["ytd_last_year"]) == ("南曹街道", 1, 120, 80)
    assert frame["ytd_last_year"].tolist()[:2] == [80, 100]


def test_unranked_units_with_a_year_to_date_come_before_those_without() -> None:
    # 金岱 (last in 参数) has this year's figure but no last year: no growth, no rank, yet it is
    # listed before the unranked units without any figure
    frame = rank_units(stats(("南关街道", 110, 100), ("南曹街道", 120, 100), ("金岱街道", 0.5, None)), S, Period.of(6))
    unranked = frame[frame["rank"].isna()]["unit"].tolist()
    assert unranked[0] == "金岱街道"
    assert unranked[1:] == [u for u in UNITS if u not in ("南关街道", "南曹街道", "金岱街道")]


def test_no_ranked_units_is_an_empty_table_with_its_columns() -> None:
    none_ranked = S.model_copy(update={"units": tuple(u.model_copy(update={"ranked": False}) for u in S.units)})
    frame = rank_units(stats(("南关街道", 110, 100)), none_ranked, Period.of(6))
    assert list(frame.columns) == list(RANK_COLUMNS) and len(frame) == 0
