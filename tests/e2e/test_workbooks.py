"""The workbooks staff start from: committed copies current, template clean, demo reproduces the plan, forms locked."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from xladdin.cli import main
from xladdin.core.form_layout import FORM_COLUMNS, FORM_FIRST_ROW, FORM_SHEET, META_SHEET, parse_meta
from xladdin.core.sheet import SheetData
from xladdin.demo.district import write_samples

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "import sys; from xladdin.cli import main; sys.exit(main())"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI in a fresh process (as staff run it)."""
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, check=False)


def call(*args: str) -> tuple[int, str]:
    """The same CLI entry point in-process (faster), returning exit code and stdout."""
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    proc = run("demo", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "主台账-演示.xlsx" in proc.stdout and "校验主台账（主台账-演示.xlsx）：共 291 个项目" in proc.stdout
    # every finding is shown, grouped: the copied form's 11 double reports are all listed, none cut
    assert "错误：同一项目被两个单位报送（11 处）" in proc.stdout
    assert proc.stdout.count("2022年6月_东大街街道_月报表.xlsx 月报表!B") == 11
    assert "退出码" not in proc.stdout and "发现问题 26 处（错误 14 处，警告 12 处）" in proc.stdout
    # issue 12 seen 5: 东大街's form held only 西大街's rows, so 东大街 is 未报送 and its 11 own projects
    # are each named as without a June figure, in the printed findings and in the summary line
    assert "未报送 1 个单位（东大街街道）" in proc.stdout
    assert "警告：月报表中没有本单位项目（1 处）" in proc.stdout and "警告：项目本期无数据（11 处）" in proc.stdout
    assert proc.stdout.count("属于东大街街道，东大街街道报送的月报表中没有本单位项目，6月完成仍无数据") == 11
    assert "东大街街道本单位的 11 个项目都不在表中" in proc.stdout  # the planted case is described
    return out


def sheet_data(ws: Worksheet) -> SheetData:
    return SheetData(ws.title, [list(r) for r in ws.iter_rows(values_only=True)])


def test_committed_workbooks_are_current(tmp_path: Path) -> None:
    for built in write_samples(tmp_path):
        committed = ROOT / "workbooks" / built.name
        assert committed.read_bytes() == built.read_bytes(), f"{committed.name} is stale: run `xladdin template workbooks`"


def test_template_validates_clean_and_has_its_names(tmp_path: Path) -> None:
    assert call("template", str(tmp_path))[0] == 0
    code, out = call("validate", str(tmp_path / "主台账模板.xlsx"), "--json")
    assert code == 0 and json.loads(out) == {"ok": True, "projects": 0, "findings": []}
    wb = openpyxl.load_workbook(tmp_path / "主台账模板.xlsx")
    assert wb.sheetnames == ["说明", "参数", "项目台账", "单位统计", "汇总", "排名", "排名历史", "专项", "通报", "校验结果"]
    for name in ("xl_summary", "xl_ranking", "xl_rank_history", "xl_programmes", "xl_bulletin", "xl_findings",
                 "xl_month", "xl_units", "xl_categories", "xl_master_id"):
        assert name in wb.defined_names
    ws = wb["项目台账"]
    assert ws.freeze_panes == "C4" and ws.print_title_rows == "$1:$3" and ws.page_setup.fitToWidth == 1
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert kinds == {"list", "whole", "decimal"}
    assert all(dv.prompt for dv in ws.data_validations.dataValidation)


def test_demo_ledger_read_independently_reproduces_the_plan(demo: Path) -> None:
    """Plain openpyxl, columns found by their Chinese headers, no project code involved."""
    ws = openpyxl.load_workbook(demo / "主台账-演示.xlsx", read_only=True)["项目台账"]
    rows: list[tuple[Any, ...]] = list(ws.iter_rows(values_only=True))
    head_at = next(i for i, r in enumerate(rows) if "项目级别" in r)
    col = {h: i for i, h in enumerate(rows[head_at]) if h}
    table: dict[str, list[float]] = {k: [0, 0.0, 0.0] for k in ("省重点", "市重点", "区重点", "攻坚星级", "全部")}
    for r in rows[head_at + 1:]:
        if not r[col["项目名称"]]:
            continue
        keys = [r[col["项目级别"]], "全部"] + (["攻坚星级"] if r[col["攻坚星级"]] == "是" else [])
        for k in keys:
            table[k][0] += 1
            table[k][1] += r[col["总投资"]] / 1e4
            table[k][2] += r[col["年度计划投资"]] / 1e4
    plan = {"省重点": (17, 799, 173), "市重点": (23, 832, 202.6), "区重点": (251, 1654.8, 224),
            "攻坚星级": (45, 769.1, 111), "全部": (291, 3285.8, 599.6)}
    for k, (n, total, annual) in plan.items():
        assert table[k][0] == n and abs(table[k][1] - total) < 0.05 and abs(table[k][2] - annual) < 0.05, k


def test_demo_validates_without_errors_and_reports_the_unentered_projects(demo: Path) -> None:
    code, out = call("validate", str(demo / "主台账-演示.xlsx"), "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] and report["projects"] == 291
    # 应统尽统: the four started projects left out, and the one whose status "预备" cannot be judged
    codes = sorted(f["code"] for f in report["findings"])
    assert codes == ["entry-status-unknown", *["not-in-statistics"] * 4, "unknown-status"]


def test_returned_forms_are_locked_except_what_units_fill(demo: Path) -> None:
    forms = sorted((demo / "2022年6月月报表（已收回）").glob("*.xlsx"))
    assert len(forms) == 27
    wb = openpyxl.load_workbook(next(f for f in forms if "北下街街道" in f.name))
    ws = wb[FORM_SHEET]
    assert ws.protection.sheet and wb[META_SHEET].sheet_state == "hidden"
    meta = parse_meta(sheet_data(wb[META_SHEET]), sheet_data(ws))
    assert meta is not None and (meta.unit, meta.month, meta.year, meta.master_id) == ("北下街街道", 6, 2022, "GC-DEMO-2022")
    assert parse_meta(None, sheet_data(ws)) == meta.model_copy(update={"master_file": ""})  # visible row alone
    for c, column in enumerate(FORM_COLUMNS, start=1):
        assert ws.cell(FORM_FIRST_ROW, c).protection.locked is not column.fill, column.key
    targets = {str(dv.sqref).split(":")[0] for dv in ws.data_validations.dataValidation}
    assert targets == {f"G{FORM_FIRST_ROW}", f"K{FORM_FIRST_ROW}"}
    assert str(ws.cell(FORM_FIRST_ROW, 8).value).startswith("=")  # 本年累计完成 is a formula
    mistaken = openpyxl.load_workbook(next(f for f in forms if "二里岗街道" in f.name))[FORM_SHEET]
    assert not mistaken.protection.sheet and isinstance(mistaken.cell(FORM_FIRST_ROW, 8).value, float)
    copied = openpyxl.load_workbook(next(f for f in forms if "东大街街道" in f.name))[FORM_SHEET]
    west = openpyxl.load_workbook(next(f for f in forms if "西大街街道" in f.name))[FORM_SHEET]
    assert copied.cell(FORM_FIRST_ROW, 2).value == west.cell(FORM_FIRST_ROW, 2).value


def test_forms_command_writes_one_per_unit_from_the_master(demo: Path, tmp_path: Path) -> None:
    assert call("forms", str(demo / "主台账-演示.xlsx"), "--month", "7", "--out", str(tmp_path))[0] == 0
    files = sorted(tmp_path.glob("*.xlsx"))
    assert len(files) == 27
    ws = openpyxl.load_workbook(next(f for f in files if "南曹街道" in f.name))[FORM_SHEET]
    names = [ws.cell(r, 3).value for r in range(FORM_FIRST_ROW, ws.max_row + 1)]
    assert "郑州市南曹污水处理厂一期工程" in names
    assert all(ws.cell(r, 7).value is None for r in range(FORM_FIRST_ROW, ws.max_row + 1))  # July not yet in master
    assert call("forms", str(demo / "主台账-演示.xlsx"), "--month", "13", "--out", str(tmp_path))[0] == 2
