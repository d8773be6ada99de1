"""Issue 12 (seen 1, 7; build 5): ordinary months never stop the cycle.

The demo master (figures to May, 单位统计 to June) and the blank template, for every month 1-12,
through the real CLI entry point in-process: validate, summary, consolidate (refresh) and forms
finish without 内部错误; a unit without a growth figure is 无数据 and named; a period nobody has
reported is said plainly.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.sheets import sheet_text
from xladdin.cli import main
from xladdin.demo.district import write_samples

MONTHS = list(range(1, 13))


@pytest.fixture(scope="module")
def books(demo_build: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("months")
    demo = demo_build  # built once per session (tests/conftest.py): read-only
    template = next(p for p in write_samples(root / "template") if p.name == "主台账模板.xlsx")
    return {"demo": demo.master, "template": template, "forms": demo.forms_dir}


def _without(source: Path, target: Path, *sheets: str) -> Path:
    """A copy of ``source`` with ``sheets`` deleted by openpyxl, which leaves their defined names behind."""
    wb = openpyxl.load_workbook(source)
    for sheet in sheets:
        del wb[sheet]
    wb.save(target)
    return target


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_clean(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code, out, err = cli(capsys, *args)
    assert "内部错误" not in out + err and "Traceback" not in out + err, (args, err)
    assert code in (0, 1), (args, code, err)
    return code, out, err


@pytest.mark.parametrize("book", ["demo", "template"])
def test_validate_finishes(books: dict[str, Path], book: str, capsys: pytest.CaptureFixture[str]) -> None:
    run_clean(capsys, "validate", str(books[book]))  # validation does not depend on the month


# the demo's 27 forms take ~3 s to write: every month on the template and the small master of
# test_period_roundtrip (forms for each month 1-12), these months on the demo
DEMO_FORM_MONTHS = {1, 2, 6, 7, 12}


@pytest.mark.slow
@pytest.mark.parametrize("month", MONTHS)
@pytest.mark.parametrize("book", ["demo", "template"])
def test_every_month_finishes(books: dict[str, Path], book: str, month: int, tmp_path: Path,
                              capsys: pytest.CaptureFixture[str]) -> None:
    master = books[book]
    run_clean(capsys, "summary", str(master), "--month", str(month))
    run_clean(capsys, "consolidate", str(master), "--month", str(month), "--output", str(tmp_path / "out.xlsx"))
    assert (tmp_path / "out.xlsx").exists()
    if book == "template" or month in DEMO_FORM_MONTHS:
        run_clean(capsys, "forms", str(master), "--month", str(month), "--out", str(tmp_path / "forms"))


def test_month_7_on_the_demo_says_nobody_has_reported(books: dict[str, Path], tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Seen 1 and 7: `consolidate --month 7` crashed; `summary --month 7` judged June's totals
    against July's 序时进度 with exit 0 and no word."""
    code, out, err = cli(capsys, "summary", str(books["demo"]), "--month", "7")
    assert code == 0
    data = json.loads(out)
    assert data["period"] == "1-7月" and data["reported"] is False
    assert {f["code"] for f in data["findings"]} == {"period-not-reported", "stats-period-missing"}
    total = next(r for r in data["by_level"] if r["level"] == "合计")
    assert total["ytd_completed"] is None and total["completion_rate"] is None and total["status"] == "无数据"
    assert total["projects"] == 291 and total["schedule"] == pytest.approx(7 / 12)
    assert all(r["rank"] is None for r in data["ranking"])
    assert "项目台账中没有任何项目的7月数据（1-7月尚无人报送）" in err and "不以1-6月的累计数对照1-7月序时进度" in err

    out_book = tmp_path / "m7.xlsx"
    code, out, err = cli(capsys, "consolidate", str(books["demo"]), "--month", "7", "--output", str(out_book))
    assert code == 0, err
    assert "项目台账中没有任何项目的 7 月数据，1-7月累计完成、完成率为无数据" in out
    assert "参与排名的 14 个单位均无1-7月增速数据（无数据），本月不排名" in out
    bulletin = "".join(sheet_text(out_book, "通报").replace("|", "").split())
    assert "1-7月重点项目投资数据尚未报送" in bulletin and "本期完成情况暂无数据" in bulletin
    assert "经济开发区、北下街街道" in bulletin and "均为无数据，本月暂不排名" in bulletin
    ranking = sheet_text(out_book, "排名")
    assert ranking.count("无数据|") >= 14
    summary = sheet_text(out_book, "汇总")
    assert "合计|291|" in summary and "|无数据|" in summary


