"""Hostile and broken workbook files are refused with a clear message before anything parses them."""

from __future__ import annotations

import gc
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pytest
from defusedxml.common import EntitiesForbidden

from tests import hostile_files as hf
from xladdin import errors
from xladdin.engines import libreoffice
from xladdin.engines.guards import vetting as safety


def test_ordinary_workbook_passes(tmp_path: Path) -> None:
    path = hf.plain(tmp_path / "台账.xlsx")
    before = path.read_bytes()
    assert safety.inspect_package(path) is None
    assert path.read_bytes() == before  # vetting only reads
    assert openpyxl.load_workbook(path).active["A1"].value == "项目名称"  # and it was a real workbook


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(errors.WorkbookUnreadable, match=r"找不到文件.*不存在.xlsx"):
        safety.inspect_package(tmp_path / "不存在.xlsx")


def test_not_a_zip(tmp_path: Path) -> None:
    with pytest.raises(errors.WorkbookUnreadable, match=r"“报表.xlsx”不是 Excel 工作簿") as exc:
        safety.inspect_package(hf.not_a_zip(tmp_path / "报表.xlsx"))
    assert type(exc.value) is errors.WorkbookUnreadable


def test_truncated_file(tmp_path: Path) -> None:
    with pytest.raises(errors.WorkbookUnreadable, match=r"“半截.xlsx”已损坏或不完整"):
        safety.inspect_package(hf.truncated(tmp_path / "半截.xlsx"))


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(errors.WorkbookUnreadable, match="不是 Excel 工作簿（缺少工作簿部件）"):
        safety.inspect_package(hf.zip_not_workbook(tmp_path / "包.xlsx"))


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = hf.zip_bomb(tmp_path_factory.mktemp("bomb") / "炸弹.xlsx")
    return path


def test_zip_bomb_is_small_on_disk_and_really_inflates_past_a_gib(bomb: Path) -> None:
    assert bomb.stat().st_size < 3 * 2**20
    with zipfile.ZipFile(bomb) as zf:
        info = zf.getinfo(hf.SHEET)
        assert info.file_size > 2**30
        with zf.open(info) as member:  # the declared size is honest: it does inflate (first 64 MB)
            member.read(200)
            assert member.read(64 * 2**20) == b" " * (64 * 2**20)


def test_zip_bomb_rejected_before_inflating_with_bounded_memory(bomb: Path) -> None:
    """In a fresh process: peak RSS while rejecting stays within ~40 MB of the interpreter's baseline."""
    code = (
        "import resource, sys\n"
        "from pathlib import Path\n"
        "from xladdin import errors\nfrom xladdin.engines.guards import vetting as safety\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "try:\n"
        "    safety.inspect_package(Path(sys.argv[1]))\n"
        "except errors.HostileWorkbook as exc:\n"
        "    print('REJECTED', exc)\n"
        "print('GROWTH_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(bomb)], capture_output=True, text=True, check=True, timeout=60
    )
    assert "REJECTED “炸弹.xlsx”的部件 xl/worksheets/sheet1.xml 解压后为" in out.stdout
    assert "疑似“压缩炸弹”" in out.stdout
    growth_kb = int(out.stdout.split("GROWTH_KB")[1])
    assert growth_kb < 40 * 1024


def test_zip_bomb_by_ratio_below_the_member_limit(tmp_path: Path) -> None:
    small_bomb = hf.zip_bomb(tmp_path / "小炸弹.xlsx", size=60 * 2**20)
    with pytest.raises(errors.HostileWorkbook, match="压缩比"):
        safety.inspect_package(small_bomb)
    safety.inspect_package(small_bomb, max_ratio=10_000)  # only the ratio rule fired


def test_total_size_limit(tmp_path: Path) -> None:
    book = hf.plain(tmp_path / "台账.xlsx")
    with pytest.raises(errors.HostileWorkbook, match=r"解压后共.*超过上限"):
        safety.inspect_package(book, max_total=1000)


# openpyxl leaks its zip when a part fails to parse
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_billion_laughs_rejected_and_openpyxl_uses_defusedxml(tmp_path: Path) -> None:
    attack = hf.entity_attack(tmp_path / "实体.xlsx")
    with pytest.raises(errors.HostileWorkbook, match=r"部件 xl/worksheets/sheet1.xml 含有 XML 实体声明"):
        safety.inspect_package(attack)
    # the backstop: even without our check, openpyxl parses through defusedxml and refuses
    assert _openpyxl_failure(attack) is EntitiesForbidden
    gc.collect()


def _openpyxl_failure(path: Path) -> type[BaseException] | None:
    """The root cause openpyxl gives when loading ``path`` (it wraps parse errors in ValueError)."""
    try:
        openpyxl.load_workbook(path)
    except ValueError as exc:
        cause = exc.__cause__ or exc.__context__
        return type(cause) if cause is not None else None
    return None


def test_external_entity_rejected(tmp_path: Path) -> None:
    with pytest.raises(errors.HostileWorkbook, match="实体"):
        safety.inspect_package(hf.entity_attack(tmp_path / "xxe.xlsx", payload=hf.XXE))


