"""The bulletin's sections for the plan's monthly measures (issue 13): each unit against its own
target, 灾后重建, 新开工, 政府投资 and 专项债券 project progress, the quarterly 入库 report, the
三个一批 key links, the reserve and "125".

Pure core (pandas; bulletin's blocks and number formats). Each function returns (heading, blocks);
``sections`` gives them in bulletin order from the month's result (``figures.month``). Unknown
figures are said to be 无数据, never passed over as fine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from xladdin.core.periods import Period
from xladdin.figures.bulletin import YI, Block, pct, yi
from xladdin.figures.programmes.entry import is_quarter_end
from xladdin.figures.results import Programmes

__all__ = ["sections"]

Section = tuple[str, list[Block]]
NO_DATA = "无数据"


def _ok(v: Any) -> bool:
    return v is not None and v is not pd.NA and not (isinstance(v, float) and v != v)


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    return [] if frame is None else [{str(k): v for k, v in r.items()} for r in frame.to_dict("records")]


def _names(names: list[str], limit: int = 6) -> str:
    return "、".join(names[:limit]) + ("等" if len(names) > limit else "")


def unit_targets(frame: pd.DataFrame | None, label: str) -> Section:
    rows = _records(frame)
    known = [r for r in rows if _ok(r.get("target_rate"))]
    heading = "各单位年度目标任务完成情况"
    if not known:
        return heading, [Block("text", f"各单位年度目标任务（单位统计“年度目标”）{NO_DATA}，暂无法通报。")]
    behind = [r["unit"] for r in known if r["status"] == "滞后序时进度"]
    missing = [r["unit"] for r in rows if not _ok(r.get("target_rate"))]
    text = f"{label}，按各单位年度固定资产投资目标任务测算，"
    text += ("、".join(behind) + "完成进度滞后序时进度，请加快推进" if behind else "各单位均达到序时进度")
    text += "；" + "、".join(missing) + f"年度目标{NO_DATA}。" if missing else "。"
    table = [("单位", "年度目标", "本年累计", "目标完成率", "进度情况", "增速")]
    table += [(r["unit"], yi(r["annual_target"]) if _ok(r.get("annual_target")) else NO_DATA, yi(r["ytd"]),
               pct(r["target_rate"]) if _ok(r.get("target_rate")) else NO_DATA, r["status"], pct(r["growth"]))
              for r in rows]
    return heading, [Block("text", text), Block("table", YI, rows=tuple(table))]


def reconstruction(frame: pd.DataFrame | None) -> Section:
    rows = _records(frame)
    heading = "灾后重建项目推进情况"
    units = [r for r in rows if r["unit"] != "合计"]
    total = next((r for r in rows if r["unit"] == "合计"), None)
    if total is None:
        return heading, [Block("text", f"台账中没有标记为灾后重建的项目，灾后重建进度{NO_DATA}。")]
    text = (f"全区灾后重建项目{total['projects']}个，年度计划投资{yi(total['annual_plan'])}亿元，累计完成"
            f"{yi(total['ytd_completed'])}亿元，完成率{pct(total['completion_rate'])}。")
    late = [n for r in units for n in str(r.get("behind_names") or "").split("、") if n]
    if late:
        text += f"滞后序时进度的项目{len(late)}个：{_names(late)}，请责任单位对单交账、加快推进。"
    table = [("排名", "单位", "项目数", "年度计划", "累计完成", "完成率", "滞后项目")]
    table += [(r["rank"] if _ok(r.get("rank")) else "—", r["unit"], r["projects"], yi(r["annual_plan"]),
               yi(r["ytd_completed"]), pct(r["completion_rate"]), r["behind"]) for r in units]
    return heading, [Block("text", text), Block("table", YI, rows=tuple(table))]


def new_starts(frame: pd.DataFrame | None) -> Section:
    rows = _records(frame)
    heading = "新开工项目情况"
    total = next((r for r in rows if r["unit"] == "合计"), None)
    if total is None or not _ok(total.get("planned")):
        return heading, [Block("text", f"台账未填写“建设性质”“计划开工时间”，新开工和开工率{NO_DATA}。")]
    text = (f"全区计划新开工项目{total['planned']}个，截至本期应开工{total['due']}个，已开工{total['started_new']}个，"
            f"开工率{pct(total['start_rate'])}，序时开工率{pct(total['due_rate'])}；"
            f"台账项目中新建{total['new_build']}个、续建{total['continued']}个、已竣工{total['completed']}个。")
    late = [n for r in rows if r["unit"] != "合计" for n in str(r.get("late_names") or "").split("、") if n]
    if late:
        text += f"应开工未开工项目：{_names(late)}。"
    table = [("单位", "计划新开工", "应开工", "已开工", "开工率", "新建", "续建", "竣工")]
    table += [(r["unit"], r["planned"], r["due"], r["started_new"], pct(r["start_rate"]), r["new_build"],
               r["continued"], r["completed"]) for r in rows if r["unit"] == "合计" or r["planned"]]
    return heading, [Block("text", text), Block("table", "单位：个", rows=tuple(table))]


def _progress_text(frame: pd.DataFrame | None, what: str) -> str:
    rows = _records(frame)
    total = next((r for r in rows if r["unit"] == "合计"), None)
    if total is None or not total["projects"]:
        return f"{what}{NO_DATA}。"
    behind = [r["unit"] for r in rows if r["unit"] != "合计" and r["status"] == "滞后序时进度"]
    text = (f"{what}{total['projects']}个，年度计划投资{yi(total['annual_plan'])}亿元，累计完成"
            f"{yi(total['ytd_completed'])}亿元，完成率{pct(total['completion_rate'])}")
    return text + (f"，{'、'.join(behind)}滞后序时进度。" if behind else "。")


def tracked(government: pd.DataFrame | None, bonds: pd.DataFrame | None) -> Section:
    gov = _progress_text(government, "政府投资项目") if government is not None else \
        f"台账未标注“政府投资”，政府投资项目进度{NO_DATA}。"
    return "政府投资项目和专项债券项目进展情况", [Block("text", gov + _progress_text(bonds, "专项债券项目"))]


def entry(frame: pd.DataFrame | None, period: Period) -> Section | None:
    """The quarterly 入库 report (plan §15), only in quarter-end periods."""
    if not is_quarter_end(period):
        return None
    rows = _records(frame)
    total = next((r for r in rows if r["unit"] == "合计"), None)
    heading = "统计入库完成情况（季度通报）"
    if total is None or not total["required"]:
        return heading, [Block("text", "本季度暂无应入库项目。")]
    text = (f"截至{period.label}，全区已实质性开工且达到入库标准的项目{total['required']}个，已入库"
            f"{total['entered']}个，入库率{pct(total['entry_rate'])}；应入未入{total['missing']}个，状态不明"
            f"{total['unknown']}个。")
    table = [("单位", "应入库", "已入库", "应入未入", "状态不明", "入库率")]
    table += [(r["unit"], r["required"], r["entered"], r["missing"], r["unknown"], pct(r["entry_rate"]))
              for r in rows if r["unit"] == "合计" or r["missing"] or r["unknown"]]
    return heading, [Block("text", text), Block("table", "单位：个", rows=tuple(table))]


def reserve_and_attraction(res: Mapping[str, Any], attraction: pd.DataFrame | None,
                           links: pd.DataFrame | None) -> Section:
    blocks: list[Block] = []
    for r in _records(links):
        if r["link"] != "关键环节状态未填" and r["held"]:
            blocks.append(Block("text", f"“三个一批”项目卡在{r['link']}环节的{r['held']}个：{r['names']}。"))
    if res["met"] is None:
        text = (f"全区储备项目{res['reserve_projects']}个、总投资{yi(res['reserve_investment'])}亿元；最近年度在建项目"
                f"纳入统计库个数和总投资（参数）{NO_DATA}，暂无法判断是否达到{res['multiple']:g}倍要求。")
    else:
        text = (f"全区储备项目{res['reserve_projects']}个、总投资{yi(res['reserve_investment'])}亿元，分别为统计库在建项目的"
                f"{res['count_ratio']:.2f}倍和{res['investment_ratio']:.2f}倍，"
                + ("达到" if res["met"] else "未达到") + f"{res['multiple']:g}倍要求。")
    blocks.append(Block("text", text))
    parts = []
    for r in _records(attraction):
        if not _ok(r.get("count")):
            parts.append(f"{r['tier']}{NO_DATA}")
        else:
            parts.append(f"{r['tier']}已引进{r['count']}个（目标{r['target_count']}个）")
    if parts:
        blocks.append(Block("text", "招商引资“125”计划：" + "；".join(parts) + "。"))
    return "项目储备和招商引资情况", blocks


def sections(measures: Programmes, goals: pd.DataFrame | None, period: Period) -> list[Section]:
    """Every measure section from the month's programme measures and each unit's target
    (``figures.month``), in bulletin order."""
    out = [unit_targets(goals, period.label), reconstruction(measures.reconstruction),
           new_starts(measures.new_starts), tracked(measures.government_progress, measures.bond_progress)]
    quarterly = entry(measures.entry_report, period)
    if quarterly is not None:
        out.append(quarterly)
    out.append(reserve_and_attraction(measures.reserve, measures.attraction, measures.key_links))
    return out
