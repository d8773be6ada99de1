"""Reading a ledger's project rows: each mapped column's cells into typed values and findings.

Pure core (standard library, numpy, pandas). ``core.ledger.read_ledger`` finds the header and
checks the required columns; ``read_rows`` here reads every project row below it (blank and
合计/小计/总计 rows skipped, section headings' levels inherited, each bad cell a finding) into a
``Ledger``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from operator import is_, itemgetter
from typing import Any

import numpy as np
import pandas as pd

from xladdin.core.columns import ColumnInfo, account_columns
from xladdin.core.fields import FIELD_BY_KEY, MONTH_FIELDS, READER_FIELDS, Field
from xladdin.core.findings import Finding, finding
from xladdin.core.headers import HeaderMap
from xladdin.core.ledger_model import Ledger
from xladdin.core.sections import Heading, RowScan, scan_rows
from xladdin.core.settings import Settings
from xladdin.core.sheet import SheetData, cell_ref, parse_ref
from xladdin.core.values import as_text, is_error_literal, parse_amount, parse_flag, parse_int
from xladdin.core.vocabulary import vocabulary

__all__ = ["read_rows"]

_CANONICAL = ("unit", "category", "level", "status")


def _data_rows(sheet: SheetData, hm: HeaderMap) -> RowScan:
    """Excel rows that hold projects and the section headings (blank and 合计/小计/总计 rows skipped)."""
    return scan_rows(sheet.rows, hm.data_start, hm.columns)


def _columns(sheet: SheetData, rows: list[int], cols: list[int]) -> dict[int, list[Any]]:
    """Values of ``cols`` over ``rows`` as one list per column (column-wise parsing is much faster)."""
    selected = [sheet.rows[r - 1] for r in rows]
    shortest = min(map(len, selected), default=0)
    out: dict[int, list[Any]] = {}
    for c in cols:
        if c <= shortest:
            out[c] = list(map(itemgetter(c - 1), selected))
        else:
            out[c] = [row[c - 1] if len(row) >= c else None for row in selected]
    return out


def _merged_down(sheet: SheetData, rows: list[int], hm: HeaderMap, cumulative: dict[int, int],
                 values: dict[int, list[Any]], findings: list[Finding]) -> None:
    """Cells merged down over several projects' rows (责任单位, 项目级别 or 行业类别 merged over a
    block of projects is a common layout; the spreadsheet keeps the value in the first cell only):
    a text, flag or number column takes the merged value on every project row the merge covers, as
    staff see it. An amount stays the first project's figure only (copying it would count it once
    per project) and a ``merged-amount`` warning names the range. A merge starting on a heading or
    header row is left alone."""
    spans = [m for m in sheet.merges if m[2] > m[0] and m[0] >= hm.data_start]
    if not spans:
        return
    at = {r: i for i, r in enumerate(rows)}
    keys = {c: k for k, c in hm.columns.items()} | {c: "ytd" for c in cumulative.values()}
    for r1, c1, r2, c2 in spans:
        covered = [at[r] for r in range(r1, r2 + 1) if r in at]
        if r1 not in at or len(covered) < 2:
            continue
        top = sheet.value(r1, c1)
        for c in range(c1, c2 + 1):
            key = keys.get(c)
            if key is None or top is None:
                continue
            f = FIELD_BY_KEY[key]
            if f.kind == "amount":
                findings.append(finding("merged-amount", sheet=sheet.name, row=r1, column=c, field=key, value=len(covered),
                                        label=f.label, reason=f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}"))
                continue
            column = values[c]
            for i in covered:
                if column[i] is None:
                    column[i] = top


def read_rows(sheet: SheetData, hm: HeaderMap, settings: Settings, from_title: tuple[str, str] | None = None,
               *, account: bool = True) -> Ledger:
    scan = _data_rows(sheet, hm)
    rows = scan.rows
    findings: list[Finding] = []
    data: dict[str, Any] = {"_row": rows}
    limit = settings.thresholds.amount_limit
    cumulative = hm.cumulative if len(hm.cumulative) > 1 else {}
    values = _columns(sheet, rows, [*hm.columns.values(), *cumulative.values()])
    _merged_down(sheet, rows, hm, cumulative, values, findings)
    vocab = vocabulary(settings)
    for key, col in hm.columns.items():
        f = FIELD_BY_KEY[key]
        data[key] = _parse_column(f, values[col], rows, col, hm.scales.get(key, 1.0), limit, sheet.name, findings,
                                  vocab.flag)
    for n, col in cumulative.items():
        f = Field(f"cum{n:02d}", f"1-{n}月累计", "amount")
        data[f.key] = _parse_column(f, values[col], rows, col, hm.scales.get("ytd", 1.0), limit, sheet.name, findings)
    if from_title is not None and "unit" not in data:
        data["unit"] = [from_title[0]] * len(rows)
    if scan.headings and "level" in data:  # a blank 项目级别 below a heading takes the heading's level
        data["level"] = _heading_levels(list(data["level"]), scan, vocab)
    elif scan.headings:
        inherited = _heading_levels([None] * len(rows), scan, vocab)
        if any(v is not None for v in inherited):
            data["level"] = inherited
    frame = pd.DataFrame(data)
    _complete(frame, settings)
    if from_title is not None and pd.isna(frame["unit"]).all() and len(frame):
        near = vocab.suggest_unit(from_title[0])
        r, c = parse_ref(from_title[1]) if from_title[1] else (0, 0)
        findings.append(finding("unknown-title-unit", sheet=sheet.name if r else "参数", row=r, column=c, field="unit",
                                value=from_title[0], hint=f"，是否为“{near}”" if near else "，请在参数表【单位】中添加"))
        frame["unit_raw"] = None  # one finding at the title, not one per project
    column_map: list[ColumnInfo] = []
    if account:
        column_map, unknown = account_columns(hm, sheet.rows, rows, sheet.name, sheet.max_col)
        findings.extend(unknown)
        findings.extend(_check_headings(sheet, hm, scan, frame, settings))
    columns = dict(hm.columns) | {f"cum{n:02d}": c for n, c in cumulative.items()}
    ytd_col = hm.columns.get("ytd")
    return Ledger(sheet=sheet.name, frame=frame, columns=columns, header_rows=hm.header_rows,
                  findings=findings, period_month=hm.period_month or _last_month(frame),
                  cumulative=dict(cumulative), ytd_period=hm.periods.get(ytd_col) if ytd_col else None,
                  column_map=column_map, headings=scan.headings, unit_from_title=from_title)


def _heading_levels(levels: list[Any], scan: RowScan, vocab: Any) -> list[Any]:
    """``levels`` with each blank filled from the innermost heading above that names a level."""
    by_pos = scan.inherited()
    out = list(levels)
    for i, level in enumerate(out):
        if (level is None or (isinstance(level, str) and not level.strip())) and i in by_pos:
            h = _level_heading(by_pos[i], scan, vocab)
            if h is not None:
                out[i] = h
    return out


def _level_heading(h: Heading, scan: RowScan, vocab: Any) -> str | None:
    """The level named by ``h`` or by the nearest enclosing heading (an "（一）在建" under "一、省重点")."""
    level: str | None = vocab.level(h.title)[0]
    if level is not None or "重点" in h.title or h.title.endswith(("级项目", "级")):
        return h.title  # a level word the 参数 list does not know is passed on, to be reported as such
    outer = [o for o in scan.headings if o.rank < h.rank and o.row < h.row and set(h.members) <= set(o.members)]
    for o in sorted(outer, key=lambda o: -o.rank):
        if vocab.level(o.title)[0] is not None:
            return o.title
    return None


def _check_headings(sheet: SheetData, hm: HeaderMap, scan: RowScan, frame: pd.DataFrame,
                    settings: Settings) -> list[Finding]:
    """A heading's own amounts against the sum of its projects, and its announced count."""
    out: list[Finding] = []
    tol = settings.thresholds.tolerance
    amounts = [(k, c) for k, c in hm.columns.items() if FIELD_BY_KEY[k].kind == "amount"]
    for h in scan.headings:
        if h.count is not None and h.count != len(h.members):
            out.append(finding("heading-count", sheet=sheet.name, row=h.row, column=h.col, value=h.text,
                               limit=float(h.count), other=float(len(h.members))))
        raw = sheet.rows[h.row - 1]
        for key, col in amounts:
            v = raw[col - 1] if col <= len(raw) else None
            if not isinstance(v, int | float) or isinstance(v, bool):
                continue
            given = float(v) * hm.scales.get(key, 1.0)
            column = frame[key].to_numpy(dtype="float64", na_value=np.nan)
            summed = float(np.nansum(column[h.members])) if h.members else 0.0
            if abs(given - summed) > tol:
                out.append(finding("heading-sum", sheet=sheet.name, row=h.row, column=col, field=key, value=h.text,
                                   label=FIELD_BY_KEY[key].label, limit=given, other=summed,
                                   reason=str(len(h.members))))
    return out


