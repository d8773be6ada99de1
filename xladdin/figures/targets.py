"""Growth targets: each scope's year-to-date growth (单位统计) against the plan's target.

Pure core (standard library, pandas; settings, progress). A scope with category None is
all FAI and matches the 单位统计 subject 全区 (or its own scope name); a category scope
matches its category or scope name (aliases resolve through settings).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from xladdin.core.periods import Period
from xladdin.core.settings import Settings
from xladdin.core.values import as_number
from xladdin.figures.progress import (
    band_of,
    canon_subjects,
    growth,
    schedule_status,
    stats_growth,
    stats_rows,
)

__all__ = ["ALL_SUBJECTS", "TARGET_COLUMNS", "UNIT_TARGET_COLUMNS", "evaluate", "unit_targets"]

ALL_SUBJECTS: tuple[str, ...] = ("全区", "全区固定资产投资", "全区合计", "合计")
TARGET_COLUMNS: tuple[str, ...] = ("scope", "category", "ytd", "ytd_last_year", "growth", "target", "status", "gap")
UNIT_TARGET_COLUMNS: tuple[str, ...] = (
    "unit", "annual_target", "ytd", "target_rate", "schedule", "gap", "status", "ytd_last_year", "growth")


def evaluate(stats_frame: pd.DataFrame | None, settings: Settings, period: Period) -> pd.DataFrame:
    """One row per target: growth vs target, 达标 (growth ≥ target) / 未达标 / 无数据, gap = growth − target."""
    stats = canon_subjects(stats_frame, settings)
    rows: list[dict[str, Any]] = []
    for t in settings.targets:
        names = [t.scope, *((t.category,) if t.category else ALL_SUBJECTS)]
        ytd, last, grow = stats_growth(stats, period, names)
        status = "无数据" if grow is None else ("达标" if grow >= t.growth - 1e-12 else "未达标")
        rows.append({
            "scope": t.scope, "category": t.category, "ytd": ytd, "ytd_last_year": last, "growth": grow,
            "target": t.growth, "status": status, "gap": None if grow is None else grow - t.growth,
        })
    return pd.DataFrame(rows, columns=list(TARGET_COLUMNS))


def unit_targets(stats_frame: pd.DataFrame | None, settings: Settings, period: Period) -> pd.DataFrame:
    """Each unit against its own annual target (plan §1 "将固定资产投资年度指标任务进行分解").

    From 单位统计 (the period's row of each unit): 年度目标 (万元, the unit's share of the district's
    annual FAI task), 本年累计, 目标完成率 = 本年累计 ÷ 年度目标, compared with the 序时进度 (参数's band)
    → 超序时进度 / 符合序时进度 / 滞后序时进度, and the unit's growth over last year. Units listed: the
    ranked units, then every other unit with a 单位统计 row, in 参数 order. A unit without a 年度目标
    (or without any 单位统计 row) shows 无数据, never a pass.
    """
    stats = canon_subjects(stats_frame, settings)
    rows_now = stats_rows(stats, period)
    figures: dict[str, dict[str, float | None]] = {}
    for rec in rows_now.to_dict("records"):
        subject = str(rec.get("subject"))
        if subject in settings.unit_names and subject not in figures:
            figures[subject] = {k: as_number(rec.get(k)) for k in ("ytd", "ytd_last_year", "annual_target")}
    units = [*settings.ranked_units, *(u for u in settings.unit_names if u in figures and u not in settings.ranked_units)]
    sched, band = period.schedule, band_of(settings)
    rows: list[dict[str, Any]] = []
    for unit in units:
        f = figures.get(unit, {})
        ytd, target, last = f.get("ytd"), f.get("annual_target"), f.get("ytd_last_year")
        done = ytd / target if ytd is not None and target else None
        rows.append({"unit": unit, "annual_target": target, "ytd": ytd, "target_rate": done, "schedule": sched,
                     "gap": None if done is None else done - sched,
                     "status": "无数据" if done is None else schedule_status(done, period, band),
                     "ytd_last_year": last, "growth": growth(ytd, last)})
    return pd.DataFrame(rows, columns=list(UNIT_TARGET_COLUMNS))
