"""The file engine: .xlsx/.xlsm workbooks on disk through openpyxl (writes) and calamine (fast reads).

Imports openpyxl and python-calamine; everything else goes through ``xladdin.engines.guards.vetting`` so that
a file is inspected (zip bomb, encryption, entity attacks) before any parser sees it, content
openpyxl would drop is detected before a writable open, and saves are atomic. openpyxl and
calamine exceptions are translated into ``xladdin.errors`` here, at the seam.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from xladdin import errors
from xladdin.core.sheet import SheetData
from xladdin.engines.base import ALL_WRITES, CellStyle, Formula, Link
from xladdin.engines.guards import vetting as safety
from xladdin.engines.xlsx.calamine_read import open_workbook, read_sheet, translate
from xladdin.engines.xlsx.package import defined_names

__all__ = ["FileEngine"]

_MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam")


class FileEngine:
    """An ``Engine`` over one workbook file.

    ``writable=False`` (default) reads with python-calamine and never touches the file;
    ``writable=True`` loads with openpyxl, refuses if saving would lose content (unless
    ``allow_loss``), and ``save()`` replaces the file atomically (or writes ``output``).
    """

    def __init__(self, path: Path | str, *, writable: bool = False, password: str | None = None,
                 allow_loss: bool = False, progress: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.label = self.path.name
        self.capabilities = ALL_WRITES
        self.writable = writable
        self._progress = progress
        self._data: io.BytesIO | None = None
        self._password = password or None  # kept: save() encrypts with it again
        if password:
            self._data = safety.decrypt(self.path, password)
            safety.check_zip(self._data, self.label)
        else:
            safety.inspect_package(self.path)
        self._wb: Any = None
        self._cal: Any = None
        self._cache: dict[str, SheetData] = {}
        self._names: dict[str, tuple[str, str] | None] | None = None
        if writable:
            if self._data is None and not allow_loss:
                from xladdin.engines.xlsx.risks import package_risks, risk_texts

                # charts: openpyxl re-generates them on save (kept, styling may be simplified), and
                # the 排名 chart is ours, recreated every run; everything else listed is refused
                lost = risk_texts([r for r in package_risks(self.path) if r.key != "charts"])
                if lost:
                    raise errors.ContentWouldBeLost(
                        f"“{self.label}”含有本工具保存时会丢失的内容：{'；'.join(lost)}。为避免损坏台账，未做任何修改。"
                        "可用 --output 写入新文件，或在 Excel 中移除这些内容后再试。",
                        lost,
                    )
            self._load_openpyxl()

    # ---- opening -----------------------------------------------------------------------------
    def _source(self) -> Any:
        if self._data is not None:
            self._data.seek(0)
            return self._data
        return self.path

    def _load_openpyxl(self) -> None:
        import openpyxl

        keep_vba = self.path.suffix.lower() in _MACRO_SUFFIXES
        try:
            self._wb = openpyxl.load_workbook(self._source(), keep_vba=keep_vba, rich_text=False)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError, IndexError) as exc:
            raise translate(exc, self.label) from exc
        except Exception as exc:  # defusedxml and lxml parse errors have no common base
            raise translate(exc, self.label) from exc

    def _calamine(self) -> Any:
        if self._cal is None:
            self._cal = open_workbook(self._data if self._data is not None else self.path, self.label)
        return self._cal

    # ---- reading -----------------------------------------------------------------------------
    def sheet_names(self) -> list[str]:
        if self._wb is not None:
            return list(self._wb.sheetnames)
        return list(self._calamine().sheet_names)

    def prefetch(self, sheet: str) -> None:
        """Nothing: reads here are one calamine parse each, cached; nothing to overlap."""

    def read(self, sheet: str) -> SheetData:
        if sheet not in self.sheet_names():
            raise errors.SheetNotFound(f"“{self.label}”中没有工作表“{sheet}”。")
        if self._wb is not None:
            return self._read_openpyxl(sheet)
        if sheet not in self._cache:
            self._cache[sheet] = self._read_calamine(sheet)
        return self._cache[sheet]

    def _read_calamine(self, sheet: str) -> SheetData:
        return read_sheet(self._calamine(), self._data if self._data is not None else self.path, sheet, self.label)

    def _read_openpyxl(self, sheet: str) -> SheetData:
        ws = self._wb[sheet]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        return SheetData(sheet, rows, merges)

    # ---- writing -----------------------------------------------------------------------------
    def _ws(self, sheet: str) -> Any:
        if self._wb is None:
            raise errors.UsageError(f"“{self.label}”以只读方式打开，不能写入。")
        if sheet not in self._wb.sheetnames:
            raise errors.SheetNotFound(f"“{self.label}”中没有工作表“{sheet}”。")
        return self._wb[sheet]

    def ensure_sheet(self, sheet: str, *, hidden: bool = False) -> None:
        if self._wb is None:
            raise errors.UsageError(f"“{self.label}”以只读方式打开，不能写入。")
        if sheet not in self._wb.sheetnames:
            ws = self._wb.create_sheet(sheet)
            if hidden:
                ws.sheet_state = "hidden"

    def defined_name(self, name: str) -> tuple[str, str] | None:
        if self._wb is None:  # read-only: straight from workbook.xml, no openpyxl load
            if self._names is None:
                with zipfile.ZipFile(self._source()) as zf:
                    self._names = defined_names(zf.read("xl/workbook.xml").decode("utf-8"))
            return self._names.get(name)
        dn = self._wb.defined_names.get(name)
        if dn is None:
            return None
        for sheet, ref in dn.destinations:
            return sheet, ref.replace("$", "")
        return None

    def set_defined_name(self, name: str, sheet: str, ref: str) -> None:
        from openpyxl.utils import absolute_coordinate, quote_sheetname
        from openpyxl.workbook.defined_name import DefinedName

        if self._wb is None:
            raise errors.UsageError(f"“{self.label}”以只读方式打开，不能写入。")
        self._wb.defined_names[name] = DefinedName(name, attr_text=f"{quote_sheetname(sheet)}!{absolute_coordinate(ref)}")

    def write_block(self, sheet: str, anchor: str, rows: list[list[Any]], *, clear: tuple[int, int] = (0, 0)) -> None:
        from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

        ws = self._ws(sheet)
        letters, row0 = coordinate_from_string(anchor)
        col0 = column_index_from_string(letters)
        n_rows, n_cols = clear
        for r in range(row0, row0 + n_rows):
            for c in range(col0, col0 + n_cols):
                cell = ws.cell(row=r, column=c)
                if cell.hyperlink is not None:
                    cell.hyperlink = None
                cell.value = None
        for i, values in enumerate(rows):
            for j, value in enumerate(values):
                self._set(ws.cell(row=row0 + i, column=col0 + j), value)

    def write_cells(self, sheet: str, values: dict[str, Any]) -> None:
        ws = self._ws(sheet)
        for ref, value in values.items():
            self._set(ws[ref], value)

    @staticmethod
    def _set(cell: Any, value: Any) -> None:
        from openpyxl.worksheet.hyperlink import Hyperlink

        if isinstance(value, Formula):
            cell.value = value.text
        elif isinstance(value, Link):
            cell.value = value.text
            cell.data_type = "s"
            cell.hyperlink = Hyperlink(ref=cell.coordinate, location=value.target, display=value.text)
        elif isinstance(value, str):
            cell.value = value
            cell.data_type = "s"  # never a formula, error literal or hyperlink
        else:
            cell.value = value

    def fills(self, sheet: str, cells: list[str]) -> dict[str, str | None]:
        ws = self._ws(sheet)
        out: dict[str, str | None] = {}
        for ref in cells:
            fill = ws[ref].fill
            rgb = getattr(fill.fgColor, "rgb", None) if fill is not None and fill.fill_type == "solid" else None
            out[ref] = rgb[-6:].upper() if isinstance(rgb, str) else None
        return out

    def set_fill(self, sheet: str, cells: list[str], color: str | None) -> None:
        from openpyxl.styles import PatternFill

        ws = self._ws(sheet)
        fill = PatternFill(fill_type="solid", fgColor="FF" + color.upper()) if color else PatternFill(fill_type=None)
        for ref in cells:
            ws[ref].fill = fill

    def notes(self, sheet: str, cells: list[str]) -> dict[str, str | None]:
        ws = self._ws(sheet)
        return {ref: (ws[ref].comment.text if ws[ref].comment is not None else None) for ref in cells}

    def set_note(self, sheet: str, cell: str, text: str | None) -> None:
        from openpyxl.comments import Comment

        ws = self._ws(sheet)
        ws[cell].comment = Comment(text, "xladdin", width=260, height=110) if text else None

    def set_styles(self, sheet: str, styles: dict[str, CellStyle]) -> None:
        from openpyxl.styles import Alignment, Border, Font, Side

        ws = self._ws(sheet)
        cache: dict[tuple[Any, CellStyle], tuple[Any, Any, Any]] = {}
        for ref, st in styles.items():
            cell = ws[ref]
            if st.number_format is not None:
                cell.number_format = st.number_format
            key = (cell.style_id, st)
            if key not in cache:
                f = cell.font
                font = Font(name=st.font or f.name, size=st.size or f.size, bold=f.bold if st.bold is None else st.bold,
                            color=("FF" + st.color.upper()) if st.color else f.color, charset=f.charset,
                            family=f.family, italic=f.italic, underline=f.underline)
                a = cell.alignment
                align = Alignment(horizontal=st.align or a.horizontal, vertical=a.vertical or "center",
                                  wrap_text=a.wrap_text if st.wrap is None else st.wrap, indent=a.indent)
                border = cell.border
                if st.border is not None or st.thick is not None:
                    color = "FF" + (st.border_color or "000000").upper()

                    def side(k: str, st: CellStyle = st, color: str = color) -> Side:
                        if k in (st.thick or ""):
                            return Side(style="medium", color=color)
                        return Side(style="thin", color=color) if k in (st.border or "") else Side()

                    border = Border(top=side("t"), bottom=side("b"), left=side("l"), right=side("r"))
                cache[key] = (font, align, border)
            cell.font, cell.alignment, cell.border = cache[key]

    def bar_chart(self, sheet: str, name: str, anchor: str, categories: str, values: str, title: str) -> None:
        from openpyxl.chart import BarChart, Reference
        from openpyxl.utils.cell import range_boundaries

        ws = self._ws(sheet)
        ws._charts = [c for c in ws._charts if _anchor_of(c) != anchor]  # ours: recreated each run
        chart = BarChart()
        chart.type = "bar"
        chart.title = title
        chart.legend = None
        chart.height = 13  # tall enough for every unit's label (tickLblSkip 1)
        chart.width = 16
        c1, r1, c2, r2 = cast(tuple[int, int, int, int], range_boundaries(values))
        chart.add_data(Reference(ws, min_col=c1, min_row=r1, max_col=c2, max_row=r2), titles_from_data=False)
        k1, q1, k2, q2 = cast(tuple[int, int, int, int], range_boundaries(categories))
        chart.set_categories(Reference(ws, min_col=k1, min_row=q1, max_col=k2, max_row=q2))
        chart.y_axis.numFmt = "0.0%"
        chart.y_axis.delete = False
        chart.x_axis.delete = False
        chart.x_axis.tickLblSkip = 1
        ws.add_chart(chart, anchor)

    def status(self, text: str) -> None:
        if self._progress is not None:
            self._progress(text)

    def save(self, output: Path | str | None = None) -> Path:
        if self._wb is None:
            raise errors.UsageError(f"“{self.label}”以只读方式打开，不能保存。")
        target = Path(output) if output is not None else self.path
        self.status(f"正在保存 {target.name} …")
        if self._password is not None:  # opened with its password: saved with it, never as a plain copy
            password = self._password

            def write_encrypted(tmp: Path) -> None:
                buffer = io.BytesIO()
                self._wb.save(buffer)
                safety.encrypt_to(buffer.getvalue(), password, tmp)

            safety.atomic_write(target, write_encrypted)
        else:
            safety.atomic_write(target, lambda tmp: self._wb.save(tmp))
        return target

    def close(self) -> None:
        if self._wb is not None:
            self._wb.close()
            archive = getattr(self._wb, "vba_archive", None)  # keep_vba leaves it open
            if archive is not None:
                archive.close()
        if self._cal is not None:
            self._cal.close()


def _anchor_of(chart: Any) -> str | None:
    from openpyxl.utils import get_column_letter

    if isinstance(getattr(chart, "anchor", None), str):  # added in this session: openpyxl keeps the "F2" given
        return str(chart.anchor).upper()
    marker = getattr(getattr(chart, "anchor", None), "_from", None)
    if marker is None:
        return None
    return f"{get_column_letter(marker.col + 1)}{marker.row + 1}"


def stderr_progress(text: str) -> None:
    """Progress printer for the CLI."""
    print(text, file=sys.stderr, flush=True)
