"""Ribbon buttons of the 投资项目 tab: one short function per button, run by xlwings' RunPython.

May import xlwings, the engines and the jobs. Each button ``f(book=None, ...)`` runs the SAME job
as the CLI on ``book`` (``None``: the calling workbook, ``xw.Book.caller()``) through
``ExcelEngine``; only the engine differs. The work itself is in ``run_*(engine, ...)`` functions
that return an ``Outcome``; the button shows the outcome in a message box (on xlwings' remote
engine: the recorded ``alert`` action) and returns it, so everything runs without Excel too.
Progress goes to the status bar (kept in ``engine.messages`` where there is none). Every
failure ends in a message naming what to fix, never a Python traceback.

Non-interactive use (tests, xlwings Server/Lite scripts): pass ``month=`` (otherwise desktop
Excel on Windows asks in an InputBox proposing ``jobs.months.propose_month``, and the remote
engine uses that proposal outright) and ``folder=``. Folders, when not given: the folder of
the saved workbook (``月报表`` beside it, the PDF beside it); for a book without a folder on this
computer (unsaved, or a remote-engine book, whose ``fullname`` is only its name) the system temp
folder ``<temp>/xladdin/<book name>/``, named in the message.

Jobs are imported inside the functions so that a button whose job is unavailable reports that
in a message box instead of breaking every other button at import time.

The add-in's VBA runs ``check_version(xlwings, xladdin)`` before every button (``XladdinCommand``
in the generated module ``XladdinStartup``): the versions the add-in was built for against this
Python's; on a mismatch a Chinese message says what to reinstall and the button does not run.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlwings as xw

from xladdin.core.periods import Period
from xladdin.engines.excel import ExcelEngine
from xladdin.errors import UsageError, XladdinError

if TYPE_CHECKING:
    from xladdin.jobs.months import Job

__all__ = ["Outcome", "check_version", "consolidate_month", "export_bulletin_pdf", "export_bulletin_word", "make_forms",
           "output_folder", "refresh_ranking", "restore_backup", "run_consolidate", "run_export_pdf", "run_export_word",
           "run_forms", "run_refresh", "run_restore", "run_validate", "validate_ledger", "version_problem"]

TITLE = "投资项目"
FORMS_FOLDER = "月报表"


@dataclass
class Outcome:
    """What a button tells the user: the message box text, its icon, and the job's own result."""

    text: str
    mode: str = "info"  # "info" or "critical" (xlwings' two message-box icons)
    result: Any = None

    @property
    def failed(self) -> bool:
        return self.mode == "critical" and self.result is None


def _run(book: xw.Book | None, work: Callable[..., Outcome], *args: Any) -> Outcome:
    """Run ``work(engine, *args)`` on ``book``; any error becomes the message (never a traceback)."""
    book = book if book is not None else xw.Book.caller()
    engine = ExcelEngine(book)
    try:
        outcome = work(engine, *args)
    except XladdinError as exc:
        outcome = Outcome(exc.message, "critical")
    except Exception as exc:  # last resort: a short message, never a traceback
        outcome = Outcome(f"操作未完成：{type(exc).__name__}: {exc}", "critical")
    finally:
        engine.save()  # clears the status bar
    try:
        book.app.alert(outcome.text, title=TITLE, mode=outcome.mode)
    except Exception:  # no message box on this engine: the text is in engine.messages
        engine.messages.append(outcome.text)
    return outcome


# ---- versions ---------------------------------------------------------------------------------
def version_problem(expected_xlwings: str, expected_xladdin: str = "") -> str | None:
    """None when this Python has the xlwings (and xladdin) the add-in was built for, else the message."""
    from xladdin import __version__

    have = [("xlwings", expected_xlwings, str(xw.__version__))]
    if expected_xladdin:
        have.append(("xladdin", expected_xladdin, __version__))
    wrong = [(name, want, got) for name, want, got in have if want != got]
    if not wrong:
        return None
    lines = "；".join(f"加载项需要 {name} {want}，Python 端是 {got}" for name, want, got in wrong)
    return (f"加载项与 Python 端的版本不一致：{lines}。\n请用同一安装包重新运行“安装.cmd”"
            "（它会重装 Python 端并换上配套的加载项），然后重新打开 Excel。")


