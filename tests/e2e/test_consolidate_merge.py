"""Merging report forms into a small real master: every rule with hand-computed cases.

Form contents are given as data shaped like ``report_form.FormData`` (the reader is tested by
its own author); the master is a real .xlsx written by the template and read by the file engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from xladdin.books.template import build_master
from xladdin.core.findings import Finding
from xladdin.core.periods import Period
from xladdin.core.settings import default_settings
from xladdin.engines.files import FileEngine
from xladdin.jobs.consolidate import merge_forms
from xladdin.jobs.session import load_ledger


@dataclass(frozen=True)
class Row:
    code: str | None
    value: float | None
    cumulative: float | None = None
    name: str | None = None
    progress_text: str | None = None
    problems: str | None = None
    in_stats: bool | None = None
    row: int = 5
    cells: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Form:
    file: str
    unit: str | None
    month: int | None
    rows: list[Row]
    sheet: str = "月报表"
    unit_raw: str | None = None
    version: str | None = "1"
    master_id: str | None = None
    findings: list[Finding] = field(default_factory=list)


def row(code: str, value: float | None, r: int, **kw: object) -> Row:
    return Row(code, value, row=r, cells={"code": f"A{r}", "value": f"D{r}", "cumulative": f"E{r}"}, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    projects = pd.DataFrame([
        {"name": "甲项目", "code": "P1", "unit": "南关街道", "level": "区重点", "total_investment": 1000.0,
         "annual_plan": 300.0, "m02": 20.0, "m03": 30.0},
        {"name": "乙项目", "code": "P2", "unit": "南关街道", "level": "区重点", "total_investment": 800.0,
         "annual_plan": 200.0, "m02": 10.0, "m03": 10.0, "m04": 15.0},
        {"name": "丙项目", "code": "P3", "unit": "经济开发区", "level": "市重点", "total_investment": 900.0,
         "annual_plan": 100.0, "m02": 5.0},
        {"name": "丁项目", "code": "P4", "unit": "北下街街道", "level": "区重点", "total_investment": 500.0,
         "annual_plan": 100.0},
    ])
    return build_master(tmp_path_factory.mktemp("m") / "master.xlsx", projects=projects, month=3)


def ledger_of(path: Path):  # type: ignore[no-untyped-def]
    engine = FileEngine(path)
    try:
        return load_ledger(engine, default_settings())
    finally:
        engine.close()


def codes(findings: list[Finding]) -> list[str]:
    return sorted(f"{f.code}@{f.file}!{f.cell}" for f in findings)


def test_month_4_rules(master: Path) -> None:
    led = ledger_of(master)
    forms = [
        Form("南关.xlsx", "南关街道", 4, [
            row("P1", 40.0, 5, cumulative=90.0, progress_text="主体施工"),  # new figure
            row("P2", 16.0, 6, cumulative=51.0),  # m04 was 15: a revision 15 -> 16
            row("P9", 3.0, 7),  # not in the master
        ]),
        Form("开发区.xlsx", "经济开发区", 4, [row("P3", 2.0, 5, cumulative=1.0)]),  # cumulative 1 < last month's 5
        Form("北下街.xlsx", "北下街街道", 4, [row("P1", 7.0, 5)]),  # P1 also reported by 南关 (its owner)
        Form("错月.xlsx", "北下街街道", 3, [row("P4", 1.0, 5)]),  # wrong month
        Form("无名.xlsx", None, 4, [row("P4", 1.0, 5)], unit_raw="某某办"),  # unknown unit
    ]
    m = merge_forms(led, forms, default_settings(), Period(4))
    p1, p2 = led.cell(0, "m04"), led.cell(1, "m04")
    assert m.writes[p1] == 40.0 and m.writes[p2] == 16.0
    assert m.writes[led.cell(0, "progress_text")] == "主体施工"
    assert len(m.writes) == 3
    assert [f.message for f in m.revisions] == ["乙项目 4月：已汇总的 15 万元 改为 16 万元。"]
    assert codes(m.findings) == [
        "cumulative-decrease@开发区.xlsx!E5",
        "form-double-report@北下街.xlsx!A5",
        "form-own-missing@北下街.xlsx!",
        "form-project-missing@!AA7",
        "form-unknown-code@南关.xlsx!A7",
        "form-wrong-month@错月.xlsx!",
        "form-wrong-unit@无名.xlsx!",
        "form-ytd-mismatch@南关.xlsx!E6",  # P2: 10 + 10 before + 16 = 36, the form's 累计 says 51
    ]
    # issue 12 seen 5: reported means its own projects. 北下街's month-4 form held only 南关's P1, so
    # 北下街 is 未报送 and its own P4 is named as without a 4月 figure; 开发区's refused P3 row was
    # its own project on its own form (the refusal is the finding), so 开发区 did report
    assert m.missing == ["北下街街道"] and m.incomplete == []
    own = next(f for f in m.findings if f.code == "form-project-missing")
    assert own.message == "项目“丁项目”（P4）属于北下街街道，北下街街道报送的月报表中没有本单位项目，4月完成仍无数据。"


def test_missing_unit_and_wrong_unit_row(master: Path) -> None:
    led = ledger_of(master)
    forms = [Form("南关.xlsx", "南关街道", 4, [row("P3", 2.0, 5)])]  # 开发区's project on 南关's form
    m = merge_forms(led, forms, default_settings(), Period(4))
    assert m.writes == {}
    assert codes(m.findings) == ["form-missing@!", "form-missing@!", "form-own-missing@南关.xlsx!",
                                 "form-project-missing@!AA4", "form-wrong-unit@南关.xlsx!A5"]
    # 南关's form held none of its own projects: 未报送 too; P1 is without a 4月 figure, P2 had one already
    assert m.missing == ["经济开发区", "北下街街道", "南关街道"]


def test_a_form_missing_some_own_projects_is_incomplete(master: Path) -> None:
    """Issue 12 seen 5: a form holding some but not all of the unit's projects is incomplete; the
    project left out is named; the unit is not 未报送."""
    led = ledger_of(master)
    forms = [Form("南关.xlsx", "南关街道", 5, [row("P1", 4.0, 5)]), Form("开发区.xlsx", "经济开发区", 5, [row("P3", 1.0, 5)]),
             Form("北下街.xlsx", "北下街街道", 5, [row("P4", 1.0, 5)])]
    m = merge_forms(led, forms, default_settings(), Period(5))
    assert m.missing == [] and m.incomplete == ["南关街道"]
    assert codes(m.findings) == ["form-incomplete@南关.xlsx!", "form-project-missing@!AB5"]
    assert "漏报本单位 1 个项目" in m.findings[0].message + m.findings[1].message


def test_rerun_is_idempotent_and_first_period(master: Path, tmp_path: Path) -> None:
    led = ledger_of(master)
    forms = [Form("南关.xlsx", "南关街道", 4, [row("P1", 40.0, 5), row("P2", 15.0, 6)])]
    m = merge_forms(led, forms, default_settings(), Period(4))
    assert list(m.writes.values()) == [40.0] and m.revisions == []  # P2 already 15: nothing to write
    copy = tmp_path / "m.xlsx"
    engine = FileEngine(master, writable=True)
    engine.write_cells(led.sheet, m.writes)
    engine.save(copy)
    engine.close()
    again = merge_forms(ledger_of(copy), forms, default_settings(), Period(4))
    assert again.writes == {} and again.revisions == [] and again.merged == 2
    # month 1 is the 1-2月 period: a form dated 1 or 2 fills the February column; m02 of P1 is 20
    jan = merge_forms(led, [Form("南关.xlsx", "南关街道", 1, [row("P1", 20.0, 5), row("P2", 12.0, 6)])],
                      default_settings(), Period.of(1))
    assert jan.writes == {led.cell(1, "m02"): 12.0}
    assert [f.message for f in jan.revisions] == ["乙项目 2月：已汇总的 10 万元 改为 12 万元。"]


def test_negative_figure_is_refused(master: Path) -> None:
    led = ledger_of(master)
    m = merge_forms(led, [Form("南关.xlsx", "南关街道", 4, [row("P1", -5.0, 5)])], default_settings(), Period(4))
    assert m.writes == {}
    assert "negative-amount@南关.xlsx!D5" in codes(m.findings)
