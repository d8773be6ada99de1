"""The demo district end to end: consolidation reproduces the plan's table, ranks with ties,
escalates, prints the bulletin through LibreOffice, and is idempotent."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import run_main
from tests.sheets import sheet_text
from xladdin.core.periods import Period
from xladdin.engines.libreoffice import to_pdf
from xladdin.jobs.consolidate import consolidate
from xladdin.jobs.session import open_for_job


@pytest.fixture(scope="module")
def demo(demo_build: Any) -> Path:
    return Path(demo_build.master)  # built once per session (tests/conftest.py): read-only


@pytest.fixture(scope="module")
def month5(demo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run(demo, tmp_path_factory.mktemp("m5") / "m5.xlsx", 5)


def run(master: Path, out: Path, month: int) -> Path:
    with open_for_job(master, output=out) as engine:
        consolidate(engine, Period.of(month))
    return out


def values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    wb = openpyxl.load_workbook(path)
    try:
        return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    finally:
        wb.close()


def test_demo_month_5_outputs(month5: Path) -> None:
    out = month5
    summary = sheet_text(out, "汇总")
    # the plan's key-project table (万元): 17/799/173, 23/832/202.6, 251/1654.8/224, 45/769.1/111, 291/3285.8/599.6
    for line in ("省重点|17|7990000|1730000", "市重点|23|8320000|2026000", "区重点|251|16548000|2240000",
                 "攻坚星级|45|7691000|1110000", "982|42|6000000|980000", "合计|291|32858000|5996000"):
        assert line in summary
    ranking = sheet_text(out, "排名")
    rows = [r.split("|") for r in ranking.splitlines()]
    by_unit = {r[1]: r for r in rows if len(r) > 6}
    # the demo's exact tie; 14 units ranked (经济开发区 and 13 街道, the plan's wording: 圃田乡 is not)
    assert by_unit["城东路街道"][0] == by_unit["航海东路街道"][0] == "8"
    assert "圃田乡" not in by_unit
    assert by_unit["陇海马路街道"][0] == "14" and by_unit["陇海马路街道"][6] == "区分管领导约谈"  # last in 4 and 5
    history = sheet_text(out, "排名历史")
    # earlier periods ranked from 单位统计 on this first run: 东大街 last in 2-3, 陇海马路 in 4-5
    assert "单位|1-2月|1-3月|1-4月|1-5月|1-6月|" in history
    assert "陇海马路街道|" in history and "|14|14||" in history.split("陇海马路街道|")[1].split("\n")[0] + "|"
    bulletin = "".join(sheet_text(out, "通报").replace("|", "").split())  # lines are broken to the A4 width
    assert "关于2022年1-5月全区固定资产投资和重点项目建设进展情况的通报" in bulletin
    assert "连续2个月增速排名倒数第一" in bulletin
    # issue 13: the plan's measures reach the bulletin (the quarterly 入库 report only in quarter-end periods)
    for heading in ("各单位年度目标任务完成情况", "灾后重建项目推进情况", "新开工项目情况", "政府投资项目和专项债券项目进展情况",
                    "项目储备和招商引资情况", "区教育局债券资金已发行但尚未支出", "金岱街道年度目标无数据"):
        assert heading in bulletin, heading
    assert "统计入库完成情况（季度通报）" not in bulletin
    programmes = sheet_text(out, "专项")
    # "125": target counts under 目标个数 and names under 项目名称 (not 100%/200%/300% under 目标增速)
    assert "档次|目标个数|已引进个数|是否完成|项目名称" in programmes
    assert "百亿级头部企业项目|1|0|否" in programmes and "目标增速" not in programmes
    assert "统计库在建项目个数" in programmes and "|5|1000000|3|" in programmes
    assert "状态不明|项目状态“预备”无法识别" in programmes
    assert "六、各单位年度目标任务完成情况（单位统计）" in summary and "金岱街道|无数据" in summary


def test_month_6_escalates_to_principal_leader_and_reruns_identically(demo: Path, tmp_path: Path) -> None:
    first = run(demo, tmp_path / "a.xlsx", 6)
    second = run(first, tmp_path / "b.xlsx", 6)
    assert values(first) == values(second)
    ranking = sheet_text(second, "排名")
    assert "陇海马路街道" in ranking and "区主要领导约谈" in ranking
    bulletin = "".join(sheet_text(second, "通报").replace("|", "").split())
    assert "统计入库完成情况（季度通报）" in bulletin and "入库率" in bulletin


@pytest.mark.libreoffice
def test_bulletin_prints_to_pdf_with_its_figures(month5: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(month5)
    for ws in list(wb.worksheets):
        if ws.title != "通报":
            wb.remove(ws)
    only = tmp_path / "通报.xlsx"
    wb.save(only)
    pdf = to_pdf(only, tmp_path / "pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for needle in ("全区重点项目291个", "总投资3285.80亿元", "年度计划投资599.60亿元", "1654.80", "陇海马路街道",
                   "区分管领导约谈", "三个一批", "专项债券"):
        assert needle in flat, needle


def test_cli_consolidate_and_summary(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli.xlsx"
    done = run_main("consolidate", demo, "--month", "5", "--output", out)  # the CLI in process (tests/conftest.py)
    assert done.returncode == 0, done.stderr
    assert "1-5月汇总完成：重点项目 291 个" in done.stdout
    js = run_main("summary", out, "--month", "5", "--json")
    assert js.returncode == 0, js.stderr
    data = json.loads(js.stdout)
    assert data["period"] == "1-5月"
    total = next(r for r in data["by_level"] if r["level"] == "合计")
    assert (total["projects"], total["total_investment"], total["annual_plan"]) == (291, 32858000.0, 5996000.0)
    # 完成率 = 1-5月 completed ÷ 5,996,000 万元, and the completed sum is the same summed over the
    # units (a different grouping of the same projects) as over the levels
    units = [r for r in data["by_unit"] if r["unit"] != "合计"]
    assert total["ytd_completed"] == pytest.approx(sum(r["ytd_completed"] for r in units))
    assert total["completion_rate"] == pytest.approx(total["ytd_completed"] / 5996000.0)
    assert 0.05 < total["completion_rate"] < 5 / 12  # the demo's units lag the 5/12 schedule on the whole
    assert [t["scope"] for t in data["targets"]] == ["全区固定资产投资", "工业投资", "道路基础设施投资", "房地产开发投资"]
    last = data["ranking"][-1]
    assert (last["unit"], last["rank"], last["action"]) == ("陇海马路街道", 14, "区分管领导约谈")
    assert set(data["programmes"]) == {"sgyp", "key_links", "bonds", "bond_progress", "government_progress", "reserve",
                                       "attraction_125", "not_entered", "entry_report", "reconstruction", "new_starts"}
    # each measure reaches the JSON as the plan defines it (issue 13)
    bonds = {b["unit"]: b for b in data["programmes"]["bonds"]}
    assert bonds["区教育局"]["bond_disbursed"] == 0 and bonds["区教育局"]["disbursement"] == 0  # spends nothing
    reserve = data["programmes"]["reserve"]
    assert (reserve["base_projects"], reserve["base_investment"]) == (5, 1_000_000.0) and reserve["met"] is False
    tiers = data["programmes"]["attraction_125"]
    assert [t["target_count"] for t in tiers] == [1, 2, 3] and all(t["count"] is not None for t in tiers)
    assert {r["verdict"] for r in data["programmes"]["not_entered"]} == {"应入未入", "状态不明"}
    targets = {r["unit"]: r for r in data["unit_targets"]}
    assert targets["金岱街道"]["status"] == "无数据" and targets["经济开发区"]["target_rate"] > 0
    assert data["programmes"]["reconstruction"][0]["rank"] == 1
    assert data["programmes"]["new_starts"][-1]["unit"] == "合计"


def test_every_planted_mistake_is_reported_at_its_file_and_cell(demo_build: Any, tmp_path: Path) -> None:
    """The demo's returned June forms carry four realistic mistakes; consolidation names each one
    (code, file, cell) and merges everything else."""
    result = demo_build
    with open_for_job(result.master, output=tmp_path / "out.xlsx") as engine:
        done = consolidate(engine, Period(6), result.forms_dir)
    found = {(f.code, f.file, f.cell) for f in done.report.findings}
    for m in result.mistakes:
        assert (m.code, m.file, m.cell) in found, m
    assert done.merge.missing == ["东大街街道"] and done.merge.merged > 250
    east = [f for f in done.report.findings if f.code == "form-project-missing"]
    assert len(east) == 11 and all("属于东大街街道" in f.message for f in east)
    assert "未报送 1 个单位（东大街街道）" in done.summary_text()
