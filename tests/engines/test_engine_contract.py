"""The same job through both engines writes the same values to the same cells.

FileEngine works on a real .xlsx; ExcelEngine works on xlwings' remote engine (the one xlwings
Server/Lite use, no Excel needed; XLWINGS_LICENSE_KEY=noncommercial, PolyForm Noncommercial).
The remote engine records actions instead of changing cells, so the test replays the recorded
actions onto the payload's grids and compares them with what the FileEngine saved.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
import xlwings as xw

if "remote" not in [e.name for e in xw.engines]:  # xlwings was imported before the key was set
    from xlwings.pro import _xlremote

    xw.engines.add(xw.main.Engine(impl=_xlremote.engine))

from xladdin.engines.excel import ExcelEngine
from xladdin.engines.files import FileEngine
from xladdin.jobs.validate import mark_findings, validate, write_findings

H: list[Any] = ["序号", "项目名称", "项目编码", "责任单位", "行业类别", "项目级别", "总投资", "年度计划投资", "1月", "2月", "3月"]
ROWS: list[list[Any]] = [
    [1, "甲项目", "P001", "北下街街道", "工业", "区重点", 10000, 2000, 100, 200, 300],
    [2, "乙项目", "P002", "不存在单位", "工业", "市重点", 50000, 8000, 500, 600, None],
    [3, "丙项目", "P001", "南关街道", "道路", "区重点", -5, 100, 1, 1, 1],
]


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "项目台账"
    for row in [H, *ROWS]:
        ws.append(row)
    path = tmp_path / "台账.xlsx"
    wb.save(path)
    return path


def payload(path: Path) -> dict[str, Any]:
    engine = FileEngine(path)
    sheets = [{"name": n, "values": engine.read(n).rows or [[]], "pictures": [], "tables": [], "notes": [],
               "charts": [], "shapes": []} for n in engine.sheet_names()]
    engine.close()
    return {"client": "Office.js", "version": xw.__version__, "names": [],
            "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1"}, "sheets": sheets}


def replay(data: dict[str, Any], actions: list[dict[str, Any]]) -> tuple[dict[str, dict[tuple[int, int], Any]], dict[tuple[str, str], str | None]]:
    """Apply setValues/rangeClearContents/addSheet/setRangeColor to cell dicts {(row, col): value}."""
    names = [s["name"] for s in data["sheets"]]
    grids = {s["name"]: {(r + 1, c + 1): v for r, row in enumerate(s["values"]) for c, v in enumerate(row)
                         if v not in (None, "")} for s in data["sheets"]}
    fills: dict[tuple[str, str], str | None] = {}
    for a in actions:
        if a["func"] == "addSheet":
            names.insert(a["args"][0], a["args"][1])
            grids[a["args"][1]] = {}
            continue
        if a["sheet_position"] is None or a["start_row"] is None:
            continue
        sheet, r0, c0 = names[a["sheet_position"]], a["start_row"] + 1, a["start_column"] + 1
        cells = [(r0 + i, c0 + j) for i in range(a["row_count"]) for j in range(a["column_count"])]
        if a["func"] == "rangeClearContents":
            for cell in cells:
                grids[sheet].pop(cell, None)
        elif a["func"] in ("setValues", "setFormula"):
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    text = v[1:] if isinstance(v, str) and v.startswith("'") else v
                    if text in (None, ""):
                        grids[sheet].pop((r0 + i, c0 + j), None)
                    else:
                        grids[sheet][(r0 + i, c0 + j)] = text
        elif a["func"] == "setRangeColor":
            color = a["args"][0]
            fills[(sheet, openpyxl.utils.get_column_letter(c0) + str(r0))] = color and color.lstrip("#").upper()
    return grids, fills


def norm(v: Any) -> Any:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else v


def run_job(engine: Any) -> None:
    report, _ = validate(engine)
    write_findings(engine, report)
    mark_findings(engine, report)


def test_validation_job_writes_the_same_cells_through_both_engines(ledger: Path, tmp_path: Path) -> None:
    data = payload(ledger)
    # file engine on a copy
    copy = tmp_path / "copy.xlsx"
    shutil.copyfile(ledger, copy)
    fe = FileEngine(copy, writable=True)
    run_job(fe)
    fe.save()
    fe.close()
    saved = FileEngine(copy, writable=True)  # fills are read through openpyxl; never saved here
    # excel engine on the remote engine
    book = xw.Book(json=data)
    xe = ExcelEngine(book)
    run_job(xe)
    grids, fills = replay(data, book.json()["actions"])

    for sheet in ("校验结果", "_xladdin", "项目台账"):
        rows = saved.read(sheet).rows
        file_cells = {(r + 1, c + 1): norm(v) for r, row in enumerate(rows) for c, v in enumerate(row) if v not in (None, "")}
        assert {k: norm(v) for k, v in grids[sheet].items()} == file_cells, sheet
    marked = [c for (s, c) in fills if s == "项目台账"]
    assert marked, "the job marks cells"
    assert saved.fills("项目台账", marked) == {c: fills[("项目台账", c)] for c in marked}
    assert any(a["func"] == "addNote" for a in book.json()["actions"])
    saved.close()
