"""The demo district's 291 key projects: levels, counts and money that reproduce the 2022 plan exactly.

Pure core (standard library, pandas). Deterministic for a seed (``random.Random``). The plan's
table is met by construction: projects are generated in cells (level x 攻坚星级 x 982) whose
counts and sums are fixed in whole 万元, so every level, the star subset and the 982 programme
add up exactly. The projects the plan names are placed first with the units the plan implies.
Amounts are 万元; flags are True or None (blank), except ``in_stats`` which is True/False.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

import pandas as pd

__all__ = ["CELLS", "NAMED", "PLAN_TABLE", "generate_projects"]

# The plan's table in 万元: level -> (projects, total investment, 2022 annual plan)
PLAN_TABLE: dict[str, tuple[int, int, int]] = {
    "省重点": (17, 7_990_000, 1_730_000),
    "市重点": (23, 8_320_000, 2_026_000),
    "区重点": (251, 16_548_000, 2_240_000),
    "攻坚星级": (45, 7_691_000, 1_110_000),
    "982": (42, 0, 980_000),  # 42 approved projects planned at 98 亿元 (total not given by the plan)
}

# (level, star, is_982) -> (count, total, plan). Rows of one level sum to PLAN_TABLE; 982 rows to 42 / 98 亿.
CELLS: dict[tuple[str, bool, bool], tuple[int, int, int]] = {
    ("省重点", False, True): (5, 1_900_000, 300_000),
    ("省重点", False, False): (12, 6_090_000, 1_430_000),
    ("市重点", False, True): (7, 2_000_000, 320_000),
    ("市重点", False, False): (16, 6_320_000, 1_706_000),
    ("区重点", True, True): (10, 1_100_000, 190_000),
    ("区重点", True, False): (35, 6_591_000, 920_000),
    ("区重点", False, True): (20, 1_000_000, 170_000),
    ("区重点", False, False): (186, 7_857_000, 960_000),
}

# Projects the plan names: (name, unit, category, level, star, 982, total, plan, extra fields)
NAMED: tuple[tuple[str, str, str, str, bool, bool, int, int, dict[str, Any]], ...] = (
    ("宇通客车一厂涂装车间智能化改造项目", "经济开发区", "工业", "省重点", False, True, 86_000, 32_000, {"attracted": True}),
    ("郑州市南曹污水处理厂一期工程", "南曹街道", "工业", "市重点", False, True, 98_000, 30_000, {}),
    ("金岱变以北高压架空线入地迁改项目", "金岱街道", "工业", "区重点", True, False, 36_000, 12_000, {}),
    ("长江东路（紫辰路—机场高速）道路工程", "区城建局", "道路基础设施", "区重点", True, False, 42_000, 9_000, {"end_year": 2022}),
    ("冯庄东路道路工程", "区城建局", "道路基础设施", "区重点", False, False, 18_000, 6_000, {"end_year": 2022}),
    ("尚德路道路工程", "区城建局", "道路基础设施", "区重点", False, False, 12_500, 4_000, {"end_year": 2022}),
    ("豫英路道路工程", "区城建局", "道路基础设施", "区重点", False, False, 26_000, 8_000, {"start_year": 2022}),
    ("豫豪路道路工程", "区城建局", "道路基础设施", "区重点", False, False, 21_000, 7_000, {"start_year": 2022}),
    ("管城区支路背街雨污水排水管网改造及路面复浇工程", "区城建局", "灾后重建", "区重点", True, True, 38_000, 15_000,
     {"reconstruction": True}),
    ("管城区市政管理基础能力提升工程", "区城管局", "灾后重建", "区重点", False, True, 12_000, 6_000, {"reconstruction": True}),
    ("城南印象文化旅游街区灾后重建项目", "南关街道", "灾后重建", "区重点", False, False, 30_000, 10_000,
     {"reconstruction": True}),
    ("管城区体育中心建设项目", "区文广旅局", "社会民生", "区重点", True, False, 60_000, 15_000, {"bond_amount": 8_000}),
    ("管城文化街区灾后重建项目", "西大街街道", "灾后重建", "区重点", False, False, 45_000, 12_000,
     {"reconstruction": True, "bond_amount": 6_000}),
    ("保安里文化街区灾后修复提升改造项目", "北下街街道", "灾后重建", "区重点", False, False, 20_000, 8_000,
     {"reconstruction": True, "bond_amount": 5_000}),
    ("管城区二十五所幼儿园升级改造项目", "区教育局", "社会民生", "区重点", False, True, 15_000, 9_000, {"bond_amount": 4_000}),
    ("商代王城遗址周边环境综合改造项目（衙署片区及北大街片区）", "北下街街道", "城市更新", "区重点", True, False, 80_000, 20_000,
     {"bond_amount": 7_000}),
)
BOND_QUOTA, BOND_PROJECTS = 50_000, 12

STREETS = ("北下街街道", "西大街街道", "南关街道", "城东路街道", "东大街街道", "二里岗街道", "陇海马路街道",
           "紫荆山南路街道", "航海东路街道", "商都路街道", "十八里河街道", "南曹街道", "金岱街道")
_CATEGORIES: dict[str, tuple[float, tuple[str, ...]]] = {
    # category -> (weight, units that typically carry it)
    "工业": (0.17, ("经济开发区", "经济开发区", "经济开发区", "南曹街道", "十八里河街道", "金岱街道", "圃田乡", "区工信局")),
    "道路基础设施": (0.07, ("区城建局", "区城建局", "区城建局", "经济开发区", "区城管局")),
    "房地产开发": (0.26, (*STREETS, "经济开发区", "圃田乡")),
    "城市更新": (0.15, ("区有机更新中心", "区住房保障中心", *STREETS)),
    "灾后重建": (0.06, ("区重建办", "区城管局", "区城建局", *STREETS[:6])),
    "社会民生": (0.10, ("区教育局", "区卫健委", "区文广旅局", "南曹街道", "十八里河街道", "商都路街道")),
    "生态环保": (0.05, ("区生态环境局", "区农委", "区城管局", "圃田乡")),
    "新型基础设施": (0.07, ("区工信局", "经济开发区", "商都路街道", "航海东路街道")),
    "商贸服务": (0.07, (*STREETS, "区商务局")),
}
_NAME_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "工业": (("宇通", "郑煤机", "中原", "豫发", "华润", "科达", "汇丰", "安图", "新天", "众诚"),
             ("智能制造产业园项目", "技术改造项目", "新能源装备生产基地项目", "精密制造项目", "数字化车间项目")),
    "道路基础设施": (("经开第", "南曹", "紫辰", "商都", "明鸿", "圃田", "文兴", "豫达"), ("路道路工程", "路提升改造工程", "路打通工程")),
    "房地产开发": (("正商", "建业", "康桥", "美盛", "亚星", "瑞府", "永威", "金茂", "绿都", "碧源"),
               ("城住宅项目", "府安置房项目", "苑商住项目", "广场综合体项目", "里住宅小区项目")),
    "城市更新": (("陇海路", "城东路", "东大街", "二里岗", "北下街", "西大街", "南关", "航海东路"),
             ("片区城市更新项目", "老旧小区改造项目", "城中村改造项目", "街区有机更新项目")),
    "灾后重建": (("南曹", "十八里河", "金岱", "圃田", "陇海", "紫荆山"), ("片区排水设施灾后重建工程", "河道灾后修复工程", "学校灾后修复项目")),
    "社会民生": (("管城区第", "南曹", "十八里河", "商都路", "紫荆山南路"), ("中学新建项目", "社区卫生服务中心项目", "养老服务中心项目", "小学改扩建项目")),
    "生态环保": (("七里河", "潮河", "十七里河", "金水河", "圃田泽"), ("生态治理工程", "综合整治工程", "湿地公园项目")),
    "新型基础设施": (("管城", "经开", "商都", "航海"), ("5G基站建设项目", "数据中心项目", "充电基础设施项目", "智慧城市项目")),
    "商贸服务": (("二七", "正弘", "万达", "紫荆", "商都", "金岱"), ("商业综合体项目", "物流园项目", "总部大厦项目", "文旅商业街区项目")),
}


def _split(rng: random.Random, n: int, total: int, floor: int, sigma: float = 0.8) -> list[int]:
    """``n`` positive integers >= ``floor`` summing exactly to ``total``, lognormally spread."""
    if n == 0:
        return []
    weights = [rng.lognormvariate(0, sigma) for _ in range(n)]
    spare = total - floor * n
    raw = [spare * w / sum(weights) for w in weights]
    parts = [int(x) for x in raw]
    by_remainder = sorted(range(n), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [floor + p for p in parts]


def _plans(rng: random.Random, totals: Sequence[int], plan: int) -> list[int]:
    """Annual plans summing to ``plan`` with each at most 60% of its project's total."""
    raw = [t * rng.uniform(0.08, 0.45) for t in totals]
    scale = plan / sum(raw)
    plans = [min(int(r * scale), int(t * 0.6)) for r, t in zip(raw, totals, strict=True)]
    i = 0
    while sum(plans) < plan:  # hand out what rounding and capping left, within the caps
        room = int(totals[i] * 0.6) - plans[i]
        plans[i] += min(room, plan - sum(plans))
        i = (i + 1) % len(plans)
    return plans


