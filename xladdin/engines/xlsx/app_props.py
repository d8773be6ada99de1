"""The sheet list in ``docProps/app.xml`` (extended properties), kept in step when a job adds sheets.

Excel, WPS and openpyxl-written files list every worksheet there: ``HeadingPairs`` holds
(heading, count) pairs such as ("Worksheets", 3), ("Named Ranges", 1), and ``TitlesOfParts``
the titles of every part in the same order. Spreadsheet programs rebuild the list when they save
and do not read it to open a file, but document indexers, file managers and Office's own
"Properties" pane show it, so a sheet the patch engine adds is appended to the worksheet group
(its count and both vector sizes follow). Standard library only, text in, text out.

Left as it is (returns None): a file without the list (LibreOffice and openpyxl write none) or
whose worksheet heading is not one of the names Office writes in its UI languages (then which
group holds worksheets is unknown, and guessing could misnumber the other groups).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from xladdin.engines.xlsx.package import rels_targets
from xladdin.engines.xlsx.xml_text import escape, unescape

__all__ = ["WORKSHEET_HEADINGS", "add_sheet_titles", "app_with_sheets"]

# The worksheet heading as Excel and WPS write it in their UI languages (English, Chinese, ...).
WORKSHEET_HEADINGS = frozenset({"Worksheets", "工作表", "工作表名称", "Arbeitsblätter", "Feuilles de calcul",
                                "Hojas de cálculo", "Fogli di lavoro", "Planilhas", "ワークシート", "Листы"})


def _vector(xml: str, parent: str) -> re.Match[str] | None:
    """``<parent><vt:vector ...>items</vt:vector></parent>``: groups (vector prefix, vector attributes, items)."""
    return re.search(r"<(?:\w+:)?" + parent + r">\s*<(\w+:)?vector\b([^>]*)>(.*?)</\1?vector>", xml, re.S)


def add_sheet_titles(app_xml: str, names: list[str]) -> str | None:
    """``app_xml`` with ``names`` appended to its worksheet titles, or None when it has no
    worksheet list this function can place them in (see the module docstring)."""
    heads, titles = _vector(app_xml, "HeadingPairs"), _vector(app_xml, "TitlesOfParts")
    if not names or heads is None or titles is None:
        return None
    vp = heads.group(1) or ""
    variants = list(re.finditer(r"<" + re.escape(vp) + r"variant>(.*?)</" + re.escape(vp) + r"variant>",
                                heads.group(3), re.S))
    if len(variants) % 2:
        return None
    pairs: list[tuple[str, int, re.Match[str]]] = []  # (heading, count, the count's <vt:i4> match)
    for name_m, count_m in zip(variants[::2], variants[1::2], strict=True):
        label = re.search(r"<(?:\w+:)?lpstr>([^<]*)</(?:\w+:)?lpstr>", name_m.group(1))
        number = re.search(r"<(?:\w+:)?i4>(\d+)</(?:\w+:)?i4>", count_m.group(1))
        if label is None or number is None:
            return None
        pairs.append((unescape(label.group(1)), int(number.group(1)), count_m))
    k = next((i for i, (label, _, _) in enumerate(pairs) if label in WORKSHEET_HEADINGS), None)
    if k is None:
        return None
    offset, count = sum(c for _, c, _ in pairs[:k]), pairs[k][1]
    tp = titles.group(1) or ""
    items = list(re.finditer(r"<" + re.escape(tp) + r"lpstr>[^<]*</" + re.escape(tp) + r"lpstr>", titles.group(3)))
    if len(items) != sum(c for _, c, _ in pairs):
        return None  # the list disagrees with its own counts: leave it to the next program that saves it
    at = titles.start(3) + (items[offset + count - 1].end() if count else
                            items[offset].start() if offset < len(items) else len(titles.group(3)))
    added = "".join(f"<{tp}lpstr>{escape(n)}</{tp}lpstr>" for n in names)
    edits = [  # (start, end, text), applied from the end so earlier offsets stay valid
        (titles.start(2), titles.end(2), _with_size(titles.group(2), len(items) + len(names))),
        (at, at, added),
    ]
    count_m = pairs[k][2]
    i4 = re.search(r"(<(?:\w+:)?i4>)\d+", count_m.group(1))
    assert i4 is not None
    start = heads.start(3) + count_m.start(1) + i4.end(1)
    edits.append((start, start + len(str(count)), str(count + len(names))))
    out = app_xml
    for s, e, text in sorted(edits, key=lambda t: t[0], reverse=True):
        out = out[:s] + text + out[e:]
    return out


def _with_size(attrs: str, size: int) -> str:
    return re.sub(r'\bsize="\d+"', f'size="{size}"', attrs)


def app_with_sheets(read: Callable[[str], bytes | None], names: list[str]) -> tuple[str, bytes] | None:
    """(the extended-properties part, its new bytes) listing the new sheets ``names``, or None
    when the package has no such part or no worksheet list to extend."""
    rels = read("_rels/.rels")
    if rels is None:
        return None
    part = next((t for typ, t in rels_targets(rels.decode("utf-8"), "").values() if typ == "extended-properties"), None)
    data = read(part) if part is not None else None
    if part is None or data is None:
        return None
    new = add_sheet_titles(data.decode("utf-8"), names)
    return None if new is None else (part, new.encode("utf-8"))
