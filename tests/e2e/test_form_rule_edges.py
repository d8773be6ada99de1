"""Every form rule at its edge (issue 19): real forms written by the real form writer, read by the
real bounded reader, merged into a real master.

Each test writes the units' month-4 forms with ``build_form``/``form_values`` (the code behind
``xladdin forms``), edits what a unit would type, and runs what ``consolidate`` runs on them:
``read_forms`` → ``foreign_forms`` → ``merge_forms`` → ``cap_findings``. A triggering case sits
beside a near miss at the threshold's edge; findings are compared as whole records (code,
severity, sheet, cell, value, message, file) with the message written out by hand.

The master (4 projects, 截至上月累计 for month 4 = 1月 0 + 2月 20 + 3月 30 = 50 each):

    row  code  unit        m04 (AA)   是否入库   形象进度
    4    P1    南关街道     —          否         主体施工
    5    P2    南关街道     15         —
    6    P3    经济开发区   —          是
    7    P4    北下街街道   —          —

Form columns: A 序号, B 项目编码, C 名称, D 级别, E 年度计划, F 截至上月累计, G 当月完成,
H 本年累计 (=F+N(G), no cached value), I 形象进度, J 存在问题, K 是否入库; projects from row 5.
Thresholds at their defaults: 金额上限 10,000,000 万元, 累计核对容差 0.5 万元.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from xladdin.books.form_writer import build_form, form_values
from xladdin.books.template import build_master
from xladdin.core.findings import Finding
from xladdin.core.form_layout import FormMeta, form_file_name
from xladdin.core.ledger import Ledger
from xladdin.core.periods import Period
from xladdin.core.settings import default_settings
from xladdin.engines.files import FileEngine
from xladdin.jobs.consolidate import Merge, foreign_forms, merge_forms, read_forms
from xladdin.jobs.form_intake import MAX_FINDINGS_PER_FORM, cap_findings
from xladdin.jobs.session import load_ledger

S = default_settings()
MASTER_ID = "GC-EDGE-2022"
NANGUAN, KAIFAQU, BEIXIAJIE = "南关街道", "经济开发区", "北下街街道"
FILES = {u: f"2022年4月_{u}_月报表.xlsx" for u in (NANGUAN, KAIFAQU, BEIXIAJIE)}
# what each unit types in 当月完成 on an ordinary month (P2 keeps the 15 already consolidated)
TYPED = {"P1": 11.0, "P2": 15.0, "P3": 13.0, "P4": 14.0}
Rows = list[dict[str, Any]]
Record = tuple[str, str, str, str, str, str, str]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    base = {"level": "区重点", "total_investment": 1000.0, "annual_plan": 300.0, "m02": 20.0, "m03": 30.0}
    projects = pd.DataFrame([
        base | {"name": "甲项目", "code": "P1", "unit": NANGUAN, "in_stats": False, "progress_text": "主体施工"},
        base | {"name": "乙项目", "code": "P2", "unit": NANGUAN, "m04": 15.0},
        base | {"name": "丙项目", "code": "P3", "unit": KAIFAQU, "in_stats": True},
        base | {"name": "丁项目", "code": "P4", "unit": BEIXIAJIE},
    ])
    path = build_master(tmp_path_factory.mktemp("m") / "主台账.xlsx", projects=projects, month=3, master_id=MASTER_ID)
    engine = FileEngine(path)
    try:
        return load_ledger(engine, S)
    finally:
        engine.close()


def write_form(folder: Path, ledger: Ledger, unit: str, edit: Callable[[Rows], None] | None = None,
               meta: dict[str, Any] | None = None) -> Path:
    """``unit``'s month-4 form as ``xladdin forms`` writes it, filled with ``TYPED``, then ``edit``ed."""
    folder.mkdir(parents=True, exist_ok=True)
    own = ledger.frame[ledger.frame["unit"] == unit]
    rows = form_values(own, Period(4))
    for row in rows:
        row["month_current"] = TYPED[row["code"]]
    if edit is not None:
        edit(rows)
    info = FormMeta(**({"unit": unit, "year": 2022, "month": 4, "master_id": MASTER_ID,
                        "master_file": "主台账.xlsx"} | (meta or {})))
    return build_form(folder / form_file_name(info), info, rows, protect=False)


def all_forms(folder: Path, ledger: Ledger, **edits: Callable[[Rows], None]) -> Path:
    """Every unit's form; ``edits`` keyed 南关 / 开发区 / 北下街."""
    keys = {NANGUAN: "南关", KAIFAQU: "开发区", BEIXIAJIE: "北下街"}
    for unit, key in keys.items():
        write_form(folder, ledger, unit, edits.get(key))
    return folder


APRIL = Period(4)


def month4(folder: Path, ledger: Ledger, period: Period = APRIL) -> Merge:
    """What ``consolidate`` does with the forms before it writes (jobs/consolidate.py)."""
    forms, problems = read_forms(folder, S)
    forms, foreign = foreign_forms(forms, MASTER_ID, S.year)
    merge = merge_forms(ledger, forms, S, period)
    merge.findings = cap_findings(problems + foreign + merge.findings)
    merge.revisions = cap_findings(merge.revisions)
    return merge


def records(found: list[Finding]) -> list[Record]:
    return [(f.code, f.severity, f.sheet, f.cell, f.value, f.message, f.file) for f in found]


