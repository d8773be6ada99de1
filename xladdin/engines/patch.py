"""The patch engine: in-place jobs that rewrite only the zip members they change.

Imports python-calamine (through ``calamine_read``) and the standard library; no openpyxl.
Reads are calamine's (fast), formula cells as their formula text (as the writable file
engine reads them: cached results go stale once a job writes), with pending writes overlaid; ``save()`` patches the touched
``xl/worksheets/sheetN.xml`` parts cell by cell (``sheet_xml``), edits ``xl/workbook.xml`` as text
(defined names, ``fullCalcOnLoad``), and copies every other member as its raw compressed bytes.
Nothing is re-serialised, so shapes, x14 extensions, slicers, VBA, cached values of untouched
formulas … survive; the file engine's content-loss refusal does not apply here.

Strings are written as inline strings (``sharedStrings.xml`` never changes), ``Formula`` as
``<f>`` without a cached value. Because written values make other formulas' cached values stale,
any save that changed a cell sets ``fullCalcOnLoad="1"`` so Excel recalculates on open; if a
formula cell was overwritten, the stale ``calcChain.xml`` is dropped (Excel rebuilds it).

What it cannot do losslessly raises ``errors.EngineUnsupported`` and the caller reruns the job
with ``FileEngine`` (see ``jobs.common.run_in_place``): creating sheets, fills, notes, a chart on
a sheet that already has other drawings. ``bar_chart`` on a sheet that already has a chart does
nothing: the chart references the ranking region's cells, so the new values redraw it; without
one, a bar chart part is added (``patch_chart``).
"""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from xladdin import errors
from xladdin.core.sheet import SheetData, parse_ref
from xladdin.engines.base import Formula, Link
from xladdin.engines.guards import vetting as safety
from xladdin.engines.xlsx.calamine_read import open_workbook, read_sheet
from xladdin.engines.xlsx.package import (
    defined_names,
    drop_part,
    rels_targets,
    set_calc_full,
    set_defined_name,
    sheet_entries,
    write_package,
)
from xladdin.engines.xlsx.sheet_xml import Patch, formula_cells, patch_sheet

__all__ = ["PatchEngine"]

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
CONTENT_TYPES = "[Content_Types].xml"


