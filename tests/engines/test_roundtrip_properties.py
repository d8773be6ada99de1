"""Property (Hypothesis, issue 6 item 5): a ledger written to a real .xlsx by the project's own
master writer and read back through ``FileEngine`` + ``read_ledger`` gives the same figures as the
generated rows read directly: totals by unit, category and level, and every project's amounts."""

from __future__ import annotations

import math
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.test_properties import KEYS, LABEL, SETTINGS, _figures, amount
from xladdin.books.template import build_master
from xladdin.core.ledger import read_ledger
from xladdin.core.regions import SHEETS
from xladdin.core.sheet import SheetData
from xladdin.engines.files import FileEngine

# the template makes 本年累计 a native formula (no cached value until a spreadsheet recalculates),
# so the generated rows carry the monthly figures it is computed from, not a typed total
ROUND_KEYS = [k for k in KEYS if k != "ytd"]
AMOUNTS = ["total_investment", "completed_before", "annual_plan", "m01", "m02", "m03"]
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# staff text as the in-memory properties generate it, minus what no .xlsx can hold (XML-illegal
# control characters) and carriage returns, which XML turns into line feeds
text = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
    st.sampled_from(['=HYPERLINK("x")', "+cmd|'a'!A0", "#N/A", "-1+1", "@SUM(1,1)"]),
)
project = st.fixed_dictionaries(
    {
        "name": text,
        "code": st.one_of(st.none(), st.sampled_from([f"P{i:03d}" for i in range(12)])),
        "unit": st.one_of(st.sampled_from(SETTINGS.unit_names[:6]), text),
        "level": st.sampled_from(["省重点", "市重点", "区重点", "区级", "", None, "x"]),
        "category": st.one_of(st.sampled_from(SETTINGS.category_names[:4]), text),
        **{k: amount for k in AMOUNTS},
        "status": st.sampled_from(["在建", "前期", "竣工", "谋划", None, "停工?"]),
    }
)


def _direct(projects: list[dict[str, Any]]) -> pd.DataFrame:
    rows: list[list[Any]] = [["重点项目台账"], [LABEL[k] for k in ROUND_KEYS]]
    rows += [[p[k] for k in ROUND_KEYS] for p in projects]
    return read_ledger(SheetData("项目台账", rows), SETTINGS).frame


def _written(projects: list[dict[str, Any]], folder: Path) -> pd.DataFrame:
    frame = pd.DataFrame(projects, columns=ROUND_KEYS, dtype=object)
    path = build_master(folder / "台账.xlsx", settings=SETTINGS, projects=frame, month=3, spare_rows=0)
    engine = FileEngine(path)
    try:
        sheet = engine.read(SHEETS["ledger"])
    finally:
        engine.close()
    return read_ledger(sheet, SETTINGS).frame


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _same(a: Any, b: Any) -> bool:
    if _missing(a) or _missing(b):
        return _missing(a) and _missing(b)
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(project, min_size=1, max_size=8).filter(
    lambda ps: not any(isinstance(v, str) and _XML_ILLEGAL.search(v) for p in ps for v in p.values())))
def test_written_and_read_back_gives_the_same_figures(projects: list[dict[str, Any]]) -> None:
    expected = _direct(projects)
    with tempfile.TemporaryDirectory() as tmp:
        got = _written(projects, Path(tmp))
    assert len(got) == len(expected)
    for key in AMOUNTS:
        for i, (a, b) in enumerate(zip(expected[key], got[key], strict=True)):
            assert _same(a, b), (key, i, projects[i][key], a, b)
    assert list(got["unit"]) == list(expected["unit"]) and list(got["level"]) == list(expected["level"])
    figures, figures_back = _figures(expected), _figures(got)
    assert figures_back.keys() == figures.keys()
    for k, (n, plan, done) in figures.items():
        n2, plan2, done2 = figures_back[k]
        assert n2 == n, k
        assert abs(plan2 - plan) <= 1e-6 * max(1.0, abs(plan)), k
        assert abs(done2 - done) <= 1e-6 * max(1.0, abs(done)), k
