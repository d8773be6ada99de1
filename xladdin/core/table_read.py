"""Lean ledger read for the progress tables: only the columns ``progress.by_unit/by_category/by_level`` use.

Pure core (standard library, numpy, pandas; headers, ledger, text, units). ``read_ledger`` types
every field of every row (~45 columns), which on a 30,000-row range costs half a second; the
spilling table formulas need a dozen columns. ``table_frame`` finds the header the same way,
keeps the same project rows (``sections.scan_rows``, as ``read_ledger``: blank, 合计/小计/总计 and
section heading rows skipped; a blank 项目级别 takes its heading's level), parses amounts with the same rules (numpy fast path, ``parse_amount`` only for the
cells that need it, uncached formulas empty, (亿元) scaled) and canonicalises unit / category /
level once per distinct text. It gives the same tables as ``read_ledger(...).frame`` (not the
same frame: only the table columns, and 本年累计 only where the tables can fall back to it); it
yields no findings (the formulas show none). A header that cannot be read, or a required column
that is missing, goes through ``read_ledger`` so the staff see its exact message. Both readers
classify rows with ``sections.scan_rows``, so they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import chain, repeat
from operator import getitem, itemgetter
from typing import Any

import numpy as np
import pandas as pd

from xladdin.core.fields import MONTH_FIELDS, READER_FIELDS, month_field
from xladdin.core.headers import HeaderMap, alias_index, find_header
from xladdin.core.ledger import REQUIRED_COLUMNS, _heading_levels, read_ledger
from xladdin.core.periods import Period
from xladdin.core.sections import RowScan, scan_rows
from xladdin.core.settings import Settings
from xladdin.core.sheet import SheetData
from xladdin.core.values import as_text, is_error_literal, parse_amount
from xladdin.core.vocabulary import Vocabulary, vocabulary

__all__ = ["CATEGORY_FIELDS", "LEVEL_FIELDS", "TABLE_FIELDS", "UNIT_FIELDS", "table_frame"]

# what the progress tables read (plus the required columns read_ledger insists on)
_AMOUNTS = ("total_investment", "annual_plan", "ytd", *(m.key for m in MONTH_FIELDS))
TABLE_FIELDS = frozenset({"unit", "category", "level", "star", "is_982", *_AMOUNTS})
# what each table groups by, with the amounts every table sums
UNIT_FIELDS = frozenset({"unit", *_AMOUNTS})
CATEGORY_FIELDS = frozenset({"category", *_AMOUNTS})
LEVEL_FIELDS = frozenset({"level", "star", "is_982", *_AMOUNTS})
_PLAIN = frozenset({float, int, type(None)})
_HEADER_ROWS = 31  # find_header scans 30 rows and may look at the one below
_CHUNK = 256  # rows per chunk of the row-wise read (fits the CPU cache)
_HEADERS: dict[Any, HeaderMap | None] = {}  # see _header
_HEADERS_KEPT = 16
_ASCII_SPACE = tuple(c for c in map(chr, range(128)) if c.isspace())  # what str.strip removes, in ASCII text


def table_frame(sheet: SheetData, settings: Settings, fields: frozenset[str] = TABLE_FIELDS,
                period: Period | None = None) -> pd.DataFrame:
    """Projects of ``sheet`` with the columns the progress tables use (same figures as ``read_ledger``).

    ``fields`` narrows the text columns read to what one table groups by (``UNIT_FIELDS``,
    ``CATEGORY_FIELDS``, ``LEVEL_FIELDS``); the amounts are always read. Each text column left out
    saves about 5 ms on a 30,000-row range.

    ``period``: the only period the frame will be asked for. The month columns after it are then
    read only for the projects with no figure in any month of the period: the tables reach those
    months only through such a project's 本年累计 fallback (an empty 本年累计 is the sum of every
    month column, as ``read_ledger`` reads it). The frame then holds the period's month columns and
    its own 1-M月累计 column only; a June table reads 8 amount columns of 15 in full.
    """
    hm = _header(sheet, settings)
    if hm is None or any(k not in hm.columns for k in REQUIRED_COLUMNS):
        return read_ledger(sheet, settings, only=fields).frame  # raises with the staff-facing message
    if any(r2 > r1 and r1 >= hm.data_start for r1, _, r2, _ in sheet.merges):
        # cells merged down over projects (a unit over its block): read_ledger gives each project the
        # merged value. A formula in Excel sees values only (no merges), so this is the file readers' case
        return read_ledger(sheet, settings, only=fields).frame
    keep = TABLE_FIELDS | set(REQUIRED_COLUMNS)
    cols = {k: c for k, c in hm.columns.items() if k in keep}
    scan = project_rows(sheet, hm, cols)
    rows = scan.rows
    if rows and rows[-1] - rows[0] == len(rows) - 1:
        selected = sheet.rows[rows[0] - 1:rows[-1]]  # every row a project: a slice, not a gather
    else:
        selected = [sheet.rows[r - 1] for r in rows]
    cumulative = hm.cumulative if len(hm.cumulative) > 1 else {}
    widest = max([*cols.values(), *cumulative.values()])
    if selected and min(map(len, selected)) < widest:
        selected = [r + [None] * (widest - len(r)) for r in selected]
    sources = {k: cols[k] for k in _AMOUNTS if k in cols} | {f"cum{n:02d}": c for n, c in cumulative.items()}
    scales = {k: hm.scales.get(k, 1.0) for k in _AMOUNTS} | {f"cum{n:02d}": hm.scales.get("ytd", 1.0)
                                                              for n in cumulative}
    later: dict[str, int] = {}  # month columns after ``period``
    if period is not None:
        own = {month_field(m) for m in period.months} | {f"cum{period.month:02d}"}
        later = {k: c for k, c in sources.items() if k.startswith("m") and k not in own}
        sources = {k: c for k, c in sources.items() if k in own or not k.startswith(("m", "cum"))}
    vocab = vocabulary(settings)
    readers: dict[str, Callable[[Any], Any]] = {
        "unit": lambda v: vocab.unit(as_text(v)), "category": lambda v: vocab.category(as_text(v))}
    texts: dict[str, tuple[Callable[[list[Any]], Any], _Memo]] = {
        k: (itemgetter(cols[k] - 1), _Memo(f)) for k, f in readers.items() if k in cols and k in fields}
    # 项目级别 (with its star mark: "区重点（攻坚星级）"), 攻坚星级 and 982工程 read together: one lookup
    # per row of the three cells, giving the number of their combination
    flags = [k for k in ("star", "is_982") if k in cols and k in fields]
    combos: dict[tuple[str | None, bool, bool | None, bool | None], int] = {}
    if "level" in fields or flags:
        def combo(cells: tuple[Any, ...]) -> int:
            name, mark = vocab.level(as_text(cells[0]))
            given = [_flag(v, vocab) for v in cells[1:]]
            star, is_982 = (given[flags.index(k)] if k in flags else None for k in ("star", "is_982"))
            return combos.setdefault((name, mark, star, is_982), len(combos))
        texts["levels"] = (_getter([cols["level"], *(cols[k] for k in flags)]), _Memo(combo))
    ytd_col = sources.pop("ytd", None)
    plain, text_values = _read_chunked(selected, sources, texts)
    n = len(selected)
    limit = settings.thresholds.amount_limit
    amounts: dict[str, np.ndarray[Any, np.dtype[np.float64]]] = {}
    for key, col in sources.items():
        arr = _numpy_path(plain.get(key), scales[key], limit)
        # else some cell is text, a flag or out of range: the column goes by read_ledger's cell rules
        amounts[key] = arr if arr is not None else _amounts(list(map(itemgetter(col - 1), selected)),
                                                            scales[key], limit)
    data: dict[str, Any] = {}
    for key in ("unit", "category"):
        if key in fields:
            data[key] = pd.Series(text_values.get(key, [None] * n), dtype=object)
    if "levels" in text_values:
        ids = np.array(text_values["levels"], dtype=np.intp)
        table = list(combos)  # in the order of their numbers
        names = np.empty(len(table), dtype=object)
        names[:] = [c[0] for c in table]
        level: Any = names[ids]
        mark: Any = np.array([c[1] for c in table], dtype=bool)[ids]
        if scan.headings and "level" in fields:  # a blank 项目级别 below a heading takes the heading's level
            written = [selected[i][cols["level"] - 1] for i in range(n)]
            inherited = [vocab.level(as_text(v)) for v in _heading_levels(written, scan, vocab)]
            level, mark = [v[0] for v in inherited], np.array([v[1] for v in inherited], dtype=bool)
        if "level" in fields:
            data["level"] = pd.Series(level, dtype=object)
        if "star" in fields:  # 攻坚星级 as written, else the level's star mark
            given = np.array([np.nan if c[2] is None else float(c[2]) for c in table], dtype="float64")[ids]
            data["star"] = np.where(np.isnan(given), mark, given == 1.0)
        if "is_982" in fields:
            data["is_982"] = np.array([c[3] is True for c in table], dtype=bool)[ids]  # empty: no
    months: list[np.ndarray[Any, np.dtype[np.float64]]] = []
    for key in sources:
        data[key] = amounts[key]
        if key.startswith("m"):
            months.append(amounts[key])
    # a project with a figure in a month of the period never falls back to 本年累计, as its months
    # sum to a figure. Without a period: every period's months include 1月 and 2月, so those two decide.
    firsts = months if period is not None else [amounts[k] for k in ("m01", "m02") if k in amounts]
    need = np.logical_and.reduce([np.isnan(a) for a in firsts]) if firsts else np.ones(n, bool)
    given = np.full(n, np.nan)
    if need.any():  # else the column is left empty
        if ytd_col is not None:
            given = _ytd(selected, ytd_col, scales["ytd"], limit, need)
        if later:  # the months after the period, read only where the fallback reaches them
            where = np.flatnonzero(need)
            for key, col in later.items():
                column = np.full(n, np.nan)
                column[where] = _amounts([selected[j][col - 1] for j in where.tolist()], scales[key], limit)
                months.append(column)
        if months:  # as read_ledger: 本年累计 left empty is the sum of every month column (min_count=1)
            stacked = np.vstack(months)
            summed = np.where(np.isnan(stacked).all(axis=0), np.nan, np.nansum(stacked, axis=0))
            given = np.where(np.isnan(given), summed, given)
    data["ytd"] = given
    return pd.DataFrame(data)


def _header(sheet: SheetData, settings: Settings) -> HeaderMap | None:
    """``find_header`` of the sheet's first rows, remembered for the last few headers seen: a table
    formula runs again on every change to its range, and the header rarely changes with it. The
    key is everything ``find_header`` reads: the first rows' cells and their types (1, 1.0 and
    TRUE compare equal), the merged ranges and 参数's column aliases; a header that differs in any
    of them is looked up afresh. The answer is shared, so it is only read, never changed."""
    head = sheet.rows[:_HEADER_ROWS]
    try:
        key: Any = (tuple(map(tuple, head)), tuple(map(type, chain.from_iterable(head))),
                    tuple(map(tuple, sheet.merges)), tuple(sorted(settings.column_aliases.items())))
        hit = _HEADERS.get(key, _HEADERS)
    except TypeError:  # a cell that cannot be hashed: no caching
        key, hit = None, _HEADERS
    if hit is not _HEADERS:
        return hit  # type: ignore[return-value]
    hm = find_header(SheetData(sheet.name, head, sheet.merges), alias_index(READER_FIELDS, settings.column_aliases))
    if key is not None:
        if len(_HEADERS) >= _HEADERS_KEPT:
            del _HEADERS[next(iter(_HEADERS))]  # the oldest
        _HEADERS[key] = hm
    return hm


def project_rows(sheet: SheetData, hm: HeaderMap, cols: dict[str, int]) -> RowScan:
    """Excel rows holding projects and the headings, exactly as ``ledger._data_rows`` with the columns ``cols``."""
    code_col = cols.get("code")
    start = hm.data_start
    body = sheet.rows[start - 1:]
    if code_col is not None and body:
        try:  # a row too short for the code column, or a code that is not text, leaves the fast path
            codes = list(map(itemgetter(code_col - 1), body))
            joined = "\x00".join(codes)
        except (IndexError, TypeError):
            pass
        else:
            # no code blank: none empty, and none only whitespace (quick when no code holds any, as in most ledgers)
            spaceless = joined.isascii() and not any(c in joined for c in _ASCII_SPACE)
            if "计" not in joined and all(codes) and (spaceless or all(map(str.strip, codes))):
                return RowScan(list(range(start, start + len(body))), [])  # every row a coded project
    return scan_rows(sheet.rows, start, cols)


def _read_chunked(rows: list[list[Any]], amounts: dict[str, int],
                  texts: dict[str, tuple[Callable[[list[Any]], Any], _Memo]],
                  ) -> tuple[dict[str, np.ndarray[Any, np.dtype[np.float64]]], dict[str, list[Any]]]:
    """Amount columns that numpy converts as float64 (unscaled), and the text columns read by their memos.

    Reads row-wise in chunks that stay in the CPU cache: a 30,000-row range is mostly memory
    traffic, and column-wise passes over it cost several times more. Each chunk's amounts become one
    flat list (a slice of each row when the amount columns lie close together, as they do in every
    ledger layout) and one ``np.array`` call; a flag (TRUE/FALSE converts to 1.0/0.0) is looked
    for only among the cells that read 0 or 1. An amount column with a cell numpy cannot convert
    (formula, text) or a flag is left out of the first dict, for the caller's slow path.

    Text figures numpy can convert ("80", "１２", " 80 ") read as read_ledger reads them, with one
    known difference, left so because finding it would cost a pass over every cell: numpy reads
    text with Python's float(), so "1_000" counts 1000 here where read_ledger reports the cell
    (not-a-number) and leaves it empty; the 校验 job names such a cell. ("nan" is empty in both;
    "inf" is out of range, so its column goes by the slow path.)
    """
    text_values: dict[str, list[Any]] = {k: [] for k in texts}
    memos = [(text_values[k].extend, memo.__getitem__, get) for k, (get, memo) in texts.items()]
    n = len(rows)
    keys = list(amounts)
    out = np.full((len(keys), n), np.nan)  # one row per column: contiguous columns for the frame
    fast = list(keys)
    plan = _plan([amounts[k] for k in fast]) if fast else None
    for i in range(0, n, _CHUNK):
        chunk = rows[i:i + _CHUNK]
        for extend, read, get in memos:  # the texts while the chunk's rows are in the cache
            extend(map(read, map(get, chunk)))
        if not fast or plan is None:
            continue
        m = len(chunk)
        pick, width, where, other = plan
        flat = list(chain.from_iterable(pick(chunk)))
        try:
            block = np.array(flat, dtype="float64").reshape(m, width)
        except (TypeError, ValueError, OverflowError):
            pass
        else:
            maybe = (block == 0.0) | (block == 1.0)
            if other is not None:
                maybe[:, other] = False  # columns between the amounts that the tables do not read
            cells = np.flatnonzero(maybe).tolist()
            # a flag (TRUE/FALSE) converts to 1.0/0.0; read_ledger takes a column holding one cell by cell
            if not cells or bool not in set(map(type, map(flat.__getitem__, cells))):
                out[[keys.index(k) for k in fast], i:i + m] = block[:, where].T
                continue
        dropped = False
        for key in list(fast):  # column by column for this chunk
            column = list(map(itemgetter(amounts[key] - 1), chunk))
            try:
                if bool in set(map(type, column)):
                    raise ValueError(key)
                out[keys.index(key), i:i + m] = np.array(column, dtype="float64")
            except (TypeError, ValueError, OverflowError):
                fast.remove(key)
                dropped = True
        if dropped and fast:
            plan = _plan([amounts[k] for k in fast])
    return {k: out[j] for j, k in enumerate(keys) if k in fast}, text_values


_Plan = tuple[Callable[[list[list[Any]]], Iterable[Sequence[Any]]], int, list[int],
              "np.ndarray[Any, np.dtype[np.bool_]] | None"]


def _plan(cols: list[int]) -> _Plan:
    """How a chunk's amount cells are picked: (rows -> their cells, cells per row, positions of
    ``cols`` among them, mask of the cells not asked for or None). A slice of each row when ``cols``
    span at most twice their number (a slice costs less than picking cell by cell), else the cells."""
    lo, hi = min(cols) - 1, max(cols)
    if hi - lo <= 2 * len(cols):
        other = np.ones(hi - lo, dtype=bool)
        other[[c - 1 - lo for c in cols]] = False
        return partial(_slices, slice(lo, hi)), hi - lo, [c - 1 - lo for c in cols], other if other.any() else None
    return partial(map, _getter(cols)), len(cols), list(range(len(cols))), None


def _slices(span: slice, rows: list[list[Any]]) -> Iterable[list[Any]]:
    return map(getitem, rows, repeat(span))  # type: ignore[arg-type]


def _getter(cols: list[int]) -> Callable[[list[Any]], tuple[Any, ...]]:
    """Values of the 1-based ``cols`` of a row, always as a tuple."""
    if len(cols) == 1:
        c = cols[0] - 1
        return lambda row: (row[c],)
    return itemgetter(*(c - 1 for c in cols))


def _ytd(rows: list[list[Any]], col: int, scale: float, limit: float,
         need: np.ndarray[Any, np.dtype[np.bool_]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """本年累计 as read_ledger reads it, where the tables can use it.

    The tables fall back to 本年累计 only for projects without 1月/1-2月 figures. When the column
    holds an uncached formula (the template's SUM) or a flag, read_ledger reads it cell by cell,
    so only those projects' cells are read; otherwise the column is read whole.
    """
    c = col - 1
    if any(type(v) is bool or (type(v) is str and v[:1] in ("=", "#")) for v in map(itemgetter(c), rows)):
        out = np.full(len(rows), np.nan)
        for j in np.flatnonzero(need).tolist():
            out[j] = _amount(rows[j][c], scale, limit)
        return out
    return _amounts(list(map(itemgetter(c), rows)), scale, limit)


def _numpy_path(arr: np.ndarray[Any, np.dtype[np.float64]] | None, scale: float, limit: float,
                ) -> np.ndarray[Any, np.dtype[np.float64]] | None:
    """``arr`` scaled when read_ledger would take its numpy path for the column (every figure within
    0..limit; flag cells were ruled out while reading), else None."""
    if arr is None:
        return None
    if scale != 1.0:
        arr = arr * scale
    # the smallest and largest figure, empty cells (NaN) left out; NaN when the column is empty
    if arr.size and (np.fmin.reduce(arr) < 0 or np.fmax.reduce(arr) > limit):
        return None
    return arr


class _Memo(dict[Any, Any]):
    """``read(v)`` per cell, computed once per distinct text or None, or tuple of them (names repeat
    a lot); other values (numbers: 1, 1.0 and True hash alike) are read every time."""

    def __init__(self, read: Callable[[Any], Any]) -> None:
        super().__init__()
        self.read = read

    def __missing__(self, value: Any) -> Any:
        out = self.read(value)
        if value is None or type(value) is str or (type(value) is tuple and all(
                v is None or type(v) is str for v in value)):
            self[value] = out
        return out


def _flag(value: Any, vocab: Vocabulary) -> bool | None:
    if value is None or (isinstance(value, str) and value.startswith("=")) or is_error_literal(value):
        return None
    try:
        return vocab.flag(value)
    except ValueError:
        return None


def _amount(value: Any, scale: float, limit: float) -> float:
    """One cell as ``ledger._parse_column`` reads an amount; NaN where it records a finding or nothing."""
    if value is None:
        return np.nan
    if (type(value) is float or type(value) is int) and value == value and 0 <= value * scale <= limit:
        return float(value * scale)
    if (isinstance(value, str) and value.startswith("=")) or is_error_literal(value):
        return np.nan
    try:
        x = parse_amount(value)
    except ValueError:
        return np.nan
    return np.nan if x is None else x * scale


def _amounts(values: list[Any], scale: float, limit: float) -> np.ndarray[Any, np.dtype[np.float64]]:
    """An amount column as float64 (NaN for empty), by ``ledger._parse_column``'s rules."""
    types = set(map(type, values))
    if bool not in types and str not in types:  # as read_ledger: text goes cell by cell
        try:
            arr = np.array(values, dtype="float64") * scale  # None -> NaN
        except (TypeError, ValueError, OverflowError):
            pass
        else:
            finite = arr[~np.isnan(arr)]
            if finite.size == 0 or (finite.min() >= 0 and finite.max() <= limit):
                return arr
            if types <= _PLAIN:  # numbers only, some negative or huge: kept as they are, inf as empty
                arr[np.isinf(arr)] = np.nan
                return arr
    plain = [v if type(v) is float or type(v) is int else None for v in values]
    try:
        arr = np.array(plain, dtype="float64") * scale
    except OverflowError:
        return np.array([_amount(v, scale, limit) for v in values], dtype="float64")
    arr[np.isinf(arr)] = np.nan
    for i, v in enumerate(values):
        if type(v) is not float and type(v) is not int and v is not None and not (
                type(v) is str and v.startswith("=")):
            arr[i] = _amount(v, scale, limit)
    return arr
