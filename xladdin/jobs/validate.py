"""The validation job: read the ledger, run every rule, and optionally mark the workbook.

Engine-agnostic. Marking writes the 校验结果 sheet (one row per finding, linked to its cell),
fills offending cells and adds a note to each. Marks are recorded in the hidden sheet
``_xladdin`` with each cell's original fill and note, so a re-run restores them first and
touches nothing else.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from xladdin.core.findings import CODES, SEVERITY_LABELS, Finding, Report
from xladdin.core.ledger import READ_COLUMNS, Ledger
from xladdin.core.regions import COLUMNS_REGION, REGIONS, SHEETS
from xladdin.core.rules import validate_ledger
from xladdin.core.settings import Settings
from xladdin.core.sheet import cell_ref, parse_ref
from xladdin.engines.base import CellStyle, Engine, Link
from xladdin.figures.presentation import field_label
from xladdin.jobs.inspect import column_rows
from xladdin.jobs.outputs import broken_names, region_anchor
from xladdin.jobs.session import load_ledger, load_settings

__all__ = ["FINDINGS_HEADER", "MARK_NEEDS", "Marked", "clear_marks", "finding_row", "mark_findings", "validate",
           "validate_and_mark", "write_columns", "write_findings"]

# what ``validate_and_mark`` writes: the engine is chosen for this before the job runs
MARK_NEEDS = frozenset({"cells", "links", "names", "sheets", "fills", "notes", "styles"})

FINDINGS_HEADER: list[object] = ["序号", "级别", "问题", "工作表", "单元格", "字段", "填写内容", "说明", "文件", "检查",
                                 "代码"]
COLORS = {"error": "FFC7CE", "warning": "FFEB9C"}
_SEVERITY = SEVERITY_LABELS
LEDGER_CHECK, FORMS_CHECK = "台账校验", "月报汇总"
_SOURCE_COL = FINDINGS_HEADER.index("检查")
_MARKS_HEADER: list[object] = ["工作表", "单元格", "原填充色", "原批注"]


def validate(engine: Engine, *, sheet: str | None = None, settings: Settings | None = None,
             setting_findings: list[Finding] | None = None) -> tuple[Report, Ledger]:
    """Validate the workbook's ledger; the 参数 sheet's own problems are part of the report
    (``setting_findings``, when the caller parsed 参数 itself)."""
    setting_findings = list(setting_findings or [])
    if settings is None:
        settings, setting_findings = load_settings(engine)
    engine.status("正在读取项目台账 …")
    ledger = load_ledger(engine, settings, sheet, required=READ_COLUMNS)
    engine.status(f"正在校验 {len(ledger)} 个项目 …")
    return validate_ledger(ledger, settings, extra=setting_findings), ledger


def write_findings(engine: Engine, report: Report, *, title: str = "台账校验结果", source: str = LEDGER_CHECK,
                   ledger: Ledger | None = None) -> None:
    """Replace this check's rows of the findings block (region ``xl_findings``) with ``report``;
    with ``ledger``, also the account of its columns (region ``xl_columns``: header as written →
    field, or 未识别 with the 参数 【列名别名】 row to add).

    校验结果 holds the findings of both checks, told apart by the 检查 column: a ledger
    validation (``validate --mark``) replaces only the 台账校验 rows and a consolidation only
    the 月报汇总 rows, so what the bulletin says about the forms stays true after a later
    validation. Field names are Chinese, values as staff wrote them, the code last."""
    sheet, anchor = region_anchor(engine, "findings")
    old = engine.read(sheet)
    row0 = int("".join(ch for ch in anchor if ch.isdigit()))
    sheets = set(engine.sheet_names())
    mine: list[list[object]] = []
    for f in report.findings:
        where: object = Link(f.cell, f"'{f.sheet}'!{f.cell}") if f.cell and f.sheet in sheets and not f.file else f.cell
        mine.append(finding_row(f, 0, source, where))
    if not report.findings:
        mine.append(["", "", "未发现问题", "", "", "", "", f"共校验 {report.projects} 个项目。", "", source, ""])
    others = _other_rows(old.rows[row0:], source)
    rows: list[list[object]] = [FINDINGS_HEADER]
    n = 0
    for row in mine + others:
        if row[0] != "":
            n += 1
            row = [n, *row[1:]]
        rows.append(row)
    clear_rows = max(old.max_row - row0 + 1, 0)
    engine.write_block(sheet, anchor, rows, clear=(clear_rows, len(FINDINGS_HEADER)))
    kept = sum(1 for r in others if r[0] != "")
    summary = f"{title}：共 {report.projects} 个项目，错误 {report.errors} 条，警告 {report.warnings} 条。"
    if kept:
        summary += f"另有其他检查的结果 {kept} 条（见“检查”列）。"
    if row0 > 1:
        engine.write_cells(sheet, {f"A{row0 - 1}": summary})
    r0, c0 = parse_ref(anchor)
    styles = {cell_ref(r0, c0 + j): CellStyle(bold=True, border="tblr", align="center")
              for j in range(len(FINDINGS_HEADER))}
    for i in range(1, len(rows)):
        for j in range(len(FINDINGS_HEADER)):
            styles[cell_ref(r0 + i, c0 + j)] = CellStyle(border="tblr", bold=False)
    engine.set_styles(sheet, styles)
    if ledger is not None and ledger.column_map:
        write_columns(engine, ledger)


def write_columns(engine: Engine, ledger: Ledger) -> None:
    """The column account below the defined name ``xl_columns`` (created beside the findings the first time)."""
    region = COLUMNS_REGION
    created = engine.defined_name(region.name) is None  # a name left behind is pointed again by region_anchor
    sheet, anchor = region_anchor(engine, region)
    old = engine.read(sheet)
    row0, col0 = parse_ref(anchor)
    rows = column_rows(ledger)
    engine.write_block(sheet, anchor, rows, clear=(max(old.max_row - row0 + 1, 0), len(rows[0])))
    if row0 > 1:
        engine.write_cells(sheet, {cell_ref(row0 - 1, col0): f"台账“{ledger.sheet}”各列的识别结果（未识别的列：把后两格填入参数表【列名别名】）"})
    if created:
        engine.set_defined_name(region.name, sheet, anchor)


def finding_row(f: Finding, n: int, source: str = LEDGER_CHECK, where: object = None) -> list[object]:
    """One finding as a 校验结果 row (the sheet and the CSV alike), in ``FINDINGS_HEADER`` order."""
    return [n, _SEVERITY[f.severity], CODES[f.code][1], f.sheet, f.cell if where is None else where,
            field_label(f.field), f.value, f.message, f.file, source, f.code]


def _other_rows(rows: list[list[object]], source: str) -> list[list[object]]:
    """Rows below the header written by the other check (a block without the 检查 column, from
    an earlier version, is dropped: it is replaced whole as before)."""
    out: list[list[object]] = []
    for row in rows:
        cells = [*row, *[None] * (len(FINDINGS_HEADER) - len(row))][: len(FINDINGS_HEADER)]
        if all(v in (None, "") for v in cells):  # (the column account may sit beside, from column M)
            break
        kind = cells[_SOURCE_COL]
        if kind in (LEDGER_CHECK, FORMS_CHECK) and kind != source:
            out.append(["" if v is None else v for v in cells])
    return out


def clear_marks(engine: Engine) -> None:
    """Restore every cell we marked last time to its original fill and note."""
    marks = SHEETS["marks"]
    if marks not in engine.sheet_names():
        return
    data = engine.read(marks)
    by_sheet: dict[str, list[tuple[str, str | None, str | None]]] = defaultdict(list)
    for row in data.rows[1:]:
        if row and row[0] and len(row) > 1 and row[1]:
            fill = row[2] if len(row) > 2 and row[2] else None
            note = row[3] if len(row) > 3 and row[3] else None
            by_sheet[str(row[0])].append((str(row[1]), fill and str(fill), note and str(note)))
    existing = set(engine.sheet_names())
    for sheet, cells in by_sheet.items():
        if sheet not in existing:
            continue
        for ref, fill, note in cells:
            engine.set_fill(sheet, [ref], fill)
            engine.set_note(sheet, ref, note)
    engine.write_block(marks, "A1", [], clear=(data.max_row, 4))


@dataclass(frozen=True)
class Marked:
    """What the 校验台账 job did: its report, the cells it marked, and the 参数 it ran with (the
    session reads the backup count and age from them instead of parsing 参数 again)."""

    report: Report
    marked: int
    settings: Settings


def validate_and_mark(engine: Engine, *, sheet: str | None = None) -> Marked:
    """The 校验台账 job: validate, write 校验结果, mark the offending cells."""
    settings, setting_findings = load_settings(engine)
    broken = broken_names(engine, [REGIONS["findings"], COLUMNS_REGION])
    report, ledger = validate(engine, sheet=sheet, settings=settings, setting_findings=setting_findings + broken)
    write_findings(engine, report, ledger=ledger)
    return Marked(report, mark_findings(engine, report), settings)


def mark_findings(engine: Engine, report: Report) -> int:
    """Fill and annotate each cell with findings; returns the number of cells marked."""
    clear_marks(engine)
    engine.ensure_sheet(SHEETS["marks"], hidden=True)
    existing = set(engine.sheet_names())
    grouped: dict[tuple[str, str], list[str]] = defaultdict(list)
    worst: dict[tuple[str, str], str] = {}
    for f in report.findings:
        if not f.cell or f.file or f.sheet not in existing:
            continue
        grouped[(f.sheet, f.cell)].append(f.message)
        if worst.get((f.sheet, f.cell)) != "error":
            worst[(f.sheet, f.cell)] = f.severity
    record: list[list[object]] = [_MARKS_HEADER]
    by_sheet: dict[str, list[str]] = defaultdict(list)
    for sheet, cell in grouped:
        by_sheet[sheet].append(cell)
    for sheet, cells in by_sheet.items():
        fills = engine.fills(sheet, cells)
        notes = engine.notes(sheet, cells)
        for cell in cells:
            record.append([sheet, cell, fills[cell] or "", notes[cell] or ""])
            engine.set_fill(sheet, [cell], COLORS[worst[(sheet, cell)]])
            text = "\n".join(grouped[(sheet, cell)])
            engine.set_note(sheet, cell, f"xladdin 校验：\n{text}" + (f"\n——原批注：{notes[cell]}" if notes[cell] else ""))
    engine.write_block(SHEETS["marks"], "A1", record)
    return len(record) - 1
