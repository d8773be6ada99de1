"""xlwings' remote engine as a test client: a book payload built from a real .xlsx, and a replay
of the actions xlwings records onto that payload.

The remote engine (the one xlwings Server and xlwings Lite use) runs without Excel; it is xlwings
PRO, enabled under PolyForm Noncommercial with ``XLWINGS_LICENSE_KEY=noncommercial``. It does not
change cells: it records actions (``book.json()["actions"]``) that Office.js would apply. ``replay``
applies them to the payload's grids the way Excel would, so tests can compare the resulting cells
with what the file engine saved for the same job.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
import openpyxl
import xlwings as xw
from openpyxl.utils import get_column_letter

if "remote" not in [e.name for e in xw.engines]:  # xlwings was imported before the key was set
    from xlwings.pro import _xlremote

    xw.engines.add(xw.main.Engine(impl=_xlremote.engine))

__all__ = ["Replayed", "book_from", "cells", "payload", "reader", "replay"]


def _json_value(v: Any) -> Any:
    """What Office.js sends for a cell: numbers, text, booleans; dates as ISO text is not what it
    sends, but the workbooks here keep dates as text or numbers, so datetimes are kept as they are."""
    if isinstance(v, dt.time):
        return v.isoformat()
    return v


def payload(path: Path, *, name: str | None = None) -> dict[str, Any]:
    """The payload Office.js would send for the workbook at ``path``: every sheet's values (cached
    values, as Excel holds them), the defined names, which cells have notes, sheet visibility."""
    wb = openpyxl.load_workbook(path, data_only=True)
    try:
        sheets = []
        for ws in wb.worksheets:
            rows = [[_json_value(v) for v in r] for r in ws.iter_rows(values_only=True)]
            notes = [{"address": f"${get_column_letter(c.column or 1)}${c.row}"}
                     for row in ws.iter_rows() for c in row if c.comment is not None]
            sheets.append({"name": ws.title, "values": rows or [[]], "pictures": [], "tables": [], "notes": notes,
                           "charts": [], "shapes": [],
                           "visibility": "Visible" if ws.sheet_state == "visible" else "Hidden"})
        index = {s["name"]: i for i, s in enumerate(sheets)}
        names = []
        for dn_name, dn in wb.defined_names.items():
            dests = list(dn.destinations)
            if len(dests) != 1:
                continue
            sheet, ref = dests[0]
            names.append({"name": dn_name, "book_scope": True, "scope_sheet_name": None, "scope_sheet_index": None,
                          "refers_to": f"='{sheet}'!{ref}", "sheet_index": index.get(sheet),
                          "address": ref.replace("$", "")})
    finally:
        wb.close()
    return {"client": "Office.js", "version": xw.__version__, "names": names,
            "book": {"name": name or path.name, "active_sheet_index": 0, "selection": "A1"}, "sheets": sheets}


def book_from(path: Path, *, name: str | None = None) -> xw.Book:
    """A remote-engine book holding the workbook at ``path`` (no file behind it: ``fullname`` is
    just the name, as on xlwings Server/Lite)."""
    return xw.Book(json=payload(path, name=name))


@dataclass
class Replayed:
    """The workbook after Office.js applied the recorded actions."""

    sheets: list[str]
    grids: dict[str, dict[tuple[int, int], Any]]
    fills: dict[tuple[str, str], str | None] = field(default_factory=dict)
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    links: dict[tuple[str, str], str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    hidden: set[str] = field(default_factory=set)
    charts: list[list[Any]] = field(default_factory=list)  # addChart args ([name, type, sheet] for the payload's)
    alerts: list[list[Any]] = field(default_factory=list)
    raw: dict[tuple[str, str], Any] = field(default_factory=dict)  # last value sent, apostrophe kept


def _cell_text(v: Any) -> Any:
    """Excel's view of a value it was sent: a leading apostrophe is the text prefix, not content."""
    return v[1:] if isinstance(v, str) and v.startswith("'") else v


