"""What each button of the page does: the same job functions the CLI and the ribbon call.

Every function here takes plain paths and a progress callback and returns a JSON-ready dict; the
routes (``web.app``) run them on the worker (``web.tasks``). Nothing here computes a figure:
forms, validation, consolidation and the ranking are ``xladdin.jobs``. Writes to a master go
through ``jobs.session`` (job lock, dated backup in 备份/, atomic save) and are refused first when
a spreadsheet program has the master open (``office.owner_message``).
"""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from xladdin.core.findings import SEVERITY_LABELS, Finding
from xladdin.core.periods import Period, period_label, period_month
from xladdin.core.regions import SHEETS
from xladdin.core.settings import Settings, default_settings
from xladdin.engines.guards import vetting
from xladdin.engines.guards.backups import list_backups
from xladdin.errors import UsageError, WorkbookLocked
from xladdin.web import office
from xladdin.web.tasks import Progress

__all__ = ["bulletin_files", "check_form", "consolidate_month", "create_master", "ensure_closed", "grouped", "make_forms",
           "master_settings", "ranking", "restore_backup", "unit_from_form", "validate_master"]

Register = Callable[[Path, str], str]  # (file, download name) -> URL the page can fetch


def ensure_closed(master: Path) -> None:
    """Refuse (``WorkbookLocked``, in Chinese) when a spreadsheet program has ``master`` open."""
    message = office.owner_message(master)
    if message is not None:
        raise WorkbookLocked(message)


def master_settings(master: Path) -> Settings:
    """The master's 参数 (read-only); the shipped defaults if the master has no 参数 sheet."""
    from xladdin.engines.files import FileEngine
    from xladdin.jobs.session import load_settings

    engine = FileEngine(master)
    try:
        return load_settings(engine)[0]
    finally:
        engine.close()


def create_master(folder: Path, name: str) -> Path:
    """A new master from the template (``xladdin template``'s 主台账模板), never over an existing file."""
    from xladdin.books.template import build_master

    target = folder / office.safe_name(name if name.lower().endswith(office.WORKBOOK_SUFFIXES) else f"{name}.xlsx",
                                       suffixes=(".xlsx",))
    if target.exists():
        raise UsageError(f"文件夹中已有“{target.name}”，不会覆盖；请换一个名称。")
    return build_master(target, settings=default_settings())


# -- findings for the page -----------------------------------------------------------------------


def _finding(f: Finding) -> dict[str, str]:
    return {"severity": f.severity, "level": SEVERITY_LABELS[f.severity], "sheet": f.sheet, "cell": f.cell,
            "file": f.file, "message": f.message, "code": f.code}


def grouped(findings: Iterable[Finding], unit_of: Callable[[Finding], str]) -> list[dict[str, Any]]:
    """Findings grouped by unit (``unit_of``), groups with most errors first, then by name."""
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[unit_of(f)].append(f)
    out = [{"group": g, "errors": sum(f.severity == "error" for f in fs), "warnings": sum(f.severity == "warning" for f in fs),
            "items": [_finding(f) for f in fs]} for g, fs in groups.items()]
    return sorted(out, key=lambda g: (-int(g["errors"]), -int(g["warnings"]), str(g["group"])))


def unit_from_form(file: str, units: list[str]) -> str | None:
    """The unit a returned form belongs to, from its name (``2022年6月_南关街道_月报表.xlsx``)."""
    hits = [u for u in units if u in file]
    return max(hits, key=len) if hits else None


def check_form(path: Path, settings: Settings, month: int) -> dict[str, Any]:
    """A returned form read at once as consolidation will read it (``core.form_reader``), so the
    page can say whose it is and warn of the wrong month or unit before 汇总. Returns ``unit``,
    ``rows`` and ``warning`` (None when the form looks right)."""
    from xladdin.jobs.form_intake import read_form_file

    form, refused = read_form_file(path, settings)  # bounded, as consolidation reads it: an upload is untrusted
    if form is None:
        why = refused[0].message if refused else "无法读取"
        return {"unit": None, "rows": 0, "warning": f"读不出月报表内容（{why}），汇总时会列为问题。"}
    notes = []
    if form.unit is None:
        notes.append(f"填报单位“{form.unit_raw or '未填'}”不在单位名单中")
    if form.month is None or period_month(max(1, min(12, form.month))) != period_month(month):
        notes.append(f"表中月份为“{form.month if form.month is not None else '未填'}”，不是本次汇总的{period_label(month)}")
    warning = "；".join(notes) + "，汇总时不会汇入，请核对。" if notes else None
    return {"unit": form.unit, "rows": len(form.rows), "warning": warning}


# -- the steps -----------------------------------------------------------------------------------