def replace_in_form(path: Path, old: bytes, new: bytes) -> None:
    """Edit the saved file's XML as software other than ours may write it (NaN, INF, long text)."""
    tmp = path.with_suffix(".tmp")
    hits = 0
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            hits += data.count(old)
            zout.writestr(info.filename, data.replace(old, new))
    assert hits == 1, hits
    tmp.replace(path)


# the 当月完成 cells of the master (column AA, project rows 4-7)
P1, P2, P3, P4 = "AA4", "AA5", "AA6", "AA7"


def test_an_ordinary_month_merges_every_figure_and_finds_nothing(ledger: Ledger, tmp_path: Path) -> None:
    m = month4(all_forms(tmp_path, ledger), ledger)
    assert m.writes == {P1: 11.0, P3: 13.0, P4: 14.0}  # P2's 15 is already there: confirmed, not written
    assert m.findings == [] and m.revisions == []
    assert m.merged == 4 and m.units == [BEIXIAJIE, NANGUAN, KAIFAQU]  # forms in file-name order
    assert m.missing == [] and m.incomplete == []


# ---- 金额上限 10,000,000 万元 (inclusive), negative figures (0 is fine) ------------------------

def test_the_amount_limit_on_form_figures_is_inclusive(ledger: Ledger, tmp_path: Path) -> None:
    def nanguan(rows: Rows) -> None:
        rows[0]["month_current"] = 10_000_000.0  # exactly the limit: merged
        rows[1]["month_current"] = 10_000_000.01  # 0.01 over: refused, the master keeps 15

    def kaifaqu(rows: Rows) -> None:
        rows[0]["month_current"] = -10_000_000.01  # beyond the limit the other way: refused as absurd

    m = month4(all_forms(tmp_path, ledger, 南关=nanguan, 开发区=kaifaqu), ledger)
    assert m.writes == {P1: 10_000_000.0, P4: 14.0}
    limit_msg = "“当月完成”为 {} 万元，超出合理范围（上限 10,000,000 万元），请核对单位是否为万元。"
    assert records(m.findings) == [
        ("absurd-amount", "error", "月报表", "G6", "10,000,000.01", limit_msg.format("10,000,000.01"), FILES[NANGUAN]),
        ("absurd-amount", "error", "月报表", "G5", "-10,000,000.01", limit_msg.format("-10,000,000.01"),
         FILES[KAIFAQU]),
    ]
    assert m.revisions == []


def test_a_negative_figure_is_refused_and_zero_is_merged(ledger: Ledger, tmp_path: Path) -> None:
    def nanguan(rows: Rows) -> None:
        rows[0]["month_current"] = 0.0  # nothing done this month: a figure, merged
        rows[1]["month_current"] = -0.01  # refused: P2 keeps its 15, no revision

    m = month4(all_forms(tmp_path, ledger, 南关=nanguan), ledger)
    assert m.writes == {P1: 0.0, P3: 13.0, P4: 14.0}
    assert records(m.findings) == [
        ("negative-amount", "error", "月报表", "G6", "-0.01", "“乙项目 本月完成”不能为负数，现为 -0.01。", FILES[NANGUAN])]
    assert m.revisions == []


def test_nan_and_infinite_figures_are_refused_beside_a_large_finite_one(ledger: Ledger, tmp_path: Path) -> None:
    def nanguan(rows: Rows) -> None:
        rows[0]["month_current"] = 424242.0  # NaN in the XML below
        rows[1]["month_current"] = 9_999_999.99  # finite, just under the limit: merged (a revision)

    def beixiajie(rows: Rows) -> None:
        rows[0]["month_current"] = 434343.0  # INF in the XML below

    folder = all_forms(tmp_path, ledger, 南关=nanguan, 北下街=beixiajie)
    replace_in_form(folder / FILES[NANGUAN], b"<v>424242</v>", b"<v>NaN</v>")
    replace_in_form(folder / FILES[BEIXIAJIE], b"<v>434343</v>", b"<v>INF</v>")
    m = month4(folder, ledger)
    assert m.writes == {P2: 9_999_999.99, P3: 13.0}
    assert records(m.findings) == [
        ("not-a-number", "error", "月报表", "G5", "inf", "“当月完成”应为数字（万元），现为“inf”。", FILES[BEIXIAJIE]),
        ("not-a-number", "error", "月报表", "G5", "NaN", "“当月完成”应为数字（万元），现为“NaN”。", FILES[NANGUAN]),
    ]  # forms are read in file-name order: 北下街 sorts before 南关
    assert records(m.revisions) == [
        ("form-revision", "warning", "项目台账", P2, "9,999,999.99", "乙项目 4月：已汇总的 15 万元 改为 9,999,999.99 万元。",
         FILES[NANGUAN])]


# ---- a row with only the cumulative figure; 累计 against 截至上月累计 at the tolerance 0.5 --------

def test_a_row_with_only_the_cumulative_figure_gives_the_month_not_the_year(ledger: Ledger, tmp_path: Path) -> None:
    def nanguan(rows: Rows) -> None:
        rows[0]["month_current"], rows[0]["ytd"] = None, 80.0  # 80 − 50 before = 30 this month
        rows[1]["month_current"], rows[1]["ytd"] = None, 65.0  # 65 − 50 = 15: P2's figure confirmed

    def kaifaqu(rows: Rows) -> None:
        rows[0]["month_current"], rows[0]["ytd"] = None, 50.0  # 50 − 50 = 0: a figure, merged

    def beixiajie(rows: Rows) -> None:
        rows[0]["month_current"], rows[0]["ytd"] = None, 50.75  # 50.75 − 50 = 0.75: kept, never rounded to 0

    m = month4(all_forms(tmp_path, ledger, 南关=nanguan, 开发区=kaifaqu, 北下街=beixiajie), ledger)
    assert m.writes == {P1: 30.0, P3: 0.0, P4: 0.75}
    assert m.findings == [] and m.revisions == [] and m.merged == 4


