"""The package edits the patch engine makes, at their edges and on real files (mutation testing,
docs/testing.md): defined names set and updated in ``workbook.xml``, ``calcPr`` inserted or fixed,
a part dropped from the rels and content types, raw copies of members with extra fields, and the
chunked deflate of large members (primed chunks, the level chosen for time, the size threshold).

Each edit is checked on the exact text it leaves (every other byte unchanged) and on real .xlsx
files written by openpyxl, edited by the patch engine or ``write_package``, and read back by
openpyxl, python-calamine and ``zipfile``.
"""

from __future__ import annotations

import os
import random
import re
import struct
import zipfile
import zlib
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName
from python_calamine import CalamineWorkbook

from xladdin.engines.patch import PatchEngine
from xladdin.engines.xlsx.package import (
    _LEVEL_LARGE,
    _PARALLEL_MIN,
    defined_names,
    deflate,
    drop_part,
    rels_targets,
    resolve,
    set_calc_full,
    set_defined_name,
    sheet_entries,
    write_package,
)

WORKBOOK = "xl/workbook.xml"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = REL_NS + "/"
QUOTED = "O'Brien & Co"  # a sheet name with a quote (doubled in references) and an ampersand (escaped)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two sheets, no defined names; openpyxl writes ``<calcPr …/>`` last in workbook.xml."""
    path = tmp_path_factory.mktemp("plain") / "plain.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "汇总"
    ws["A1"] = "单位"
    wb.create_sheet(QUOTED)["B2"] = 7
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Workbook-level ``other`` and ``xl_summary``, then a sheet-local ``xl_summary`` (openpyxl's order)."""
    path = tmp_path_factory.mktemp("named") / "named.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "汇总"
    ws.defined_names["xl_summary"] = DefinedName("xl_summary", attr_text="'汇总'!$C$3", localSheetId=0)
    wb.defined_names["other"] = DefinedName("other", attr_text="'汇总'!$A$1")
    wb.defined_names["xl_summary"] = DefinedName("xl_summary", attr_text="'汇总'!$A$1:$B$2")
    wb.save(path)
    xml = _workbook(path)
    assert xml.index('name="other"') < xml.index(">'汇总'!$A$1:$B$2<") < xml.index('localSheetId="0"')
    return path


def _workbook(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read(WORKBOOK).decode("utf-8")


def _copy(src: Path, dst: Path) -> Path:
    dst.write_bytes(src.read_bytes())
    return dst


def _set_names(path: Path, *names: tuple[str, str, str]) -> None:
    engine = PatchEngine(path)
    try:
        for name, sheet, ref in names:
            engine.set_defined_name(name, sheet, ref)
        engine.save()
    finally:
        engine.close()


def _with_workbook(src: Path, dst: Path, workbook_xml: str) -> Path:
    write_package(src, dst, {WORKBOOK: workbook_xml.encode("utf-8")}, {})
    return dst


def _openpyxl_names(path: Path) -> dict[str, str]:
    return {name: dn.attr_text for name, dn in openpyxl.load_workbook(path).defined_names.items()}


# --- defined names --------------------------------------------------------------------------------


def test_a_first_name_fills_openpyxls_empty_definedNames_and_excel_readers_see_it(plain: Path,
                                                                                   tmp_path: Path) -> None:
    """openpyxl writes ``<definedNames/>`` when a book has no names; the name goes into it. (Before,
    a second ``<definedNames>`` was added after it: the schema allows one, openpyxl and LibreOffice
    read past it, Excel checks the schema.)"""
    before = _workbook(plain)
    empty = re.search(r"<definedNames\s*/>", before)
    assert empty is not None and before.count("definedNames") == 1 and "<calcPr" in before
    path = _copy(plain, tmp_path / "a.xlsx")
    _set_names(path, ("xl_summary", "汇总", "A5:H40"))
    after = _workbook(path)
    element = "<definedNames><definedName name=\"xl_summary\">'汇总'!$A$5:$H$40</definedName></definedNames>"
    assert after.count("<definedNames") == 1
    assert after.replace(' fullCalcOnLoad="1"', "") == before.replace(empty.group(0), element).replace(
        ' fullCalcOnLoad="1"', "")
    assert _openpyxl_names(path) == {"xl_summary": "'汇总'!$A$5:$H$40"}
    assert defined_names(after) == {"xl_summary": ("汇总", "A5:H40")}
    assert CalamineWorkbook.from_path(str(path)).sheet_names == ["汇总", QUOTED]


@pytest.mark.parametrize("empty", ["<definedNames/>", "<definedNames />", "<x:definedNames/>"])
def test_an_empty_definedNames_is_filled_whatever_its_spelling(empty: str) -> None:
    p = "x:" if empty.startswith("<x:") else ""
    xml = f'<{p}workbook xmlns{":x" if p else ""}="{NS}"><{p}sheets/>{empty}<{p}calcPr calcId="1"/></{p}workbook>'
    out = set_defined_name(xml, "n", "s", "A1")
    assert out == xml.replace(empty, f"<{p}definedNames><{p}definedName name=\"n\">'s'!$A$1</{p}definedName>"
                                     f"</{p}definedNames>")
    assert len(ET.fromstring(out).findall(f"{{{NS}}}definedNames")) == 1


def test_more_names_go_inside_the_same_definedNames_with_every_reference_made_absolute(plain: Path,
                                                                                       tmp_path: Path) -> None:
    path = _copy(plain, tmp_path / "b.xlsx")
    _set_names(path, ("xl_a", "汇总", "A5"), ("xl_b", QUOTED, "$AB$12"), ("xl_c", QUOTED, "B$2:$XFD1048576"))
    xml = _workbook(path)
    assert xml.count("<definedNames>") == 1 and xml.count("</definedNames>") == 1
    block = re.search(r"<definedNames>(.*)</definedNames>", xml)
    assert block is not None and block.group(1) == (
        "<definedName name=\"xl_a\">'汇总'!$A$5</definedName>"
        "<definedName name=\"xl_b\">'O''Brien &amp; Co'!$AB$12</definedName>"
        "<definedName name=\"xl_c\">'O''Brien &amp; Co'!$B$2:$XFD$1048576</definedName>")
    assert _openpyxl_names(path) == {"xl_a": "'汇总'!$A$5", "xl_b": "'O''Brien & Co'!$AB$12",
                                     "xl_c": "'O''Brien & Co'!$B$2:$XFD$1048576"}
    assert defined_names(xml) == {"xl_a": ("汇总", "A5"), "xl_b": (QUOTED, "AB12"), "xl_c": (QUOTED, "B2:XFD1048576")}
    engine = PatchEngine(path)  # a fresh engine reads them back
    try:
        assert engine.defined_name("xl_b") == (QUOTED, "AB12")
    finally:
        engine.close()


def test_an_existing_workbook_name_is_updated_in_place_and_a_sheet_local_one_of_that_name_is_not(
        named: Path, tmp_path: Path) -> None:
    before = _workbook(named)
    path = _copy(named, tmp_path / "c.xlsx")
    _set_names(path, ("xl_summary", "汇总", "D4:E9"))
    after = _workbook(path)
    # only the workbook-level xl_summary's text changed (and calcPr, which the engine sets on a change)
    assert after.replace(' fullCalcOnLoad="1"', "") == before.replace(
        ">'汇总'!$A$1:$B$2<", ">'汇总'!$D$4:$E$9<").replace(' fullCalcOnLoad="1"', "")
    wb = openpyxl.load_workbook(path)
    assert wb.defined_names["xl_summary"].attr_text == "'汇总'!$D$4:$E$9"
    assert wb.defined_names["other"].attr_text == "'汇总'!$A$1"
    assert wb["汇总"].defined_names["xl_summary"].attr_text == "'汇总'!$C$3"


def test_a_name_only_local_to_a_sheet_gets_a_workbook_level_twin() -> None:
    xml = (f'<workbook xmlns="{NS}"><sheets/><definedNames><definedName name="n" localSheetId="0">\'a\'!$A$1'
           "</definedName></definedNames><calcPr calcId=\"1\"/></workbook>")
    out = set_defined_name(xml, "n", "b", "B2")
    assert out == xml.replace("</definedNames>", "<definedName name=\"n\">'b'!$B$2</definedName></definedNames>")
    assert defined_names(out) == {"n": ("b", "B2")}


def test_a_quote_in_a_name_is_escaped_in_its_attribute() -> None:
    xml = f'<workbook xmlns="{NS}"><sheets/></workbook>'
    out = set_defined_name(xml, 'a"b', "s", "A1")
    assert 'name="a&quot;b"' in out and ET.fromstring(out)[1][0].get("name") == 'a"b'
    assert defined_names(out) == {'a"b': ("s", "A1")}


@pytest.mark.parametrize(("tail", "expected"), [
    ("</workbook>", "{names}</workbook>"),  # no calcPr and nothing after it: at the end
    ('<calcPr calcId="1"/><extLst/></workbook>', '{names}<calcPr calcId="1"/><extLst/></workbook>'),
    ('<oleSize ref="A1"/></workbook>', '{names}<oleSize ref="A1"/></workbook>'),
    ('<fileRecoveryPr/><extLst/></workbook>', "{names}<fileRecoveryPr/><extLst/></workbook>"),
    ("<extLst/></workbook>", "{names}<extLst/></workbook>"),
])
def test_a_new_definedNames_goes_where_the_schema_wants_it(plain: Path, tmp_path: Path, tail: str,
                                                          expected: str) -> None:
    head = re.sub(r"<definedNames\s*/>", "", _workbook(plain).split("<calcPr")[0])
    assert head.endswith("</sheets>")
    xml = head + tail
    out = set_defined_name(xml, "xl_t", "汇总", "C3")
    names = "<definedNames><definedName name=\"xl_t\">'汇总'!$C$3</definedName></definedNames>"
    assert out == head + expected.format(names=names)
    path = _with_workbook(plain, tmp_path / "t.xlsx", out)
    assert _openpyxl_names(path) == {"xl_t": "'汇总'!$C$3"}


def test_a_prefixed_workbook_gets_prefixed_elements() -> None:
    xml = (f'<x:workbook xmlns:x="{NS}"><x:sheets><x:sheet name="s" sheetId="1"/></x:sheets><x:calcPr calcId="1"/>'
           "<x:extLst/></x:workbook>")
    out = set_defined_name(xml, "n", "s", "A1")
    assert out == xml.replace("<x:calcPr", "<x:definedNames><x:definedName name=\"n\">'s'!$A$1</x:definedName>"
                              "</x:definedNames><x:calcPr")
    names = ET.fromstring(out).find(f"{{{NS}}}definedNames")
    assert names is not None and [(e.get("name"), e.text) for e in names] == [("n", "'s'!$A$1")]
    again = set_defined_name(out, "m", "s", "B2")  # a second one goes inside, prefixed too
    assert again == out.replace("</x:definedNames>", "<x:definedName name=\"m\">'s'!$B$2</x:definedName></x:definedNames>")
    bare = f'<x:workbook xmlns:x="{NS}"><x:sheets/></x:workbook>'  # nothing after the names: before the end
    assert set_defined_name(bare, "n", "s", "A1") == bare.replace(
        "</x:workbook>", "<x:definedNames><x:definedName name=\"n\">'s'!$A$1</x:definedName></x:definedNames></x:workbook>")


def test_a_prefixed_definedName_is_updated_in_place() -> None:
    xml = (f'<x:workbook xmlns:x="{NS}"><x:definedNames><x:definedName name="n">\'s\'!$A$1</x:definedName>'
           "</x:definedNames></x:workbook>")
    assert set_defined_name(xml, "n", "t", "C3:D4") == xml.replace("'s'!$A$1", "'t'!$C$3:$D$4")


# --- calcPr ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("calc", "expected"), [
    ('<calcPr calcId="1"/>', '<calcPr calcId="1" fullCalcOnLoad="1"/>'),
    ('<calcPr calcId="1" fullCalcOnLoad="0"/>', '<calcPr calcId="1" fullCalcOnLoad="1"/>'),
    ('<calcPr fullCalcOnLoad="false" calcId="1"></calcPr>', '<calcPr calcId="1" fullCalcOnLoad="1"></calcPr>'),
    ('<calcPr calcId="1" fullCalcOnLoad="true"/>', '<calcPr calcId="1" fullCalcOnLoad="true"/>'),
    ('<calcPr calcId="1" fullCalcOnLoad="1"/>', '<calcPr calcId="1" fullCalcOnLoad="1"/>'),
    ("<oleSize ref=\"A1\"/>", '<calcPr fullCalcOnLoad="1"/><oleSize ref="A1"/>'),
    ("<extLst/>", '<calcPr fullCalcOnLoad="1"/><extLst/>'),
    ("", '<calcPr fullCalcOnLoad="1"/>'),
])
def test_calcPr_asks_for_a_full_recalculation(plain: Path, tmp_path: Path, calc: str, expected: str) -> None:
    head = re.sub(r"<definedNames\s*/>", "", _workbook(plain).split("<calcPr")[0]) + "<definedNames><definedName name=\"k\">'汇总'!$A$1</definedName></definedNames>"
    out = set_calc_full(head + calc + "</workbook>")
    assert out == head + expected + "</workbook>"
    path = _with_workbook(plain, tmp_path / "calc.xlsx", out)
    assert openpyxl.load_workbook(path).calculation.fullCalcOnLoad is True