def _parse_column(f: Field, values: list[Any], rows: list[int], col: int, scale: float, limit: float,
                  sheet: str, findings: list[Finding], flag: Callable[[Any], bool | None] = parse_flag,
                  ) -> list[Any] | np.ndarray[Any, np.dtype[np.float64]]:
    """One column's cells typed by ``f.kind`` (amounts as float64 when every cell is a plain figure
    in range), a finding for each cell that cannot be read."""
    if (not values or values[0] is None) and values.count(None) == len(values):  # count() only when it may be
        return values  # an empty column
    if f.kind == "text":
        if f.key == "code":
            _lost_digits(values, rows, col, sheet, findings)
        return _texts(values)
    types = set(map(type, values))
    # numpy reads text with Python's float(), which also takes "1_000", "nan" and "inf": a column
    # holding text goes cell by cell (parse_amount), so such a cell is a finding, not a figure
    if f.kind == "amount" and bool not in types and str not in types:
        try:
            arr = np.array(values, dtype="float64") * scale  # None -> NaN
        except (TypeError, ValueError):
            pass
        else:
            finite = arr[~np.isnan(arr)]
            if finite.size == 0 or (finite.min() >= 0 and finite.max() <= limit):
                return arr
    if f.kind == "int" and types <= {float, int, type(None)}:  # years and ordinals typed as numbers
        return [None if v is None or v != v else int(v) for v in values]
    if f.kind == "flag":
        return _parse_flags(f, values, rows, col, sheet, findings, flag)
    out: list[Any] = []
    fast_amount = f.kind == "amount"
    for r, v in zip(rows, values, strict=True):
        if v is None:
            out.append(None)
            continue
        if fast_amount and (type(v) is float or type(v) is int) and v == v and 0 <= v * scale <= limit:
            out.append(v * scale)  # the common case: a plain number in range
            continue
        if isinstance(v, str) and v.startswith("="):
            out.append(None)  # a formula without a cached value: derived later
            continue
        if is_error_literal(v):
            findings.append(finding("error-value", sheet=sheet, row=r, column=col, field=f.key, value=v, label=f.label))
            out.append(None)
            continue
        try:
            if f.kind == "amount":
                x = parse_amount(v)
                if x is not None:
                    x *= scale
                    if x > limit:
                        findings.append(finding("absurd-amount", sheet=sheet, row=r, column=col, field=f.key,
                                                value=x, label=f.label, limit=limit))
                out.append(x)
            else:
                out.append(parse_int(v))
        except ValueError:
            code = "bad-date" if f.kind == "int" and f.key.endswith("year") else "not-a-number"
            findings.append(finding(code, sheet=sheet, row=r, column=col, field=f.key, value=v, label=f.label))
            out.append(None)
    return out


