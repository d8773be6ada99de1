"""The Excel-facing package guarantees of an in-place job, pinned on the zip bytes (issue 19 item 4).

LibreOffice recalculates every formula in the other tests, so it would hide a dropped
``fullCalcOnLoad`` or a stale ``calcChain.xml``; comparing unzipped content would hide a member that
was inflated and compressed again. Here the demo master is dressed as Excel would leave it — a
``calcChain.xml`` with its content-type override and workbook relationship, no ``fullCalcOnLoad``,
a multi-cell array formula and two hyperlinks (one internal, one external through the sheet's
rels) in the ledger sheet, a formula in a cell the job overwrites — and its members are stored with
three different compressions (stored, deflate level 9, level 1) that no re-compression would
reproduce. Then the real CLI runs ``consolidate`` and ``validate --mark`` on it.
"""

from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from xladdin import errors
from xladdin.cli import main
from xladdin.jobs.session import run_in_place

LEDGER = "xl/worksheets/sheet3.xml"  # 项目台账
LEDGER_RELS = "xl/worksheets/_rels/sheet3.xml.rels"
SUMMARY = "xl/worksheets/sheet5.xml"  # 汇总
FINDINGS = "xl/worksheets/sheet10.xml"  # 校验结果
CHAIN = "xl/calcChain.xml"
CT_CHAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"
REL_CHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
REL_LINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
NS_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
NS_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
STAMP = (2021, 5, 6, 7, 8, 10)  # every member's date: a copied member keeps it
# stored, deflate level 9, deflate level 1: a member inflated and compressed again at zlib's
# default level changes its compressed bytes (and, but for the stored ones, its size)
COMPRESSIONS = ((zipfile.ZIP_STORED, None), (zipfile.ZIP_DEFLATED, 9), (zipfile.ZIP_DEFLATED, 1))

ARRAY_1 = b'<c r="BE1"><f t="array" ref="BE1:BE2">ROW(A1:A2)</f><v>1</v></c>'
ARRAY_2 = b'<c r="BE2"><v>2</v></c>'
LINK_IN = "<hyperlink ref=\"A1\" location=\"'汇总'!A1\" display=\"去汇总\"/>".encode()
LINK_OUT = b'<hyperlink ref="BE1" r:id="rIdLink1"/>'
LINK_REL = (f'<Relationship Id="rIdLink1" Type="{REL_LINK}" Target="http://fgw.example.gov.cn/xm" '
            'TargetMode="External"/>').encode()


def dress(master: Path, dst: Path, overwritten: tuple[str, str, int] | None) -> Path:
    """``master`` as Excel would leave it (see the module docstring). ``overwritten``: (sheet part,
    cell, sheet index) of a formula the job will overwrite, listed in the calcChain; None lists
    only the ledger's array formula, which no job touches."""
    assert sheet_parts(master) | {"项目台账": LEDGER, "汇总": SUMMARY, "校验结果": FINDINGS} == sheet_parts(master)
    chain = [b'<c r="BE1" i="3" a="1"/>']
    extra_cells: dict[str, bytes] = {}
    if overwritten is not None:
        part, cell, index = overwritten
        row = re.sub(r"\D", "", cell)
        extra_cells[part] = b'<row r="%s"><c r="%s"><f>1+1</f><v>2</v></c></row>' % (row.encode(), cell.encode())
        chain.insert(0, b'<c r="%s" i="%d"/>' % (cell.encode(), index))

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            out = data.replace(b' fullCalcOnLoad="1"', b"")
            assert out != data and b"fullCalcOnLoad" not in out
            return out
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(b"</Relationships>",
                                f'<Relationship Id="rId99" Type="{REL_CHAIN}" Target="calcChain.xml"/>'.encode()
                                + b"</Relationships>")
        if name == "[Content_Types].xml":
            return data.replace(b"</Types>", f'<Override PartName="/{CHAIN}" ContentType="{CT_CHAIN}"/>'.encode()
                                + b"</Types>")
        if name == LEDGER:
            data = data.replace(b"<worksheet ", b'<worksheet xmlns:r="http://schemas.openxmlformats.org/'
                                b'officeDocument/2006/relationships" ', 1)
            data = _append_to_row(data, 1, ARRAY_1)
            data = _append_to_row(data, 2, ARRAY_2)
            return data.replace(b"<printOptions", b"<hyperlinks>" + LINK_IN + LINK_OUT + b"</hyperlinks><printOptions", 1)
        if name in extra_cells:
            assert b"</sheetData>" in data
            return data.replace(b"</sheetData>", extra_cells[name] + b"</sheetData>")
        return data

    extra = {CHAIN: b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    + b"".join(chain) + b"</calcChain>",
             LEDGER_RELS: b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                          b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                          + LINK_REL + b"</Relationships>"}
    with zipfile.ZipFile(master) as zin, zipfile.ZipFile(dst, "w") as zout:
        items = [(i.filename, edit(i.filename, zin.read(i))) for i in zin.infolist()] + list(extra.items())
        for n, (name, data) in enumerate(items):
            method, level = COMPRESSIONS[n % len(COMPRESSIONS)]
            zout.writestr(zipfile.ZipInfo(name, STAMP), data, compress_type=method, compresslevel=level)
    return dst


