"""The demo district's year so far: monthly project progress and the statistics bureau's unit figures.

Pure core (standard library, pandas). Deterministic for a seed. Designed so the monthly job has
something to say: some units ahead of the time schedule and some behind; 东大街街道 last in growth
in 1-2月 and 3月 (then it recovers: the run resets); 陇海马路街道 last in months 4, 5 and 6 (three
months running -> 区主要领导约谈); two units tied on growth in month 5; a few started projects not
yet in the statistics database; 全区 and the three target categories close to the plan's targets.
"""

from __future__ import annotations

import random
from typing import Any

import pandas as pd

from xladdin.core.fields import month_field

__all__ = ["IDLE_BOND", "LAST_IN_GROWTH", "NOT_IN_STATS", "NO_TARGET", "TIED", "add_progress", "unit_statistics"]

# cumulative share of the annual plan a typical project has done by the end of each month
_SEASON = (0.06, 0.13, 0.22, 0.32, 0.42, 0.52, 0.61, 0.70, 0.78, 0.86, 0.93, 1.0)
RANKED = ("经济开发区", "北下街街道", "西大街街道", "南关街道", "城东路街道", "东大街街道", "二里岗街道", "陇海马路街道",
          "紫荆山南路街道", "航海东路街道", "商都路街道", "十八里河街道", "南曹街道", "金岱街道", "圃田乡")
LAST_IN_GROWTH = {2: "东大街街道", 3: "东大街街道", 4: "陇海马路街道", 5: "陇海马路街道", 6: "陇海马路街道"}
TIED = (5, ("城东路街道", "航海东路街道"), 0.085)  # month, units, the growth they share exactly
NOT_IN_STATS = 4  # started projects left out of the statistics database
IDLE_BOND = "管城区二十五所幼儿园升级改造项目"  # a bond project (区教育局) whose issued money is not spent yet
NO_TARGET = "金岱街道"  # a ranked unit whose 年度目标 the statistics bureau has not given (无数据)
_PACE = {"南曹街道": 1.3, "经济开发区": 1.22, "商都路街道": 1.2, "区城建局": 1.15, "紫荆山南路街道": 1.15, "陇海马路街道": 0.72,
         "东大街街道": 0.8, "西大街街道": 0.85, "区教育局": 0.78}
# target scopes: (statistics subject, share of all FAI, growth in the latest months)
_SCOPES = (("工业", 0.21, 0.072), ("道路基础设施", 0.08, 0.015), ("房地产开发", 0.46, 0.058))