def _lost_digits(values: list[Any], rows: list[int], col: int, sheet: str, findings: list[Finding]) -> None:
    """A code typed as a number of more than 15 digits (a 19-digit 项目代码 without its dashes, an
    18-digit 统一社会信用代码 of digits only) was cut by Excel to 15 significant digits: the code
    read back is another project's or nobody's, so each is a ``code-as-number`` error."""
    for r, v in zip(rows, values, strict=True):
        if type(v) is float and abs(v) >= 1e15 and v == v:
            findings.append(finding("code-as-number", sheet=sheet, row=r, column=col, field="code",
                                    value=format(Decimal(f"{v:.15g}"), "f"), label="项目编码"))  # as Excel shows it


def _texts(values: list[Any]) -> list[Any]:
    """A text column as ``as_text`` reads each cell (trimmed, None for empty). Most columns hold
    only texts with nothing to trim: that is checked with C-level passes (``str.strip`` returns
    the very same object when there is nothing to strip), and the column is then returned as it
    is; else cell by cell. 30,000 rows x 20 text columns: about half the time."""
    texts = [v for v in values if v is not None]
    try:
        stripped = list(map(str.strip, texts))  # TypeError: a number or a date among them
    except TypeError:
        pass
    else:
        if all(stripped) and all(map(is_, stripped, texts)):
            return values
    return [v if type(v) is str and v and v.strip() is v else as_text(v) for v in values]


