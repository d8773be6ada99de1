"""Which rows of a ledger hold projects, and which are section headings ("一、省重点项目（2个）").

Pure core (standard library). Real ledgers group their projects under headings — numbered
("一、", "（一）", "1、"), "其中：…", or a bare "省重点项目（17个）" — and many put the group's
totals on the heading row itself. A heading is never a project: it is kept as a ``Heading`` with
its rank (一、 over （一） over 1、), its text without the number and count, the count it
announces and the projects under it, so the reader can give a blank 项目级别 the heading's
level and check the heading's amounts against the sum of its projects. Blank rows and subtotal
rows (合计, 小计, 总计) are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from xladdin.core.values import as_text, norm

__all__ = ["SECTION", "SUBTOTAL", "Heading", "RowScan", "heading_of", "scan_rows"]

SUBTOTAL = re.compile(r"(合计|小计|总计|累计数合计)")
# "一、" (rank 1), "（一）" (rank 2), "1、" / "1．" (rank 3), "其中：" (rank 2)
SECTION = re.compile(r"^(?:([一二三四五六七八九十]+)[、.．]|[(（]([一二三四五六七八九十]+)[)）][、.．]?"
                     r"|([0-9]+)[、．]|(其中)[:：])")
_COUNT = re.compile(r"[(（]?(?:共)?(\d+)\s*[个项][)）]?$")
_COUNT_ONLY = re.compile(r"^[(（]?(?:共)?\d+[个项][)）]?$")


@dataclass
class Heading:
    """A section heading row: its text as written, rank, title (number and count removed), count."""

    row: int
    col: int
    text: str  # as written (runs of spaces collapsed)
    rank: int
    title: str
    count: int | None
    members: list[int] = field(default_factory=list)  # positions (into ``RowScan.rows``) of its projects


@dataclass
class RowScan:
    rows: list[int]  # Excel rows holding projects
    headings: list[Heading]

    def inherited(self) -> dict[int, Heading]:
        """Position of each project -> the innermost heading above it (only where there is one)."""
        out: dict[int, Heading] = {}
        for h in sorted(self.headings, key=lambda h: h.rank):  # deeper headings overwrite outer ones
            for i in h.members:
                out[i] = h
        return out


def heading_of(raw: list[Any], code_col: int | None) -> tuple[int, str, int] | None:
    """(column, text, rank) when the row is a section heading, else None.

    A heading's first text starts with a section number (or "其中：") and goes on, or ends with a
    count ("省重点项目（17个）"); every other text cell on the row is the same text (a merged or
    repeated cell) or a bare count ("13个"). Amounts on the row are the heading's subtotals.
    """
    if code_col is not None and code_col <= len(raw) and as_text(raw[code_col - 1]):
        return None
    first: tuple[int, str] | None = None
    for c, v in enumerate(raw, 1):
        if isinstance(v, str) and v.strip() and not v.startswith("="):
            t = norm(v)
            if first is None:
                first = (c, t)
            elif t != first[1] and not _COUNT_ONLY.match(t):
                return None
    if first is None:
        return None
    col, text = first
    m = SECTION.match(text)
    if m is not None:
        if not text[m.end():]:
            return None  # a bare "1、" in a 序号 cell: the project's number, not a heading
        rank = 1 if m.group(1) else 2 if (m.group(2) or m.group(4)) else 3
        return col, text, rank
    if _COUNT.search(text) and not text[0].isdigit():
        return col, text, 1
    return None


def _title(text: str) -> tuple[str, int | None]:
    m = SECTION.match(text)
    body = text[m.end():] if m else text
    c = _COUNT.search(body)
    count = int(c.group(1)) if c else None
    return (body[: c.start()] if c else body), count


def scan_rows(rows: list[list[Any]], start: int, cols: Mapping[str, int]) -> RowScan:
    """Project rows and headings of ``rows`` (the sheet's rows, 1-based ``start`` = first data row).

    ``cols`` maps field keys to columns (``name`` and ``code`` are used). The coded-row fast path
    keeps province-sized ledgers quick.
    """
    name_col = cols.get("name") or 0
    code_col = cols.get("code")
    lead_width = max(4, name_col)
    found: list[int] = []
    headings: list[Heading] = []
    open_: list[Heading] = []
    for r in range(start, len(rows) + 1):
        raw = rows[r - 1]
        code = raw[code_col - 1] if code_col and code_col <= len(raw) else None
        if type(code) is str and code and not code.isspace() and "计" not in code:
            for h in open_:
                h.members.append(len(found))
            found.append(r)  # the common case: a coded project row
            continue
        # blank: nothing typed (uncached formulas such as a template's guarded 累计 column don't count)
        if not any(v is not None and not (isinstance(v, str) and (v.isspace() or v.startswith("=") or not v))
                   for v in raw):
            continue
        lead = raw[:lead_width]
        # cheap pre-check: every subtotal label contains 计 (full-width or not, NFKC keeps it)
        if any(isinstance(v, str) and "计" in v for v in lead) and SUBTOTAL.search(
                "".join(norm(v) for v in lead if isinstance(v, str))):
            continue
        head = heading_of(raw, code_col)
        if head is not None:
            col, text, rank = head
            title, count = _title(text)
            h = Heading(row=r, col=col, text=" ".join(str(raw[col - 1]).split()), rank=rank, title=title, count=count)
            open_ = [o for o in open_ if o.rank < rank] + [h]
            headings.append(h)
            continue
        for h in open_:
            h.members.append(len(found))
        found.append(r)
    return RowScan(rows=found, headings=headings)