class PatchEngine:
    """An ``Engine`` over one .xlsx/.xlsm file for in-place jobs; see the module docstring."""

    def __init__(self, path: Path | str, *, progress: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.label = self.path.name
        self._progress = progress
        safety.inspect_package(self.path)
        try:
            with zipfile.ZipFile(self.path) as zf:
                self._members = {i.filename for i in zf.infolist()}
                self._workbook = self._workbook_orig = zf.read(WORKBOOK).decode("utf-8")
                self._wb_rels = zf.read(WORKBOOK_RELS).decode("utf-8")
        except (KeyError, zipfile.BadZipFile, UnicodeDecodeError) as exc:
            raise errors.EngineUnsupported(f"“{self.label}”的工作簿部件无法就地修改：{exc}") from exc
        targets = rels_targets(self._wb_rels, WORKBOOK)
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
        self._prepared: tuple[dict[str, bytes | None], dict[str, bytes]] | None = None
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
        with zipfile.ZipFile(self.path) as zf:
            xml = zf.read(self._parts[sheet])
        own = open_workbook(self.path, self.label) if cal is None else None
        try:
            base = read_sheet(cal or own, self.path, sheet, self.label, xml=xml, formulas=False)
        finally:
            if own is not None:
                own.close()
        has_formulas = self._kinds.get(sheet) == "worksheet" and (b"<f" in xml or b":f" in xml)
        for (r, c), text in (formula_cells(xml) if has_formulas else {}).items():
            while len(base.rows) < r:
                base.rows.append([])
            row = base.rows[r - 1]
            if len(row) < c:
                row.extend([None] * (c - len(row)))
            row[c - 1] = text  # cached results may be stale once we write: the formula, as FileEngine
        return base, xml

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
        if sheet not in self._parts:
            raise errors.EngineUnsupported(f"就地补丁不能新建工作表“{sheet}”。")

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

    def fills(self, sheet: str, cells: list[str]) -> dict[str, str | None]:
        raise errors.EngineUnsupported("就地补丁不读写单元格填充色。")

    def set_fill(self, sheet: str, cells: list[str], color: str | None) -> None:
        raise errors.EngineUnsupported("就地补丁不读写单元格填充色。")

    def notes(self, sheet: str, cells: list[str]) -> dict[str, str | None]:
        raise errors.EngineUnsupported("就地补丁不读写批注。")

    def set_note(self, sheet: str, cell: str, text: str | None) -> None:
        raise errors.EngineUnsupported("就地补丁不读写批注。")

    def bar_chart(self, sheet: str, name: str, anchor: str, categories: str, values: str, title: str) -> None:
        from xladdin.engines.xlsx.chart import ChartSpec, sheet_drawing

        self._patch(sheet)
        with zipfile.ZipFile(self.path) as zf:
            has_drawing, has_chart = sheet_drawing(zf, self._parts[sheet])
        if has_chart:
            return  # it references the region's cells: the new values redraw it
        if has_drawing:
            raise errors.EngineUnsupported(f"“{sheet}”已有图形，就地补丁不能再添加图表。")
        self._charts[sheet] = ChartSpec(sheet, anchor, categories, values, title)

    def status(self, text: str) -> None:
        if self._progress is not None:
            self._progress(text)

    # ---- saving ------------------------------------------------------------------------------
    def prepare(self) -> None:
        """Build every changed member now (raises ``EngineUnsupported`` before anything is written)."""
        if self._prepared is not None:
            return
        t0 = time.perf_counter()
        replaced: dict[str, bytes | None] = {}
        added: dict[str, bytes] = {}
        workbook = self._workbook
        calc_chain_stale = False
        with zipfile.ZipFile(self.path) as zf:
            for sheet, patch in self._patches.items():
                if not patch.cells and not patch.cleared:
                    continue
                part = self._parts[sheet]
                old = self._xml.get(sheet) or zf.read(part)
                result = patch_sheet(old, patch)
                if result.xml != old:  # a re-run writing the same values keeps the original bytes
                    replaced[part] = result.xml
                    calc_chain_stale = calc_chain_stale or result.formulas_removed
            if self._charts:
                from xladdin.engines.xlsx.chart import add_charts

                add_charts(zf, self._charts, self._parts, replaced, added)
            if any(p.startswith("xl/worksheets/") for p in replaced):
                workbook = set_calc_full(workbook)
            chain = next((t for typ, t in rels_targets(self._wb_rels, WORKBOOK).values() if typ == "calcChain"), None)
            if calc_chain_stale and chain is not None and chain in self._members:
                types = (replaced.get(CONTENT_TYPES) or zf.read(CONTENT_TYPES)).decode("utf-8")
                rels, types = drop_part(self._wb_rels, types, chain)
                replaced[WORKBOOK_RELS], replaced[CONTENT_TYPES], replaced[chain] = rels.encode(), types.encode(), None
        if workbook != self._workbook_orig:
            replaced[WORKBOOK] = workbook.encode("utf-8")
        self._prepared = (replaced, added)
        self.timings["prepare"] = time.perf_counter() - t0

    def save(self, output: Path | str | None = None) -> Path:
        self.prepare()
        assert self._prepared is not None
        replaced, added = self._prepared
        target = Path(output) if output is not None else self.path
        if not replaced and not added and target == self.path:
            return target  # nothing changed: the file stays byte-identical
        self.status(f"正在保存 {target.name} …")
        t0 = time.perf_counter()
        safety.atomic_write(target, lambda tmp: write_package(self.path, tmp, replaced, added))
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

