"""The master ledger workbook (主台账): layout, native formulas, validation, and its writer.

Writer (imports openpyxl, pandas). ``build_master`` writes the template staff start from
(``xladdin template DIR``) and, given a projects frame and statistics rows, the demo ledger.
Derived columns are native formulas so the book computes without the add-in; they read the
report month from the defined name ``xl_month``. Formula-only rows are blank for the reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from xladdin.books.styling import (
    AMOUNT_FORMAT,
    RATE_FORMAT,
    add_name,
    amount_rule,
    bulletin_page,
    header_row,
    list_rule,
    print_setup,
    put_text_safe,
    save_workbook,
    title_row,
    whole_rule,
)
from xladdin.core.fields import (
    FIELDS,
    LEVELS,
    NATURES,
    SGYP_BATCHES,
    SGYP_STAGES,
    STATS_FIELDS,
    STATUSES,
    month_field,
)
from xladdin.core.regions import NAMES, REGIONS, SHEETS
from xladdin.core.settings import Settings, default_settings, settings_rows
from xladdin.figures import bulletin_layout as BL
from xladdin.figures.presentation import plain, yes_no

__all__ = [
    "LEDGER_COLUMNS",
    "LEDGER_FIRST_ROW",
    "LEDGER_HEADER_ROW",
    "MASTER_FILE",
    "NAMES",
    "STATS_COLUMNS",
    "STATS_FIRST_ROW",
    "TEMPLATE_ID",
    "TEMPLATE_VERSION",
    "LedgerColumn",
    "build_master",
    "flag_text",
]

TEMPLATE_VERSION = "2022.1"
TEMPLATE_ID = "GC-TEMPLATE-2022"  # identity of a ledger started from the blank template
MASTER_FILE = "主台账模板.xlsx"
LEDGER_HEADER_ROW, LEDGER_FIRST_ROW = 3, 4
STATS_HEADER_ROW, STATS_FIRST_ROW = 2, 3
OUTPUT_WIDTHS: dict[str, tuple[float, ...]] = {  # column widths of the output sheets, by region
    "summary": (22, 14, 16, 18, 18, 18, 16, 10, 12, 14, 12, 10),
    "ranking": (7, 16, 18, 18, 10, 14, 16),
    "programmes": (22, 18, 18, 18, 18, 12, 12, 12, 12, 12, 12, 12),
    "findings": (6, 6, 18, 10, 10, 14, 16, 60, 30, 10, 22),
}
BULLETIN_ROWS = 300  # pre-styled body rows of 通报 (the demo's bulletin uses about 90)
VALIDATED_ROWS = 3000  # validation and formats reach this far below the header, for rows staff add
FLAG_KEYS = tuple(f.key for f in FIELDS if f.kind == "flag")


@dataclass(frozen=True)
class LedgerColumn:
    key: str
    label: str
    width: float
    number_format: str | None = None
    formula: str | None = None  # str.format template: {r} row, {<key>} column letters, {month} name


def _ledger_columns() -> tuple[LedgerColumn, ...]:
    formulas = {
        "month_current": '=IF(${name}{r}="","",INDEX({m01}{r}:{m12}{r},1,{month}))',
        "ytd": '=IF(${name}{r}="","",SUM({m01}{r}:{m12}{r}))',
        "completion_rate": '=IF(N({annual_plan}{r})>0,{ytd}{r}/{annual_plan}{r},"")',
        "schedule_gap": '=IF({completion_rate}{r}="","",{completion_rate}{r}-{month}/12)',
    }
    cols: list[LedgerColumn] = []
    for f in FIELDS:
        fmt = AMOUNT_FORMAT if f.kind == "amount" else RATE_FORMAT if f.key == "completion_rate" else None
        cols.append(LedgerColumn(f.key, f.label, f.width, fmt, formulas.get(f.key)))
        if f.key == "completion_rate":  # time-schedule gap: not a stored field, derived only
            cols.append(LedgerColumn("schedule_gap", "较序时进度", 9, RATE_FORMAT, formulas["schedule_gap"]))
    return tuple(cols)


LEDGER_COLUMNS: tuple[LedgerColumn, ...] = _ledger_columns()
_LETTER = {c.key: get_column_letter(i) for i, c in enumerate(LEDGER_COLUMNS, start=1)}
STATS_COLUMNS: tuple[LedgerColumn, ...] = (
    *(LedgerColumn(f.key, f.label, f.width, AMOUNT_FORMAT if f.kind == "amount" else None) for f in STATS_FIELDS),
    LedgerColumn("growth", "同比增长", 10, RATE_FORMAT, '=IF(N(D{r})>0,C{r}/D{r}-1,"")'),
    LedgerColumn("target_rate", "目标完成率", 10, RATE_FORMAT, '=IF(N(E{r})>0,C{r}/E{r},"")'),
)


def ledger_formula(key: str, row: int) -> str | None:
    """The native formula of derived column ``key`` on sheet row ``row`` (None for input columns)."""
    col = next(c for c in LEDGER_COLUMNS if c.key == key)
    return col.formula.format(r=row, month=NAMES["month"], **_LETTER) if col.formula else None


def flag_text(value: Any) -> str | None:
    """True -> 是, False -> 否, missing -> blank."""
    value = plain(value)
    return None if value is None else yes_no(bool(value))


def _cell_value(key: str, value: Any) -> Any:
    if key in FLAG_KEYS:
        return flag_text(value)
    return plain(value)


def _guide(ws: Worksheet, settings: Settings, master_id: str) -> None:
    lines = [
        f"{settings.year}年管城回族区重点建设项目台账 使用说明",
        "",
        "一、本工作簿各表：",
        "  参数：单位名单（含别名、是否参与排名）、行业类别、增长目标和各项阈值，修改后重新运行即生效；",
        "  项目台账：每个项目一行，金额单位为万元；黄色以外的公式列（当月完成、本年累计完成、完成率、较序时进度）自动计算，请勿改写；",
        "  单位统计：区统计局提供的各单位本年累计和上年同期固定资产投资及年度目标，每月一行一单位（1-2月合并为2月）；",
        "  汇总、排名、排名历史、专项、通报、校验结果：由“月度汇总”“校验”自动生成，手工修改会在下次运行时被替换。",
        "二、每月流程：",
        "  1. 在项目台账第2行填写报告月份；2. 运行 xladdin forms 生成各单位月报表并下发；",
        "  3. 收回月报表后运行 xladdin consolidate 汇总，并查看“校验结果”；4. 核对后打印“通报”。",
        "三、填写要求：项目编码唯一；项目级别填 省重点/市重点/区重点，攻坚星级仅限区重点；是/否栏只填“是”或“否”；",
        "  金额为数字（万元），不要带“约”“万元”等文字；各月完成填当月数，累计由公式计算。",
        "  专项工作各列（建设性质、计划开工时间、政府投资、招商引资年度、主导产业链、三个一批批次、关键环节状态、",
        "  专项债申请额度、专项债已发行）用于方案各项专项指标；不填时该指标显示“无数据”。关键环节状态填尚未完成的环节，",
        "  如“控规批复、土地出让”，全部完成填“无”。"
        "四、没有安装插件时，本表在 Excel、WPS 和 LibreOffice 中同样可以填写和计算。",
        "",
    ]
    for i, text in enumerate(lines, start=1):
        ws.cell(row=i, column=1, value=text)
    ws["A1"].font = Font(bold=True, size=14)
    meta = len(lines) + 1
    for offset, (label, value) in enumerate((("模板版本", TEMPLATE_VERSION), ("台账标识", master_id))):
        ws.cell(row=meta + offset, column=1, value=label)
        ws.cell(row=meta + offset, column=2, value=value)
    ws.column_dimensions["A"].width = 110
    ws.column_dimensions["B"].width = 24
    add_name(ws, NAMES["version"], f"B{meta}")
    add_name(ws, NAMES["master_id"], f"B{meta + 1}")


def _settings_sheet(ws: Worksheet, settings: Settings) -> None:
    rows = settings_rows(settings)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    for section, name, col in (("【单位】", NAMES["units"], "A"), ("【行业类别】", NAMES["categories"], "A")):
        start = next(i for i, row in enumerate(rows, start=1) if row and row[0] == section) + 2
        end = start
        while end < len(rows) and rows[end]:  # rows[end] is sheet row end + 1
            end += 1
        add_name(ws, name, f"{col}{start}:{col}{end}")
    for col, width in zip("ABCD", (26, 22, 40, 12), strict=True):
        ws.column_dimensions[col].width = width
    ws["A1"].font = Font(bold=True)


def _ledger_sheet(ws: Worksheet, settings: Settings, projects: pd.DataFrame, month: int, spare: int) -> None:
    n = len(LEDGER_COLUMNS)
    title_row(ws, 1, f"{settings.year}年管城回族区重点建设项目台账", n)
    ws["A2"] = "单位：万元"
    ws["E2"], ws["F2"], ws["G2"] = "报告月份", month, "序时进度"
    ws["H2"] = f"={NAMES['month']}/12"
    ws["H2"].number_format = RATE_FORMAT
    add_name(ws, NAMES["month"], "F2")
    whole_rule(ws, "F2", 1, 12, "报告月份", "填写本次汇总的月份（1-12）。1-2月合并报送时填2。")
    header_row(ws, LEDGER_HEADER_ROW, [c.label for c in LEDGER_COLUMNS], [c.width for c in LEDGER_COLUMNS])
    add_name(ws, NAMES["ledger"], f"A{LEDGER_HEADER_ROW}:{get_column_letter(n)}{LEDGER_HEADER_ROW}")
    last = LEDGER_FIRST_ROW + len(projects) + spare - 1
    records = projects.to_dict("records")
    for i in range(len(records) + spare):
        r = LEDGER_FIRST_ROW + i
        record = records[i] if i < len(records) else {}
        for c, col in enumerate(LEDGER_COLUMNS, start=1):
            cell = ws.cell(row=r, column=c)
            if col.formula:
                cell.value = ledger_formula(col.key, r)
            elif col.key in record:
                put_text_safe(cell, _cell_value(col.key, record[col.key]))
            if col.number_format:
                cell.number_format = col.number_format
    _ledger_rules(ws, max(last, LEDGER_FIRST_ROW + VALIDATED_ROWS))
    ws.freeze_panes = f"C{LEDGER_FIRST_ROW}"
    print_setup(ws, title_rows=f"1:{LEDGER_HEADER_ROW}")
    ledger_print_view(ws)


PRINT_KEYS = ("seq", "name", "code", "unit", "level", "status", "total_investment", "annual_plan", "ytd",
              "completion_rate", "schedule_gap", "progress_text", "problems")


def ledger_print_view(ws: Worksheet) -> None:
    """The ledger prints on A3 landscape, one page wide, header rows on every page; every column but
    the key ones (``PRINT_KEYS``) sits in an outline group, open for entry: the outline button "1"
    folds them away and what prints is the key columns (about 14 instead of 45, text at a readable
    size), button "2" brings them back. Assumption (plan silent): the columns a 发改委 reads on
    paper are identity, level, status, money, progress and problems."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    for i, col in enumerate(LEDGER_COLUMNS, start=1):
        if col.key not in PRINT_KEYS:
            ws.column_dimensions[get_column_letter(i)].outlineLevel = 1