def test_calcPr_of_a_prefixed_workbook() -> None:
    xml = f'<x:workbook xmlns:x="{NS}"><x:sheets/><x:calcPr calcId="1"/></x:workbook>'
    assert set_calc_full(xml) == xml.replace('calcId="1"', 'calcId="1" fullCalcOnLoad="1"')
    bare = f'<x:workbook xmlns:x="{NS}"><x:sheets/><x:extLst/></x:workbook>'
    assert set_calc_full(bare) == bare.replace("<x:extLst", '<x:calcPr fullCalcOnLoad="1"/><x:extLst')


def test_an_element_closed_with_a_workbook_prefixed_tag_does_not_take_the_insertion() -> None:
    # </workbookPr> and </workbookProtection> also start with "</workbook": the end is the last one
    xml = (f'<workbook xmlns="{NS}"><workbookPr date1904="0"></workbookPr><workbookProtection>'
           "</workbookProtection><sheets/></workbook>")
    assert set_calc_full(xml) == xml.replace("</workbook>", '<calcPr fullCalcOnLoad="1"/></workbook>')
    assert set_defined_name(xml, "n", "s", "A1") == xml.replace(
        "</workbook>", "<definedNames><definedName name=\"n\">'s'!$A$1</definedName></definedNames></workbook>")


