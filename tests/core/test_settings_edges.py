"""Every error branch of the 参数 sheet reader, with the value just inside the rule beside it (issue 19).

Small 参数 sheets written by hand; findings asserted as whole records (code, severity, cell, value,
message). The message is "参数表：{reason}（现为“{value}”）。" for every bad cell.
"""

from __future__ import annotations

from typing import Any

from xladdin.core.settings import Settings, parse_settings
from xladdin.core.sheet import SheetData

Record = tuple[str, str, str, str, str, str]


def read(*rows: list[Any]) -> tuple[Settings, list[Record]]:
    settings, found = parse_settings(SheetData("参数", [list(r) for r in rows]))
    return settings, [(f.code, f.severity, f.sheet, f.cell, f.value, f.message) for f in found]


def bad(cell: str, value: str, reason: str) -> Record:
    return ("bad-setting", "error", "参数", cell, value, f"参数表：{reason}（现为“{value}”）。")


PARAMS = [["【参数】"], ["参数", "值", "说明"]]


def test_threshold_zero_is_allowed_and_below_zero_is_not() -> None:
    settings, found = read(*PARAMS, ["入库标准（万元）", 0])
    assert found == [] and settings.thresholds.stats_entry_min == 0.0
    settings, found = read(*PARAMS, ["入库标准（万元）", -0.01])
    assert found == [bad("B3", "-0.01", "参数值应为非负数字")]
    assert settings.thresholds.stats_entry_min == 500.0  # the default is kept


def test_parameter_values_text_blank_and_unknown_names() -> None:
    settings, found = read(*PARAMS, ["累计核对容差（万元）", "一点五"], ["金额上限（万元）", None], ["不存在的参数", 3],
                           ["序时进度容差（百分点）", "1"])
    assert found == [bad("B3", "一点五", "参数值应为非负数字"), bad("B4", "", "参数值应为非负数字"),
                     bad("A5", "不存在的参数", "未知参数名")]
    assert settings.thresholds.tolerance == 0.5 and settings.thresholds.amount_limit == 10_000_000.0
    assert settings.thresholds.schedule_band_pp == 1.0


def test_optional_parameters_blank_mean_no_data_and_integers_are_integers() -> None:
    settings, found = read(*PARAMS, ["统计库在建项目个数", None], ["统计库在建项目总投资（万元）", 1200],
                           ["年度", "2023"], ["备份保留份数", 3.0], ["增速排名保留小数位", 2])
    assert found == []
    assert settings.thresholds.reserve_base_projects is None
    assert settings.thresholds.reserve_base_investment == 1200.0
    assert settings.year == 2023 and type(settings.year) is int
    assert settings.thresholds.backups_kept == 3 and type(settings.thresholds.backups_kept) is int
    assert settings.thresholds.growth_decimals == 2 and type(settings.thresholds.growth_decimals) is int


def test_ledger_unit_is_text() -> None:
    settings, found = read(*PARAMS, ["本台账单位", " 南曹街道 "])
    assert found == [] and settings.ledger_unit == "南曹街道"


UNITS = [["【单位】"], ["单位名称", "类型", "别名（用、分隔）", "参与排名"]]


def test_unit_rows() -> None:
    settings, found = read(*UNITS, ["南曹街道", "街道", "南曹、南曹办", "是"], [None, "街道", None, None],
                           ["某社区", "社区", None, None], ["区财政局", "部门", None, "参与"], ["某乡", "乡", None, None])
    assert found == [bad("A4", "", "单位名称不能为空"),
                     bad("B5", "社区", "单位类型应为 经济开发区、园区、街道、乡、镇、乡镇、区直部门、部门、县区 之一，暂按区直部门处理"),
                     bad("D6", "参与", "参与排名应填“是”或“否”")]
    by_name = {u.name: u for u in settings.units}
    assert list(by_name) == ["南曹街道", "某社区", "区财政局", "某乡"]
    assert by_name["南曹街道"].aliases == ("南曹", "南曹办") and by_name["南曹街道"].ranked is True
    assert (by_name["某社区"].kind, by_name["某社区"].ranked) == ("区直部门", False)
    assert by_name["区财政局"].ranked is False  # a bad 参与排名 keeps the kind's default


def test_target_growth_as_percent_decimal_or_bad() -> None:
    settings, found = read(["【增长目标】"], ["口径", "对应类别（空为全部）", "目标增速"], ["全区固定资产投资", None, "10%"],
                           ["工业投资", "工业", 0.08], ["道路基础设施投资", "道路基础设施", "0"], ["房地产开发投资", "房地产开发", "约7%"],
                           ["社会民生投资", "社会民生", None])
    assert found == [bad("C6", "约7%", "目标增速应为百分数或小数，如 10% 或 0.1"),
                     bad("C7", "", "目标增速应为百分数或小数，如 10% 或 0.1")]
    assert [(t.scope, t.category, t.growth) for t in settings.targets] == [
        ("全区固定资产投资", None, 0.1), ("工业投资", "工业", 0.08), ("道路基础设施投资", "道路基础设施", 0.0)]


def test_alias_rows_name_a_ledger_field() -> None:
    settings, found = read(["【列名别名】"], ["字段", "别名（用、分隔）"], ["总投资", "计划总投资额、总投资(万元)"],
                           ["不存在的字段", "x"], ["年度计划投资", None])
    assert found == [bad("A4", "不存在的字段", "字段名不在台账字段中")]
    assert settings.column_aliases == {"total_investment": ("计划总投资额", "总投资(万元)")}


def test_flag_words_rows_are_yes_or_no() -> None:
    settings, found = read(["【是否】"], ["含义", "写法"], ["是", "是、Y、已入"], ["也许", "或许"], ["否", None])
    assert found == [bad("A4", "也许", "【是否】一节每行第一格应为“是”或“否”")]
    assert settings.flag_true == ("是", "y", "已入")
    assert settings.flag_false == Settings().flag_false  # a blank list keeps the defaults
