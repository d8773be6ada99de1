"""Reading a project ledger (项目台账) and the statistics sheet (单位统计) into typed frames.

Pure core (standard library, pandas, pydantic). Input is ``SheetData`` from any engine; output
is a ``Ledger``: one DataFrame row per project with a column for every field key, plus where
each value came from (sheet, Excel row in ``_row``, column per field). Values that cannot be
read become findings, never exceptions; a missing required column is a ``ColumnNotFound``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from xladdin.core.columns import ColumnInfo, account_columns
from xladdin.core.fields import FIELD_BY_KEY, MONTH_FIELDS, READER_FIELDS, STATS_FIELDS, Field
from xladdin.core.findings import Finding, column_letter, finding
from xladdin.core.headers import HeaderMap, alias_index, find_header
from xladdin.core.sections import SECTION, SUBTOTAL, Heading, RowScan, scan_rows
from xladdin.core.settings import Settings
from xladdin.core.sheet import SheetData, parse_ref
from xladdin.core.values import as_text, is_error_literal, parse_amount, parse_flag, parse_int
from xladdin.core.vocabulary import vocabulary
from xladdin.errors import ColumnNotFound, LedgerNotFound

__all__ = ["READ_COLUMNS", "REQUIRED_COLUMNS", "Ledger", "find_ledger_sheet", "read_ledger", "read_stats",
           "title_unit"]

# what the jobs that merge forms and rank units need (consolidate, forms, the table formulas)
REQUIRED_COLUMNS = ("name", "code", "unit", "level", "total_investment", "annual_plan")
# what validate, summary and inspect need: the projects' names. Any other of REQUIRED_COLUMNS
# missing is a ``missing-column`` finding (an error for the two planned figures, whose absence
# leaves every rate unknown) and the reading goes on
READ_COLUMNS = ("name",)
_MISSING_ERRORS = ("total_investment", "annual_plan")
_SUBTOTAL = SUBTOTAL
_SECTION = SECTION
_CANONICAL = ("unit", "category", "level", "status")
_MISSING_REASON = {
    "code": "：项目按行识别，月报表汇入需要此列",
    "unit": "，标题中也没有“填报单位：…”：按单位汇总、排名和月报表需要此列",
    "level": "，分组标题中也没有级别：按级别汇总需要此列",
    "total_investment": "：总投资相关的校验和汇总无法进行，汇总中显示为空",
    "annual_plan": "：完成率无法计算，汇总中显示为空",
}
_TITLE_UNIT = re.compile(r"(填报单位|报送单位|报送部门|填表单位|填报部门|责任单位)(?:[(（]盖章[)）])?[:：][ \u3000]*(.*)$")


def _at(series: pd.Series, i: int) -> Any:
    return series.iat[i]


def _get(row: list[Any], col: int) -> Any:
    return row[col - 1] if col <= len(row) else None


@dataclass
class Ledger:
    """A read ledger. ``frame`` has every field key as a column (NA when absent) and ``_row``."""

    sheet: str
    frame: pd.DataFrame
    columns: dict[str, int]
    header_rows: tuple[int, ...] = ()
    findings: list[Finding] = field(default_factory=list)
    period_month: int | None = None
    cumulative: dict[int, int] = field(default_factory=dict)  # "1-N月累计" columns: N -> column
    ytd_period: int | None = None  # the period end month written in the 本年累计 column's header
    column_map: list[ColumnInfo] = field(default_factory=list)  # every column and what it was read as
    headings: list[Heading] = field(default_factory=list)  # section headings ("一、省重点项目（2个）")
    unit_from_title: tuple[str, str] | None = None  # (unit as written, cell) when the title names it

    def cell(self, i: int, key: str) -> str:
        """A1 address of field ``key`` in the frame's ``i``-th row (positional)."""
        return f"{column_letter(self.columns[key])}{self.excel_rows[i]}"

    @cached_property
    def excel_rows(self) -> list[int]:
        """The Excel row of each project, positionally (fetched once: ``cell`` is called per finding)."""
        return [int(r) for r in self.frame["_row"].tolist()]

    def with_writes(self, writes: dict[str, Any]) -> Ledger:
        """This ledger after ``writes`` ({"AB12": 35.0, ...}) to its sheet, without reading it again.

        Cells outside the project rows or the mapped columns are ignored here (they are not part
        of the frame); values are parsed as the reader would, and the derived 本年累计 recomputed.
        """
        by_col = {c: k for k, c in self.columns.items()}
        where = {r: i for i, r in enumerate(self.excel_rows)}
        updates: dict[str, dict[int, Any]] = {}
        for ref, value in writes.items():
            r, c = parse_ref(ref)
            key, i = by_col.get(c), where.get(r)
            if key is not None and i is not None:
                updates.setdefault(key, {})[i] = value
        frame = self.frame.copy()
        for key, values in updates.items():
            kind = FIELD_BY_KEY[key].kind if key in FIELD_BY_KEY else "amount"
            column = frame[key].tolist()
            for i, value in values.items():
                parsed: Any
                if kind == "amount":
                    parsed = None if isinstance(value, str) and value.startswith("=") else parse_amount(value)
                elif kind == "flag":
                    parsed = parse_flag(value)
                elif kind == "int":
                    parsed = parse_int(value)
                else:
                    parsed = as_text(value)
                column[i] = parsed
            if kind == "amount":
                frame[key] = pd.to_numeric(pd.Series(column, index=frame.index), errors="coerce").astype("float64")
            else:
                frame[key] = pd.Series(column, index=frame.index).astype(frame[key].dtype)
        months = frame[[m.key for m in MONTH_FIELDS]]
        frame["months_sum"] = months.sum(axis=1, min_count=1)
        frame["ytd"] = frame["ytd_given"].fillna(frame["months_sum"])
        return Ledger(sheet=self.sheet, frame=frame, columns=self.columns, header_rows=self.header_rows,
                      findings=list(self.findings), period_month=self.period_month, cumulative=dict(self.cumulative),
                      ytd_period=self.ytd_period, column_map=self.column_map, headings=self.headings,
                      unit_from_title=self.unit_from_title)

    def __len__(self) -> int:
        return len(self.frame)