def check_version(expected_xlwings: str, expected_xladdin: str = "", book: xw.Book | None = None) -> bool:
    """True when the versions agree; otherwise show the message (critical) and return False."""
    problem = version_problem(expected_xlwings, expected_xladdin)
    if problem is None:
        return True
    try:
        (book if book is not None else xw.Book.caller()).app.alert(problem, title=TITLE, mode="critical")
    except Exception:  # no message box here: say it where RunPython shows errors
        raise UsageError(problem) from None
    return False


# ---- month and folders ----------------------------------------------------------------------
def ask_month(engine: ExcelEngine, job: Job = "consolidate", forms: Path | None = None) -> int:
    """The month to work on: ``jobs.months.propose_month`` (the returned forms' month, else the
    month after the last consolidated one; see there), asked for on Windows in Excel's InputBox
    with that proposal; on the remote engine (xlwings Server/Lite) and wherever there is no
    InputBox, the proposal itself."""
    from xladdin.jobs.months import propose_month

    proposal = propose_month(engine, job, forms)
    prompt = f"请输入月份（1-12）：\n建议 {proposal.month}（{proposal.reason}）"
    return _checked(answer_or(input_box(engine, prompt, proposal.month, 1), proposal.month))


def input_box(engine: ExcelEngine, prompt: str, default: int | str, kind: int) -> Any:
    """Excel's InputBox (desktop Excel on Windows; ``kind`` its Type: 1 a number, 2 text): the
    answer, False when cancelled; None where there is none (the remote engine, Excel on macOS,
    xlwings' read-only calamine reader)."""
    if engine.remote:
        return None
    try:
        return engine.book.app.api.InputBox(prompt, TITLE, default, Type=kind)
    except Exception:  # no InputBox outside desktop Excel on Windows
        return None


def answer_or(answer: Any, proposal: Any) -> Any:
    """An InputBox answer as the button takes it: no InputBox (None) takes the proposal; cancel
    (False) stops the button with 已取消; anything else is the answer, checked by the caller."""
    if answer is None:
        return proposal
    if answer is False:
        raise UsageError("已取消。")
    return answer


def _checked(month: Any) -> int:
    try:
        value = int(month)
    except (TypeError, ValueError):
        raise UsageError(f"月份应为 1 到 12 的整数，现为“{month}”。") from None
    if not 1 <= value <= 12:
        raise UsageError(f"月份应为 1 到 12，现为 {value}。")
    return value


def _month(engine: ExcelEngine, month: int | None, job: Job = "consolidate", forms: Path | None = None) -> Period:
    """The button's month, asked or given, checked once and made the ``Period`` the jobs take."""
    return Period.of(ask_month(engine, job, forms) if month is None else _checked(month))


def output_folder(book: xw.Book, folder: Path | str | None = None, sub: str = "") -> Path:
    """``folder`` if given; else beside the saved workbook (``sub`` inside its folder); else, for a
    book without a local folder, ``<temp>/xladdin/<book name>/<sub>``. Created when absent."""
    if folder is not None:
        out = Path(folder)
    else:
        full = Path(str(book.fullname))
        if full.is_absolute() and full.parent.is_dir():
            out = full.parent / sub
        else:
            stem = re.sub(r'[\\/:*?"<>|]+', "_", full.stem) or "工作簿"
            out = Path(tempfile.gettempdir()) / "xladdin" / stem / sub
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"无法使用文件夹“{out}”：{exc.strerror or exc}。") from exc
    return out


# ---- the work -------------------------------------------------------------------------------
def run_validate(engine: ExcelEngine) -> Outcome:
    """校验台账: validate, write 校验结果, mark cells; the first problem's cell is named."""
    from xladdin.jobs.validate import mark_findings, validate, write_findings

    report, ledger = validate(engine)
    write_findings(engine, report, ledger=ledger)
    marked = mark_findings(engine, report)
    text = f"共 {report.projects} 个项目：错误 {report.errors} 条，警告 {report.warnings} 条，已标注 {marked} 个单元格。"
    first = next((f for f in report.findings if f.severity == "error"), None)
    if first is not None:
        text += f"\n请先修改“{first.sheet}”表 {first.cell}：{first.message}\n全部问题见“校验结果”表。"
    return Outcome(text, "info" if report.valid else "critical", report)


