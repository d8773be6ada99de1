"""The unit's monthly report form (月报表): its layout and metadata, as the writer and consolidation share them.

Pure core (standard library, pydantic). A form is one sheet ``月报表``: title (row 1), a visible
metadata row (row 2: 填报单位： | unit | 报告月份： | month | 模板版本： | v | 台账标识： | id | 年度： | year), an
instructions row (3), the header (4), one row per project from row 5, and below them, after a
blank row, the signature line (填报人, 联系电话, 单位负责人, 填报日期) in column A only (the
reader takes a row as a project only when its 项目编码 cell is filled). The same metadata is
kept as key/value rows on the hidden sheet ``_表单信息``; ``parse_meta`` reads the hidden sheet
first and falls back to the visible row (a retyped copy may have lost the hidden sheet).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from xladdin.core.sheet import SheetData
from xladdin.core.values import as_text, norm, parse_int

__all__ = [
    "FORM_COLUMNS",
    "FORM_FIRST_ROW",
    "FORM_HEADER_ROW",
    "FORM_KIND",
    "FORM_SHEET",
    "FORM_VERSION",
    "META_SHEET",
    "SIGNATURE",
    "FormColumn",
    "FormMeta",
    "form_file_name",
    "meta_rows",
    "parse_meta",
    "visible_meta_row",
]

FORM_SHEET = "月报表"
META_SHEET = "_表单信息"
FORM_KIND = "重点项目月报表"
FORM_VERSION = "1"
META_ROW, INSTRUCTIONS_ROW, FORM_HEADER_ROW, FORM_FIRST_ROW = 2, 3, 4, 5


@dataclass(frozen=True)
class FormColumn:
    """``key`` is a ledger field key, except ``prev_ytd`` (cumulative through last month)."""

    key: str
    label: str
    width: float
    fill: bool = False  # the unit fills this column; everything else is locked


FORM_COLUMNS: tuple[FormColumn, ...] = (
    FormColumn("seq", "序号", 11),  # wide enough for the label "填报单位：" above it
    FormColumn("code", "项目编码", 27),  # "2207-410104-04-01-406592" whole
    FormColumn("name", "项目名称", 34),
    FormColumn("level", "项目级别", 11),
    FormColumn("annual_plan", "年度计划投资", 13),
    FormColumn("prev_ytd", "截至上月累计完成", 14),
    FormColumn("month_current", "当月完成", 12, fill=True),
    FormColumn("ytd", "本年累计完成", 13),
    FormColumn("progress_text", "形象进度", 34, fill=True),
    FormColumn("problems", "存在问题", 26, fill=True),
    FormColumn("in_stats", "是否入库", 9, fill=True),
)


class FormMeta(BaseModel):
    """What consolidation checks before taking a form's figures."""

    model_config = ConfigDict(frozen=True)
    unit: str
    year: int
    month: int
    version: str = FORM_VERSION
    master_id: str = ""
    master_file: str = ""
    kind: str = FORM_KIND


_KEYS: tuple[tuple[str, str], ...] = (
    ("kind", "表单类型"),
    ("unit", "填报单位"),
    ("year", "年度"),
    ("month", "报告月份"),
    ("version", "模板版本"),
    ("master_id", "台账标识"),
    ("master_file", "主台账文件"),
)


def form_file_name(meta: FormMeta) -> str:
    return f"{meta.year}年{meta.month}月_{meta.unit}_月报表.xlsx"


def meta_rows(meta: FormMeta) -> list[list[Any]]:
    """Key/value rows for the hidden metadata sheet."""
    return [[label, getattr(meta, key)] for key, label in _KEYS]


SIGNATURE = ("填报人：\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000联系电话：\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000"
             "单位负责人：\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000填报日期：\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日")


def visible_meta_row(meta: FormMeta) -> list[Any]:
    """Labels end with "：" so label and value read apart ("填报单位：" | "城东路街道")."""
    return ["填报单位：", meta.unit, "报告月份：", meta.month, "模板版本：", meta.version, "台账标识：", meta.master_id,
            "年度：", meta.year]


def parse_meta(meta_sheet: SheetData | None, form_sheet: SheetData | None) -> FormMeta | None:
    """Metadata from the hidden sheet, else from the form's visible row 2; None when neither holds a
    unit and a month (then the file is not one of our forms, or it was damaged)."""
    found: dict[str, Any] = {}
    by_label = {label: key for key, label in _KEYS}
    if meta_sheet is not None:
        for r in range(1, meta_sheet.max_row + 1):
            key = by_label.get(norm(meta_sheet.value(r, 1)))
            if key:
                found[key] = meta_sheet.value(r, 2)
    if ("unit" not in found or "month" not in found) and form_sheet is not None:
        row = form_sheet.rows[META_ROW - 1] if form_sheet.max_row >= META_ROW else []
        for i in range(0, len(row) - 1):
            key = by_label.get(norm(row[i]).rstrip("：:"))
            if key and key not in found:
                found[key] = row[i + 1]
    unit = as_text(found.get("unit"))
    try:
        month = parse_int(found.get("month"))
        year = parse_int(found.get("year")) or 0
    except ValueError:
        return None
    if not unit or month is None:
        return None
    return FormMeta(
        unit=norm(unit),
        year=year,
        month=month,
        version=as_text(found.get("version")) or "",
        master_id=as_text(found.get("master_id")) or "",
        master_file=as_text(found.get("master_file")) or "",
        kind=as_text(found.get("kind")) or FORM_KIND,
    )