def find_ledger_sheet(sheets: Sequence[str], read: Callable[[str], SheetData], settings: Settings,
                      wanted: str | None = None) -> SheetData:
    """The sheet holding the ledger: ``wanted`` if given, else 项目台账, else the best header match."""
    if wanted is not None:
        if wanted not in sheets:
            raise LedgerNotFound(f"工作簿中没有名为“{wanted}”的工作表。现有工作表：{'、'.join(sheets)}。")
        return read(wanted)
    index = alias_index(READER_FIELDS, settings.column_aliases)
    ordered = sorted(sheets, key=lambda s: (s != "项目台账", "台账" not in s))
    for name in ordered:
        if name.startswith("_") or name in ("参数", "说明", "单位统计", "校验结果", "通报"):
            continue
        data = read(name)
        if find_header(data, index) is not None:
            return data
    raise LedgerNotFound(
        "没有找到项目台账：任何工作表的前 30 行中都没有可识别的表头（需含“项目名称”或“项目编码”等列）。"
        "请用 --sheet 指定工作表，或在参数表【列名别名】中为表头添加别名。"
    )


def read_ledger(sheet: SheetData, settings: Settings, *, required: Sequence[str] = REQUIRED_COLUMNS,
                only: Collection[str] | None = None) -> Ledger:
    """Read ``sheet`` as a project ledger. Raises ``ColumnNotFound`` when a ``required`` column is absent.

    A unit's own ledger often has no 责任单位 column and names its unit in the title block
    ("填报单位：南曹街道"); that unit is then every project's. Columns of ``REQUIRED_COLUMNS`` that
    are not ``required`` and absent are a ``missing-column`` warning. ``only`` restricts parsing to
    those fields (the rest are NA): table formulas over a whole province ledger need a handful of
    columns, not all forty-odd.
    """
    index = alias_index(READER_FIELDS, settings.column_aliases)
    hm = find_header(sheet, index)
    if hm is None:
        raise ColumnNotFound(
            f"工作表“{sheet.name}”中找不到台账表头（需含“项目名称”或“项目编码”等至少三个可识别的列）。"
        )
    from_title = title_unit(sheet, hm.header_rows[0]) if "unit" not in hm.columns else None
    if from_title is None and "unit" not in hm.columns and settings.ledger_unit:
        from_title = (settings.ledger_unit, "")  # 参数 【参数】 本台账单位
    present = set(hm.columns) | ({"unit"} if from_title else set())
    missing = [k for k in required if k not in present]
    if missing:
        labels = "、".join(f"“{FIELD_BY_KEY[k].label}”" for k in missing)
        raise ColumnNotFound(
            f"工作表“{sheet.name}”缺少必需的列 {labels}（表头在第 {hm.header_rows[0]} 行）。"
            "如果该列用了其他名称，请在参数表【列名别名】中该字段一行填写表头原文作为别名"
            "（运行 xladdin inspect 可列出每一列的识别结果）。"
        )
    account = only is None
    if only is not None:
        keep = set(only) | set(required)
        hm.columns = {k: c for k, c in hm.columns.items() if k in keep}
    ledger = _read_rows(sheet, hm, settings, from_title, account=account)
    if account:
        for key in REQUIRED_COLUMNS:
            if key not in present and not (key == "level" and ledger.frame["level_raw"].notna().any()):
                ledger.findings.append(finding("missing-column", sheet=sheet.name, row=hm.header_rows[0], column=1,
                                               field=key, label=FIELD_BY_KEY[key].label,
                                               reason=_MISSING_REASON.get(key, ""),
                                               severity="error" if key in _MISSING_ERRORS else "warning"))
    return ledger


