"""Cell formats for the patch engine: new entries appended to ``styles.xml``, existing ones untouched.

Standard library only. A cell's look is its cell format (``<xf>`` number ``s`` in ``<cellXfs>``),
which points at a fill, a font, a number format …. To change one aspect of a cell we take its
current format, swap that one pointer and look the result up: an identical format already in the
file is reused, otherwise the new format is appended at the end of ``<cellXfs>`` (and the new fill
at the end of ``<fills>``), so every existing index keeps its meaning and every cell we did not
touch looks exactly as before. Formats are shared: a thousand cells marked red share one new
``<xf>``. Restoring a cell's original fill finds its original format again.

``CellFormat`` holds the aspects a job may set; only ``fill`` exists today. A font or number
format is added the same way: a field on ``CellFormat``, a ``_Section`` for ``<fonts>`` /
``<numFmts>``, and one line in ``StyleBook.derive`` that swaps ``fontId`` / ``numFmtId``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from xladdin.errors import EngineUnsupported

__all__ = ["KEEP", "CellFormat", "StyleBook"]


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()  # "leave this aspect as the cell has it"


@dataclass(frozen=True)
class CellFormat:
    """What to change about a cell's look. ``fill``: RGB ("FFC7CE"), None for no fill, KEEP."""

    fill: str | _Keep | None = KEEP

    def then(self, later: CellFormat) -> CellFormat:
        """This change followed by ``later`` (later aspects win)."""
        return CellFormat(fill=self.fill if isinstance(later.fill, _Keep) else later.fill)


_ATTR = re.compile(r'\s([\w:]+)="([^"]*)"')


@dataclass
class _Section:
    """One counted list of ``styles.xml`` (``<fills>``, ``<cellXfs>``): its items' text, the ones we append."""

    tag: str
    items: list[str]
    end: int  # offset of the closing tag (or of "/>" of an empty self-closed list) in the original text
    start: int  # offset of the opening tag
    open_end: int
    added: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)

    def find_or_add(self, text: str, same: str | None = None) -> int:
        """Index of an item equal to ``text`` (or, failing that, whose canonical form is ``same``), else append it."""
        if not self.index:
            self.index = {}
            for i, item in enumerate(self.items):
                self.index.setdefault(item, i)
        if text in self.index:
            return self.index[text]
        if same is not None:
            for i, item in enumerate(self.items):
                if _canonical(item) == same:
                    self.index[text] = i
                    return i
        n = len(self.items)
        self.items.append(text)
        self.added.append(text)
        self.index[text] = n
        return n


def _canonical(xf: str) -> str:
    """An ``<xf>`` without its ``apply*`` flags and with sorted attributes (for finding an original again)."""
    m = re.match(r"<(\w+:)?xf\b([^>]*?)(/?)>", xf)
    if m is None:
        return xf
    attrs = sorted((k, v) for k, v in _ATTR.findall(" " + m.group(2)) if not k.startswith("apply"))
    return repr(attrs) + xf[m.end():]