def _name(rng: random.Random, category: str, used: set[str]) -> str:
    heads, tails = _NAME_PARTS[category]
    for _ in range(200):
        head = rng.choice(heads)
        name = f"{head}{rng.randint(1, 12)}{rng.choice(tails)}" if head.endswith("第") else f"{head}{rng.choice(tails)}"
        if name not in used:
            break
        name = f"{name[:-2]}（{rng.choice('二三四五')}期）项目"
        if name not in used:
            break
    used.add(name)
    return name


def generate_projects(seed: int = 2022, year: int = 2022) -> pd.DataFrame:
    """The demo's project list (static fields only; monthly progress comes from ``demo_progress``)."""
    rng = random.Random(seed)
    rows: list[dict[str, Any]] = []
    used = {n[0] for n in NAMED}
    cats, cat_weights = list(_CATEGORIES), [w for w, _ in _CATEGORIES.values()]
    for (level, star, is_982), (count, total, plan) in CELLS.items():
        named = [n for n in NAMED if (n[3], n[4], n[5]) == (level, star, is_982)]
        n = count - len(named)
        floor = 3_000 if level == "区重点" else 20_000
        totals = _split(rng, n, total - sum(x[6] for x in named), floor)
        plans = _plans(rng, totals, plan - sum(x[7] for x in named))
        for name, unit, category, _lv, _st, _982, t, p, extra in named:
            rows.append({"name": name, "unit": unit, "category": category, "level": level, "star": star or None,
                         "is_982": is_982 or None, "total_investment": float(t), "annual_plan": float(p), **extra})
        for t, p in zip(totals, plans, strict=True):
            category = rng.choices(cats, cat_weights)[0]
            rows.append({"name": _name(rng, category, used), "unit": rng.choice(_CATEGORIES[category][1]),
                         "category": category, "level": level, "star": star or None, "is_982": is_982 or None,
                         "total_investment": float(t), "annual_plan": float(p)})
    rng.shuffle(rows)
    rows.sort(key=lambda r: ("省重点", "市重点", "区重点").index(r["level"]))  # stable: shuffled within a level
    _programmes(rng, rows, year)
    for i, row in enumerate(rows, start=1):
        row["seq"] = i
        row["code"] = f"{year % 100}{(i % 12) + 1:02d}-410104-04-01-{(seed * 7919 + i * 104729) % 900000 + 100000:06d}"
    _measures(random.Random(seed + 13), rows, year)
    return pd.DataFrame(rows)


