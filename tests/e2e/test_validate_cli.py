"""`xladdin validate` on the committed fixture workbooks: through `xladdin.cli.main` in process, and as a
real process where the exit code and stderr are the point."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import FIXTURES, main_json, run_cli, run_main
from tests.fixtures.build import EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gives_exactly_the_expected_findings(name: str) -> None:
    code, out = main_json("validate", FIXTURES / name, "--json")  # in process; the real process: below
    got = sorted(f"{f['code']}@{f['sheet']}!{f['cell']}" for f in out["findings"])
    assert got == sorted(EXPECTED[name])
    has_errors = any(f["severity"] == "error" for f in out["findings"])
    assert code == int(has_errors) and out["ok"] is (not has_errors)


def test_json_shape_and_chinese_messages() -> None:
    _, out = main_json("validate", FIXTURES / "rules.xlsx", "--json")
    assert set(out) == {"ok", "projects", "findings"} and out["projects"] == 19
    f = next(f for f in out["findings"] if f["code"] == "plan-exceeds-remaining")
    assert set(f) == {"code", "severity", "sheet", "cell", "row", "column", "field", "value", "message"}
    assert (f["cell"], f["row"], f["column"], f["field"], f["value"]) == ("I7", 7, 9, "annual_plan", "9,000")
    assert "年度计划投资" in f["message"] and "8,000" in f["message"]


def test_unknown_unit_suggests_closest_name() -> None:
    _, out = main_json("validate", FIXTURES / "unit-aliases.xlsx", "--json")
    (f,) = out["findings"]
    assert "北下街道办" in f["message"] and "北下街街道" in f["message"]


def test_without_mark_the_file_is_never_modified() -> None:
    path = FIXTURES / "rules.xlsx"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    run_main("validate", path)
    run_main("validate", path, "--json")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_missing_column_and_unreadable_files_exit_2(tmp_path: Path) -> None:
    # validate needs only the names: a missing 总投资 is an error finding naming it (issue 12) …
    proc = run_cli("validate", FIXTURES / "missing-column.xlsx")
    assert proc.returncode == 1 and "missing-column" not in proc.stdout and "总投资" in proc.stdout
    # … while the jobs that need it refuse (exit 2), naming it
    proc = run_cli("forms", FIXTURES / "missing-column.xlsx", "--month", "6", "--out", tmp_path / "forms")
    assert proc.returncode == 2 and "总投资" in proc.stderr and "Traceback" not in proc.stderr
    bogus = tmp_path / "not-a-workbook.xlsx"
    bogus.write_text("序号,项目名称\n", encoding="utf-8")
    proc = run_cli("validate", bogus)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert run_cli("validate").returncode == 2  # usage


def test_mark_writes_results_highlights_and_notes_then_rerun_replaces_them(fixture_copy) -> None:  # type: ignore[no-untyped-def]
    path = fixture_copy("rules.xlsx")
    assert run_main("validate", path, "--mark").returncode == 1
    wb = openpyxl.load_workbook(path)
    ws = wb["项目台账"]
    assert ws["I6"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "不能为负数" in ws["I6"].comment.text
    assert "计划已报区政府" in ws["I7"].comment.text  # the staff note is kept inside ours
    res = wb["校验结果"]
    header_row = next(r for r in range(1, 6) if res.cell(r, 1).value == "序号")
    links = [res.cell(r, 5).hyperlink.location for r in range(header_row + 1, res.max_row + 1) if res.cell(r, 5).hyperlink]
    assert "'项目台账'!I6" in links
    assert ws["B3"].fill.fgColor.rgb.endswith("DDEBF7")  # staff formatting untouched

    # fix the negative number and re-run: its mark goes, the staff note on I7 comes back as it was
    ws["I6"] = 100
    wb.save(path)
    run_main("validate", path, "--mark")
    wb = openpyxl.load_workbook(path)
    ws = wb["项目台账"]
    assert ws["I6"].fill.fill_type is None and ws["I6"].comment is None
    assert "xladdin" in ws["I7"].comment.text
    values = [c.value for c in wb["校验结果"]["C"]]
    assert "金额为负数" not in values and "年度计划超过剩余投资" in values


def test_results_and_marks_are_idempotent(fixture_copy) -> None:  # type: ignore[no-untyped-def]
    path = fixture_copy("rules.xlsx")
    run_main("validate", path, "--mark")
    first = _snapshot(path)
    run_main("validate", path, "--mark")
    assert _snapshot(path) == first


def _snapshot(path: Path) -> list[tuple[str, str, object, object, object]]:
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.comment is not None or c.fill.fill_type:
                    out.append((ws.title, c.coordinate, c.value, c.comment.text if c.comment else None, c.fill.fgColor.rgb))
    return out


def test_mark_finds_exactly_what_a_read_only_run_finds_and_keeps_other_parts(fixture_copy) -> None:  # type: ignore[no-untyped-def]
    """``--mark`` runs on the patch engine reading cached values, so its findings are the read-only
    run's; it rewrites only the ledger, styles, notes and workbook parts (issue 15)."""
    import zipfile

    path = fixture_copy("rules.xlsx")
    _, plain = main_json("validate", path, "--json")
    with zipfile.ZipFile(path) as zf:
        before = {i.filename: (i.CRC, i.compress_size) for i in zf.infolist()}
    code, marked = main_json("validate", path, "--mark", "--json")
    assert code == 1 and marked == plain
    with zipfile.ZipFile(path) as zf:
        after = {i.filename: (i.CRC, i.compress_size) for i in zf.infolist()}
    changed = {n for n in before if after.get(n) != before[n]}
    assert changed <= {"xl/worksheets/sheet1.xml", "xl/styles.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                       "[Content_Types].xml", "xl/comments/comment1.xml", "xl/drawings/commentsDrawing1.vml"}
    assert {"xl/theme/theme1.xml", "docProps/core.xml"} <= set(before) - changed


def test_a_unit_merged_down_over_its_projects_reads_as_written_on_each(demo_master: tuple[Path, Path],
                                                                      tmp_path: Path) -> None:
    """责任单位 merged down over three projects (the spreadsheet keeps it in the first cell only)
    gives the same validation and the same 1-5月 summary as the unit written on each row."""
    master, _ = demo_master
    written, merged = tmp_path / "written.xlsx", tmp_path / "merged.xlsx"
    wb = openpyxl.load_workbook(master)
    ws = wb["项目台账"]
    unit = ws["E4"].value
    ws["E5"], ws["E6"] = unit, unit  # the block's three projects: one unit
    wb.save(written)
    ws.merge_cells("E4:E6")  # as staff merge it: the value stays in E4 only
    wb.save(merged)
    assert openpyxl.load_workbook(merged)["项目台账"]["E5"].value is None
    results = {}
    for name, path in (("written", written), ("merged", merged)):
        _, checked = main_json("validate", path, "--json")
        _, summary = main_json("summary", path, "--month", "5", "--json")
        results[name] = (checked, summary)
    assert results["merged"] == results["written"]
    units = {r["unit"]: r["projects"] for r in results["merged"][1]["by_unit"]}
    assert units[unit] >= 3