def test_doctype_pushed_past_the_sniffed_prefix_is_still_rejected(tmp_path: Path) -> None:
    attack = hf.entity_attack(tmp_path / "填充.xlsx", pad=200_000)
    with pytest.raises(errors.HostileWorkbook):
        safety.inspect_package(attack)


def test_password_protected_workbook(tmp_path: Path) -> None:
    locked = hf.encrypted(tmp_path / "加密.xlsx", "xm2026")
    assert safety.is_encrypted(locked)
    with pytest.raises(errors.EncryptedWorkbook, match=r"“加密.xlsx”设有打开密码.*--password"):
        safety.inspect_package(locked)
    with pytest.raises(errors.EncryptedWorkbook, match="密码不正确"):
        safety.decrypt(locked, "wrong")
    ws = openpyxl.load_workbook(safety.decrypt(locked, "xm2026"))["项目台账"]
    assert ws["A2"].value == "城区污水管网改造"
    assert ws["B3"].value == 35000
    assert not safety.is_encrypted(hf.plain(tmp_path / "明文.xlsx"))


@pytest.mark.libreoffice
def test_legacy_xls_says_how_to_convert(tmp_path: Path) -> None:
    src = hf.plain(tmp_path / "旧表.xlsx")
    (xls,) = libreoffice.convert([src], tmp_path / "xls", "xls")
    assert xls.read_bytes().startswith(safety.OLE2_MAGIC)
    with pytest.raises(errors.WorkbookUnreadable, match=r"旧版 Excel 97-2003 工作簿（.xls）.*另存为") as exc:
        safety.inspect_package(xls)
    assert not isinstance(exc.value, errors.EncryptedWorkbook)
    # the advice works: LibreOffice converts it back to a workbook we accept
    (back,) = libreoffice.convert([xls], tmp_path / "back", "xlsx")
    safety.inspect_package(back)
    assert openpyxl.load_workbook(back).active["A2"].value == "城区污水管网改造"  # type: ignore[index]


def test_xlsm_vba_kept_byte_identical_through_an_atomic_openpyxl_save(tmp_path: Path) -> None:
    book = hf.office_xlsm(tmp_path / "宏.xlsm")
    with zipfile.ZipFile(book) as zf:
        vba = zf.read("xl/vbaProject.bin")
    safety.inspect_package(book)
    assert safety.at_risk_parts(book) == []  # .xlsm is saved with keep_vba

    def save(tmp: Path) -> None:
        wb = openpyxl.load_workbook(book, keep_vba=True)
        wb.active["A1"] = "已更新"  # type: ignore[index]
        wb.save(tmp)
        assert wb.vba_archive is not None
        wb.vba_archive.close()  # else its ZipFile.__del__ may fail at a random later gc

    safety.atomic_write(book, save)
    with zipfile.ZipFile(book) as zf:
        assert zf.read("xl/vbaProject.bin") == vba
        assert b"macroEnabled" in zf.read("[Content_Types].xml")
    again = openpyxl.load_workbook(book, keep_vba=True)
    assert again.active["A1"].value == "已更新"  # type: ignore[index]
    assert again.vba_archive is not None
    again.vba_archive.close()
    # the same package under an .xlsx name would lose its macros
    renamed = tmp_path / "宏.xlsx"
    renamed.write_bytes(book.read_bytes())
    assert safety.at_risk_parts(renamed) == ["VBA 宏（需另存为 .xlsm 才能保留）"]


def test_plain_openpyxl_workbook_has_nothing_at_risk(tmp_path: Path) -> None:
    assert safety.package_risks(hf.plain(tmp_path / "台账.xlsx")) == []


def test_at_risk_parts_lists_what_openpyxl_drops(tmp_path: Path) -> None:
    book = hf.with_extras(tmp_path / "附件多.xlsx")
    texts = safety.at_risk_parts(book)
    assert sorted(texts) == sorted([  # the same list in any order
        "形状、文本框 2 个",
        "表单控件（按钮、复选框、下拉框等）",
        "切片器",
        "自定义 XML 数据（customXml）",
        "外部数据连接",
        "迷你图",
    ])
    assert "“忽略错误”标记（绿色小三角将重新出现）" in safety.at_risk_parts(book, include_minor=True)
    # and openpyxl really drops them: after a load + save none is left
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # openpyxl warns it drops the extension
        wb = openpyxl.load_workbook(book)
    wb.save(tmp_path / "存过.xlsx")
    assert safety.package_risks(tmp_path / "存过.xlsx") == []


def test_charts_are_listed(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    book = hf.plain(tmp_path / "图.xlsx")
    wb = openpyxl.load_workbook(book)
    ws = wb.worksheets[0]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    ws.add_chart(chart, "D2")
    wb.save(book)
    risks = safety.package_risks(book)
    assert [r.key for r in risks] == ["charts"]
    assert risks[0].text.startswith("图表 1 个（保存时将重新生成")


def test_csv_safe() -> None:
    for hostile in (
        '=HYPERLINK("http://x","点我")',
        "+cmd|' /C calc'!A0",
        "@SUM(A1:A9)",
        "-1+1",
        "\t=1",
        "＝1+1",
    ):
        assert safety.csv_safe(hostile) == "'" + hostile
    for fine in ("城区污水管网改造", "#N/A", "1-2月", "", "a=b"):
        assert safety.csv_safe(fine) == fine
