"""The live-Excel engine: the ``Engine`` seam over an xlwings ``Book``.

May import xlwings and the standard library. Works with every xlwings engine that a book
can come from: desktop Excel (Windows/macOS, open source xlwings) and xlwings' ``remote``
engine used by xlwings Server and xlwings Lite (PRO; ``XLWINGS_LICENSE_KEY=noncommercial``
enables it under PolyForm Noncommercial, which covers government institutions). The remote
engine records actions (``book.json()``) instead of touching cells, and cannot read fills,
merges or the status bar; this engine then falls back to what it wrote itself in the session.
A note it cannot read (one the book already had) is left as it is: never overwritten or deleted.
The remote engine also does not show a session's own writes to later reads (the payload is the
book as it was sent), so on that engine ``read`` overlays the values written in this session:
a job that writes and then reads (consolidation re-reads the ledger after merging the forms)
sees the same workbook it would see in desktop Excel.

xlwings exceptions never leave this module: each operation translates them into the
project's own ``XladdinError`` types, keeping the cause (``raise ... from exc``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator
from typing import Any

import xlwings as xw

from xladdin.core.sheet import Merge, SheetData, cell_ref, parse_ref
from xladdin.engines.base import ALL_WRITES, CellStyle, Formula, Link
from xladdin.errors import EngineError, SheetNotFound

__all__ = ["ExcelEngine", "excel_text"]

_HEADER_ROWS = 12  # rows searched for merged header cells (desktop only)
_LOOKS_PARSED = re.compile(r"^[=+\-@'#]|\d|^(true|false)$", re.IGNORECASE)


def excel_text(value: str) -> str:
    """``value`` as Excel must receive it to keep it text: a leading apostrophe (Excel's own
    prefix character, invisible in the cell) wherever Excel would parse it into a formula,
    number, date, percentage, boolean or error value."""
    return "'" + value if _LOOKS_PARSED.search(value) else value


def _to_excel(value: Any) -> Any:
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, Link):
        return excel_text(value.text)
    if isinstance(value, str):
        return excel_text(value)
    if isinstance(value, bool | int | float | dt.date | dt.datetime) or value is None:
        return value
    return excel_text(str(value))


def _shown(value: Any) -> Any:
    """What a cell shows after ``value`` was written (no recalculation: a formula is its text)."""
    if isinstance(value, Formula | Link):
        return value.text
    if isinstance(value, str | bool | int | float | dt.date | dt.datetime) or value is None:
        return value
    return str(value)


def _hex(color: Any) -> str | None:
    """xlwings colours (``(r, g, b)`` or ``"#rrggbb"``) -> ``"RRGGBB"``."""
    if color is None:
        return None
    if isinstance(color, str):
        return color.lstrip("#").upper()
    r, g, b = color
    return f"{int(r):02X}{int(g):02X}{int(b):02X}"


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


class ExcelEngine:
    """The ``Engine`` seam over a live xlwings ``Book`` (desktop Excel or the remote engine)."""

    def __init__(self, book: xw.Book) -> None:
        self.book = book
        self.label = str(book.name)
        self.capabilities = ALL_WRITES
        self.messages: list[str] = []  # status texts, kept for engines without a status bar
        self._fills: dict[tuple[str, str], str | None] = {}
        self._notes: dict[tuple[str, str], str | None] = {}
        self.remote = _engine_name(book) == "remote"
        self._written: dict[str, dict[tuple[int, int], Any]] = {}  # remote only: this session's writes

    # -- translation ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def _seam(self, action: str, sheet: str = "") -> Iterator[None]:
        try:
            yield
        except Exception as exc:  # only xlwings runs inside a seam: our own errors are raised outside
            where = f"“{sheet}”表" if sheet else f"工作簿“{self.label}”"
            raise EngineError(f"Excel 无法完成操作（{action}，{where}）：{exc}") from exc

    def _sheet(self, name: str) -> Any:
        with self._seam("查找工作表", name):
            names = [s.name for s in self.book.sheets]
        if name not in names:
            raise SheetNotFound(f"工作簿“{self.label}”中没有“{name}”表。")
        with self._seam("打开工作表", name):
            return self.book.sheets[name]

    # -- reading -------------------------------------------------------------------------------
    def sheet_names(self) -> list[str]:
        with self._seam("列出工作表"):
            return [str(s.name) for s in self.book.sheets]

    def prefetch(self, sheet: str) -> None:
        """Nothing: Excel holds the book already, and COM calls belong to the calling thread."""

    def read(self, sheet: str) -> SheetData:
        sht = self._sheet(sheet)
        with self._seam("读取数据", sheet):
            used = sht.used_range
            last_row = used.row + used.rows.count - 1
            last_col = used.column + used.columns.count - 1
            grid = sht.range((1, 1), (last_row, last_col)).options(ndim=2, err_to_str=True).value
        rows = [list(r) for r in (grid or [])]
        if len(rows) == 1 and all(v is None for v in rows[0]):
            rows = []
        for (r, c), v in sorted(self._written.get(sheet, {}).items()):
            while len(rows) < r:
                rows.append([])
            row = rows[r - 1]
            row.extend([None] * (c - len(row)))
            row[c - 1] = v
        return SheetData(sheet, rows, self._merges(sht, min(last_row, _HEADER_ROWS), last_col))

    def _merges(self, sht: Any, n_rows: int, n_cols: int) -> list[Merge]:
        """Merged ranges touching the header rows; empty where the engine cannot tell (remote)."""
        try:
            if sht.range((1, 1), (n_rows, n_cols)).merge_cells is False:
                return []
            return merged_areas(n_rows, n_cols, lambda r, c: _merge_area(sht.range((r, c))))
        except Exception:  # remote engine: merges need an async round trip; none is available
            return []

    def defined_name(self, name: str) -> tuple[str, str] | None:
        with self._seam("读取名称"):
            for item in self.book.names:
                if str(item.name).casefold() == name.casefold():
                    return _split_refers_to(str(item.refers_to))
        return None

    def fills(self, sheet: str, cells: list[str]) -> dict[str, str | None]:
        sht = self._sheet(sheet)
        out: dict[str, str | None] = {}
        for cell in cells:
            try:
                out[cell] = _hex(sht.range(cell).color)
            except NotImplementedError:  # remote engine: only what this session wrote is known
                out[cell] = self._fills.get((sheet, cell.upper()))
            except Exception as exc:
                raise EngineError(f"Excel 无法读取“{sheet}”表 {cell} 的底色：{exc}") from exc
        return out

    def notes(self, sheet: str, cells: list[str]) -> dict[str, str | None]:
        sht = self._sheet(sheet)
        out: dict[str, str | None] = {}
        for cell in cells:
            try:
                note = sht.range(cell).note
                out[cell] = None if note is None else (str(note.text) or None)
            except NotImplementedError:  # remote engine: only what this session wrote is known
                out[cell] = self._notes.get((sheet, cell.upper()))
            except Exception as exc:
                raise EngineError(f"Excel 无法读取“{sheet}”表 {cell} 的批注：{exc}") from exc
        return out

    # -- writing -------------------------------------------------------------------------------
    def ensure_sheet(self, sheet: str, *, hidden: bool = False) -> None:
        if sheet in self.sheet_names():
            return
        with self._seam("新建工作表", sheet):
            sheets = self.book.sheets
            new = sheets.add(sheet, after=sheets[len(sheets) - 1])
            if hidden:
                new.visible = False

    def set_defined_name(self, name: str, sheet: str, ref: str) -> None:
        absolute = ":".join(_absolute(part) for part in ref.split(":"))
        refers_to = f"={_quote(sheet)}!{absolute}"
        with self._seam("设置名称", sheet):
            for item in self.book.names:
                if str(item.name).casefold() == name.casefold():
                    item.refers_to = refers_to
                    return
            self.book.names.add(name, refers_to)

    def _remember(self, sheet: str, row: int, col: int, value: Any) -> None:
        if self.remote:
            self._written.setdefault(sheet, {})[(row, col)] = _shown(value)

    def write_block(self, sheet: str, anchor: str, rows: list[list[Any]], *, clear: tuple[int, int] = (0, 0)) -> None:
        sht = self._sheet(sheet)
        row0, col0 = parse_ref(anchor)
        for i in range(clear[0] if clear[1] > 0 else 0):
            for j in range(clear[1]):
                self._remember(sheet, row0 + i, col0 + j, None)
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                self._remember(sheet, row0 + i, col0 + j, v)
        with self._seam("写入数据", sheet):
            if clear[0] > 0 and clear[1] > 0:
                sht.range((row0, col0)).resize(clear[0], clear[1]).clear_contents()
            width = max((len(r) for r in rows), default=0)
            if width == 0:
                return
            grid = [[_to_excel(v) for v in r] + [None] * (width - len(r)) for r in rows]
            sht.range((row0, col0)).resize(len(grid), width).value = grid
            for i, r in enumerate(rows):
                for j, v in enumerate(r):
                    if isinstance(v, Link):
                        sht.range((row0 + i, col0 + j)).add_hyperlink("#" + v.target, v.text)

    def write_cells(self, sheet: str, values: dict[str, Any]) -> None:
        sht = self._sheet(sheet)
        for cell, value in values.items():
            self._remember(sheet, *parse_ref(cell), value)
        with self._seam("写入单元格", sheet):
            for cell, value in values.items():
                sht.range(cell).value = _to_excel(value)
                if isinstance(value, Link):
                    sht.range(cell).add_hyperlink("#" + value.target, value.text)

    def set_fill(self, sheet: str, cells: list[str], color: str | None) -> None:
        sht = self._sheet(sheet)
        with self._seam("设置底色", sheet):
            for cell in cells:
                sht.range(cell).color = None if color is None else "#" + color.upper()
                self._fills[(sheet, cell.upper())] = None if color is None else color.upper()

    def set_styles(self, sheet: str, styles: dict[str, CellStyle]) -> None:
        """Number formats and fonts through xlwings (desktop and remote); alignment and rules
        through the desktop object model only (the remote engine has none: skipped there)."""
        sht = self._sheet(sheet)
        groups: dict[CellStyle, list[str]] = {}
        for ref, st in styles.items():
            groups.setdefault(st, []).append(ref)
        with self._seam("设置格式", sheet):
            for st, refs in groups.items():
                for start in range(0, len(refs), 30):  # Excel's address strings are limited in length
                    rng = sht.range(",".join(refs[start:start + 30]))
                    _apply_style(rng, st, desktop=not self.remote)

    def set_note(self, sheet: str, cell: str, text: str | None) -> None:
        sht = self._sheet(sheet)
        with self._seam("设置批注", sheet):
            rng = sht.range(cell)
            note = rng.note
            if self.remote and note is not None and (sheet, cell.upper()) not in self._notes:
                # a note this engine cannot read (remote): it may be the staff's own, so it is
                # neither overwritten nor deleted; the finding is still filled and listed
                return
            if text is None:
                if note is not None:
                    note.delete()
            elif note is not None:
                note.text = text
            else:
                rng.add_note(text)
            self._notes[(sheet, cell.upper())] = text

    def bar_chart(self, sheet: str, name: str, anchor: str, categories: str, values: str, title: str) -> None:
        sht = self._sheet(sheet)
        source_ref = _chart_source(categories, values)
        if "," in source_ref and self.remote:
            # Office.js builds a chart from one rectangular range only: no unit names beside the
            # figures means no chart that says anything; the staff are told instead
            self.status(f"“{sheet}”表的图表“{title}”需要在桌面版 Excel 中刷新（此环境不支持不相邻的数据区域）。")
            return
        with self._seam("绘制图表", sheet):
            for chart in list(sht.charts):
                if chart.name == name:
                    chart.delete()
            source = sht.range(source_ref)
            chart = sht.charts.add(chart_type="bar_clustered", source=source, name=name, anchor=sht.range(anchor))
            chart.title = title

    def status(self, text: str) -> None:
        self.messages.append(text)
        # the remote engine has no status bar: the message is kept in .messages
        with contextlib.suppress(Exception):
            self.book.app.status_bar = text or False

    def save(self) -> None:
        """Live books stay open and unsaved: staff decide when to save (Ctrl+S)."""
        with contextlib.suppress(Exception):
            self.book.app.status_bar = False


def merged_areas(n_rows: int, n_cols: int, area_at: Callable[[int, int], Merge | None]) -> list[Merge]:
    """Every merged area that covers a cell of the first ``n_rows`` x ``n_cols``, once each, sorted;
    ``area_at(row, col)`` is the merged area covering that cell, None for an unmerged cell."""
    found = {area_at(r, c) for r in range(1, n_rows + 1) for c in range(1, n_cols + 1)}
    return sorted(area for area in found if area is not None)


def _merge_area(cell: Any) -> Merge | None:
    """The merged area covering one xlwings cell (desktop Excel), None when it is not merged."""
    if not cell.merge_cells:
        return None
    area = cell.merge_area
    return (area.row, area.column, area.last_cell.row, area.last_cell.column)


def _engine_name(book: Any) -> str:
    try:
        return str(book.app.engine.name)
    except Exception:  # a book without an app (closed) or an engine without a name
        return ""


def _chart_source(categories: str, values: str) -> str:
    """One range for categories and values: their bounding box when they sit side by side on the
    same rows (what every job writes), else both areas (desktop Excel only)."""
    (r1, c1), (r2, c2) = (parse_ref(p) for p in (categories.split(":") + categories.split(":"))[:2])
    (r3, c3), (r4, c4) = (parse_ref(p) for p in (values.split(":") + values.split(":"))[:2])
    if (r1, r2) == (r3, r4) and c3 == c2 + 1:
        return f"{cell_ref(r1, c1)}:{cell_ref(r4, c4)}"
    return f"{categories},{values}"


def _absolute(ref: str) -> str:
    row, col = parse_ref(ref)
    letters = cell_ref(row, col)[: -len(str(row))]
    return f"${letters}${row}"


def _split_refers_to(refers_to: str) -> tuple[str, str] | None:
    """``="='项目台账'!$A$3:$H$40"`` -> ("项目台账", "A3:H40"); None for non-range definitions,
    including one whose sheet was deleted (Excel shows it as ``=#REF!$A$3``)."""
    text = refers_to.lstrip("=")
    if "!" not in text:
        return None
    sheet, _, ref = text.rpartition("!")
    if sheet.startswith("#"):  # an error value in place of the sheet (#REF!): no range left
        return None
    if sheet.startswith("'") and sheet.endswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    ref = ref.replace("$", "")
    if not re.fullmatch(r"[A-Za-z]{1,3}\d+(:[A-Za-z]{1,3}\d+)?", ref):
        return None
    return sheet, ref.upper()


_ALIGN = {"left": -4131, "center": -4108, "right": -4152, "centerContinuous": 7}  # xlHAlign…
_EDGES = {"l": 7, "t": 8, "b": 9, "r": 10}  # xlEdgeLeft, xlEdgeTop, xlEdgeBottom, xlEdgeRight


def _apply_style(rng: Any, st: CellStyle, *, desktop: bool) -> None:
    if st.number_format is not None:
        rng.number_format = st.number_format
    font = rng.font
    if st.font is not None:
        font.name = st.font
    if st.size is not None:
        font.size = st.size
    if st.bold is not None:
        font.bold = st.bold
    if st.color is not None:
        font.color = "#" + st.color
    if desktop:
        apply_desktop_format(rng.api, st)


def desktop_format(st: CellStyle) -> list[tuple[int | None, str, int | bool]]:
    """What desktop Excel's object model is told for ``st`` beyond what xlwings sets: ``(edge,
    property, value)``, edge None for the range itself, else the ``Borders(edge)`` it names. Every
    edge is set once borders are asked for: a side in ``thick`` is medium, one in ``border`` thin,
    the others none (stale lines from an earlier layout go)."""
    out: list[tuple[int | None, str, int | bool]] = []
    if st.align is not None:
        out.append((None, "HorizontalAlignment", _ALIGN.get(st.align, -4131)))
    if st.wrap is not None:
        out.append((None, "WrapText", st.wrap))
    if st.border is not None or st.thick is not None:
        for side, edge in _EDGES.items():
            if side in (st.thick or "") or side in (st.border or ""):
                out.append((edge, "LineStyle", 1))  # xlContinuous
                out.append((edge, "Weight", -4138 if side in (st.thick or "") else 2))  # xlMedium, xlThin
            else:
                out.append((edge, "LineStyle", -4142))  # xlNone
    return out


def apply_desktop_format(api: Any, st: CellStyle) -> None:
    """Set ``desktop_format(st)`` on ``api``, desktop Excel's own Range object (``range.api``; COM)."""
    for edge, prop, value in desktop_format(st):
        setattr(api if edge is None else api.Borders(edge), prop, value)
