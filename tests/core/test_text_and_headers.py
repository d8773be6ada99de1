"""Normalising typed-in values and recognising headers by meaning."""

from __future__ import annotations

import pytest

from xladdin.core.fields import FIELDS
from xladdin.core.headers import alias_index, match_header
from xladdin.core.values import norm, parse_amount, parse_flag, parse_int

INDEX = alias_index(FIELDS)


@pytest.mark.parametrize(("raw", "value"), [
    ("1,234.5", 1234.5), ("１２３", 123.0), (" 80 ", 80.0), ("80万元", 80.0), (12, 12.0), (None, None), ("", None),
    ("1，234", 1234.0), ("-5", -5.0),
])
def test_amounts_typed_as_text_parse(raw: object, value: float | None) -> None:
    assert parse_amount(raw) == value


@pytest.mark.parametrize("raw", ["约5000", "5000左右", "三千", "12%", "#DIV/0!", True])
def test_approximate_or_wordy_amounts_are_refused(raw: object) -> None:
    with pytest.raises(ValueError):
        parse_amount(raw)


@pytest.mark.parametrize(("raw", "flag"), [("是", True), ("√", True), ("已入库", True), ("★★", True), ("否", False),
                                           ("未入库", False), ("", None), (1, True)])
def test_flags(raw: object, flag: bool | None) -> None:
    assert parse_flag(raw) is flag


@pytest.mark.parametrize(("raw", "value"), [("第三期", 3), ("第1期", 1), ("2022年", 2022), (2.0, 2), ("十二", 12)])
def test_whole_numbers(raw: object, value: int) -> None:
    assert parse_int(raw) == value


@pytest.mark.parametrize(("header", "key", "scale"), [
    ("总投资\n（亿元）", "total_investment", 10_000.0),
    ("总 投 资(万元)", "total_investment", 1.0),
    ("2022年计划投资", "annual_plan", 1.0),
    ("截至2021年底累计完成", "completed_before", 1.0),
    ("项目\n编码", "code", 1.0),
    ("1-6月累计完成", "ytd", 1.0),
    ("3月", "m03", 1.0),
    ("1-2月", "m02", 1.0),
    ("责任单位", "unit", 1.0),
    ("形象进度", "progress_text", 1.0),
])
def test_headers_map_by_meaning(header: str, key: str, scale: float) -> None:
    got, got_scale, _ = match_header(header, INDEX)
    assert (got, got_scale) == (key, scale)


def test_unknown_header_maps_to_nothing() -> None:
    assert match_header("备注二", INDEX)[0] is None


@pytest.mark.parametrize(("header", "key", "period"), [
    ("六月", "m06", None), ("十月", "m10", None), ("十一月完成投资（万元）", "m11", None), ("2022年十二月", "m12", None),
    ("六月份", "m06", None), ("一至六月累计完成投资", "ytd", 6), ("1-六月累计完成", "ytd", 6), ("一-二月", "m02", None),
])
def test_months_in_chinese_numerals_are_months(header: str, key: str, period: int | None) -> None:
    """Many ledgers head their month columns 一月 … 十二月: before, each was an unplaced column of
    figures, and a consolidation stopped with “项目台账中没有“6月”列”."""
    assert match_header(header, INDEX)[0::2] == (key, period)


@pytest.mark.parametrize("header", ["统一月报", "一月一报", "备注一"])
def test_a_numeral_that_is_no_month_is_left_alone(header: str) -> None:
    assert match_header(header, INDEX)[0] is None


def test_norm_is_nfkc_without_any_whitespace() -> None:
    """norm returns a printable text without a space as it is: that is only right because every
    whitespace character except the space is unprintable, on every Unicode code point."""
    import re
    import unicodedata

    chars = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    spaces = [ch for ch in chars if ch.isspace()]
    assert len(spaces) > 20 and all(not ch.isprintable() for ch in spaces if ch != " ")
    for ch in [*spaces, "\u3000", "\xa0", "\ufeff", "\u200b", "Ａ", "①", "项", "a"]:
        for text in (ch, f"项目{ch}编码", f"A{ch}1", f"{ch}{ch}"):
            assert norm(text) == re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)), hex(ord(ch))
