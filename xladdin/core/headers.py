"""Header recognition: find a table's header row(s) by meaning and map each column to a field.

Pure core (standard library). Handles merged title rows, "单位：万元" notes, one or two header
rows with merged group headers ("2022年1-6月完成投资" over "当月 | 累计"), full-width text,
line breaks inside headers, unit suffixes ((万元), (亿元)) and year/period prefixes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from xladdin.core.fields import Field
from xladdin.core.sheet import SheetData
from xladdin.core.values import norm

__all__ = ["AliasIndex", "HeaderMap", "alias_index", "blank_period", "find_header", "header_key", "match_header"]

_GROUP = re.compile(r"\(([^()]*)\)$")  # a trailing parenthesised group, brackets unified first
_BARE_UNIT = re.compile(r"(万元|亿元|%)$")
_UNITS = {"万元": 1.0, "亿元": 10_000.0, "元": 0.0001, "%": 1.0, "个": 1.0, "年": 1.0, "项": 1.0, "万": 1.0,
          "万元/年": 1.0, "人": 1.0, "亩": 1.0, "平方米": 1.0}
_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")"})
_PERIOD = re.compile(r"^(\d{1,2})[-~—–至到](\d{1,2})月(份)?")
_BLANK_PERIOD = re.compile(r"^1[-~—–至到]月(份)?")  # "1-  月累计" with the month left for staff to fill
_UNIT_NOTE = re.compile(r"^(计量)?单位[:：]")
_SINCE_YEAR_END = re.compile(r"^(截至|截止|至|到)\d{4}年(底|末)")
_START_TO_YEAR_END = re.compile(r"^(自?开工至)\d{4}年(底|末)")
_YEAR_END = re.compile(r"^\d{4}年(底|末)")
_YEAR = re.compile(r"^\d{4}年度?")
_THIS_YEAR = re.compile(r"^(本年度?|今年)(?=\d)")
_LEADING_ZERO_MONTH = re.compile(r"^0(\d)月")  # "01月完成投资" as a date picker writes it
# a month in Chinese numerals ("六月", "十一月", "一至六月", "2022年十二月"): at the start, after the year or
# a range sign, and followed by 月 or a range sign ("统一月报" is no month)
_CN_MONTH = re.compile(r"(?<![^\-~—–至到年])(十[一二]|[一二三四五六七八九十])(?=月|[\-~—–至到])")
_CN_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
              "十": "10", "十一": "11", "十二": "12"}
_SCAN_ROWS = 30


class AliasIndex(dict[str, str]):
    """norm(header) -> field key, plus ``staff``: the 参数 aliases matched against the header as
    written (width and spaces normalised, brackets unified), before any unit or period handling."""

    staff: dict[str, str]

    def __init__(self) -> None:
        super().__init__()
        self.staff = {}


@dataclass
class HeaderMap:
    """Where a table's header is and which column holds which field."""

    header_rows: tuple[int, ...]
    columns: dict[str, int]  # field key -> 1-based column
    scales: dict[str, float] = field(default_factory=dict)  # field key -> multiplier to 万元
    cumulative: dict[int, int] = field(default_factory=dict)  # period end month -> column of "1-N月累计"
    period_month: int | None = None  # latest "1-N月" seen in the headers
    labels: dict[int, str] = field(default_factory=dict)  # column -> header text, normalised
    written: dict[int, str] = field(default_factory=dict)  # column -> header text as written ("组 / 子")
    keys: dict[int, str] = field(default_factory=dict)  # column -> field key, every recognised column
    periods: dict[int, int] = field(default_factory=dict)  # column -> period end month in its header
    blank_period: set[int] = field(default_factory=set)  # columns headed "1-  月…" (month left blank)

    @property
    def data_start(self) -> int:
        return self.header_rows[-1] + 1


def header_key(text: object) -> str:
    """A header as the staff aliases are matched: width and spaces normalised, brackets unified."""
    return norm(text).translate(_BRACKETS)


