"""三个一批 (plan §6): batches per round, each rate over its own list, and the key links held up.

Pure core (pandas; fields, values, progress).

Plan: "突出抓好前三期18个“三个一批”项目，紧盯履约率、开工率、投产率、达效率等指标和控规批复、土地出让、
建设环境等关键环节". The programme works in batches: each 期次 (round) publishes a 签约一批, a 开工一批
and a 投产一批 list. A project is in the programme when its 三个一批期次 or 三个一批批次 is filled;
its batch (三个一批批次) says which list it is on, its stage (三个一批阶段) how far it has got.

Assumptions (common practice of the provincial 三个一批 evaluation, the plan is silent):
- 履约率 = projects of the 签约一批 list that have performed (stage 开工 or later, or money invested:
  截至上年底累计完成 + 本年累计 > 0) ÷ the 签约一批 list;
- 开工率 = projects of the 开工一批 list that have started (stage 开工 or later, status 在建/竣工,
  or investment this year) ÷ the 开工一批 list;
- 投产率 = projects of the 投产一批 list at stage 投产 or 达效 ÷ the 投产一批 list;
- 达效率 = projects of the 投产一批 list at stage 达效 ÷ the 投产一批 list (a project reaches output
  after production).
A rate whose list is empty, or a ledger without the 三个一批批次 column, gives 无数据 (None).

Key links: 关键环节状态 lists the links a project is held up at ("控规批复、土地出让"); a part that
says it is done ("控规批复已完成") does not hold it up; "无" / "已完成" means none; blank is unknown
(counted as 未填, never as clear).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from xladdin.core.fields import KEY_LINKS, SGYP_BATCHES, SGYP_STAGES
from xladdin.core.periods import Period
from xladdin.core.values import norm
from xladdin.figures.programmes.common import has_data, num, rate, units_of
from xladdin.figures.progress import TOTAL, project_ytd

__all__ = ["batch_of", "held_links", "key_links", "sgyp", "stage_index"]

_LINK_WORDS = {"控规批复": ("控规",), "土地出让": ("土地", "出让", "供地"), "建设环境": ("建设环境", "环境")}
_NONE = ("无", "没有", "已完成", "均已完成", "全部完成", "无卡点", "无问题", "正常")


def stage_index(stage: Any) -> int:
    """0 签约, 1 开工, 2 投产, 3 达效; -1 when blank or unknown ("已投产" and "开工建设" match)."""
    text = norm(stage) if isinstance(stage, str) else ""
    for i, name in reversed(list(enumerate(SGYP_STAGES))):
        if name in text:
            return i
    return -1


def batch_of(value: Any) -> str | None:
    """签约一批 / 开工一批 / 投产一批 from texts like "开工", "第四期开工一批"; None when blank or unknown."""
    text = norm(value) if isinstance(value, str) else ""
    for name in SGYP_BATCHES:
        if name[:2] in text:
            return name
    return None


def held_links(value: Any) -> tuple[str, ...] | None:
    """The key links a project is held up at; () when none; None when blank (unknown)."""
    text = norm(value) if isinstance(value, str) else ""
    if not text:
        return None
    if text in _NONE:
        return ()
    held: list[str] = []
    for part in re.split(r"[、,，;；/]+", text):
        done = "已" in part and "未" not in part
        for link in KEY_LINKS:
            if link in part or any(w in part for w in _LINK_WORDS[link]):
                if not done and link not in held:
                    held.append(link)
                break
    return tuple(held)


def _members(frame: pd.DataFrame) -> pd.DataFrame:
    mask = frame["sgyp_round"].notna()
    if "sgyp_batch" in frame.columns:
        mask = mask | frame["sgyp_batch"].notna()
    return frame[mask]


def sgyp(frame: pd.DataFrame, period: Period, *, ytd: pd.Series | None = None) -> pd.DataFrame:
    """One row per 期次 (第N期, 期次未填 last) and 合计: each batch list, its achievers and its rate.
    ``ytd``: ``project_ytd`` of the whole ``frame`` when the caller has it already."""
    part = _members(frame)
    stages = part["sgyp_stage"].map(stage_index)
    ytd = (project_ytd(part, period) if ytd is None else ytd.loc[part.index]).fillna(0)
    invested = (num(part["completed_before"]).fillna(0) + ytd) > 0
    started = (stages >= 1) | part["status"].isin(("在建", "竣工")) | (ytd > 0)
    batches = part["sgyp_batch"].map(batch_of) if "sgyp_batch" in part.columns else pd.Series(None, index=part.index)
    known = has_data(part, "sgyp_batch")
    rounds = sorted({int(r) for r in part["sgyp_round"].dropna()})
    groups: list[tuple[str, pd.Series]] = [(f"第{r}期", part["sgyp_round"] == r) for r in rounds]
    if part["sgyp_round"].isna().any():
        groups.append(("期次未填", part["sgyp_round"].isna()))
    groups.append((TOTAL, pd.Series(True, index=part.index)))
    rows: list[dict[str, Any]] = []
    for label, raw_mask in groups:
        m = raw_mask.fillna(False).astype(bool)
        sign, start, prod = (m & (batches == b) for b in SGYP_BATCHES)
        n_sign, n_start, n_prod = int(sign.sum()), int(start.sum()), int(prod.sum())
        fulfilled = int((sign & ((stages >= 1) | invested)).sum())
        begun = int((start & started).sum())
        producing = int((prod & (stages >= 2)).sum())
        reached = int((prod & (stages >= 3)).sum())
        rows.append({
            "round": label, "projects": int(m.sum()), "no_batch": int((m & batches.isna()).sum()),
            "sign_list": n_sign, "fulfilled": fulfilled, "fulfilment_rate": rate(fulfilled, n_sign) if known else None,
            "start_list": n_start, "started": begun, "start_rate": rate(begun, n_start) if known else None,
            "production_list": n_prod, "producing": producing, "production_rate": rate(producing, n_prod) if known else None,
            "reached": reached, "output_rate": rate(reached, n_prod) if known else None,
            "annual_plan": float(num(part.loc[m, "annual_plan"]).sum()),
            "ytd_completed": float(ytd[m].sum()),
        })
    return pd.DataFrame(rows)


def key_links(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per key link (控规批复, 土地出让, 建设环境) with the programme projects held up there,
    then 未填 (programme projects whose 关键环节状态 is blank: unknown, not clear)."""
    part = _members(frame)
    values = part["key_links"] if "key_links" in part.columns else pd.Series(None, index=part.index)
    held = [held_links(v) for v in values]
    units = units_of(part["unit"])
    names = [str(n) for n in part["name"].tolist()]
    rows: list[dict[str, Any]] = []
    for link in KEY_LINKS:
        who = [f"{n}（{u}）" for n, u, h in zip(names, units, held, strict=True) if h and link in h]
        rows.append({"link": link, "held": len(who), "names": "、".join(who)})
    blank = [f"{n}（{u}）" for n, u, h in zip(names, units, held, strict=True) if h is None]
    rows.append({"link": "关键环节状态未填", "held": len(blank), "names": "、".join(blank)})
    return pd.DataFrame(rows, columns=["link", "held", "names"])
