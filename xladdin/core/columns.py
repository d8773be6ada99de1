"""Every column of a ledger accounted for: mapped to a field, known to be descriptive, or reported.

Pure core (standard library). A column the reader does not understand is never dropped in
silence: when it holds numbers (or its header speaks of money) it is an ``unknown-column``
warning naming the header and the 参数 【列名别名】 line that teaches the reader; text columns
(建设内容, 形象进度, 存在问题, 备注, 联系人 …) are listed as descriptive. ``inspect`` and the
校验结果 sheet print this account.

Assumption: a column of percentages or ratios (完成比例%, 占年计划%) that is not understood is
descriptive: every rate is computed from the amounts, never read.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from xladdin.core.fields import FIELD_BY_KEY, READER_FIELDS
from xladdin.core.findings import Finding, column_letter, finding
from xladdin.core.headers import HeaderMap, header_key
from xladdin.core.values import norm, parse_amount

__all__ = ["ColumnInfo", "account_columns", "alias_line"]

Status = Literal["field", "duplicate", "descriptive", "unknown"]
STATUS_LABELS: dict[str, str] = {"field": "已识别", "duplicate": "重复（未读取）", "descriptive": "说明性文字（不参与计算）",
                                 "unknown": "未识别"}
_DESCRIPTIVE = ("内容", "规模", "进度", "问题", "备注", "说明", "联系", "电话", "负责人", "责任人", "领导", "措施", "时限",
                "时间", "日期", "目标", "效益", "性质", "地址", "地点", "位置", "手续", "批文", "批复", "许可", "文号",
                "立项", "环评", "土地", "节能", "用地", "规划", "审查", "审核", "标识", "队长", "办理", "方案", "情况",
                "类型", "类别", "阶段", "状态", "是否", "名称", "代码", "编码", "年限", "工期", "来源", "渠道", "单位",
                "部门", "面积", "产能", "产值", "税收", "就业", "亩", "平方米", "公里", "吨", "序号", "编号", "操作",
                "节点", "安排", "调度", "星级", "批次", "期次", "月份", "文件", "通知书", "选择")
_MONEY = ("投资", "资金", "金额", "万元", "亿元", "完成额", "计划额", "债", "支出", "到位", "拨付", "费用", "费")
_RATE = re.compile(r"(%|％|率$|比例$|^占|[^独]占)")
_NO_BRACKETS = str.maketrans("", "", "()（）")
_GROUP = re.compile(r"[(（][^)）]*[)）]")


@dataclass
class ColumnInfo:
    """One column of the ledger sheet and what the reader made of it."""

    column: int
    letter: str
    header: str  # as written ("组 / 子" for two header rows)
    status: Status
    key: str | None = None  # the field read from it (for "duplicate": the field already read elsewhere)
    label: str | None = None  # that field's Chinese label
    numbers: int = 0  # cells holding numbers among the project rows
    suggestion: str | None = None  # label of the field an alias would most likely be for

    def to_json(self) -> dict[str, Any]:
        return {"column": self.letter, "header": self.header, "status": self.status,
                "status_label": STATUS_LABELS[self.status], "field": self.key, "label": self.label,
                "numbers": self.numbers, "alias_line": alias_line(self) if self.status == "unknown" else None}


def alias_line(info: ColumnInfo) -> list[str]:
    """The two cells of the 参数 【列名别名】 row that teaches the reader this column: [字段, 别名]."""
    alias = info.header.split(" / ")[-1]
    return [info.suggestion or "（字段名）", alias]


def _numeric(v: Any) -> bool:
    if isinstance(v, bool) or v is None:
        return False
    if isinstance(v, int | float):
        return v == v
    if isinstance(v, str) and v.strip() and not v.startswith("="):
        try:
            return parse_amount(v) is not None
        except ValueError:
            return False
    return False


def _suggest(header: str) -> str | None:
    """The amount field whose label or alias is nearest to ``header`` (units and qualifiers dropped)."""
    text = _GROUP.sub("", header_key(header).split("/")[-1]) or header_key(header)
    names: dict[str, str] = {}
    for f in READER_FIELDS:
        if f.kind == "amount":
            for word in (f.label, *f.aliases):
                names.setdefault(norm(word), f.label)
    hits = difflib.get_close_matches(text, list(names), n=1, cutoff=0.5)
    return names[hits[0]] if hits else None


def account_columns(hm: HeaderMap, rows: list[list[Any]], project_rows: Iterable[int], sheet: str,
                    max_col: int) -> tuple[list[ColumnInfo], list[Finding]]:
    """Each column from A to the last header or data column, with a warning per unknown number column."""
    positions = [r - 1 for r in project_rows]
    last = max([*hm.labels, *[c for k, c in hm.columns.items()]], default=0)
    last = max(last, min(max_col, last + 3))  # a few unlabelled columns right of the header, if they hold data
    used = {c: k for k, c in hm.columns.items()}
    out: list[ColumnInfo] = []
    findings: list[Finding] = []
    for c in range(1, last + 1):
        header = hm.written.get(c, "")
        key = hm.keys.get(c)
        if key is not None and (used.get(c) == key or c in hm.cumulative.values()):
            label = FIELD_BY_KEY[key].label if key in FIELD_BY_KEY else key
            if used.get(c) != key:
                label = f"1-{next(n for n, col in hm.cumulative.items() if col == c)}月累计"
            out.append(ColumnInfo(c, column_letter(c), header, "field", key, label))
            continue  # a mapped column: read (and reported cell by cell) by the reader
        values = [rows[i][c - 1] for i in positions if c <= len(rows[i])]
        numbers = sum(map(_numeric, values))
        filled = sum(1 for v in values if v is not None and not (isinstance(v, str) and not v.strip()))
        if key is not None:
            status: Status = "duplicate"
            label = FIELD_BY_KEY[key].label if key in FIELD_BY_KEY else key
            info = ColumnInfo(c, column_letter(c), header, status, key, label, numbers)
            if status == "duplicate" and numbers and FIELD_BY_KEY.get(key) and FIELD_BY_KEY[key].kind == "amount":
                findings.append(finding("duplicate-column", sheet=sheet, row=_header_row(hm, c), column=c, field=key,
                                        value=header, label=label, other=column_letter(hm.columns[key])))
            out.append(info)
            continue
        if not header and not filled:
            continue  # an empty spacer column
        text = norm(header)
        moneyish = any(w in text for w in _MONEY)
        descriptive = any(w in text for w in _DESCRIPTIVE)
        is_number_column = numbers > 0 and numbers * 2 >= filled
        if _RATE.search(text.split("/")[-1].translate(_NO_BRACKETS)):
            status = "descriptive"  # a percentage: every rate is computed from the amounts, never read
        elif (is_number_column and (moneyish or not descriptive)) or (moneyish and not filled and not descriptive):
            status = "unknown"
        else:
            status = "descriptive"
        info = ColumnInfo(c, column_letter(c), header or "（无表头）", status, numbers=numbers)
        if status == "unknown":
            info.suggestion = _suggest(header) if header else None
            if is_number_column:
                hint = (f"如是“{info.suggestion}”，请在参数表【列名别名】“{info.suggestion}”一行的别名中填写“{alias_line(info)[1]}”"
                        if info.suggestion else f"请在参数表【列名别名】中该字段一行的别名中填写“{alias_line(info)[1]}”")
                findings.append(finding("unknown-column", sheet=sheet, row=_header_row(hm, c), column=c,
                                        value=info.header, hint=hint, limit=float(numbers)))
        out.append(info)
    return out, findings


def _header_row(hm: HeaderMap, col: int) -> int:
    """The header row where the column's own text sits (the lower row of a two-row header when it has one)."""
    written = hm.written.get(col, "")
    return hm.header_rows[-1] if " / " in written else hm.header_rows[0]
