"""The monthly bulletin (通报) as blocks of Chinese text and small tables, built from the figures.

Pure core (standard library, pandas; settings, periods). Writers lay the blocks out as a 公文
(GB/T 9704-2012): the 通报 sheet (``bulletin_layout``) and a Word document (``books.bulletin_docx``).
The blocks carry every 公文 part in order: 发文机关标志 (masthead), 发文字号 (docnumber), title,
主送机关 (recipient), the body (headings, text, tables, the growth chart), 发文机关署名
(signature), 成文日期 (date) and 版记 (imprint: 抄送, 印发机关 and 印发日期).
Amounts are shown in 亿元 with two decimals, rates as percentages with one decimal, growth in
words ("增长9.9%" / "下降1.0%"); inputs are 万元 and fractions (``figures.presentation``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

from xladdin.core.periods import Period
from xladdin.core.settings import Settings
from xladdin.figures.presentation import change, known, pct, points, yi

__all__ = ["Block", "build", "change", "document_number", "numeral", "pct", "points", "ranked_wording", "yi"]

Kind = Literal["masthead", "docnumber", "title", "subtitle", "recipient", "heading", "text", "table", "chart",
               "signature", "date", "imprint"]
NUMERALS = "一二三四五六七八九十"
YI = "单位：亿元"  # a table's text is its unit line


@dataclass(frozen=True)
class Block:
    """One piece of the bulletin: a 公文 part, a numbered heading, a paragraph or a table (``rows``,
    with ``text`` its unit line, e.g. "单位：亿元"). A chart's ``rows`` are (unit, growth) pairs,
    ``text`` its caption; the imprint's ``rows`` are its lines (("抄送：…",), ("印发机关", "…印发"))."""

    kind: Kind
    text: str = ""
    rows: tuple[tuple[Any, ...], ...] = field(default_factory=tuple)


def numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (section numbers of a 公文)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens - 1]) + "十" + (NUMERALS[ones - 1] if ones else "")