# --- sheets and relationships -------------------------------------------------------------------


def test_sheet_entries_skip_a_sheet_without_its_relationship_id_or_name() -> None:
    xml = (f'<workbook xmlns="{NS}" xmlns:r="{REL_NS}"><sheets><sheet name="甲" sheetId="1"/>'
           '<sheet sheetId="2" r:id="rId2"/><sheet name="乙 &amp; 丙" sheetId="3" r:id="rId3"/></sheets></workbook>')
    assert sheet_entries(xml) == [("乙 & 丙", "rId3")]


def test_rels_targets_leave_out_external_and_incomplete_relationships(plain: Path) -> None:
    with zipfile.ZipFile(plain) as zf:
        rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    extra = (f'<Relationship Id="rId90" Type="{REL}hyperlink" Target="http://fgw.example.gov.cn/" TargetMode="External"/>'
             f'<Relationship Id="rId91" Type="{REL}worksheet"/><Relationship Type="{REL}worksheet" Target="a.xml"/>')
    got = rels_targets(rels.replace("</Relationships>", extra + "</Relationships>"), WORKBOOK)
    assert got == rels_targets(rels, WORKBOOK)
    assert {v for v in got.values() if v[0] == "worksheet"} == {("worksheet", "xl/worksheets/sheet1.xml"),
                                                                ("worksheet", "xl/worksheets/sheet2.xml")}


