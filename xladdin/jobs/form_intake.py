"""Report forms are untrusted input: each is vetted, measured and read within fixed bounds.

A unit's file is vetted first (``inspect_package``: zip bombs, encryption, entity attacks refused
before any parser sees it). Then only the form sheet the template defines (``月报表``;
for a retyped copy, the first visible sheet whose header matches) and the metadata sheet are read,
and only after their real extent was measured from the sheet XML (``sheet_extent``): a sheet
larger than a form can hold is refused with a finding, never handed to calamine (which builds a
sheet as one dense range); calamine then reads the values, with the XML already inflated for the
measurement handed to it. Hidden or extra sheets holding figures are a finding, never merged.
Whatever goes wrong inside a parser ends as a finding on that file; the other forms are merged.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xladdin.core.findings import Finding, Severity, finding
from xladdin.core.form_layout import FORM_COLUMNS, FORM_SHEET, META_SHEET
from xladdin.core.form_reader import FormData, read_form
from xladdin.core.settings import Settings
from xladdin.core.sheet import SheetData, cell_ref
from xladdin.engines.guards import vetting as safety
from xladdin.engines.xlsx.calamine_read import open_workbook, read_sheet
from xladdin.engines.xlsx.sheet_extent import Extent, SheetInfo, scan_extent, sheet_infos
from xladdin.errors import XladdinError
from xladdin.jobs.form_files import OTHER_FORMATS, form_files, other_format_files, subfolder_workbooks

__all__ = ["FORM_MAX_COLS", "FORM_MAX_ROWS", "MAX_FINDINGS_PER_FORM", "FormFile", "cap_findings", "form_files",
           "form_of", "load_form_file", "read_form_file", "read_forms", "unread_files"]

FORM_MAX_ROWS = 20_000  # a unit's form: a header and one row per project (a province unit has a few hundred)
FORM_MAX_COLS = 4 * len(FORM_COLUMNS)  # the form's columns, moved or with extra ones added by the unit
FORM_MAX_PART = 32 * 2**20  # uncompressed sheet XML of the largest form allowed (~10 x a 20,000-row form)
META_MAX_ROWS, META_MAX_COLS = 100, 10
EXTRA_MAX_PART = 256 * 2**20  # extra sheets are only scanned (streamed) for figures, up to this size
MAX_FINDINGS_PER_FORM = 50
_STATES = {"hidden": "隐藏", "veryHidden": "深度隐藏", "visible": "可见"}


def read_forms(forms_dir: Path, settings: Settings,
               status: Callable[[str], None] | None = None) -> tuple[list[FormData], list[Finding]]:
    """Every workbook in ``forms_dir`` (sorted by name) read as a report form; a file that is not a
    form or cannot be read safely is a finding (``form-not-a-form``, ``form-too-large``)."""
    forms: list[FormData] = []
    problems: list[Finding] = []
    files = form_files(forms_dir)
    for n, path in enumerate(files, start=1):
        if status:
            status(f"正在读取月报表 {n}/{len(files)}：{path.name} …")
        form, found = read_form_file(path, settings)
        problems += found
        if form is not None:
            forms.append(form)
    return forms, problems


def unread_files(forms_dir: Path) -> list[Finding]:
    """What ``forms_dir`` holds that is not read as a form, each named: a ``form-not-a-form`` error
    for each spreadsheet saved in a format the reader does not open (.xls, .et …), saying how to
    send it again, and a ``form-in-subfolder`` warning for each subfolder holding workbooks."""
    found = [_refused(path, "form-not-a-form", f"“{path.name}”是{OTHER_FORMATS[path.suffix.lower()]}，本工具只读取 "
                                               ".xlsx 月报表，未汇入；请报送单位用 Excel 或 WPS 另存为 .xlsx 后重新报送。")[0]
             for path in other_format_files(forms_dir)]
    found += [finding("form-in-subfolder", sheet="", row=0, column=0, value=sub.name, limit=count, reason=Path(forms_dir).name)
              for sub, count in subfolder_workbooks(forms_dir)]
    return found


def read_form_file(path: Path, settings: Settings) -> tuple[FormData | None, list[Finding]]:
    """One form file: (the form, or None when refused; findings about the file's sheets)."""
    return form_of(load_form_file(path), settings)


@dataclass(frozen=True)
class FormFile:
    """A form file vetted, measured and read, before the 参数 are known: its sheets (form
    candidates, then the metadata sheet) and the other sheets holding figures (with how many)."""

    path: Path
    sheets: list[SheetData]
    figures: list[tuple[SheetInfo, int]]


def load_form_file(path: Path) -> FormFile | list[Finding]:
    """The part of reading a form that needs no 参数: vetting, measuring and calamine's read.
    A file refused here is its findings (``form-too-large``, ``form-not-a-form``). The form
    worker does this while the job is still importing and reading its 参数 (``form_pool``)."""
    try:
        safety.inspect_package(path)  # zip bombs, encryption, entity declarations: before any parser
        extents: dict[str, Extent] = {}
        with zipfile.ZipFile(path) as zf:
            infos = sheet_infos(zf)
            chosen, figures, problem = _plan(zf, infos, extents)
        if problem is not None:
            return _refused(path, "form-too-large", problem[1], problem[0])
        workbook = open_workbook(path, path.name) if chosen else None
        try:  # each sheet from the XML already inflated and measured (calamine reads the values)
            sheets = [read_sheet(workbook, path, info.name, path.name, xml=extents[info.name].xml) for info in chosen]
        finally:
            if workbook is not None:
                workbook.close()
    except XladdinError as exc:
        return _refused(path, "form-not-a-form", str(exc))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # a parser's own failure (a pyo3 panic is a BaseException)
        return _refused(path, "form-not-a-form", _unsafe(path, exc))
    return FormFile(path, sheets, figures)


def form_of(loaded: FormFile | list[Finding], settings: Settings) -> tuple[FormData | None, list[Finding]]:
    """A loaded form file read as a form with ``settings``: what ``read_form_file`` returns."""
    if not isinstance(loaded, FormFile):
        return None, loaded
    path = loaded.path
    try:
        form = read_form(loaded.sheets, settings, file=path.name)
    except XladdinError as exc:
        return None, _refused(path, "form-not-a-form", str(exc))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:
        return None, _refused(path, "form-not-a-form", _unsafe(path, exc))
    notes = [finding("form-extra-sheet", sheet=info.name, row=0, column=0, file=path.name, value=info.name,
                     label=_STATES.get(info.state, info.state),
                     other=f"{count:,} 个数字" if count >= 0 else "大量内容（过大，未读取）", reason=form.sheet)
             for info, count in loaded.figures if info.name != form.sheet]
    return form, notes


def _refused(path: Path, code: str, reason: str, sheet: str = "") -> list[Finding]:
    return [finding(code, sheet=sheet, row=0, column=0, file=path.name, reason=reason)]


def _unsafe(path: Path, exc: BaseException) -> str:
    return (f"“{path.name}”无法安全读取（{type(exc).__name__}），未汇入；"
            "请报送单位用 Excel 另存为 .xlsx 后重新报送。")


def _plan(zf: zipfile.ZipFile, infos: list[SheetInfo], extents: dict[str, Extent]
          ) -> tuple[list[SheetInfo], list[tuple[SheetInfo, int]], tuple[str, str] | None]:
    """Which sheets to read (form candidates, then the metadata sheet), which sheets hold figures
    (with how many; -1: too large to scan), and the reason to refuse the file (sheet, message), if any.
    The template's ``月报表`` sheet is the only candidate when present (too large: the file is
    refused); otherwise every visible sheet is one, and too large ones are passed over."""
    named = [i for i in infos if i.name == FORM_SHEET and i.state == "visible"]  # a hidden one is not the form
    candidates = named or [i for i in infos if i.state == "visible" and not i.name.startswith("_")]
    chosen: list[SheetInfo] = []
    first_problem: tuple[str, str] | None = None
    for info in candidates:
        problem = _too_big(zf, info, FORM_MAX_ROWS, FORM_MAX_COLS, FORM_MAX_PART, extents)
        if problem is None:
            chosen.append(info)
        elif first_problem is None:
            first_problem = (info.name, problem)
    if (named and first_problem is not None) or not chosen:
        return [], [], first_problem
    meta = next((i for i in infos if i.name == META_SHEET), None)
    if meta is not None and _too_big(zf, meta, META_MAX_ROWS, META_MAX_COLS, FORM_MAX_PART, extents) is None:
        chosen.append(meta)
    figures: list[tuple[SheetInfo, int]] = []
    for info in infos:
        if info.name in (META_SHEET, chosen[0].name):  # the first candidate is the form sheet in all but
            continue  # odd retyped copies (then a second candidate's figures are not reported)
        if info.name not in extents and info.size > EXTRA_MAX_PART:
            figures.append((info, -1))
            continue
        known = extents.get(info.name)
        numbers = known.numbers if known is not None and known.numbers >= 0 else \
            scan_extent(zf, info.part, numbers=True).numbers
        if numbers:
            figures.append((info, numbers))
    return chosen, figures, None


def _too_big(zf: zipfile.ZipFile, info: SheetInfo, max_rows: int, max_cols: int, max_part: int,
             extents: dict[str, Extent]) -> str | None:
    limit = f"月报表最多 {max_rows:,} 行、{max_cols} 列"
    if info.size > max_part:
        return (f"工作表“{info.name}”解压后 {info.size / 2**20:,.0f} MB，远超月报表的容量（{limit}），未读取、未汇入。"
                "请删除多余内容后重新报送。")
    extent = extents[info.name] = scan_extent(zf, info.part, max_rows=max_rows, max_cols=max_cols, keep=True)
    if extent.over:
        return (f"工作表“{info.name}”的内容延伸到 {cell_ref(max(extent.max_row, 1), max(extent.max_col, 1))}"
                f"（{extent.max_row:,} 行 × {extent.max_col:,} 列），超出月报表的容量（{limit}），未读取、未汇入。"
                "请删除多余的行列（或整张多余的工作表）后重新报送。")
    return None


def cap_findings(findings: list[Finding], limit: int = MAX_FINDINGS_PER_FORM) -> list[Finding]:
    """The first ``limit`` findings of each form file, then one ``form-more-findings`` per file with
    how many more there were (an error when any left out is an error). Findings without a file pass."""
    out: list[Finding] = []
    per_file: dict[str, int] = {}
    dropped: dict[str, list[Finding]] = {}
    for f in findings:
        if not f.file:
            out.append(f)
            continue
        n = per_file.get(f.file, 0)
        per_file[f.file] = n + 1
        if n < limit:
            out.append(f)
        else:
            dropped.setdefault(f.file, []).append(f)
    for file, rest in dropped.items():
        severity: Severity = "error" if any(f.severity == "error" for f in rest) else "warning"
        out.append(finding("form-more-findings", sheet=rest[0].sheet, row=0, column=0, file=file, value=len(rest),
                           limit=limit, severity=severity))
    return out