def _ok(v: Any) -> bool:
    return known(v)


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None:
        return []
    return [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def document_number(settings: Settings) -> str:
    """发文字号: 机关代字, the year in 〔〕, the serial and 号 ("管发改〔2022〕15号"); a blank
    serial leaves a full-width space to write in."""
    doc = settings.document
    serial = "\u3000" if doc.number is None else str(doc.number)
    return f"{doc.abbreviation}〔{settings.year}〕{serial}号"


def _signed(settings: Settings, period: Period, issued: dt.date | None) -> str:
    """成文日期: ``issued``, else 参数's 成文日期, else the month after the period with the day left
    blank to fill in ("2022年7月　日"), so the same inputs always give the same bulletin."""
    if issued is not None:
        return f"{issued.year}年{issued.month}月{issued.day}日"
    if settings.document.signed:
        return settings.document.signed
    pm = period.month
    year, nxt = (settings.year, pm + 1) if pm < 12 else (settings.year + 1, 1)
    return f"{year}年{nxt}月\u3000日"


def ranked_wording(settings: Settings) -> str:
    """Who is ranked, as staff say it: "经济开发区和各街道（乡）" when a 乡 is ranked with the
    街道, "经济开发区和各街道" when not (the unit kinds of the ranked units decide)."""
    kinds = {u.kind for u in settings.units if u.ranked}
    parts = []
    if "经济开发区" in kinds:
        parts.append("经济开发区")
    local = [k for k in ("街道", "乡", "镇") if k in kinds]
    if local:
        parts.append("各" + local[0] + (f"（{'、'.join(local[1:])}）" if local[1:] else ""))
    return "和".join(parts) or "各单位"


def _targets(targets: pd.DataFrame | None, label: str) -> list[Block]:
    rows = _records(targets)
    known = [r for r in rows if _ok(r.get("growth"))]
    if not known:
        return [Block("text", f"{label}，统计部门数据尚未录入“单位统计”表，暂无法通报增速。")]
    parts = []
    for r in known:
        verdict = "达到目标" if r["status"] == "达标" else f"低于目标{points(r['gap'])}个百分点"
        parts.append(f"{r['scope']}同比{change(r['growth'])}（目标{pct(r['target'])}），{verdict}")
    table = [("口径", "本年累计", "上年同期", "增速", "目标", "完成情况")]
    table += [(r["scope"], yi(r["ytd"]), yi(r["ytd_last_year"]), pct(r["growth"]), pct(r["target"]), r["status"])
              for r in rows]
    return [Block("text", f"{label}，" + "；".join(parts) + "。"), Block("table", YI, rows=tuple(table))]


def _levels(levels: pd.DataFrame | None, label: str, period: Period, band: float = 0.005,
            reported: bool = True) -> list[Block]:
    rows = {r["level"]: r for r in _records(levels)}
    total = rows.get("合计")
    if total is None or not total["projects"]:
        return [Block("text", "台账中暂无重点项目。")]
    if not reported:
        return [Block("text", (f"全区重点项目{total['projects']}个，总投资{yi(total['total_investment'])}亿元，年度计划投资"
                               f"{yi(total['annual_plan'])}亿元。{label}重点项目投资数据尚未报送（项目台账中没有任何项目的"
                               f"{period.month}月数据），本期完成情况暂无数据，待各单位报送后再行通报。"))]
    gap = total["gap"]
    if not _ok(gap):
        verdict = ""
    elif gap > band + 1e-12:
        verdict = f"，超序时进度{points(gap)}个百分点"
    elif gap < -band - 1e-12:
        verdict = f"，滞后序时进度{points(gap)}个百分点"
    else:
        verdict = "，与序时进度基本持平"
    text = (f"全区重点项目{total['projects']}个，总投资{yi(total['total_investment'])}亿元，年度计划投资"
            f"{yi(total['annual_plan'])}亿元；{label}累计完成投资{yi(total['ytd_completed'])}亿元，占年度计划的"
            f"{pct(total['completion_rate'])}，序时进度{pct(period.schedule)}{verdict}。")
    behind = [n for n, r in rows.items() if n != "合计" and r["status"] == "滞后序时进度"]
    if behind:
        text += "其中" + "、".join(behind) + "项目滞后序时进度，需加快推进。"
    table = [("项目类别", "个数", "总投资", "年度计划", "累计完成", "完成率", "进度情况")]
    table += [(n, r["projects"], yi(r["total_investment"]), yi(r["annual_plan"]), yi(r["ytd_completed"]),
               pct(r["completion_rate"]), r["status"] or "—") for n, r in rows.items()]
    return [Block("text", text), Block("table", YI, rows=tuple(table))]


def _ranking(ranking: pd.DataFrame | None, label: str, who: str) -> tuple[list[Block], list[Block]]:
    rows = _records(ranking)
    ranked = [r for r in rows if _ok(r.get("rank"))]
    unranked = [str(r["unit"]) for r in rows if not _ok(r.get("rank"))]
    if not ranked:
        who = f"（{'、'.join(unranked)}）" if unranked else ""
        empty = [Block("text", f"参与排名的各单位{who}{label}统计数据尚未录入“单位统计”表，均为无数据，本月暂不排名。")]
        return empty, [Block("text", "本月暂无末位单位。")]
    top = ranked[0]
    text = (f"{label}，{who}中，{top['unit']}投资增速最高，同比{change(top['growth'])}。"
            "各单位排名如下：")
    if unranked:
        text = (f"{label}，{'、'.join(unranked)}在“单位统计”表中无增速数据（无数据），本月不参与排名。"
                + text[len(label) + 1:])
    table = [("排名", "单位", "本年累计", "上年同期", "增速", "处理措施")]
    table += [(r["rank"] if _ok(r.get("rank")) else "无数据", r["unit"], yi(r["ytd"]), yi(r["ytd_last_year"]),
               pct(r["growth"]), r["action"] or "") for r in rows]
    actions = [r for r in rows if r.get("action")]
    if not actions:
        esc = [Block("text", "本月无单位触发末位增速约谈。")]
    else:
        lines = []
        for r in actions:
            run = int(r["run"])
            why = "本月增速排名倒数第一" if run == 1 else f"连续{run}个月增速排名倒数第一"
            lines.append(f"{r['unit']}{label}投资同比{change(r['growth'])}，{why}，根据末位增速约谈制，{_act(r['action'])}。")
        esc = [Block("text", line) for line in lines]
    chart = Block("chart", f"{label}{who}投资增速", rows=tuple((r["unit"], float(r["growth"])) for r in ranked))
    return [Block("text", text), Block("table", YI, rows=tuple(table)), chart], esc


def _act(action: str) -> str:
    return {
        "通报批评": "予以通报批评",
        "区分管领导约谈": "由区分管领导约谈该单位相关负责同志",
        "区主要领导约谈": "由区主要领导约谈该单位主要负责同志",
    }.get(action, action)


def _entry(not_entered: pd.DataFrame | None, missing_units: Sequence[str], problems: int,
           incomplete: Sequence[str] = ()) -> list[Block]:
    out: list[Block] = []
    everything = _records(not_entered)
    rows = [r for r in everything if r.get("verdict", "应入未入") == "应入未入"]
    unclear = [r for r in everything if r.get("verdict") == "状态不明"]
    if rows:
        by_unit: dict[str, list[str]] = {}
        for r in rows:
            by_unit.setdefault(str(r["unit"]), []).append(str(r["name"]))
        parts = [f"{u}{len(n)}个（{'、'.join(n[:5])}{'等' if len(n) > 5 else ''}）" for u, n in by_unit.items()]
        out.append(Block("text", f"已实质性开工但尚未入库纳统的项目共{len(rows)}个：" + "；".join(parts)
                         + "。请相关单位按照应统尽统要求抓紧完善手续、及时入库，对应入未入的单位予以通报批评，年度投资计划暂缓下达。"))
    else:
        out.append(Block("text", "台账中已开工且达到入库标准的项目均已入库。"))
    if unclear:
        names = "、".join(f"{r['name']}（{r['unit']}，状态“{r.get('project_status') or '未填'}”）" for r in unclear[:5])
        out.append(Block("text", f"另有{len(unclear)}个达到入库标准且未入库的项目状态无法识别，无法判断是否已开工："
                         f"{names}{'等' if len(unclear) > 5 else ''}，请核实项目状态。"))
    if missing_units:
        out.append(Block("text", f"本月未按时报送月报表的单位：{'、'.join(missing_units)}。"))
    if incomplete:
        out.append(Block("text", f"部分项目本期无数据的单位：{'、'.join(incomplete)}，相关项目详见“校验结果”表，请抓紧补报。"))
    if problems:
        out.append(Block("text", f"月报表汇总中发现{problems}处数据错误，详见“校验结果”表中检查为“月报汇总”的记录，"
                                 "请相关单位核实更正。"))
    return out


def _sum(rows: list[dict[str, Any]], key: str) -> float | None:
    values = [float(r[key]) for r in rows if _ok(r.get(key))]
    return sum(values) if values else None


def _bonds(bonds: pd.DataFrame | None, settings: Settings) -> list[Block]:
    """Plan §8: the four-dimension evaluation of every unit with bond projects, ranked."""
    rows = _records(bonds)
    if not rows:
        return [Block("text", "台账中暂无专项债券项目。")]
    quota, issued, spent = _sum(rows, "bond_amount"), _sum(rows, "bond_issued"), _sum(rows, "bond_disbursed")
    limit = settings.thresholds.bond_quota
    text = (f"全区专项债券项目{sum(int(r['projects']) for r in rows)}个，下达额度{yi(quota)}亿元"
            + (f"（新增债务限额{yi(limit)}亿元）" if limit else "")
            + f"，已发行{yi(issued)}亿元，已支出{yi(spent)}亿元，支出进度（已支出÷已发行）"
            + f"{pct(spent / issued if spent is not None and issued else None)}。")
    idle = [r["unit"] for r in rows if _ok(r.get("bond_issued")) and float(r["bond_issued"]) > 0
            and _ok(r.get("bond_disbursed")) and float(r["bond_disbursed"]) == 0]
    if idle:
        text += "、".join(idle) + "债券资金已发行但尚未支出，请加快形成实物工程量。"
    text += "从债券发行规模、项目报送质量、债券资金支出进度和规范性四个方面综合评价，排名如下："

    def score(v: Any) -> str:
        return f"{float(v):.1f}" if _ok(v) else "无数据"

    table = [("排名", "单位", "发行规模", "报送质量", "支出进度", "规范性", "综合得分")]
    table += [(r["rank"] if _ok(r.get("rank")) else "—", r["unit"], score(r.get("issuance")), score(r.get("quality")),
               score(r.get("disbursement")), score(r.get("compliance")), score(r.get("score"))) for r in rows]
    return [Block("text", text), Block("table", "单位：分", rows=tuple(table))]


def _sgyp(sgyp: pd.DataFrame | None) -> list[Block]:
    rows = {r["round"]: r for r in _records(sgyp)}
    total = rows.get("合计")
    if total is None or not total["projects"]:
        return [Block("text", "台账中暂无“三个一批”项目。")]
    return [Block("text", (
        f"“三个一批”项目{total['projects']}个，履约率{pct(total['fulfilment_rate'])}，开工率{pct(total['start_rate'])}，"
        f"投产率{pct(total['production_rate'])}，达效率{pct(total['output_rate'])}。"
        "请各单位紧盯控规批复、土地出让、建设环境等关键环节，加快项目落地见效。"))]


def build(
    period: Period,
    settings: Settings,
    *,
    targets: pd.DataFrame | None = None,
    levels: pd.DataFrame | None = None,
    ranking: pd.DataFrame | None = None,
    not_entered: pd.DataFrame | None = None,
    missing_units: Sequence[str] = (),
    problems: int = 0,
    bonds: pd.DataFrame | None = None,
    sgyp: pd.DataFrame | None = None,
    issued: dt.date | None = None,
    extra: Sequence[tuple[str, list[Block]]] = (),
    reported: bool = True,
    incomplete_units: Sequence[str] = (),
) -> list[Block]:
    """The bulletin for ``period`` as 公文 parts in order (see the module doc): masthead, 发文字号,
    title, 主送机关, numbered sections, 署名, 成文日期 (``_signed``) and 版记.

    ``extra`` sections (heading, blocks) follow the standing ones (issue 13's measures, built by
    ``bulletin_measures``). Without ``issued`` the 成文日期 comes from 参数 or names the month after
    the period with the day left blank, so the same inputs always give the same bulletin.
    ``reported`` False (nobody has reported the period: ``progress.period_reported``) says so
    instead of judging the figures; units without a growth figure are named and shown as 无数据;
    ``missing_units`` (未报送, including units whose form held none of their own projects, or on a
    refresh none of whose projects has a figure for the period) and ``incomplete_units`` (some of
    the unit's projects without a figure) are named.
    """
    label = period.label
    year = settings.year
    who = ranked_wording(settings)
    rank_blocks, esc_blocks = _ranking(ranking, label, who)
    sections: list[tuple[str, list[Block]]] = [
        ("全区固定资产投资完成情况", _targets(targets, f"{year}年{label}")),
        ("重点项目建设进展情况", _levels(levels, label, period, settings.thresholds.schedule_band_pp / 100, reported)),
        (f"{who}投资增速排名", rank_blocks),
        ("末位增速约谈情况", esc_blocks),
        ("统计入库和月报报送情况", _entry(not_entered, missing_units, problems, incomplete_units)),
        ("专项债券资金支出情况", _bonds(bonds, settings)),
        ("“三个一批”项目推进情况", _sgyp(sgyp)),
    ]
    doc = settings.document
    signed = _signed(settings, period, issued)
    blocks = [
        Block("masthead", f"{doc.issuer}文件"),
        Block("docnumber", document_number(settings)),
        Block("title", f"关于{year}年{label}全区固定资产投资和重点项目建设进展情况的通报"),
        Block("recipient", f"{doc.recipients}："),
        Block("text", f"为进一步扩大有效投资，根据《{year}年全区扩大有效投资工作实施方案》，现将"
                      f"{year}年{label}全区固定资产投资和重点项目建设进展情况通报如下："),
    ]
    sections += list(extra)
    for i, (heading, body) in enumerate(sections):
        blocks.append(Block("heading", f"{numeral(i + 1)}、{heading}"))
        blocks.extend(body)
    blocks.append(Block("text", "请各单位对照目标任务，强化投资调度，按月报送进展情况，确保完成全年目标。"))
    blocks.append(Block("signature", doc.issuer))
    blocks.append(Block("date", signed))
    blocks.append(Block("imprint", rows=((f"抄送：{doc.copies}。",), (doc.printer, f"{signed}印发"))))
    return blocks