def test_resolve_relative_and_absolute_targets() -> None:
    assert resolve("xl/workbook.xml", "worksheets/sheet1.xml") == "xl/worksheets/sheet1.xml"
    assert resolve("xl/worksheets/sheet1.xml", "../drawings/drawing1.xml") == "xl/drawings/drawing1.xml"
    assert resolve("xl/workbook.xml", "/xl/styles.xml") == "xl/styles.xml"
    assert resolve("xl/workbook.xml", "/XData/a.xml") == "XData/a.xml"  # only the slash goes


def test_defined_names_are_the_workbook_level_ones_whatever_the_quoting(named: Path) -> None:
    # the sheet-local xl_summary (listed last by openpyxl) does not replace the workbook-level one
    assert defined_names(_workbook(named)) == {"other": ("汇总", "A1"), "xl_summary": ("汇总", "A1:B2")}
    xml = (f'<workbook xmlns="{NS}"><definedNames>'
           '<definedName name="local" localSheetId="0">Sheet1!$A$1</definedName>'
           '<definedName name="bare">Sheet1!$B$2:$C$3</definedName>'
           '<definedName name="entities">&apos;O&apos;&apos;Brien&apos;!$D$4</definedName>'
           '<definedName name="formula">SUM(Sheet1!$A$1:$A$3)</definedName>'
           "</definedNames></workbook>")
    assert defined_names(xml) == {"bare": ("Sheet1", "B2:C3"), "entities": ("O'Brien", "D4"), "formula": None}


