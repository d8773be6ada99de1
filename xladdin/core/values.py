"""Text normalisation for headers and typed-in values: width, spaces, numbers, flags, years.

Pure core (standard library only). Staff type full-width digits, thousands separators,
stray spaces and line breaks; these helpers turn such text into plain values or say no.
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any

__all__ = [
    "ERROR_LITERALS",
    "FLAG_FALSE",
    "FLAG_TRUE",
    "as_number",
    "as_text",
    "is_error_literal",
    "norm",
    "parse_amount",
    "parse_flag",
    "parse_int",
    "split_list",
]

ERROR_LITERALS = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA", "#SPILL!", "#CALC!"}
)
_WS = re.compile(r"\s+")
_NUM = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
FLAG_TRUE: tuple[str, ...] = ("是", "√", "✓", "✔", "y", "yes", "true", "1", "已入库", "入库", "已纳统", "纳统", "已入统",
                              "有", "☑")
FLAG_FALSE: tuple[str, ...] = ("否", "×", "✗", "n", "no", "false", "0", "未入库", "不是", "无", "未纳统", "未入统",
                               "不入库", "☐", "-", "—", "/")
_TRUE = frozenset(FLAG_TRUE)
_FALSE = frozenset(FLAG_FALSE)
# after a one-character word (是, 否, √) only punctuation may follow for the text to mean it: "是，已开工"
_AFTER_SHORT = frozenset("，,、;；:：(（[【 。.-—")


def norm(text: Any) -> str:
    """NFKC (full-width -> half-width), remove every whitespace incl. line breaks."""
    if text is None:
        return ""
    text = str(text)
    if not text.isascii():  # NFKC leaves ASCII as it is
        text = unicodedata.normalize("NFKC", text)
    # every whitespace character but " " is unprintable: most texts need no substitution at all
    return text if text.isprintable() and " " not in text else _WS.sub("", text)


def as_text(value: Any) -> str | None:
    """A cell value as trimmed text (None for empty); whole floats print without ``.0``."""
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return text or None


def as_number(value: Any) -> float | None:
    """A finite float from an already-typed value (numbers, numeric text), else None (NA, NaN, text)."""
    if type(value) is float:  # what readers give: no conversion to try
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool):
        return None if value is None else float(value)
    try:  # pandas' NA raises TypeError here
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def is_error_literal(value: Any) -> bool:
    return isinstance(value, str) and value.strip().upper() in ERROR_LITERALS


def parse_amount(value: Any) -> float | None:
    """A number from a cell: numbers pass, text like "1,234.5", "１２３", " 80 ", "80万元" parses.

    Returns None for an empty cell; raises ValueError for text that is not a plain number
    (including approximations like "约5000" — a ledger figure must be exact).
    """
    if type(value) is float and math.isfinite(value):  # a typed figure, the common case
        return value
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        f = float(value)
        if math.isnan(f):
            return None
        if math.isinf(f):
            raise ValueError(value)
        return f
    text = norm(value).replace(",", "")
    if not text:
        return None
    text = text.removesuffix("万元").removesuffix("万")
    if _NUM.match(text):
        f = float(text)
        if math.isinf(f):
            raise ValueError(value)
        return f
    raise ValueError(value)


def parse_flag(value: Any, true_words: frozenset[str] = _TRUE, false_words: frozenset[str] = _FALSE) -> bool | None:
    """是/否 and their many spellings (√, ×, Y/N, 1/0, 已入库/未入库, ★ marks) -> bool; empty -> None.

    Text is read by meaning: it may begin with one of the words and go on ("已纳统，<统计库编码>",
    "否（未开工）"); the longest word that begins the text decides. Text that begins with no word
    raises ValueError (the reader reports it as a bad flag).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None
        return value != 0
    text = norm(value).lower()
    if not text:
        return None
    if text in true_words or "★" in text or "☆" in text or text.endswith("星"):
        return True
    if text in false_words:
        return False
    meaning = _leading_word(text, true_words, false_words)
    if meaning is None:
        raise ValueError(value)
    return meaning


def _leading_word(text: str, true_words: frozenset[str], false_words: frozenset[str]) -> bool | None:
    """The meaning of the longest flag word that begins ``text`` (ASCII words only as whole text;
    after a one-character word only punctuation); on a tie of lengths ``true_words`` wins."""
    found = [(len(w), meaning) for words, meaning in ((true_words, True), (false_words, False)) for w in words
             if w and not w.isascii() and len(w) < len(text) and text.startswith(w)
             and (len(w) > 1 or text[1] in _AFTER_SHORT)]
    if not found:
        return None
    longest = max(n for n, _ in found)
    return next(meaning for n, meaning in found if n == longest)


def parse_int(value: Any) -> int | None:
    """Whole numbers from cells: 2022, "2022年", "第1期", "第三期", "2022.3" (year part)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value)
    if hasattr(value, "year"):
        return int(value.year)
    text = norm(value)
    if not text:
        return None
    m = re.match(r"^第?(\d+)", text)
    if m:
        return int(m.group(1))
    m = re.match(r"^第?([零〇一二两三四五六七八九十]+)", text)
    if m:
        try:
            return _cn_number(m.group(1))
        except KeyError:  # "十十", "二十十": not a number
            raise ValueError(value) from None
    raise ValueError(value)


def _cn_number(text: str) -> int:
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    return int("".join(str(_CN_DIGITS[c]) for c in text))


def split_list(value: Any) -> tuple[str, ...]:
    """Split an alias list typed as "a、b，c;d" into its non-empty parts."""
    text = as_text(value)
    if not text:
        return ()
    parts = re.split(r"[、,，;；/|\n]+", unicodedata.normalize("NFKC", text))
    return tuple(p.strip() for p in parts if p.strip())