def _ledger_rules(ws: Worksheet, last: int) -> None:
    def span(key: str) -> str:
        return f"{_LETTER[key]}{LEDGER_FIRST_ROW}:{_LETTER[key]}{last}"

    list_rule(ws, span("unit"), f"={NAMES['units']}", "责任单位", "从单位名单中选择；名单在“参数”表【单位】中维护。")
    list_rule(ws, span("category"), f"={NAMES['categories']}", "行业类别", "从类别名单中选择；名单在“参数”表【行业类别】中维护。")
    list_rule(ws, span("level"), ",".join(LEVELS), "项目级别", "省重点、市重点或区重点。")
    list_rule(ws, span("status"), ",".join(STATUSES), "项目状态", "谋划、前期、在建或竣工。")
    list_rule(ws, span("sgyp_stage"), ",".join(SGYP_STAGES), "三个一批阶段", "签约、开工、投产或达效；非三个一批项目留空。")
    yes_no = " ".join(span(k) for k in FLAG_KEYS)
    list_rule(ws, yes_no, "是,否", "是/否", "填“是”或“否”。攻坚星级仅限区重点项目。")
    list_rule(ws, span("sgyp_batch"), ",".join(SGYP_BATCHES), "三个一批批次", "项目列入本期的哪一批清单；非三个一批项目留空。")
    list_rule(ws, span("nature"), ",".join(NATURES), "建设性质", "新建或续建。")
    whole_rule(ws, span("attracted_year"), 2000, 2060, "招商引资年度", "项目引进（签约）的年份，如 2022；非招商项目留空。")
    whole_rule(ws, span("sgyp_round"), 1, 20, "三个一批期次", "填期次数字，如 1、2、3；非三个一批项目留空。")
    whole_rule(ws, f"{span('start_year')} {span('end_year')}", 2000, 2060, "年份", "填四位年份，如 2022。")
    amounts = [k for k in ("bond_amount", "bond_disbursed", "bond_applied", "bond_issued", "total_investment",
                           "completed_before", "annual_plan")]
    amount_rule(ws, " ".join(span(k) for k in amounts), "金额", "填数字，单位万元，不小于 0。")
    months = f"{_LETTER[month_field(1)]}{LEDGER_FIRST_ROW}:{_LETTER[month_field(12)]}{last}"
    amount_rule(ws, months, "当月完成投资", "填该月完成投资（万元，当月数，不是累计数）。")


