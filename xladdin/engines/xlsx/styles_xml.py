"""The patch engine's cell styles: derive cell formats in ``xl/styles.xml`` and point cells at them.

Standard library only, text in, text out, like ``sheet_xml``. ``StyleBook.derive(base, style)``
returns the index of a cell format (``<cellXfs>`` entry) that is cell format ``base`` with the
given ``CellStyle`` applied (number format, font, alignment, rules), appending the number
format, font, border and cell format it needs (an identical existing entry is reused, so
re-runs add nothing). ``restyle`` then sets the ``s`` attribute of the cells in a worksheet
part, creating empty cells (and rows) where none exist; values and every other byte stay.
Only the entries appended and the four ``count`` attributes change in styles.xml.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from xladdin.core.sheet import cell_ref
from xladdin.engines.base import CellStyle
from xladdin.engines.xlsx.sheet_xml import column_number
from xladdin.errors import EngineUnsupported

__all__ = ["StyleBook", "restyle"]

BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}
_FONT_ORDER = ("b", "i", "strike", "condense", "extend", "outline", "shadow", "u", "vertAlign", "sz", "color",
               "name", "family", "charset", "scheme")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


def _section(xml: str, tag: str) -> tuple[int, int, list[str]] | None:
    """(start of the children, end of the children, the child elements) of ``<tag>``; None if absent."""
    m = re.search(r"<" + tag + r"\b[^>]*?(/?)>", xml)
    if m is None:
        return None
    if m.group(1):
        return m.end(), m.end(), []
    end = xml.index("</" + tag + ">", m.end())
    child = tag[:-1]  # fonts -> font, cellXfs -> cellXf (xf below)
    if tag == "cellXfs":
        child = "xf"
    items = re.findall(r"<" + child + r"\b[^>]*?/>|<" + child + r"\b(?:[^>]*[^/])?>.*?</" + child + ">",
                       xml[m.end():end], re.S)
    return m.end(), end, items


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class StyleBook:
    """The cell formats of one ``xl/styles.xml`` (see the module doc)."""

    def __init__(self, xml: str) -> None:
        if re.search(r"<\w+:styleSheet\b", xml):
            raise EngineUnsupported("样式部件使用了命名空间前缀，无法就地设置格式。")
        self.original = xml
        self._xml = xml
        self._cache: dict[tuple[int, CellStyle], int] = {}
        self._by_object: dict[tuple[int, int], tuple[CellStyle, int]] = {}  # (base, id(style)) -> (style, index)
        sections = {t: _section(xml, t) for t in ("numFmts", "fonts", "borders", "cellXfs")}
        if any(sections[t] is None for t in ("fonts", "borders", "cellXfs")):
            raise EngineUnsupported("样式部件不完整，无法就地设置格式。")
        self.num_fmts = {(_ATTR_MAP(e).get("formatCode") or ""): int(_ATTR_MAP(e)["numFmtId"])
                         for e in (sections["numFmts"] or (0, 0, []))[2]}
        self.fonts = list(sections["fonts"][2])  # type: ignore[index]
        self.borders = list(sections["borders"][2])  # type: ignore[index]
        self.xfs = list(sections["cellXfs"][2])  # type: ignore[index]
        self._added_fmts: list[str] = []
        self.changed = False

    # ---- entries -----------------------------------------------------------------------------
    def _index(self, items: list[str], element: str) -> int:
        if element in items:
            return items.index(element)
        items.append(element)
        self.changed = True
        return len(items) - 1

    def _num_fmt(self, code: str) -> int:
        if code in BUILTIN_FORMATS:
            return BUILTIN_FORMATS[code]
        if code not in self.num_fmts:
            new = max([163, *self.num_fmts.values()]) + 1
            self.num_fmts[code] = new
            self._added_fmts.append(f'<numFmt numFmtId="{new}" formatCode="{_esc(code)}"/>')
            self.changed = True
        return self.num_fmts[code]

    def _font(self, base: str, st: CellStyle) -> str:
        children: dict[str, str] = {}
        for m in re.finditer(r"<(\w+)\b([^>]*?)/>", base):
            children[m.group(1)] = m.group(0)
        if st.bold is not None:
            children.pop("b", None)
            if st.bold:
                children["b"] = "<b/>"
        if st.size is not None:
            children["sz"] = f'<sz val="{st.size:g}"/>'
        if st.color is not None:
            children["color"] = f'<color rgb="FF{st.color.upper()}"/>'
        if st.font is not None:
            children["name"] = f'<name val="{_esc(st.font)}"/>'
            children.pop("scheme", None)  # a theme font would override the name
            children.pop("family", None)
            if not st.font.isascii():
                children["charset"] = '<charset val="134"/>'  # GB2312
        return "<font>" + "".join(children[k] for k in _FONT_ORDER if k in children) + "</font>"

    @staticmethod
    def _border(st: CellStyle) -> str:
        color = f'<color rgb="FF{(st.border_color or "000000").upper()}"/>'
        parts = []
        for side, tag in (("l", "left"), ("r", "right"), ("t", "top"), ("b", "bottom")):
            weight = "medium" if side in (st.thick or "") else "thin" if side in (st.border or "") else None
            parts.append(f'<{tag} style="{weight}">{color}</{tag}>' if weight else f"<{tag}/>")
        return "<border>" + "".join(parts) + "<diagonal/></border>"

    def derive(self, base: int, st: CellStyle) -> int:
        """The cell format ``base`` with ``st`` applied (appended unless an identical one exists)."""
        seen = self._by_object.get((base, id(st)))  # a table's cells share a few style objects:
        if seen is not None and seen[0] is st:  # found without hashing the dataclass
            return seen[1]
        key = (base, st)
        if key in self._cache:
            self._by_object[(base, id(st))] = (st, self._cache[key])
            return self._cache[key]
        xf = self.xfs[base] if 0 <= base < len(self.xfs) else self.xfs[0]
        head = re.match(r"<xf\b([^>]*?)/?>", xf)
        attrs = dict(_ATTR.findall(head.group(1))) if head else {}
        inner = xf[head.end():].rsplit("</xf>", 1)[0] if head and not xf.endswith("/>") else ""
        if st.number_format is not None:
            attrs["numFmtId"], attrs["applyNumberFormat"] = str(self._num_fmt(st.number_format)), "1"
        if any(v is not None for v in (st.font, st.size, st.bold, st.color)):
            font = int(attrs.get("fontId", "0"))
            base_font = self.fonts[font] if font < len(self.fonts) else self.fonts[0]
            attrs["fontId"], attrs["applyFont"] = str(self._index(self.fonts, self._font(base_font, st))), "1"
        if st.border is not None or st.thick is not None:
            attrs["borderId"], attrs["applyBorder"] = str(self._index(self.borders, self._border(st))), "1"
        if st.align is not None or st.wrap is not None:
            align = re.search(r"<alignment\b([^>]*?)/>", inner)
            a_attrs = dict(_ATTR.findall(align.group(1))) if align else {}
            if st.align is not None:
                a_attrs["horizontal"] = st.align
            if st.wrap is not None:
                a_attrs.pop("wrapText", None)
                if st.wrap:
                    a_attrs["wrapText"] = "1"
            a_attrs.setdefault("vertical", "center")
            element = "<alignment " + " ".join(f'{k}="{v}"' for k, v in a_attrs.items()) + "/>"
            inner = inner.replace(align.group(0), element) if align else element + inner
            attrs["applyAlignment"] = "1"
        for k in ("numFmtId", "fontId", "fillId", "borderId"):
            attrs.setdefault(k, "0")
        text = "<xf " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + (f">{inner}</xf>" if inner else "/>")
        self._cache[key] = self._index(self.xfs, text)
        self._by_object[(base, id(st))] = (st, self._cache[key])
        return self._cache[key]

    # ---- the part ----------------------------------------------------------------------------
    def xml(self) -> str:
        """styles.xml with the appended entries and updated counts."""
        xml = self.original
        for tag, items in (("cellXfs", self.xfs), ("borders", self.borders), ("fonts", self.fonts)):
            xml = _replace_section(xml, tag, items)
        if self._added_fmts:
            sec = _section(xml, "numFmts")
            if sec is None:
                at = xml.index("<fonts")
                xml = xml[:at] + "<numFmts/>" + xml[at:]
                sec = _section(xml, "numFmts")
            assert sec is not None
            xml = _replace_section(xml, "numFmts", sec[2] + self._added_fmts)
        return xml


def _replace_section(xml: str, tag: str, items: list[str]) -> str:
    m = re.search(r"<" + tag + r"\b[^>]*?(/?)>", xml)
    assert m is not None
    end = m.end() if m.group(1) else xml.index("</" + tag + ">", m.end()) + len(tag) + 3
    attrs = re.sub(r'\s*\bcount="\d+"', "", m.group(0)[len(tag) + 1:].rstrip(">").rstrip("/"))
    return xml[:m.start()] + f'<{tag} count="{len(items)}"{attrs}>' + "".join(items) + f"</{tag}>" + xml[end:]


def _ATTR_MAP(element: str) -> dict[str, str]:
    return dict(_ATTR.findall(element))


# compiled once: restyle looks at every cell of every styled row (thousands per province job)
_ROW_NUMBER = re.compile(rb'(?:^|\s)r="(\d+)"')
_CELL_COLUMN = re.compile(rb'(?:^|\s)r="([A-Z]{1,3})\d+"')
_SPANS = re.compile(rb'\sspans="[^"]*"')
_STYLE_INDEX = re.compile(rb'\ss="(\d+)"')
_R_ATTR = re.compile(rb'\sr="[^"]*"')


def restyle(xml: bytes, styles: dict[tuple[int, int], Any], derive: Callable[[int, Any], int]) -> bytes:
    """Set the ``s`` of every cell in ``styles`` to ``derive(current s, style)``, adding empty
    cells and rows where needed; nothing else changes."""
    m = re.search(rb"<(\w+:)?worksheet\b", xml)
    if m is None:
        raise EngineUnsupported("工作表部件不是 worksheet，无法就地设置格式。")
    p = m.group(1) or b""
    open_m = re.search(rb"<" + p + rb"sheetData\b[^>]*?(/?)>", xml)
    if open_m is None:
        raise EngineUnsupported("工作表缺少 sheetData 部分，无法就地设置格式。")
    if open_m.group(1):
        lo = hi = open_m.end()
        head, tail = xml[:open_m.start()] + b"<" + p + b"sheetData>", b"</" + p + b"sheetData>" + xml[open_m.end():]
    else:
        lo, hi = open_m.end(), xml.index(b"</" + p + b"sheetData>", open_m.end())
        head, tail = xml[:lo], xml[hi:]
    body = xml[lo:hi]
    by_row: dict[int, dict[int, Any]] = {}
    for (r, c), st in styles.items():
        by_row.setdefault(r, {})[c] = st
    row_re = re.compile(rb"<" + p + rb"row\b([^>]*?)(/>|>(.*?)</" + p + rb"row>)", re.S)
    cell_re = re.compile(rb"<" + p + rb"c\b([^>]*?)(/>|>(.*?)</" + p + rb"c>)", re.S)
    out: list[bytes] = []
    pos = 0
    done: set[int] = set()
    pending = sorted(by_row)  # rows to style, in order; ``at`` is the first not yet passed
    at = 0

    def new_rows(upto: int | None) -> None:  # one pass over ``pending`` for the whole sheet, not per row
        nonlocal at
        while at < len(pending) and (upto is None or pending[at] < upto):
            r = pending[at]
            at += 1
            if r not in done:
                out.append(b'<%srow r="%d">%s</%srow>' % (p, r, _cells(p, r, {}, by_row[r], derive), p))
                done.add(r)

    for rm in row_re.finditer(body):
        num = _ROW_NUMBER.search(rm.group(1))
        if num is None:
            raise EngineUnsupported("行缺少行号（r 属性），无法就地设置格式。")
        r = int(num.group(1))
        out.append(body[pos:rm.start()])
        new_rows(r)
        if r in by_row:
            attrs = _SPANS.sub(b"", rm.group(1))
            quick = _plain_row(p, r, rm.group(3), by_row[r], derive)
            if quick is not None:
                out.append(b"<%srow%s>%s</%srow>" % (p, attrs, quick, p))
                done.add(r)
                pos = rm.end()
                continue
            existing: dict[int, bytes] = {}
            for cm in cell_re.finditer(rm.group(3) or b""):
                ref = _CELL_COLUMN.search(cm.group(1))
                if ref is None:
                    raise EngineUnsupported("单元格缺少地址（r 属性），无法就地设置格式。")
                existing[column_number(ref.group(1))] = cm.group(0)
            out.append(b"<%srow%s>%s</%srow>" % (p, attrs, _cells(p, r, existing, by_row[r], derive), p))
            done.add(r)
        else:
            out.append(rm.group(0))
        pos = rm.end()
    out.append(body[pos:])
    new_rows(None)
    return head + b"".join(out) + tail


_PLAIN_CELLS: dict[bytes, re.Pattern[bytes]] = {}


def _plain_row(p: bytes, r: int, inner: bytes | None, wanted: dict[int, Any],
               derive: Callable[[int, Any], int]) -> bytes | None:
    """Row ``r``'s cells restyled as ``_cells`` restyles them (the same bytes, the same formats
    derived in the same order), when the row holds nothing but cells written as this engine and
    most writers write them (``<c r="…"`` first, then ``s`` if any) in column order; None
    otherwise, and the general path reads the row. Output sheets restyle tens of thousands of
    such cells a run: one regex pass, no second parse of each cell."""
    if not inner:
        return None
    pattern = _PLAIN_CELLS.get(p)
    if pattern is None:
        e = re.escape(p)
        pattern = _PLAIN_CELLS[p] = re.compile(
            rb'<' + e + rb'c r="([A-Z]{1,3})[0-9]+"(?: s="([0-9]+)")?([^>]*?(?:/>|>.*?</' + e + rb'c>))', re.S)
    by_col: dict[int, re.Match[bytes]] = {}
    pos = last = 0
    for m in pattern.finditer(inner):
        if m.start() != pos:
            return None  # something else between cells, or a cell this pattern does not read
        pos = m.end()
        col = column_number(m.group(1))
        if col <= last:
            return None  # out of column order, or twice
        last = col
        by_col[col] = m
    if pos != len(inner):
        return None
    styles: dict[int, int] = {}
    added: dict[int, bytes] = {}
    for col, st in wanted.items():  # derived in the order _cells derives (new formats get the same indices)
        cell = by_col.get(col)
        if cell is None:
            added[col] = b'<%sc r="%s" s="%d"/>' % (p, cell_ref(r, col).encode(), derive(0, st))
            continue
        s = cell.group(2)
        if s is None and b's="' in cell.group(3)[:cell.group(3).find(b">")]:
            return None  # its s comes after other attributes
        styles[col] = derive(int(s) if s is not None else 0, st)
    pieces: dict[int, bytes] = added
    for col, m in by_col.items():
        new = styles.get(col)
        if new is None:
            pieces[col] = m.group(0)
        else:  # s right after r="…", as _cells puts it
            cut = m.start(2) - 4 if m.group(2) is not None else m.start(3)
            pieces[col] = inner[m.start():cut] + b' s="%d"' % new + m.group(3)
    return b"".join(pieces[c] for c in sorted(pieces)) if added else b"".join(pieces.values())


def _cells(p: bytes, r: int, existing: dict[int, bytes], wanted: dict[int, Any], derive: Callable[[int, Any], int]) -> bytes:
    cells = dict(existing)
    for c, st in wanted.items():
        old = cells.get(c)
        if old is None:
            cells[c] = b'<%sc r="%s" s="%d"/>' % (p, cell_ref(r, c).encode(), derive(0, st))
            continue
        gt = old.index(b">")
        tag = old[:gt]
        s = _STYLE_INDEX.search(tag) if b's="' in tag else None
        new = derive(int(s.group(1)) if s else 0, st)
        if s:
            tag = tag[:s.start()] + b' s="%d"' % new + tag[s.end():]
        else:  # right after r="…", where the value patcher keeps it: a re-run then writes the same bytes
            r_attr = _R_ATTR.search(tag)
            at = r_attr.end() if r_attr else len(tag.rstrip(b"/"))
            tag = tag[:at] + b' s="%d"' % new + tag[at:]
        cells[c] = tag + old[gt:]
    return b"".join(cells[c] for c in sorted(cells))
