"""What openpyxl would silently drop when re-saving a workbook package, found before writing.

Imports only the standard library and defusedxml. Works on the zip directory, small parts
parsed with defusedxml (drawings) and a streamed byte scan of worksheet XML for markers
(no parse of sheet data), so it stays fast on large ledgers. Callers should first vet the
file with ``safety.inspect_package`` (this module trusts declared sizes only for streaming).
The losses listed follow measured openpyxl 3.1 behaviour (shared/notes/FACTS.md).
"""

from __future__ import annotations

import importlib.util
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

__all__ = ["VBA_SUFFIXES", "Risk", "package_risks", "risk_texts"]

VBA_SUFFIXES = (".xlsm", ".xlam", ".xltm")
_XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"


@dataclass(frozen=True)
class Risk:
    """One kind of content that would be lost or altered; ``key`` is stable, ``text`` is for staff."""

    key: str
    text: str
    parts: tuple[str, ...]
    minor: bool = False


# zip member prefix -> (key, description); one risk per key however many members match
_MEMBER_RISKS: list[tuple[str, str, str]] = [
    ("xl/ctrlProps/", "form-controls", "表单控件（按钮、复选框、下拉框等）"),
    ("xl/activeX/", "activex", "ActiveX 控件"),
    ("xl/slicers/", "slicers", "切片器"),
    ("xl/slicerCaches/", "slicers", "切片器"),
    ("xl/timelines/", "timelines", "日程表（时间线筛选器）"),
    ("xl/timelineCaches/", "timelines", "日程表（时间线筛选器）"),
    ("customXml/", "custom-xml", "自定义 XML 数据（customXml）"),
    ("xl/queryTables/", "query-tables", "查询表（从外部数据导入的区域）"),
    ("xl/connections.xml", "connections", "外部数据连接"),
    ("xl/richData/", "picture-in-cell", "单元格内图片"),
    ("xl/metadata.xml", "dynamic-arrays", "动态数组公式（将变为旧式数组公式）"),
    ("xl/threadedComments/", "threaded-comments", "新式批注（会话式批注及回复）"),
    ("xl/embeddings/", "embedded-objects", "嵌入对象（OLE 对象、附件）"),
    ("customUI/", "custom-ui", "自定义功能区（customUI，保存后不再显示）"),
    ("xl/chartsheets/", "charts", ""),
]

# byte markers in worksheet XML -> (key, description, minor)
_SHEET_MARKERS: dict[bytes, tuple[str, str, bool]] = {
    b"<x14:sparklineGroups": ("sparklines", "迷你图", False),
    b"<x14:conditionalFormatting": (
        "x14-conditional-formats",
        "新式条件格式（数据条、图标集等扩展样式）",
        False,
    ),
    b"<x14:dataValidation": ("x14-data-validation", "扩展数据验证（引用其他工作表的下拉列表）", False),
    b"<legacyDrawingHF": ("header-footer-images", "页眉页脚中的图片", False),
    b"<controls": ("form-controls", "表单控件（按钮、复选框、下拉框等）", False),
    b"<oleObjects": ("embedded-objects", "嵌入对象（OLE 对象、附件）", False),
    b"<ignoredErrors": ("ignored-errors", "“忽略错误”标记（绿色小三角将重新出现）", True),
}
_MARKER_RE = re.compile(b"|".join(re.escape(m) for m in _SHEET_MARKERS) + rb"(?=[\s/>])")
_CHUNK = 1 << 20
_OVERLAP = max(len(m) for m in _SHEET_MARKERS) + 1


def _scan_sheet(zf: zipfile.ZipFile, name: str) -> set[bytes]:
    """Markers present in a worksheet part, streamed in 1 MB chunks."""
    found: set[bytes] = set()
    tail = b""
    with zf.open(name) as member:
        while chunk := member.read(_CHUNK):
            buf = tail + chunk
            found.update(m.group(0) for m in _MARKER_RE.finditer(buf))
            tail = buf[-_OVERLAP:]
    return found


def _drawing_counts(data: bytes) -> Counter[str]:
    """Shapes (a group counts once) and pictures anchored in one drawing part; charts are counted
    from their own parts."""
    counts: Counter[str] = Counter()
    for anchor in ElementTree.fromstring(data):
        for child in anchor:
            tag = child.tag.removeprefix(_XDR) if isinstance(child.tag, str) else ""
            if tag in ("sp", "grpSp", "cxnSp"):
                counts["shapes"] += 1
            elif tag == "pic":
                counts["pictures"] += 1
    return counts


def package_risks(path: Path, *, keep_vba: bool | None = None) -> list[Risk]:
    """Everything in the package at ``path`` that an openpyxl load + save would drop or alter.

    ``keep_vba`` says whether the save will use openpyxl's ``keep_vba=True`` (default: yes for
    .xlsm/.xlam/.xltm). Charts are always listed (openpyxl re-generates them); pictures only
    when Pillow is absent (openpyxl then drops them).
    """
    path = Path(path)
    if keep_vba is None:
        keep_vba = path.suffix.lower() in VBA_SUFFIXES
    found: dict[str, tuple[str, list[str], bool]] = {}

    def add(key: str, text: str, part: str, minor: bool = False) -> None:
        entry = found.setdefault(key, (text, [], minor))
        entry[1].append(part)

    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        for name in names:
            for prefix, key, text in _MEMBER_RISKS:
                if name.startswith(prefix) and text:
                    add(key, text, name)
        charts = [n for n in names if re.fullmatch(r"xl/(charts/chart|chartsheets/sheet)\d+\.xml", n)]
        for name in charts:
            add("charts", f"图表 {len(charts)} 个（保存时将重新生成，格式、数据标签等可能改变）", name)
        if "xl/vbaProject.bin" in names and not keep_vba:
            add("vba", "VBA 宏（需另存为 .xlsm 才能保留）", "xl/vbaProject.bin")
        pictures = shapes = 0
        for name in names:
            if re.fullmatch(r"xl/drawings/drawing\d+\.xml", name):
                counts = _drawing_counts(zf.read(name))
                if counts["shapes"]:
                    shapes += counts["shapes"]
                    add("shapes", "", name)
                if counts["pictures"]:
                    pictures += counts["pictures"]
                    add("pictures", "", name)
            elif re.fullmatch(r"xl/drawings/vmlDrawing\d+\.vml", name) and b"<x:Visible" in zf.read(name):
                add("visible-comments", "始终显示的批注（将改为鼠标悬停时显示）", name, True)
            elif re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
                for marker in sorted(_scan_sheet(zf, name)):
                    key, text, minor = _SHEET_MARKERS[marker]
                    add(key, text, name, minor)
    if "shapes" in found:
        found["shapes"] = (f"形状、文本框 {shapes} 个", found["shapes"][1], False)
    if "pictures" in found:
        if importlib.util.find_spec("PIL") is None:
            found["pictures"] = (
                f"图片 {pictures} 张（未安装 Pillow，保存时会丢失）",
                found["pictures"][1],
                False,
            )
        else:
            del found["pictures"]
    return [
        Risk(key, text, tuple(dict.fromkeys(parts)), minor) for key, (text, parts, minor) in found.items()
    ]


def risk_texts(risks: list[Risk], *, include_minor: bool = False) -> list[str]:
    """The staff-facing descriptions, major risks first."""
    return [r.text for r in sorted(risks, key=lambda r: r.minor) if include_minor or not r.minor]
