"""The spilling table formulas on a 30,000-row ledger range give the core's figures for the same projects.

Correctness only; the time per call (issue 7) is measured by ``benchmarks/run.py``, not asserted here.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from xladdin.core.fields import FIELD_BY_KEY, month_field
from xladdin.core.periods import Period
from xladdin.core.settings import default_settings
from xladdin.demo.progress import add_progress
from xladdin.demo.projects import generate_projects
from xladdin.excel.udfs import LABELS, TZ_BYCATEGORY, TZ_BYLEVEL, TZ_BYUNIT
from xladdin.figures import progress

N, MONTH = 30_000, 6
PERIOD = Period(MONTH)
KEYS = ["seq", "name", "code", "unit", "category", "level", "star", "is_982", "total_investment", "annual_plan",
        *(month_field(m) for m in range(1, MONTH + 1))]


@pytest.fixture(scope="module")
def ledger() -> tuple[pd.DataFrame, list[list[Any]]]:
    """The demo's projects repeated to 30,000 (codes made unique), and the same as a sheet range:
    a title row, the header row, then one row per project, flags as 是/空."""
    base = add_progress(generate_projects(2022, default_settings().year), MONTH, 2022)
    frame = pd.concat([base] * (N // len(base) + 1), ignore_index=True).iloc[:N].copy()
    frame["seq"] = range(1, N + 1)
    frame["code"] = [f"2022-410104-04-01-{i:06d}" for i in range(N)]

    def cell(key: str, v: Any) -> Any:
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            return None
        if FIELD_BY_KEY[key].kind == "flag":
            return "是" if bool(v) else None
        return v

    grid: list[list[Any]] = [["管城回族区2022年重点项目台账"], [FIELD_BY_KEY[k].label for k in KEYS]]
    grid += [[cell(k, v) for k, v in zip(KEYS, rec, strict=True)] for rec in frame[KEYS].itertuples(index=False)]
    return frame, grid


def expected(table: pd.DataFrame) -> pd.DataFrame:
    out = table.astype(object).where(table.notna(), None)
    return out.rename(columns={c: LABELS.get(str(c), str(c)) for c in table.columns}).reset_index(drop=True)


def test_tables_on_30000_rows_equal_the_core_figures(ledger: tuple[pd.DataFrame, list[list[Any]]]) -> None:
    frame, grid = ledger
    settings = default_settings()
    by_unit = TZ_BYUNIT(grid, MONTH)
    assert isinstance(by_unit, pd.DataFrame), by_unit
    total = by_unit.set_index("责任单位").loc["合计"]
    assert total["项目个数"] == N
    assert total["年度计划（万元）"] == pytest.approx(frame["annual_plan"].sum())
    pd.testing.assert_frame_equal(by_unit.reset_index(drop=True), expected(progress.by_unit(frame, settings, PERIOD)))
    pd.testing.assert_frame_equal(TZ_BYCATEGORY(grid, MONTH).reset_index(drop=True),
                                  expected(progress.by_category(frame, settings, PERIOD)))
    levels = progress.by_level(frame, PERIOD)
    pd.testing.assert_frame_equal(TZ_BYLEVEL(grid, MONTH).reset_index(drop=True),
                                  expected(levels.rename(columns={levels.columns[0]: "level"})))
