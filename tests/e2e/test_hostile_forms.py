"""Hostile and careless report forms (issue 14): each is refused or flagged with a finding on its
own file, and the other units' forms are merged. Built small and fast at test time."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from xladdin.books.form_writer import build_form, form_values
from xladdin.books.template import build_master
from xladdin.core.findings import Finding
from xladdin.core.form_layout import FormMeta, form_file_name
from xladdin.core.periods import Period
from xladdin.core.settings import default_settings
from xladdin.demo.progress import unit_statistics
from xladdin.engines.files import FileEngine
from xladdin.jobs.consolidate import ConsolidationResult, consolidate
from xladdin.jobs.form_intake import MAX_FINDINGS_PER_FORM
from xladdin.jobs.session import load_ledger, run_in_place

MASTER_ID = "GC-TEST-2022"
UNITS = {"P1": "南关街道", "P2": "南关街道", "P3": "经济开发区", "P4": "北下街街道"}
FIGURES = {"P1": 11.0, "P2": 12.0, "P3": 13.0, "P4": 14.0}
Tweak = Callable[[FormMeta, list[dict[str, Any]]], FormMeta]


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    projects = pd.DataFrame([
        {"name": f"项目{c}", "code": c, "unit": u, "level": "区重点", "total_investment": 1000.0, "annual_plan": 300.0,
         "m02": 20.0, "m03": 30.0} for c, u in UNITS.items()
    ])
    return build_master(tmp_path_factory.mktemp("m") / "主台账.xlsx", projects=projects, month=3,
                        stats=unit_statistics(4), master_id=MASTER_ID)


def write_forms(folder: Path, tweaks: dict[str, Tweak] | None = None) -> dict[str, Path]:
    """One filled form per unit for month 4 (each project's figure from FIGURES); ``tweaks[unit]``
    may edit the rows and return other metadata."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for unit in dict.fromkeys(UNITS.values()):
        codes = [c for c, u in UNITS.items() if u == unit]
        own = pd.DataFrame([{"code": c, "name": f"项目{c}", "unit": unit, "level": "区重点", "annual_plan": 300.0,
                             "m02": 20.0, "m03": 30.0} for c in codes])
        rows = form_values(own, Period(4))
        for row in rows:
            row["month_current"] = FIGURES[row["code"]]
        meta = FormMeta(unit=unit, year=2022, month=4, master_id=MASTER_ID, master_file="主台账.xlsx")
        if tweaks and unit in tweaks:
            meta = tweaks[unit](meta, rows)
        out[unit] = build_form(folder / form_file_name(meta), meta, rows, protect=False)
    return out


def run(master: Path, tmp_path: Path, forms: Path) -> tuple[ConsolidationResult, dict[str, Any]]:
    path = tmp_path / "主台账.xlsx"
    shutil.copyfile(master, path)
    result = run_in_place(path, lambda e: consolidate(e, Period(4), forms), month=4)
    engine = FileEngine(path)
    try:
        frame = load_ledger(engine, default_settings()).frame
    finally:
        engine.close()
    merged = {str(c): (None if pd.isna(v) else float(v)) for c, v in zip(frame["code"], frame["m04"], strict=True)}
    return result, merged


def codes_of(findings: list[Finding], file: str) -> list[str]:
    return [f.code for f in findings if f.file == file]


@pytest.mark.slow
def test_a_far_cell_on_an_extra_sheet_neither_aborts_nor_merges(master: Path, tmp_path: Path) -> None:
    forms = write_forms(tmp_path / "forms")
    wb = openpyxl.load_workbook(forms["南关街道"])
    junk = wb.create_sheet("Sheet2")
    junk["A1"], junk["XFD1048576"] = 5, 7  # an 8 KB file; as a dense range: 17 billion cells
    wb.save(forms["南关街道"])
    path = tmp_path / "主台账.xlsx"
    shutil.copyfile(master, path)
    proc = subprocess.run([sys.executable, "-m", "xladdin.cli", "consolidate", str(path), "--month", "4",
                           "--forms", str(tmp_path / "forms"), "--json"], capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 1), proc.stderr  # not 134 (a native abort)
    assert "panicked" not in proc.stderr and "Traceback" not in proc.stderr
    assert "form-extra-sheet" in proc.stdout and "Sheet2" in proc.stdout
    engine = FileEngine(path)
    try:
        frame = load_ledger(engine, default_settings()).frame
    finally:
        engine.close()
    assert dict(zip(frame["code"], frame["m04"], strict=True)) == FIGURES  # every form merged, 南关 too


def test_a_form_sheet_reaching_xfd1048576_is_refused_and_the_others_merged(master: Path, tmp_path: Path) -> None:
    forms = write_forms(tmp_path / "forms")
    wb = openpyxl.load_workbook(forms["南关街道"])
    wb["月报表"]["XFD1048576"] = 1
    wb.save(forms["南关街道"])
    result, merged = run(master, tmp_path, tmp_path / "forms")
    name = forms["南关街道"].name
    assert codes_of(result.report.findings, name) == ["form-too-large"]
    assert "XFD1048576" in next(f.message for f in result.report.findings if f.file == name)
    assert merged == {"P1": None, "P2": None, "P3": 13.0, "P4": 14.0}


def test_a_hidden_sheet_with_other_figures_never_wins(master: Path, tmp_path: Path) -> None:
    forms = write_forms(tmp_path / "forms")
    wb = openpyxl.load_workbook(forms["南关街道"])
    decoy = wb.copy_worksheet(wb["月报表"])
    decoy.title = "数据"
    for row in decoy.iter_rows(min_row=5):
        for cell in row:
            if isinstance(cell.value, float) and cell.value in (11.0, 12.0):
                cell.value = 9999.0
    decoy.sheet_state = "hidden"
    wb.move_sheet(decoy, offset=-wb.index(decoy))  # first
    wb.save(forms["南关街道"])
    result, merged = run(master, tmp_path, tmp_path / "forms")
    assert merged == FIGURES
    found = [f for f in result.report.findings if f.code == "form-extra-sheet"]
    assert len(found) == 1 and "数据" in found[0].message and "隐藏" in found[0].message


def test_a_hidden_sheet_named_like_the_form_is_not_the_form(master: Path, tmp_path: Path) -> None:
    forms = write_forms(tmp_path / "forms")
    wb = openpyxl.load_workbook(forms["南关街道"])
    visible = wb["月报表"]
    decoy = wb.copy_worksheet(visible)
    visible.title = "月报表（填报）"  # the unit renamed its sheet ...
    decoy.title = "月报表"  # ... and a hidden copy with other figures carries the template's name
    for row in decoy.iter_rows(min_row=5):
        for cell in row:
            if isinstance(cell.value, float) and cell.value in (11.0, 12.0):
                cell.value = 9999.0
    decoy.sheet_state = "hidden"
    wb.move_sheet(decoy, offset=-wb.index(decoy))
    wb.save(forms["南关街道"])
    result, merged = run(master, tmp_path, tmp_path / "forms")
    assert merged == FIGURES
    assert [f.code for f in result.report.findings if f.file == forms["南关街道"].name] == ["form-extra-sheet"]


def test_absurd_nan_and_infinite_figures_are_findings_and_not_merged(master: Path, tmp_path: Path) -> None:
    def absurd(meta: FormMeta, rows: list[dict[str, Any]]) -> FormMeta:
        rows[0]["month_current"] = 1e300
        rows[1]["month_current"] = 424242.0  # replaced by NaN in the XML below
        return meta

    def inf(meta: FormMeta, rows: list[dict[str, Any]]) -> FormMeta:
        rows[0]["month_current"] = 434343.0  # replaced by INF below
        return meta

    forms = write_forms(tmp_path / "forms", {"南关街道": absurd, "北下街街道": inf})
    for unit, marker, text in (("南关街道", b"424242", b"NaN"), ("北下街街道", b"434343", b"INF")):
        _replace_in_sheet(forms[unit], b"<v>" + marker + b"</v>", b"<v>" + text + b"</v>")
    result, merged = run(master, tmp_path, tmp_path / "forms")
    assert merged == {"P1": None, "P2": None, "P3": 13.0, "P4": None}
    nanguan = [f for f in result.report.findings if f.file == forms["南关街道"].name]
    assert sorted(f.code for f in nanguan) == ["absurd-amount", "not-a-number"]
    assert any("NaN" in f.message for f in nanguan)
    assert codes_of(result.report.findings, forms["北下街街道"].name) == ["not-a-number"]


def _replace_in_sheet(path: Path, old: bytes, new: bytes, member: str = "xl/worksheets/sheet1.xml") -> None:
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == member:
                assert old in data
                data = data.replace(old, new)
            zout.writestr(info.filename, data)
    tmp.replace(path)


@pytest.mark.parametrize(("field", "value", "shown"), [("master_id", "GC-OTHER-2022", "GC-OTHER-2022"),
                                                       ("year", 2021, "2021")])
def test_a_form_of_another_ledger_or_year_is_refused_naming_both(field: str, value: Any, shown: str, master: Path,
                                                                 tmp_path: Path) -> None:
    forms = write_forms(tmp_path / "forms", {"经济开发区": lambda meta, rows: meta.model_copy(update={field: value})})
    result, merged = run(master, tmp_path, tmp_path / "forms")
    assert merged == FIGURES | {"P3": None}
    found = [f for f in result.report.findings if f.file == forms["经济开发区"].name]
    assert [f.code for f in found] == ["form-wrong-ledger"]
    expected = MASTER_ID if field == "master_id" else "2022"
    assert shown in found[0].message and expected in found[0].message


def test_text_beyond_an_excel_cell_is_cut_with_a_finding(master: Path, tmp_path: Path) -> None:
    def long_text(meta: FormMeta, rows: list[dict[str, Any]]) -> FormMeta:
        rows[0]["progress_text"] = "长文本标记"
        return meta

    forms = write_forms(tmp_path / "forms", {"经济开发区": long_text})
    # our writer cuts what it writes; a file written by other software need not
    _replace_in_sheet(forms["经济开发区"], "长文本标记".encode(), ("进" * 40_000).encode())
    result, merged = run(master, tmp_path, tmp_path / "forms")
    assert merged == FIGURES
    assert codes_of(result.report.findings, forms["经济开发区"].name) == ["text-too-long"]
    wb = openpyxl.load_workbook(tmp_path / "主台账.xlsx")
    texts = [v for row in wb["项目台账"].iter_rows(values_only=True) for v in row if isinstance(v, str) and "进进" in v]
    assert [len(t) for t in texts] == [32_767]


def test_findings_per_form_are_capped(master: Path, tmp_path: Path) -> None:
    def unknown_codes(meta: FormMeta, rows: list[dict[str, Any]]) -> FormMeta:
        rows += [dict(rows[0], code=f"X{i:04d}", seq=i) for i in range(200)]
        return meta

    forms = write_forms(tmp_path / "forms", {"北下街街道": unknown_codes})
    result, merged = run(master, tmp_path, tmp_path / "forms")
    assert merged == FIGURES
    found = [f for f in result.report.findings if f.file == forms["北下街街道"].name]
    assert len(found) == MAX_FINDINGS_PER_FORM + 1
    more = [f for f in found if f.code == "form-more-findings"]
    assert len(more) == 1 and "另有 150 处" in more[0].message


def test_a_form_larger_than_a_form_can_hold_is_refused_before_reading(master: Path, tmp_path: Path) -> None:
    """The 1,000,000-row form that grew the master to 48 MB, scaled down: over the row limit it is
    refused as a whole (one finding), the master does not grow, the others are merged."""
    forms = write_forms(tmp_path / "forms")
    wb = openpyxl.load_workbook(forms["经济开发区"])
    ws = wb["月报表"]
    for i in range(25_000):
        ws.append([i, f"Y{i:05d}", "未知项目", None, None, None, 1.0])
    wb.save(forms["经济开发区"])
    result, merged = run(master, tmp_path, tmp_path / "forms")
    assert codes_of(result.report.findings, forms["经济开发区"].name) == ["form-too-large"]
    assert merged == FIGURES | {"P3": None}
    assert (tmp_path / "主台账.xlsx").stat().st_size < 2 * master.stat().st_size


def test_the_page_and_the_forms_command_read_a_hostile_form_within_bounds(tmp_path: Path) -> None:
    """An uploaded form (the page's check) and a form already in the output folder (``forms``'
    overwrite check) go through the same bounded reader as consolidation: a far cell on an extra
    sheet neither aborts the process nor hides the form's figures, and a form sheet reaching
    XFD1048576 is refused with the reason, never read as a dense range."""
    from xladdin.jobs.forms import filled_forms
    from xladdin.web.actions import check_form

    forms = write_forms(tmp_path / "forms")
    far = forms["南关街道"]
    wb = openpyxl.load_workbook(far)
    wb.create_sheet("Sheet2")["XFD1048576"] = 7
    wb.save(far)
    code = ("import sys; from pathlib import Path; from xladdin.core.settings import default_settings; "
            "from xladdin.web.actions import check_form; from xladdin.jobs.forms import filled_forms; "
            "p = Path(sys.argv[1]); r = check_form(p, default_settings(), 4); "
            "print(r['unit'], r['rows'], len(filled_forms(p.parent, [p.name], default_settings())))")
    proc = subprocess.run([sys.executable, "-c", code, str(far)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr  # not 134: no native abort
    assert proc.stdout.split() == ["南关街道", "2", "1"]  # read, and it holds figures: never overwritten

    huge = forms["北下街街道"]
    wb = openpyxl.load_workbook(huge)
    wb["月报表"]["XFD1048576"] = 1
    wb.save(huge)
    result = check_form(huge, default_settings(), 4)
    assert result["unit"] is None and "XFD1048576" in result["warning"]
    assert filled_forms(huge.parent, [huge.name], default_settings()) == [huge]  # unreadable: never overwritten
