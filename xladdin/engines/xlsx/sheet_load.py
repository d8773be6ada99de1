"""One sheet of a workbook read for an in-place job: its values (calamine) and its part's XML.

Shared by the patch engine (its reads and its prefetch thread) and the early read of a ledger
(``early_read``), so both give the same ``SheetData`` for the same bytes. Imports the standard
library, python-calamine (through ``calamine_read``) and the sheet XML scanner only.
"""

from __future__ import annotations

import io
import threading
import zipfile
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Any

from xladdin.core.sheet import SheetData
from xladdin.engines.xlsx.calamine_read import in_background, open_workbook, overlay_cells, read_sheet
from xladdin.engines.xlsx.sheet_xml import formula_cells

__all__ = ["GATE_WAIT", "SCAN_APART", "load_sheet"]

SCAN_APART = 4 * 2**20  # a sheet part this large is inflated and scanned beside calamine's parse
GATE_WAIT = 10.0  # seconds a gated scan waits at most for its gate


def _source(data: Path | bytes) -> Path | io.BytesIO:
    return data if isinstance(data, Path) else io.BytesIO(data)  # a BytesIO per reader: each seeks


def load_sheet(data: Path | bytes, part: str, sheet: str, label: str, *, size: int, worksheet: bool,
               cached_values: bool, cal: Any = None, gate: threading.Event | None = None) -> tuple[SheetData, bytes]:
    """``sheet`` (its zip member ``part``, ``size`` bytes uncompressed) of the workbook at path or in
    bytes ``data``, and the part's XML. ``cached_values``: formula cells read as their cached
    results; else (a job that writes) as their formula text, as the file engine reads them.
    ``cal``: an open calamine workbook on the same file, or None to open one here.
    ``gate``: a large part's scan (Python, holding the GIL) starts only once it is set (or after
    ``GATE_WAIT`` seconds): the early read keeps it from slowing the job's imports."""

    def inflate() -> bytes:
        with zipfile.ZipFile(_source(data)) as zf:
            return zf.read(part)

    def overlay(xml: bytes) -> dict[tuple[int, int], str]:
        """What goes over calamine's values: error values; formulas without a cached value when
        cached values are read, else every formula (cached results may be stale once we write:
        the formula, as FileEngine reads a writable file)."""
        found = overlay_cells(_source(data), sheet, xml=xml, formulas=cached_values)
        if not cached_values and worksheet and (b"<f" in xml or b":f" in xml):
            found.update(formula_cells(xml))
        return found

    # a large part is inflated and scanned (zlib, then Python) on other threads while calamine
    # parses (Rust, without the GIL): on a 30,000-row ledger (64 MB, 120,000 formulas) that is
    # half a second beside a second
    xml_ready: Future[bytes]
    cells: Future[dict[tuple[int, int], str]]
    if size > SCAN_APART:
        xml_ready = in_background(inflate)

        def scan() -> dict[tuple[int, int], str]:
            xml = xml_ready.result()
            if gate is not None:
                gate.wait(GATE_WAIT)
            return overlay(xml)
        cells = in_background(scan)
    else:
        xml_ready = Future()
        xml_ready.set_result(inflate())
        cells = Future()
        cells.set_result(overlay(xml_ready.result()))
    own = open_workbook(_source(data), label) if cal is None else None
    try:
        base = read_sheet(cal or own, _source(data), sheet, label, cells=cells)
    finally:
        if own is not None:
            own.close()
        wait([cells])  # no scan outlives the read, even when the parse fails
    return base, xml_ready.result()
