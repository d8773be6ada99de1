"""Settings: units, categories, targets, thresholds and column aliases, from a 参数 sheet or defaults.

Pure core (standard library, pydantic). The 参数 sheet is a series of sections, each a title
cell like 【单位】 followed by a header row and data rows; ``settings_rows()`` writes that
layout and ``parse_settings()`` reads it back, reporting every bad cell as a finding.
Defaults are the Guancheng Hui District's 2022 plan (../shared/domain/BRIEF.md).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from xladdin.core.fields import FIELDS, LEVELS, STATUSES, UNIT_KINDS
from xladdin.core.findings import Finding, finding
from xladdin.core.sheet import SheetData
from xladdin.core.values import FLAG_FALSE, FLAG_TRUE, as_text, norm, parse_amount, parse_flag, split_list

__all__ = [
    "BondWeights",
    "CategorySpec",
    "DocumentSpec",
    "Settings",
    "TargetSpec",
    "TermSpec",
    "Thresholds",
    "UnitSpec",
    "default_settings",
    "parse_settings",
    "settings_rows",
]

SETTINGS_SHEET = "参数"
# The plan's 三、(三) ranks "经济开发区、各街道办事处": those kinds take part by default. A township
# (圃田乡) does not, unless the district says so in 参数 (参与排名 = 是): the plan does not name it.
RANKED_KINDS = ("经济开发区", "街道")
# unit kinds as offices write them -> the kind the reader knows
KIND_SYNONYMS = {"街道办事处": "街道", "办事处": "街道", "街办": "街道", "乡镇（街道）": "乡镇", "乡镇(街道)": "乡镇",
                 "开发区": "经济开发区", "高新区": "园区", "产业园区": "园区", "工业园区": "园区", "管委会": "园区",
                 "区直单位": "区直部门", "县直部门": "部门", "县直单位": "部门", "市直部门": "部门", "直属部门": "部门",
                 "委局": "部门", "单位": "部门", "县": "县区", "区": "县区", "县（市、区）": "县区", "县(市、区)": "县区",
                 "县级市": "县区", "市": "县区", "区县": "县区"}


class UnitSpec(BaseModel):
    """A reporting unit (责任单位). ``ranked`` units take part in the monthly growth ranking.

    The plan (三、(三)) ranks "经济开发区、各街道办事处", so by default exactly those are ranked; the
    district's township (圃田乡) is not named by the plan and is left out by default. Whether to
    rank it is the district's call: 参数 → 【单位】 → 参与排名 = 是 puts it in.
    """

    model_config = ConfigDict(frozen=True)
    name: str
    kind: str = "区直部门"
    aliases: tuple[str, ...] = ()
    ranked: bool = False


class CategorySpec(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    aliases: tuple[str, ...] = ()


class TargetSpec(BaseModel):
    """A growth target: ``scope`` as staff say it; ``category`` None means all FAI (全区)."""

    model_config = ConfigDict(frozen=True)
    scope: str
    category: str | None
    growth: float


class TermSpec(BaseModel):
    """A word of a vocabulary (a 项目级别, a 项目状态) with the other ways offices write it."""

    model_config = ConfigDict(frozen=True)
    name: str
    aliases: tuple[str, ...] = ()


class BondWeights(BaseModel):
    """Weights of the special-bond evaluation (plan §8): issuance, submissions, disbursement, compliance."""

    model_config = ConfigDict(frozen=True)
    issuance: float = 0.3
    quality: float = 0.2
    disbursement: float = 0.3
    compliance: float = 0.2


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True)
    stats_entry_min: float = 500.0  # 万元: projects at or above enter the FAI database (national practice)
    amount_limit: float = 10_000_000.0  # 万元 (1,000 亿元): above this a figure is surely mistyped
    tolerance: float = 0.5  # 万元: allowed rounding gap between YTD and the sum of months
    reserve_multiple: float = 3.0  # reserve >= 3 x in-construction projects in the database
    bond_quota: float = 50_000.0  # 万元: 2022 new special-bond quota (5 亿元)
    # 符合序时进度 band, in percentage points either side of the schedule. The plan has no band; 0.5 pp is
    # our default (rates are printed with one decimal, so a smaller gap would flip on rounding noise).
    schedule_band_pp: float = 0.5
    # Growth is ranked as published: rounded to this many decimals of a percent (1 → "8.5%"), so
    # units printed with the same figure share the rank.
    growth_decimals: int = 1
    # Plan §9: the reserve base is the latest year's in-construction projects in the statistics
    # database (统计库), district-wide. An input from the statistics bureau; None → 无数据.
    reserve_base_projects: float | None = None
    reserve_base_investment: float | None = None  # 万元
    backups_kept: int = 10  # dated backups of the master kept before in-place jobs
    backup_days: int = 90  # ... and how many days; the state before the latest month's consolidation is always kept


DEFAULT_UNITS: tuple[UnitSpec, ...] = (
    UnitSpec(name="经济开发区", kind="经济开发区", aliases=("园区", "开发区", "管城经济开发区", "经济开发区管委会"), ranked=True),
    *(
        UnitSpec(name=n, kind="街道", ranked=True)
        for n in (
            "北下街街道", "西大街街道", "南关街道", "城东路街道", "东大街街道", "二里岗街道", "陇海马路街道",
            "紫荆山南路街道", "航海东路街道", "商都路街道", "十八里河街道", "南曹街道", "金岱街道",
        )
    ),
    UnitSpec(name="圃田乡", kind="乡", ranked=False),
    *(
        UnitSpec(name=n, kind="区直部门", aliases=a)
        for n, a in (
            ("区发展改革委", ("区发改委", "发改委", "区发展和改革委员会")),
            ("区工信局", ("工信局", "区工业和信息化局")),
            ("区城建局", ("城建局",)),
            ("区城管局", ("城管局",)),
            ("区农委", ("农委",)),
            ("区有机更新中心", ("有机更新中心",)),
            ("区住房保障中心", ("住房保障中心", "区房管局")),
            ("区金融办", ("金融办",)),
            ("区重建办", ("重建办",)),
            ("区财政局", ("财政局",)),
            ("区自然资源局", ("自然资源局",)),
            ("区生态环境局", ("生态环境局", "区环保局")),
            ("区商务局", ("商务局",)),
            ("区政务办", ("政务办",)),
            ("区统计局", ("统计局",)),
            ("区督查室", ("督查室",)),
            ("区人社局", ("人社局",)),
            ("区考评办", ("考评办",)),
            ("区教育局", ("教育局",)),
            ("区文广旅局", ("文广旅局", "区文化广电和旅游局")),
            ("区卫健委", ("卫健委",)),
        )
    ),
)

DEFAULT_CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(name="工业", aliases=("工业投资", "工业项目", "技改", "工业技改")),
    CategorySpec(name="道路基础设施", aliases=("道路", "市政道路", "道路基础设施投资", "交通")),
    CategorySpec(name="房地产开发", aliases=("房地产", "房地产开发投资", "房地产项目")),
    CategorySpec(name="城市更新", aliases=("城市更新改造", "老旧小区改造", "有机更新")),
    CategorySpec(name="灾后重建", aliases=("灾后恢复重建",)),
    CategorySpec(name="社会民生", aliases=("民生", "社会事业", "教育卫生")),
    CategorySpec(name="生态环保", aliases=("环保", "生态", "生态环境")),
    CategorySpec(name="新型基础设施", aliases=("新基建", "新型基础设施建设")),
    CategorySpec(name="商贸服务", aliases=("服务业", "现代服务业", "商贸")),
)

DEFAULT_TARGETS: tuple[TargetSpec, ...] = (
    TargetSpec(scope="全区固定资产投资", category=None, growth=0.10),
    TargetSpec(scope="工业投资", category="工业", growth=0.08),
    TargetSpec(scope="道路基础设施投资", category="道路基础设施", growth=0.0),
    TargetSpec(scope="房地产开发投资", category="房地产开发", growth=0.07),
)


# Assumption (common practice): offices write a level as 省级 / 省重点项目 / 省级重点项目 alike; a
# county or city office adds its own (县重点, 县级重点) in 参数 【项目级别】.
DEFAULT_LEVELS: tuple[TermSpec, ...] = tuple(
    TermSpec(name=lv, aliases=(f"{lv[0]}级", f"{lv[0]}级重点", f"{lv}项目", f"{lv[0]}级重点项目", f"{lv[0]}级项目"))
    for lv in LEVELS
)
# Statuses are matched exactly, else by the longest word the text contains, so the negative and
# planned forms win over 开工. A "新开工" status is the plan's 新开工项目 (a project planned to start
# this year): not yet started until it says 已开工 or money has been spent (issue 13).
DEFAULT_STATUSES: tuple[TermSpec, ...] = (
    TermSpec(name="谋划", aliases=("储备", "谋划项目", "储备项目", "拟建")),
    TermSpec(name="前期", aliases=("前期工作", "前期项目", "未开工", "待开工", "拟开工", "计划开工",
                                   "计划新开工", "拟新开工", "新开工")),
    TermSpec(name="在建", aliases=("续建", "已新开工", "已开工", "开工", "施工", "建设中", "在建项目", "续建项目")),
    TermSpec(name="竣工", aliases=("完工", "建成", "竣工投产", "竣工项目")),
)
assert tuple(t.name for t in DEFAULT_STATUSES) == STATUSES


class DocumentSpec(BaseModel):
    """The 公文 parts of the bulletin (GB/T 9704-2012), from the 参数 sheet's 【公文】 section.

    ``number`` is the 发文字号's serial, entered by staff for each issue; None leaves a blank to
    be filled by hand ("管发改〔2022〕　号"), never a guessed number. ``signed`` is the 成文日期
    as text ("2022年7月10日"); None derives it from the period (the month after, no day).
    Assumption (plan silent): the district 发展改革委 issues the bulletin to the units it ranks
    and the district departments, copies the district leaders, and prints it itself.
    """

    model_config = ConfigDict(frozen=True)
    issuer: str = "管城回族区发展和改革委员会"
    abbreviation: str = "管发改"
    number: int | None = None
    recipients: str = "经济开发区管委会，各街道办事处、圃田乡人民政府，区直有关部门"
    copies: str = "区委办公室，区人大常委会办公室，区政府办公室，区政协办公室"
    printer: str = "管城回族区发展和改革委员会办公室"
    signed: str | None = None


class Settings(BaseModel):
    """Everything staff may change without touching code. Frozen: build a new one to change."""

    model_config = ConfigDict(frozen=True)
    year: int = 2022
    units: tuple[UnitSpec, ...] = DEFAULT_UNITS
    categories: tuple[CategorySpec, ...] = DEFAULT_CATEGORIES
    targets: tuple[TargetSpec, ...] = DEFAULT_TARGETS
    thresholds: Thresholds = Field(default_factory=Thresholds)
    bond_weights: BondWeights = Field(default_factory=BondWeights)
    column_aliases: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    levels: tuple[TermSpec, ...] = DEFAULT_LEVELS
    statuses: tuple[TermSpec, ...] = DEFAULT_STATUSES
    flag_true: tuple[str, ...] = FLAG_TRUE
    flag_false: tuple[str, ...] = FLAG_FALSE
    ledger_unit: str | None = None  # the unit of a unit's own ledger without a 责任单位 column
    document: DocumentSpec = Field(default_factory=DocumentSpec)
    source: str = "defaults"

    @property
    def level_names(self) -> list[str]:
        return [t.name for t in self.levels]

    @property
    def status_names(self) -> list[str]:
        return [t.name for t in self.statuses]

    @property
    def unit_names(self) -> list[str]:
        return [u.name for u in self.units]

    @property
    def ranked_units(self) -> list[str]:
        return [u.name for u in self.units if u.ranked]

    @property
    def category_names(self) -> list[str]:
        return [c.name for c in self.categories]


def default_settings() -> Settings:
    return Settings()


# ---- the 参数 sheet layout -------------------------------------------------------------------

_PARAMS: tuple[tuple[str, str, str], ...] = (
    # (Chinese key, attribute path, note)
    ("年度", "year", "台账所属年度"),
    ("入库标准（万元）", "thresholds.stats_entry_min", "总投资达到此数的在建项目应入库纳统"),
    ("金额上限（万元）", "thresholds.amount_limit", "单项金额超过此数视为填写错误"),
    ("累计核对容差（万元）", "thresholds.tolerance", "本年累计与各月之和允许的误差"),
    ("储备倍数", "thresholds.reserve_multiple", "储备项目个数和总投资应达到在库在建项目的倍数"),
    ("专项债额度（万元）", "thresholds.bond_quota", "本年新增专项债额度"),
    ("序时进度容差（百分点）", "thresholds.schedule_band_pp", "完成率与序时进度相差不超过此数视为符合序时进度"),
    ("增速排名保留小数位", "thresholds.growth_decimals", "增速按通报显示的百分数（保留此位数小数）排名，显示相同即并列"),
    ("统计库在建项目个数", "thresholds.reserve_base_projects", "最近年度在建项目纳入统计库个数（区统计局提供；空为无数据）"),
    ("统计库在建项目总投资（万元）", "thresholds.reserve_base_investment", "最近年度在建项目纳入统计库总投资（空为无数据）"),
    ("备份保留份数", "thresholds.backups_kept", "每次修改主台账前备份，保留最近几份（最近一次月度汇总前的备份始终保留）"),
    ("备份保留天数", "thresholds.backup_days", "超过此天数的备份删除（最近一次月度汇总前的备份始终保留）"),
    ("专项债权重-发行规模", "bond_weights.issuance", "专项债考核评价权重"),
    ("专项债权重-报送质量", "bond_weights.quality", "专项债考核评价权重"),
    ("专项债权重-支出进度", "bond_weights.disbursement", "专项债考核评价权重"),
    ("专项债权重-规范性", "bond_weights.compliance", "专项债考核评价权重"),
    ("本台账单位", "ledger_unit", "一个单位自己的台账没有责任单位列、标题中也没写填报单位时，填该单位名称"),
)
_OPTIONAL = frozenset({"thresholds.reserve_base_projects", "thresholds.reserve_base_investment"})  # blank = 无数据
_SECTION_UNITS, _SECTION_CATS, _SECTION_TARGETS, _SECTION_PARAMS, _SECTION_ALIASES = (
    "【单位】", "【行业类别】", "【增长目标】", "【参数】", "【列名别名】",
)
_SECTION_LEVELS, _SECTION_STATUSES, _SECTION_FLAGS = "【项目级别】", "【项目状态】", "【是否】"
_SECTION_DOC = "【公文】"
_DOC_ITEMS: tuple[tuple[str, str, str], ...] = (
    # (Chinese key, DocumentSpec attribute, note)
    ("发文机关", "issuer", "发文机关全称，用于发文机关署名和版记"),
    ("机关代字", "abbreviation", "发文字号中的机关代字，如 管发改"),
    ("发文序号", "number", "每期通报填写本期序号；空着则发文字号留空待填"),
    ("主送机关", "recipients", "主送单位，用逗号、顿号分隔"),
    ("抄送机关", "copies", "版记中的抄送单位"),
    ("印发机关", "printer", "版记中的印发机关"),
    ("成文日期", "signed", "如 2022年7月10日；空着则为统计期次的次月"),
)


def _get(obj: Any, path: str) -> Any:
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def settings_rows(settings: Settings | None = None) -> list[list[Any]]:
    """The 参数 sheet as rows (section title, header, data; a blank row between sections)."""
    s = settings or default_settings()
    rows: list[list[Any]] = [["参数设置（修改后重新运行即生效；每节以【】标题开头，请勿改动标题和表头）"], []]
    rows += [[_SECTION_UNITS], ["单位名称", "类型", "别名（用、分隔）", "参与排名"]]
    rows += [[u.name, u.kind, "、".join(u.aliases), "是" if u.ranked else "否"] for u in s.units]
    rows += [[], [_SECTION_CATS], ["类别", "别名（用、分隔）"]]
    rows += [[c.name, "、".join(c.aliases)] for c in s.categories]
    rows += [[], [_SECTION_TARGETS], ["口径", "对应类别（空为全部）", "目标增速"]]
    rows += [[t.scope, t.category or "", t.growth] for t in s.targets]
    rows += [[], [_SECTION_PARAMS], ["参数", "值", "说明"]]
    rows += [[k, _get(s, path), note] for k, path, note in _PARAMS]
    rows += [[], [_SECTION_ALIASES], ["字段", "别名（用、分隔）"]]
    rows += [[f.label, "、".join(s.column_aliases.get(f.key, ()))] for f in FIELDS if f.kind != "text" or f.required]
    rows += [[], [_SECTION_LEVELS], ["项目级别", "其他写法（用、分隔）"]]
    rows += [[t.name, "、".join(t.aliases)] for t in s.levels]
    rows += [[], [_SECTION_STATUSES], ["项目状态", "其他写法（用、分隔）"]]
    rows += [[t.name, "、".join(t.aliases)] for t in s.statuses]
    rows += [[], [_SECTION_FLAGS], ["含义", "写法（用、分隔；以这些词开头的文字按其含义读取）"]]
    rows += [["是", "、".join(s.flag_true)], ["否", "、".join(s.flag_false)]]
    rows += [[], [_SECTION_DOC], ["项目", "内容", "说明"]]
    rows += [[k, getattr(s.document, attr), note] for k, attr, note in _DOC_ITEMS]
    return rows


def parse_settings(sheet: SheetData) -> tuple[Settings, list[Finding]]:
    """Read a 参数 sheet. Sections absent keep their defaults; bad cells become findings."""
    findings: list[Finding] = []
    base = default_settings()

    def bad(row: int, col: int, value: Any, reason: str) -> None:
        findings.append(finding("bad-setting", sheet=sheet.name, row=row, column=col, field="参数", value=value, reason=reason))

    sections: dict[str, list[tuple[int, list[Any]]]] = {}
    current: str | None = None
    skip_header = False
    for r in range(1, sheet.max_row + 1):
        row = sheet.rows[r - 1]
        first = norm(row[0]) if row else ""
        if first.startswith("【") and first.endswith("】"):
            current, skip_header = first, True
            sections[current] = []
            continue
        if current is None or all(as_text(v) is None for v in row):
            continue
        if skip_header:
            skip_header = False
            continue
        sections[current].append((r, list(row) + [None] * 4))

    update: dict[str, Any] = {"source": sheet.name}
    if _SECTION_UNITS in sections:
        units: list[UnitSpec] = []
        for r, row in sections[_SECTION_UNITS]:
            name = as_text(row[0])
            if not name:
                bad(r, 1, row[0], "单位名称不能为空")
                continue
            kind = norm(row[1]) or "区直部门"
            kind = KIND_SYNONYMS.get(kind, kind)
            if kind not in UNIT_KINDS:
                bad(r, 2, row[1], f"单位类型应为 {'、'.join(UNIT_KINDS)} 之一，暂按区直部门处理")
                kind = "区直部门"
            ranked = _flag_cell(row[3], kind in RANKED_KINDS, r, bad)
            units.append(UnitSpec(name=norm(name), kind=kind, aliases=split_list(row[2]), ranked=ranked))
        if units:
            update["units"] = tuple(units)
    if _SECTION_CATS in sections:
        cats = [CategorySpec(name=norm(row[0]), aliases=split_list(row[1])) for _r, row in sections[_SECTION_CATS] if as_text(row[0])]
        if cats:
            update["categories"] = tuple(cats)
    if _SECTION_TARGETS in sections:
        targets: list[TargetSpec] = []
        for r, row in sections[_SECTION_TARGETS]:
            growth = _rate(row[2])
            if growth is None:
                bad(r, 3, row[2], "目标增速应为百分数或小数，如 10% 或 0.1")
                continue
            targets.append(TargetSpec(scope=norm(row[0]), category=as_text(row[1]), growth=growth))
        if targets:
            update["targets"] = tuple(targets)
    nested: dict[str, dict[str, Any]] = {"thresholds": {}, "bond_weights": {}}
    if _SECTION_PARAMS in sections:
        known = {norm(k): path for k, path, _ in _PARAMS}
        for r, row in sections[_SECTION_PARAMS]:
            key = norm(row[0])
            if key not in known:
                bad(r, 1, row[0], "未知参数名")
                continue
            if known[key] == "ledger_unit":
                update["ledger_unit"] = as_text(row[1])
                continue
            try:
                number = parse_amount(row[1])
            except ValueError:
                number = None
            path = known[key]
            if number is None and path in _OPTIONAL:
                group, attr = path.split(".")
                nested[group][attr] = None
                continue
            if number is None or number < 0:
                bad(r, 2, row[1], "参数值应为非负数字")
                continue
            if path == "year":
                update["year"] = int(number)
            else:
                group, attr = path.split(".")
                nested[group][attr] = int(number) if attr in ("backups_kept", "backup_days", "growth_decimals") else number
    for group, values in nested.items():
        if values:
            update[group] = getattr(base, group).model_copy(update=values)
    if _SECTION_ALIASES in sections:
        by_label = {norm(f.label): f.key for f in FIELDS}
        aliases: dict[str, tuple[str, ...]] = {}
        for r, row in sections[_SECTION_ALIASES]:
            field_key = by_label.get(norm(row[0]))
            if field_key is None:
                bad(r, 1, row[0], "字段名不在台账字段中")
                continue
            if split_list(row[1]):
                aliases[field_key] = split_list(row[1])
        update["column_aliases"] = aliases
    for title, attr in ((_SECTION_LEVELS, "levels"), (_SECTION_STATUSES, "statuses")):
        if title in sections:
            terms = [TermSpec(name=norm(row[0]), aliases=split_list(row[1]))
                     for _r, row in sections[title] if as_text(row[0])]
            if terms:
                update[attr] = tuple(terms)
    if _SECTION_FLAGS in sections:
        for r, row in sections[_SECTION_FLAGS]:
            meaning = norm(row[0])
            if meaning not in ("是", "否"):
                bad(r, 1, row[0], "【是否】一节每行第一格应为“是”或“否”")
                continue
            words = tuple(w for w in (norm(p).lower() for p in re.split(r"[、,，;；\n]+", as_text(row[1]) or "")) if w)
            if words:
                update["flag_true" if meaning == "是" else "flag_false"] = words
    if _SECTION_DOC in sections:
        update["document"] = _document(sections[_SECTION_DOC], base.document, bad)
    return base.model_copy(update=update), findings


def _document(rows: list[tuple[int, list[Any]]], base: DocumentSpec,
              bad: Callable[[int, int, Any, str], None]) -> DocumentSpec:
    """The 【公文】 section; a blank 发文序号 or 成文日期 stays blank (see ``DocumentSpec``)."""
    known = {norm(k): attr for k, attr, _ in _DOC_ITEMS}
    values: dict[str, Any] = {"number": None, "signed": None}
    for r, row in rows:
        attr = known.get(norm(row[0]))
        if attr is None:
            bad(r, 1, row[0], "未知公文项目名")
            continue
        if attr == "number":
            try:
                number = parse_amount(row[1])
            except ValueError:
                number = None
            if row[1] not in (None, "") and (number is None or number < 0 or number != int(number)):
                bad(r, 2, row[1], "发文序号应为正整数")
                continue
            values[attr] = None if number is None else int(number)
        else:
            values[attr] = as_text(row[1]) or (None if attr == "signed" else getattr(base, attr))
    return base.model_copy(update=values)


def _flag_cell(value: Any, default: bool, row: int, bad: Callable[[int, int, Any, str], None]) -> bool:
    try:
        flag = parse_flag(value)
    except ValueError:
        bad(row, 4, value, "参与排名应填“是”或“否”")
        return default
    return default if flag is None else flag


def _rate(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = norm(value)
    try:
        if text.endswith("%"):
            return float(text[:-1]) / 100
        return float(text) if text else None
    except ValueError:
        return None