def run_forms(engine: ExcelEngine, month: int | None = None, folder: Path | str | None = None) -> Outcome:
    """生成月报表: one form per unit into ``output_folder(..., "月报表")`` (as ``xladdin forms``)."""
    from xladdin.jobs.forms import forms_from_engine

    period = _month(engine, month, "forms")
    engine.status(f"正在生成{period.label}月报表 …")
    out = output_folder(engine.book, folder, FORMS_FOLDER)
    written, skipped = forms_from_engine(engine, period, out, master_file=str(engine.book.name))
    note = f"\n另有 {len(skipped)} 个项目责任单位无法识别，未生成，请先运行“校验台账”。" if skipped else ""
    return Outcome(f"已生成 {len(written)} 份月报表，保存在：\n{out}{note}", "info", written)


def run_consolidate(engine: ExcelEngine, month: int | None = None, folder: Path | str | None = None) -> Outcome:
    """月度汇总: consolidate the forms in ``folder`` (default ``月报表`` beside the workbook)."""
    from xladdin.jobs.consolidate import consolidate
    from xladdin.jobs.form_files import form_files

    forms = output_folder(engine.book, folder, FORMS_FOLDER)
    if not form_files(forms):  # the files a consolidation reads
        raise UsageError(f"文件夹“{forms}”中没有月报表（.xlsx），请把收回的月报表放入该文件夹后再点“月度汇总”。")
    period = _month(engine, month, "consolidate", forms)
    result = consolidate(engine, period, forms)
    report = result.report
    first = next((f for f in report.findings if f.severity == "error"), None)
    text = f"{result.period}汇总完成：错误 {report.errors} 条，警告 {report.warnings} 条。"
    if first is not None:
        where = f"文件“{first.file}”" if first.file else f"“{first.sheet}”表"
        text += f"\n请先处理 {where} {first.cell}：{first.message}\n全部问题见“校验结果”表。"
    return Outcome(text, "info" if report.valid else "critical", result)


def run_refresh(engine: ExcelEngine, month: int | None = None) -> Outcome:
    """刷新排名与通报: summary, ranking with escalation, and the bulletin from the ledger as it is."""
    from xladdin.jobs.consolidate import consolidate

    result = consolidate(engine, _month(engine, month, "refresh"))
    report = result.report
    return Outcome(f"已刷新{result.period}汇总、排名与通报：错误 {report.errors} 条，警告 {report.warnings} 条。",
                   "info" if report.valid else "critical", result)


def run_export_pdf(engine: ExcelEngine, folder: Path | str | None = None) -> Outcome:
    """导出通报PDF: desktop Excel's own export of the 通报 sheet; where the engine has none
    (xlwings Server/Lite, the remote engine; xlwings' calamine reader), the sheet's values are
    copied into a new workbook and LibreOffice exports that (``xladdin.engines.libreoffice.to_pdf``)."""
    from xladdin.core.regions import SHEETS

    sheet = SHEETS["bulletin"]
    if sheet not in engine.sheet_names() or not any(any(v not in (None, "") for v in r) for r in engine.read(sheet).rows):
        raise UsageError("“通报”表不存在或为空，请先点“刷新排名与通报”。")
    stem = Path(str(engine.book.name)).stem
    target = output_folder(engine.book, folder) / f"{stem}-通报.pdf"
    engine.status("正在导出通报 PDF …")
    if engine.remote:  # not tried there: xlwings would record hiding and showing every sheet first
        _pdf_by_libreoffice(engine, sheet, target)
    else:
        try:
            engine.book.sheets[sheet].to_pdf(target)
        except NotImplementedError:  # an engine without PDF export (xlwings' calamine reader)
            _pdf_by_libreoffice(engine, sheet, target)
        except Exception as exc:
            raise UsageError(f"导出 PDF 失败（{exc}），请确认文件“{target.name}”未被打开。") from exc
    return Outcome(f"通报已导出：\n{target}", "info", target)


