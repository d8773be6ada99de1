"""Cell notes for the patch engine: the legacy comments part and its VML drawing, edited as text.

Standard library only. A note is two things in the package: a ``<comment ref>`` in the sheet's
comments part (``xl/commentsN.xml``, the text) and a ``<v:shape>`` with ``<x:Row>``/``<x:Column>``
in the sheet's VML drawing (the yellow box Excel shows). Both are edited in place: a note we set
replaces that cell's comment and shape, every other comment and shape (notes staff wrote, form
controls sharing the VML drawing) stays byte for byte. VML written by Excel is often not
well-formed XML (an unclosed ``<br>``), so it is never parsed, only searched.

A sheet without notes gets a new comments part, a new VML drawing (its own shape-id block), two
relationships, a content type and one ``<legacyDrawing r:id>`` element in the sheet part.

Threaded comments (Excel 365's conversations, ``xl/threadedComments``) are left alone: a cell
that carries one keeps it and its placeholder note, and ``set`` on it does nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from xladdin.core.sheet import cell_ref, parse_ref
from xladdin.engines.xlsx.package import rels_part, rels_targets
from xladdin.engines.xlsx.xml_text import unescape
from xladdin.errors import EngineUnsupported

__all__ = ["SheetNotes", "add_relationship", "free_name", "load_notes"]

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"
AUTHOR = "xladdin"
_EMPTY_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')
_AFTER_LEGACY = ("legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                 "tableParts", "extLst")
_LEGACY = re.compile(rb"<(?:\w+:)?legacyDrawing\b[^>]*?\s\w+:id=\"([^\"]+)\"")
_COMMENT = re.compile(r"<(\w+:)?comment\b([^>]*?)(?:/>|>(.*?)</\1?comment>)", re.S)
_TEXT = re.compile(r"<(?:\w+:)?t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
_ENTITIES = {"&quot;": '"', "&apos;": "'"}

Reader = Callable[[str], bytes | None]  # current bytes of a package member (pending changes first), None if absent


def free_name(names: set[str], pattern: str) -> tuple[int, str]:
    n = 1
    while pattern.format(n) in names:
        n += 1
    return n, pattern.format(n)


def add_relationship(rels: str | None, typ: str, target: str) -> tuple[str, str]:
    """``rels`` (None: a new part) with one more relationship; returns (new text, its id)."""
    rels = rels or _EMPTY_RELS
    used = set(re.findall(r'\sId="([^"]+)"', rels))
    _, rid = free_name(used, "rId{}")
    rel = f'<Relationship Id="{rid}" Type="{REL}/{typ}" Target="{target}"/>'
    at = rels.rindex("</Relationships>")
    return rels[:at] + rel + rels[at:], rid


def _text_of(body: str) -> str:
    return "".join(unescape(m.group(1) or "", _ENTITIES) for m in _TEXT.finditer(body))


@dataclass
class SheetNotes:
    """The notes of one worksheet part, and the changes pending on them."""

    part: str
    comments_part: str | None
    vml_part: str | None
    texts: dict[tuple[int, int], str]
    threaded: set[tuple[int, int]]
    pending: dict[tuple[int, int], str | None] = field(default_factory=dict)

    def get(self, ref: str) -> str | None:
        key = parse_ref(ref)
        if key in self.pending:
            return self.pending[key]
        return self.texts.get(key)

    def set(self, ref: str, text: str | None) -> None:
        key = parse_ref(ref)
        if key in self.threaded:
            return  # a threaded comment is left alone
        if self.pending.get(key, self.texts.get(key)) == text and key not in self.pending:
            return
        self.pending[key] = text

    def changed(self) -> bool:
        return any(self.texts.get(k) != v for k, v in self.pending.items())


def load_notes(part: str, read: Reader) -> SheetNotes:
    """What notes the worksheet ``part`` has (its comments part, VML drawing, threaded comments)."""
    rels = read(rels_part(part))
    targets = rels_targets(rels.decode("utf-8"), part) if rels else {}
    comments = next((t for typ, t in targets.values() if typ == "comments"), None)
    xml = read(part) or b""
    vml = None
    # after </sheetData> (a ledger's part is 60 MB; the element follows the cells)
    m = _LEGACY.search(xml, max(xml.rfind(b"sheetData"), 0))
    if m is not None and m.group(1).decode() in targets:
        vml = targets[m.group(1).decode()][1]
    texts: dict[tuple[int, int], str] = {}
    if comments is not None:
        data = read(comments)
        for c in _COMMENT.finditer(data.decode("utf-8") if data else ""):
            ref = re.search(r'\sref="([A-Z]+\d+)"', " " + c.group(2))
            if ref is not None:
                texts[parse_ref(ref.group(1))] = _text_of(c.group(3) or "")
    threaded: set[tuple[int, int]] = set()
    for typ, target in targets.values():
        if typ == "threadedComment":
            data = read(target) or b""
            threaded |= {parse_ref(r.decode()) for r in re.findall(rb'\sref="([A-Z]+\d+)"', data)}
    return SheetNotes(part, comments, vml, texts, threaded)


def _comment(ref: str, author: int, text: str) -> str:
    from xladdin.engines.xlsx.sheet_xml import xml_text

    return (f'<comment ref="{ref}" authorId="{author}"><text><r><rPr><sz val="9"/><rFont val="宋体"/></rPr>'
            f'<t xml:space="preserve">{xml_text(text)}</t></r></text></comment>')


def _comments_xml(old: str | None, notes: SheetNotes) -> str:
    if old is None:
        old = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="{MAIN}">'
               f'<authors><author>{AUTHOR}</author></authors><commentList></commentList></comments>')
    if re.search(r"<\w+:comments\b", old):
        raise EngineUnsupported("批注部件使用了命名空间前缀，无法就地修改。")
    authors = [unescape(a, _ENTITIES) for a in re.findall(r"<author>(.*?)</author>", old, re.S)]
    if AUTHOR not in authors:
        old = (old.replace("<authors/>", f"<authors><author>{AUTHOR}</author></authors>") if "<authors/>" in old
               else old.replace("</authors>", f"<author>{AUTHOR}</author></authors>", 1))
        authors.append(AUTHOR)
    author = authors.index(AUTHOR)
    touched = set(notes.pending)

    def keep(m: re.Match[str]) -> str:
        ref = re.search(r'\sref="([A-Z]+\d+)"', " " + m.group(2))
        return "" if ref is not None and parse_ref(ref.group(1)) in touched else m.group(0)

    out = _COMMENT.sub(keep, old)
    new = "".join(_comment(cell_ref(*k), author, v) for k, v in sorted(notes.pending.items()) if v)
    if "<commentList/>" in out:
        return out.replace("<commentList/>", f"<commentList>{new}</commentList>")
    at = out.rindex("</commentList>")
    return out[:at] + new + out[at:]


_VML_NS = {"v": "urn:schemas-microsoft-com:vml", "o": "urn:schemas-microsoft-com:office:office",
           "x": "urn:schemas-microsoft-com:office:excel"}
_VML_HEAD = ('<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
             'xmlns:x="urn:schemas-microsoft-com:office:excel">'
             '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{block}"/></o:shapelayout>')
_SHAPETYPE = ('<{v}shapetype id="_x0000_t202" coordsize="21600,21600" {o}spt="202" path="m,l,21600r21600,l21600,xe">'
              '<{v}stroke joinstyle="miter"/><{v}path gradientshapeok="t" {o}connecttype="rect"/></{v}shapetype>')


def _shape(n: int, row: int, col: int, ns: dict[str, str]) -> str:
    """The VML box of a note on 0-based (row, col), hidden until hovered, as Excel writes it."""
    anchor = f"{col + 1}, 15, {max(row - 1, 0)}, 10, {col + 4}, 15, {max(row - 1, 0) + 5}, 4"
    v, o, x = ns["v"], ns["o"], ns["x"]
    return (f'<{v}shape id="_x0000_s{n}" type="#_x0000_t202" style="position:absolute;margin-left:60pt;'
            'margin-top:2pt;width:200pt;height:90pt;z-index:1;visibility:hidden" fillcolor="#ffffe1" '
            f'{o}insetmode="auto"><{v}fill color2="#ffffe1"/><{v}shadow on="t" color="black" obscured="t"/>'
            f'<{v}path {o}connecttype="none"/><{v}textbox style="mso-direction-alt:auto">'
            f'<div style="text-align:left"></div></{v}textbox><{x}ClientData ObjectType="Note"><{x}MoveWithCells/>'
            f'<{x}SizeWithCells/><{x}Anchor>{anchor}</{x}Anchor><{x}AutoFill>False</{x}AutoFill>'
            f'<{x}Row>{row}</{x}Row><{x}Column>{col}</{x}Column></{x}ClientData></{v}shape>')


def _prefixes(vml: str) -> tuple[str, dict[str, str]]:
    """The VML text with the three namespaces declared on its root, and their prefixes ("v:" …)
    as this file spells them (Excel: v, o, x; openpyxl: ns0, ns1, ns2)."""
    root = re.search(r"<xml\b[^>]*>", vml)
    if root is None:
        raise EngineUnsupported("批注的 VML 绘图无法识别，无法就地修改。")
    declared = {uri: name for name, uri in re.findall(r'\sxmlns:(\w+)="([^"]+)"', root.group(0))}
    ns: dict[str, str] = {}
    extra = ""
    for short, uri in _VML_NS.items():
        if uri in declared:
            ns[short] = declared[uri] + ":"
        else:
            name = short if short not in declared.values() else "xl" + short
            extra += f' xmlns:{name}="{uri}"'
            ns[short] = name + ":"
    if extra:
        at = root.start() + len("<xml")
        vml = vml[:at] + extra + vml[at:]
    return vml, ns


def _vml_xml(old: str | None, notes: SheetNotes, block: int) -> str:
    if old is None:
        old = _VML_HEAD.format(block=block) + _SHAPETYPE.format(v="v:", o="o:") + "</xml>"
    old, ns = _prefixes(old)
    v, x = re.escape(ns["v"]), re.escape(ns["x"])
    touched = {(r - 1, c - 1) for r, c in notes.pending}

    def keep(m: re.Match[str]) -> str:
        shape = m.group(0)
        if 'ObjectType="Note"' not in shape:
            return shape
        r = re.search(r"<" + x + r"Row>\s*(\d+)\s*</" + x + "Row>", shape)
        c = re.search(r"<" + x + r"Column>\s*(\d+)\s*</" + x + "Column>", shape)
        return "" if r and c and (int(r.group(1)), int(c.group(1))) in touched else shape

    out = re.sub(r"<" + v + r"shape\b[^>]*>.*?</" + v + "shape>", keep, old, flags=re.S)
    if 'id="_x0000_t202"' not in out:
        m = re.search(r"<" + v + r"shapetype\b|<" + v + r"shape\b", out)
        at = m.start() if m else out.rindex("</xml>")
        out = out[:at] + _SHAPETYPE.format(v=ns["v"], o=ns["o"]) + out[at:]
    ids = [int(i) for i in re.findall(r'id="_x0000_s(\d+)"', out)]
    idmap = re.search(r'idmap\b[^>]*\bdata="(\d+)', out)
    n = max([*ids, (int(idmap.group(1)) if idmap else block) * 1024])
    shapes = []
    for (r, c), text in sorted(notes.pending.items()):
        if text:
            n += 1
            shapes.append(_shape(n, r - 1, c - 1, ns))
    at = out.rindex("</xml>")
    return out[:at] + "".join(shapes) + out[at:]


def _legacy_element(xml: bytes, rid: str) -> bytes:
    """The sheet part with ``<legacyDrawing r:id>`` at its schema position (bytes: a ledger's
    part is 60 MB, only its head and its tail after ``</sheetData>`` are searched)."""
    root = re.search(rb"<(\w+:)?worksheet\b[^>]*>", xml[:4096])
    if root is None:
        raise EngineUnsupported("工作表部件不是 worksheet，无法添加批注。")
    p = root.group(1) or b""
    declared = re.search(rb'xmlns:(\w+)="' + re.escape(REL.encode()) + b'"', root.group(0))
    element = (b'<%slegacyDrawing %s:id="%s"/>' % (p, declared.group(1), rid.encode()) if declared
               else b'<%slegacyDrawing xmlns:r="%s" r:id="%s"/>' % (p, REL.encode(), rid.encode()))
    start = max(xml.rfind(b"</" + p + b"sheetData>"), 0)
    after = re.compile(rb"<" + re.escape(p) + b"(?:" + "|".join(_AFTER_LEGACY).encode() + rb")\b").search(xml, start)
    at = after.start() if after else xml.rindex(b"</" + p + b"worksheet>")
    view = memoryview(xml)
    return b"".join((view[:at], element, view[at:]))  # one copy of the part, not three


def write_notes(notes: SheetNotes, read: Reader, names: set[str], changes: dict[str, bytes | None],
                vml_block: int) -> None:
    """Put the changed members for ``notes`` into ``changes`` (member name -> new bytes); ``names``:
    every member name in use; ``vml_block``: a free ``o:idmap`` block for a new VML drawing."""
    def text(name: str) -> str | None:
        data = changes[name] if name in changes else read(name)
        return None if data is None else data.decode("utf-8")

    rels_name = rels_part(notes.part)
    rels = text(rels_name)
    if notes.comments_part is None:
        _, notes.comments_part = free_name(names, "xl/comments{}.xml")
        names.add(notes.comments_part)
        rels, _ = add_relationship(rels, "comments", "../" + notes.comments_part.removeprefix("xl/"))
        types = text("[Content_Types].xml") or ""
        at = types.rindex("</Types>")
        types = types[:at] + f'<Override PartName="/{notes.comments_part}" ContentType="{CT_COMMENTS}"/>' + types[at:]
        changes["[Content_Types].xml"] = types.encode("utf-8")
    if notes.vml_part is None:
        _, notes.vml_part = free_name(names, "xl/drawings/vmlDrawing{}.vml")
        names.add(notes.vml_part)
        rels, rid = add_relationship(rels, "vmlDrawing", "../drawings/" + notes.vml_part.rsplit("/", 1)[1])
        types = text("[Content_Types].xml") or ""
        if not re.search(r'<Default\b[^>]*Extension="vml"', types, re.I):
            at = types.index("<Default") if "<Default" in types else types.rindex("</Types>")
            types = types[:at] + f'<Default Extension="vml" ContentType="{CT_VML}"/>' + types[at:]
            changes["[Content_Types].xml"] = types.encode("utf-8")
        sheet = changes[notes.part] if notes.part in changes else read(notes.part)
        assert sheet is not None
        changes[notes.part] = _legacy_element(sheet, rid)
    if rels is not None and rels != text(rels_name):
        changes[rels_name] = rels.encode("utf-8")
    changes[notes.comments_part] = _comments_xml(text(notes.comments_part), notes).encode("utf-8")
    changes[notes.vml_part] = _vml_xml(text(notes.vml_part), notes, vml_block).encode("utf-8")
