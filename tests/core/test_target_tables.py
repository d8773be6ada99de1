"""The two target tables whole (issue 19: mutation testing found their columns, the unit order and
参数's band unpinned). Every value is worked out in the comments; period 1-6月, 序时进度 6 ÷ 12 = 50%.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from xladdin.core.ledger import read_stats
from xladdin.core.periods import Period
from xladdin.core.settings import Settings, Thresholds, UnitSpec
from xladdin.core.sheet import SheetData
from xladdin.figures.targets import TARGET_COLUMNS, UNIT_TARGET_COLUMNS, evaluate, unit_targets

S = Settings()
HEADER = ["月份", "统计对象", "本年累计", "上年同期累计", "年度目标"]
JUNE = Period.of(6)


def stats(*rows: list[Any], settings: Settings = S) -> pd.DataFrame:
    frame, found = read_stats(SheetData("单位统计", [HEADER, *rows]), settings)
    assert found == []
    return frame


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): (None if v is None or (isinstance(v, float) and pd.isna(v)) else v) for k, v in r.items()}
            for r in table.to_dict("records")]


def test_the_growth_target_table_whole() -> None:
    table = evaluate(stats([6, "全区", 110, 100, None], [6, "工业", 107.99, 100, None], [6, "房地产开发", 107, 100, None]),
                     S, JUNE)
    assert list(table.columns) == list(TARGET_COLUMNS)
    assert records(table) == [
        # (110 − 100) ÷ 100 = 10% against 10%: met exactly, gap 0
        {"scope": "全区固定资产投资", "category": None, "ytd": 110.0, "ytd_last_year": 100.0, "growth": pytest.approx(0.1),
         "target": 0.1, "status": "达标", "gap": pytest.approx(0.0)},
        # (107.99 − 100) ÷ 100 = 7.99% against 8%: gap −0.01 pp
        {"scope": "工业投资", "category": "工业", "ytd": 107.99, "ytd_last_year": 100.0, "growth": pytest.approx(0.0799),
         "target": 0.08, "status": "未达标", "gap": pytest.approx(-0.0001)},
        # no 道路基础设施 row: 无数据, never a pass
        {"scope": "道路基础设施投资", "category": "道路基础设施", "ytd": None, "ytd_last_year": None, "growth": None,
         "target": 0.0, "status": "无数据", "gap": None},
        # (107 − 100) ÷ 100 = 7% against 7%
        {"scope": "房地产开发投资", "category": "房地产开发", "ytd": 107.0, "ytd_last_year": 100.0,
         "growth": pytest.approx(0.07), "target": 0.07, "status": "达标", "gap": pytest.approx(0.0)},
    ]


def test_no_targets_gives_an_empty_table_with_its_columns() -> None:
    table = evaluate(stats([6, "全区", 110, 100, None]), S.model_copy(update={"targets": ()}), JUNE)
    assert list(table.columns) == list(TARGET_COLUMNS) and table.empty


# 参数 order: 北乡 (not ranked), 东街道 and 西街道 (ranked), 中局 (not ranked, no 单位统计 row); band 2 pp
UNITS = Settings(units=(UnitSpec(name="北乡", kind="乡"), UnitSpec(name="东街道", kind="街道", ranked=True),
                        UnitSpec(name="西街道", kind="街道", ranked=True), UnitSpec(name="中局")),
                 thresholds=Thresholds(schedule_band_pp=2))


def test_the_unit_target_table_whole() -> None:
    table = unit_targets(stats([6, "西街道", 1040, 800, 2000], [6, "西街道", 9999, 1, 1],
                               [6, "北乡", 300, 200, 1000], [6, "全区", 5000, 4000, 10000], settings=UNITS),
                         UNITS, JUNE)
    assert list(table.columns) == list(UNIT_TARGET_COLUMNS)
    assert records(table) == [
        # ranked units first, in 参数 order; 东街道 has no row: 无数据 throughout
        {"unit": "东街道", "annual_target": None, "ytd": None, "target_rate": None, "schedule": 0.5, "gap": None,
         "status": "无数据", "ytd_last_year": None, "growth": None},
        # the first 西街道 row: 1040 ÷ 2000 = 52%, gap +2 pp = the band (2 pp): 符合 (the default
        # 0.5 pp would say 超); growth (1040 − 800) ÷ 800 = 30%
        {"unit": "西街道", "annual_target": 2000.0, "ytd": 1040.0, "target_rate": pytest.approx(0.52), "schedule": 0.5,
         "gap": pytest.approx(0.02), "status": "符合序时进度", "ytd_last_year": 800.0, "growth": pytest.approx(0.3)},
        # then the other units with a row: 北乡 300 ÷ 1000 = 30%, gap −20 pp: 滞后; (300 − 200) ÷ 200 = 50%.
        # 中局 (no row) and 全区 (not a unit) are not listed
        {"unit": "北乡", "annual_target": 1000.0, "ytd": 300.0, "target_rate": pytest.approx(0.3), "schedule": 0.5,
         "gap": pytest.approx(-0.2), "status": "滞后序时进度", "ytd_last_year": 200.0, "growth": pytest.approx(0.5)},
    ]


def test_no_units_to_list_gives_an_empty_table_with_its_columns() -> None:
    settings = Settings(units=(UnitSpec(name="中局"),))
    table = unit_targets(None, settings, JUNE)
    assert list(table.columns) == list(UNIT_TARGET_COLUMNS) and table.empty