def add_progress(projects: pd.DataFrame, through: int, seed: int = 2022) -> pd.DataFrame:
    """A copy of ``projects`` with ``m01``..``m{through}`` (万元, one decimal) and progress texts."""
    rng = random.Random(seed + 1)
    out = projects.copy()
    months: dict[str, list[float | None]] = {month_field(m): [] for m in range(1, 13)}
    texts: list[str] = []
    problems: list[str | None] = []
    statuses: list[str] = []
    in_stats: list[bool] = []
    for rec in out.to_dict("records"):
        pace = _PACE.get(rec["unit"], rng.uniform(0.85, 1.1)) * rng.uniform(0.8, 1.2)
        if rec["status"] in ("在建", "竣工"):
            start = 1
        else:  # a project in preparation starts around the demo month; one of unknown status ("预备") never
            start = rng.randint(through - 2, through + 3) if rec["status"] == "前期" else 13
        cap = min(rec["annual_plan"] * 1.15, rec["total_investment"] - rec["completed_before"])
        cumulative, prev = 0.0, 0.0
        for m in range(1, 13):
            if m > through:
                months[month_field(m)].append(None)
                continue
            share = 0.0 if m < start else _SEASON[m - start] * pace
            cumulative = max(prev, round(min(cap, rec["annual_plan"] * share), 1))
            months[month_field(m)].append(round(cumulative - prev, 1))
            prev = cumulative
        started = prev > 0
        if started and rec["status"] == "前期":  # it started this year: now under construction and counted
            rec["status"], rec["in_stats"] = "在建", True
        statuses.append(rec["status"])
        in_stats.append(rec["in_stats"])
        texts.append(rng.choice(("主体结构施工", "基础施工", "装饰装修阶段", "设备安装调试", "路基施工", "管网铺设"))
                     if started else rng.choice(("办理施工许可", "土地组卷报批", "方案设计", "招标准备")))
        problems.append(None if rng.random() < 0.75 else rng.choice(
            ("征地拆迁进度滞后", "施工许可待办理", "资金到位不足", "管线迁改待协调", "土地出让未完成")))
    for key, values in months.items():
        out[key] = pd.array(values, dtype="Float64").astype("float64")
    out["progress_text"], out["problems"] = texts, problems
    out["status"], out["in_stats"] = statuses, in_stats
    # started projects that the unit has not yet got into the statistics database (应入未入)
    running = out[(out["status"] == "在建") & (out["total_investment"] >= 500) & (out[month_field(1)] > 0)]
    for i in rng.sample(list(running.index), NOT_IN_STATS):
        out.at[i, "in_stats"] = False
    if "bond_amount" in out:
        done = out[[month_field(m) for m in range(1, through + 1)]].sum(axis=1)
        ratio = (done / out["annual_plan"]).clip(upper=1.0)
        spent = (out["bond_amount"] * ratio * 0.9).round(0).where(out["bond_amount"].notna())
        if "bond_issued" in out:  # money is spent out of what was issued
            spent = spent.clip(upper=out["bond_issued"])
        out["bond_disbursed"] = spent.where(out["name"] != IDLE_BOND, 0.0)
    return out


def unit_statistics(latest: int, seed: int = 2022) -> pd.DataFrame:
    """单位统计 rows (month, subject, ytd, ytd_last_year, annual_target) for months 2..``latest``
    (1-2月 is the first period, filed as month 2), for the ranked units, 全区 and the target scopes."""
    rng = random.Random(seed + 2)
    base = {u: rng.randrange(600, 2_400) * 200 for u in RANKED}  # last year's annual FAI, 万元
    base["经济开发区"] = 1_800_000
    trend = {u: rng.uniform(0.02, 0.17) for u in RANKED}
    trend["经济开发区"] = 0.095
    rows: list[dict[str, Any]] = []
    for m in range(2, latest + 1):
        growth = {u: trend[u] + rng.uniform(-0.02, 0.02) for u in RANKED}
        last = LAST_IN_GROWTH.get(m)
        for u in set(LAST_IN_GROWTH.values()) - {last}:
            growth[u] = max(growth[u], 0.02)  # the other laggard is not last this month
        if last:
            growth[last] = min(-0.01, min(g for v, g in growth.items() if v != last) - rng.uniform(0.03, 0.06))
        total_ytd = total_last = 0
        for u in RANKED:
            last_year = round(base[u] * _SEASON[m - 1] / 200) * 200  # multiple of 200 so a tie can be exact
            if m == TIED[0] and u in TIED[1]:
                ytd = last_year + last_year * 17 // 200  # exactly +8.5%
            else:
                ytd = round(last_year * (1 + growth[u]))
            total_ytd, total_last = total_ytd + ytd, total_last + last_year
            rows.append({"month": m, "subject": u, "ytd": float(ytd), "ytd_last_year": float(last_year),
                         "annual_target": None if u == NO_TARGET else float(round(base[u] * 1.1, -2))})
        rows.append({"month": m, "subject": "全区", "ytd": float(total_ytd), "ytd_last_year": float(total_last),
                     "annual_target": float(round(sum(base.values()) * 1.1, -2))})
        for subject, share, g in _SCOPES:
            last_year = round(total_last * share)
            drift = (latest - m) * 0.004
            rows.append({"month": m, "subject": subject, "ytd": float(round(last_year * (1 + g + drift))),
                         "ytd_last_year": float(last_year), "annual_target": None})
    return pd.DataFrame(rows)
