"""Properties over generated ledgers (Hypothesis): validation never crashes, totals agree across
breakdowns, and row order never changes a result."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xladdin.core.fields import FIELDS
from xladdin.core.ledger import read_ledger
from xladdin.core.periods import Period
from xladdin.core.rules import validate_ledger
from xladdin.core.settings import default_settings
from xladdin.core.sheet import SheetData
from xladdin.figures.progress import TOTAL, by_category, by_level, by_unit

SETTINGS = default_settings()
LABEL = {f.key: f.label for f in FIELDS}
KEYS = ["name", "code", "unit", "level", "category", "total_investment", "completed_before", "annual_plan",
        "m01", "m02", "m03", "ytd", "status"]  # fmt: skip
MONTH = Period(3)

amount = st.one_of(
    st.none(),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2)),
    st.integers(min_value=-100, max_value=10**6),
    st.sampled_from(["", "—", "1,200", "１２００", "#DIV/0!", "待定", "=1+1", "1e309"]),
)
text = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(['=HYPERLINK("x")', "+cmd|'a'!A0", "#N/A"]))
project = st.fixed_dictionaries(
    {
        "name": text,
        "code": st.one_of(st.none(), st.sampled_from([f"P{i:03d}" for i in range(12)])),
        "unit": st.one_of(st.sampled_from(SETTINGS.unit_names[:6]), text),
        "level": st.sampled_from(["省重点", "市重点", "区重点", "区级", "", None, "x"]),
        "category": st.one_of(st.sampled_from(SETTINGS.category_names[:4]), text),
        "total_investment": amount,
        "completed_before": amount,
        "annual_plan": amount,
        "m01": amount,
        "m02": amount,
        "m03": amount,
        "ytd": amount,
        "status": st.sampled_from(["在建", "前期", "竣工", "谋划", None, "停工?"]),
    }
)


def _sheet(projects: list[dict[str, Any]]) -> SheetData:
    rows: list[list[Any]] = [["重点项目台账"], [LABEL[k] for k in KEYS]]
    rows += [[p[k] for k in KEYS] for p in projects]
    return SheetData("项目台账", rows)


def _figures(frame: pd.DataFrame) -> dict[str, tuple[int, float, float]]:
    out = {}
    for table, key in ((by_unit(frame, SETTINGS, MONTH), "unit"), (by_category(frame, SETTINGS, MONTH), "category"),
                       (by_level(frame, MONTH), "level")):  # fmt: skip
        for _, r in table.iterrows():
            out[f"{key}:{r[key]}"] = (
                int(r["projects"]),
                round(r["annual_plan"], 4),
                round(r["ytd_completed"], 4),
            )
    return out


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(project, min_size=0, max_size=15), st.randoms(use_true_random=False))
def test_validation_never_crashes_totals_agree_and_order_does_not_matter(
    projects: list[dict[str, Any]], rnd: Any
) -> None:
    ledger = read_ledger(_sheet(projects), SETTINGS)
    report = validate_ledger(ledger, SETTINGS)  # never raises, whatever the cells hold
    frame = ledger.frame
    figures = _figures(frame)
    # 合计 is the same project set in every breakdown, and the parts add up to it
    assert figures[f"unit:{TOTAL}"] == figures[f"category:{TOTAL}"] == figures[f"level:{TOTAL}"]
    for key in ("unit", "category"):
        parts = [v for k, v in figures.items() if k.startswith(key + ":") and k != f"{key}:{TOTAL}"]
        total = figures[f"{key}:{TOTAL}"]
        assert sum(p[0] for p in parts) == total[0]
        assert abs(sum(p[1] for p in parts) - total[1]) <= 1e-6 * max(1.0, abs(total[1]))
        assert abs(sum(p[2] for p in parts) - total[2]) <= 1e-6 * max(1.0, abs(total[2]))
    # shuffling the rows changes neither the figures nor the kinds of findings
    shuffled = list(projects)
    rnd.shuffle(shuffled)
    ledger2 = read_ledger(_sheet(shuffled), SETTINGS)
    report2 = validate_ledger(ledger2, SETTINGS)
    figures2 = _figures(ledger2.frame)
    assert figures2.keys() == figures.keys()
    for k, (n, plan, done) in figures.items():
        n2, plan2, done2 = figures2[k]
        assert n2 == n
        assert abs(plan2 - plan) <= 1e-6 * max(1.0, abs(plan))
        assert abs(done2 - done) <= 1e-6 * max(1.0, abs(done))
    assert Counter(f.code for f in report.findings) == Counter(f.code for f in report2.findings)