def make_forms(folder: Path, master: Path, month: int, *, as_zip: bool, register: Register, scratch: Path,
               progress: Progress) -> dict[str, Any]:
    """生成月报表: one form per unit (``jobs.forms.forms_from_master``), into the month's folder or a
    zip in ``scratch`` (the server's temporary folder, removed when it stops)."""
    from xladdin.jobs.forms import forms_from_master

    settings = master_settings(master)
    label = period_label(month)
    progress(f"正在生成{label}月报表 …")
    if as_zip:
        with tempfile.TemporaryDirectory(prefix="xladdin-forms-") as tmp:
            files, skipped = forms_from_master(master, Period.of(month), Path(tmp))
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
                for f in files:
                    zf.write(f, f.name)
        zip_name = f"{settings.year}年{label}月报表.zip"
        zip_path = Path(tempfile.mkdtemp(prefix="forms-", dir=scratch)) / zip_name
        zip_path.write_bytes(buffer.getvalue())
        return {"count": len(files), "skipped": skipped, "download": {"name": zip_name, "url": register(zip_path, zip_name)},
                "text": f"已为 {len(files)} 个单位生成{label}月报表，请下载压缩包后分发给各单位。"}
    out = office.month_dir(folder, settings.year, month) / office.ISSUED
    files, skipped = forms_from_master(master, Period.of(month), out)
    return {"count": len(files), "skipped": skipped, "folder": str(out),
            "text": f"已为 {len(files)} 个单位生成{label}月报表，保存在“{out.relative_to(folder)}”文件夹。"}


def validate_master(master: Path, *, mark: bool, progress: Progress) -> dict[str, Any]:
    """校验: every rule on the ledger (``jobs.validate``), findings grouped by 责任单位; with
    ``mark`` also the 校验结果 sheet and highlighted cells, in place (backup first)."""
    from xladdin.engines.files import FileEngine
    from xladdin.jobs.in_place import mark_in_place
    from xladdin.jobs.validate import validate

    marked = 0
    if mark:  # as `xladdin validate --mark` and the ribbon's 校验台账
        ensure_closed(master)
        report, marked = mark_in_place(master, progress=progress)
    engine = FileEngine(master, progress=progress)  # the ledger's rows give each finding its unit
    try:
        plain, ledger = validate(engine)
    finally:
        engine.close()
    if not mark:
        report = plain
    units = dict(zip(ledger.excel_rows, ledger.frame["unit"].tolist(), strict=True))

    def unit_of(f: Finding) -> str:
        if f.sheet == ledger.sheet and not f.file:
            unit = units.get(f.row)
            return str(unit) if isinstance(unit, str) and unit else "（责任单位未填或无法识别）"
        return f"{f.sheet}表" if f.sheet else "其他"

    text = f"共校验 {report.projects} 个项目：错误 {report.errors} 条，警告 {report.warnings} 条。"
    if mark:
        text += f"已在主台账中标注 {marked} 个单元格（原台账已备份）。"
    return {"text": text, "projects": report.projects, "errors": report.errors, "warnings": report.warnings,
            "groups": grouped(report.findings, unit_of)}


def consolidate_month(folder: Path, master: Path, month: int, progress: Progress) -> dict[str, Any]:
    """汇总: the returned forms of the month into the master, in place with a dated backup
    (``jobs.in_place.consolidate_in_place``), findings grouped by unit."""
    from xladdin.jobs.in_place import consolidate_in_place

    ensure_closed(master)
    settings = master_settings(master)
    returned = office.month_dir(folder, settings.year, month) / office.RETURNED
    if not returned.is_dir() or not any(p.suffix.lower() in office.WORKBOOK_SUFFIXES for p in returned.iterdir()):
        raise UsageError(f"“{returned.relative_to(folder)}”中还没有收回的月报表，请先在第三步上传。")
    before = {b.file for b in list_backups(master)}
    result = consolidate_in_place(master, Period.of(month), returned, progress=progress)
    made = [b.file for b in list_backups(master) if b.file not in before]
    units = settings.unit_names

    def unit_of(f: Finding) -> str:
        if f.code == "form-missing":
            return f.value
        if f.file:
            return unit_from_form(f.file, units) or f.file
        return "主台账"

    return {"text": result.summary_text(), "period": result.period, "errors": result.report.errors,
            "warnings": result.report.warnings, "merged": result.merge.merged, "forms": len(result.merge.units),
            "missing": result.merge.missing, "backup": made[0] if made else None,
            "groups": grouped(result.report.findings, unit_of)}


