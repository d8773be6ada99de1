"""`xladdin inspect` and the column account on 校验结果 (issue 12, build 1), on a real .xlsx through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import run_main
from xladdin.cli import main
from xladdin.core.settings import default_settings, settings_rows

HEADER = ["序号", "项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资", "本年到位资金（万元）", "形象进度"]


def _ledger(path: Path, alias: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "项目台账"
    ws.append(HEADER)
    ws.append([1, "甲项目", "P1", "南曹街道", "区重点", 1000, 400, 120, "主体施工"])
    ws.append([2, "乙项目", "P2", "南曹街道", "区重点", 2000, 800, 300, "基础施工"])
    if alias is not None:
        ps = wb.create_sheet("参数")
        rows = settings_rows(default_settings())
        for row in rows:
            if row and row[0] == "本年累计完成":
                row[1] = alias
            ps.append(row)
    wb.save(path)
    return path


def test_inspect_prints_each_header_as_written_and_the_line_to_paste(tmp_path: Path) -> None:
    proc = run_main("inspect", _ledger(tmp_path / "a.xlsx"))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "G   年度计划投资 → 年度计划投资" in out and "I   形象进度 → 形象进度" in out
    assert "H   本年到位资金（万元） → 未识别（含 2 个数字）" in out
    assert "\t本年到位资金（万元）" in out and "参数表【列名别名】" in out
    assert "unknown-column" not in out and "列“本年到位资金（万元）”含 2 个数字" in out


def test_an_alias_pasted_into_the_settings_teaches_the_reader(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    main(["inspect", str(_ledger(tmp_path / "b.xlsx", alias="本年到位资金（万元）")), "--json"])
    seen = json.loads(capsys.readouterr().out)
    h = next(c for c in seen["columns"] if c["column"] == "H")
    assert (h["status"], h["field"]) == ("field", "ytd") and seen["alias_lines"] == []
    main(["summary", str(tmp_path / "b.xlsx"), "--month", "6", "--json"])
    total = next(r for r in json.loads(capsys.readouterr().out)["by_level"] if r["level"] == "合计")
    assert total["ytd_completed"] == 420.0 and total["completion_rate"] == 0.35


def test_validate_mark_writes_the_column_account_beside_the_findings(tmp_path: Path) -> None:
    path = _ledger(tmp_path / "c.xlsx")
    assert run_main("validate", path, "--mark").returncode == 0
    wb = openpyxl.load_workbook(path)
    try:
        name = wb.defined_names["xl_columns"]
        ((sheet, ref),) = list(name.destinations)
        assert sheet == "校验结果" and ref.replace("$", "") == "M3"  # the findings take A:K (检查, 代码 last)
        ws = wb["校验结果"]
        assert [ws.cell(3, c).value for c in range(13, 18)] == ["列", "表头（原文）", "识别为", "参数【列名别名】字段", "别名"]
        rows = {ws.cell(r, 13).value: [ws.cell(r, c).value for c in range(14, 18)] for r in range(4, 13)}
        assert rows["G"][:2] == ["年度计划投资", "年度计划投资"]
        assert rows["H"][0] == "本年到位资金（万元）" and rows["H"][1] == "未识别" and rows["H"][3] == "本年到位资金（万元）"
        codes = [ws.cell(r, 11).value for r in range(4, ws.max_row + 1)]
        assert "unknown-column" in codes
    finally:
        wb.close()


def test_inspect_with_a_month_says_when_the_ledger_has_no_figure_for_it(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["inspect", str(_ledger(tmp_path / "d.xlsx")), "--month", "6", "--json"])
    seen = json.loads(capsys.readouterr().out)
    assert code == 1 and [f["code"] for f in seen["findings"] if f["code"].startswith("period")] == ["period-missing"]
