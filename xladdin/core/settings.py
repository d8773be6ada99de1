"""Settings: units, categories, targets, thresholds and column aliases, from a 参数 sheet or defaults.

Pure core (standard library, pydantic). The 参数 sheet is a series of sections, each a title
cell like 【单位】 followed by a header row and data rows; ``settings_rows()`` writes that
layout and ``parse_settings()`` reads it back, reporting every bad cell as a finding. The
models and the defaults (the Guancheng Hui District's 2022 plan, ../shared/domain/BRIEF.md)
live in ``core.settings_model`` and are re-exported here, so ``core.settings`` stays the one
name to import settings from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from xladdin.core.fields import FIELDS, UNIT_KINDS
from xladdin.core.findings import Finding, finding
from xladdin.core.settings_model import (
    DEFAULT_CATEGORIES,
    DEFAULT_LEVELS,
    DEFAULT_STATUSES,
    DEFAULT_TARGETS,
    DEFAULT_UNITS,
    KIND_SYNONYMS,
    RANKED_KINDS,
    SETTINGS_SHEET,
    BondWeights,
    CategorySpec,
    DocumentSpec,
    Settings,
    TargetSpec,
    TermSpec,
    Thresholds,
    UnitSpec,
    default_settings,
)
from xladdin.core.sheet import SheetData
from xladdin.core.values import as_text, norm, parse_amount, parse_flag, split_list

__all__ = [
    "DEFAULT_CATEGORIES",
    "DEFAULT_LEVELS",
    "DEFAULT_STATUSES",
    "DEFAULT_TARGETS",
    "DEFAULT_UNITS",
    "KIND_SYNONYMS",
    "RANKED_KINDS",
    "SETTINGS_SHEET",
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
