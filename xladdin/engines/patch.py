"""The patch engine: in-place jobs that rewrite only the zip members they change.

Imports python-calamine (through ``calamine_read``) and the standard library; no openpyxl.
Reads are calamine's (fast), formula cells as their formula text (as the writable file
engine reads them: cached results go stale once a job writes), with pending writes overlaid; ``save()`` patches the touched
``xl/worksheets/sheetN.xml`` parts cell by cell (``sheet_xml``), edits ``xl/workbook.xml`` as text
(sheets, defined names, ``fullCalcOnLoad``), appends new cell formats to ``styles.xml`` (``styles``),
edits the notes' comments and VML parts (``notes``), adds new sheets and charts as new parts, and
copies every other member as its raw compressed bytes. Nothing is re-serialised, so shapes, x14
extensions, slicers, VBA, pivot caches, cached values of untouched formulas … survive.

Strings are written as inline strings (``sharedStrings.xml`` never changes), ``Formula`` as
``<f>`` without a cached value. Because written values make other formulas' cached values stale,
any save that changed a cell sets ``fullCalcOnLoad="1"`` so Excel recalculates on open; if a
formula cell was overwritten, the stale ``calcChain.xml`` is dropped (Excel rebuilds it).

The engine declares what it can do (``capabilities``); the session picks an engine before the job
runs (``jobs.session.run_in_place``), never reruns one. What is still impossible losslessly raises
``errors.EngineUnsupported`` and the job stops with nothing written: overwriting the first cell of a
shared or array formula, writing inside a multi-cell array formula, a value of an unknown type.
``bar_chart`` on a sheet that already has a chart does nothing: the chart references the ranking
region's cells, so the new values redraw it; on a sheet with pictures or shapes it joins their drawing.
"""

from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from xladdin import errors
from xladdin.core.sheet import SheetData, parse_ref
from xladdin.engines.base import ALL_WRITES, CellStyle, Formula, Link
from xladdin.engines.guards import vetting as safety
from xladdin.engines.xlsx.app_props import app_with_sheets
from xladdin.engines.xlsx.calamine_read import open_workbook
from xladdin.engines.xlsx.early_read import EarlyRead
from xladdin.engines.xlsx.notes import SheetNotes, add_relationship, free_name, load_notes, write_notes
from xladdin.engines.xlsx.package import (
    Packed,
    defined_names,
    drop_part,
    pack_early,
    rels_targets,
    set_calc_full,
    set_defined_name,
    sheet_entries,
    write_package,
)
from xladdin.engines.xlsx.sheet_load import load_sheet
from xladdin.engines.xlsx.sheet_xml import Patch, cell_styles, patch_sheet
from xladdin.engines.xlsx.styles import KEEP, CellFormat, StyleBook

__all__ = ["CAPABILITIES", "PatchEngine"]

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NEW_SHEET = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             f'xmlns:r="{REL_NS}"><dimension ref="A1"/><sheetData/>'
             '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
CAPABILITIES = ALL_WRITES


