"""``inspect``: how the reader sees a ledger — each column's header as written and what it was read as.

Engine-agnostic; never writes. For every column: the field it feeds, 说明性文字 (text the jobs
do not compute with), or 未识别 with the 参数 【列名别名】 row that teaches the reader the column.
Also the header rows, the unit taken from the title block, the section headings and the reader's
findings about the layout (unknown or missing columns, headings whose amounts disagree, and with
``month`` the period check).
"""

from __future__ import annotations

from typing import Any

from xladdin.core.columns import STATUS_LABELS, alias_line
from xladdin.core.findings import Finding
from xladdin.core.ledger import Ledger, find_ledger_sheet, read_ledger
from xladdin.core.period_check import for_period
from xladdin.core.settings import Settings
from xladdin.core.vocabulary import vocabulary
from xladdin.engines.base import Engine
from xladdin.jobs.session import load_settings

__all__ = ["LAYOUT_CODES", "column_rows", "inspect", "inspect_lines"]

LAYOUT_CODES = frozenset({"unknown-column", "duplicate-column", "missing-column", "heading-sum", "heading-count",
                          "period-missing", "period-mismatch", "unknown-title-unit", "bad-setting"})
COLUMN_HEADER: list[object] = ["列", "表头（原文）", "识别为", "参数【列名别名】字段", "别名"]


def inspect(engine: Engine, *, sheet: str | None = None, month: int | None = None,
            settings: Settings | None = None) -> dict[str, Any]:
    """The reader's account of the workbook's ledger as a JSON-ready dict."""
    setting_findings: list[Finding] = []
    if settings is None:
        settings, setting_findings = load_settings(engine)
    data = find_ledger_sheet(engine.sheet_names(), engine.read, settings, sheet)
    ledger = read_ledger(data, settings, required=())
    findings = [*setting_findings, *ledger.findings]
    if month is not None:
        ledger, period = for_period(ledger, month)
        findings += period
    layout = [f for f in findings if f.code in LAYOUT_CODES]
    return {
        "sheet": ledger.sheet,
        "header_rows": list(ledger.header_rows),
        "data_start": ledger.header_rows[-1] + 1 if ledger.header_rows else None,
        "projects": len(ledger),
        "unit_from_title": ({"unit": ledger.unit_from_title[0], "cell": ledger.unit_from_title[1]}
                            if ledger.unit_from_title else None),
        "columns": [c.to_json() for c in ledger.column_map],
        "headings": [{"row": h.row, "text": h.text, "rank": h.rank, "level": _level(ledger, h.title, settings),
                      "count": h.count, "projects": len(h.members)} for h in ledger.headings],
        "alias_lines": [alias_line(c) for c in ledger.column_map if c.status == "unknown"],
        "findings": [f.model_dump(include={"code", "severity", "sheet", "cell", "field", "value", "message"})
                     for f in layout],
    }


def _level(ledger: Ledger, title: str, settings: Settings) -> str | None:
    return vocabulary(settings).level(title)[0]


def column_rows(ledger: Ledger) -> list[list[object]]:
    """The column account as rows for the 校验结果 sheet (header first)."""
    rows: list[list[object]] = [COLUMN_HEADER]
    for c in ledger.column_map:
        what = c.label if c.status == "field" else STATUS_LABELS[c.status]
        if c.status == "duplicate":
            what = f"{STATUS_LABELS[c.status]}：{c.label}"
        line = alias_line(c) if c.status == "unknown" else ["", ""]
        rows.append([c.letter, c.header, what, *line])
    return rows


def inspect_lines(result: dict[str, Any]) -> list[str]:
    """The account as console lines for staff."""
    rows = result["header_rows"]
    span = f"第 {rows[0]} 行" if len(rows) == 1 else f"第 {rows[0]}-{rows[-1]} 行"
    lines = [f"台账工作表：{result['sheet']}（表头{span}，共 {result['projects']} 个项目）"]
    if result["unit_from_title"]:
        t = result["unit_from_title"]
        lines.append(f"责任单位取自标题 {t['cell']}：{t['unit']}")
    lines.append("列  表头（原文） → 识别为")
    for c in result["columns"]:
        what = c["label"] if c["status"] == "field" else c["status_label"]
        if c["status"] == "duplicate":
            what = f"{c['status_label']}：{c['label']}"
        if c["status"] == "unknown" and c["numbers"]:
            what += f"（含 {c['numbers']} 个数字）"
        lines.append(f"{c['column']:<3} {c['header']} → {what}")
    for h in result["headings"]:
        level = f"，级别 {h['level']}" if h["level"] else ""
        lines.append(f"分组标题 第 {h['row']} 行：{h['text']}（其下 {h['projects']} 个项目{level}）")
    if result["alias_lines"]:
        lines.append("未识别的列：如是台账字段，把下面各行复制到参数表【列名别名】（第一格为字段，第二格为别名；"
                     "字段已有别名时用“、”接在后面）：")
        lines += ["\t".join(pair) for pair in result["alias_lines"]]
    for f in result["findings"]:
        lines.append(f"[{'错误' if f['severity'] == 'error' else '警告'}] {f['sheet']}!{f['cell']}  {f['message']}")
    return lines