def test_a_cumulative_below_last_month_is_refused_only_beyond_the_tolerance(ledger: Ledger, tmp_path: Path) -> None:
    def kaifaqu(rows: Rows) -> None:
        rows[0]["month_current"], rows[0]["ytd"] = None, 49.49  # 50 − 0.51: refused

    def beixiajie(rows: Rows) -> None:
        rows[0]["month_current"], rows[0]["ytd"] = None, 49.5  # 50 − 0.5: within the tolerance, nothing done

    m = month4(all_forms(tmp_path, ledger, 开发区=kaifaqu, 北下街=beixiajie), ledger)
    assert records(m.findings) == [
        ("cumulative-decrease", "error", "月报表", "H5", "49.49", "丙项目 累计 49.49 万元 小于上月累计 50 万元，累计数不应减少。",
         FILES[KAIFAQU])]
    # within the tolerance the month is 0, never a negative −0.5 written into the master
    assert m.writes == {P1: 11.0, P4: 0.0}


def test_a_typed_cumulative_that_the_month_does_not_add_up_to_is_reported_beyond_the_tolerance(
        ledger: Ledger, tmp_path: Path) -> None:
    def kaifaqu(rows: Rows) -> None:
        rows[0]["month_current"], rows[0]["ytd"] = 5.0, 55.5  # 50 + 5 = 55, 0.5 off: within the tolerance

    def beixiajie(rows: Rows) -> None:
        rows[0]["month_current"], rows[0]["ytd"] = 5.0, 55.51  # 50 + 5 = 55, 0.51 off: reported

    m = month4(all_forms(tmp_path, ledger, 开发区=kaifaqu, 北下街=beixiajie), ledger)
    assert records(m.findings) == [
        ("form-ytd-mismatch", "warning", "月报表", "H5", "55.51",
         "丁项目：本年累计 55.51 万元 与 截至上月累计 50 万元 加 本月完成 5 万元 不符，已按本月完成汇总，请核实。",
         FILES[BEIXIAJIE])]
    assert m.writes == {P1: 11.0, P3: 5.0, P4: 5.0}  # the month figures merged, as typed


# ---- downward revisions, blanks, "是否入库" from the forms -------------------------------------

def test_a_downward_revision_is_written_and_reported_and_a_blank_never_erases(ledger: Ledger, tmp_path: Path) -> None:
    def lower(rows: Rows) -> None:
        rows[1]["month_current"] = 10.0  # P2: 15 already consolidated → 10

    m = month4(all_forms(tmp_path / "a", ledger, 南关=lower), ledger)
    assert m.writes == {P1: 11.0, P2: 10.0, P3: 13.0, P4: 14.0}
    assert records(m.revisions) == [
        ("form-revision", "warning", "项目台账", P2, "10", "乙项目 4月：已汇总的 15 万元 改为 10 万元。", FILES[NANGUAN])]

    def to_zero(rows: Rows) -> None:
        rows[1]["month_current"] = 0.0

    m = month4(all_forms(tmp_path / "b", ledger, 南关=to_zero), ledger)
    assert m.writes[P2] == 0.0
    assert [r[5] for r in records(m.revisions)] == ["乙项目 4月：已汇总的 15 万元 改为 0 万元。"]

    def blank(rows: Rows) -> None:
        rows[1]["month_current"] = None  # P2 left blank: the 15 stays, nothing is revised

    m = month4(all_forms(tmp_path / "c", ledger, 南关=blank), ledger)
    assert m.writes == {P1: 11.0, P3: 13.0, P4: 14.0} and m.revisions == [] and m.findings == []


def test_in_stats_from_the_forms_is_written_only_when_it_changes(ledger: Ledger, tmp_path: Path) -> None:
    in_stats = {code: ledger.cell(i, "in_stats") for i, code in enumerate(ledger.frame["code"])}

    def nanguan(rows: Rows) -> None:
        rows[0]["in_stats"] = "是"  # P1: 否 → 是, written
        rows[1]["in_stats"] = None  # P2: blank stays blank, nothing written

    def kaifaqu(rows: Rows) -> None:
        rows[0]["in_stats"] = "是"  # P3: already 是, nothing written

    def beixiajie(rows: Rows) -> None:
        rows[0]["in_stats"] = "否"  # P4: blank → 否, written

    m = month4(all_forms(tmp_path / "a", ledger, 南关=nanguan, 开发区=kaifaqu, 北下街=beixiajie), ledger)
    assert m.writes == {P1: 11.0, P3: 13.0, P4: 14.0, in_stats["P1"]: "是", in_stats["P4"]: "否"}
    assert m.findings == []

    def unsure(rows: Rows) -> None:
        rows[0]["in_stats"] = "可能"  # not a flag: a finding, the master's 否 kept

    m = month4(all_forms(tmp_path / "b", ledger, 南关=unsure), ledger)
    assert in_stats["P1"] not in m.writes
    assert records(m.findings) == [
        ("bad-flag", "warning", "月报表", "K5", "可能",
         "“是否入库”应填“是”或“否”（或以参数表【是否】中的词开头），现为“可能”，按未填处理。", FILES[NANGUAN])]