def alias_index(fields: Iterable[Field], extra: Mapping[str, tuple[str, ...]] | None = None) -> AliasIndex:
    """norm(label or alias) -> field key; labels win over aliases, staff aliases over built-in ones.

    Staff aliases (``extra``, from 参数 【列名别名】) are also kept as written in ``staff``: a header
    such as "本年度累计完成投资额度（不含上年）" matches its alias before anything is stripped from it.
    """
    index = AliasIndex()
    fields = list(fields)
    for f in fields:
        index[norm(f.label)] = f.key
    for key, aliases in (extra or {}).items():
        for a in aliases:
            index.setdefault(norm(a), key)
            index.staff.setdefault(header_key(a), key)
    for f in fields:
        for a in f.aliases:
            index.setdefault(norm(a), f.key)
    return index


def match_header(text: object, index: Mapping[str, str]) -> tuple[str | None, float, int | None]:
    """(field key or None, scale to 万元, period end month) for one header text."""
    exact_text, base, scale, period, fixed = _parsed(text if isinstance(text, str) else str(text or ""))
    if not exact_text:
        return None, 1.0, None
    staff: dict[str, str] = getattr(index, "staff", {})
    exact = staff.get(exact_text)
    if fixed is not None:
        return exact or fixed, scale, period
    if exact is not None:
        return exact, scale, period
    for candidate in (base, base.removesuffix("投资"), base.removesuffix("完成"), base.removesuffix("额"),
                      base.removesuffix("额度"), base.removesuffix("金额"), base.removesuffix("投资额")):
        if candidate in index:
            key = index[candidate]
            # "1-6月累计完成投资": with a period, a cumulative figure is this year's, not the years before
            return ("ytd" if period is not None and key == "completed_before" else key), scale, period
    return None, scale, period


@lru_cache(maxsize=16384)
def _parsed(text: str) -> tuple[str, str, float, int | None, str | None]:
    """(header as staff aliases match it, text left to look up, scale, period month, field fixed by the period).

    Independent of the alias index, so cached: find_header scans the same 30 rows on every call
    of a table formula."""
    t = header_key(text)
    if not t:
        return "", "", 1.0, None, None
    exact_text = t
    scale = 1.0
    t = _UNIT_NOTE.sub("", t)
    if "月" in t:
        t = _CN_MONTH.sub(lambda m: _CN_DIGITS[m.group(1)], t)
    # trailing groups: a unit ("(万元)", "(亿元)") gives the scale; other text is a qualifier
    # ("(不含2021年)", "(含上年结转)") that does not change which figure the column holds
    while (g := _GROUP.search(t)) is not None and g.start() > 0:
        inner = g.group(1)
        unit = _UNITS.get(inner)
        if unit is None and ("亿元" in inner or "万元" in inner):
            unit = 10_000.0 if "亿元" in inner else 1.0
        if unit is not None and scale == 1.0:
            scale = unit
        t = t[: g.start()]
    m = _BARE_UNIT.search(t)
    if m and m.start() > 0:
        if m.group(1) == "亿元":
            scale = 10_000.0
        t = t[: m.start()]
    if "年" in t:
        t = _SINCE_YEAR_END.sub("截至上年底", t)
        t = _START_TO_YEAR_END.sub("开工至上年底", t)
        t = _YEAR_END.sub("上年底", t)
        t = _YEAR.sub("", t)
        t = _THIS_YEAR.sub("", t)
    if t[:1] == "0":
        t = _LEADING_ZERO_MONTH.sub(r"\1月", t)
    period = None
    pm = _PERIOD.match(t)
    if pm:
        period = int(pm.group(2))
        rest = t[pm.end():]
        if not rest:
            # a bare "1-2月" column is the combined first period's monthly figure
            if int(pm.group(1)) == 1 and period == 2:
                return exact_text, "", scale, None, "m02"
            return exact_text, "", scale, period, "ytd"
        t = rest
    elif (bp := _BLANK_PERIOD.match(t)) is not None and t[bp.end():]:
        t = t[bp.end():]
    return exact_text, t, scale, period, None


