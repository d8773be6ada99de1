"""Investment progress: completion rate, growth, schedule status and the progress tables.

Pure core (standard library, pandas; settings, units, periods). Amounts are 万元, rates are
fractions. A project's year-to-date figure is the sum of its monthly columns m01..mM (M the
period month), falling back to the ledger's own 本年累计 column when no month is filled —
files saved by openpyxl carry no cached formula values, so the months are the truth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from xladdin.core.fields import LEVELS, month_field
from xladdin.core.periods import Period, first_period_month
from xladdin.core.settings import Settings
from xladdin.core.values import as_number
from xladdin.core.vocabulary import vocabulary

__all__ = [
    "LEVEL_ROWS",
    "PROGRESS_COLUMNS",
    "SCHEDULE_TOLERANCE",
    "TOTAL",
    "band_of",
    "by_category",
    "by_level",
    "by_unit",
    "by_unit_category",
    "canon_subjects",
    "completion_rate",
    "growth",
    "period_reported",
    "project_ytd",
    "schedule_status",
    "stats_growth",
    "stats_rows",
]

TOTAL = "合计"
LEVEL_ROWS: tuple[str, ...] = (*LEVELS, "攻坚星级", "982", TOTAL)
# A completion rate within half a percentage point of the schedule "符合序时进度": rates are
# shown with one decimal, so a smaller gap would flip on rounding noise. Not in the plan: the
# district sets it in 参数 (序时进度容差（百分点）); this is the default when no settings are given.
SCHEDULE_TOLERANCE = 0.005
PROGRESS_COLUMNS: tuple[str, ...] = (
    "projects", "total_investment", "annual_plan", "ytd_completed",
    "completion_rate", "schedule", "gap", "status", "growth",
)


def completion_rate(ytd: float | None, plan: float | None) -> float | None:
    """完成率 = year-to-date completed ÷ annual plan; None when either is unknown or plan ≤ 0."""
    y, p = as_number(ytd), as_number(plan)
    if y is None or p is None or p <= 0:
        return None
    return y / p


def growth(ytd: float | None, last: float | None) -> float | None:
    """增速 = (ytd − last year's same-period ytd) ÷ last; None when last is unknown, 0 or negative."""
    y, last_f = as_number(ytd), as_number(last)
    if y is None or last_f is None or last_f <= 0:
        return None
    return (y - last_f) / last_f


def band_of(settings: Settings | None) -> float:
    """The 符合序时进度 band as a fraction (参数 gives it in percentage points)."""
    return SCHEDULE_TOLERANCE if settings is None else settings.thresholds.schedule_band_pp / 100


def schedule_status(rate: float | None, period: Period, band: float = SCHEDULE_TOLERANCE) -> str:
    """超序时进度 / 滞后序时进度 / 符合序时进度 (gap within ± ``band``); "" when rate unknown."""
    r = as_number(rate)
    if r is None:
        return ""
    gap = r - period.schedule
    if gap > band + 1e-12:
        return "超序时进度"
    if gap < -band - 1e-12:
        return "滞后序时进度"
    return "符合序时进度"


def project_ytd(frame: pd.DataFrame, period: Period) -> pd.Series:
    """Per project: m01..mM summed (M = period month); else its 1-M月累计 column; else 本年累计."""
    cols = [month_field(m) for m in period.months if month_field(m) in frame.columns]
    if cols and all(frame[c].dtype == np.float64 for c in cols):
        # already numbers (both ledger readers give float64 amounts): the frame ``apply`` below would
        # build, one (months × projects) block, without a pass of to_numeric per month
        stacked = np.vstack([frame[c].to_numpy() for c in cols])
        months = pd.DataFrame(stacked.T, index=frame.index, columns=cols, copy=False)
    else:
        months = frame[cols].apply(pd.to_numeric, errors="coerce").astype("float64") if cols else pd.DataFrame(index=frame.index)
    summed = months.sum(axis=1, min_count=1) if cols else pd.Series(float("nan"), index=frame.index)
    cum = f"cum{period.month:02d}"  # a "1-M月累计" column the ledger reader found
    if cum in frame.columns:
        summed = summed.fillna(_numbers(frame[cum]))
    if "ytd" in frame.columns:
        summed = summed.fillna(_numbers(frame["ytd"]))
    return summed.astype("float64")


def _numbers(series: pd.Series) -> pd.Series:
    """``series`` as float64, anything not a number NaN (float64 columns as they are)."""
    if series.dtype == np.float64:
        return series
    return pd.to_numeric(series, errors="coerce").astype("float64")


def period_reported(frame: pd.DataFrame, period: Period, present: Iterable[str] | None = None) -> bool:
    """Whether any project holds a figure of ``period`` itself: a number in the period's month
    column (1-2月: January's or February's) or in a "1-M月累计" column of that period.

    False means nobody has reported the period yet (e.g. ``--month 7`` on a ledger filled to
    June): its year to date would be the previous period's total judged against this period's
    序时进度, so the figures are shown as 无数据 instead. A ledger without the period's month
    column at all (one laid out for another period, or with only 本年累计) is not judged here:
    ``core.period_check`` says whether it can give the period (period-mismatch, period-missing).
    ``present``: the field keys the sheet really has (``Ledger.columns``; the reader's frame
    carries every month key, read or not); default: the frame's columns."""
    have = set(frame.columns if present is None else present)
    own = [month_field(m) for m in (period.months[:first_period_month] if period.is_first else (period.month,))]
    own = [k for k in own if k in have and k in frame.columns]
    if not own:
        return True
    cum = f"cum{period.month:02d}"
    keys = [*own, *([cum] if cum in frame.columns else [])]
    return any(bool(pd.to_numeric(frame[key], errors="coerce").notna().any()) for key in keys)


def _sum(series: pd.Series) -> float:
    return float(_numbers(series).sum(skipna=True))


def _row(part: pd.DataFrame, ytd: pd.Series, period: Period, grow: float | None = None,
         band: float = SCHEDULE_TOLERANCE) -> dict[str, Any]:
    own = ytd if ytd.index.equals(part.index) else ytd.loc[part.index]  # 合计: the whole frame, no lookup
    sums = {"n": len(part), "t": _sum(part["total_investment"]) if len(part) else 0.0,
            "p": _sum(part["annual_plan"]) if len(part) else 0.0,
            "d": _sum(own) if len(part) else 0.0}
    return _row_of(sums, period, grow, band)


def _flag(frame: pd.DataFrame, key: str) -> pd.Series:
    if key not in frame.columns:
        return pd.Series(False, index=frame.index)
    if frame[key].dtype == np.bool_:  # no empty cells to fill
        return frame[key]
    return frame[key].astype("boolean").fillna(False).astype(bool)


def by_level(frame: pd.DataFrame, period: Period, settings: Settings | None = None, *,
             ytd: pd.Series | None = None) -> pd.DataFrame:
    """Rows per level (参数's 项目级别, default 省重点, 市重点, 区重点; any other level the frame holds
    follows), 攻坚星级 (star flag), 982 (is_982 flag), 合计 (every project). ``ytd``: ``project_ytd``
    of ``frame`` when the caller has it already (``figures.month`` computes it once per month)."""
    band = band_of(settings)
    levels = LEVELS if settings is None else settings.level_names
    ytd_values = (project_ytd(frame, period) if ytd is None else ytd).to_numpy(dtype="float64")
    total = _numbers(frame["total_investment"]).to_numpy(dtype="float64")
    plan = _numbers(frame["annual_plan"]).to_numpy(dtype="float64")
    codes, names = pd.factorize(frame["level"])  # one pass over the texts instead of one per level
    wanted = list(LEVELS if levels is None else levels)
    wanted += [str(lv) for lv in names if lv not in wanted]
    masks = [(lv, codes == names.get_loc(lv) if lv in names else np.zeros(len(frame), bool)) for lv in wanted]
    masks += [("攻坚星级", _flag(frame, "star").to_numpy()), ("982", _flag(frame, "is_982").to_numpy()),
              (TOTAL, np.ones(len(frame), bool))]
    return pd.DataFrame([{"level": name, **_row_of({"n": int(m.sum()), "t": np.nansum(total[m]), "p": np.nansum(plan[m]),
                                                    "d": np.nansum(ytd_values[m])}, period, None, band)}
                         for name, m in masks])


def stats_rows(stats: pd.DataFrame | None, period: Period) -> pd.DataFrame:
    """The 单位统计 rows of ``month``'s period (rows dated 1 count as the 1-2月 period)."""
    if stats is None or stats.empty:
        return pd.DataFrame(columns=["month", "subject", "ytd", "ytd_last_year"])
    months = pd.to_numeric(stats["month"], errors="coerce").clip(lower=first_period_month)
    out: pd.DataFrame = stats[months == period.month]
    return out


def stats_growth(stats: pd.DataFrame | None, period: Period, names: Iterable[str]) -> tuple[float | None, float | None, float | None]:
    """(ytd, ytd_last_year, growth) of the first stats subject matching one of ``names``."""
    return _lookup(_stats_index(stats, period), names)


_StatsIndex = dict[str, tuple[int, float | None, float | None]]


def _stats_index(stats: pd.DataFrame | None, period: Period) -> _StatsIndex:
    """Subject (stripped) -> (position, ytd, ytd_last_year) of its first row in ``month``'s period:
    built once, so a table with 150 units does not filter the stats 150 times."""
    if stats is None or stats.empty:
        return {}
    rows = stats_rows(stats, period)
    none = [None] * len(rows)
    out: _StatsIndex = {}
    for pos, (subject, ytd, last) in enumerate(zip(rows["subject"].astype(str).str.strip(),
                                                   rows.get("ytd", none), rows.get("ytd_last_year", none),
                                                   strict=True)):
        out.setdefault(subject, (pos, as_number(ytd), as_number(last)))
    return out


def _lookup(index: _StatsIndex, names: Iterable[str]) -> tuple[float | None, float | None, float | None]:
    hits = [index[n] for n in {str(n).strip() for n in names if n} if n in index]
    if not hits:
        return None, None, None
    _, ytd, last = min(hits)
    return ytd, last, growth(ytd, last)


def canon_subjects(stats: pd.DataFrame | None, settings: Settings) -> pd.DataFrame | None:
    if stats is None or stats.empty:
        return stats
    vocab = vocabulary(settings)
    out = stats.copy()
    out["subject"] = [vocab.unit(str(s)) or vocab.category(str(s)) or str(s).strip() for s in stats["subject"]]
    return out


def _sums(frame: pd.DataFrame, ytd: pd.Series, keys: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    """Group key -> project count "n" and the sums "t", "p", "d", in one pass (boolean masks per
    group are slow), as plain dicts (a .loc per group costs 100 µs)."""
    data = pd.DataFrame({
        **keys,
        "t": pd.to_numeric(frame["total_investment"], errors="coerce").astype("float64").to_numpy(),
        "p": pd.to_numeric(frame["annual_plan"], errors="coerce").astype("float64").to_numpy(),
        "d": ytd.to_numpy(dtype="float64"),
    })
    grouped = data.groupby(list(keys), sort=False)
    out: pd.DataFrame = grouped[["t", "p", "d"]].sum()  # the plain reductions: named .agg costs 10 ms more
    out["n"] = grouped.size()
    records: dict[Any, dict[str, Any]] = out.to_dict("index")  # type: ignore[assignment]
    return records


def _sums_by(frame: pd.DataFrame, ytd: pd.Series, values: pd.Series, names: list[str], other: str,
             ) -> dict[str, dict[str, Any]]:
    """``_sums(frame, ytd, {key: _known(values, names, other)})`` keyed by name, with the column
    hashed once: the distinct values are sorted into ``names`` / ``other`` and the rows grouped by
    small integers. The group sums are pandas' own (the same compensated sums, in row order)."""
    codes, uniques = pd.factorize(values)  # empty (None, NaN) -> -1
    known = set(names)
    order = list(dict.fromkeys([*names, other]))
    slot = {name: j for j, name in enumerate(order)}
    to_slot = np.array([slot[u if u in known else other] for u in uniques] + [slot[other]], dtype=np.intp)
    data = pd.DataFrame({"t": _numbers(frame["total_investment"]).to_numpy(), "p": _numbers(frame["annual_plan"]).to_numpy(),
                         "d": ytd.to_numpy(dtype="float64")})
    grouped = data.groupby(to_slot[codes], sort=False)
    out: pd.DataFrame = grouped.sum()
    out["n"] = grouped.size()
    records: dict[int, dict[str, Any]] = out.to_dict("index")  # type: ignore[assignment]
    return {order[j]: sums for j, sums in records.items()}


def _row_of(sums: Any, period: Period, grow: float | None = None, band: float = SCHEDULE_TOLERANCE) -> dict[str, Any]:
    done, plan = float(sums["d"]), float(sums["p"])
    rate = completion_rate(done, plan)
    sched = period.schedule
    return {
        "projects": int(sums["n"]),
        "total_investment": float(sums["t"]),
        "annual_plan": plan,
        "ytd_completed": done,
        "completion_rate": rate,
        "schedule": sched,
        "gap": None if rate is None else rate - sched,
        "status": schedule_status(rate, period, band),
        "growth": grow,
    }


def _known(values: pd.Series, names: list[str], other: str) -> Any:
    """Canonical names kept, anything else (unknown or empty) grouped as ``other``."""
    return values.astype("object").where(values.isin(names), other).to_numpy(dtype=object)


def _grouped(frame: pd.DataFrame, key: str, names: list[str], other: str, period: Period,
             stats: pd.DataFrame | None, settings: Settings, scopes: Callable[[str], list[str]],
             total_scopes: list[str], ytd: pd.Series | None = None) -> pd.DataFrame:
    """One row per ``key`` value with projects (``names`` order; anything else as ``other``), then
    合计; ``growth`` from the first stats subject among ``scopes(name)`` (``total_scopes`` for 合计)."""
    ytd = project_ytd(frame, period) if ytd is None else ytd
    index = _stats_index(canon_subjects(stats, settings), period)
    sums = _sums_by(frame, ytd, frame[key], names, other)
    band = band_of(settings)
    rows = [{key: name, **_row_of(sums[name], period, _lookup(index, scopes(name))[2] if name != other else None, band)}
            for name in [*names, other] if name in sums]
    rows.append({key: TOTAL, **_row(frame, ytd, period, _lookup(index, total_scopes)[2], band)})
    return pd.DataFrame(rows)


def by_unit(frame: pd.DataFrame, settings: Settings, period: Period, stats: pd.DataFrame | None = None, *,
            ytd: pd.Series | None = None) -> pd.DataFrame:
    """One row per unit with projects (settings order; unknown units as 未识别单位), then 合计.

    ``growth`` comes from 单位统计 (statistics bureau) when ``stats`` holds the unit's row.
    """
    return _grouped(frame, "unit", settings.unit_names, "未识别单位", period, stats, settings,
                    lambda name: [name], ["全区", "全区固定资产投资"], ytd)


def by_category(frame: pd.DataFrame, settings: Settings, period: Period, stats: pd.DataFrame | None = None, *,
                ytd: pd.Series | None = None) -> pd.DataFrame:
    """One row per category with projects (settings order; 未分类 for unknown), then 合计."""
    return _grouped(frame, "category", settings.category_names, "未分类", period, stats, settings,
                    lambda name: [name] + [t.scope for t in settings.targets if t.category == name], [], ytd)


def by_unit_category(frame: pd.DataFrame, settings: Settings, period: Period, *,
                     ytd: pd.Series | None = None) -> pd.DataFrame:
    """Long table: one row per (unit, category) pair that has projects, in settings order."""
    ytd = project_ytd(frame, period) if ytd is None else ytd
    unit_order = {n: i for i, n in enumerate([*settings.unit_names, "未识别单位"])}
    cat_order = {n: i for i, n in enumerate([*settings.category_names, "未分类"])}
    sums = _sums(frame, ytd, {"unit": _known(frame["unit"], settings.unit_names, "未识别单位"),
                              "category": _known(frame["category"], settings.category_names, "未分类")})
    pairs = sorted(sums, key=lambda p: (unit_order[p[0]], cat_order[p[1]]))
    rows = [{"unit": u, "category": c, **_row_of(sums[(u, c)], period, None, band_of(settings))} for u, c in pairs]
    return pd.DataFrame(rows, columns=["unit", "category", *PROGRESS_COLUMNS])