# ---- 台账标识 and 年度 ----------------------------------------------------------------------------

@pytest.mark.parametrize(("meta", "reason"), [
    ({"master_id": "GC-OTHER-2022"}, "台账标识为“GC-OTHER-2022”，本主台账为“GC-EDGE-2022”"),
    ({"year": 2021}, "年度为 2021 年，本主台账为 2022 年"),
    ({"year": 2023, "master_id": "X"}, "台账标识为“X”，本主台账为“GC-EDGE-2022”；年度为 2023 年，本主台账为 2022 年"),
])
def test_a_form_of_another_ledger_or_year_is_refused(meta: dict[str, Any], reason: str, ledger: Ledger,
                                                     tmp_path: Path) -> None:
    write_form(tmp_path, ledger, NANGUAN)
    file = write_form(tmp_path, ledger, KAIFAQU, meta=meta).name
    m = month4(tmp_path, ledger)
    assert m.writes == {P1: 11.0}
    assert records(m.findings) == [
        ("form-wrong-ledger", "error", "月报表", "", "", f"月报表{reason}，不是本台账的月报表，未汇入。", file),
        ("form-missing", "warning", "项目台账", "", KAIFAQU, "单位“经济开发区”本月未报送月报表。", ""),
        ("form-missing", "warning", "项目台账", "", BEIXIAJIE, "单位“北下街街道”本月未报送月报表。", ""),
    ]
    assert m.missing == [KAIFAQU, BEIXIAJIE]


def test_a_form_that_lost_its_identity_or_year_is_accepted(ledger: Ledger, tmp_path: Path) -> None:
    """A retyped copy without the hidden sheet and with the 台账标识 and 年度 cells cleared: the
    other checks still apply, the figures are merged."""
    path = write_form(tmp_path, ledger, KAIFAQU)
    wb = openpyxl.load_workbook(path)
    del wb["_表单信息"]
    ws = wb["月报表"]
    for cell in ws[2]:
        if cell.value in (MASTER_ID, 2022):
            cell.value = None
    wb.save(path)
    m = month4(tmp_path, ledger)
    assert m.writes == {P3: 13.0}
    assert [r[0] for r in records(m.findings)] == ["form-missing", "form-missing"]  # 南关, 北下街: no forms


# ---- the form's month and unit ----------------------------------------------------------------

def test_a_form_of_another_month_is_refused_and_1_2_accepts_either_month(ledger: Ledger, tmp_path: Path) -> None:
    write_form(tmp_path / "a", ledger, KAIFAQU, meta={"month": 3})
    write_form(tmp_path / "a", ledger, NANGUAN)  # read after the refused one (file names sort so)
    m = month4(tmp_path / "a", ledger)
    assert m.writes == {P1: 11.0}
    file = "2022年3月_经济开发区_月报表.xlsx"
    assert records(m.findings)[0] == (
        "form-wrong-month", "error", "月报表", "", "3", "月报表为 3 月，本次汇总为 4 月，未汇入。", file)
    # the 1-2月 period takes a form stamped 1 or 2 and writes into the 2月 column;
    # 3 is refused naming the period's month, 2
    write_form(tmp_path / "b", ledger, KAIFAQU, meta={"month": 1})
    write_form(tmp_path / "b", ledger, NANGUAN, meta={"month": 3})
    m = month4(tmp_path / "b", ledger, Period(2))
    assert m.writes == {ledger.cell(2, "m02"): 13.0}  # 20 → 13: a revision of the 2月 figure
    assert records(m.findings)[0] == ("form-wrong-month", "error", "月报表", "", "3",
                                      "月报表为 3 月，本次汇总为 2 月，未汇入。", "2022年3月_南关街道_月报表.xlsx")


def test_an_unknown_unit_is_refused_and_an_alias_is_accepted(ledger: Ledger, tmp_path: Path) -> None:
    write_form(tmp_path, ledger, KAIFAQU, meta={"unit": "某某办"})
    m = month4(tmp_path, ledger)
    assert records(m.findings)[0] == ("form-wrong-unit", "error", "月报表", "", "某某办",
                                      "月报表的填报单位“某某办”不在单位名单中，未汇入。", "2022年4月_某某办_月报表.xlsx")
    assert m.writes == {}
    write_form(tmp_path / "b", ledger, KAIFAQU, meta={"unit": "开发区"})  # an alias of 经济开发区 in 参数
    m = month4(tmp_path / "b", ledger)
    assert m.writes == {P3: 13.0} and m.units == [KAIFAQU]


# ---- codes: unknown, another unit's, reported twice ------------------------------------------