def sheet_parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        book = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.attrib["Id"]: r.attrib["Target"].lstrip("/") for r in rels.iter(NS_REL + "Relationship")}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    return {s.attrib["name"]: targets[s.attrib[rid]] for s in book.iter(NS_MAIN + "sheet")}


def _append_to_row(sheet: bytes, row: int, cell: bytes) -> bytes:
    m = re.search(rb'<row r="%d"[^>]*>.*?</row>' % row, sheet, re.S)
    assert m is not None, row
    at = m.end() - len(b"</row>")
    return sheet[:at] + cell + sheet[at:]


def raw(path: Path, info: zipfile.ZipInfo) -> bytes:
    """A member's compressed bytes as stored in the zip (read at its local header, never inflated)."""
    with path.open("rb") as f:
        f.seek(info.header_offset)
        head = f.read(30)
        assert head[:4] == b"PK\x03\x04"
        name_len, extra_len = struct.unpack("<2H", head[26:30])
        f.seek(name_len + extra_len, 1)
        return f.read(info.compress_size)


def package(path: Path) -> dict[str, tuple[bytes, tuple[object, ...]]]:
    """Each member: (content, (method, CRC, compressed size, size, date, raw compressed bytes))."""
    with zipfile.ZipFile(path) as zf:
        return {i.filename: (zf.read(i), (i.compress_type, i.CRC, i.compress_size, i.file_size, i.date_time,
                                          raw(path, i)))
                for i in zf.infolist()}


def assert_untouched_members_copied_raw(before: dict[str, tuple[bytes, tuple[object, ...]]],
                                        after: dict[str, tuple[bytes, tuple[object, ...]]],
                                        must_be_untouched: set[str]) -> None:
    untouched = {n for n in before if n in after and after[n][0] == before[n][0]}
    assert must_be_untouched <= untouched
    for name in untouched:
        assert after[name][1] == before[name][1], name
    # the check is not vacuous: untouched members of every compression were compared
    assert {before[n][1][0] for n in untouched} == {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED}
    assert any(before[n][1][0] == zipfile.ZIP_STORED for n in untouched)


