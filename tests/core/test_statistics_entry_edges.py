"""``entry_status`` (应统尽统) on frames as other callers may pass them: the edges mutation testing
found unpinned (issue 19) — columns absent, text figures, an index that is not 0…n-1, no projects,
入库标准 at 0. Each expected frame is written out by hand from the module docstring's rule:
required = total ≥ 入库标准 and (在建, or 竣工 with money this year, or any money this year);
missing = required and not 是; unknown = total ≥ 入库标准, not started, status unknown, not 是.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xladdin.core.settings import Settings, Thresholds
from xladdin.core.statistics_entry import ENTRY_COLUMNS, entry_status

S = Settings()


def expected(rows: list[tuple[bool, bool, bool, bool, str]], index: list[int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(ENTRY_COLUMNS), index=index)


def test_a_frame_with_only_totals_reports_the_big_projects_as_status_unknown() -> None:
    # no status, status_raw, ytd or in_stats column: nothing started, nothing entered; 500 and 800
    # reach 入库标准 (500, inclusive), 499.99 does not; the index of a filtered frame is kept
    frame = pd.DataFrame({"total_investment": [500.0, 499.99, 800.0]}, index=[10, 20, 30])
    got = entry_status(frame, S)
    pd.testing.assert_frame_equal(got, expected([
        (False, False, False, True, "项目状态未填"),
        (False, False, False, False, ""),
        (False, False, False, True, "项目状态未填"),
    ], [10, 20, 30]))


def test_text_figures_count_as_nothing_and_a_blank_status_with_money_is_named_unfilled() -> None:
    # ytd "待定" (text) is no money; total "约1000" (text) is no total: neither big nor a crash.
    # (the reason says why a project counts as started, required or not.) Row 3: blank status (status_raw float NaN, as an all-blank column reads) with 10 万元 this
    # year: started, required, not entered → missing, reason 状态为未填但本年已完成投资
    frame = pd.DataFrame({
        "total_investment": [1000.0, "约1000", 600.0],
        "ytd": ["待定", 50.0, 10.0],
        "status": [None, None, None],
        "status_raw": [np.nan, np.nan, np.nan],
        "in_stats": pd.array([pd.NA, pd.NA, False], dtype="boolean"),
    })
    got = entry_status(frame, S)
    pd.testing.assert_frame_equal(got, expected([
        (False, False, False, True, "项目状态未填"),
        (False, False, False, False, "状态为未填但本年已完成投资"),  # started, but no total: not required
        (True, False, True, False, "状态为未填但本年已完成投资"),
    ], [0, 1, 2]))


def test_no_projects_gives_an_empty_table_with_every_column() -> None:
    frame = pd.DataFrame({"total_investment": pd.Series([], dtype="float64"), "status": pd.Series([], dtype=object)})
    got = entry_status(frame, S)
    assert list(got.columns) == list(ENTRY_COLUMNS) and len(got) == 0


@pytest.mark.parametrize("minimum", [0.0, 1.0])
def test_a_blank_total_never_reaches_the_threshold_even_at_0_or_1(minimum: float) -> None:
    # 参数 入库标准 0 or 1 万元: a blank total is unknown, never "≥ 0" (nor counted as 1)
    settings = Settings(thresholds=Thresholds(stats_entry_min=minimum))
    frame = pd.DataFrame({"total_investment": [np.nan, 1.0], "status": ["在建", "在建"],
                          "in_stats": pd.array([False, False], dtype="boolean")})
    got = entry_status(frame, settings)
    pd.testing.assert_frame_equal(got, expected([
        (False, False, False, False, "状态为在建"),  # the reason says why it counts as started
        (True, False, True, False, "状态为在建"),
    ], [0, 1]))


def test_the_reasons_of_every_branch() -> None:
    # 在建 entered; 竣工 with money; 竣工 without money (not started this year, known: no finding);
    # 谋划 with money (any status with money is started); "预备" (unknown) without money
    frame = pd.DataFrame({
        "total_investment": [600.0, 600.0, 600.0, 600.0, 600.0],
        "ytd": [0.0, 5.0, 0.0, 1.0, 0.0],
        "status": ["在建", "竣工", "竣工", "谋划", None],
        "status_raw": ["在建", "竣工", "竣工", "谋划", "预备"],
        "in_stats": pd.array([True, False, False, pd.NA, pd.NA], dtype="boolean"),
    })
    got = entry_status(frame, S)
    pd.testing.assert_frame_equal(got, expected([
        (True, True, False, False, "状态为在建"),
        (True, False, True, False, "本年竣工且有完成投资"),
        (False, False, False, False, ""),
        (True, False, True, False, "状态为谋划但本年已完成投资"),
        (False, False, False, True, "项目状态“预备”无法识别"),
    ], [0, 1, 2, 3, 4]))


def test_without_raw_statuses_the_reason_names_the_canonical_one() -> None:
    # no status_raw column: the reason quotes the status itself (谋划 with 1 万元 this year)
    frame = pd.DataFrame({"total_investment": [600.0], "ytd": [1.0], "status": ["谋划"]})
    got = entry_status(frame, S)
    pd.testing.assert_frame_equal(got, expected([(True, False, True, False, "状态为谋划但本年已完成投资")], [0]))