def test_codes_not_in_the_master_or_of_another_unit(ledger: Ledger, tmp_path: Path) -> None:
    def beixiajie(rows: Rows) -> None:
        rows.insert(0, dict(rows[0], seq=0, code="P9", month_current=5.0))  # row 5, the first code read: unknown

    def nanguan(rows: Rows) -> None:
        rows.append(dict(rows[0], seq=4, code=" P3 ", month_current=6.0))  # row 7: 开发区's P3 (spaces trimmed)

    m = month4(all_forms(tmp_path, ledger, 南关=nanguan, 北下街=beixiajie), ledger)
    assert records(m.findings) == [
        ("form-unknown-code", "error", "月报表", "B5", "P9", "项目编码“P9”不在主台账中，未汇入。", FILES[BEIXIAJIE]),
        ("form-double-report", "error", "月报表", "B7", "P3", "项目“P3”同时由 经济开发区 报送，未汇入，请核实责任单位。",
         FILES[NANGUAN]),
    ]
    assert m.writes == {P1: 11.0, P3: 13.0, P4: 14.0}  # the owner's 13 wins over 南关's 6; later codes merged


def test_another_units_project_alone_on_a_form_is_refused(ledger: Ledger, tmp_path: Path) -> None:
    def nanguan(rows: Rows) -> None:
        rows.append(dict(rows[0], seq=3, code="P3", month_current=6.0))  # row 7; 开发区 sent no form

    write_form(tmp_path, ledger, NANGUAN, nanguan)
    m = month4(tmp_path, ledger)
    assert (m.findings[0].field, m.findings[0].row, m.findings[0].column) == ("code", 7, 2)
    assert records(m.findings)[0] == (
        "form-wrong-unit", "error", "月报表", "B7", "P3", "项目“P3”在主台账中的责任单位为经济开发区，不属于南关街道，未汇入。",
        FILES[NANGUAN])
    assert m.writes == {P1: 11.0}


# ---- who reported: missing, own projects missing, incomplete ---------------------------------

def test_own_projects_missing_or_left_out(ledger: Ledger, tmp_path: Path) -> None:
    def only_p2(rows: Rows) -> None:
        del rows[0]  # P1 left out (no 4月 figure yet): incomplete

    def none_of_its_own(rows: Rows) -> None:
        rows[0]["code"] = "P1"  # 北下街 sends 南关's P1 instead of its P4

    write_form(tmp_path, ledger, NANGUAN, only_p2)
    write_form(tmp_path, ledger, BEIXIAJIE, none_of_its_own)
    m = month4(tmp_path, ledger)
    nanguan, beixiajie = FILES[NANGUAN], FILES[BEIXIAJIE]
    assert records(m.findings) == [
        ("form-wrong-unit", "error", "月报表", "B5", "P1", "项目“P1”在主台账中的责任单位为南关街道，不属于北下街街道，未汇入。",
         beixiajie),
        ("form-missing", "warning", "项目台账", "", KAIFAQU, "单位“经济开发区”本月未报送月报表。", ""),
        ("form-own-missing", "warning", "项目台账", "", BEIXIAJIE,
         f"单位“北下街街道”报送的月报表（{beixiajie}）中没有本单位的项目，按未报送计；本单位 1 个项目4月无数据。", beixiajie),
        ("form-project-missing", "warning", "项目台账", P4, "P4",
         "项目“丁项目”（P4）属于北下街街道，北下街街道报送的月报表中没有本单位项目，4月完成仍无数据。", ""),
        ("form-incomplete", "warning", "项目台账", "", NANGUAN,
         f"单位“南关街道”的月报表（{nanguan}）漏报本单位 1 个项目，这些项目4月无数据。", nanguan),
        ("form-project-missing", "warning", "项目台账", P1, "P1",
         "项目“甲项目”（P1）属于南关街道，本单位月报表中没有该项目，4月完成仍无数据。", ""),
    ]  # units in 参数's order: 经济开发区, 北下街街道, …, 南关街道
    assert m.missing == [KAIFAQU, BEIXIAJIE] and m.incomplete == [NANGUAN]


def test_a_project_left_out_that_already_has_its_figure_is_not_missing(ledger: Ledger, tmp_path: Path) -> None:
    def only_p1(rows: Rows) -> None:
        del rows[1]  # P2 left out, but the master already holds its 4月 15

    m = month4(all_forms(tmp_path, ledger, 南关=only_p1), ledger)
    assert m.findings == [] and m.incomplete == [] and m.writes == {P1: 11.0, P3: 13.0, P4: 14.0}


# ---- files that are not forms, too large, with extra sheets ----------------------------------

