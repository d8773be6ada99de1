"""Fast sheet reads with python-calamine, shared by the file engine and the patch engine.

Imports python-calamine and the standard library. Calamine reads Excel error values (#DIV/0! …)
as empty cells; ``read_sheet`` recovers them from the sheet XML so staff see them as findings.
Exceptions from calamine/zipfile are translated into ``xladdin.errors`` here.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, wait
from pathlib import Path
from typing import Any, TypeVar

from xladdin import errors
from xladdin.core.sheet import Merge, SheetData, parse_ref
from xladdin.engines.xlsx.sheet_xml import formula_cells
from xladdin.engines.xlsx.xml_text import escape

__all__ = ["in_background", "open_workbook", "overlay_cells", "read_sheet", "sheet_part", "translate"]

Source = Path | io.BytesIO
T = TypeVar("T")

_ERROR_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"[^>]*?t="e"[^>]*>(?:<f[^>]*?(?:/>|>.*?</f>))?<v>([^<]*)</v>')


def translate(exc: Exception, label: str) -> errors.XladdinError:
    """A parser's exception as the project error staff understand."""
    name = type(exc).__name__
    if name in ("EntitiesForbidden", "DTDForbidden", "ExternalReferenceForbidden"):
        return errors.HostileWorkbook(f"“{label}”含有不安全的 XML 实体定义（可能是恶意文件），已拒绝读取。")
    if isinstance(exc, errors.XladdinError):
        return exc
    return errors.WorkbookUnreadable(f"无法读取“{label}”：文件已损坏或不是有效的 Excel 工作簿（{name}: {exc}）。")


def _rewind(source: Source) -> Source:
    if isinstance(source, io.BytesIO):
        source.seek(0)
    return source


def open_workbook(source: Source, label: str) -> Any:
    """A ``CalamineWorkbook`` on a path or an in-memory (decrypted) file."""
    from python_calamine import CalamineWorkbook

    try:
        src = _rewind(source)
        return (CalamineWorkbook.from_filelike(src) if isinstance(src, io.BytesIO)
                else CalamineWorkbook.from_path(str(src)))
    except Exception as exc:
        raise translate(exc, label) from exc


def read_sheet(workbook: Any, source: Source, sheet: str, label: str, *, xml: bytes | Future[bytes] | None = None,
               formulas: bool = True, cells: Future[dict[tuple[int, int], str]] | None = None) -> SheetData:
    """All values of ``sheet`` (cached formula values; error values as their text, e.g. "#DIV/0!").
    ``xml``: the sheet part when the caller has it already (or is inflating it: a future, waited
    for after the parse); ``formulas=False`` leaves uncached
    formulas empty (the patch engine overlays every formula itself).

    When the part is not given (the read-only file engine: validate, summary), reading it and
    scanning it for uncached formulas and error values (Python) runs on a second thread while
    calamine parses (Rust, without the GIL): on a 30,000-row ledger each takes about a second.
    The patch engine passes the part; it scans a large part's formulas beside the parse itself
    (``PatchEngine._load``); its error values are scanned here after the parse (one quick pass).
    ``cells``: what goes over calamine's values, computed by the caller (``load_sheet``, beside the
    parse); the parse's values are returned with them written over, and ``xml`` is not scanned."""
    overlay: Future[dict[tuple[int, int], str]] | None = cells
    if overlay is None and xml is None and isinstance(source, Path):  # the read-only engine (validate, summary)
        overlay = in_background(lambda: overlay_cells(source, sheet, formulas=formulas))
    try:
        cs = workbook.get_sheet_by_name(sheet)
        rows = [[None if v == "" else v for v in row] for row in cs.to_python(skip_empty_area=False)]
        merges: list[Merge] = [
            (m[0][0] + 1, m[0][1] + 1, m[1][0] + 1, m[1][1] + 1) for m in (cs.merged_cell_ranges or [])
        ]
    except Exception as exc:
        if overlay is not None:
            wait([overlay])  # the thread ends before the parser's error is raised
        raise translate(exc, label) from exc
    if overlay is not None:
        found = overlay.result()
    else:
        if isinstance(xml, Future):  # the part was being inflated beside the parse
            xml = xml.result()
        found = overlay_cells(source, sheet, xml=xml, formulas=formulas)
    for (r, c), text in found.items():
        while len(rows) < r:
            rows.append([])
        row = rows[r - 1]
        row.extend([None] * (c - len(row)))
        row[c - 1] = text
    return SheetData(sheet, rows, merges)


def in_background(fn: Callable[[], T]) -> Future[T]:
    """``fn()`` on a new daemon thread; its result (or exception) through the returned future."""
    future: Future[T] = Future()

    def run() -> None:
        try:
            future.set_result(fn())
        except BaseException as exc:  # handed to whoever waits for the result
            future.set_exception(exc)

    threading.Thread(target=run, name="xladdin-overlay", daemon=True).start()
    return future


def _sheet_xml(source: Source, sheet: str) -> bytes:
    try:
        with zipfile.ZipFile(_rewind(source)) as zf:
            part = sheet_part(zf, sheet)
            return b"" if part is None else zf.read(part)
    except (KeyError, zipfile.BadZipFile):
        return b""


def overlay_cells(source: Source, sheet: str, *, xml: bytes | None = None,
                  formulas: bool = True) -> dict[tuple[int, int], str]:
    """What calamine reads as empty but a cell does hold: Excel error values ("#DIV/0!") and
    formulas without a cached value ("=SUM(F4:Q4)", as files written by openpyxl or our patch
    engine carry until a spreadsheet recalculates); cells sharing a formula get their group's text."""
    if xml is None:
        xml = _sheet_xml(source, sheet)
    found: dict[tuple[int, int], str] = {}
    if formulas and b"<f" in xml:
        found.update(formula_cells(xml, uncached_only=True))
    if b't="e"' in xml:
        found.update({parse_ref(m.group(1).decode()): m.group(2).decode() for m in _ERROR_CELL.finditer(xml)})
    return found


def sheet_part(zf: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding ``sheet`` (workbook.xml name -> r:id -> rels target)."""
    wb = zf.read("xl/workbook.xml").decode("utf-8")
    m = re.search(r'<(?:\w+:)?sheet\b[^>]*name="' + re.escape(escape(sheet, {'"': "&quot;"})) + r'"[^>]*/>', wb)
    if m is None:
        return None
    rid = re.search(r'r:id="([^"]+)"', m.group(0)) or re.search(r'\bid="([^"]+)"', m.group(0))
    if rid is None:
        return None
    rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    t = re.search(r'<Relationship\b[^>]*Id="' + re.escape(rid.group(1)) + r'"[^>]*/>', rels)
    target = re.search(r'Target="([^"]+)"', t.group(0)) if t else None
    if target is None:
        return None
    path = target.group(1)
    return path.lstrip("/") if path.startswith("/") else "xl/" + path
