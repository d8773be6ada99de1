"""The job lock's remaining cases and a backup of a missing file (issue 19, coverage): a lock file
that is not a lock record — half-written by a process killed a while ago (taken over) or just now
(refused, naming what is known) — each on a real lock file beside a real workbook."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests import hostile_files as hf
from xladdin import errors
from xladdin.engines.guards import vetting as safety


def test_a_half_written_lock_older_than_a_minute_is_taken_over(tmp_path: Path) -> None:
    book = hf.plain(tmp_path / "台账.xlsx")
    lock = safety.lock_path(book)
    lock.write_text('{"user": "张', encoding="utf-8")  # cut off mid-write: no record
    old = time.time() - 61
    os.utime(lock, (old, old))
    with safety.job_lock(book):
        assert '"token"' in lock.read_text(encoding="utf-8")  # ours now
    assert not lock.exists()


def test_a_fresh_unreadable_lock_is_refused_naming_the_lock_file(tmp_path: Path) -> None:
    book = hf.plain(tmp_path / "台账.xlsx")
    lock = safety.lock_path(book)
    lock.write_text("[]", encoding="utf-8")  # valid JSON, not a record: being written, or someone else's
    old = time.time() - 59  # a second short of a minute: not yet given up
    os.utime(lock, (old, old))
    with pytest.raises(errors.WorkbookLocked) as caught, safety.job_lock(book):
        pass
    assert caught.value.message == ("工作簿“台账.xlsx”正在由 ?@? 于 ? 运行任务（进程 ?），请待其完成后再试。"
                                    "如确认对方已退出，可删除锁文件“.~xladdin-台账.xlsx.lock”。")
    assert lock.read_text(encoding="utf-8") == "[]"  # left alone


def test_a_backup_of_a_missing_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "没有.xlsx"
    with pytest.raises(errors.WorkbookUnreadable) as caught:
        safety.backup(missing, keep=3)
    assert caught.value.message == f"找不到文件“{missing}”，无法备份。"
    assert list(tmp_path.iterdir()) == []  # no 备份 folder made for nothing