def test_a_workbook_that_is_not_a_form_beside_a_renamed_form(ledger: Ledger, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.worksheets[0]
    ws["A1"], ws["B1"] = "项目名称", "金额"
    wb.save(tmp_path / "随便.xlsx")
    path = write_form(tmp_path, ledger, KAIFAQU)
    wb = openpyxl.load_workbook(path)
    wb["月报表"].title = "4月"  # renamed: still found by its header
    wb.save(path)
    m = month4(tmp_path, ledger)
    assert records(m.findings)[0] == ("form-not-a-form", "error", "", "", "",
                                      "不是月报表：找不到含“项目编码”和“当月完成”列的工作表。", "随便.xlsx")
    assert m.writes == {P3: 13.0}


def test_a_form_sheet_one_column_past_the_limit_is_refused(ledger: Ledger, tmp_path: Path) -> None:
    # the limit is 4 × 11 form columns = 44 (AR); the signature row is 8 (rows 5-6 projects, 7 blank)
    ok = write_form(tmp_path / "a", ledger, NANGUAN)
    over = write_form(tmp_path / "b", ledger, NANGUAN)
    for path, cell in ((ok, "AR5"), (over, "AS5")):
        wb = openpyxl.load_workbook(path)
        wb["月报表"][cell] = "备注"
        wb.save(path)
    assert month4(tmp_path / "a", ledger).writes == {P1: 11.0}
    m = month4(tmp_path / "b", ledger)
    assert m.writes == {}
    assert records(m.findings)[0] == (
        "form-too-large", "error", "月报表", "", "",
        "工作表“月报表”的内容延伸到 AS8（8 行 × 45 列），超出月报表的容量（月报表最多 20,000 行、44 列），未读取、未汇入。"
        "请删除多余的行列（或整张多余的工作表）后重新报送。", FILES[NANGUAN])


def test_hidden_and_extra_sheets_with_figures_are_named_and_never_merged(ledger: Ledger, tmp_path: Path) -> None:
    path = write_form(tmp_path, ledger, KAIFAQU)
    wb = openpyxl.load_workbook(path)
    notes = wb.create_sheet("说明")  # text only: not a finding
    notes["A1"] = "本表由综合科填报"
    extra = wb.create_sheet("Sheet2")
    extra["A1"], extra["B1"], extra["C1"] = 1, 2.5, 3
    hidden = wb.create_sheet("草稿")
    hidden["A1"], hidden["A2"] = "P3", 9999
    hidden.sheet_state = "hidden"
    wb.save(path)
    m = month4(tmp_path, ledger)
    assert m.writes == {P3: 13.0}
    file = FILES[KAIFAQU]
    assert records(m.findings)[:2] == [
        ("form-extra-sheet", "warning", "Sheet2", "", "Sheet2",
         "工作表“Sheet2”（可见）含3 个数字，不是月报表，未汇入；只汇入“月报表”表，请核实是否填错了表。", file),
        ("form-extra-sheet", "warning", "草稿", "", "草稿",
         "工作表“草稿”（隐藏）含1 个数字，不是月报表，未汇入；只汇入“月报表”表，请核实是否填错了表。", file),
    ]
    assert [r[0] for r in records(m.findings)[2:]] == ["form-missing", "form-missing"]


# ---- long text, capped findings --------------------------------------------------------------

@pytest.mark.parametrize(("length", "found"), [(32_767, False), (32_768, True)])
def test_text_at_and_over_an_excel_cell(length: int, found: bool, ledger: Ledger, tmp_path: Path) -> None:
    def marked(rows: Rows) -> None:
        rows[0]["progress_text"] = "长文本标记"

    path = write_form(tmp_path, ledger, KAIFAQU, marked)
    # our writer never writes more than a cell holds; a file written by other software may
    replace_in_form(path, "长文本标记".encode(), ("进" * length).encode())
    m = month4(tmp_path, ledger)
    text_cell = ledger.cell(2, "progress_text")
    assert m.writes == {P3: 13.0, text_cell: "进" * 32_767}
    expected = [("text-too-long", "warning", "月报表", "I5", "32768",
                 "“形象进度”长 32768 个字符，超过 Excel 单元格上限 32767 个字符，已截断。", FILES[KAIFAQU])]
    assert [r for r in records(m.findings) if r[0] == "text-too-long"] == (expected if found else [])


@pytest.mark.parametrize(("extra", "more"), [(MAX_FINDINGS_PER_FORM, None), (MAX_FINDINGS_PER_FORM + 1, "error")])
def test_findings_per_form_are_capped_after_50(extra: int, more: str | None, ledger: Ledger, tmp_path: Path) -> None:
    def unknown(rows: Rows) -> None:
        rows += [dict(rows[0], seq=i + 2, code=f"X{i:03d}") for i in range(extra)]

    write_form(tmp_path, ledger, KAIFAQU, unknown)
    m = month4(tmp_path, ledger)
    mine = records([f for f in m.findings if f.file == FILES[KAIFAQU]])
    assert len(mine) == MAX_FINDINGS_PER_FORM + (more is not None)
    assert {r[0] for r in mine[:MAX_FINDINGS_PER_FORM]} == {"form-unknown-code"}
    if more:
        assert mine[-1] == ("form-more-findings", more, "月报表", "", "1",
                            "本月报表另有 1 处问题未逐条列出（每份最多列出 50 条），请报送单位自查后重新报送。", FILES[KAIFAQU])


def test_capped_warnings_give_a_warning(ledger: Ledger, tmp_path: Path) -> None:
    def flags(rows: Rows) -> None:  # 51 rows of P3, each with a bad 是否入库: 51 warnings, and 50 form-duplicate-row, no error
        rows += [dict(rows[0], seq=i + 2, in_stats="也许") for i in range(MAX_FINDINGS_PER_FORM)]
        rows[0]["in_stats"] = "也许"

    write_form(tmp_path, ledger, KAIFAQU, flags)
    m = month4(tmp_path, ledger)
    mine = records([f for f in m.findings if f.file == FILES[KAIFAQU]])
    assert len(mine) == MAX_FINDINGS_PER_FORM + 1
    assert mine[-1] == ("form-more-findings", "warning", "月报表", "", "51",
                        "本月报表另有 51 处问题未逐条列出（每份最多列出 50 条），请报送单位自查后重新报送。", FILES[KAIFAQU])
    assert m.writes == {P3: 13.0}


def test_lock_and_hidden_files_in_the_folder_are_not_forms(tmp_path: Path, ledger: Ledger) -> None:
    """Lock files (~$) and hidden files in the folder are not forms: no finding, nothing read."""
    folder = all_forms(tmp_path / "forms", ledger)
    shutil.copyfile(folder / FILES[KAIFAQU], folder / f"~${FILES[KAIFAQU]}")
    (folder / ".~lock.xlsx").write_bytes(b"not a zip")
    m = month4(folder, ledger)
    assert m.findings == [] and m.writes == {P1: 11.0, P3: 13.0, P4: 14.0}


# ---- what the --json output carries besides the message; the rest of the merge's branches ------

def test_findings_carry_their_field_and_no_cell_for_a_whole_file(ledger: Ledger, tmp_path: Path) -> None:
    def nanguan(rows: Rows) -> None:
        rows[0]["month_current"] = -1.0  # negative-amount on 当月完成
        rows[1]["month_current"] = 10.0  # form-revision of the ledger's m04
        rows.append(dict(rows[0], seq=3, code="P9", month_current=1.0))  # form-unknown-code
        rows.append(dict(rows[0], seq=4, code="P4", month_current=1.0))  # form-double-report (北下街 owns P4)

    def kaifaqu(rows: Rows) -> None:
        rows[0]["month_current"], rows[0]["ytd"] = None, 40.0  # cumulative-decrease on 本年累计
        rows.append(dict(rows[0], seq=2, code="P1", ytd=None, month_current=1.0))  # form-double-report (南关's P1)

    folder = all_forms(tmp_path, ledger, 南关=nanguan, 开发区=kaifaqu)
    write_form(folder, ledger, BEIXIAJIE, meta={"month": 3})  # form-wrong-month (a whole file)
    write_form(folder, ledger, BEIXIAJIE, meta={"unit": "某某办"})  # form-wrong-unit (a whole file)
    write_form(folder, ledger, BEIXIAJIE, meta={"year": 2021})  # form-wrong-ledger (a whole file)
    m = month4(folder, ledger)
    placed = sorted((f.code, f.field, f.cell, f.row, f.column) for f in [*m.findings, *m.revisions])
    assert placed == sorted([
        ("negative-amount", "value", "G5", 5, 7),
        ("form-revision", "m04", P2, 5, 27),
        ("form-unknown-code", "code", "B7", 7, 2),
        ("form-double-report", "code", "B8", 8, 2),
        ("cumulative-decrease", "cumulative", "H5", 5, 8),
        ("form-double-report", "code", "B6", 6, 2),
        ("form-wrong-month", "", "", 0, 0),
        ("form-wrong-unit", "", "", 0, 0),
        ("form-wrong-ledger", "", "", 0, 0),
    ])


def test_a_form_without_a_month_or_with_month_13_is_refused(ledger: Ledger, tmp_path: Path) -> None:
    blank = write_form(tmp_path / "a", ledger, KAIFAQU)
    wb = openpyxl.load_workbook(blank)
    del wb["_表单信息"]  # a retyped copy without the hidden sheet ...
    wb["月报表"]["D2"] = None  # ... and its 报告月份 cleared
    wb.save(blank)
    m = month4(tmp_path / "a", ledger)
    assert records(m.findings)[0][4:6] == ("未填", "月报表为 未填 月，本次汇总为 4 月，未汇入。")
    thirteen = write_form(tmp_path / "b", ledger, KAIFAQU, meta={"month": 12})
    wb = openpyxl.load_workbook(thirteen)
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value == 12 and cell.row <= 10:
                    cell.value = 13
    wb.save(thirteen)
    m = month4(tmp_path / "b", ledger)
    assert records(m.findings)[0][4:6] == ("13", "月报表为 13 月，本次汇总为 4 月，未汇入。")


def test_a_project_reported_twice_keeps_its_owners_first_row(ledger: Ledger, tmp_path: Path) -> None:
    def nanguan(rows: Rows) -> None:
        rows.append(dict(rows[0], seq=3, month_current=99.0))  # row 7: P1 again, another figure

    def others(rows: Rows) -> None:
        rows.append(dict(rows[0], seq=2, code="P1", month_current=7.0))  # row 6: 南关's P1

    m = month4(all_forms(tmp_path, ledger, 南关=nanguan, 开发区=others, 北下街=others), ledger)
    assert m.writes[P1] == 11.0  # the owner's first row
    assert sorted(r[3:7:3] for r in records(m.findings)) == [
        ("B6", FILES[BEIXIAJIE]), ("B6", FILES[KAIFAQU]), ("B7", FILES[NANGUAN])]
    double = {r[6]: r[5] for r in records(m.findings)}
    # with no other unit reporting it, a unit's second row of the same project is not merged either:
    # the first row's figure stands, and the second row is a finding naming the row that was merged
    write_form(tmp_path / "alone", ledger, NANGUAN, nanguan)
    alone = month4(tmp_path / "alone", ledger)
    assert alone.writes[P1] == 11.0
    dup = [r for r in records(alone.findings) if r[0] == "form-duplicate-row"]
    assert [r[1:] for r in dup] == [("warning", "月报表", "B7", "P1",
                                     "项目“P1”在月报表中重复填报，本行未汇入，已按本表第 5 行的数据汇总，请核实。",
                                     FILES[NANGUAN])]
    assert double[FILES[BEIXIAJIE]] == "项目“P1”同时由 南关街道、经济开发区 报送，未汇入，请核实责任单位。"
    assert double[FILES[NANGUAN]] == "项目“P1”同时由 北下街街道、经济开发区 报送，未汇入，请核实责任单位。"


def test_texts_are_written_only_when_changed(ledger: Ledger, tmp_path: Path) -> None:
    text = ledger.cell(0, "progress_text")
    m = month4(all_forms(tmp_path / "a", ledger), ledger)  # P1's 主体施工 returned as issued
    assert text not in m.writes
    def changed(rows: Rows) -> None:
        rows[0]["progress_text"] = " 主体封顶 "  # trimmed when written
        rows[1]["problems"] = "用地手续待办"

    m = month4(all_forms(tmp_path / "b", ledger, 南关=changed), ledger)
    assert m.writes[text] == "主体封顶" and m.writes[ledger.cell(1, "problems")] == "用地手续待办"


def _small_ledger(header: list[str], *rows: list[Any]) -> Ledger:
    from xladdin.core.ledger import read_ledger
    from xladdin.core.sheet import SheetData

    return read_ledger(SheetData("项目台账", [["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资",
                                                *header], *rows]), S)


def test_a_project_without_a_unit_and_an_october_revision(tmp_path: Path) -> None:
    # P5 has no 责任单位 (it reads as NaN): 南关's figure for it is taken, there is no owner to
    # contradict (it was refused as “责任单位为nan”); P1's 10月 12 → 9 is a revision labelled 10月
    small = _small_ledger(["9月", "10月"], ["甲项目", "P1", "南关街道", "区重点", 1000, 100, 5, 12],
                          ["戊项目", "P5", None, "区重点", 1000, 100, 5, None])

    def october(rows: Rows) -> None:
        rows[0]["month_current"] = 9.0
        rows.append(dict(rows[0], seq=2, code="P5", month_current=4.0))

    write_form(tmp_path, small, NANGUAN, october, meta={"month": 10})
    m = month4(tmp_path, small, Period(10))
    assert m.writes == {small.cell(0, "m10"): 9.0, small.cell(1, "m10"): 4.0} and m.findings == []
    assert [r[5] for r in records(m.revisions)] == ["甲项目 10月：已汇总的 12 万元 改为 9 万元。"]


def test_a_ledger_without_the_periods_month_column_is_refused_by_name(tmp_path: Path) -> None:
    from xladdin.errors import ColumnNotFound

    small = _small_ledger(["3月"], ["甲项目", "P1", "南关街道", "区重点", 1000, 100, 5])
    write_form(tmp_path, small, NANGUAN, lambda rows: None)
    with pytest.raises(ColumnNotFound) as caught:
        month4(tmp_path, small)
    assert caught.value.message == "项目台账中没有“4月”列，无法汇入1-4月数据。"


def test_the_first_period_counts_january_and_names_every_file_of_a_unit(tmp_path: Path) -> None:
    # 1-2月: P1 has its January figure (not missing), P2 has nothing, P3 is on both of 南关's forms
    # (stamped 1 and 2, both belong to 1-2月): P2 is left out → incomplete, naming both files
    small = _small_ledger(["1月", "2月"], ["甲项目", "P1", "南关街道", "区重点", 1000, 100, 5, None],
                          ["乙项目", "P2", "南关街道", "区重点", 1000, 100, None, None],
                          ["丙项目", "P3", "南关街道", "区重点", 1000, 100, None, None])

    def only_p3(rows: Rows) -> None:
        rows[:] = [dict(rows[2], month_current=4.0)]

    first = write_form(tmp_path, small, NANGUAN, only_p3, meta={"month": 1}).name
    second = write_form(tmp_path, small, NANGUAN, only_p3, meta={"month": 2}).name
    m = month4(tmp_path, small, Period(2))
    assert m.writes == {small.cell(2, "m02"): 4.0}
    assert records(m.findings) == [
        ("form-duplicate-row", "warning", "月报表", "B5", "P3",  # P3 on both forms: the first one's figure
         f"项目“P3”在月报表中重复填报，本行未汇入，已按“{first}”第 5 行的数据汇总，请核实。", second),
        ("form-incomplete", "warning", "项目台账", "", NANGUAN,
         f"单位“南关街道”的月报表（{first}、{second}）漏报本单位 1 个项目，这些项目1-2月无数据。", f"{first}、{second}"),
        ("form-project-missing", "warning", "项目台账", small.cell(1, "m02"), "P2",
         "项目“乙项目”（P2）属于南关街道，本单位月报表中没有该项目，1-2月完成仍无数据。", ""),
    ]
    assert (m.findings[1].row, m.findings[1].column) == (0, 0)


def test_whole_ledger_findings_have_no_row_or_column(ledger: Ledger, tmp_path: Path) -> None:
    def none_of_its_own(rows: Rows) -> None:
        rows[0]["code"] = "P9"

    def without_p1(rows: Rows) -> None:
        del rows[0]

    write_form(tmp_path, ledger, NANGUAN, without_p1)  # incomplete
    write_form(tmp_path, ledger, BEIXIAJIE, none_of_its_own)  # own-missing
    m = month4(tmp_path, ledger)  # 开发区: missing
    whole = [(f.code, f.row, f.column) for f in m.findings if f.code in ("form-missing", "form-own-missing",
                                                                          "form-incomplete")]
    assert sorted(whole) == [("form-incomplete", 0, 0), ("form-missing", 0, 0), ("form-own-missing", 0, 0)]
    assert sorted((f.field, f.cell) for f in m.findings if f.code == "form-project-missing") == [("m04", P1), ("m04", P4)]
