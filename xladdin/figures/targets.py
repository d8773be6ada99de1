"""Growth targets: each scope's year-to-date growth (单位统计) against the plan's target.

Pure core (standard library, pandas; settings, progress). A scope with category None is
all FAI and matches the 单位统计 subject 全区 (or its own scope name); a category scope
matches its category or scope name (aliases resolve through settings).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from xladdin.core.settings import Settings
from xladdin.figures.progress import canon_subjects, stats_growth

__all__ = ["ALL_SUBJECTS", "TARGET_COLUMNS", "evaluate"]

ALL_SUBJECTS: tuple[str, ...] = ("全区", "全区固定资产投资", "全区合计", "合计")
TARGET_COLUMNS: tuple[str, ...] = ("scope", "category", "ytd", "ytd_last_year", "growth", "target", "status", "gap")


def evaluate(stats_frame: pd.DataFrame | None, settings: Settings, month: int) -> pd.DataFrame:
    """One row per target: growth vs target, 达标 (growth ≥ target) / 未达标 / 无数据, gap = growth − target."""
    stats = canon_subjects(stats_frame, settings)
    rows: list[dict[str, Any]] = []
    for t in settings.targets:
        names = [t.scope, *((t.category,) if t.category else ALL_SUBJECTS)]
        ytd, last, grow = stats_growth(stats, month, names)
        status = "无数据" if grow is None else ("达标" if grow >= t.growth - 1e-12 else "未达标")
        rows.append({
            "scope": t.scope, "category": t.category, "ytd": ytd, "ytd_last_year": last, "growth": grow,
            "target": t.growth, "status": status, "gap": None if grow is None else grow - t.growth,
        })
    return pd.DataFrame(rows, columns=list(TARGET_COLUMNS))
