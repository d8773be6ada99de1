"""The ledger's field catalogue: canonical field keys, Chinese headers, kinds and default aliases.

Pure core (standard library only). Every other module names ledger columns by these keys;
the Chinese header is what templates write and what the reader matches first. Amount
fields are in 万元 (10^4 CNY); a header marked (亿元) is converted on reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "AMOUNT_FIELDS",
    "EXTRA_FIELDS",
    "FIELDS",
    "FIELD_BY_KEY",
    "KEY_LINKS",
    "LEVELS",
    "MONTH_FIELDS",
    "NATURES",
    "READER_FIELDS",
    "REQUIRED_FIELDS",
    "SGYP_BATCHES",
    "SGYP_STAGES",
    "STATS_FIELDS",
    "STATUSES",
    "UNIT_KINDS",
    "Field",
    "month_field",
]

Kind = Literal["text", "amount", "flag", "int", "choice"]

LEVELS: tuple[str, ...] = ("省重点", "市重点", "区重点")
STATUSES: tuple[str, ...] = ("谋划", "前期", "在建", "竣工")
# 三个一批 stages in their natural order: a project signs, starts, produces, then reaches output.
SGYP_STAGES: tuple[str, ...] = ("签约", "开工", "投产", "达效")
UNIT_KINDS: tuple[str, ...] = ("经济开发区", "园区", "街道", "乡", "镇", "乡镇", "区直部门", "部门", "县区")
# 三个一批 batches (plan §6): each project is on one list per round; each rate is taken over its own list.
SGYP_BATCHES: tuple[str, ...] = ("签约一批", "开工一批", "投产一批")
# 三个一批 key links (plan §6 "控规批复、土地出让、建设环境等关键环节").
KEY_LINKS: tuple[str, ...] = ("控规批复", "土地出让", "建设环境")
NATURES: tuple[str, ...] = ("新建", "续建")


@dataclass(frozen=True)
class Field:
    """One ledger column: ``key`` for code, ``label`` for staff, ``aliases`` for the reader."""

    key: str
    label: str
    kind: Kind
    aliases: tuple[str, ...] = ()
    required: bool = False
    width: float = 12.0


def month_field(month: int) -> str:
    """Field key of the monthly completed-investment column for ``month`` (1..12)."""
    return f"m{month:02d}"


_BASE: tuple[Field, ...] = (
    Field("seq", "序号", "int", ("编号", "序"), width=6),
    Field("name", "项目名称", "text", ("项目", "名称", "建设项目名称", "项目名"), required=True, width=32),
    Field("code", "项目编码", "text", ("项目代码", "编码", "代码", "项目编号", "统一项目代码"), required=True, width=22),
    Field("owner", "建设单位", "text", ("项目单位", "业主单位", "建设主体", "项目业主", "业主名称", "项目业主单位",
                                        "项目(法人)单位", "项目法人", "项目法人单位", "企业名称", "主投单位",
                                        "业主单位或筹办单位", "建设单位及责任人", "业主"), width=20),
    Field("unit", "责任单位", "text", ("报送单位", "属地单位", "主管单位", "牵头单位", "单位", "挂钩责任单位",
                                       "市或县挂钩责任单位", "县挂钩责任单位", "包抓单位", "包联单位", "属地", "责任主体",
                                       "项目责任单位", "责任部门", "牵头部门", "主管部门", "二级责任部门", "分管局委",
                                       "所属街道", "归属街道", "所属乡镇", "所在乡镇", "所在街道", "乡镇街道",
                                       "责任乡镇", "责任街道", "包抓部门", "挂包单位", "属地责任单位"),
          required=True, width=14),
    Field("category", "行业类别", "text", ("类别", "行业", "项目类别", "投资类别", "领域", "项目类型", "产业类别", "所属行业", "行业类别名称"), width=12),
    Field("level", "项目级别", "text", ("级别", "重点级别", "项目层级", "项目等级", "重点项目级别"), required=True, width=10),
    Field("star", "攻坚星级", "flag", ("星级", "攻坚星级项目", "是否攻坚星级"), width=9),
    Field("is_982", "982工程", "flag", ('"982"工程', "“982”工程", "补短板982", "补短板“982”工程", "是否982"), width=9),
    Field("sgyp_round", "三个一批期次", "int", ("三个一批期数", "期次"), width=10),
    Field("sgyp_stage", "三个一批阶段", "text", ("三个一批", "阶段"), width=10),
    Field("bond_amount", "专项债额度", "amount", ("专项债", "专项债券额度", "专项债金额", "债券额度", "专项债券"), width=12),
    Field("bond_disbursed", "专项债已支出", "amount", ("专项债支出", "债券资金支出", "专项债券已支出", "已支出专项债"), width=12),
    Field("reconstruction", "灾后重建", "flag", ("是否灾后重建", "灾后重建项目"), width=9),
    Field("attracted", "招商引资", "flag", ("招商引资项目", "是否招商引资", "本年招商引资"), width=9),
    Field("start_year", "开工年份", "int", ("建设起始年", "开工年", "起始年份"), width=9),
    Field("end_year", "竣工年份", "int", ("建设结束年", "竣工年", "完工年份"), width=9),
    Field("years", "建设起止年限", "text", ("建设年限", "起止年限", "建设周期", "项目工期", "建设起止时间", "建设起止年月"), width=12),
    Field("scope", "建设内容及规模", "text", ("建设规模及内容", "建设内容", "主要建设内容", "主要建设内容及规模", "总建设规模和建设内容",
                                                 "建设内容和规模", "项目内容"), width=36),
    Field("status", "项目状态", "text", ("状态", "建设状态", "项目阶段"), width=9),
    Field("total_investment", "总投资", "amount", ("项目总投资", "计划总投资", "总投资额", "项目总投资额",
                                                   "项目预估总投资", "估算总投资", "概算总投资"), required=True, width=12),
    # "累计完成投资" alone, or with a past year ("2009年累计完成投资"), is what was done before this year;
    # cumulative since the start (开工累计, 自开工累计) is a different figure: ``since_start``.
    Field("completed_before", "截至上年底累计完成", "amount", ("上年底累计完成", "以前年度完成", "累计完成投资", "截至上年底完成",
                                                           "至上年底累计完成", "到上年底累计完成", "开工至上年底累计完成",
                                                           "开工至上一年度底累计完成", "截至上年末累计完成"), width=14),
    Field("annual_plan", "年度计划投资", "amount", ("年度计划", "计划投资", "本年计划投资", "年度投资计划", "年计划",
                                                    "本年度计划投资", "本年度投资计划", "本年投资计划", "年度计划投资额",
                                                    "全年计划投资", "全年计划投资金额", "本年计划完成投资", "年度计划完成投资",
                                                    "计划完成投资", "计划投资额"), required=True, width=12),
)

MONTH_FIELDS: tuple[Field, ...] = tuple(
    Field(month_field(m), f"{m}月", "amount", (f"{m}月完成", f"{m}月份", f"{m}月完成投资"), width=9)
    for m in range(1, 13)
)

_TAIL: tuple[Field, ...] = (
    Field("month_current", "当月完成", "amount", ("当月", "本月完成", "本月", "当月完成投资", "当月已完成投资", "当月已完成", "本月完成投资",
                                                    "月完成投资"), width=10),
    Field("ytd", "本年累计完成", "amount", ("累计完成", "累计", "本年完成", "年度累计完成", "完成投资", "累计完成投资额",
                                            "本年累计完成投资", "本年度累计完成", "本年度累计完成投资", "本年度累计完成投资额度",
                                            "本年度累计完成投资额", "本年累计完成投资额", "本年度完成投资", "本年完成投资",
                                            "年度累计完成投资", "已完成投资", "实际完成投资", "累计完成投资额度",
                                            "本年度投资计划完成情况", "本年上报投资", "年度完成投资", "全年完成投资"), width=12),
    Field("completion_rate", "完成率", "text", ("年度完成率", "完成比例", "投资完成率", "年度投资完成率", "完成投资占年计划",
                                                "完成年度投资计划", "投资完成比例", "完成比例%", "完成投资占年计划%"), width=8),
    Field("progress_text", "形象进度", "text", ("工程进度", "进展情况", "项目进展", "形象进度情况", "实际形象进度",
                                               "工程形象进度", "项目建设形象进度", "目前项目建设形象进度", "现阶段进度",
                                               "实物工程量"), width=30),
    Field("problems", "存在问题", "text", ("存在的问题", "问题", "困难问题", "存在困难和问题", "项目建设中存在问题",
                                          "项目建设中存在的问题", "需协调解决问题", "需协调解决的问题", "具体问题"), width=24),
    Field("in_stats", "是否入库", "flag", ("入库", "是否纳统", "纳统", "已入库", "入统", "入库状态", "是否入统",
                                          "纳统情况", "入库情况"), width=8),
    Field("leader", "分包领导", "text", ("包联领导", "分管领导", "责任领导", "挂点领导", "挂钩领导", "市挂钩领导", "县挂钩领导",
                                        "包抓领导", "联系领导"), width=10),
    Field("contact", "联系人", "text", ("项目联系人",), width=10),
    Field("phone", "联系电话", "text", ("电话", "联系方式"), width=14),
)

# Fields the plan's programme measures need (issue 13). All optional: a ledger without one of them
# gives 无数据 for the measure that needs it, never a pass. Appended after the original columns so
# existing ledgers and templates keep their column letters.
_PROGRAMMES: tuple[Field, ...] = (
    Field("nature", "建设性质", "text", ("新建续建", "建设类型", "新建/续建", "项目性质"), width=9),
    Field("planned_start", "计划开工时间", "text", ("计划开工日期", "拟开工时间", "计划开工月份", "计划开工"), width=11),
    Field("is_government", "政府投资", "flag", ("是否政府投资", "政府投资项目", "是否政府投资项目"), width=9),
    Field("attracted_year", "招商引资年度", "int", ("引进年度", "招商引资年份", "签约年度", "引进年份", "招商年度"), width=10),
    Field("industry_chain", "主导产业链", "flag", ("是否主导产业链", "主导产业链项目", "是否主导产业链项目", "产业链项目"), width=9),
    Field("sgyp_batch", "三个一批批次", "text", ("三个一批类别", "一批类别", "批次"), width=10),
    Field("key_links", "关键环节状态", "text", ("关键环节", "卡点环节", "受阻环节", "关键环节未完成"), width=18),
    Field("bond_applied", "专项债申请额度", "amount", ("专项债申请", "申请专项债", "债券申请额度", "专项债券申请额度"), width=12),
    Field("bond_issued", "专项债已发行", "amount", ("专项债发行", "已发行专项债", "债券已发行", "专项债券已发行"), width=12),
)

FIELDS: tuple[Field, ...] = _BASE + MONTH_FIELDS + _TAIL + _PROGRAMMES
# Read when present, never written by the templates: figures real ledgers carry that no job uses.
EXTRA_FIELDS: tuple[Field, ...] = (
    Field("since_start", "自开工累计完成", "amount", ("自开工累计完成投资", "开工以来累计完成", "开工以来累计完成投资",
                                                    "开工累计完成", "开工累计完成投资", "项目累计投资", "自开工以来累计完成",
                                                    "开工至今累计完成", "开工至今累计完成投资", "自开工累计", "开工以来累计"),
          width=12),
    Field("remarks", "备注", "text", ("说明", "备注说明", "其他"), width=16),
)
READER_FIELDS: tuple[Field, ...] = FIELDS + EXTRA_FIELDS
FIELD_BY_KEY: dict[str, Field] = {f.key: f for f in READER_FIELDS}
AMOUNT_FIELDS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.kind == "amount")
REQUIRED_FIELDS: tuple[str, ...] = tuple(f.key for f in FIELDS if f.required)

# 单位统计 (statistics bureau figures): one row per (month, subject); subject is a reporting
# unit, 全区, or a target scope (工业/道路基础设施/房地产开发). Amounts in 万元.
STATS_FIELDS: tuple[Field, ...] = (
    Field("month", "月份", "int", ("统计月份", "月"), required=True, width=8),
    Field("subject", "统计对象", "text", ("单位", "单位名称", "口径", "责任单位"), required=True, width=16),
    Field("ytd", "本年累计", "amount", ("本年累计完成", "累计完成", "本年1-M月累计", "固定资产投资累计"), required=True, width=14),
    Field("ytd_last_year", "上年同期累计", "amount", ("上年同期", "去年同期", "上年同期完成"), width=14),
    Field("annual_target", "年度目标", "amount", ("年度目标任务", "目标任务", "年度任务"), width=12),
)