# 三个一批 batch lists per round, matched to the stages _programmes gives (6 projects a round): each
# list has projects behind it, so every rate is a real fraction
_BATCHES = {1: ("投产一批", "投产一批", "投产一批", "开工一批", "签约一批", "签约一批"),
            2: ("投产一批", "开工一批", "开工一批", "开工一批", "签约一批", "投产一批"),
            3: ("开工一批", "开工一批", "签约一批", "开工一批", "签约一批", "签约一批")}
_HELD = ("控规批复、土地出让", "土地出让", "建设环境", "控规批复已完成、土地出让")
_PUBLIC = ("道路基础设施", "社会民生", "生态环保", "灾后重建", "城市更新")
FINISHED = "尚德路道路工程"  # finished this year (竣工 with investment this year)
UNCLEAR = 1  # projects whose status is typed "预备" (unknown: 应统尽统 reports it as 状态不明)
# bonds: (project, applied for, issued) in 万元; the rest applied = issued = their 额度
BOND_ISSUES = {"管城区体育中心建设项目": (10_000.0, 5_000.0), "保安里文化街区灾后修复提升改造项目": (6_000.0, 5_000.0)}


def _measures(rng: random.Random, rows: list[dict[str, Any]], year: int) -> None:
    """The fields of the plan's programme measures (issue 13), drawn from their own random stream so
    the rest of the demo stays as it was (in place)."""
    seen: dict[int, int] = {}
    for row in rows:
        row["nature"] = "新建" if row["start_year"] >= year else "续建"
        if row["nature"] == "新建":
            month = rng.randint(1, 4) if row["status"] == "在建" else rng.randint(3, 10)
            row["planned_start"] = f"{year}年{month}月"
        row["is_government"] = row["category"] in _PUBLIC or "bond_amount" in row
        if row.get("attracted"):
            row["attracted_year"] = year if rng.random() < 0.8 else year - 1
            row["industry_chain"] = row["category"] in ("工业", "新型基础设施")
        if row.get("sgyp_round"):
            r = int(row["sgyp_round"])
            i = seen[r] = seen.get(r, -1) + 1
            row["sgyp_batch"] = _BATCHES[r][i]
            row["key_links"] = rng.choice(_HELD) if row["sgyp_stage"] == "签约" else ("无" if i != 1 else None)
        if "bond_amount" in row:
            row["bond_applied"], row["bond_issued"] = BOND_ISSUES.get(row["name"], (row["bond_amount"], row["bond_amount"]))
        if row["name"] == FINISHED:
            row["status"] = "竣工"
    # the three "125" tiers each get a project brought in this year (the largest fitting ones)
    movable = [r for r in rows if r["category"] in ("工业", "新型基础设施") and r["start_year"] >= year
               and "bond_amount" not in r and not r.get("sgyp_round")]
    for low, high in ((1_000_000, None), (100_000, 1_000_000), (50_000, 100_000)):
        fits = [r for r in movable if r["total_investment"] >= low and (high is None or r["total_investment"] < high)]
        for pick in sorted(fits, key=lambda f: -f["total_investment"])[:2]:
            pick["attracted"], pick["attracted_year"], pick["industry_chain"] = True, year, True
    for row in rng.sample([r for r in rows if r["status"] == "前期" and not r.get("sgyp_round")
                           and r["total_investment"] >= 1_000], UNCLEAR):
        row["status"] = "预备"