def run_restore(engine: ExcelEngine, backup: str | None = None, path: Path | str | None = None) -> Outcome:
    """恢复备份: put a backup of this workbook's file back (``backup``: its number or file name; on
    desktop Excel asked for in an InputBox listing them, the newest proposed; without an InputBox,
    the newest, which undoes the last change), after backing up the
    current file (as ``xladdin restore``). ``path``: the file (default: the saved workbook's). In
    desktop Excel the workbook must have no unsaved changes; it is closed for the restore (Excel
    holds the file) and opened again."""
    from xladdin.jobs.backups import backup_lines, list_backups, restore_backup

    master = Path(path) if path is not None else Path(str(engine.book.fullname))
    if not master.is_absolute() or not master.is_file():
        raise UsageError("本工作簿没有保存在本机文件夹中，无法恢复备份；请先保存工作簿，或用命令 xladdin restore。")
    entries = list_backups(master)
    if not entries:
        raise UsageError(f"“{master.name}”还没有备份（只有修改了台账的任务才会备份）。")
    if backup is None:
        listing = "\n".join(backup_lines(entries)[-15:])
        prompt = f"请输入要恢复的备份序号（恢复前会先备份当前文件）：\n{listing}"
        newest = str(len(entries))
        backup = str(answer_or(input_box(engine, prompt, newest, 2), newest)).strip()
    live = not engine.remote and path is None
    if live:
        if not engine.book.api.Saved:
            raise UsageError("本工作簿有未保存的修改。请先保存（或关闭时放弃修改）后再恢复备份。")
        engine.book.close()
    try:
        done = restore_backup(master, backup, progress=None)
    finally:
        if live:
            xw.Book(str(master))
    if not done.changed:
        return Outcome(f"“{master.name}”与备份“{done.source.name}”内容相同，未做修改。", "info", done)
    return Outcome(f"已将“{master.name}”恢复为备份“{done.source.name}”。\n恢复前的文件已备份到“备份”文件夹，"
                   "如需撤销可再次点击“恢复备份”选择它。", "info", done)


def run_export_word(engine: ExcelEngine, month: int | None = None, folder: Path | str | None = None) -> Outcome:
    """导出通报Word: the month's bulletin as a 公文 .docx beside the workbook (``jobs.bulletin_export``)."""
    from xladdin.books.bulletin_docx import write_docx
    from xladdin.jobs.bulletin_export import bulletin_blocks

    period = _month(engine, month, "refresh")  # proposed: the month the ledger is consolidated to
    stem = Path(str(engine.book.name)).stem
    target = output_folder(engine.book, folder) / f"{stem}-通报.docx"
    engine.status("正在导出通报 Word 文档 …")
    try:
        write_docx(bulletin_blocks(engine, period), target)
    except OSError as exc:
        raise UsageError(f"导出 Word 文档失败（{exc}），请确认文件“{target.name}”未被打开。") from exc
    return Outcome(f"通报已导出（Word）：\n{target}", "info", target)


def _pdf_by_libreoffice(engine: ExcelEngine, sheet: str, target: Path) -> None:
    """The sheet's values in a fresh workbook (text stays text), one page wide, to PDF."""
    import shutil

    import openpyxl
    from openpyxl.worksheet.properties import PageSetupProperties

    from xladdin.engines.files import FileEngine
    from xladdin.engines.libreoffice import to_pdf

    rows = engine.read(sheet).rows
    with tempfile.TemporaryDirectory(prefix="xladdin-pdf-") as tmp:
        copy = Path(tmp) / f"{target.stem}.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = sheet
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        wb.save(copy)
        fe = FileEngine(copy, writable=True)
        try:
            fe.write_block(sheet, "A1", rows)
            fe.save()
        finally:
            fe.close()
        made = to_pdf(copy, Path(tmp))
        shutil.move(str(made), target)


# ---- the buttons (RunPython targets) ----------------------------------------------------------
def validate_ledger(book: xw.Book | None = None) -> Outcome:
    """校验台账."""
    return _run(book, run_validate)


def make_forms(book: xw.Book | None = None, month: int | None = None, folder: Path | str | None = None) -> Outcome:
    """生成月报表."""
    return _run(book, run_forms, month, folder)


def consolidate_month(book: xw.Book | None = None, month: int | None = None,
                      folder: Path | str | None = None) -> Outcome:
    """月度汇总."""
    return _run(book, run_consolidate, month, folder)


def refresh_ranking(book: xw.Book | None = None, month: int | None = None) -> Outcome:
    """刷新排名与通报."""
    return _run(book, run_refresh, month)


def export_bulletin_pdf(book: xw.Book | None = None, folder: Path | str | None = None) -> Outcome:
    """导出通报PDF."""
    return _run(book, run_export_pdf, folder)


def restore_backup(book: xw.Book | None = None, backup: str | None = None, path: Path | str | None = None) -> Outcome:
    """恢复备份."""
    return _run(book, run_restore, backup, path)


def export_bulletin_word(book: xw.Book | None = None, month: int | None = None,
                         folder: Path | str | None = None) -> Outcome:
    """导出通报Word (the month proposed: the one the ledger is consolidated to)."""
    return _run(book, run_export_word, month, folder)
