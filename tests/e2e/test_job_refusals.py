"""In-place jobs refused before anything is written, with their exact messages (issue 19, coverage):
an owner file of Excel/WPS or LibreOffice that names nobody, and a "备份" that is a file, not the
backup folder. The real CLI entry point, in process; the workbook's bytes are checked unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES
from xladdin import errors
from xladdin.cli import main
from xladdin.engines.guards.snapshot import JobFiles

OPEN = ("错误：“台账.xlsx”正由 未知用户 在 Excel/WPS/LibreOffice 中打开，本次未做任何修改。请对方保存并关闭该文件后再运行；"
        "如确认已无人打开（例如程序异常退出后遗留），可删除“{lock}”后重试。\n")


def ledger(tmp_path: Path) -> tuple[Path, bytes]:
    path = tmp_path / "台账.xlsx"
    shutil.copyfile(FIXTURES / "rules.xlsx", path)
    return path, path.read_bytes()


@pytest.mark.parametrize(("lock", "content"), [
    ("~$台账.xlsx", b"\x00" * 165),  # Excel/WPS owner file, both name fields empty
    (".~lock.台账.xlsx#", b",,,;"),  # LibreOffice lock line without name, host or user
], ids=["excel-owner-file", "libreoffice-lock"])
def test_an_owner_file_naming_nobody_still_refuses(tmp_path: Path, lock: str, content: bytes,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    path, original = ledger(tmp_path)
    (tmp_path / lock).write_bytes(content)
    assert main(["validate", str(path), "--mark"]) == 2
    assert capsys.readouterr().err == OPEN.format(lock=lock)
    assert path.read_bytes() == original


def test_a_file_named_like_the_backup_folder_stops_the_job(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, original = ledger(tmp_path)
    (tmp_path / "备份").write_text("不是文件夹", encoding="utf-8")
    assert main(["validate", str(path), "--mark"]) == 2
    assert capsys.readouterr().err == "错误：处理“台账.xlsx”时出错（File exists），原文件未修改。\n"
    assert path.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx", "备份"]  # nothing left behind


def test_a_job_on_a_missing_master_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "没有.xlsx"
    with pytest.raises(errors.WorkbookUnreadable) as caught:
        JobFiles.open(missing)
    assert caught.value.message == f"找不到文件“{missing}”，请检查路径。"
    assert list(tmp_path.iterdir()) == []
