"""The patch engine's bar chart: find a sheet's chart, or add a new chart as new package parts.

Standard library only. Adding a chart is additive: a chart part, a drawing part with its rels,
a relationship in the sheet's rels, two content-type overrides and one ``<drawing r:id>``
element in the sheet (schema position). On a sheet that already has a drawing (pictures, shapes)
the chart's anchor is appended to that drawing and its relationship to the drawing's rels;
nothing existing is rewritten. The chart is a
horizontal bar chart of two A1 ranges on its sheet, like the file engine's.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from xladdin.core.sheet import parse_ref
from xladdin.engines.xlsx.package import rels_part, rels_targets
from xladdin.engines.xlsx.xml_text import escape

__all__ = ["ChartSpec", "add_charts", "sheet_drawing"]

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_TYPE = REL_NS + "/"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
_AFTER_DRAWING = ("legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                  "webPublishItems", "tableParts", "extLst")
_EMPTY_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>')


@dataclass(frozen=True)
class ChartSpec:
    sheet: str
    anchor: str
    categories: str
    values: str
    title: str


def _read(zf: zipfile.ZipFile, part: str) -> str | None:
    try:
        return zf.read(part).decode("utf-8")
    except KeyError:
        return None


def sheet_drawing(zf: zipfile.ZipFile, part: str) -> tuple[bool, bool]:
    """(the sheet has a drawing part, that drawing holds a chart)."""
    xml = zf.read(part)
    m = re.search(rb"<(?:\w+:)?drawing\b[^>]*?\s\w+:id=\"([^\"]+)\"", xml)
    if m is None:
        return False, False
    rels = _read(zf, rels_part(part)) or ""
    target = rels_targets(rels, part).get(m.group(1).decode())
    if target is None:
        return True, False
    drawing_rels = _read(zf, rels_part(target[1])) or ""
    return True, any(typ == "chart" for typ, _ in rels_targets(drawing_rels, target[1]).values())


def _absolute(sheet: str, ref: str) -> str:
    a, _, b = ref.partition(":")
    ends = [parse_ref(x) for x in (a, b or a)]
    from xladdin.core.findings import column_letter

    cells = ":".join(f"${column_letter(c)}${r}" for r, c in ends)
    return "'" + sheet.replace("'", "''") + "'!" + cells


def _chart_xml(spec: ChartSpec) -> str:
    cat, val = escape(_absolute(spec.sheet, spec.categories)), escape(_absolute(spec.sheet, spec.values))
    axis = ('<c:scaling><c:orientation val="minMax"/></c:scaling><c:delete val="0"/>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        f'xmlns:r="{REL_NS}"><c:roundedCorners val="0"/><c:chart>'
        f'<c:title><c:tx><c:rich><a:bodyPr/><a:p><a:r><a:t>{escape(spec.title)}</a:t></a:r></a:p></c:rich></c:tx>'
        '<c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/><c:plotArea><c:layout/>'
        '<c:barChart><c:barDir val="bar"/><c:grouping val="clustered"/><c:varyColors val="0"/>'
        '<c:ser><c:idx val="0"/><c:order val="0"/>'
        f'<c:cat><c:strRef><c:f>{cat}</c:f></c:strRef></c:cat><c:val><c:numRef><c:f>{val}</c:f></c:numRef></c:val>'
        '</c:ser><c:gapWidth val="150"/><c:axId val="10"/><c:axId val="100"/></c:barChart>'
        f'<c:catAx><c:axId val="10"/>{axis}<c:axPos val="l"/><c:numFmt formatCode="General" sourceLinked="1"/>'
        '<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="low"/><c:crossAx val="100"/>'
        '<c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/>'
        '<c:tickLblSkip val="1"/><c:noMultiLvlLbl val="0"/></c:catAx>'
        f'<c:valAx><c:axId val="100"/>{axis}<c:axPos val="b"/><c:majorGridlines/>'
        '<c:numFmt formatCode="0.0%" sourceLinked="0"/><c:majorTickMark val="out"/><c:minorTickMark val="none"/>'
        '<c:tickLblPos val="nextTo"/><c:crossAx val="10"/><c:crosses val="autoZero"/>'
        '<c:crossBetween val="between"/></c:valAx></c:plotArea><c:plotVisOnly val="1"/>'
        '<c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>'
    )


def _drawing_xml(spec: ChartSpec, name: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        + _anchor_xml(spec, name, 2, "rId1") + '</xdr:wsDr>'
    )


def _anchor_xml(spec: ChartSpec, name: str, shape_id: int, rid: str) -> str:
    """One ``xdr:oneCellAnchor`` holding the chart frame (``xdr``/``a`` prefixes declared on it)."""
    row, col = parse_ref(spec.anchor)
    return (
        '<xdr:oneCellAnchor xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        f'<xdr:from><xdr:col>{col - 1}</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>{row - 1}</xdr:row>'
        '<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx="5760000" cy="4680000"/>'
        f'<xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr id="{shape_id}" name="{escape(name)}"/>'
        '<xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/>'
        '</xdr:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/chart">'
        '<c:chart xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart" '
        f'xmlns:r="{REL_NS}" r:id="{rid}"/></a:graphicData></a:graphic></xdr:graphicFrame>'
        '<xdr:clientData/></xdr:oneCellAnchor>'
    )


def _free(names: set[str], pattern: str) -> tuple[int, str]:
    n = 1
    while pattern.format(n) in names:
        n += 1
    return n, pattern.format(n)


def _add_rel(rels: str, typ: str, target: str) -> tuple[str, str]:
    used = set(re.findall(r'Id="([^"]+)"', rels))
    _, rid = _free(used, "rId{}")
    rel = f'<Relationship Id="{rid}" Type="{REL_TYPE}{typ}" Target="{target}"/>'
    at = rels.rindex("</Relationships>")
    return rels[:at] + rel + rels[at:], rid


def _existing_drawing(current: Callable[[str], bytes | None], part: str) -> str | None:
    """The drawing part the sheet ``part`` already refers to, if any."""
    xml = current(part) or b""
    m = re.search(rb"<(?:\w+:)?drawing\b[^>]*?\s\w+:id=\"([^\"]+)\"", xml)
    if m is None:
        return None
    rels = current(rels_part(part))
    target = rels_targets(rels.decode("utf-8"), part).get(m.group(1).decode()) if rels else None
    return target[1] if target is not None else None


def add_charts(read: Callable[[str], bytes | None], names: set[str], charts: dict[str, ChartSpec],
               parts: dict[str, str], changes: dict[str, bytes | None]) -> None:
    """Add one chart per sheet in ``charts``. ``read``: a member's current bytes (pending changes
    first, None if absent); ``names``: member names in use; changed and new members go to ``changes``."""
    def current(name: str) -> bytes | None:
        return changes[name] if name in changes else read(name)

    types = (current("[Content_Types].xml") or b"").decode("utf-8")
    for sheet, spec in charts.items():
        part = parts[sheet]
        _, chart = _free(names, "xl/charts/chart{}.xml")
        names.add(chart)
        added_to = _existing_drawing(current, part)
        if added_to is not None:  # the sheet has a drawing (pictures, shapes): the chart joins it
            changes[chart] = _chart_xml(spec).encode()
            drawing_xml = (current(added_to) or b"").decode("utf-8")
            drels, rid = _add_rel((current(rels_part(added_to)) or _EMPTY_RELS.encode()).decode("utf-8"), "chart",
                                  "../charts/" + chart.rsplit("/", 1)[1])
            ids = [int(x) for x in re.findall(r'<(?:\w+:)?cNvPr\b[^>]*?\sid="(\d+)"', drawing_xml)]
            root_close = re.search(r"</(\w+:)?wsDr>\s*$", drawing_xml)
            at = root_close.start() if root_close else drawing_xml.rindex("</")
            changes[added_to] = (drawing_xml[:at] + _anchor_xml(spec, "xl_rank_chart", max(ids, default=1) + 1, rid)
                                 + drawing_xml[at:]).encode("utf-8")
            changes[rels_part(added_to)] = drels.encode("utf-8")
            at = types.rindex("</Types>")
            types = types[:at] + f'<Override PartName="/{chart}" ContentType="{CT_CHART}"/>' + types[at:]
            continue
        n, drawing = _free(names, "xl/drawings/drawing{}.xml")
        names.add(drawing)
        changes[chart] = _chart_xml(spec).encode()
        changes[drawing] = _drawing_xml(spec, "xl_rank_chart").encode()
        drawing_rels, _ = _add_rel(_EMPTY_RELS, "chart", "../charts/" + chart.rsplit("/", 1)[1])
        changes[rels_part(drawing)] = drawing_rels.encode()
        srels_name = rels_part(part)
        srels_old = current(srels_name)
        srels, rid = _add_rel(srels_old.decode() if srels_old else _EMPTY_RELS, "drawing", f"../drawings/drawing{n}.xml")
        changes[srels_name] = srels.encode()
        xml = (current(part) or b"").decode("utf-8")
        prefix = re.search(r"<(\w+:)?worksheet\b", xml)
        p = (prefix.group(1) or "") if prefix else ""
        declared = re.search(r'xmlns:(\w+)="' + re.escape(REL_NS) + '"', xml[: xml.find(">", prefix.end()) if prefix else 0])
        element = (f'<{p}drawing {declared.group(1)}:id="{rid}"/>' if declared  # the root declares it
                   else f'<{p}drawing xmlns:r="{REL_NS}" r:id="{rid}"/>')
        start = max(xml.rfind("</" + p + "sheetData>"), 0)
        after = re.search(r"<" + re.escape(p) + "(?:" + "|".join(_AFTER_DRAWING) + r")\b", xml[start:])
        at = start + after.start() if after else xml.rindex("</" + p + "worksheet>")
        changes[part] = (xml[:at] + element + xml[at:]).encode("utf-8")
        at = types.rindex("</Types>")
        types = (types[:at] + f'<Override PartName="/{chart}" ContentType="{CT_CHART}"/>'
                 f'<Override PartName="/{drawing}" ContentType="{CT_DRAWING}"/>' + types[at:])
    changes["[Content_Types].xml"] = types.encode("utf-8")
