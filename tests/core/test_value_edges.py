"""The cell-value helpers at their edges (issue 19: mutation testing of ``core/values.py``).

Each expectation is written out by hand; where a value is refused, the ``ValueError`` carries the
cell's own value (the reader quotes it in the staff's finding).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pandas as pd
import pytest

from xladdin.core.values import as_number, as_text, norm, parse_amount, parse_flag, parse_int


def refused(parse: Any, value: Any, *args: Any) -> tuple[Any, ...]:
    with pytest.raises(ValueError) as caught:
        parse(value, *args)
    return caught.value.args


def test_norm_makes_full_width_plain_and_drops_every_space() -> None:
    assert norm(None) == ""
    assert norm("ａｂ１２") == "ab12"  # full width → half width
    assert norm(" 年度 计划\n投资\t") == "年度计划投资"
    assert norm("plain") == "plain"


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), (float("nan"), None), (5.0, "5"), (5.5, "5.5"), (3, "3"), ("  南关街道 ", "南关街道"), ("   ", None),
])
def test_as_text(value: Any, expected: str | None) -> None:
    assert as_text(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), (True, 1.0), (False, 0.0), (12, 12.0), ("12.5", 12.5), ("十二", None), (float("nan"), None),
    (float("inf"), None), (float("-inf"), None), (pd.NA, None), ("", None),
])
def test_as_number(value: Any, expected: float | None) -> None:
    got = as_number(value)
    assert got == expected and (got is None) == (expected is None)


def test_parse_amount_reads_typed_text_and_refuses_what_is_not_exact() -> None:
    assert parse_amount(None) is None and parse_amount(float("nan")) is None and parse_amount("  ") is None
    assert parse_amount("80万元") == 80.0 and parse_amount("80万") == 80.0 and parse_amount("1,234.5") == 1234.5
    assert parse_amount("１２３") == 123.0 and parse_amount(7) == 7.0
    # the refused value travels with the error
    assert refused(parse_amount, True) == (True,)
    assert refused(parse_amount, float("inf")) == (float("inf"),)
    assert refused(parse_amount, "1e999") == ("1e999",)  # parses to infinity
    assert refused(parse_amount, "约5000") == ("约5000",)
    assert refused(parse_amount, "万80") == ("万80",)  # only a trailing 万 is a unit


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), (float("nan"), None), ("", None), (True, True), (False, False), (1, True), (0, False), (2.0, True),
    ("Y", True), ("YES", True), ("N", False), ("是", True), ("否", False),
    ("★", True), ("☆攻坚", True), ("三星", True), ("攻坚五星", True),  # star marks mean 是
    ("已纳统，统计库编码 4101030012", True), ("否（未开工）", False), ("是，已开工", True), ("未入库，待入统", False),
])
def test_parse_flag(value: Any, expected: bool | None) -> None:
    assert parse_flag(value) is expected


def test_parse_flag_refuses_text_that_does_not_begin_with_a_word() -> None:
    assert refused(parse_flag, "也许") == ("也许",)
    assert refused(parse_flag, "是的") == ("是的",)  # after a one-character word only punctuation may follow
    assert refused(parse_flag, "yes好") == ("yes好",)  # ASCII words count only as the whole text


def test_the_longest_leading_word_decides_and_the_first_set_wins_a_tie() -> None:
    """Staff may add words in 参数; a shorter word of the other set never overrides a longer one,
    and the same word in both sets reads as 是."""
    assert parse_flag("入库前，未开工", frozenset({"入库前"}), frozenset({"入库"})) is True
    assert parse_flag("入库后，已纳统", frozenset({"入库"}), frozenset({"入库后"})) is False
    assert parse_flag("入库，待核", frozenset({"入库"}), frozenset({"入库"})) is True
    # a one-character word not followed by punctuation is passed over, and a longer word still decides
    assert parse_flag("是非题", frozenset({"是", "是非"}), frozenset({"否"})) is True


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), (float("nan"), None), ("", None), (2022, 2022), (2022.0, 2022), ("2022年", 2022), ("第1期", 1),
    (date(2022, 3, 1), 2022), (datetime(2023, 1, 5, 8, 0), 2023),
    ("十", 10), ("第十期", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("三", 3), ("一〇", 10), ("两", 2),
])
def test_parse_int(value: Any, expected: int | None) -> None:
    assert parse_int(value) == expected


def test_parse_int_refuses_with_the_value() -> None:
    assert refused(parse_int, True) == (True,)
    assert refused(parse_int, "某年") == ("某年",)
    assert refused(parse_int, "第十十期") == ("第十十期",)  # was a KeyError (内部错误) before mutation testing
