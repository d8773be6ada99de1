"""Every workbook we write opens in LibreOffice, recalculates without error values, and its native
formulas agree with the figures Python computes (LibreOffice is installed by .ci/run)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from xladdin.books.template import LEDGER_COLUMNS, LEDGER_FIRST_ROW, STATS_COLUMNS, STATS_FIRST_ROW
from xladdin.core.fields import month_field
from xladdin.core.form_layout import FORM_COLUMNS, FORM_FIRST_ROW, FORM_SHEET
from xladdin.demo.district import DEMO_MONTH, write_samples
from xladdin.engines import libreoffice

pytestmark = pytest.mark.libreoffice


def close(a: Any, b: float) -> bool:
    return isinstance(a, int | float) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def test_workbooks_recalculate_in_libreoffice_to_our_figures(demo_build: Any, tmp_path: Path) -> None:
    demo = demo_build  # shared, read-only: LibreOffice converts copies
    sources = [*write_samples(tmp_path / "samples"), demo.master, *demo.forms[:3]]
    recalculated = libreoffice.convert(sources, tmp_path / "lo", "xlsx", suffix="-recalc")
    for path in recalculated:
        assert libreoffice.error_cells(path) == [], path.name

    wb = openpyxl.load_workbook(recalculated[2], data_only=True)
    ws = wb["项目台账"]
    col = {c.key: i for i, c in enumerate(LEDGER_COLUMNS, start=1)}
    month = DEMO_MONTH - 1  # the demo master holds months 1..M-1
    truth = demo.projects.reset_index(drop=True)
    for i, rec in truth.iterrows():
        r = LEDGER_FIRST_ROW + int(str(i))
        assert ws.cell(r, col["code"]).value == rec["code"]
        ytd = round(sum(rec[month_field(m)] for m in range(1, month + 1)), 6)
        assert close(ws.cell(r, col["ytd"]).value, ytd), (r, "ytd")
        assert close(ws.cell(r, col["month_current"]).value, rec[month_field(month)]), (r, "month_current")
        rate = ytd / rec["annual_plan"]
        assert close(ws.cell(r, col["completion_rate"]).value, rate), (r, "rate")
        assert close(ws.cell(r, col["schedule_gap"]).value, rate - month / 12), (r, "gap")
    stats = wb["单位统计"]
    scol = {c.key: i for i, c in enumerate(STATS_COLUMNS, start=1)}
    for r in range(STATS_FIRST_ROW, stats.max_row + 1):
        ytd, last = stats.cell(r, scol["ytd"]).value, stats.cell(r, scol["ytd_last_year"]).value
        if isinstance(ytd, int | float) and isinstance(last, int | float):
            assert close(stats.cell(r, scol["growth"]).value, ytd / last - 1), r

    template = openpyxl.load_workbook(recalculated[0], data_only=True)["项目台账"]
    assert template.cell(LEDGER_FIRST_ROW, col["ytd"]).value in (None, "")  # formula-only rows stay blank

    fcol = {c.key: i for i, c in enumerate(FORM_COLUMNS, start=1)}
    for path in recalculated[3:]:
        form = openpyxl.load_workbook(path, data_only=True)[FORM_SHEET]
        for r in range(FORM_FIRST_ROW, form.max_row + 1):
            if form.cell(r, fcol["code"]).value is None:
                continue  # the blank row and the signature line below the projects
            prev, cur = form.cell(r, fcol["prev_ytd"]).value, form.cell(r, fcol["month_current"]).value
            assert isinstance(prev, int | float)
            expected = float(prev) + (float(cur) if isinstance(cur, int | float) else 0.0)
            assert close(form.cell(r, fcol["ytd"]).value, expected), (path.name, r)
