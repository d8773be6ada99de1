"""The 专项 sheet's tables (issue 13): every programme measure of the plan, captioned with its paragraph.

Engine-agnostic (pandas; the outputs' ``table_rows``). Unknown values print as 无数据, never blank
or 0, so staff can tell "no data" from "nothing".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from xladdin.core.periods import Period
from xladdin.figures.presentation import yes_no
from xladdin.figures.results import Programmes
from xladdin.jobs.outputs import table_rows

__all__ = ["NO_DATA", "programme_tables", "reserve_rows"]

NO_DATA = "无数据"
Table = tuple[str, pd.DataFrame | list[list[Any]]]


def _rows(frame: pd.DataFrame | None, columns: list[str] | None = None, why: str = "") -> list[list[Any]]:
    if frame is None:
        return [[f"{NO_DATA}：{why}"]]
    if frame.empty:
        return [[f"{NO_DATA}：{why}" if why else "（无）"]]
    return table_rows(frame, columns, missing=NO_DATA)


def _times(ratio: float | None) -> str:
    return NO_DATA if ratio is None else f"{ratio:.2f}倍"


def reserve_rows(res: Mapping[str, Any]) -> list[list[Any]]:
    """The reserve as a two-row table (header, figures); the base and the verdict 无数据 without the base."""
    met = res["met"]
    return [
        ["储备项目个数", "储备项目总投资（万元）", "统计库在建项目个数", "统计库在建项目总投资（万元）", "要求倍数",
         "个数倍数", "总投资倍数", "是否达标"],
        [res["reserve_projects"], round(res["reserve_investment"], 2),
         NO_DATA if res["base_projects"] is None else res["base_projects"],
         NO_DATA if res["base_investment"] is None else round(res["base_investment"], 2),
         res["multiple"], _times(res["count_ratio"]), _times(res["investment_ratio"]),
         NO_DATA if met is None else yes_no(met)],
    ]


def programme_tables(m: Programmes, period: Period) -> list[Table]:
    """Captioned tables in the order of the plan's paragraphs."""
    label = period.label
    sgyp_cols = ["round", "projects", "no_batch", "sign_list", "fulfilled", "fulfilment_rate", "start_list", "started",
                 "start_rate", "production_list", "producing", "production_rate", "reached", "output_rate"]
    return [
        ("一、“三个一批”项目（§6，各项比率以本批次清单为分母）",
         _rows(m.sgyp, sgyp_cols, "台账没有“三个一批期次/批次”")),
        ("二、“三个一批”关键环节受阻项目（控规批复、土地出让、建设环境）", _rows(m.key_links)),
        ("三、专项债券考核评价（§8，发行规模、报送质量、支出进度、规范性；按综合得分排名）",
         _rows(m.bonds, None, "台账中没有专项债券项目")),
        ("四、专项债券项目建设进度（§17）", _rows(m.bond_progress, None, "台账中没有专项债券项目")),
        ("五、政府投资项目建设进度（§17）", _rows(m.government_progress, None, "台账没有“政府投资”列或未填写")),
        ("六、项目储备（§9，储备个数和总投资达到统计库在建项目的倍数）", reserve_rows(m.reserve)),
        ("七、招商引资“125”计划（§11，本年度引进）", _rows(m.attraction)),
        ("八、已实质性开工应入未入及状态不明项目（§15 应统尽统）", _rows(m.not_entered)),
        (f"九、统计入库完成情况（§15，按单位；{label}）", _rows(m.entry_report)),
        ("十、灾后重建项目（§7、§17，按单位，每月调度、对单交账、通报排名）",
         _rows(m.reconstruction, None, "台账中没有标记为灾后重建的项目")),
        ("十一、新开工项目与开工率（§1，按单位；新建/续建/竣工）", _rows(m.new_starts)),
    ]
