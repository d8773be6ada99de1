"""Findings: problems in cells as data (a frozen record per problem) and the report of a run.

Pure core: imports only the standard library and pydantic. Messages are rendered once,
in Chinese, from the template registered with each code, so every code has one wording.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from xladdin.core.sheet import column_letter

__all__ = ["CODES", "SEVERITY_LABELS", "Finding", "Report", "Severity", "column_letter", "finding", "grouped_lines"]

Severity = Literal["error", "warning"]
SEVERITY_LABELS: dict[str, str] = {"error": "错误", "warning": "警告"}

# code -> (severity, title, message template). Templates use str.format fields.
CODES: dict[str, tuple[Severity, str, str]] = {
    "missing-value": ("error", "必填项为空", "“{label}”为必填项，请填写。"),
    "unknown-unit": ("error", "责任单位不在名单中", "责任单位“{value}”不在单位名单中{hint}。"),
    "unknown-category": ("warning", "行业类别不在名单中", "行业类别“{value}”不在类别名单中{hint}。"),
    "unknown-level": ("error", "项目级别无法识别", "项目级别“{value}”无法识别{hint}。"),
    "unknown-status": ("warning", "项目状态无法识别", "项目状态“{value}”无法识别{hint}。"),
    "bad-flag": ("warning", "是/否栏填写不规范",
                 "“{label}”应填“是”或“否”（或以参数表【是否】中的词开头），现为“{value}”，按未填处理。"),
    # the reader's account of the sheet's columns and periods
    "unknown-column": ("warning", "列未识别",
                       "列“{value}”含 {limit} 个数字，但无法识别是哪个字段，未参与计算；{hint}，或运行 xladdin inspect 查看。"),
    "duplicate-column": ("warning", "重复的列", "列“{value}”与 {other} 列同为“{label}”，只读取了 {other} 列，本列未参与计算。"),
    "missing-column": ("warning", "缺少列", "台账没有“{label}”列{reason}。"),
    "heading-sum": ("error", "分组小计与项目合计不符",
                    "分组“{value}”的“{label}”为 {limit} 万元，其下 {reason} 个项目合计 {other} 万元，不一致。"),
    "heading-count": ("warning", "分组项目个数不符", "分组“{value}”标明 {limit} 个项目，其下实际有 {other} 个。"),
    "code-as-number": ("error", "项目编码以数字保存已失真",
                       "项目编码以数字保存（现为 {value}），Excel 只保留 15 位有效数字，后面的位数已丢失；"
                       "请把该列设为“文本”格式，按原编码重新录入。"),
    "merged-amount": ("warning", "金额单元格跨项目合并",
                      "“{label}”单元格合并了 {value} 个项目的行（{reason}），只计入第一个项目，其余项目此项为空；"
                      "请取消合并，逐个项目填写。"),
    "period-missing": ("error", "缺少本期数据",
                       "台账没有 {label} 的完成投资数（无月份列，也无“{label}累计”或本年累计列），本期完成投资无法计算，未按 0 计。"),
    "period-mismatch": ("error", "列的期间与所选月份不符",
                        "列“{value}”是 {reason} 的数，与所选期间 {label} 不符，未使用（未按 0 计）；请补充本期数据或改选月份。"),
    "not-a-number": ("error", "不是数字", "“{label}”应为数字（万元），现为“{value}”。"),
    "negative-amount": ("error", "金额为负数", "“{label}”不能为负数，现为 {value}。"),
    "absurd-amount": ("error", "金额超出合理范围", "“{label}”为 {value} 万元，超出合理范围（上限 {limit} 万元），请核对单位是否为万元。"),
    "error-value": ("error", "单元格为错误值", "“{label}”单元格为错误值 {value}，请修正公式或改填数字。"),
    "plan-exceeds-remaining": (
        "error",
        "年度计划超过剩余投资",
        "年度计划投资 {value} 万元 超过 总投资减去截至上年底累计完成 ({limit} 万元)。",
    ),
    "ytd-exceeds-total": ("error", "累计完成超过总投资", "本年累计完成 {value} 万元 超过 总投资 {limit} 万元。"),
    "ytd-mismatch": (
        "error",
        "累计与各月合计不符",
        "本年累计完成 {value} 万元 与 各月完成之和 {limit} 万元 不一致。",
    ),
    "cumulative-decrease": (
        "error",
        "累计数小于上月",
        "{label} 累计 {value} 万元 小于上月累计 {limit} 万元，累计数不应减少。",
    ),
    "not-in-statistics": (
        "warning",
        "应统未统",
        "项目已开工（{reason}），总投资 {limit} 万元 达到入库标准，但未入库，请及时纳统（应统尽统）。",
    ),
    "entry-status-unknown": (
        "warning",
        "项目状态不明无法判断入库",
        "{reason}，无法判断是否已开工；总投资 {limit} 万元 达到入库标准且未入库，请核实状态（应统尽统）。",
    ),
    "bond-over-issued": ("error", "专项债支出超过已发行", "专项债已支出 {value} 万元 超过 专项债已发行 {limit} 万元。"),
    "bond-issued-over-applied": ("warning", "专项债发行超过申请额度", "专项债已发行 {value} 万元 超过 申请额度 {limit} 万元。"),
    "duplicate-code": ("error", "项目编码重复", "项目编码“{value}”重复，另见 {other}。"),
    "duplicate-name": ("warning", "同一单位项目名称重复", "本单位项目名称“{value}”重复，另见 {other}。"),
    "star-not-district": ("error", "攻坚星级仅限区重点", "攻坚星级项目应为区重点项目，本项目级别为“{value}”。"),
    "sgyp-stage-order": ("error", "三个一批阶段不合理", "三个一批阶段“{value}”{reason}。"),
    "sgyp-stage-unknown": ("warning", "三个一批阶段无法识别", "三个一批阶段“{value}”无法识别，应为 签约、开工、投产 或 达效。"),
    "bond-exceeds": ("error", "专项债支出超过额度", "专项债已支出 {value} 万元 超过 专项债额度 {limit} 万元。"),
    "bad-setting": ("error", "参数表填写有误", "参数表：{reason}（现为“{value}”）。"),
    "unknown-title-unit": ("error", "标题中的填报单位不在名单中", "标题中的填报单位“{value}”不在单位名单中{hint}。"),
    "bad-date": ("warning", "日期格式不规范", "“{label}”应为日期或年份，现为“{value}”。"),
    # report forms (consolidation)
    "form-wrong-month": ("error", "月报表月份不符", "月报表为 {value} 月，本次汇总为 {limit} 月，未汇入。"),
    "form-wrong-unit": ("error", "月报表单位不符", "{reason}"),
    "form-unknown-code": ("error", "项目编码不在主台账", "项目编码“{value}”不在主台账中，未汇入。"),
    "form-double-report": ("error", "同一项目被两个单位报送", "项目“{value}”同时由 {other} 报送，未汇入，请核实责任单位。"),
    "form-duplicate-row": ("warning", "同一项目重复填报",
                           "项目“{value}”在月报表中重复填报，本行未汇入，已按{other}的数据汇总，请核实。"),
    "form-not-a-form": ("error", "不是月报表", "{reason}"),
    "form-ytd-mismatch": ("warning", "月报表累计与本月完成不符",
                          "{label}：本年累计 {value} 万元 与 截至上月累计 {limit} 万元 加 本月完成 {other} 万元 不符，"
                          "已按本月完成汇总，请核实。"),
    "form-missing": ("warning", "未报送", "单位“{value}”本月未报送月报表。"),
    "form-revision": ("warning", "修改已汇总数据", "{label}：已汇总的 {limit} 万元 改为 {value} 万元。"),
    "form-own-missing": ("warning", "月报表中没有本单位项目",
                         "单位“{value}”报送的月报表（{other}）中没有本单位的项目，按未报送计；本单位 {limit} 个项目{label}无数据。"),
    "form-incomplete": ("warning", "月报表漏报本单位项目",
                        "单位“{value}”的月报表（{other}）漏报本单位 {limit} 个项目，这些项目{label}无数据。"),
    "form-project-missing": ("warning", "项目本期无数据", "项目“{label}”（{value}）属于{other}，{reason}，{limit}完成仍无数据。"),
    # months without figures (consolidation, summary)
    "period-unit-missing": ("warning", "单位本期无数据",
                            "单位“{value}”的 {limit} 个项目都没有{label}数据（按未报送计）。"),
    "stats-missing": ("warning", "单位无统计数据",
                      "“单位统计”表中没有{value}{label}的本年累计或上年同期数，增速无法计算，本月不参与排名（显示为无数据）；"
                      "连续末位月数跳过本月（既不累计也不中断）。"),
    "stats-period-missing": ("warning", "统计数据尚未录入",
                             "{reason}参与排名的 {value} 个单位{label}均无增速数据，本月不排名（显示为无数据）。"),
    "period-not-reported": ("warning", "本期尚无人报送",
                            "项目台账中没有任何项目的{value}月数据（{label}尚无人报送），本期累计完成、完成率和进度情况显示为无数据"
                            "{reason}。"),


    "form-too-large": ("error", "月报表超出容量", "{reason}"),
    "form-extra-sheet": ("warning", "月报表含其他工作表的数字",
                         "工作表“{value}”（{label}）含{other}，不是月报表，未汇入；只汇入“{reason}”表，请核实是否填错了表。"),
    "form-wrong-ledger": ("error", "月报表不属于本台账", "{reason}"),
    "form-in-subfolder": ("warning", "子文件夹中的工作簿未读取",
                          "子文件夹“{value}”中有 {limit} 个工作簿，未读取：只汇入所选文件夹本身的月报表。"
                          "如其中有本月月报表，请把它们移到“{reason}”中后重新汇总。"),
    "form-more-findings": ("warning", "月报表问题过多",
                           "本月报表另有 {value} 处问题未逐条列出（每份最多列出 {limit} 条），请报送单位自查后重新报送。"),
    "name-broken": ("warning", "名称指向的工作表不存在",
                    "名称“{value}”指向的工作表“{label}”已不存在（工作表被删除或改名后名称未随之更新），{reason}。"),
    "text-too-long": ("warning", "文字超长已截断", "“{label}”长 {value} 个字符，超过 Excel 单元格上限 {limit} 个字符，已截断。"),
}




class Finding(BaseModel):
    """One problem in one cell. ``row``/``column`` are 1-based; ``cell`` is the A1 address."""

    model_config = ConfigDict(frozen=True)

    code: str
    severity: Severity
    sheet: str
    cell: str
    row: int
    column: int
    field: str
    value: str
    message: str
    file: str = ""

    def place(self) -> str:
        """Where to look, as staff write it: ``file sheet!cell``; a finding about a whole sheet or
        file (no cell) names only the sheet or the file, never a dangling ``sheet!``."""
        where = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        return " ".join(part for part in (self.file, where) if part)

    def line(self) -> str:
        """The line staff read on a console: ``[错误] file sheet!cell  message``."""
        return f"[{SEVERITY_LABELS[self.severity]}] {self.place()}  {self.message}"

    def flat(self) -> str:
        """One-line projection used by tests: ``code@sheet!cell``."""
        return f"{self.code}@{self.sheet}!{self.cell}"


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"  # as staff type a flag, never Python's True/False
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return str(value)


def finding(
    code: str,
    *,
    sheet: str,
    row: int,
    column: int,
    field: str = "",
    value: Any = None,
    file: str = "",
    severity: Severity | None = None,
    **params: Any,
) -> Finding:
    """Build a finding for ``code``, rendering its Chinese message from ``params``."""
    default_severity, _title, template = CODES[code]
    shown = {k: _fmt(v) for k, v in params.items()}
    shown.setdefault("value", _fmt(value))
    for key in ("label", "hint", "limit", "other", "reason"):
        shown.setdefault(key, "")
    return Finding(
        code=code,
        severity=severity or default_severity,
        sheet=sheet,
        cell=f"{column_letter(column)}{row}" if column > 0 and row > 0 else "",
        row=row,
        column=column,
        field=field,
        value=_fmt(value),
        message=template.format(**shown),
        file=file,
    )


class Report(BaseModel):
    """The findings of one run plus counts. ``valid`` means no errors (warnings allowed)."""

    model_config = ConfigDict(frozen=True)

    findings: tuple[Finding, ...] = ()
    projects: int = 0

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def valid(self) -> bool:
        return self.errors == 0

    def stats(self) -> dict[str, int]:
        return dict(Counter(f.code for f in self.findings))

    def flatten(self) -> list[str]:
        """Sorted ``code@sheet!cell`` strings: keeps test assertions one line long."""
        return sorted(f.flat() for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.valid,
            "projects": self.projects,
            "findings": [
                f.model_dump(include={"code", "severity", "sheet", "cell", "row", "column", "field", "value", "message"})
                | ({"file": f.file} if f.file else {})
                for f in self.findings
            ],
        }

    @classmethod
    def of(cls, findings: Iterable[Finding], projects: int = 0) -> Report:
        ordered = sorted(findings, key=lambda f: (f.file, f.sheet, f.row, f.column, f.code))
        return cls(findings=tuple(ordered), projects=projects)


def grouped_lines(findings: Iterable[Finding], indent: str = "  ") -> list[str]:
    """Every finding, grouped by severity then code, each group headed by its title and count."""
    groups: dict[tuple[int, str], list[Finding]] = {}
    for f in findings:
        groups.setdefault((f.severity != "error", f.code), []).append(f)
    lines: list[str] = []
    for (_, code), items in sorted(groups.items()):
        label = SEVERITY_LABELS[items[0].severity]
        lines.append(f"{indent}{label}：{CODES[code][1]}（{len(items)} 处）")
        for f in items:
            lines.append(f"{indent}  {f.place()}  {f.message}")
    return lines