class PatchEngine:
    """An ``Engine`` over one .xlsx/.xlsm file for in-place jobs; see the module docstring."""

    def __init__(self, path: Path | str, *, progress: Callable[[str], None] | None = None,
                 cached_values: bool = False) -> None:
        """``cached_values``: formula cells read as their cached results (as a read-only validation
        reads them) instead of their formula text; for jobs that read before they write."""
        self.path = Path(path)
        self._cached_values = cached_values
        self.label = self.path.name
        self._progress = progress
        safety.inspect_package(self.path)
        try:
            with zipfile.ZipFile(self.path) as zf:
                self._sizes = {i.filename: i.file_size for i in zf.infolist()}  # uncompressed
                self._members = set(self._sizes)
                self._workbook = self._workbook_orig = zf.read(WORKBOOK).decode("utf-8")
                self._wb_rels = self._wb_rels_orig = zf.read(WORKBOOK_RELS).decode("utf-8")
        except (KeyError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
            raise errors.EngineUnsupported(f"“{self.label}”的工作簿部件无法就地修改：{exc}") from exc
        targets = rels_targets(self._wb_rels, WORKBOOK)
        self._styles_part = next((t for typ, t in targets.values() if typ == "styles"), None)
        self.capabilities = CAPABILITIES if self._styles_part in self._members else CAPABILITIES - {"fills"}
        self._styles: StyleBook | None = None
        self._cell_styles: dict[str, dict[tuple[int, int], CellStyle]] = {}  # set_styles: applied after fills
        self._notes: dict[str, SheetNotes] = {}
        self._new: dict[str, str] = {}  # sheets created by this job -> their new part
        self._parts: dict[str, str] = {}
        self._kinds: dict[str, str] = {}
        for name, rid in sheet_entries(self._workbook):
            if rid in targets:
                self._kinds[name], self._parts[name] = targets[rid]
        self._names = defined_names(self._workbook)
        self._names_changed = False
        self._cal: Any = None
        self._base: dict[str, SheetData] = {}
        self._xml: dict[str, bytes] = {}  # part XML of each sheet read (prepare patches it without unzipping again)
        self._pending: dict[str, Future[tuple[SheetData, bytes]]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._patches: dict[str, Patch] = {}
        self._charts: dict[str, Any] = {}  # sheet -> pending new chart (patch_chart.ChartSpec)
        self._prepared: tuple[dict[str, bytes | None], dict[str, bytes], dict[str, Packed]] | None = None
        self.timings: dict[str, float] = {}

    # ---- reading -----------------------------------------------------------------------------
    def sheet_names(self) -> list[str]:
        return list(self._parts)

    def _check(self, sheet: str) -> None:
        if sheet not in self._parts:
            raise errors.SheetNotFound(f"“{self.label}”中没有工作表“{sheet}”。")

    def prefetch(self, sheet: str) -> None:
        """Start reading ``sheet`` on a background thread (calamine parses without holding the GIL,
        so a job can read its report forms meanwhile); ``read`` waits for it. Never raises: a
        problem surfaces when the sheet is read."""
        if sheet in self._parts and sheet not in self._base and sheet not in self._pending:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xladdin-prefetch")
            self._pending[sheet] = self._pool.submit(self._load, sheet, None)

    def adopt(self, early: EarlyRead, sha256: str) -> None:
        """Take over ``early``'s read of its sheet when it read the very bytes this engine opened
        (``sha256``, the job snapshot's hash) and the same worksheet part, read the same way (cached
        values or formulas); else nothing changes."""
        sheet = early.sheet
        if self._cached_values != early.cached_values or self._kinds.get(sheet) != "worksheet" \
                or sheet in self._base or sheet in self._pending:
            return
        loaded = early.take(sha256, sheet, self._parts[sheet])
        if loaded is not None:
            self._pending[sheet] = loaded

    def read(self, sheet: str) -> SheetData:
        self._check(sheet)
        if sheet not in self._base:
            pending = self._pending.pop(sheet, None)
            if pending is not None:
                self._base[sheet], self._xml[sheet] = pending.result()
            else:
                if self._cal is None:
                    self._cal = open_workbook(self.path, self.label)
                self._base[sheet], self._xml[sheet] = self._load(sheet, self._cal)
        base = self._base[sheet]
        patch = self._patches.get(sheet)
        if patch is None:
            return base
        rows = [list(r) for r in base.rows]
        for r1, c1, r2, c2 in patch.cleared:
            for r in range(r1, min(r2, len(rows)) + 1):
                row = rows[r - 1]
                for c in range(c1, min(c2, len(row)) + 1):
                    row[c - 1] = None
        for (r, c), value in patch.cells.items():
            while len(rows) < r:
                rows.append([])
            row = rows[r - 1]
            if len(row) < c:
                row.extend([None] * (c - len(row)))
            row[c - 1] = value.text if isinstance(value, Formula | Link) else value
        return SheetData(sheet, rows, list(base.merges))

    def _load(self, sheet: str, cal: Any) -> tuple[SheetData, bytes]:
        """``sheet`` as read from the file, and its part's XML (kept for ``prepare``). ``cal``: the
        calamine workbook to use, or None for a new one (a prefetch thread has its own)."""
        part = self._parts[sheet]
        return load_sheet(self.path, part, sheet, self.label, size=self._sizes.get(part, 0),
                          worksheet=self._kinds.get(sheet) == "worksheet", cached_values=self._cached_values, cal=cal)

    def defined_name(self, name: str) -> tuple[str, str] | None:
        return self._names.get(name)

    # ---- writing -----------------------------------------------------------------------------
    def _patch(self, sheet: str) -> Patch:
        self._check(sheet)
        if self._kinds.get(sheet) != "worksheet":
            raise errors.EngineUnsupported(f"“{sheet}”不是普通工作表，无法就地写入。")
        self._prepared = None
        return self._patches.setdefault(sheet, Patch())

    def ensure_sheet(self, sheet: str, *, hidden: bool = False) -> None:
        """A new sheet is a new worksheet part, a ``<sheet>`` in workbook.xml (after the others,
        ``state="hidden"`` when asked), a workbook relationship and a content type."""
        if sheet in self._parts:
            return
        used = self._members | set(self._new.values())
        _, part = free_name(used, "xl/worksheets/sheet{}.xml")
        self._wb_rels, rid = add_relationship(self._wb_rels, "worksheet", part.removeprefix("xl/"))
        self._workbook = _add_sheet(self._workbook, sheet, rid, hidden)
        self._new[sheet], self._parts[sheet], self._kinds[sheet] = part, part, "worksheet"
        self._base[sheet], self._xml[sheet] = SheetData(sheet, [], []), NEW_SHEET.encode()
        self._prepared = None

    def set_defined_name(self, name: str, sheet: str, ref: str) -> None:
        self._check(sheet)
        self._workbook = set_defined_name(self._workbook, name, sheet, ref)
        self._names[name] = (sheet, ref.replace("$", ""))
        self._names_changed = True
        self._prepared = None

    def write_block(self, sheet: str, anchor: str, rows: list[list[Any]], *, clear: tuple[int, int] = (0, 0)) -> None:
        patch = self._patch(sheet)
        row0, col0 = parse_ref(anchor)
        n_rows, n_cols = clear
        if n_rows > 0 and n_cols > 0:
            rect = (row0, col0, row0 + n_rows - 1, col0 + n_cols - 1)
            patch.cleared.append(rect)
            for (r, c) in patch.cells:
                if rect[0] <= r <= rect[2] and rect[1] <= c <= rect[3]:
                    patch.cells[(r, c)] = None
        for i, values in enumerate(rows):
            for j, value in enumerate(values):
                patch.cells[(row0 + i, col0 + j)] = value

    def write_cells(self, sheet: str, values: dict[str, Any]) -> None:
        patch = self._patch(sheet)
        for ref, value in values.items():
            patch.cells[parse_ref(ref)] = value

    def _style_book(self) -> StyleBook:
        if self._styles is None:
            if self._styles_part is None or self._styles_part not in self._members:
                raise errors.EngineUnsupported(f"“{self.label}”没有样式表（styles.xml），无法就地写入填充色。")
            with zipfile.ZipFile(self.path) as zf:
                self._styles = StyleBook(zf.read(self._styles_part).decode("utf-8"))
        return self._styles

    def _sheet_xml(self, sheet: str) -> bytes:
        if sheet not in self._xml:
            with zipfile.ZipFile(self.path) as zf:
                self._xml[sheet] = zf.read(self._parts[sheet])
        return self._xml[sheet]

    def set_styles(self, sheet: str, styles: dict[str, CellStyle]) -> None:
        """Recorded now, applied at ``prepare`` after the fills (``styles_xml``: number formats,
        fonts, alignment, rules derived from each cell's format, cells' ``s``)."""
        self._patch(sheet)
        pending = self._cell_styles.setdefault(sheet, {})
        for ref, st in styles.items():
            pending[parse_ref(ref)] = st

    def fills(self, sheet: str, cells: list[str]) -> dict[str, str | None]:
        self._check(sheet)
        book = self._style_book()
        patch = self._patches.get(sheet)
        keys = {ref: parse_ref(ref) for ref in cells}
        styles = cell_styles(self._sheet_xml(sheet), list(keys.values()))
        out: dict[str, str | None] = {}
        for ref, key in keys.items():
            fmt = patch.formats.get(key) if patch is not None else None
            out[ref] = book.fill_color(styles[key]) if fmt is None or fmt.fill is KEEP else fmt.fill  # type: ignore[assignment]
        return out

    def set_fill(self, sheet: str, cells: list[str], color: str | None) -> None:
        self._style_book()
        patch = self._patch(sheet)
        change = CellFormat(fill=color.upper() if color else None)
        for ref in cells:
            key = parse_ref(ref)
            patch.formats[key] = patch.formats.get(key, CellFormat()).then(change)

    def _sheet_notes(self, sheet: str) -> SheetNotes:
        self._check(sheet)
        if sheet not in self._notes:
            if sheet in self._new:
                self._notes[sheet] = SheetNotes(self._parts[sheet], None, None, {}, set())
            else:
                part = self._parts[sheet]
                with zipfile.ZipFile(self.path) as zf:
                    def read(name: str) -> bytes | None:
                        if name == part:
                            return self._sheet_xml(sheet)  # a ledger's part: inflated once per job
                        return zf.read(name) if name in self._members else None
                    self._notes[sheet] = load_notes(part, read)
        return self._notes[sheet]

    def notes(self, sheet: str, cells: list[str]) -> dict[str, str | None]:
        notes = self._sheet_notes(sheet)
        return {ref: notes.get(ref) for ref in cells}

    def set_note(self, sheet: str, cell: str, text: str | None) -> None:
        self._patch(sheet)
        self._sheet_notes(sheet).set(cell, text or None)

    def bar_chart(self, sheet: str, name: str, anchor: str, categories: str, values: str, title: str) -> None:
        from xladdin.engines.xlsx.chart import ChartSpec, sheet_drawing

        self._patch(sheet)
        if sheet in self._new:
            has_chart = False
        else:
            with zipfile.ZipFile(self.path) as zf:
                _, has_chart = sheet_drawing(zf, self._parts[sheet])
        if has_chart:
            return  # it references the region's cells: the new values redraw it
        self._charts[sheet] = ChartSpec(sheet, anchor, categories, values, title)  # joins a drawing it has

    def status(self, text: str) -> None:
        if self._progress is not None:
            self._progress(text)

    # ---- saving ------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Build every changed member now (raises ``EngineUnsupported`` before anything is written)."""
        if self._prepared is not None:
            return
        t0 = time.perf_counter()
        changes: dict[str, bytes | None] = {}
        workbook = self._workbook
        calc_chain_stale = False
        restyle = None
        if any(p.formats for p in self._patches.values()):
            book = self._style_book()

            def restyle(s: int, fmt: CellFormat) -> int:
                return book.derive(s, fmt)
        # a large sheet part starts deflating (other threads) as soon as no later step changes it,
        # while the other parts are built; write_package uses it only if it is the final bytes
        packed: dict[str, Packed] = {}
        later = set(self._cell_styles) | set(self._charts) | set(self._notes)

        def pack(part: str) -> None:
            data = changes.get(part)
            if data is not None and part not in packed and (early := pack_early(data)) is not None:
                packed[part] = early

        with zipfile.ZipFile(self.path) as zf:
            def read(name: str) -> bytes | None:
                return zf.read(name) if name in self._members else None

            for sheet, patch in self._patches.items():
                part = self._parts[sheet]
                old = self._sheet_xml(sheet)
                if not patch.cells and not patch.cleared and not patch.formats:
                    if sheet in self._new:
                        changes[part] = old
                    continue
                result = patch_sheet(old, patch, restyle)
                if result.xml != old or sheet in self._new:  # a re-run writing the same values keeps the original bytes
                    changes[part] = result.xml
                    calc_chain_stale = calc_chain_stale or result.formulas_removed
                    if sheet not in later:
                        pack(part)
            for sheet in self._new:
                changes.setdefault(self._parts[sheet], self._xml[sheet])
            names = self._members | set(changes)
            if self._charts:
                from xladdin.engines.xlsx.chart import add_charts

                add_charts(read, names, self._charts, self._parts, changes)
            for notes in self._notes.values():
                notes.pending = {k: v for k, v in notes.pending.items() if notes.texts.get(k) != v}
                if notes.pending:
                    write_notes(notes, read, names, changes, self._free_vml_block(zf))
                if notes.part not in {self._parts[s] for s in self._cell_styles}:
                    pack(notes.part)
            if self._styles is not None and (styles := self._styles.render()) is not None:
                assert self._styles_part is not None
                changes[self._styles_part] = styles.encode("utf-8")
            if self._cell_styles:
                self._apply_cell_styles(zf, changes)
            if self._new:
                types = (changes.get(CONTENT_TYPES) or zf.read(CONTENT_TYPES)).decode("utf-8")
                at = types.rindex("</Types>")
                types = types[:at] + "".join(f'<Override PartName="/{part}" ContentType="{CT_WORKSHEET}"/>'
                                             for part in self._new.values()) + types[at:]
                changes[CONTENT_TYPES] = types.encode("utf-8")
                app = app_with_sheets(read, list(self._new))  # docProps/app.xml lists every worksheet
                if app is not None:
                    changes[app[0]] = app[1]
            if any(p.startswith("xl/worksheets/") for p in changes):
                workbook = set_calc_full(workbook)
            wb_rels = self._wb_rels
            chain = next((t for typ, t in rels_targets(wb_rels, WORKBOOK).values() if typ == "calcChain"), None)
            if calc_chain_stale and chain is not None and chain in self._members:
                types = (changes.get(CONTENT_TYPES) or zf.read(CONTENT_TYPES)).decode("utf-8")
                wb_rels, types = drop_part(wb_rels, types, chain)
                changes[CONTENT_TYPES], changes[chain] = types.encode(), None
            if wb_rels != self._wb_rels_orig:
                changes[WORKBOOK_RELS] = wb_rels.encode("utf-8")
        if workbook != self._workbook_orig:
            changes[WORKBOOK] = workbook.encode("utf-8")
        replaced = {k: v for k, v in changes.items() if k in self._members}
        added = {k: v for k, v in changes.items() if k not in self._members and v is not None}
        self._prepared = (replaced, added, packed)
        self.timings["prepare"] = time.perf_counter() - t0

    def _free_vml_block(self, zf: zipfile.ZipFile) -> int:
        """An ``o:idmap`` block (1024 shape ids) no VML drawing of the workbook uses."""
        used = [0]
        for name in self._members:
            if name.lower().endswith(".vml"):
                for data in re.findall(rb'<o:idmap\b[^>]*\bdata="([\d,\s]+)"', zf.read(name)):
                    used += [int(x) for x in data.replace(b" ", b"").split(b",") if x]
        return max(used) + 1 + len(self._notes)

    def _apply_cell_styles(self, zf: zipfile.ZipFile, changes: dict[str, bytes | None]) -> None:
        """``set_styles`` on top of the patched sheets and the styles.xml the fills left."""
        from xladdin.engines.xlsx.styles_xml import StyleBook as CellStyleBook
        from xladdin.engines.xlsx.styles_xml import restyle

        if self._styles_part is None or self._styles_part not in self._members:
            raise errors.EngineUnsupported(f"“{self.label}”没有样式表（styles.xml），无法就地设置格式。")
        current = changes.get(self._styles_part) or zf.read(self._styles_part)
        book = CellStyleBook(current.decode("utf-8"))
        for sheet, styles in self._cell_styles.items():
            part = self._parts[sheet]
            old = self._sheet_xml(sheet)
            base = changes.get(part) or old
            xml = restyle(base, styles, book.derive)
            if xml != old:
                changes[part] = xml
        if book.changed:
            changes[self._styles_part] = book.xml().encode("utf-8")

    def save(self, output: Path | str | None = None) -> Path:
        self.prepare()
        assert self._prepared is not None
        replaced, added, packed = self._prepared
        target = Path(output) if output is not None else self.path
        if not replaced and not added and target == self.path:
            return target  # nothing changed: the file stays byte-identical
        self.status(f"正在保存 {target.name} …")
        t0 = time.perf_counter()
        safety.atomic_write(target, lambda tmp: write_package(self.path, tmp, replaced, added, packed))
        self.timings["write"] = time.perf_counter() - t0
        return target

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._pending.clear()
        if self._cal is not None:
            self._cal.close()
            self._cal = None



def _add_sheet(workbook: str, name: str, rid: str, hidden: bool) -> str:
    """workbook.xml with ``<sheet>`` ``name`` appended to ``<sheets>`` (next free sheetId)."""
    root = re.search(r"<(\w+:)?workbook\b[^>]*>", workbook)
    if root is None:
        raise errors.EngineUnsupported("workbook.xml 无法识别，不能新建工作表。")
    p = root.group(1) or ""
    declared = re.search(r'xmlns:(\w+)="' + re.escape(REL_NS) + '"', root.group(0))
    rel = f'{declared.group(1)}:id="{rid}"' if declared else f'xmlns:r="{REL_NS}" r:id="{rid}"'
    ids = [int(x) for x in re.findall(r"<(?:\w+:)?sheet\b[^>]*?\ssheetId=\"(\d+)\"", workbook)]
    state = ' state="hidden"' if hidden else ""
    element = f'<{p}sheet name="{_attr(name)}" sheetId="{max(ids, default=0) + 1}"{state} {rel}/>'
    close = "</" + p + "sheets>"
    if close not in workbook:
        raise errors.EngineUnsupported("workbook.xml 没有 sheets 列表，不能新建工作表。")
    at = workbook.index(close)
    return workbook[:at] + element + workbook[at:]


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