def _stats_sheet(ws: Worksheet, settings: Settings, stats: pd.DataFrame) -> None:
    n = len(STATS_COLUMNS)
    title_row(ws, 1, f"{settings.year}年各单位固定资产投资统计（区统计局，单位：万元）", n, size=14)
    header_row(ws, STATS_HEADER_ROW, [c.label for c in STATS_COLUMNS], [c.width for c in STATS_COLUMNS])
    add_name(ws, NAMES["stats"], f"A{STATS_HEADER_ROW}:{get_column_letter(n)}{STATS_HEADER_ROW}")
    records = stats.to_dict("records")
    for i, record in enumerate(records):
        r = STATS_FIRST_ROW + i
        for c, col in enumerate(STATS_COLUMNS, start=1):
            cell = ws.cell(row=r, column=c)
            if col.formula:
                cell.value = col.formula.format(r=r)
            else:
                put_text_safe(cell, _cell_value(col.key, record.get(col.key)))  # type: ignore[arg-type]
            if col.number_format:
                cell.number_format = col.number_format
    last = STATS_FIRST_ROW + max(len(records), VALIDATED_ROWS // 3)
    whole_rule(ws, f"A{STATS_FIRST_ROW}:A{last}", 1, 12, "月份", "统计月份 1-12；1-2月合并数填 2。")
    amount_rule(ws, f"C{STATS_FIRST_ROW}:E{last}", "金额", "填数字，单位万元。")
    ws.freeze_panes = f"C{STATS_FIRST_ROW}"
    print_setup(ws, title_rows=f"1:{STATS_HEADER_ROW}", landscape=False)


def _output_sheet(ws: Worksheet, key: str) -> None:
    region = REGIONS[key]
    if region.anchor != "A1":
        title = {"summary": "投资进度汇总", "ranking": "各单位投资增速排名", "history": "排名历史（每月一列）",
                 "programmes": "专项工作（三个一批、专项债、政府投资、项目储备、招商引资、统计入库、灾后重建、新开工）", "findings": "校验结果"}[key]
        title_row(ws, 1, title, 8, size=14)
        ws["A2"] = "本表由程序自动生成，每次运行替换本区域内容；可调整格式，请勿在本区域手工填写。"
        ws["A2"].alignment = Alignment(wrap_text=False)
    add_name(ws, region.name, region.anchor)
    if key == "bulletin":
        bulletin_page(ws, cols=BL.GRID_COLS, width=BL.COL_WIDTH, rows=BULLETIN_ROWS)
        return
    for col in range(1, 13):
        ws.column_dimensions[get_column_letter(col)].width = 14
    for letter, width in zip("ABCDEFGHIJKL", OUTPUT_WIDTHS.get(key, ()), strict=False):
        ws.column_dimensions[letter].width = width  # headers on one line, amounts with separators whole
    if key == "ranking":
        ws.column_dimensions["H"].hidden = True  # 增速（数值）: data of charts made by earlier versions
    print_setup(ws, title_rows="1:2" if region.anchor != "A1" else None)


def build_master(
    path: Path,
    *,
    settings: Settings | None = None,
    projects: pd.DataFrame | None = None,
    stats: pd.DataFrame | None = None,
    month: int = 1,
    master_id: str = TEMPLATE_ID,
    spare_rows: int | None = None,
) -> Path:
    """Write the master ledger. ``projects`` has one column per field key (missing keys stay blank);
    ``stats`` one per ``STATS_FIELDS`` key. ``spare_rows`` formula-only rows follow the projects
    (default: 300 for the blank template, none when projects are given)."""
    settings = settings or default_settings()
    projects = projects if projects is not None else pd.DataFrame(columns=[f.key for f in FIELDS])
    stats = stats if stats is not None else pd.DataFrame(columns=[f.key for f in STATS_FIELDS])
    spare = spare_rows if spare_rows is not None else (300 if projects.empty else 0)
    wb = Workbook()
    first = wb.worksheets[0]
    sheets = {key: (first if key == "guide" else wb.create_sheet()) for key in SHEETS if key != "marks"}
    for key, ws in sheets.items():
        ws.title = SHEETS[key]
    _guide(sheets["guide"], settings, master_id)
    _settings_sheet(sheets["settings"], settings)
    _ledger_sheet(sheets["ledger"], settings, projects, month, spare)
    _stats_sheet(sheets["stats"], settings, stats)
    for key in REGIONS:
        _output_sheet(sheets[key], key)
    wb.active = 2  # open on 项目台账 (and only it selected, or Excel groups the sheets)
    for ws in wb.worksheets:
        ws.sheet_view.tabSelected = ws.title == SHEETS["ledger"]
    return save_workbook(wb, path)