def title_unit(sheet: SheetData, header_row: int) -> tuple[str, str] | None:
    """(unit, cell) from a title block line such as "填报单位：南曹街道" above the header."""
    for r in range(1, header_row):
        row = sheet.rows[r - 1]
        for c, v in enumerate(row, 1):
            if not isinstance(v, str):
                continue
            m = _TITLE_UNIT.search(v.strip())
            if m is None:
                continue
            rest = re.split(r"\s{2,}|[ \u3000]+(?=\S*[:：])", m.group(2).strip())[0].strip()
            if not rest:  # "填报单位：" with the name in the next filled cell
                rest = next((as_text(x) or "" for x in row[c:] if as_text(x)), "")
                rest = "" if _TITLE_UNIT.search(rest) or "：" in rest or ":" in rest else rest
            if rest:
                return rest, f"{column_letter(c)}{r}"
    return None


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


def _read_rows(sheet: SheetData, hm: HeaderMap, settings: Settings, from_title: tuple[str, str] | None = None,
               *, account: bool = True) -> Ledger:
    scan = _data_rows(sheet, hm)
    rows = scan.rows
    findings: list[Finding] = []
    data: dict[str, Any] = {"_row": rows}
    limit = settings.thresholds.amount_limit
    cumulative = hm.cumulative if len(hm.cumulative) > 1 else {}
    values = _columns(sheet, rows, [*hm.columns.values(), *cumulative.values()])
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
    if values.count(None) == len(values):
        return values  # an empty column
    if f.kind == "text":
        # CPython returns the very same object from strip() when there is nothing to strip
        return [v if type(v) is str and v and v.strip() is v else as_text(v) for v in values]
    types = set(map(type, values))
    if f.kind == "amount" and bool not in types:
        try:
            arr = np.array(values, dtype="float64") * scale  # None -> NaN; raises on any text
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


def read_stats(sheet: SheetData, settings: Settings) -> tuple[pd.DataFrame, list[Finding]]:
    """The 单位统计 sheet: month, subject (unit name, or a target scope / 全区), ytd, last year, target."""
    index = alias_index(STATS_FIELDS)
    hm = find_header(sheet, index, must_have=("subject",))
    columns = ["month", "subject", "unit", "ytd", "ytd_last_year", "annual_target", "_row"]
    if hm is None or "month" not in hm.columns or "subject" not in hm.columns:
        raise ColumnNotFound(f"工作表“{sheet.name}”中找不到单位统计表头（需含“月份”“统计对象”“本年累计”等列）。")
    findings: list[Finding] = []
    vocab = vocabulary(settings)
    records: list[dict[str, Any]] = []
    by_key = {f.key: f for f in STATS_FIELDS}
    for r in range(hm.data_start, sheet.max_row + 1):
        if not any(as_text(v) for v in sheet.rows[r - 1]):
            continue
        rec: dict[str, Any] = {"_row": r}
        for key, col in hm.columns.items():
            f = by_key[key]
            v = sheet.value(r, col)
            if f.kind == "text":
                rec[key] = as_text(v)
                continue
            try:
                rec[key] = parse_int(v) if f.kind == "int" else parse_amount(v)
            except ValueError:
                findings.append(finding("not-a-number", sheet=sheet.name, row=r, column=col, field=key,
                                        value=v, label=f.label))
                rec[key] = None
        subject = rec.get("subject")
        rec["unit"] = vocab.unit(subject)
        records.append(rec)
    frame = pd.DataFrame.from_records(records, columns=columns)
    for key in ("ytd", "ytd_last_year", "annual_target"):
        frame[key] = pd.to_numeric(frame[key], errors="coerce").astype("float64")
    frame["month"] = pd.to_numeric(frame["month"], errors="coerce").astype("Int64")
    return frame, findings
