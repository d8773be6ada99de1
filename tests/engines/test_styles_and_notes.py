"""The patch engine's cell formats and notes, part by part: new formats appended and shared, the
original found again; notes edited beside others in comments and VML text that is not well-formed XML."""

from __future__ import annotations

from xladdin.engines.xlsx.notes import SheetNotes, write_notes
from xladdin.engines.xlsx.styles import CellFormat, StyleBook

STYLES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="main">'
          '<fonts count="1"><font><sz val="11"/></font></fonts>'
          '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
          '<fill><patternFill patternType="solid"><fgColor rgb="FFFFEB9C"/></patternFill></fill></fills>'
          '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
          '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
          '<xf numFmtId="0" fontId="0" fillId="2" borderId="0" xfId="0" applyFill="1"/></cellXfs>'
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


def test_formats_are_appended_shared_and_the_original_is_found_again() -> None:
    book = StyleBook(STYLES)
    assert book.fill_color(2) == "FFEB9C" and book.fill_color(1) is None
    red = book.derive(1, CellFormat(fill="FFC7CE"))
    assert red == 3 and book.derive(1, CellFormat(fill="FFC7CE")) == 3  # shared
    assert book.derive(0, CellFormat(fill="FFC7CE")) == 4  # another base format: another xf, same fill
    assert book.fill_color(3) == book.fill_color(4) == "FFC7CE"
    assert book.derive(3, CellFormat(fill=None)) == 1  # the original number-format cell again
    assert book.derive(3, CellFormat(fill="FFEB9C")) == 5 and book.derive(0, CellFormat(fill="FFEB9C")) == 2
    out = book.render()
    assert out is not None
    head = STYLES[: STYLES.index("</fills>")].replace('<fills count="3">', '<fills count="4">')
    assert out.startswith(head)  # every existing fill and format kept as it was
    assert '<cellXfs count="6">' in out and out.count('fillId="3"') == 2
    assert out.endswith('<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
    assert StyleBook(STYLES).render() is None  # nothing derived: styles.xml is not rewritten


VML = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
       'xmlns:x="urn:schemas-microsoft-com:office:excel"><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="1"/>'
       '</o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202"></v:shapetype>'
       '<v:shape id="_x0000_s1025" type="#_x0000_t202"><v:textbox><div>staff<br></div></v:textbox>'
       '<x:ClientData ObjectType="Note"><x:Row>0</x:Row><x:Column>0</x:Column></x:ClientData></v:shape>'
       '<v:shape id="_x0000_s1026" type="#_x0000_t201"><x:ClientData ObjectType="Button"><x:Row>5</x:Row>'
       '<x:Column>5</x:Column></x:ClientData></v:shape></xml>')
COMMENTS = ('<comments xmlns="main"><authors><author>张三</author></authors><commentList>'
            '<comment ref="A1" authorId="0"><text><t>员工批注</t></text></comment></commentList></comments>')
SHEET = b'<worksheet xmlns="main" xmlns:r="rel"><sheetData/><legacyDrawing r:id="rId1"/></worksheet>'


def test_notes_are_edited_beside_staff_notes_and_form_controls() -> None:
    files = {"xl/worksheets/sheet1.xml": SHEET, "xl/comments1.xml": COMMENTS.encode(),
             "xl/drawings/vmlDrawing1.vml": VML.encode()}
    notes = SheetNotes("xl/worksheets/sheet1.xml", "xl/comments1.xml", "xl/drawings/vmlDrawing1.vml",
                       {(1, 1): "员工批注"}, set())
    notes.set("C3", "xladdin 校验：\n金额为负数 & <空>")
    changes: dict[str, bytes | None] = {}
    write_notes(notes, files.get, set(files), changes, 2)
    assert set(changes) == {"xl/comments1.xml", "xl/drawings/vmlDrawing1.vml"}  # the sheet part is untouched
    comments = changes["xl/comments1.xml"].decode()  # type: ignore[union-attr]
    assert '<comment ref="A1" authorId="0"><text><t>员工批注</t></text></comment>' in comments
    assert "<author>张三</author><author>xladdin</author>" in comments
    assert '<comment ref="C3" authorId="1">' in comments and "金额为负数 &amp; &lt;空&gt;" in comments
    vml = changes["xl/drawings/vmlDrawing1.vml"].decode()  # type: ignore[union-attr]
    assert vml.startswith(VML[: VML.index("</xml>")])  # staff note (with its unclosed <br>) and the button kept
    assert '<v:shape id="_x0000_s1027"' in vml and "<x:Row>2</x:Row><x:Column>2</x:Column>" in vml

    threaded = SheetNotes("p", None, None, {(2, 2): "[Threaded comment]"}, {(2, 2)})
    threaded.set("B2", "xladdin")  # a threaded comment is left alone
    assert not threaded.pending and threaded.get("B2") == "[Threaded comment]"
