"""The bulletin's layout on the 通报 grid: breaking by display width with 避头尾, titles, table columns."""

from __future__ import annotations

import re
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from xladdin.core.periods import Period
from xladdin.core.settings import default_settings
from xladdin.figures.bulletin import Block, build
from xladdin.figures.bulletin_layout import (
    CLOSING,
    GRID_COLS,
    LINE_UNITS,
    LINES_PER_PAGE,
    OPENING,
    TABLE_UNITS,
    TITLE_UNITS,
    display_width,
    layout,
    split_title,
    table_columns,
    wrap,
)

PARA = ("2022年1-6月，全区固定资产投资同比增长9.9%（目标10.0%），低于目标0.1个百分点；工业投资同比增长7.2%"
        "（目标8.0%），低于目标0.8个百分点；道路基础设施投资同比增长1.5%（目标0.0%），达到目标；"
        "房地产开发投资同比增长5.8%（目标7.0%），低于目标1.2个百分点。全区重点项目291个，总投资3285.8亿元。")


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("1-6月") == 5
    assert display_width("（目标10.0%），") == 2 + 4 + 4 + 2 + 2 + 2  # "%" is drawn wide
    assert display_width("“三个一批”") == 12


def test_paragraph_breaks_by_width_with_indent_and_kinsoku() -> None:
    lines = wrap(PARA)
    assert "".join(lines) == "\u3000\u3000" + PARA
    assert lines[0].startswith("\u3000\u3000") and not lines[1].startswith("\u3000")
    assert all(display_width(line) <= LINE_UNITS for line in lines)
    assert all(display_width(line) >= LINE_UNITS - 12 for line in lines[:-1])  # lines are filled
    for a, b in pairwise(lines):
        assert b[0] not in CLOSING, (a, b)  # no line starts with closing punctuation
        assert a[-1] not in OPENING, (a, b)  # none ends with opening punctuation
        assert not (re.search(r"[!-~]$", a) and re.match(r"[!-~]", b)), (a, b)  # no ASCII run cut
        assert not (re.search(r"[0-9%]$", a) and b[0] in "月个亿元年"), (a, b)  # number kept with its unit


def test_breaks_never_cut_a_period_label() -> None:
    for n in range(30):
        text = "为" * n + "现将2022年1-6月全区固定资产投资和重点项目建设进展情况通报如下："
        joined = "\n".join(wrap(text, 40))
        assert "1-6月" in joined and "2022年" in joined


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(["全区", "投资", "1-6月", "9.9%", "（目标", "），", "。", "、", "“三个一批”", "3285.8亿元",
                                 "a", "：", "个"]), max_size=60), st.integers(min_value=20, max_value=90))
def test_wrap_keeps_every_character_and_the_width(parts: list[str], width: int) -> None:
    text = "".join(parts)
    lines = wrap(text, width)
    assert "".join(lines) == "\u3000\u3000" + text
    assert all(display_width(line) <= width for line in lines)


def test_long_title_breaks_into_two_balanced_centred_lines() -> None:
    title = "关于2022年1-6月全区固定资产投资和重点项目建设进展情况的通报"
    lines = split_title(title)
    assert len(lines) == 2 and "".join(lines) == title
    w1, w2 = (display_width(x) for x in lines)
    assert TITLE_UNITS >= w1 >= w2 and w1 - w2 <= 4
    assert split_title("关于投资的通报") == ["关于投资的通报"]


def test_table_columns_fit_their_content_and_the_page() -> None:
    rows = [("排名", "单位", "本年累计", "上年同期", "增速", "处理意见"),
            (1, "航海东路街道", "25.03", "21.5", "16.4%", ""),
            (15, "陇海马路街道", "14.81", "14.96", "-1.0%", "区主要领导约谈")]
    starts = table_columns(rows)
    assert starts[0] == 0 and starts == sorted(starts) and starts[-1] < GRID_COLS
    ends = [*starts[1:], GRID_COLS]
    for j, (s, e) in enumerate(zip(starts, ends, strict=True)):
        widest = max(display_width(str(r[j])) for r in rows)
        assert (e - s) * TABLE_UNITS >= widest, j  # each column holds its widest value


def test_layout_lines_are_the_parts_of_a_gongwen() -> None:
    blocks = build(Period(6), default_settings())
    lines = layout(blocks)
    styles = [line.style for line in lines]
    assert styles[0] == "masthead" and lines[0].values[0].endswith("文件")
    doc = styles.index("docnumber")
    assert lines[doc].values[0] == blocks[1].text and styles[doc + 1] == "rule"  # 发文字号 above the red rule
    titles = [line.values[0] for line in lines if line.style == "title"]
    assert "".join(titles) == blocks[2].text
    assert styles.index("recipient") > styles.index("title")
    assert lines[styles.index("recipient") + 2].values[0].startswith("\u3000\u3000为进一步扩大有效投资")
    assert sum(1 for s in styles if s == "heading1") == 7
    assert all(len(line.values) <= GRID_COLS for line in lines)
    sign, date = lines[styles.index("signature")], lines[styles.index("date")]
    assert sign.values[-1].startswith("管城回族区发展和改革委员会") and len(sign.values) > GRID_COLS // 3
    assert date.values[-1].startswith("2022年7月")
    assert styles[-1] == "imprint_last" and len(lines) % LINES_PER_PAGE == 0  # 版记 at the foot of the last page
    assert "imprint_top" in styles and "抄送" in lines[styles.index("imprint_top")].values[0]
    assert layout(blocks) == lines


def test_a_table_over_a_page_repeats_its_header_and_the_chart_names_every_unit() -> None:
    header = ("排名", "单位", "本年累计", "上年同期", "增速", "处理措施")
    body = tuple((i, f"第{i}街道", "1.00", "1.00", "1.0%", "") for i in range(1, 41))
    units = tuple((f"第{i}街道", (i - 20) / 100) for i in range(1, 41))
    lines = layout([Block("title", "通报"), Block("table", "单位：亿元", rows=(header, *body)),
                    Block("chart", "增速", rows=units)])
    for start in range(LINES_PER_PAGE, len(lines), LINES_PER_PAGE):
        if lines[start].style == "table" or (lines[start].style == "table_head" and start > 3):
            assert lines[start].values[0] == "排名", start  # header repeated at the top of the page
    data = [line.values[0] for line in lines if line.style == "table"]
    assert data == list(range(1, 41))  # every row once
    charted = [line.values[0] for line in lines if line.style == "chart"]
    assert charted == [u for u, _ in units]
    neg = next(line for line in lines if line.style == "chart" and line.values[0] == "第1街道")
    assert any(isinstance(v, str) and v.endswith("│") for v in neg.values) and neg.values[-1] == "下降19.0%"


def test_table_unit_line_ends_at_the_right_margin() -> None:
    lines = layout([Block("title", "通报"), Block("table", "单位：亿元", rows=(("口径", "增速"), ("全区", "9.9%")))])
    unit_row = next(line for line in lines if line.style == "unit_line").values
    assert unit_row[-1] == "单位：亿元" and len(unit_row) >= GRID_COLS - 3
