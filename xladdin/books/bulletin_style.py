"""The bulletin's look as a 公文 (GB/T 9704-2012): fonts, sizes, rules, page geometry.

Shared by the 通报 sheet (``jobs.outputs.write_bulletin`` through ``Engine.set_styles``, and the
template's page setup) and the Word document (``books.bulletin_docx``). Fonts are named as on
Chinese government PCs; where one is missing the fallback named beside it is what the office
should expect to see (Word: the document's font table lists it as the alternative name; Excel
and LibreOffice substitute by their own rules, usually to the system's 宋体/仿宋).
"""

from __future__ import annotations

from xladdin.engines.base import CellStyle
from xladdin.figures.bulletin_layout import CHART_COLS, GRID_COLS, Line

__all__ = ["BODY_FONT", "FALLBACKS", "H1_FONT", "H2_FONT", "MARGINS_MM", "RED", "ROW_PT", "TITLE_FONT", "line_styles"]

TITLE_FONT = "方正小标宋简体"  # title and masthead, 二号 22 pt
BODY_FONT = "仿宋_GB2312"  # body, 三号 16 pt
H1_FONT = "黑体"  # 一级标题 "一、"
H2_FONT = "楷体_GB2312"  # 二级标题 "（一）"
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", H1_FONT: "SimHei", H2_FONT: "楷体"}
RED = "FF0000"
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
ROW_PT = 28.5  # one line: 22 lines fill the 225 mm text block (22 x 10.05 mm), 23 do not

_BODY = CellStyle(font=BODY_FONT, size=16, bold=False, color="000000", align="left", border="", thick="")
_STYLES: dict[str, CellStyle] = {
    "masthead": CellStyle(font=TITLE_FONT, size=24, bold=False, color=RED, align="centerContinuous", border="", thick=""),
    "docnumber": CellStyle(font=BODY_FONT, size=16, bold=False, color="000000", align="centerContinuous", border="",
                           thick=""),
    "rule": CellStyle(font=BODY_FONT, size=16, bold=False, color="000000", align="left", border="", thick="b",
                      border_color=RED),
    "title": CellStyle(font=TITLE_FONT, size=22, bold=False, color="000000", align="centerContinuous", border="",
                       thick=""),
    "heading1": CellStyle(font=H1_FONT, size=16, bold=False, color="000000", align="left", border="", thick=""),
    "heading2": CellStyle(font=H2_FONT, size=16, bold=False, color="000000", align="left", border="", thick=""),
    "unit_line": CellStyle(font=BODY_FONT, size=12, bold=False, color="000000", align="left", border="", thick=""),
    "chart_title": CellStyle(font=BODY_FONT, size=14, bold=True, color="000000", align="centerContinuous", border="",
                             thick=""),
    "chart": CellStyle(font=BODY_FONT, size=12, bold=False, color="000000", align="left", border="", thick=""),
    "imprint_top": CellStyle(font=BODY_FONT, size=14, bold=False, color="000000", align="left", border="", thick="t"),
    "imprint": CellStyle(font=BODY_FONT, size=14, bold=False, color="000000", align="left", border="", thick=""),
    "imprint_last": CellStyle(font=BODY_FONT, size=14, bold=False, color="000000", align="left", border="t",
                              thick="b"),
}


def line_styles(line: Line) -> list[CellStyle]:
    """The style of each of the ``GRID_COLS`` cells of one bulletin line."""
    if line.style in ("table_head", "table"):
        out = []
        bold = line.style == "table_head"
        for c in range(GRID_COLS):
            span = next(((a, b) for a, b in line.spans if a <= c <= b), (c, c))
            sides = "tb" + ("l" if c == span[0] else "") + ("r" if c == span[1] else "")
            out.append(CellStyle(font=BODY_FONT, size=12, bold=bold, color="000000", align="left", border=sides,
                                 thick=""))
        return out
    if line.style == "chart":
        base = _STYLES["chart"]
        right = CellStyle(font=BODY_FONT, size=12, bold=False, color="000000", align="right", border="", thick="")
        return [right if c < CHART_COLS[1] and isinstance(v, str) and v.endswith("│") else base
                for c, v in enumerate([*line.values, *[None] * (GRID_COLS - len(line.values))][:GRID_COLS])]
    return [_STYLES.get(line.style, _BODY)] * GRID_COLS
