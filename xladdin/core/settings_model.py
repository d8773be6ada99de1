"""Settings as values: units, categories, targets, terms, thresholds and the 公文's particulars,
with the district's defaults.

Pure core (standard library, pydantic). The models and their defaults only: the 参数 sheet's
layout, its writer and its reader (every bad cell a finding) are ``core.settings``, which
re-exports everything here and lists it in its ``__all__``: import settings from there.
Defaults are the Guancheng Hui District's 2022 plan (../shared/domain/BRIEF.md).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from xladdin.core.fields import LEVELS, STATUSES
from xladdin.core.values import FLAG_FALSE, FLAG_TRUE

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