def calc_pr(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as zf:
        found = ET.fromstring(zf.read("xl/workbook.xml")).find(NS_MAIN + "calcPr")
    assert found is not None
    return dict(found.attrib)


def declared(members: dict[str, tuple[bytes, tuple[object, ...]]]) -> tuple[set[str], set[tuple[str, str]]]:
    """The content-type overrides and the workbook's (relationship type, target) pairs."""
    types = ET.fromstring(members["[Content_Types].xml"][0])
    rels = ET.fromstring(members["xl/_rels/workbook.xml.rels"][0])
    return ({o.attrib["PartName"] for o in types.iter(NS_CT + "Override")},
            {(r.attrib["Type"].rsplit("/", 1)[-1], r.attrib["Target"]) for r in rels.iter(NS_REL + "Relationship")})


def assert_chain_dropped(before: dict[str, tuple[bytes, tuple[object, ...]]],
                         after: dict[str, tuple[bytes, tuple[object, ...]]]) -> None:
    """calcChain.xml gone with its override and relationship, nothing else declared lost (a job may add parts)."""
    (types0, rels0), (types1, rels1) = declared(before), declared(after)
    assert CHAIN in before and f"/{CHAIN}" in types0 and ("calcChain", "calcChain.xml") in rels0
    assert CHAIN not in after
    assert f"/{CHAIN}" not in types1 and types0 - {f"/{CHAIN}"} <= types1
    assert all(kind != "calcChain" for kind, _ in rels1) and rels0 - {("calcChain", "calcChain.xml")} <= rels1


def assert_ledger_keeps_array_formula_and_hyperlinks(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read(LEDGER)
        rels = zf.read(LEDGER_RELS)
    assert ARRAY_1 in sheet and ARRAY_2 in sheet
    block = re.search(rb"<hyperlinks>(.*?)</hyperlinks>", sheet, re.S)
    assert block is not None and block.group(1) == LINK_IN + LINK_OUT
    assert LINK_REL in rels  # the external link's target, beside the notes' relationships a job adds


def run(*args: str | Path) -> int:
    return main([str(a) for a in args])


@pytest.fixture(scope="module")
def master(demo_master: tuple[Path, Path]) -> Path:
    return demo_master[0]


def test_consolidate_sets_full_calc_drops_the_stale_chain_and_copies_the_rest_raw(
        demo_master: tuple[Path, Path], tmp_path: Path) -> None:
    master, forms = demo_master
    # 汇总!B5 holds a formula; the consolidation writes its table over it: the chain names a value now
    path = dress(master, tmp_path / "主台账.xlsx", (SUMMARY, "B5", 5))
    before = package(path)
    assert calc_pr(path) == {"calcId": "124519"}

    assert run("consolidate", path, "--month", "6", "--forms", forms) == 1  # the demo's findings

    after = package(path)
    assert calc_pr(path) == {"calcId": "124519", "fullCalcOnLoad": "1"}
    assert_chain_dropped(before, after)
    assert b"<f>1+1</f>" not in after[SUMMARY][0]
    assert_untouched_members_copied_raw(before, after, {
        "xl/theme/theme1.xml", "docProps/core.xml", "docProps/app.xml", "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml", "_rels/.rels", LEDGER_RELS})
    assert_ledger_keeps_array_formula_and_hyperlinks(path)
    assert after[LEDGER][0] != before[LEDGER][0]  # the ledger sheet itself was patched (month column)


def test_validate_mark_sets_full_calc_drops_the_stale_chain_and_keeps_the_ledger_extras(
        master: Path, tmp_path: Path) -> None:
    # 校验结果!B5 holds a formula inside the findings block the validation replaces
    path = dress(master, tmp_path / "主台账.xlsx", (FINDINGS, "B5", 10))
    before = package(path)

    assert run("validate", path, "--mark") == 0  # the demo ledger has warnings only

    after = package(path)
    assert calc_pr(path) == {"calcId": "124519", "fullCalcOnLoad": "1"}
    assert_chain_dropped(before, after)
    assert b"<f>1+1</f>" not in after[FINDINGS][0]
    assert_untouched_members_copied_raw(before, after, {
        "xl/theme/theme1.xml", "docProps/core.xml", "docProps/app.xml", "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml", "xl/worksheets/sheet5.xml", "_rels/.rels"})
    # the ledger sheet got fills and notes (a legacyDrawing and the notes' relationships) …
    assert after[LEDGER][0] != before[LEDGER][0] and b"legacyDrawing" in after[LEDGER][0]
    assert b"/comments" in after[LEDGER_RELS][0]
    assert_ledger_keeps_array_formula_and_hyperlinks(path)  # … and kept its array formula and links


def test_a_chain_no_write_made_stale_is_copied_raw(master: Path, tmp_path: Path) -> None:
    """The near miss: when no formula cell was overwritten or cleared the chain still names only
    formulas, so it stays (raw) with its override and relationship; fullCalcOnLoad is still set
    because written values make cached results stale."""
    path = dress(master, tmp_path / "主台账.xlsx", None)
    before = package(path)
    assert run("validate", path, "--mark") == 0
    after = package(path)
    assert calc_pr(path) == {"calcId": "124519", "fullCalcOnLoad": "1"}
    (types0, rels0), (types1, rels1) = declared(before), declared(after)
    assert f"/{CHAIN}" in types1 and ("calcChain", "calcChain.xml") in rels1
    assert types0 <= types1 and rels0 <= rels1
    assert_untouched_members_copied_raw(before, after, {CHAIN, "xl/theme/theme1.xml", "xl/worksheets/sheet5.xml"})


def test_a_write_inside_a_multi_cell_array_formula_stops_with_nothing_written(
        master: Path, tmp_path: Path) -> None:
    path = dress(master, tmp_path / "主台账.xlsx", None)
    original = path.read_bytes()
    with pytest.raises(errors.EngineUnsupported, match="数组公式"):
        run_in_place(path, lambda e: e.write_cells("项目台账", {"BE2": 5}))
    assert path.read_bytes() == original
    # its anchor is guarded too; a cell beside the array is not
    with pytest.raises(errors.EngineUnsupported):
        run_in_place(path, lambda e: e.write_cells("项目台账", {"BE1": 5}))
    assert path.read_bytes() == original
    run_in_place(path, lambda e: e.write_cells("项目台账", {"BF2": 5}))
    with zipfile.ZipFile(path) as zf:
        sheet = zf.read(LEDGER)
    assert ARRAY_1 in sheet and ARRAY_2 + b'<c r="BF2"><v>5</v></c>' in sheet

