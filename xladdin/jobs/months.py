"""The month a job proposes when the user has not given one (desktop InputBox default, and the
month used outright on xlwings Server/Lite, where nobody can be asked).

Engine-agnostic; the ribbon (desktop and remote alike) calls ``propose_month``.

The rule (issue 17), per job:
- 月度汇总 (``"consolidate"``): the month the returned forms carry, read from each form's metadata
  (hidden sheet ``_表单信息``, else the form's visible row 2: ``core.form_layout.parse_meta``). When
  the forms disagree, the month most of them carry (ties: the later month); consolidation then
  reports the others as ``form-wrong-month``. With no readable form: the month after the last
  consolidated one.
- 生成月报表 (``"forms"``): the month after the last consolidated one (blank forms are made for the
  month to be reported next; forms already in the folder do not count).
- 刷新排名与通报 (``"refresh"``): the last consolidated month itself (nothing newer has figures).

"Last consolidated" is the ledger's latest filled month (``Ledger.period_month``). Months 1 and 2
form one period (1-2月), so the month after 1 or 2 is 3. Assumptions where the plan is silent,
following common practice of monthly statistical reporting: a ledger with nothing consolidated
proposes 2 (the first period of the year, 1-2月) for every job; the month after December stays
12 (a new year starts from a new ledger).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from xladdin.core.form_layout import FORM_SHEET, META_SHEET, parse_meta
from xladdin.engines.base import Engine
from xladdin.errors import XladdinError
from xladdin.jobs.session import load_ledger, load_settings

__all__ = ["FIRST_PERIOD_MONTH", "Job", "Proposal", "forms_month", "month_after", "propose_month"]

Job = Literal["forms", "consolidate", "refresh"]
FIRST_PERIOD_MONTH = 2  # 1-2月
_SUFFIXES = (".xlsx", ".xlsm")


@dataclass(frozen=True)
class Proposal:
    """The proposed month and, in Chinese, why (shown next to the InputBox question)."""

    month: int
    reason: str


def month_after(last: int | None) -> int:
    """The month reported after ``last`` (1 and 2 are one period; December stays December)."""
    if last is None:
        return FIRST_PERIOD_MONTH
    return min(max(last, FIRST_PERIOD_MONTH) + 1, 12)


def forms_month(folder: Path | None) -> tuple[int, int] | None:
    """(month, how many forms carry it) for the returned forms in ``folder``; None without any."""
    if folder is None or not Path(folder).is_dir():
        return None
    from xladdin.engines.files import FileEngine

    months: Counter[int] = Counter()
    for path in sorted(Path(folder).iterdir()):
        if path.suffix.lower() not in _SUFFIXES or path.name.startswith(("~$", ".")):
            continue
        try:
            engine = FileEngine(path)
            try:
                names = engine.sheet_names()
                meta = engine.read(META_SHEET) if META_SHEET in names else None
                form = engine.read(FORM_SHEET) if FORM_SHEET in names else None
            finally:
                engine.close()
        except XladdinError:
            continue  # not a form or unreadable: consolidation reports it
        found = parse_meta(meta, form)
        if found is not None and 1 <= found.month <= 12:
            months[2 if found.month == 1 else found.month] += 1
    if not months:
        return None
    month, count = max(months.items(), key=lambda mc: (mc[1], mc[0]))
    return month, count


def propose_month(engine: Engine, job: Job, forms_dir: Path | None = None) -> Proposal:
    """The month ``job`` proposes on the workbook behind ``engine`` (see the module doc)."""
    settings, _ = load_settings(engine)
    last = load_ledger(engine, settings).period_month
    done = f"台账已汇总到 {_label(last)}" if last else "台账尚未汇总任何月份"
    if job == "consolidate":
        carried = forms_month(forms_dir)
        if carried is not None:
            month, count = carried
            return Proposal(month, f"月报表文件夹中 {count} 份报表的报告月份为 {_label(month)}")
    if job == "refresh":
        return Proposal(last or FIRST_PERIOD_MONTH, done)
    return Proposal(month_after(last), f"{done}，下一期为 {_label(month_after(last))}")


def _label(month: int) -> str:
    return "1-2月" if month <= 2 else f"{month}月"
