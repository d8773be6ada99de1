"""Reading a project ledger (项目台账) and the statistics sheet (单位统计) into typed frames.

Pure core (standard library, pandas, pydantic). Input is ``SheetData`` from any engine; output
is a ``Ledger``: one DataFrame row per project with a column for every field key, plus where
each value came from (sheet, Excel row in ``_row``, column per field). Values that cannot be
read become findings, never exceptions; a missing required column is a ``ColumnNotFound``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from typing import Any

import pandas as pd

from xladdin.core.fields import FIELD_BY_KEY, READER_FIELDS, STATS_FIELDS
from xladdin.core.findings import Finding, column_letter, finding
from xladdin.core.headers import alias_index, find_header
from xladdin.core.ledger_model import Ledger
from xladdin.core.ledger_rows import _heading_levels as _heading_levels  # re-exported for table_read
from xladdin.core.ledger_rows import read_rows
from xladdin.core.sections import SECTION, SUBTOTAL
from xladdin.core.settings import Settings
from xladdin.core.sheet import SheetData
from xladdin.core.values import as_text, parse_amount, parse_int
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
_MISSING_REASON = {
    "code": "：项目按行识别，月报表汇入需要此列",
    "unit": "，标题中也没有“填报单位：…”：按单位汇总、排名和月报表需要此列",
    "level": "，分组标题中也没有级别：按级别汇总需要此列",
    "total_investment": "：总投资相关的校验和汇总无法进行，汇总中显示为空",
    "annual_plan": "：完成率无法计算，汇总中显示为空",
}
_TITLE_UNIT = re.compile(r"(填报单位|报送单位|报送部门|填表单位|填报部门|责任单位)(?:[(（]盖章[)）])?[:：][ \u3000]*(.*)$")


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
    ledger = read_rows(sheet, hm, settings, from_title, account=account)
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
