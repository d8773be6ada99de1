"""The patch engine on real files: same values as the file engine, untouched parts byte-for-byte,
content openpyxl would drop survives, injection stays text in LibreOffice, a killed save leaves the
master intact, a re-run of the same month changes nothing."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests import hostile_files as hf
from tests.conftest import run_main
from xladdin import errors
from xladdin.core.periods import Period
from xladdin.engines import libreoffice
from xladdin.engines.base import Formula, Link
from xladdin.engines.files import FileEngine
from xladdin.engines.guards import vetting as safety
from xladdin.engines.patch import PatchEngine
from xladdin.jobs.consolidate import consolidate
from xladdin.jobs.session import run_in_place
from xladdin.jobs.validate import validate, write_findings

INJECTIONS = ['=HYPERLINK("http://evil.example/x","点此查看")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-1+1", "#N/A",
              "=1+1", 'a & <b> "c" end']
ESCAPES = "_x0041_ is literal, \x07 is a control character"  # stored as _x005F_x0041_ and _x0007_


@pytest.fixture
def demo(demo_master: tuple[Path, Path]) -> tuple[Path, Path]:
    return demo_master  # built once per session (tests/conftest.py): read-only, copy before writing


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def cells(path: Path) -> dict[tuple[str, str], tuple[Any, str | None]]:
    """Every non-empty value and every hyperlink location, by (sheet, cell)."""
    wb = openpyxl.load_workbook(path)
    out: dict[tuple[str, str], tuple[Any, str | None]] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                link = c.hyperlink.location if c.hyperlink is not None else None
                if c.value is not None or link is not None:
                    out[(ws.title, c.coordinate)] = (c.value, link)
    wb.close()
    return out


def looks(path: Path) -> dict[tuple[str, str], tuple[Any, ...]]:
    """Number format, font, size, bold and rules of every cell of the output sheets."""
    wb = openpyxl.load_workbook(path)
    out: dict[tuple[str, str], tuple[Any, ...]] = {}
    for name in ("汇总", "排名", "专项", "通报", "校验结果"):
        for row in wb[name].iter_rows():
            for c in row:
                b = c.border
                out[(name, c.coordinate)] = (c.number_format, c.font.name, c.font.sz, bool(c.font.b),
                                             b.top.style, b.bottom.style, b.left.style, b.right.style)
    wb.close()
    return out


def both_engines(src: Path, tmp: Path, job: Any) -> tuple[Path, Path]:
    patched, filed = tmp / "patch.xlsx", tmp / "file.xlsx"
    shutil.copyfile(src, patched)
    shutil.copyfile(src, filed)
    pe = PatchEngine(patched)
    job(pe)
    pe.save()
    pe.close()
    fe = FileEngine(filed, writable=True)
    job(fe)
    fe.save()
    fe.close()
    return patched, filed


def test_consolidation_writes_the_same_values_as_the_file_engine(demo: tuple[Path, Path], tmp_path: Path) -> None:
    master, forms = demo
    patched, filed = both_engines(master, tmp_path, lambda e: consolidate(e, Period(6), forms))
    got, want = cells(patched), cells(filed)
    assert got == want
    assert any(v == "陇海马路街道" for (s, _), (v, _) in got.items() if s == "排名")
    before, after = members(master), members(patched)
    changed = {n for n in before if before[n] != after.get(n)}
    # only the sheets the job wrote, workbook.xml (fullCalcOnLoad was already set here: unchanged) and
    # styles.xml (the cell formats the output sheets and the bulletin need, appended)
    assert changed <= ({f"xl/worksheets/sheet{i}.xml" for i in (3, 5, 6, 7, 8, 9, 10)}
                       | {"[Content_Types].xml", "xl/styles.xml"})
    assert {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"}.isdisjoint(changed)
    assert looks(patched) == looks(filed)  # the same number formats, fonts and rules as openpyxl gives
    assert "xl/charts/chart1.xml" in after  # the ranking chart, added as new parts
    ranking: Any = openpyxl.load_workbook(patched)["排名"]
    assert len(ranking._charts) == 1


@pytest.mark.libreoffice
def test_a_master_saved_by_another_program_gives_the_same_values(demo: tuple[Path, Path], demo_recalculated: Path,
                                                                  tmp_path: Path) -> None:
    """LibreOffice writes shared strings, cached formula results and its own XML layout; the patch
    engine reads formulas as the file engine does (cached results go stale once a job writes)."""
    _, forms = demo
    resaved = demo_recalculated
    patched, filed = both_engines(resaved, tmp_path, lambda e: consolidate(e, Period(6), forms))
    assert cells(patched) == cells(filed)
    assert members(patched)["xl/sharedStrings.xml"] == members(resaved)["xl/sharedStrings.xml"]
    assert libreoffice.error_cells(libreoffice.recalc(patched, tmp_path / "lo2")) == []


def test_findings_with_links_match_the_file_engine(demo: tuple[Path, Path], tmp_path: Path) -> None:
    master, _ = demo
    src = tmp_path / "src.xlsx"
    pe = PatchEngine(master)
    pe.write_cells("项目台账", {"C5": "P-DUP", "C6": "P-DUP", "H7": -5})  # findings that link to cells
    pe.save(src)

    def job(e: Any) -> None:
        report, _ = validate(e)
        write_findings(e, report)
        write_findings(e, report)  # the second replaces the first (clear + hyperlinks)

    patched, filed = both_engines(src, tmp_path, job)
    got = cells(patched)
    assert got == cells(filed)
    assert sum(1 for (s, _), (_, link) in got.items() if s == "校验结果" and link) >= 2


def test_content_openpyxl_drops_survives_an_in_place_job(demo: tuple[Path, Path], tmp_path: Path) -> None:
    master, forms = demo
    path = tmp_path / "主台账.xlsx"
    ledger_part = "xl/worksheets/sheet3.xml"
    extras = {"xl/slicers/slicer1.xml": b'<?xml version="1.0"?><slicers/>', "customXml/item1.xml": b"<data/>",
              "xl/drawings/drawing9.xml": hf._DRAWING}

    def edit(name: str, data: bytes) -> bytes:
        if name == ledger_part:
            data = data.replace(b"<worksheet ", b'<worksheet xmlns:mc="http://schemas.openxmlformats.org/markup-'
                                b'compatibility/2006" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/'
                                b'2009/9/ac" mc:Ignorable="x14ac" ', 1)
            return data.replace(b"</worksheet>", hf._SHEET_EXT + b"</worksheet>")
        return data

    hf.rewrite(master, path, edit, extras)
    with pytest.raises(errors.ContentWouldBeLost):
        FileEngine(path, writable=True)  # openpyxl would drop them: the file engine refuses
    before = members(path)
    proc = run_main("consolidate", path, "--month", "6", "--forms", forms)
    assert proc.returncode == 1, proc.stderr  # findings, not a refusal
    after = members(path)
    assert set(after) >= set(before)
    changed = {n for n in before if before[n] != after[n]}
    assert ledger_part in changed and not changed & set(extras)
    for name in set(before) - changed:
        assert after[name] == before[name], name
    new = after[ledger_part]
    assert new.startswith(before[ledger_part][: before[ledger_part].index(b"<sheetData")])  # root, mc:Ignorable
    assert new.endswith(before[ledger_part][before[ledger_part].index(b"</sheetData>"):])  # x14 extLst, ignoredErrors
    assert len(list((tmp_path / safety.BACKUP_DIR).glob("*.xlsx"))) == 1


@pytest.mark.libreoffice
def test_injection_stays_text_and_libreoffice_recalculates(tmp_path: Path) -> None:
    path = hf.plain(tmp_path / "台账.xlsx")
    engine = PatchEngine(path)
    engine.write_cells("项目台账", {f"A{10 + i}": text for i, text in enumerate(INJECTIONS)} | {"E1": ESCAPES})
    engine.write_block("项目台账", "C1", [["合计", Formula("=SUM(B2:B3)")], [Link("去第二行", "'项目台账'!A2"), True]])
    assert engine.read("项目台账").value(10, 1) == INJECTIONS[0]  # pending writes are read back
    engine.save()
    engine.close()
    ws = openpyxl.load_workbook(path)["项目台账"]
    for i, text in enumerate(INJECTIONS):
        cell = ws.cell(row=10 + i, column=1)
        assert (cell.value, cell.data_type, cell.hyperlink) == (text, "s", None)
    assert ws["D1"].value == "=SUM(B2:B3)" and ws["C2"].hyperlink.location == "'项目台账'!A2"
    assert ws.dimensions == "A1:E16"
    assert FileEngine(path).read("项目台账").value(1, 5) == ESCAPES  # calamine decodes Excel's escapes
    out = libreoffice.recalc(path, tmp_path / "lo")
    assert libreoffice.error_cells(out) == []
    lo = openpyxl.load_workbook(out, data_only=True)["项目台账"]
    assert [lo.cell(row=10 + i, column=1).value for i in range(6)] == INJECTIONS[:6]
    assert lo["D1"].value == pytest.approx(36200.5) and lo["D2"].value is True


def test_the_session_picks_one_engine_up_front_and_never_reruns(tmp_path: Path) -> None:
    """Issue 11 item 4: a job runs once, on the engine picked before it starts. The patch engine
    does new sheets, fills and notes itself; the file engine is picked only for what the patch
    engine declares it cannot do on that file (encrypted; no styles.xml when fills are needed)."""
    path = hf.plain(tmp_path / "台账.xlsx")
    used: list[str] = []

    def job(e: Any) -> int:
        used.append(type(e).__name__)
        e.write_cells("项目台账", {"A2": "先写"})
        e.ensure_sheet("新表", hidden=True)
        e.write_cells("新表", {"A1": "新"})
        e.set_fill("项目台账", ["B2"], "FFC7CE")
        e.set_note("项目台账", "B2", "批注")
        return 7

    assert run_in_place(path, job) == 7
    assert used == ["PatchEngine"]
    wb = openpyxl.load_workbook(path)
    assert wb["新表"]["A1"].value == "新" and wb["新表"].sheet_state == "hidden"
    ws = wb["项目台账"]
    assert ws["A2"].value == "先写" and ws["B2"].fill.fgColor.rgb == "FFFFC7CE" and ws["B2"].comment.text == "批注"

    locked = hf.encrypted(tmp_path / "加密.xlsx", "pw")
    assert run_in_place(locked, job, password="pw") == 7 and used[-1] == "FileEngine"

    no_styles = hf.rewrite(hf.plain(tmp_path / "p.xlsx"), tmp_path / "无样式.xlsx",
                           lambda name, data: None if name == "xl/styles.xml" else data)
    assert "fills" not in PatchEngine(no_styles).capabilities
    run_in_place(no_styles, lambda e: used.append(type(e).__name__), needs=frozenset({"cells", "fills"}))
    run_in_place(no_styles, lambda e: used.append(type(e).__name__), needs=frozenset({"cells"}))
    assert used[-2:] == ["FileEngine", "PatchEngine"]

    # what the patch engine cannot do mid-job stops the job with nothing written: no rerun
    shared = tmp_path / "f.xlsx"
    hf.rewrite(hf.plain(tmp_path / "p3.xlsx"), shared, lambda name, data: data.replace(
        b"</sheetData>", b'<row r="5"><c r="A5"><f t="shared" ref="A5:A6" si="0">B2</f><v>1</v></c></row>'
        b'<row r="6"><c r="A6"><f t="shared" si="0"/><v>2</v></c></row></sheetData>') if name == hf.SHEET else data)
    before = shared.read_bytes()
    calls: list[str] = []

    def bad(e: Any) -> None:
        calls.append(type(e).__name__)
        e.write_cells("项目台账", {"A5": 3})

    with pytest.raises(errors.EngineUnsupported):
        run_in_place(shared, bad)
    assert calls == ["PatchEngine"] and shared.read_bytes() == before


def test_shared_formula_master_is_not_patched(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    shutil.copyfile(hf.plain(tmp_path / "p.xlsx"), path)

    def edit(name: str, data: bytes) -> bytes:
        if name == hf.SHEET:
            return data.replace(b"</sheetData>", b'<row r="5"><c r="A5"><f t="shared" ref="A5:A6" si="0">B2</f>'
                                b'<v>1</v></c></row><row r="6"><c r="A6"><f t="shared" si="0"/><v>2</v></c></row>'
                                b"</sheetData>")
        return data

    hf.rewrite(hf.plain(tmp_path / "p2.xlsx"), path, edit)
    engine = PatchEngine(path)
    engine.write_cells("项目台账", {"A6": 3})  # a dependent cell may be overwritten
    engine.prepare()
    engine.write_cells("项目台账", {"A5": 3})
    with pytest.raises(errors.EngineUnsupported):
        engine.prepare()
    engine.close()


SLOW_SAVE = r"""
import sys, time
from pathlib import Path
import xladdin.engines.patch as patch
from xladdin.jobs.session import run_in_place

