"""应统尽统 (plan §15): the one rule that says which projects should be in the statistics database.

Pure core (standard library, numpy, pandas). ``validate`` (the ``not-in-statistics`` and
``entry-status-unknown`` findings) and the 专项 list / quarterly 入库 report use this module, so the
two can never disagree again.

The plan: "对于已实质性开工应入未入的项目单位和主管部门，进行通报批评" and "每季度对入库完成情况进行通报".
A project is **required** in the database (应入) when its total investment reaches 参数's 入库标准
(500 万元, national practice) and it has substantially started (已实质性开工):

- status 在建 (including "已开工", "续建" and "已新开工", see ``vocabulary``);
- status 竣工 with investment this year (a project finished in an earlier year and idle this
  year has nothing to report this year);
- any other status (谋划, 前期, a planned "新开工", unknown or blank) with investment this year:
  money spent is substantive start whatever the status says.

It is **missing** (应入未入) when required and 是否入库 is not 是 (blank counts as not entered).
A project with an **unknown** status (e.g. "预备", or blank) and no investment this year cannot be
judged: when it reaches the threshold and is not entered it is reported as 状态不明, never passed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from xladdin.core.fields import STATUSES
from xladdin.core.settings import Settings

__all__ = ["ENTRY_COLUMNS", "entry_status"]

ENTRY_COLUMNS: tuple[str, ...] = ("required", "entered", "missing", "unknown", "reason")


def _values(frame: pd.DataFrame, key: str) -> np.ndarray[Any, np.dtype[np.object_]]:
    if key not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    out = frame[key].to_numpy(dtype=object, copy=True)
    out[pd.isna(out)] = None
    return out


def entry_status(frame: pd.DataFrame, settings: Settings, invested: pd.Series | None = None) -> pd.DataFrame:
    """Per project (same index as ``frame``): required / entered / missing / unknown flags and the reason.

    ``invested`` is the investment this year per project (the figures pass the period's year to
    date); without it the ledger's 本年累计 column is used.
    """
    if invested is None:
        invested = frame["ytd"] if "ytd" in frame.columns else pd.Series(np.nan, index=frame.index)
    money = pd.to_numeric(invested, errors="coerce").fillna(0).to_numpy(dtype="float64") > 0
    status = _values(frame, "status")
    raw = _values(frame, "status_raw") if "status_raw" in frame.columns else status
    total = pd.to_numeric(frame["total_investment"], errors="coerce").to_numpy(dtype="float64")
    big = np.nan_to_num(total, nan=-1.0) >= settings.thresholds.stats_entry_min
    flags = frame["in_stats"].astype("boolean") if "in_stats" in frame.columns else pd.Series(pd.NA, index=frame.index)
    entered = flags.fillna(False).astype(bool).to_numpy()
    building = status == "在建"
    finished = (status == "竣工") & money
    started = building | finished | money
    known = np.array([s in STATUSES for s in status], dtype=bool)
    required = big & started
    unknown = big & ~started & ~known & ~entered
    reasons: list[str] = []
    for i in range(len(frame)):
        if building[i]:
            reasons.append("状态为在建")
        elif finished[i]:
            reasons.append("本年竣工且有完成投资")
        elif money[i]:
            reasons.append(f"状态为{raw[i] or '未填'}但本年已完成投资")
        elif unknown[i]:
            reasons.append(f"项目状态“{raw[i]}”无法识别" if raw[i] is not None else "项目状态未填")
        else:
            reasons.append("")
    return pd.DataFrame({"required": required, "entered": required & entered, "missing": required & ~entered,
                         "unknown": unknown, "reason": reasons}, index=frame.index)
