"""Ribbon buttons of the 投资项目 tab: one short function per button, run by xlwings' RunPython.

May import xlwings and the jobs. Each function runs the SAME job as the CLI on the calling
workbook (``xw.Book.caller()``), through ``ExcelEngine``; only the engine differs. Progress
goes to Excel's status bar; every failure ends in a message box naming what to fix (the
sheet and cell when the problem has one), never a Python traceback.

Jobs are imported inside the functions so that a button whose job is unavailable reports that
in a message box instead of breaking every other button at import time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import xlwings as xw

from .engines.excel import ExcelEngine
from .errors import UsageError, XladdinError

__all__ = ["consolidate_month", "export_bulletin_pdf", "make_forms", "refresh_ranking", "validate_ledger"]

TITLE = "投资项目"
_F = TypeVar("_F", bound=Callable[..., None])


def _book() -> xw.Book:
    return xw.Book.caller()


def _alert(book: xw.Book, text: str, mode: str = "info") -> None:
    book.app.alert(text, title=TITLE, mode=mode)


def button(f: _F) -> _F:
    """Wrap a button: errors become a message box (project errors carry their own Chinese text)."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        book = _book()
        try:
            f(*args, **kwargs)
        except XladdinError as exc:
            _alert(book, exc.message, "critical")
        except Exception as exc:  # last resort: a short message, never a traceback
            _alert(book, f"操作未完成：{type(exc).__name__}: {exc}", "critical")
        finally:
            ExcelEngine(book).save()  # clears the status bar

    return wrapper  # type: ignore[return-value]


def _month(book: xw.Book, engine: ExcelEngine) -> int:
    """The month to work on: asked for on Windows (Excel's InputBox, proposing the ledger's latest
    filled month); elsewhere that latest month, or last calendar month when nothing is filled."""
    import datetime as dt

    from .jobs.common import load_ledger, load_settings

    settings, _ = load_settings(engine)
    latest = load_ledger(engine, settings).period_month
    default = latest or max(dt.date.today().month - 1, 1)
    try:
        answer = book.app.api.InputBox("请输入月份（1-12）：", TITLE, default, Type=1)
    except Exception:  # no InputBox outside desktop Excel on Windows
        return int(default)
    if answer is False:
        raise UsageError("已取消。")
    month = int(answer)
    if not 1 <= month <= 12:
        raise UsageError(f"月份应为 1 到 12，现为 {month}。")
    return month


def _folder(book: xw.Book, what: str) -> Path:
    """A folder beside the workbook, named after ``what`` (created when absent)."""
    full = Path(str(book.fullname))
    if not full.parent.is_dir():
        raise UsageError(f"请先把工作簿保存到本机文件夹，再{what}。")
    folder = full.parent / what
    folder.mkdir(exist_ok=True)
    return folder


@button
def validate_ledger() -> None:
    """校验台账: validate, write 校验结果, mark cells; the first problem's cell is named."""
    from .jobs.validate import mark_findings, validate, write_findings

    book = _book()
    engine = ExcelEngine(book)
    report, _ = validate(engine)
    write_findings(engine, report)
    marked = mark_findings(engine, report)
    text = f"共 {report.projects} 个项目：错误 {report.errors} 条，警告 {report.warnings} 条，已标注 {marked} 个单元格。"
    first = next((f for f in report.findings if f.severity == "error"), None)
    if first is not None:
        text += f"\n请先修改“{first.sheet}”表 {first.cell}：{first.message}\n全部问题见“校验结果”表。"
    _alert(book, text, "info" if report.valid else "warning")


@button
def make_forms() -> None:
    """生成月报表: one form per unit into the folder 月报表 beside the workbook (as ``xladdin forms``)."""
    from .forms import forms_for_month
    from .jobs.common import load_ledger, load_settings
    from .sheet import parse_ref
    from .template import NAMES, TEMPLATE_ID

    book = _book()
    engine = ExcelEngine(book)
    month = _month(book, engine)
    settings, _ = load_settings(engine)
    frame = load_ledger(engine, settings).frame
    master_id = TEMPLATE_ID
    where = engine.defined_name(NAMES["master_id"])
    if where is not None:
        row, col = parse_ref(where[1].split(":")[0])
        master_id = str(engine.read(where[0]).value(row, col) or TEMPLATE_ID)
    engine.status(f"正在生成 {month} 月月报表 …")
    out = _folder(book, "月报表")
    units = [u for u in settings.unit_names if (frame["unit"] == u).any()]
    written = forms_for_month(frame, month, out, year=settings.year, master_id=master_id,
                              master_file=str(book.name), units=units)
    skipped = int(frame["unit"].isna().sum())
    note = f"\n另有 {skipped} 个项目责任单位无法识别，未生成，请先运行“校验台账”。" if skipped else ""
    _alert(book, f"已生成 {len(written)} 份月报表，保存在：\n{out}{note}")


@button
def consolidate_month() -> None:
    """月度汇总: consolidate the forms in the folder 月报表 beside the workbook for the chosen month."""
    from .jobs.consolidate import consolidate

    book = _book()
    engine = ExcelEngine(book)
    month = _month(book, engine)
    report = consolidate(engine, month, _folder(book, "月报表")).report
    first = next((f for f in report.findings if f.severity == "error"), None)
    text = f"{month} 月汇总完成：错误 {report.errors} 条，警告 {report.warnings} 条。"
    if first is not None:
        where = f"文件“{first.file}”" if first.file else f"“{first.sheet}”表"
        text += f"\n请先处理 {where} {first.cell}：{first.message}"
    _alert(book, text, "info" if report.valid else "warning")


@button
def refresh_ranking() -> None:
    """刷新排名与通报: summary, ranking with escalation, and the bulletin."""
    from .jobs.consolidate import consolidate

    book = _book()
    engine = ExcelEngine(book)
    result = consolidate(engine, _month(book, engine))
    _alert(book, f"已刷新{result.period}汇总、排名与通报：错误 {result.report.errors} 条，警告 {result.report.warnings} 条。")


@button
def export_bulletin_pdf() -> None:
    """导出通报PDF: Excel's own PDF export of the 通报 sheet, beside the workbook."""
    from .regions import SHEETS

    book = _book()
    engine = ExcelEngine(book)
    if SHEETS["bulletin"] not in engine.sheet_names():
        raise UsageError("没有“通报”表，请先点“刷新排名与通报”。")
    full = Path(str(book.fullname))
    target = full.with_name(f"{full.stem}-通报.pdf")
    engine.status("正在导出通报 PDF …")
    try:
        book.sheets[SHEETS["bulletin"]].to_pdf(target)
    except Exception as exc:
        raise UsageError(f"导出 PDF 失败（{exc}），请确认文件“{target.name}”未被打开。") from exc
    _alert(book, f"通报已导出：\n{target}")