real = patch.write_package

def write_then_hang(source, target, replaced, added, packed=None):
    real(source, target, replaced, added, packed)  # the temp file is complete; the replace has not happened
    print("SAVED-TEMP", target, flush=True)
    time.sleep(60)

patch.write_package = write_then_hang
run_in_place(Path(sys.argv[1]), lambda e: e.write_cells("项目台账", {"A2": "已改"}))
"""


def test_job_killed_while_saving_leaves_the_master_intact(tmp_path: Path) -> None:
    path = hf.plain(tmp_path / "台账.xlsx")
    original = path.read_bytes()
    hf.kill_while_saving(SLOW_SAVE, path)
    assert path.read_bytes() == original
    # the temp is written into the job's snapshot folder (in 备份/), never beside the master
    assert safety.lock_path(path).exists() and len(list(tmp_path.glob("备份/.xladdin-job-*/.*xladdin-tmp-*"))) == 1
    run_in_place(path, lambda e: e.write_cells("项目台账", {"A3": "再改"}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx", "备份"]  # stale lock gone
    assert not list(tmp_path.glob("备份/.*"))  # the dead job's snapshot folder and temp gone
    ws = openpyxl.load_workbook(path)["项目台账"]
    assert (ws["A2"].value, ws["A3"].value) == ("城区污水管网改造", "再改")


def test_running_the_same_month_twice_changes_nothing(demo: tuple[Path, Path], tmp_path: Path) -> None:
    master, forms = demo
    path = tmp_path / "主台账.xlsx"
    shutil.copyfile(master, path)
    first = run_main("consolidate", path, "--month", "6", "--forms", forms)
    assert first.returncode == 1, first.stderr
    once = path.read_bytes()
    second = run_main("consolidate", path, "--month", "6", "--forms", forms)
    assert second.returncode == 1, second.stderr
    assert path.read_bytes() == once
    assert second.stdout == first.stdout