def replay(data: dict[str, Any], actions: list[dict[str, Any]]) -> Replayed:
    out = Replayed(sheets=[s["name"] for s in data["sheets"]],
                   grids={s["name"]: {(r + 1, c + 1): v for r, row in enumerate(s["values"]) for c, v in enumerate(row)
                                      if v not in (None, "")} for s in data["sheets"]},
                   names={n["name"]: n["refers_to"] for n in data["names"]},
                   hidden={s["name"] for s in data["sheets"] if s.get("visibility") == "Hidden"},
                   charts=[[c.get("name"), c.get("chart_type"), s["name"]] for s in data["sheets"]
                           for c in s.get("charts", [])])
    for a in actions:
        func, args = a["func"], a["args"]
        if func == "addSheet":
            out.sheets.insert(args[0], args[1])
            out.grids[args[1]] = {}
            continue
        if func == "alert":
            out.alerts.append(args)
            continue
        if func in ("namesAdd",):
            out.names[args[0]] = args[1]
            continue
        if func == "setNameRefersTo":
            out.names[args[0]] = args[-1]
            continue
        if a["sheet_position"] is None:
            continue
        sheet = out.sheets[a["sheet_position"]]
        if func == "setSheetVisibility":
            (out.hidden.add if args[0] != "Visible" else out.hidden.discard)(sheet)
            continue
        if func == "addChart":
            out.charts.append(args)
            continue
        if func == "deleteChart":  # args[0]: index among the sheet's charts
            on_sheet = [c for c in out.charts if c[2] == sheet]
            out.charts.remove(on_sheet[args[0]])
            continue
        if a["start_row"] is None:
            continue
        r0, c0 = a["start_row"] + 1, a["start_column"] + 1
        area = [(r0 + i, c0 + j) for i in range(a["row_count"]) for j in range(a["column_count"])]
        ref = get_column_letter(c0) + str(r0)
        if func in ("rangeClearContents", "rangeClear"):
            for cell in area:
                out.grids[sheet].pop(cell, None)
                out.raw.pop((sheet, get_column_letter(cell[1]) + str(cell[0])), None)
        elif func in ("setValues", "setFormula"):
            for i, row in enumerate(a["values"]):
                for j, v in enumerate(row):
                    text = _cell_text(v)
                    out.raw[(sheet, get_column_letter(c0 + j) + str(r0 + i))] = v
                    if text in (None, ""):
                        out.grids[sheet].pop((r0 + i, c0 + j), None)
                    else:
                        out.grids[sheet][(r0 + i, c0 + j)] = text
        elif func == "setRangeColor":
            for r, c in area:
                color = args[0]
                out.fills[(sheet, get_column_letter(c) + str(r))] = color and color.lstrip("#").upper()
        elif func in ("addNote", "setNoteText"):
            out.notes[(sheet, str(args[0]).replace("$", ""))] = args[1]
        elif func == "deleteNote":
            out.notes.pop((sheet, str(args[0]).replace("$", "")), None)
        elif func == "addHyperlink":
            out.links[(sheet, ref)] = args[0]
    return out


def _norm(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return round(float(v), 9)
    return v


def cells(rows: list[list[Any]]) -> dict[tuple[int, int], Any]:
    """Non-empty cells of a grid as {(row, col): value}, numbers as floats."""
    return {(r + 1, c + 1): _norm(v) for r, row in enumerate(rows) for c, v in enumerate(row) if v not in (None, "")}


def normalised(grid: dict[tuple[int, int], Any]) -> dict[tuple[int, int], Any]:
    return {k: _norm(v) for k, v in grid.items()}


def reader(path: Path) -> xw.Book:
    """``path`` opened by xlwings' calamine engine (``mode="r"``; xlwings PRO, same licence as the
    remote engine): a real local file, read-only, with no message box, InputBox, status bar or PDF
    export - what a non-remote engine without desktop Excel is."""
    if "calamine" not in [e.name for e in xw.engines]:  # xlwings was imported before the key was set
        from xlwings.pro import _xlcalamine

        xw.engines.add(xw.main.Engine(impl=_xlcalamine.engine))
    return xw.Book(str(path), mode="r")
