"""Two months run in a row on a real master (issue 19): the ranks published in 排名历史 win over a
later recomputation from 单位统计, months missing from 排名历史 are filled from 单位统计, and a form's
是否入库 lands in the master file itself. Runs ``consolidate`` in process through ``run_in_place``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from xladdin.books.form_writer import build_form, form_values
from xladdin.books.template import build_master
from xladdin.core.form_layout import FormMeta, form_file_name
from xladdin.core.periods import Period
from xladdin.core.settings import default_settings
from xladdin.demo.progress import unit_statistics
from xladdin.engines.base import Engine
from xladdin.engines.files import FileEngine
from xladdin.jobs.consolidate import consolidate
from xladdin.jobs.session import load_ledger, run_in_place

MASTER_ID = "GC-HIST-2022"


def history(path: Path) -> dict[str, dict[str, Any]]:
    """排名历史 as {unit: {period label: rank}}, read by openpyxl (not by xladdin's reader)."""
    ws = openpyxl.load_workbook(path, read_only=True, data_only=True)["排名历史"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r and r[0] == "单位")
    labels = rows[head]
    out: dict[str, dict[str, Any]] = {}
    for r in rows[head + 1:]:
        if not r or r[0] in (None, ""):
            break
        out[str(r[0])] = {str(labels[c]): r[c] for c in range(1, len(labels)) if labels[c]}
    return out


def history_cell(path: Path, unit: str, label: str) -> str:
    ws = openpyxl.load_workbook(path, read_only=True)["排名历史"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r and r[0] == "单位")
    col = rows[head].index(label)
    row = next(i for i, r in enumerate(rows) if i > head and r and r[0] == unit)
    return f"{openpyxl.utils.get_column_letter(col + 1)}{row + 1}"


@pytest.mark.slow
def test_published_ranks_win_and_missing_months_are_filled(tmp_path: Path) -> None:
    projects = pd.DataFrame([
        {"name": "甲项目", "code": "P1", "unit": "南关街道", "level": "区重点", "total_investment": 1000.0,
         "annual_plan": 300.0, "m02": 20.0, "m03": 30.0, "in_stats": False},
    ])
    path = build_master(tmp_path / "主台账.xlsx", projects=projects, month=3, stats=unit_statistics(4),
                        master_id=MASTER_ID)
    # 1-3月 published: 1-2月 was never run, so it is ranked from 单位统计 (the 1-2月 rows) too
    run_in_place(path, lambda e: consolidate(e, Period(3)), month=3)
    published = history(path)
    ranked = [u for u, h in published.items() if h.get("1-3月") is not None]
    assert len(ranked) == 14 and all(published[u]["1-2月"] is not None for u in ranked)
    ranks = sorted(published[u]["1-3月"] for u in ranked)  # ties share a rank (published rounding)
    assert ranks[0] == 1 and ranks[-1] > 1
    # what was published then is what stands: swap the 1-3月 ranks of the first and the last in
    # 排名历史 (as if 单位统计 was corrected after publication), then run 1-4月
    first = next(u for u in ranked if published[u]["1-3月"] == ranks[0])
    last = next(u for u in ranked if published[u]["1-3月"] == ranks[-1])

    def swap(engine: Engine) -> None:
        engine.write_cells("排名历史", {history_cell(path, first, "1-3月"): ranks[-1],
                                        history_cell(path, last, "1-3月"): ranks[0]})

    run_in_place(path, swap, needs=frozenset({"cells"}), month=3)
    forms = tmp_path / "forms"
    forms.mkdir()
    own = pd.DataFrame([{"code": "P1", "name": "甲项目", "level": "区重点", "annual_plan": 300.0, "m02": 20.0,
                         "m03": 30.0, "in_stats": False}])
    rows = form_values(own, Period(4))
    rows[0]["month_current"], rows[0]["in_stats"] = 11.0, "是"
    meta = FormMeta(unit="南关街道", year=2022, month=4, master_id=MASTER_ID, master_file="主台账.xlsx")
    build_form(forms / form_file_name(meta), meta, rows)
    run_in_place(path, lambda e: consolidate(e, Period(4), forms), month=4)
    after = history(path)
    assert (after[first]["1-3月"], after[last]["1-3月"]) == (ranks[-1], ranks[0])  # published wins
    assert {u: after[u]["1-2月"] for u in ranked} == {u: published[u]["1-2月"] for u in ranked}
    assert min(after[u]["1-4月"] for u in ranked) == 1 and all(isinstance(after[u]["1-4月"], int) for u in ranked)
    # the form's 是否入库 (否 → 是) and its figure are in the master file
    engine = FileEngine(path)
    try:
        frame = load_ledger(engine, default_settings()).frame
    finally:
        engine.close()
    assert bool(frame["in_stats"].iloc[0]) is True and float(frame["m04"].iloc[0]) == 11.0