class StyleBook:
    """``styles.xml`` of one workbook, read once; ``render()`` gives the new text (None if unchanged)."""

    def __init__(self, xml: str) -> None:
        self.xml = xml
        m = re.search(r"<(\w+:)?styleSheet\b", xml)
        if m is None:
            raise EngineUnsupported("styles.xml 不是样式表，无法就地写入填充色。")
        self.p = m.group(1) or ""
        self.fills = self._section("fills", "fill")
        self.xfs = self._section("cellXfs", "xf")
        self._derived: dict[tuple[int, CellFormat], int] = {}

    def _section(self, tag: str, item: str) -> _Section:
        p = re.escape(self.p)
        m = re.search(r"<" + p + tag + r"\b[^>]*?(/?)>", self.xml)
        if m is None:
            raise EngineUnsupported(f"styles.xml 缺少 {tag}，无法就地写入填充色。")
        if m.group(1):
            return _Section(tag, [], m.end() - 2, m.start(), m.end())
        close = self.xml.index("</" + self.p + tag + ">", m.end())
        body = self.xml[m.end():close]
        items = [x.group(0) for x in re.finditer(
            r"<" + p + item + r"\b[^>]*?(?:/>|>.*?</" + p + item + r">)", body, re.S)]
        return _Section(tag, items, close, m.start(), m.end())

    # ---- reading ------------------------------------------------------------------------------
    def _xf_attr(self, s: int, name: str) -> str | None:
        if not 0 <= s < len(self.xfs.items):
            return None
        m = re.match(r"<(?:\w+:)?xf\b([^>]*)>", self.xfs.items[s])
        found = dict(_ATTR.findall(" " + m.group(1))) if m else {}
        return found.get(name)

    def fill_color(self, s: int) -> str | None:
        """The solid fill RGB of cell format ``s`` (None: no fill, or not a plain RGB solid fill)."""
        fill_id = self._xf_attr(s, "fillId")
        if fill_id is None or not fill_id.isdigit() or int(fill_id) >= len(self.fills.items):
            return None
        return self._solid_rgb(self.fills.items[int(fill_id)])

    @staticmethod
    def _solid_rgb(fill: str) -> str | None:
        if not re.search(r'patternType="solid"', fill):
            return None
        m = re.search(r'<(?:\w+:)?fgColor\b[^>]*\brgb="([0-9A-Fa-f]{6,8})"', fill)
        return m.group(1)[-6:].upper() if m else None

    # ---- deriving -----------------------------------------------------------------------------
    def _fill_id(self, color: str | None) -> int:
        if color is None:
            return 0  # the schema's first fill is "none"
        rgb = "FF" + color.upper()
        for i, fill in enumerate(self.fills.items):  # the file's own solid fill of that colour (a staff fill)
            if self._solid_rgb(fill) == color.upper():
                return i
        p = self.p
        text = (f'<{p}fill><{p}patternFill patternType="solid"><{p}fgColor rgb="{rgb}"/>'
                f'<{p}bgColor indexed="64"/></{p}patternFill></{p}fill>')
        return self.fills.find_or_add(text)

    def derive(self, s: int, fmt: CellFormat) -> int:
        """The cell format that is ``s`` changed by ``fmt`` (an existing one when identical)."""
        key = (s, fmt)
        if key in self._derived:
            return self._derived[key]
        base = self.xfs.items[s] if 0 <= s < len(self.xfs.items) else (self.xfs.items[0] if self.xfs.items else
                                                                        f'<{self.p}xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>')
        xf = base
        if not isinstance(fmt.fill, _Keep):
            xf = _set_attr(xf, "fillId", str(self._fill_id(fmt.fill)))
            xf = _set_attr(xf, "applyFill", "1")
        new = self.xfs.find_or_add(xf, _canonical(xf)) if xf != base else s
        self._derived[key] = new
        return new

    def render(self) -> str | None:
        """The new ``styles.xml`` text with the appended entries and updated counts, or None."""
        if not self.fills.added and not self.xfs.added:
            return None
        out = self.xml
        for sec in sorted((self.fills, self.xfs), key=lambda s: s.start, reverse=True):
            if not sec.added:
                continue
            total = len(sec.items)
            if out[sec.open_end - 2:sec.open_end] == "/>":  # <fills/> (never written by real programs)
                open_tag = out[sec.start:sec.open_end - 2] + ">"
                out = out[:sec.start] + open_tag + "".join(sec.added) + f"</{self.p}{sec.tag}>" + out[sec.open_end:]
            else:
                out = out[:sec.end] + "".join(sec.added) + out[sec.end:]
            open_tag = out[sec.start:out.index(">", sec.start) + 1]
            counted = re.sub(r'\scount="\d+"', f' count="{total}"', open_tag) if "count=" in open_tag \
                else open_tag[:-1].rstrip("/") + f' count="{total}">'
            out = out[:sec.start] + counted + out[sec.start + len(open_tag):]
        return out


def _set_attr(element: str, name: str, value: str) -> str:
    """``element``'s start tag with attribute ``name`` set to ``value`` (replaced or added)."""
    m = re.match(r"<[\w:]+\b([^>]*?)(/?)>", element)
    if m is None:
        return element
    attrs = m.group(1)
    found = re.search(r'\s' + re.escape(name) + r'="[^"]*"', attrs)
    attrs = (attrs[:found.start()] + f' {name}="{value}"' + attrs[found.end():]) if found else attrs + f' {name}="{value}"'
    return element[:m.start(1)] + attrs + element[m.end(1):]
