"""Backups that keep what matters (issue 14): none when nothing changed, never two with the same
bytes, the pre-consolidation original kept until a newer month is consolidated; listed and restored
from the command line and the ribbon (恢复备份, on xlwings' remote engine)."""

from __future__ import annotations

import hashlib
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
import xlwings as xw

from tests.conftest import run_main
from tests.engines.remote_book import payload
from xladdin.books.template import build_master
from xladdin.cli import main
from xladdin.demo.progress import unit_statistics
from xladdin.engines.guards.backups import CONSOLIDATE_JOB, index_path, keep_backup, list_backups
from xladdin.excel import ribbon


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    projects = pd.DataFrame([
        {"name": f"项目{c}", "code": c, "unit": u, "level": "区重点", "total_investment": 1000.0, "annual_plan": 300.0,
         "m02": 20.0, "m03": 30.0} for c, u in (("P1", "南关街道"), ("P2", "经济开发区"))
    ])
    return build_master(tmp_path_factory.mktemp("m") / "主台账.xlsx", projects=projects, month=3,
                        stats=unit_statistics(5))


def backups(folder: Path) -> list[Path]:
    return sorted((folder / "备份").glob("*.xlsx"))


def test_no_backup_when_nothing_changes_and_never_two_identical(master: Path, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "主台账.xlsx"
    shutil.copyfile(master, path)
    m0 = path.read_bytes()
    assert main(["consolidate", str(path), "--month", "4"]) in (0, 1)
    m1 = path.read_bytes()
    assert [b.read_bytes() for b in backups(tmp_path)] == [m0]
    assert main(["consolidate", str(path), "--month", "4"]) in (0, 1)  # the same month again: nothing new
    assert path.read_bytes() == m1 and len(backups(tmp_path)) == 1
    assert main(["restore", str(path), "1"]) == 0  # back to m0; m1 is backed up first
    assert path.read_bytes() == m0
    assert sorted(b.read_bytes() for b in backups(tmp_path)) == sorted([m0, m1])
    assert main(["consolidate", str(path), "--month", "4"]) in (0, 1)  # m0 -> m1 again: m0 is backed up already
    assert path.read_bytes() == m1 and len(backups(tmp_path)) == 2
    capsys.readouterr()
    assert main(["backups", str(path)]) == 0
    out = capsys.readouterr().out
    assert "月度汇总前" in out and "恢复备份前" in out and "4月" in out and "1-4月" in out
    hashes = {e.sha256 for e in list_backups(path)}
    assert hashes == {hashlib.sha256(m0).hexdigest(), hashlib.sha256(m1).hexdigest()}


def test_restore_through_the_real_cli_names_what_it_did(master: Path, tmp_path: Path) -> None:
    path = tmp_path / "主台账.xlsx"
    shutil.copyfile(master, path)
    original = path.read_bytes()
    assert run_main("consolidate", path, "--month", "4").returncode in (0, 1)
    listing = run_main("backups", path)
    assert listing.returncode == 0 and "主台账-" in listing.stdout
    name = backups(tmp_path)[0].name
    proc = run_main("restore", path, name)
    assert proc.returncode == 0 and name in proc.stdout
    assert path.read_bytes() == original
    missing = run_main("restore", path, "99")
    assert missing.returncode == 2 and "xladdin backups" in missing.stderr


def _fake(folder: Path, n: int) -> tuple[Path, str]:
    data = f"备份内容{n}".encode()
    f = folder / f"orig{n}.bin"
    f.write_bytes(data)
    return f, hashlib.sha256(data).hexdigest()


def test_the_pre_consolidation_original_outlives_reruns_until_a_newer_month(tmp_path: Path) -> None:
    """Retention 3 copies: the copy taken before month 5's consolidation survives eleven later jobs
    of that month; once month 6 is consolidated, count and age apply to it like to any other."""
    master = tmp_path / "主台账.xlsx"
    master.write_bytes(b"x")
    t0 = datetime(2022, 6, 1, 9, 0, 0)
    f, h = _fake(tmp_path, 0)
    first = keep_backup(master, f, h, job=CONSOLIDATE_JOB, month=5, changes="1-5月", keep=3, days=90, now=t0)
    for i in range(1, 12):
        f, h = _fake(tmp_path, i)
        keep_backup(master, f, h, job="校验标注", month=None, changes="标注", keep=3, days=90, now=t0 + timedelta(hours=i))
    assert first.exists() and len(list_backups(master)) == 12
    f, h = _fake(tmp_path, 99)
    keep_backup(master, f, h, job=CONSOLIDATE_JOB, month=6, changes="1-6月", keep=3, days=90, now=t0 + timedelta(days=30))
    entries = list_backups(master)
    assert not first.exists() and len(entries) == 3
    assert [e.protected for e in entries] == [False, False, True]
    # age: 100 days later the unprotected copies go, the latest month's pre-consolidation copy stays
    f, h = _fake(tmp_path, 100)
    keep_backup(master, f, h, job="校验标注", month=None, changes="", keep=3, days=90, now=t0 + timedelta(days=130))
    assert [e.month for e in list_backups(master)] == [6, None]
    assert index_path(master).is_file()


def test_restore_button_puts_a_backup_back(master: Path, tmp_path: Path) -> None:
    path = tmp_path / "主台账.xlsx"
    shutil.copyfile(master, path)
    original = path.read_bytes()
    assert main(["consolidate", str(path), "--month", "4"]) in (0, 1)
    book = xw.Book(json=payload(path))
    outcome = ribbon.restore_backup(book, path=path)  # the newest backup, as the InputBox proposes
    assert outcome.mode == "info" and "已将“主台账.xlsx”恢复为备份" in outcome.text, outcome.text
    assert path.read_bytes() == original
    assert len(backups(tmp_path)) == 2  # the consolidated file was backed up before the restore
    same = outcome.result.source.name  # the backup just put back: the file holds exactly its bytes now
    again = ribbon.restore_backup(xw.Book(json=payload(path)), backup=same, path=path)
    assert again.mode == "info" and again.result.changed is False and path.read_bytes() == original
    assert again.text == f"“主台账.xlsx”与备份“{same}”内容相同，未做修改。"
    assert len(backups(tmp_path)) == 2
    unsaved = ribbon.restore_backup(xw.Book(json=payload(path)))  # no path: a remote book has no local file
    assert unsaved.failed and unsaved.text.startswith("本工作簿没有保存在本机文件夹中，无法恢复备份")
    none = tmp_path / "other" / "空.xlsx"
    none.parent.mkdir()
    shutil.copyfile(master, none)
    failed = ribbon.restore_backup(xw.Book(json=payload(none)), path=none)
    assert failed.failed and "还没有备份" in failed.text


def test_a_job_that_backs_nothing_up_leaves_no_empty_backup_folder(master: Path, tmp_path: Path) -> None:
    """--output writes elsewhere and a second identical run changes nothing: neither backs up, so
    neither leaves a 备份 folder beside the master (the job's snapshot lives there while it runs)."""
    path = tmp_path / "主台账.xlsx"
    shutil.copyfile(master, path)
    out = tmp_path / "结果" / "汇总.xlsx"
    out.parent.mkdir()
    assert main(["consolidate", str(path), "--month", "4", "--output", str(out)]) == 0
    assert out.is_file() and not (tmp_path / "备份").exists()
    shutil.copyfile(out, path)
    assert main(["consolidate", str(path), "--month", "4"]) == 0  # the same result again: nothing changes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["主台账.xlsx", "结果"]
