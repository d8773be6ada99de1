"""Named output regions: which sheet and anchor each job fills, marked by defined names.

Pure core (standard library only). Templates create these defined names; jobs look them
up through the engine and fall back to the default anchor when a workbook lacks one, so
staff may move or restyle an output block by moving its name.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["COLUMNS_REGION", "NAMES", "REGIONS", "SHEETS", "Region"]


class Region(NamedTuple):
    name: str  # workbook-level defined name
    sheet: str
    anchor: str  # default top-left cell when the name is absent


# Defined names the template creates that jobs read back (the 台账标识 ``xl_master_id`` among them).
# Here, not in books.template, so a job that only reads a name does not import openpyxl.
NAMES = {"month": "xl_month", "version": "xl_template_version", "master_id": "xl_master_id",
         "units": "xl_units", "categories": "xl_categories", "ledger": "xl_ledger_header", "stats": "xl_stats_header"}

SHEETS = {
    "guide": "说明",
    "settings": "参数",
    "ledger": "项目台账",
    "stats": "单位统计",
    "summary": "汇总",
    "ranking": "排名",
    "history": "排名历史",
    "programmes": "专项",
    "bulletin": "通报",
    "findings": "校验结果",
    "marks": "_xladdin",  # hidden: cells we highlighted and their original fill
}

REGIONS: dict[str, Region] = {
    "summary": Region("xl_summary", "汇总", "A3"),
    "ranking": Region("xl_ranking", "排名", "A3"),
    "history": Region("xl_rank_history", "排名历史", "A3"),
    "programmes": Region("xl_programmes", "专项", "A3"),
    "bulletin": Region("xl_bulletin", "通报", "A1"),
    "findings": Region("xl_findings", "校验结果", "A3"),
}
# the reader's account of the ledger's columns, beside the findings; not part of the templates:
# its name is created the first time ``validate --mark`` writes it
COLUMNS_REGION = Region("xl_columns", "校验结果", "M3")  # beside the findings (A:K) with a column between
