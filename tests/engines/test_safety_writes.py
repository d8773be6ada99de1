"""Safe writes: atomic replace survives a killed writer, backups rotate, a job lock keeps two runs apart."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from xladdin import errors
from xladdin.engines.guards import vetting as safety

SLOW_WRITER = r"""
import sys, time
from pathlib import Path
from xladdin.engines.guards import vetting as safety

def write(tmp: Path) -> None:
    with tmp.open("wb") as fh:
        fh.write(b"NEW-HALF")
        fh.flush()
        print("WRITING", tmp, flush=True)
        time.sleep(60)
        fh.write(b"NEW-REST")

safety.atomic_write(Path(sys.argv[1]), write)
"""

HOLDER = r"""
import sys, time
from pathlib import Path
from xladdin.engines.guards import vetting as safety

with safety.job_lock(Path(sys.argv[1])):
    print("LOCKED", flush=True)
    time.sleep(60)
"""


def _spawn(code: str, *args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, line


def _writer(data: bytes) -> Callable[[Path], None]:
    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    return write


def test_atomic_write_replaces_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"OLD")
    target.chmod(0o640)
    safety.atomic_write(target, _writer(b"NEW"))
    assert target.read_bytes() == b"NEW"
    assert target.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["台账.xlsx"]


def test_atomic_write_failure_leaves_original_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"OLD")

    def broken(tmp: Path) -> None:
        tmp.write_bytes(b"PARTIAL")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        safety.atomic_write(target, broken)
    assert target.read_bytes() == b"OLD"
    assert os.listdir(tmp_path) == ["台账.xlsx"]


def test_writer_killed_mid_write_leaves_original_intact(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"ORIGINAL" * 1000)
    proc, line = _spawn(SLOW_WRITER, str(target))
    assert line.startswith("WRITING")
    temp = Path(line.split(" ", 1)[1].strip())
    assert temp.parent == tmp_path and temp.name.startswith(".台账.xladdin-tmp-")
    assert temp.read_bytes() == b"NEW-HALF"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert target.read_bytes() == b"ORIGINAL" * 1000
    # the dead writer's hidden temp is cleaned up by the next write
    safety.atomic_write(target, _writer(b"NEXT"))
    assert target.read_bytes() == b"NEXT"
    assert os.listdir(tmp_path) == ["台账.xlsx"]


def test_backup_is_dated_and_keeps_the_newest(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    made = []
    for i in range(5):
        target.write_bytes(f"version {i}".encode())
        made.append(safety.backup(target, keep=3))
    folder = tmp_path / "备份"
    assert all(p.parent == folder for p in made)
    assert re.fullmatch(r"台账-\d{8}-\d{6}(-\d+)?\.xlsx", made[0].name)
    assert sorted(folder.iterdir()) == sorted(made[2:])
    assert [p.read_bytes() for p in made[2:]] == [b"version 2", b"version 3", b"version 4"]
    assert target.read_bytes() == b"version 4"
    (folder / "别的文件.xlsx").write_bytes(b"x")  # retention touches only this workbook's backups
    safety.backup(target, keep=1)
    assert len(list(folder.glob("台账-*.xlsx"))) == 1
    assert (folder / "别的文件.xlsx").exists()


def test_backup_needs_positive_retention(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    target.write_bytes(b"x")
    with pytest.raises(errors.UsageError, match="至少为 1"):
        safety.backup(target, keep=0)


def test_lock_is_released_on_exit_and_on_error(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    with safety.job_lock(target):
        assert safety.lock_path(target).exists()
    assert not safety.lock_path(target).exists()
    with pytest.raises(KeyError), safety.job_lock(target):
        raise KeyError("job failed")
    assert not safety.lock_path(target).exists()


def test_second_process_is_told_who_holds_the_lock_then_takes_over_a_dead_one(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    proc, line = _spawn(HOLDER, str(target))
    try:
        assert line.strip() == "LOCKED"
        with pytest.raises(errors.WorkbookLocked) as exc, safety.job_lock(target):
            pass
        message = str(exc.value)
        assert f"@{socket.gethostname()}" in message
        assert f"进程 {proc.pid}" in message
        assert message.startswith("工作簿“台账.xlsx”正在由 ")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert safety.lock_path(target).exists()  # a killed holder leaves its lock behind ...
    with safety.job_lock(target):  # ... which is stale (dead pid, same host) and taken over
        pass
    assert not safety.lock_path(target).exists()


def test_lock_held_on_another_host_is_not_taken_over(tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    safety.lock_path(target).write_text(
        '{"user": "zhangsan", "host": "FGJ-PC07", "pid": 999999, "started": "2026-11-05T09:30:00"}',
        encoding="utf-8",
    )
    with (
        pytest.raises(errors.WorkbookLocked, match="正在由 zhangsan@FGJ-PC07 于 2026-11-05 09:30:00 运行"),
        safety.job_lock(target),
    ):
        pass