def _parse_flags(f: Field, values: list[Any], rows: list[int], col: int, sheet: str,
                 findings: list[Finding], flag: Callable[[Any], bool | None] = parse_flag) -> list[Any]:
    """A flag column read as ``_parse_column`` reads it, each distinct value parsed once
    (是/否/√ repeat on every row)."""
    bad, miss = object(), object()

    def parse(v: Any) -> Any:
        if v is None or (isinstance(v, str) and v.startswith("=")):
            return None
        if is_error_literal(v):
            return bad
        try:
            return flag(v)
        except ValueError:
            return bad

    table: dict[Any, Any] = {}  # (1, 1.0 and True share an entry: parse_flag reads them alike)
    out: list[Any] = []
    for v in values:
        x = table.get(v, miss)
        if x is miss:
            x = table[v] = parse(v)
        out.append(x)
    if any(x is bad for x in table.values()):
        for i, (r, v) in enumerate(zip(rows, values, strict=True)):
            if out[i] is bad:
                code = "error-value" if is_error_literal(v) else "bad-flag"
                findings.append(finding(code, sheet=sheet, row=r, column=col, field=f.key, value=v, label=f.label))
                out[i] = None
    return out


def _complete(frame: pd.DataFrame, settings: Settings) -> None:
    """Add absent fields as NA, type the columns, canonicalise names, derive YTD."""
    n = len(frame)
    absent = {}
    for f in READER_FIELDS:
        if f.key in frame:
            continue
        if f.kind == "amount":
            absent[f.key] = pd.Series(np.full(n, np.nan), index=frame.index)
        elif f.kind == "flag":
            absent[f.key] = pd.Series(pd.array([pd.NA] * n, dtype="boolean"), index=frame.index)
        elif f.kind == "int":
            absent[f.key] = pd.Series(pd.array([pd.NA] * n, dtype="Int64"), index=frame.index)
        else:
            absent[f.key] = pd.Series([None] * n, index=frame.index, dtype="object")
    present = [f for f in READER_FIELDS if f.key in frame]
    if absent:
        frame[list(absent)] = pd.DataFrame(absent)
    for f in present:
        if f.kind == "amount":
            frame[f.key] = pd.to_numeric(frame[f.key], errors="coerce").astype("float64")
        elif f.kind == "flag":
            frame[f.key] = frame[f.key].astype("boolean")
        elif f.kind == "int":
            frame[f.key] = pd.to_numeric(frame[f.key], errors="coerce").astype("Int64")
        else:
            frame[f.key] = frame[f.key].astype("object")
    vocab = vocabulary(settings)
    for key in _CANONICAL:
        frame[f"{key}_raw"] = frame[key]
    frame["unit"] = _mapped(frame["unit_raw"], vocab.unit)
    frame["category"] = _mapped(frame["category_raw"], vocab.category)
    levels = _mapped(frame["level_raw"], vocab.level)
    frame["level"] = [lv for lv, _ in levels]
    frame["star"] = frame["star"].fillna(pd.Series([s or pd.NA for _, s in levels], index=frame.index, dtype="boolean"))
    frame["status"] = _mapped(frame["status_raw"], vocab.status)
    months = frame[[m.key for m in MONTH_FIELDS]]
    frame["ytd_given"] = frame["ytd"]
    month_sum = months.sum(axis=1, min_count=1)
    frame["months_sum"] = month_sum
    frame["ytd"] = frame["ytd"].fillna(month_sum)


def _mapped(raw: pd.Series, canonical: Callable[[Any], Any]) -> list[Any]:
    """``canonical`` of each value, computed once per distinct value (names repeat a lot)."""
    values = raw.tolist()
    table = {v: canonical(v) for v in set(values)}
    return list(map(table.__getitem__, values))


def _last_month(frame: pd.DataFrame) -> int | None:
    filled = [i + 1 for i, m in enumerate(MONTH_FIELDS) if frame[m.key].notna().any()]
    return max(filled) if filled else None