def ranking(master: Path, month: int) -> dict[str, Any]:
    """排名与通报 on screen: the growth ranking and the bottom-growth rule's actions (``jobs.summary``)."""
    from xladdin.engines.files import FileEngine
    from xladdin.figures.presentation import json_records, pct, yi
    from xladdin.jobs.summary import PROGRESS_JSON, month_summary

    engine = FileEngine(master)
    try:
        result = month_summary(engine, Period.of(month)).month
    finally:
        engine.close()
    # the figures as summary's JSON gives them (``presentation.json_value``), so page and JSON agree
    levels = json_records(result.progress.levels.to_dict("records"), ["level", *PROGRESS_JSON])
    total = next((r for r in levels if r["level"] == "合计"), None)
    rows = [{"rank": r["rank"], "unit": r["unit"], "growth": None if r["growth"] is None else pct(r["growth"]),
             "ytd": None if r["ytd"] is None else yi(r["ytd"]), "run": r["run"] or 0, "action": r["action"] or ""}
            for r in json_records(result.ranking.to_dict("records"), ["rank", "unit", "growth", "ytd", "run", "action"])]
    headline = ""
    if total is not None:
        headline = (f"{result.period.label}：重点项目 {total['projects']} 个，累计完成 {yi(total['ytd_completed'] or 0)} 亿元，"
                    f"完成年度计划 {pct(total['completion_rate'])}（序时进度 {pct(total['schedule'])}）。")
    actions = [f"{r['unit']}（{r['action']}）" for r in rows if r["action"]]
    return {"period": result.period.label, "headline": headline, "ranking": rows,
            "text": "末位增速约谈：" + "、".join(actions) if actions else "本期无单位需约谈或通报批评。"}


def bulletin_files(folder: Path, master: Path, month: int, *, pdf: bool, register: Register,
                   progress: Progress) -> dict[str, Any]:
    """The master's 通报 sheet as its own workbook (styles kept) in the month's 通报 folder, and
    with ``pdf`` that workbook printed by LibreOffice (``engines.libreoffice.to_pdf``)."""
    import openpyxl

    settings = master_settings(master)
    vetting.inspect_package(master)
    sheet = SHEETS["bulletin"]
    label = period_label(period_month(month))
    out_dir = office.month_dir(folder, settings.year, month) / office.BULLETIN
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{master.stem}-{label}通报.xlsx"
    progress("正在导出通报工作簿 …")
    wb = openpyxl.load_workbook(master)
    try:
        if sheet not in wb.sheetnames or not any(v not in (None, "") for row in wb[sheet].iter_rows(values_only=True)
                                                 for v in row):
            raise UsageError("主台账的“通报”表为空，请先在第五步汇总本月数据。")
        for ws in list(wb.worksheets):
            if ws.title != sheet:
                wb.remove(ws)
        for name in list(wb.defined_names):  # they point at the removed sheets
            del wb.defined_names[name]
        wb.active = 0
        vetting.atomic_write(target, lambda tmp: wb.save(tmp))
    finally:
        wb.close()
    files = [{"name": target.name, "url": register(target, target.name)}]
    if pdf:
        from xladdin.engines.libreoffice import to_pdf

        progress("正在用 LibreOffice 生成 PDF（约需十几秒）…")
        with tempfile.TemporaryDirectory(prefix="xladdin-pdf-") as tmp:
            made = to_pdf(target, Path(tmp))
            pdf_path = target.with_suffix(".pdf")
            shutil.move(str(made), pdf_path)
        files.append({"name": pdf_path.name, "url": register(pdf_path, pdf_path.name)})
    where = out_dir.relative_to(folder)
    return {"files": files, "text": f"通报已保存在“{where}”文件夹：{'、'.join(f['name'] for f in files)}。"}


def restore_backup(master: Path, backup_name: str, progress: Progress) -> dict[str, Any]:
    """Put a dated copy back as the master: the same job as ``xladdin restore`` and the ribbon's
    恢复备份 (``jobs.backups.restore_backup``: the current master backed up first and indexed, so a
    restore can itself be undone; on a snapshot, never over a colleague's save)."""
    from xladdin.jobs.backups import backup_time
    from xladdin.jobs.backups import restore_backup as restore_job

    ensure_closed(master)
    chosen = next((b for b in list_backups(master) if b.file == backup_name), None)
    if chosen is None:
        raise UsageError(f"备份“{backup_name}”不存在，请刷新页面。")
    taken = backup_time(chosen)
    progress(f"正在恢复备份“{chosen.file}”…")
    done = restore_job(master, chosen.file, progress)
    if not done.changed:
        return {"text": f"主台账与 {taken} 的备份内容相同，未做修改。", "saved": None}
    return {"text": f"已将主台账恢复为 {taken} 的备份；恢复前的主台账已备份到“备份”文件夹。", "saved": chosen.file}
