"""政府投资项目 and 专项债券项目 progress (plan §17), by unit.

Pure core (pandas; settings, progress, bonds).

Plan §17: "全区省市重点项目、政府投资项目、专项债券项目进展情况统一纳入全区扩大有效投资加快项目建设绩效考核
范畴". 政府投资项目 are the projects marked 政府投资 = 是; 专项债券项目 those with a special bond
(``bonds.bond_projects``). Each table is the usual progress table by unit (count, total, annual
plan, year to date, 完成率, 序时进度 and 进度情况 with 参数's band), then 合计. A ledger without the
政府投资 column gives None (无数据) for the government table, never an empty "all done".
"""

from __future__ import annotations

import pandas as pd

from xladdin.core.periods import Period
from xladdin.core.settings import Settings
from xladdin.figures.programmes.bonds import bond_projects
from xladdin.figures.programmes.common import flag, has_data
from xladdin.figures.progress import by_unit

__all__ = ["bond_progress", "government_progress"]


def government_progress(frame: pd.DataFrame, settings: Settings, period: Period, *,
                        ytd: pd.Series | None = None) -> pd.DataFrame | None:
    """By unit over 政府投资 projects; None when the ledger has no 政府投资 column or no value in it.
    ``ytd``: ``project_ytd`` of the whole ``frame`` when the caller has it already."""
    if not has_data(frame, "is_government"):
        return None
    part = frame[flag(frame, "is_government")]
    return by_unit(part, settings, period, ytd=None if ytd is None else ytd.loc[part.index]).drop(columns=["growth"])


def bond_progress(frame: pd.DataFrame, settings: Settings, period: Period, *,
                  ytd: pd.Series | None = None) -> pd.DataFrame:
    """By unit over special-bond projects (``ytd`` as for ``government_progress``)."""
    part = frame[bond_projects(frame)]
    return by_unit(part, settings, period, ytd=None if ytd is None else ytd.loc[part.index]).drop(columns=["growth"])
