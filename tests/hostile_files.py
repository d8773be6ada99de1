"""Builders of broken and hostile workbooks, made at test time in a temp folder (nothing committed).

Imported as ``from tests import hostile_files as hf``. Each builder returns the path it wrote.
"""

from __future__ import annotations

import shutil
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import openpyxl

SHEET = "xl/worksheets/sheet1.xml"


def plain(path: Path, rows: list[list[object]] | None = None, title: str = "项目台账") -> Path:
    """A small ordinary workbook written by openpyxl."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows or [["项目名称", "总投资"], ["城区污水管网改造", 1200.5], ["新能源产业园", 35000]]:
        ws.append(row)
    wb.save(path)
    return path


def rewrite(
    src: Path, dst: Path, edit: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None
) -> Path:
    """Copy the zip ``src`` to ``dst`` passing each member through ``edit`` (None drops it); add ``extra``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            zout.writestr(name, data)
    return dst


def not_a_zip(path: Path) -> Path:
    path.write_text("项目名称,总投资\n污水管网,1200\n", encoding="utf-8")
    return path


def truncated(path: Path) -> Path:
    plain(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def zip_not_workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "不是工作簿")
    return path


class _RepeatingDeflater:
    """Stands in for zipfile's zlib compressor: deflates ``chunk`` once (full flush, so blocks are
    independent) and returns those bytes each time the same chunk is written again. Makes a
    1 GiB bomb in about a second instead of twenty."""

    def __init__(self, chunk: bytes) -> None:
        self.chunk = chunk
        z = zlib.compressobj(9, zlib.DEFLATED, -15)
        self.block = z.compress(chunk) + z.flush(zlib.Z_FULL_FLUSH)

    def compress(self, data: bytes) -> bytes:
        if data is self.chunk:
            return self.block
        z = zlib.compressobj(9, zlib.DEFLATED, -15)
        return z.compress(data) + z.flush(zlib.Z_FULL_FLUSH)

    def flush(self) -> bytes:
        return zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block


def zip_bomb(path: Path, size: int = 1100 * 2**20, member: str = SHEET) -> Path:
    """A real workbook package whose sheet part truly inflates to ``size`` bytes (default 1.1 GiB,
    about 1 MB on disk): XML header then spaces."""
    base = path.with_name(path.stem + "-base.xlsx")
    plain(base)
    chunk = b" " * (8 * 2**20)
    with zipfile.ZipFile(base) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != member:
                zout.writestr(info.filename, zin.read(info))
        head = b'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        with zout.open(member, "w", force_zip64=True) as out:
            out._compressor = _RepeatingDeflater(chunk)  # type: ignore[attr-defined]
            out.write(head)
            left = size - len(head)
            while left >= len(chunk):
                out.write(chunk)
                left -= len(chunk)
            out.write(b" " * left)
    base.unlink()
    return path


BILLION_LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)

XXE = (
    b'<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
)


def entity_attack(path: Path, payload: bytes = BILLION_LAUGHS, pad: int = 0) -> Path:
    """Replace the sheet XML by ``payload``; ``pad`` inserts that many spaces (and a comment) before
    the DOCTYPE to push it past a naive prefix check."""
    base = plain(path.with_name(path.stem + "-base.xlsx"))
    if pad:
        decl, rest = payload.split(b"\n", 1)
        payload = decl + b"\n<!-- " + b" " * pad + b" -->\n" + rest
    rewrite(base, path, lambda name, data: payload if name == SHEET else data)
    base.unlink()
    return path


def encrypted(path: Path, password: str) -> Path:
    """An ordinary workbook encrypted with an open password (ECMA-376 agile, as Excel does)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    base = plain(path.with_name(path.stem + "-plain.xlsx"))
    with base.open("rb") as src, path.open("wb") as out:
        OOXMLFile(src).encrypt(password, out)
    base.unlink()
    return path


def office_xlsm(path: Path) -> Path:
    """An Office-authored blank .xlsm with a real vbaProject.bin (pyopenvba's template)."""
    import pyopenvba

    template = Path(pyopenvba.__file__).parent / "_templates" / "blank_files" / "blank_workbook.xlsm"
    shutil.copyfile(template, path)
    return path


_DRAWING = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
 xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">
<xdr:twoCellAnchor><xdr:from><xdr:col>1</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>
<xdr:to><xdr:col>4</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>4</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>
<xdr:sp><xdr:nvSpPr><xdr:cNvPr id="2" name="TextBox 1"/><xdr:cNvSpPr txBox="1"/></xdr:nvSpPr><xdr:spPr/>
<xdr:txBody><a:bodyPr/><a:p><a:r><a:t>请各单位于每月5日前报送</a:t></a:r></a:p></xdr:txBody></xdr:sp><xdr:clientData/></xdr:twoCellAnchor>
<xdr:twoCellAnchor><xdr:from><xdr:col>5</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>1</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:from>
<xdr:to><xdr:col>7</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>4</xdr:row><xdr:rowOff>0</xdr:rowOff></xdr:to>
<xdr:grpSp><xdr:nvGrpSpPr><xdr:cNvPr id="3" name="Group 2"/><xdr:cNvGrpSpPr/></xdr:nvGrpSpPr><xdr:grpSpPr/>
<xdr:sp><xdr:nvSpPr><xdr:cNvPr id="4" name="Arrow 3"/><xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr/></xdr:sp>
<xdr:sp><xdr:nvSpPr><xdr:cNvPr id="5" name="Oval 4"/><xdr:cNvSpPr/></xdr:nvSpPr><xdr:spPr/></xdr:sp>
</xdr:grpSp><xdr:clientData/></xdr:twoCellAnchor>
</xdr:wsDr>""".encode()

_SHEET_EXT = (
    b'<ignoredErrors><ignoredError sqref="B2:B3" numberStoredAsText="1"/></ignoredErrors>'
    b'<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
    b'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    b'<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    b"<x14:sparklineGroup><x14:sparklines><x14:sparkline><xm:f>Sheet1!B2:B3</xm:f><xm:sqref>C2</xm:sqref>"
    b"</x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext></extLst>"
)


def with_extras(path: Path) -> Path:
    """A workbook carrying parts openpyxl drops: a text box and a grouped shape in a drawing, a form
    control, a slicer, customXml, a data connection, a sparkline and ignoredErrors in the sheet."""
    base = plain(path.with_name(path.stem + "-base.xlsx"))

    def edit(name: str, data: bytes) -> bytes:
        if name == SHEET:
            return data.replace(b"</worksheet>", _SHEET_EXT + b"</worksheet>")
        return data

    rewrite(
        base,
        path,
        edit,
        {
            "xl/drawings/drawing1.xml": _DRAWING,
            "xl/ctrlProps/ctrlProp1.xml": b'<?xml version="1.0"?><formControlPr xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main" objectType="Button"/>',
            "xl/slicers/slicer1.xml": b'<?xml version="1.0"?><slicers xmlns="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"/>',
            "customXml/item1.xml": b'<?xml version="1.0"?><data/>',
            "xl/connections.xml": b'<?xml version="1.0"?><connections xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
        },
    )
    base.unlink()
    return path


def kill_while_saving(script: str, path: Path) -> None:
    """Run ``script`` (argv[1] = ``path``) in a fresh interpreter; once it prints ``SAVED-TEMP`` — the
    temporary copy is complete but not yet moved over the original — SIGKILL it, as a power cut would."""
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("SAVED-TEMP"), line
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
