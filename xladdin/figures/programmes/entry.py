"""应统尽统 (plan §15): the 应入未入 list and the quarterly 入库 report, from the shared rule.

Pure core (pandas; settings, statistics_entry, progress). The rule itself — which projects are
required in the statistics database, which are missing, which cannot be judged — lives in
``core.statistics_entry`` and is the same one ``validate`` reports.

Plan: "每季度对入库完成情况进行通报 … 对于已实质性开工应入未入的项目单位和主管部门，进行通报批评". The
入库 report (by unit: 应入, 已入, 应入未入, 状态不明, 入库率 = 已入 ÷ 应入) is computed every month;
the bulletin carries it in quarter-end periods (1-3月, 1-6月, 1-9月, 1-12月).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from xladdin.core.periods import Period
from xladdin.core.settings import Settings
from xladdin.core.statistics_entry import entry_status
from xladdin.figures.programmes.common import num, rate, rows_by_unit, unit_order, units_of
from xladdin.figures.progress import TOTAL, project_ytd

__all__ = ["ENTRY_REPORT_COLUMNS", "entry_report", "is_quarter_end", "not_entered"]

ENTRY_REPORT_COLUMNS: tuple[str, ...] = ("unit", "required", "entered", "missing", "unknown", "entry_rate")


def is_quarter_end(period: Period) -> bool:
    return period.month % 3 == 0


def not_entered(frame: pd.DataFrame, settings: Settings, period: Period, *,
                ytd: pd.Series | None = None) -> pd.DataFrame:
    """应入未入 projects, then those whose status cannot be judged (状态不明); unit order, then row.
    ``ytd``: ``project_ytd`` of ``frame`` when the caller has it already."""
    verdict = entry_status(frame, settings, project_ytd(frame, period) if ytd is None else ytd)
    keep = verdict["missing"] | verdict["unknown"]
    part = frame[keep]
    raw = part["status_raw"] if "status_raw" in part.columns else part["status"]
    out = pd.DataFrame({
        "unit": units_of(part["unit"]), "code": part["code"].tolist(), "name": part["name"].tolist(),
        "total_investment": num(part["total_investment"]).tolist(),
        "project_status": [None if v is None or v is pd.NA else str(v) for v in raw],
        "verdict": ["应入未入" if m else "状态不明" for m in verdict.loc[keep, "missing"]],
        "reason": verdict.loc[keep, "reason"].tolist(),
        "row": part["_row"].tolist() if "_row" in part.columns else [None] * len(part),
    })
    order = unit_order(settings)
    out["_v"] = (out["verdict"] != "应入未入").astype(int)
    out["_o"] = [order.get(u, 10**6) for u in out["unit"]]
    return out.sort_values(["_v", "_o", "row"], kind="stable").drop(columns=["_v", "_o"]).reset_index(drop=True)


def entry_report(frame: pd.DataFrame, settings: Settings, period: Period, *,
                 ytd: pd.Series | None = None) -> pd.DataFrame:
    """By unit (those with a project required or unknown), then 合计."""
    verdict = entry_status(frame, settings, project_ytd(frame, period) if ytd is None else ytd)
    flags = {k: verdict[k].to_numpy(dtype=bool) for k in ("required", "entered", "missing", "unknown")}
    rows: list[dict[str, Any]] = []
    order = unit_order(settings)
    by_unit = rows_by_unit(units_of(frame["unit"]))  # not a mask per unit
    for unit in sorted(by_unit, key=lambda u: order.get(u, 10**6)):
        at = by_unit[unit]
        if not (flags["required"][at].any() or flags["unknown"][at].any()):
            continue
        rows.append(_report_row(unit, {k: int(v[at].sum()) for k, v in flags.items()}))
    rows.append(_report_row(TOTAL, {k: int(v.sum()) for k, v in flags.items()}))
    return pd.DataFrame(rows, columns=list(ENTRY_REPORT_COLUMNS))


def _report_row(unit: str, n: dict[str, int]) -> dict[str, Any]:
    return {"unit": unit, "required": n["required"], "entered": n["entered"], "missing": n["missing"],
            "unknown": n["unknown"], "entry_rate": rate(n["entered"], n["required"])}