# --- dropping a part ------------------------------------------------------------------------------



@pytest.mark.parametrize("target", ["calcChain.xml", "/xl/calcChain.xml", "xl/calcChain.xml"])
def test_drop_part_removes_exactly_its_relationship_and_override(target: str) -> None:
    keep_rels = (f'<Relationship Id="rId1" Type="{REL}worksheet" Target="worksheets/sheet1.xml"/>'
                 f'<Relationship Id="rId2" Type="{REL}x" Target="calcChain.xml.bak"/>')
    rels = (f'<Relationships xmlns="x">{keep_rels}'
            f'<Relationship Id="rId9" Type="{REL}calcChain" Target="{target}"/></Relationships>')
    keep_types = ('<Default Extension="xml" ContentType="application/xml"/>'
                  '<Override PartName="/xl/workbook.xml" ContentType="a"/>'
                  '<Override PartName="/xl/calcChain.xml.bak" ContentType="b"/>')
    types = f'<Types xmlns="t">{keep_types}<Override PartName="/xl/calcChain.xml" ContentType="c"/></Types>'
    assert drop_part(rels, types, "xl/calcChain.xml") == (f'<Relationships xmlns="x">{keep_rels}</Relationships>',
                                                          f'<Types xmlns="t">{keep_types}</Types>')


# --- raw copies -----------------------------------------------------------------------------------


def _book_with_extra_field(plain: Path, dst: Path) -> Path:
    """``plain`` with a member whose local header carries an extra field (as Info-ZIP writes one)."""
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, info.date_time)
            if info.filename == "docProps/core.xml":
                zi.extra = b"UT\x05\x00\x01\x00\x00\x00\x00"  # extended timestamp: 9 bytes
            zout.writestr(zi, zin.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
    return dst


def test_a_member_with_an_extra_field_is_copied_raw(plain: Path, tmp_path: Path) -> None:
    src = _book_with_extra_field(plain, tmp_path / "extra.xlsx")
    out = tmp_path / "out.xlsx"
    write_package(src, out, {}, {})
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(out) as b:
        assert b.testzip() is None
        assert [i.filename for i in a.infolist()] == [i.filename for i in b.infolist()]
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
            x, y = a.getinfo(name), b.getinfo(name)
            assert (x.CRC, x.date_time, x.compress_type, x.external_attr) == (
                y.CRC, y.date_time, y.compress_type, y.external_attr), name
    assert openpyxl.load_workbook(out)[QUOTED]["B2"].value == 7
    assert abs(out.stat().st_size - src.stat().st_size) < 64  # each member's own bytes, nothing after them


def test_replaced_members_keep_date_and_attributes_dropped_ones_go_and_the_rest_follow(plain: Path,
                                                                                       tmp_path: Path) -> None:
    with zipfile.ZipFile(plain) as zf:
        names = zf.namelist()
        before = {i.filename: i for i in zf.infolist()}
        sheet2 = zf.read("xl/worksheets/sheet2.xml")
    dropped = names[1]  # a member early in the zip: every later one must still be copied
    replaced: dict[str, bytes | None] = {dropped: None, "xl/worksheets/sheet2.xml": sheet2.replace(b">7<", b">8<"),
                                         "docProps/app.xml": b"x" * (_PARALLEL_MIN + 5)}
    out = tmp_path / "out.xlsx"
    write_package(plain, out, replaced, {"customXml/item1.xml": b"<a/>"})
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        assert zf.namelist() == [n for n in names if n != dropped] + ["customXml/item1.xml"]
        for name in ("xl/worksheets/sheet2.xml", "docProps/app.xml"):
            info = zf.getinfo(name)
            assert (info.date_time, info.external_attr) == (before[name].date_time, before[name].external_attr)
            assert info.compress_type == zipfile.ZIP_DEFLATED and zf.read(name) == replaced[name]
        assert zf.getinfo("docProps/app.xml").compress_size < 100_000  # the large one is deflated too
        added = zf.getinfo("customXml/item1.xml")  # deflated, dated 1980-01-01: the same bytes every run
        assert (added.compress_type, added.date_time) == (zipfile.ZIP_DEFLATED, (1980, 1, 1, 0, 0, 0))


class _Stream:
    """A write-only, unseekable file: zipfile then writes each member's sizes in a data descriptor."""

    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, b: bytes) -> int:
        self.data += b
        return len(b)

    def flush(self) -> None:
        pass