def test_one_unit_without_statistics_is_unranked_named_and_skipped(books: dict[str, Path], tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Seen 1: one unit's statistics row left empty. 南关街道 shows 无数据, the others are ranked,
    the finding names the unit and the 单位统计 row, the bulletin names it."""
    master = tmp_path / "master.xlsx"
    shutil.copy(books["demo"], master)
    wb = openpyxl.load_workbook(master)
    ws = wb["单位统计"]
    header = [c.value for c in ws[2]]  # row 1 is the title
    col_month, col_subject, col_ytd = (header.index(h) + 1 for h in ("月份", "统计对象", "本年累计"))
    blanked = None
    for r in range(3, ws.max_row + 1):
        if ws.cell(r, col_month).value == 5 and ws.cell(r, col_subject).value == "南关街道":
            ws.cell(r, col_ytd).value = None
            blanked = r
    assert blanked is not None
    wb.save(master)
    out_book = tmp_path / "out.xlsx"
    code, out, err = cli(capsys, "consolidate", str(master), "--month", "5", "--output", str(out_book))
    assert code == 0, err
    line = next(x for x in out.splitlines() if "stats" in x or "南关街道1-5月" in x)
    assert f"单位统计!A{blanked}" in line
    assert "“单位统计”表中没有南关街道1-5月的本年累计或上年同期数，增速无法计算，本月不参与排名（显示为无数据）" in line
    assert "无增速数据、本月不参与排名（无数据）：南关街道。" in out
    rows = {r.split("|")[1]: r.split("|") for r in sheet_text(out_book, "排名").splitlines() if r.count("|") > 5}
    assert rows["南关街道"][0] == "无数据" and rows["南关街道"][4] == "无数据"
    assert rows["陇海马路街道"][0] == "13" and rows["陇海马路街道"][6] == "区分管领导约谈"  # 13 ranked now
    bulletin = "".join(sheet_text(out_book, "通报").replace("|", "").split())
    assert "南关街道在“单位统计”表中无增速数据（无数据），本月不参与排名" in bulletin


def test_a_ledger_without_statistics_sheet(books: dict[str, Path], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    master = _without(books["demo"], tmp_path / "no-stats.xlsx", "单位统计")
    for args in (("consolidate", str(master), "--month", "5", "--output", str(tmp_path / "o.xlsx")),
                 ("consolidate", str(master), "--month", "6", "--forms", str(books["forms"]),
                  "--output", str(tmp_path / "o6.xlsx")),
                 ("summary", str(master), "--month", "5")):
        code, out, err = cli(capsys, *args)
        assert code in (0, 1) and "内部错误" not in err, err
        assert "工作簿中没有“单位统计”表，参与排名的 14 个单位" in out + err


def test_refresh_after_consolidation_still_names_who_has_no_figure(books: dict[str, Path], tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 12 seen 5, on 刷新排名与通报 (no forms): the ledger itself says 东大街街道 has no June
    figure (未报送) and which projects of other units have none; summary says the same."""
    june = tmp_path / "june.xlsx"
    code, _, err = cli(capsys, "consolidate", str(books["demo"]), "--month", "6", "--forms", str(books["forms"]),
                       "--output", str(june))
    assert code == 1, err  # the planted errors
    code, out, err = cli(capsys, "consolidate", str(june), "--month", "6", "--output", str(tmp_path / "r.xlsx"))
    assert code == 0, err
    assert "单位“东大街街道”的 11 个项目都没有6月数据（按未报送计）" in out
    assert "未报送 1 个单位（东大街街道）" in out and "部分项目本期无数据的单位：南关街道、城东路街道、二里岗街道" in out
    assert out.count("属于东大街街道，项目台账中没有该项目的本期数据，6月完成仍无数据") == 11
    bulletin = "".join(sheet_text(tmp_path / "r.xlsx", "通报").replace("|", "").split())
    assert "本月未按时报送月报表的单位：东大街街道" in bulletin
    code, out, err = cli(capsys, "summary", str(june), "--month", "6")
    data = json.loads(out)
    assert data["missing_units"] == ["东大街街道"] and data["incomplete_units"] == ["南关街道", "城东路街道", "二里岗街道"]
    assert "period-unit-missing" in {f["code"] for f in data["findings"]}


def _names(path: Path) -> dict[str, str]:
    book = openpyxl.load_workbook(path)
    return {name: str(dn.attr_text) for name, dn in book.defined_names.items()}


def test_output_sheets_deleted_by_a_program_that_left_their_names_behind_are_rebuilt(
        books: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A sheet deleted by a program other than Excel (openpyxl here) leaves its defined name
    pointing at it (Excel would make it #REF!): the consolidation stopped at its end with “没有工作表
    “汇总””. It now rebuilds the region at its usual place, points the name at it and says so."""
    master = _without(books["demo"], tmp_path / "master.xlsx", "汇总", "通报")
    assert _names(master)["xl_summary"] == "'汇总'!$A$3"  # left behind
    code, out, err = run_clean(capsys, "consolidate", str(master), "--month", "6", "--forms", str(books["forms"]))
    assert code == 1, err  # the demo's planted errors, as ever
    for name, sheet in (("xl_summary", "汇总"), ("xl_bulletin", "通报")):
        assert f"名称“{name}”指向的工作表“{sheet}”已不存在" in out, out[-2000:]
    assert "名称“xl_ranking”" not in out  # its sheet is there: nothing to say
    assert "汇总完成：重点项目 291 个" in out
    rebuilt = openpyxl.load_workbook(master)
    assert rebuilt["汇总"]["A3"].value == "一、1-6月重点项目完成情况（按项目级别）"
    assert "管城回族区" in str(rebuilt["通报"]["A1"].value)
    assert _names(master)["xl_summary"] == "'汇总'!$A$3" and _names(master)["xl_bulletin"] == "'通报'!$A$1"
    code, out, err = run_clean(capsys, "consolidate", str(master), "--month", "6")  # the next run: nothing broken
    assert "已不存在" not in out + err


def test_a_ledger_sheet_renamed_by_such_a_program_is_consolidated(books: dict[str, Path], tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """项目台账 renamed 重点项目 outside Excel: the ledger is found by its header (past 汇总, whose
    merged title reaches past its values), the forms merged into it, and xl_month, left pointing at
    “项目台账”, is named as not updated instead of stopping the job."""
    master = tmp_path / "master.xlsx"
    wb = openpyxl.load_workbook(books["demo"])
    wb["项目台账"].title = "重点项目"
    wb.save(master)
    code, out, err = run_clean(capsys, "consolidate", str(master), "--month", "6", "--forms", str(books["forms"]))
    assert code == 1, err
    assert "名称“xl_month”指向的工作表“项目台账”已不存在" in out and "台账公式中的当前月份本次未能更新" in out
    assert "汇入月报表 27 份" in out and "汇总完成：重点项目 291 个" in out
    assert "重点项目" in openpyxl.load_workbook(master).sheetnames


def test_mark_rebuilds_a_findings_sheet_whose_name_was_left_behind(books: dict[str, Path], tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    master = _without(books["demo"], tmp_path / "master.xlsx", "校验结果")
    code, out, err = run_clean(capsys, "validate", str(master), "--mark")
    assert code == 0, err  # the demo ledger's own findings are warnings
    assert "名称“xl_findings”指向的工作表“校验结果”已不存在" in out
    assert openpyxl.load_workbook(master)["校验结果"]["A3"].value == "序号"


def test_month_columns_headed_in_chinese_numerals_take_the_month_s_forms(
        books: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """一月 … 十月 over the month columns (the ledger's 11月 and 12月 left as they are): the June
    forms go into 六月 exactly as into 6月, and nothing else differs."""
    arabic, chinese = tmp_path / "arabic.xlsx", tmp_path / "chinese.xlsx"
    shutil.copy(books["demo"], arabic)
    wb = openpyxl.load_workbook(books["demo"])
    numerals = "一二三四五六七八九十"
    renamed = 0
    for row in wb["项目台账"].iter_rows(min_row=1, max_row=4):
        for cell in row:
            text = cell.value
            if isinstance(text, str) and text.endswith("月") and text[:-1].isdigit() and int(text[:-1]) <= 10:
                cell.value, renamed = numerals[int(text[:-1]) - 1] + "月", renamed + 1
    assert renamed == 10
    wb.save(chinese)
    openpyxl.load_workbook(arabic).save(arabic)  # both saved by openpyxl: only the headers differ
    results = []
    for path in (arabic, chinese):
        code, out, _ = run_clean(capsys, "consolidate", str(path), "--month", "6", "--forms", str(books["forms"]))
        assert "汇入月报表 27 份" in out, out[-800:]
        results.append((code, out.replace(path.name, ""), sheet_text(path, "汇总"), sheet_text(path, "排名")))
    assert results[0] == results[1]


def test_a_form_sent_as_xls_or_et_or_in_a_subfolder_is_named_not_skipped(books: dict[str, Path], tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """A unit that sends its form as .xls (Excel 97-2003) or .et (WPS), or whose form was saved in a
    folder of its own, was left out in silence and then read as 未报送. Each such file is now an
    error saying how to send it again, and each subfolder holding workbooks a warning."""
    forms = Path(shutil.copytree(books["forms"], tmp_path / "forms"))
    xls_form, et_form = sorted(forms.glob("*.xlsx"))[:2]
    xls_form.rename(xls_form.with_suffix(".xls"))
    et_form.rename(et_form.with_suffix(".et"))
    (forms / "~$锁定文件.xls").write_bytes(b"")  # Excel's owner file: never a form
    (forms / "南关街道" / "附件").mkdir(parents=True)  # a unit's own folder, a form two levels down
    shutil.copy(xls_form.with_suffix(".xls"), forms / "南关街道" / "附件" / "月报表.xlsx")
    (forms / "备份").mkdir()  # our own backups (a master kept beside its forms): never mentioned
    shutil.copy(books["demo"], forms / "备份" / "主台账-备份.xlsx")
    code, out, _ = run_clean(capsys, "consolidate", str(books["demo"]), "--month", "6", "--forms", str(forms),
                             "--output", str(tmp_path / "out.xlsx"))
    assert code == 1
    for path, kind in ((xls_form.with_suffix(".xls"), "Excel 97-2003 工作簿（.xls）"), (et_form.with_suffix(".et"), "WPS 表格文件（.et）")):
        assert f"“{path.name}”是{kind}，本工具只读取 .xlsx 月报表，未汇入；请报送单位用 Excel 或 WPS 另存为 .xlsx 后重新报送。" in out
    assert "锁定文件" not in out
    assert ("子文件夹“南关街道”中有 1 个工作簿，未读取：只汇入所选文件夹本身的月报表。"
            "如其中有本月月报表，请把它们移到“forms”中后重新汇总。") in out
    assert "备份" not in out
    assert "汇入月报表 25 份" in out