def _programmes(rng: random.Random, rows: list[dict[str, Any]], year: int) -> None:
    """Status, years, completed-before, 三个一批, bonds and 招商引资 on the generated rows (in place)."""
    for row in rows:
        if row["category"] == "灾后重建":
            row["reconstruction"] = True
        new = row.get("start_year") == year or rng.random() < 0.3
        row.setdefault("start_year", year if new else rng.choice((2019, 2020, 2021)))
        row.setdefault("end_year", row["start_year"] + rng.choice((1, 2, 3)) if row["start_year"] < year else year + 2)
        row["end_year"] = max(row["end_year"], year)
        row["years"] = f"{row['start_year']}-{row['end_year']}"
        # about one new project in four is still in preparation and starts later in the year
        row["status"] = "前期" if new and rng.random() < 0.28 and "reconstruction" not in row else "在建"
        headroom = row["total_investment"] - row["annual_plan"]
        row["completed_before"] = 0.0 if row["start_year"] >= year else float(int(headroom * rng.uniform(0.15, 0.75)))
        row["owner"] = f"郑州{row['name'][:2]}建设有限公司" if row["category"] != "道路基础设施" else "管城区城市建设投资有限公司"
        row["scope"] = f"总建筑面积约{rng.randint(2, 40)}万平方米，建设{row['category']}相关设施"
        row["leader"] = rng.choice(("王建国", "李红梅", "张卫东", "刘志强", "陈静", "杨帆", "赵磊"))
        row["contact"] = rng.choice(("孙伟", "周洁", "吴昊", "郑琳", "冯涛", "何敏"))
        row["phone"] = f"0371-6{rng.randint(1000000, 9999999)}"
    # 18 三个一批 projects of rounds 1-3: older rounds further along
    candidates = [r for r in rows if r["category"] in ("工业", "新型基础设施", "商贸服务") and "bond_amount" not in r]
    stages = {1: ("达效", "达效", "投产", "投产", "投产", "开工"), 2: ("投产", "投产", "开工", "开工", "开工", "开工"),
              3: ("开工", "开工", "开工", "签约", "签约", "签约")}
    for i, row in enumerate(rng.sample(candidates, 18)):
        row["sgyp_round"], row["sgyp_stage"] = i // 6 + 1, stages[i // 6 + 1][i % 6]
        if row["sgyp_stage"] == "签约":
            row["status"], row["start_year"], row["completed_before"] = "前期", year, 0.0
            row["years"] = f"{year}-{row['end_year']}"
        else:
            row["status"] = "在建"
    # 12 special-bond projects share the 5 亿元 quota: the 5 named ones plus 7 public projects
    named_bonds = sum(r.get("bond_amount", 0) for r in rows)
    public = [r for r in rows if r["category"] in ("社会民生", "城市更新", "生态环保", "灾后重建")
              and "bond_amount" not in r and r["level"] == "区重点" and r["status"] == "在建" and r["total_investment"] >= 10_000]
    extra = rng.sample(public, BOND_PROJECTS - sum("bond_amount" in r for r in rows))
    for row, amount in zip(extra, _split(rng, len(extra), BOND_QUOTA - named_bonds, 1_000, 0.4), strict=True):
        row["bond_amount"] = float(amount)
    # 招商引资: new industrial and service projects signed this year
    for row in rows:
        if row["start_year"] == year and row["category"] in ("工业", "新型基础设施", "商贸服务") and rng.random() < 0.5:
            row["attracted"] = True
        row["in_stats"] = row["status"] == "在建"
