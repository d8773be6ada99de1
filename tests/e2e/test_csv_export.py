"""CSV output through the real CLI (validate --csv, summary --csv): UTF-8 with BOM, one file per
table, injection payloads from project names and progress notes escaped in CSV, plain in JSON and
still text in the workbook cells the jobs write."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import run_main
from xladdin.books.template import build_master
from xladdin.demo.progress import add_progress, unit_statistics
from xladdin.demo.projects import generate_projects
from xladdin.jobs.csv_export import cell_text

INJECTIONS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1,1)", "-1+1", "#N/A"]
MONTH = 6
M = str(MONTH)


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real master whose first unit's projects carry the payloads as names (each twice: a
    duplicate-name finding repeats it) and progress notes; the first five are started but not
    entered in the statistics, so the 应统尽统 table lists them by name."""
    projects = add_progress(generate_projects(2022, 2022), MONTH, 2022)
    unit = projects["unit"].iat[0]
    rows = list(projects.index[projects["unit"] == unit][:10])
    for i, text in enumerate(INJECTIONS):
        for r in (rows[i], rows[i + 5]):
            projects.loc[r, "name"] = text
            projects.loc[r, "progress_text"] = text
        projects.loc[rows[i], "status"] = "在建"
        projects.loc[rows[i], "in_stats"] = False
        projects.loc[rows[i], "total_investment"] = 50_000.0
    path = tmp_path_factory.mktemp("csv") / "主台账.xlsx"
    return build_master(path, projects=projects, stats=unit_statistics(MONTH, 2022), month=MONTH)


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads the Chinese"
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def test_cell_text_escapes_formulas_and_error_literals_only() -> None:
    assert [cell_text(t) for t in INJECTIONS] == ["'" + t for t in INJECTIONS]
    assert cell_text("城区污水管网改造") == "城区污水管网改造"
    assert cell_text("1-6月") == "1-6月"
    assert cell_text(-0.5) == -0.5 and cell_text(None) == ""  # numbers stay numbers


def test_validate_csv_escapes_payloads_and_json_keeps_them(master: Path, tmp_path: Path) -> None:
    out = tmp_path / "校验结果.csv"
    proc = run_main("validate", master, "--csv", out)
    assert proc.returncode == 1, proc.stderr  # the demo's one planted error (plan-exceeds-remaining)
    rows = read_csv(out)
    assert rows[0] == ["序号", "级别", "问题", "工作表", "单元格", "字段", "填写内容", "说明", "文件", "检查", "代码"]
    dup = [r for r in rows[1:] if r[10] == "duplicate-name"]
    assert sorted(r[6] for r in dup) == sorted("'" + t for t in INJECTIONS for _ in (0, 1))
    assert all(r[5] == "项目名称" for r in dup)
    for r in rows[1:]:
        assert all(not cell.startswith(("=", "+", "-", "@")) for cell in r), r  # nothing a spreadsheet would run
    proc = run_main("validate", master, "--json")
    values = {f["value"] for f in json.loads(proc.stdout)["findings"]}
    assert set(INJECTIONS) <= values  # JSON keeps the exact text


def test_summary_csv_one_file_per_table(master: Path, tmp_path: Path) -> None:
    proc = run_main("summary", master, "--month", M, "--csv", tmp_path / "csv")
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "csv").iterdir())
    tables = ("按项目级别", "按责任单位", "按行业类别", "增长目标", "排名", "已开工未入库项目", "各单位年度目标",
              "专项债券评价", "统计入库情况", "灾后重建", "新开工")
    assert names == sorted(f"1-6月_{t}.csv" for t in tables)
    assert proc.stdout.count("已写出：") == len(tables)
    levels = read_csv(tmp_path / "csv" / "1-6月_按项目级别.csv")
    assert levels[0][:3] == ["项目类别", "项目个数", "总投资（万元）"] and "完成率（%）" in levels[0]
    data = json.loads(run_main("summary", master, "--month", M, "--json").stdout)
    total_json = next(r for r in data["by_level"] if r["level"] == "合计")
    total_csv = next(r for r in levels if r[0] == "合计")
    assert int(total_csv[1]) == total_json["projects"]
    assert float(total_csv[2]) == pytest.approx(total_json["total_investment"], abs=0.01)
    assert float(total_csv[5]) == pytest.approx(total_json["completion_rate"] * 100, abs=0.051)
    ranking = read_csv(tmp_path / "csv" / "1-6月_排名.csv")
    assert ranking[0][0] == "排名" and len(ranking) == 1 + len(data["ranking"])
    assert any(r[4].startswith("-") for r in ranking[1:])  # a negative growth stays a number, not escaped text
    listed = read_csv(tmp_path / "csv" / "1-6月_已开工未入库项目.csv")
    names_csv = {r[2] for r in listed[1:]}
    assert {"'" + t for t in INJECTIONS} <= names_csv
    names_json = {r["name"] for r in data["programmes"]["not_entered"]}
    assert set(INJECTIONS) <= names_json


def test_jobs_write_the_payloads_as_text(master: Path, tmp_path: Path) -> None:
    out = tmp_path / "汇总后.xlsx"
    proc = run_main("consolidate", master, "--month", M, "--output", out)
    assert proc.returncode == 0, proc.stderr
    proc = run_main("validate", out, "--mark")
    assert proc.returncode == 1, proc.stderr  # the demo's one planted error (plan-exceeds-remaining)
    wb = openpyxl.load_workbook(out)
    hits = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value in INJECTIONS]
    sheets = {c.parent.title for c in hits}
    assert {"项目台账", "专项", "校验结果"} <= sheets, sheets
    assert all(c.data_type == "s" and c.hyperlink is None for c in hits)
    assert len({c.value for c in hits if c.parent.title == "专项"}) == len(INJECTIONS)