def test_members_streamed_with_a_data_descriptor_are_copied_with_their_sizes_in_the_header(plain: Path,
                                                                                          tmp_path: Path) -> None:
    stream = _Stream()
    with zipfile.ZipFile(plain) as zin, zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as zout:  # type: ignore[call-overload]
        for info in zin.infolist():
            zout.writestr(info.filename, zin.read(info.filename))
    src = tmp_path / "streamed.xlsx"
    src.write_bytes(bytes(stream.data))
    with zipfile.ZipFile(src) as zf:
        assert all(i.flag_bits & 0x08 for i in zf.infolist())
    out = tmp_path / "out.xlsx"
    write_package(src, out, {}, {})
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None and not any(i.flag_bits & 0x08 for i in zf.infolist())
        raw = out.read_bytes()
        for info in zf.infolist():  # the local header itself carries the CRC and both sizes
            crc, csize, size = struct.unpack("<3L", raw[info.header_offset + 14:info.header_offset + 26])
            assert (crc, csize, size) == (info.CRC, info.compress_size, info.file_size), info.filename
    assert openpyxl.load_workbook(out)[QUOTED]["B2"].value == 7


def test_a_broken_local_header_stops_the_copy_naming_the_member(plain: Path, tmp_path: Path) -> None:
    src = tmp_path / "broken.xlsx"
    data = bytearray(plain.read_bytes())
    with zipfile.ZipFile(plain) as zf:
        offset = zf.getinfo("xl/workbook.xml").header_offset
    data[offset:offset + 4] = b"PK\x09\x09"
    src.write_bytes(bytes(data))
    with pytest.raises(zipfile.BadZipFile, match=r"^bad local header for xl/workbook\.xml$"):
        write_package(src, tmp_path / "out.xlsx", {}, {})


# --- deflate --------------------------------------------------------------------------------------


def _level(data: bytes, level: int) -> bytes:
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _xmlish(size: int) -> bytes:
    rng = random.Random(size)
    out = bytearray()
    r = 1
    while len(out) < size:
        out += b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (r, r, rng.randrange(10**9))
        r += 1
    return bytes(out[:size])


def test_a_small_member_is_deflated_as_zipfile_would() -> None:
    data = _xmlish(_PARALLEL_MIN - 1)
    assert deflate(data) == _level(data, 6)


def test_a_large_member_is_deflated_in_parallel_at_the_fast_level_when_there_are_cores() -> None:
    """From 4 MB on, with two cores or more, the member is split over the cores at level 2 (time over
    size: larger than one level-6 stream); on one core it is one level-6 stream."""
    data = _xmlish(_PARALLEL_MIN)
    raw = deflate(data)
    assert zlib.decompress(raw, -15) == data
    if min(os.cpu_count() or 1, 8) >= 2:
        assert len(raw) > 1.05 * len(_level(data, 6))
        assert len(raw) < 1.01 * len(_level(data, _LEVEL_LARGE))
    else:
        assert raw == _level(data, 6)


def test_each_chunk_is_primed_with_the_32_kb_before_it() -> None:
    """One random 30,000-byte block repeated: only back-references reaching into the previous chunk
    keep every chunk after the first as small as in one whole stream (unprimed chunks would each
    start with 30,000 literal bytes)."""
    block = random.Random(7).randbytes(30_000)
    data = block * (3 * _PARALLEL_MIN // len(block))
    raw = deflate(data)
    assert zlib.decompress(raw, -15) == data
    whole = _level(data, _LEVEL_LARGE)
    if min(os.cpu_count() or 1, 8) >= 2:
        assert len(raw) < len(whole) + 2_000, (len(raw), len(whole))
    else:
        assert raw == _level(data, 6)
