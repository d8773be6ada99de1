import datetime as dt

import pandas as pd

from tests.frames import ledger
from xladdin.core.periods import Period
from xladdin.core.settings import Settings, UnitSpec, default_settings
from xladdin.figures.bulletin import Block, build, change, pct, yi
from xladdin.figures.progress import by_level
from xladdin.figures.ranking import rank_units
from xladdin.figures.targets import evaluate


def text_of(blocks: list[Block]) -> str:
    out = []
    for b in blocks:
        out.append(b.text)
        out.extend("|".join(str(c) for c in row) for row in b.rows)
    return "\n".join(out)


def test_number_formats() -> None:
    assert yi(16_548_000.0) == "1654.80"  # one precision per quantity: 亿元 with two decimals
    assert yi(1_730_000.0) == "173.00"
    assert yi(12_345.0) == "1.23"
    assert yi(None) == "—"
    assert pct(0.12345) == "12.3%"
    assert pct(-0.05) == "-5.0%"
    assert pct(float("nan")) == "—"
    assert change(0.099) == "增长9.9%" and change(-0.01) == "下降1.0%" and change(0.0001) == "持平"


def test_bulletin_sections_and_figures() -> None:
    s = Settings(units=(
        UnitSpec(name="甲街道", kind="街道", ranked=True),
        UnitSpec(name="乙街道", kind="街道", ranked=True),
    ))
    stats = pd.DataFrame({
        "month": [6, 6, 6],
        "subject": ["全区", "甲街道", "乙街道"],
        "ytd": [1_100_000.0, 120_000.0, 90_000.0],
        "ytd_last_year": [1_000_000.0, 100_000.0, 100_000.0],
    })
    frame = ledger([{"unit": "甲街道", "level": "省重点", "total_investment": 7_990_000.0, "annual_plan": 1_730_000.0,
                     "m06": 346_000.0}])
    history = {"乙街道": {5: 2}, "甲街道": {5: 1}}
    blocks = build(Period(6), s, targets=evaluate(stats, s, Period(6)), levels=by_level(frame, Period(6)),
                   ranking=rank_units(stats, s, Period(6), history), missing_units=["乙街道"], issued=dt.date(2022, 7, 5))
    kinds = [b.kind for b in blocks]
    assert kinds[:4] == ["masthead", "docnumber", "title", "recipient"]
    assert kinds[-3:] == ["signature", "date", "imprint"]
    title = blocks[kinds.index("title")]
    assert "1-6月" in title.text
    assert blocks[kinds.index("date")].text == "2022年7月5日"
    assert blocks[-1].rows[1][1] == "2022年7月5日印发"
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert headings[0].startswith("一、") and headings[6].startswith("七、")
    text = text_of(blocks)
    assert "全区固定资产投资同比增长10.0%（目标10.0%），达到目标" in text
    assert "全区重点项目1个，总投资799.00亿元，年度计划投资173.00亿元" in text
    assert "累计完成投资34.60亿元，占年度计划的20.0%，序时进度50.0%，滞后序时进度30.0个百分点" in text
    assert "乙街道1-6月投资同比下降10.0%，连续2个月增速排名倒数第一" in text
    assert "三、各街道投资增速排名" in text and "，各街道中，甲街道" in text  # who is ranked: two 街道
    chart = next(b for b in blocks if b.kind == "chart")
    assert [u for u, _ in chart.rows] == ["甲街道", "乙街道"]  # every ranked unit in the chart
    assert "由区分管领导约谈" in text
    assert "未按时报送月报表的单位：乙街道" in text


def test_bulletin_without_data_is_still_complete() -> None:
    blocks = build(Period.of(1), default_settings())
    text = text_of(blocks)
    assert "1-2月" in blocks[2].text
    assert "暂无法通报增速" in text and "暂不排名" in text
    assert blocks[1].text == "管发改〔2022〕\u3000号"  # no serial entered: left blank to fill in, never guessed
    assert [b.text for b in blocks if b.kind == "date"] == ["2022年3月\u3000日"]
    assert "经济开发区和各街道投资增速排名" in text  # the plan ranks 经济开发区 and the 街道 by default
    from xladdin.core.settings import UnitSpec as Unit

    with_township = default_settings().model_copy(update={"units": (
        Unit(name="经济开发区", kind="经济开发区", ranked=True), Unit(name="甲街道", kind="街道", ranked=True),
        Unit(name="圃田乡", kind="乡", ranked=True))})
    assert "经济开发区和各街道（乡）投资增速排名" in text_of(build(Period.of(1), with_township))  # who is ranked, named
    assert build(Period.of(1), default_settings()) == blocks  # deterministic


def test_document_parts_come_from_the_settings_sheet() -> None:
    from xladdin.core.settings import parse_settings, settings_rows
    from xladdin.core.sheet import SheetData

    rows = settings_rows()
    at = next(i for i, r in enumerate(rows) if r and r[0] == "发文序号")
    rows[at] = ["发文序号", 15, ""]
    parsed, findings = parse_settings(SheetData("参数", rows))
    assert not findings
    blocks = build(Period(6), parsed)
    assert blocks[1].text == "管发改〔2022〕15号"
    rows[at] = ["发文序号", "十五", ""]
    _, findings = parse_settings(SheetData("参数", rows))
    assert [f.cell for f in findings] == [f"B{at + 1}"]  # a bad serial is a finding with its cell