def blank_period(text: object) -> bool:
    """True for a header such as "1-  月累计完成投资": a period whose month was left blank."""
    t = header_key(text)
    t = _YEAR.sub("", t)
    return _BLANK_PERIOD.match(t) is not None


def _row_matches(sheet: SheetData, row: int, index: Mapping[str, str], memo: dict[object, str | None]) -> set[str]:
    keys: set[str] = set()
    for v in sheet.filled_row(row):
        if v is None or isinstance(v, int | float):
            continue  # data, not a header
        if v not in memo:
            memo[v] = match_header(v, index)[0]
        if (k := memo[v]) is not None:
            keys.add(k)
    return keys


def find_header(
    sheet: SheetData, index: Mapping[str, str], *, must_have: tuple[str, ...] = ("name", "code")
) -> HeaderMap | None:
    """Best header in the first rows: most distinct fields recognised, at least three, one of ``must_have``."""
    best: tuple[int, int] | None = None
    memo: dict[object, str | None] = {}
    for r in range(1, min(sheet.max_row, _SCAN_ROWS) + 1):
        keys = _row_matches(sheet, r, index, memo)
        if len(keys) >= 3 and any(k in keys for k in must_have) and (best is None or len(keys) > best[1]):
            best = (r, len(keys))
    if best is None:
        return None
    top_row = best[0]
    top = sheet.filled_row(top_row)
    sub = sheet.filled_row(top_row + 1) if top_row < sheet.max_row else []
    two_rows = _is_subheader(sheet, top_row, sub, index)
    hm = HeaderMap(header_rows=(top_row, top_row + 1) if two_rows else (top_row,), columns={})
    for c in range(1, len(top) + 1):
        group = top[c - 1]
        below = sub[c - 1] if two_rows and c - 1 < len(sub) and not sheet.merged_down(top_row + 1, c) else None
        label = "/".join(norm(x) for x in (group, below) if norm(x))
        if label:
            hm.labels[c] = label
            hm.written[c] = " / ".join(" ".join(str(x).split()) for x in (group, below) if norm(x))
        key, scale, period = _match_pair(group, below, index)
        if key is None:
            continue
        hm.keys[c] = key
        if period is not None:
            hm.periods[c] = period
        elif blank_period(below if norm(below) else group):
            hm.blank_period.add(c)
        if period is not None:
            hm.period_month = max(hm.period_month or 0, period)
        if key == "ytd" and period is not None:
            hm.cumulative[period] = c
        if key not in hm.columns:
            hm.columns[key] = c
            hm.scales[key] = scale
        elif key == "ytd" and period is not None and period >= max(hm.cumulative):
            hm.columns[key] = c  # the latest period's cumulative is this year's YTD
            hm.scales[key] = scale
    return hm


def _match_pair(group: object, below: object, index: Mapping[str, str]) -> tuple[str | None, float, int | None]:
    gkey, gscale, gperiod = match_header(group, index)
    if norm(below):
        bkey, bscale, bperiod = match_header(below, index)
        if bkey is not None:
            return bkey, bscale if bscale != 1.0 else gscale, bperiod or gperiod
        combined = match_header(norm(group) + norm(below), index)
        if combined[0] is not None:
            return combined
        return None, 1.0, None
    return gkey, gscale, gperiod


def _is_subheader(sheet: SheetData, top_row: int, sub: list[object], index: Mapping[str, str]) -> bool:
    """The row under the header is a second header row when it labels columns under merged groups."""
    if not sub or not any(norm(v) for v in sub):
        return False
    spans = [m for m in sheet.merges if m[0] == top_row and m[3] > m[1]]
    if spans:
        return any(norm(sheet.value(top_row + 1, c)) for _r1, c1, _r2, c2 in spans for c in range(c1, c2 + 1))
    # no merge information: every non-empty cell is text and some of it is a header word
    texts = [v for v in sub if norm(v)]
    numeric = any(isinstance(v, int | float) and not isinstance(v, bool) for v in texts)
    return not numeric and any(match_header(v, index)[0] for v in texts) and len(texts) < len(
        [v for v in sheet.filled_row(top_row) if norm(v)]
    )
