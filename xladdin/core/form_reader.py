"""Reading a unit's returned monthly report form (月报表) into typed rows with cell addresses.

Pure core (standard library, pydantic via settings). Tolerates what units really send back:
a renamed sheet (the form is found by its header), moved or extra columns (mapped by header
meaning), a retyped copy without the hidden metadata sheet (metadata then comes from the
visible row). Bad cells become findings carrying the file name; nothing here raises for data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from xladdin.core.fields import FIELD_BY_KEY, Field
from xladdin.core.findings import Finding, finding
from xladdin.core.form_layout import FORM_SHEET, META_SHEET, parse_meta
from xladdin.core.headers import alias_index, find_header
from xladdin.core.settings import Settings
from xladdin.core.sheet import SheetData, cell_ref
from xladdin.core.values import as_text, is_error_literal, norm, parse_amount, parse_flag
from xladdin.core.vocabulary import vocabulary
from xladdin.errors import XladdinError

__all__ = ["FormData", "FormRow", "read_form"]

_FORM_FIELDS: tuple[Field, ...] = (
    FIELD_BY_KEY["code"],
    FIELD_BY_KEY["name"],
    Field("value", "当月完成", "amount", ("本月完成", "当月", "本月", "当月完成投资", "本月完成投资")),
    Field("cumulative", "本年累计完成", "amount", ("累计完成", "累计", "本年累计", "年度累计完成")),
    Field("prev", "截至上月累计完成", "amount", ("上月累计", "截至上月累计", "上月累计完成")),
    FIELD_BY_KEY["progress_text"],
    FIELD_BY_KEY["problems"],
    FIELD_BY_KEY["in_stats"],
)
_INDEX = alias_index(_FORM_FIELDS)
EXCEL_CELL_CHARS = 32_767  # the most characters an Excel cell holds


@dataclass(frozen=True)
class FormRow:
    code: str | None
    name: str | None
    value: float | None  # 本月完成 (万元) as typed; None when blank or unreadable
    cumulative: float | None  # 本年累计 as typed or cached; None when blank or an uncached formula
    progress_text: str | None
    problems: str | None
    in_stats: bool | None
    row: int
    columns: Mapping[str, int]  # field key -> sheet column, shared by every row of the form

    @property
    def cells(self) -> dict[str, str]:
        """Field key -> A1 address of this row's cell (built on demand: only findings need it)."""
        return {k: cell_ref(self.row, c) for k, c in self.columns.items()}


@dataclass(frozen=True)
class FormData:
    file: str
    sheet: str
    unit: str | None
    unit_raw: str | None
    month: int | None
    version: str | None
    master_id: str | None
    rows: list[FormRow]
    findings: list[Finding]
    year: int | None = None  # 年度 the form was issued for (None: a copy that lost it)


def _form_sheet(sheets: list[SheetData]) -> tuple[SheetData, Any]:
    ordered = sorted(sheets, key=lambda s: s.name != FORM_SHEET)
    for sheet in ordered:
        if sheet.name.startswith("_"):
            continue
        hm = find_header(sheet, _INDEX, must_have=("code",))
        if (hm is not None and "value" in hm.columns) or (hm is not None and "cumulative" in hm.columns):
            return sheet, hm
    raise XladdinError("不是月报表：找不到含“项目编码”和“当月完成”列的工作表。")


def read_form(sheets: list[SheetData], settings: Settings, *, file: str) -> FormData:
    """Read one returned form. Raises ``XladdinError`` only when no sheet looks like a form."""
    sheet, hm = _form_sheet(sheets)
    meta_sheet = next((s for s in sheets if s.name == META_SHEET), None)
    meta = parse_meta(meta_sheet, sheet)
    findings: list[Finding] = []
    rows: list[FormRow] = []
    cols: dict[str, int] = hm.columns
    limit = settings.thresholds.amount_limit
    for r in range(hm.data_start, sheet.max_row + 1):
        values = sheet.rows[r - 1]
        width = len(values)
        raw = {k: values[c - 1] if c <= width else None for k, c in cols.items()}
        code = as_text(raw.get("code"))
        if code is None:
            continue
        if "合计" in norm(code):
            continue
        amounts: dict[str, float | None] = {}
        refused = False
        for key in ("value", "cumulative"):
            v = raw.get(key)
            amounts[key] = None
            if key not in cols or v is None or (isinstance(v, str) and v.startswith("=")):
                continue
            label = "当月完成" if key == "value" else "本年累计完成"
            if is_error_literal(v):
                findings.append(finding("error-value", sheet=sheet.name, row=r, column=cols[key], field=key,
                                        value=v, file=file, label=label))
                continue
            if isinstance(v, float) and math.isnan(v):  # parse_amount reads NaN as blank: here it is refused
                findings.append(finding("not-a-number", sheet=sheet.name, row=r, column=cols[key], field=key,
                                        value="NaN", file=file, label=label))
                refused = True
                continue
            try:
                amounts[key] = parse_amount(v)
            except ValueError:
                findings.append(finding("not-a-number", sheet=sheet.name, row=r, column=cols[key], field=key,
                                        value=v, file=file, label=label))
                refused = refused or isinstance(v, float)  # infinity
                continue
            number = amounts[key]
            if number is not None and abs(number) > limit:
                findings.append(finding("absurd-amount", sheet=sheet.name, row=r, column=cols[key], field=key,
                                        value=number, file=file, label=label, limit=limit))
                refused = True
        if refused:  # a figure beyond belief: nothing of this row's figures is merged (not even derived)
            amounts = {"value": None, "cumulative": None}
        try:
            flag = parse_flag(raw.get("in_stats"))
        except ValueError:
            findings.append(finding("bad-flag", sheet=sheet.name, row=r, column=cols["in_stats"], field="in_stats",
                                    value=raw.get("in_stats"), file=file, label="是否入库"))
            flag = None
        texts = {k: _cut(as_text(raw.get(k)), k, sheet.name, r, cols, file, findings)
                 for k in ("progress_text", "problems")}
        rows.append(FormRow(code=norm(code), name=as_text(raw.get("name")), value=amounts["value"],
                            cumulative=amounts["cumulative"], progress_text=texts["progress_text"],
                            problems=texts["problems"], in_stats=flag, row=r, columns=cols))
    unit_raw = meta.unit if meta else None
    return FormData(file=file, sheet=sheet.name, unit=vocabulary(settings).unit(unit_raw), unit_raw=unit_raw,
                    month=meta.month if meta else None, version=meta.version if meta else None,
                    master_id=(meta.master_id or None) if meta else None, rows=rows, findings=findings,
                    year=(meta.year or None) if meta else None)  # 0: a copy that lost its 年度


def _cut(text: str | None, key: str, sheet: str, row: int, cols: dict[str, int], file: str,
         findings: list[Finding]) -> str | None:
    """Text beyond what an Excel cell holds (32,767 characters) is cut, with a finding."""
    if text is None or len(text) <= EXCEL_CELL_CHARS:
        return text
    findings.append(finding("text-too-long", sheet=sheet, row=row, column=cols[key], field=key, value=len(text),
                            file=file, label=FIELD_BY_KEY[key].label, limit=EXCEL_CELL_CHARS))
    return text[:EXCEL_CELL_CHARS]
