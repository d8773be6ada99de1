"""Is there a figure for the period asked for? A missing or contradicting period is a finding, never a 0.

Pure core (standard library, pandas). The year to date of period 1-M月 comes from the month
columns m01..mM, else a "1-M月累计" column, else the 本年累计 column (``figures.progress.project_ytd``).
A ledger laid out for one period — a "1-5月累计完成投资" column and no month columns — cannot
give 1-6月: its figure is left out (NaN, shown as unknown) and a ``period-mismatch`` finding names
the column; a ledger with no source at all gets ``period-missing``.

Assumption: a 本年累计 column whose header names no period ("本年度累计完成投资") holds the
figure of the period being reported; real 调度表 are refilled each month under the same header.
Month columns that stop before M (1月…5月 when M is 6) are not a 1-M月 figure either: they
are left out the same way unless a 1-M月累计 or 本年累计 column gives it.
"""

from __future__ import annotations

from xladdin.core.fields import month_field
from xladdin.core.findings import Finding, finding
from xladdin.core.ledger import Ledger
from xladdin.core.periods import period_label, period_month

__all__ = ["for_period"]


def for_period(ledger: Ledger, month: int) -> tuple[Ledger, list[Finding]]:
    """``ledger`` with only the figures valid for ``month``'s period, and the findings on the rest."""
    pm = period_month(month)
    label = period_label(pm)
    cols = ledger.columns
    has_month = month_field(pm) in cols or (pm == 2 and month_field(1) in cols)
    if has_month:
        return ledger, []
    frame = ledger.frame.copy()
    findings: list[Finding] = []
    header_row = ledger.header_rows[0] if ledger.header_rows else 1
    for m in range(1, 13):  # month columns that stop before the period: a partial sum, not the period's figure
        if month_field(m) in cols:
            frame[month_field(m)] = float("nan")
    cum = f"cum{pm:02d}"
    if cum in cols:
        frame["ytd"] = frame[cum]
    elif "ytd" in cols and ledger.ytd_period in (None, pm):
        frame["ytd"] = frame["ytd_given"]
    elif "ytd" in cols:
        col = cols["ytd"]
        header = next((c.header for c in ledger.column_map if c.column == col), "本年累计完成")
        findings.append(finding("period-mismatch", sheet=ledger.sheet, row=header_row, column=col, field="ytd",
                                value=header, label=label, reason=f"1-{ledger.ytd_period}月"))
        frame["ytd"] = float("nan")
    else:
        findings.append(finding("period-missing", sheet=ledger.sheet, row=header_row, column=1, field="ytd",
                                label=label))
        frame["ytd"] = float("nan")
    frame["months_sum"] = float("nan")
    out = Ledger(sheet=ledger.sheet, frame=frame, columns=ledger.columns, header_rows=ledger.header_rows,
                 findings=ledger.findings, period_month=ledger.period_month, cumulative=ledger.cumulative,
                 ytd_period=ledger.ytd_period, column_map=ledger.column_map, headings=ledger.headings,
                 unit_from_title=ledger.unit_from_title)
    return out, findings
