"""Issue 12 seen 8, 9 (build 8): everything staff see is Chinese (argparse errors, missing or wrong
folders, any OSError), and `forms` never overwrites a form that holds figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from xladdin.books.template import build_master
from xladdin.cli import main, month_arg, zh_usage_error
from xladdin.core.form_layout import FORM_FIRST_ROW, FORM_SHEET
from xladdin.core.periods import Period
from xladdin.demo.progress import add_progress
from xladdin.demo.projects import generate_projects

ENGLISH = ("usage:", "error:", "invalid", "required", "argument", "Traceback", "Error", "内部错误")


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out + err


def chinese_only(text: str) -> None:
    for word in ENGLISH:
        assert word not in text, (word, text)


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    projects = add_progress(generate_projects(2022, 2022), 5, 2022)
    small = projects[projects["unit"].isin(("南关街道", "北下街街道"))].reset_index(drop=True)
    return build_master(tmp_path_factory.mktemp("cli") / "master.xlsx", projects=small, month=5)


@pytest.mark.parametrize(("args", "expected"), [
    (["forms", "m.xlsx", "--month", "十三", "--out", "x"], "月份应为 1 到 12 的整数（1 与 2 同为 1-2月），现为“十三”"),
    (["summary", "m.xlsx", "--month", "abc"], "月份应为 1 到 12 的整数"),
    (["consolidate"], "缺少必需的参数：master, --month"),
    (["consolidate", "m.xlsx", "--month"], "参数 --month 后应给出一个值"),
    (["foo"], "没有“foo”这个命令，可用的命令：validate"),
    (["addin", "zz"], "没有“zz”这个命令，可用的命令：build"),
    (["validate", "m.xlsx", "--bogus"], "无法识别的参数：--bogus"),
])
def test_usage_errors_are_chinese_with_exit_code_2(args: list[str], expected: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, text = cli(capsys, *args)
    assert code == 2 and expected in text and "用法：xladdin" in text, text
    chinese_only(text)


def test_help_and_real_process_speak_chinese() -> None:
    proc = subprocess.run([sys.executable, "-m", "xladdin.cli", "forms", "m.xlsx", "--month", "六月x", "--out", "o"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 2 and "月份应为 1 到 12" in proc.stderr
    chinese_only(proc.stderr)
    helped = subprocess.run([sys.executable, "-m", "xladdin.cli", "forms", "-h"], capture_output=True, text=True, check=False)
    assert helped.returncode == 0 and "用法：" in helped.stdout and "显示本帮助并退出" in helped.stdout
    assert "show this help" not in helped.stdout and "usage:" not in helped.stdout


def test_month_words_staff_type_are_months() -> None:
    assert month_arg("六") == month_arg("6月") == month_arg("６") == month_arg(" 6 ") == Period(6)
    assert month_arg("1") == month_arg("2") == Period(2)
    assert zh_usage_error("something new").startswith("命令用法有误：")


def test_missing_and_wrong_folders_are_named(master: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "没有这个文件夹"
    code, text = cli(capsys, "consolidate", str(master), "--month", "6", "--forms", str(missing))
    assert code == 2 and f"找不到月报表文件夹“{missing}”" in text
    chinese_only(text)
    code, text = cli(capsys, "consolidate", str(master), "--month", "6", "--forms", str(master))
    assert code == 2 and f"“{master}”是一个文件，不是文件夹" in text
    chinese_only(text)
    code, text = cli(capsys, "forms", str(master), "--month", "6", "--out", str(master))
    assert code == 2 and f"“{master}”是一个文件，不是文件夹" in text
    code, text = cli(capsys, "template", str(master / "sub"))  # any OSError reaching the catch-all
    assert code == 2 and f"“{master / 'sub'}”不是文件夹" in text
    chinese_only(text)
    code, text = cli(capsys, "summary", str(tmp_path / "无.xlsx"), "--month", "6")
    assert code == 2 and "无.xlsx" in text
    chinese_only(text)


def test_forms_never_overwrite_a_filled_form(master: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "forms"
    code, text = cli(capsys, "forms", str(master), "--month", "6", "--out", str(out))
    assert code == 0, text
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == 2
    # an untouched, figure-less form is simply replaced
    code, text = cli(capsys, "forms", str(master), "--month", "6", "--out", str(out))
    assert code == 0, text
    filled = next(f for f in files if "南关街道" in f.name)
    wb = openpyxl.load_workbook(filled)
    wb[FORM_SHEET].cell(FORM_FIRST_ROW, 7).value = 123.0  # 当月完成 typed by the unit
    wb.save(filled)
    before = filled.read_bytes()
    code, text = cli(capsys, "forms", str(master), "--month", "6", "--out", str(out))
    assert code == 2 and filled.name in text and "未覆盖任何文件" in text and "--force" in text, text
    assert filled.read_bytes() == before
    code, text = cli(capsys, "forms", str(master), "--month", "6", "--out", str(out), "--force")
    assert code == 0, text
    ws = openpyxl.load_workbook(filled)[FORM_SHEET]
    assert ws.cell(FORM_FIRST_ROW, 7).value is None
