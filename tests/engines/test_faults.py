"""Fault injection (issue 14): a colleague saving the master at every stage of a job, Excel/WPS and
LibreOffice owner files, kills at every stage, a full disk, stale temps, a padded entity attack.

Concurrent saves and kills are made deterministic by ``snapshot.stage_hook``, which the session
calls between the job's read and its replace (no sleeps). The master is written by LibreOffice, so
its text lives in ``sharedStrings.xml`` — the case where a save landing mid-job used to shift every
text cell of 项目台账 by one string.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from tests import hostile_files as hf
from tests.conftest import run_cli, run_main
from xladdin import errors
from xladdin.books.template import build_master
from xladdin.cli import main
from xladdin.core.periods import Period
from xladdin.demo.progress import unit_statistics
from xladdin.engines.guards import snapshot
from xladdin.engines.guards import vetting as safety
from xladdin.engines.guards.snapshot import lock_file_owner
from xladdin.engines.libreoffice import recalc
from xladdin.jobs.consolidate import consolidate
from xladdin.jobs.session import open_for_job, run_in_place
from xladdin.jobs.validate import mark_findings, validate, write_findings

pytestmark = pytest.mark.libreoffice  # the master is written by LibreOffice (shared strings)

STAGES = ["snapshot", "job-done", "saved", "checked", "backed-up"]
NAMES = ["甲项目", "乙项目", "丙项目", "丁项目"]


@pytest.fixture(scope="module")
def lo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small master as LibreOffice saves it (shared strings)."""
    projects = pd.DataFrame([
        {"name": n, "code": f"P{i}", "unit": u, "level": "区重点", "total_investment": 1000.0, "annual_plan": 300.0,
         "m02": 20.0, "m03": 30.0, "progress_text": f"形象进度{i}"}
        for i, (n, u) in enumerate(zip(NAMES, ["南关街道", "南关街道", "经济开发区", "北下街街道"], strict=True), start=1)
    ])
    src = build_master(tmp_path_factory.mktemp("m") / "主台账.xlsx", projects=projects, month=3,
                       stats=unit_statistics(4))
    out = recalc(src, tmp_path_factory.mktemp("lo"))
    with zipfile.ZipFile(out) as zf:
        assert "xl/sharedStrings.xml" in zf.namelist()
    return out


def copy_master(lo_master: Path, folder: Path) -> Path:
    path = folder / "主台账.xlsx"
    shutil.copyfile(lo_master, path)
    return path


def ledger_texts(path: Path) -> list[list[Any]]:
    wb = openpyxl.load_workbook(path)
    try:
        return [list(r) for r in wb["项目台账"].iter_rows(values_only=True)]
    finally:
        wb.close()


def colleague_saves(path: Path) -> bytes:
    """Someone corrects a project name and saves (openpyxl orders shared strings its own way)."""
    wb = openpyxl.load_workbook(path)
    ws = wb["项目台账"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "甲项目")
    cell.value = "甲项目（已更正）"
    wb.save(path)
    wb.close()
    return path.read_bytes()


def at_stage(name: str, action: Callable[[Path], object]) -> Callable[[str, Path], None]:
    def hook(stage: str, master: Path) -> None:
        if stage == name:
            action(master)

    return hook


@pytest.mark.parametrize("stage", STAGES)
def test_a_save_during_a_consolidation_is_never_overwritten(stage: str, lo_master: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_master(lo_master, tmp_path)
    original = path.read_bytes()
    before = ledger_texts(path)
    saved: list[bytes] = []
    monkeypatch.setattr(snapshot, "stage_hook", at_stage(stage, lambda p: saved.append(colleague_saves(p))))
    with pytest.raises(errors.WorkbookChanged) as caught:
        run_in_place(path, lambda e: consolidate(e, Period(4)), month=4)
    assert path.read_bytes() == saved[0]  # the colleague's save stands
    beside = Path(caught.value.result)
    assert beside.parent == tmp_path and beside.name.startswith("主台账-汇总结果-")
    message = caught.value.message
    assert "已被" in message and "原文件未被覆盖" in message and beside.name in message and "重新运行" in message
    # the result beside it is built from the snapshot alone: no text cell shifted
    assert ledger_texts(beside)[2:] == before[2:]  # (row 2 holds the month the job writes)
    assert any("甲项目" in r for r in before)
    wb = openpyxl.load_workbook(beside)
    assert any(v for row in wb["汇总"].iter_rows(values_only=True) for v in row)
    wb.close()
    backups = list((tmp_path / "备份").glob("*.xlsx"))
    if stage in ("checked", "backed-up"):  # backed up after the check: the bytes the job opened
        assert [b.read_bytes() for b in backups] == [original]
    else:
        assert backups == []
    assert not list((tmp_path / "备份").glob(".xladdin-job-*"))


def test_a_save_during_validate_mark_on_the_file_engine_is_never_overwritten(lo_master: Path, tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = copy_master(lo_master, tmp_path)
    saved: list[bytes] = []
    monkeypatch.setattr(snapshot, "stage_hook", at_stage("saved", lambda p: saved.append(colleague_saves(p))))
    with pytest.raises(errors.WorkbookChanged) as caught, open_for_job(path) as engine:
        report, _ = validate(engine)
        write_findings(engine, report)
        mark_findings(engine, report)
    assert path.read_bytes() == saved[0]
    assert Path(caught.value.result).name.startswith("主台账-校验结果-")


def test_without_a_concurrent_save_the_job_replaces_and_backs_up_once(lo_master: Path, tmp_path: Path) -> None:
    path = copy_master(lo_master, tmp_path)
    original = path.read_bytes()
    run_in_place(path, lambda e: consolidate(e, Period(4)), month=4)
    assert path.read_bytes() != original
    assert [b.read_bytes() for b in (tmp_path / "备份").glob("*.xlsx")] == [original]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["主台账.xlsx", "备份"]


# ---- owner lock files ------------------------------------------------------------------------


def excel_owner_file(path: Path, user: str) -> Path:
    """``~$name.xlsx`` as Excel and WPS write it: byte 0 the ANSI name's length, the name padded
    to 54 bytes, then a 16-bit length and the name in UTF-16LE; 165 bytes in all."""
    ansi = user.encode("gbk")
    data = bytes([len(ansi)]) + ansi.ljust(53, b" ") + len(user).to_bytes(2, "little") + user.encode("utf-16-le")
    lock = path.with_name("~$" + path.name)
    lock.write_bytes(data.ljust(165, b"\x00"))
    return lock


def libreoffice_owner_file(path: Path, user: str) -> Path:
    lock = path.with_name(f".~lock.{path.name}#")
    lock.write_text(f"{user},OFFICE-PC7,user7,02.12.2026 10:31,file:///C:/Users/user7/AppData/Roaming/LibreOffice/4;",
                    encoding="utf-8")
    return lock


@pytest.mark.parametrize("owner", [excel_owner_file, libreoffice_owner_file])
@pytest.mark.parametrize("command", [["consolidate", "--month", "4"], ["validate", "--mark"]])
def test_a_workbook_open_in_an_office_program_is_not_touched(owner: Callable[[Path, str], Path], command: list[str],
                                                             lo_master: Path, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = copy_master(lo_master, tmp_path)
    original = path.read_bytes()
    lock = owner(path, "张三")
    assert main([command[0], str(path), *command[1:]]) == 2
    err = capsys.readouterr().err
    assert "张三" in err and lock.name in err and "Traceback" not in err
    assert path.read_bytes() == original and not (tmp_path / "备份").exists()
    lock.unlink()  # closed: the job runs
    assert main([command[0], str(path), *command[1:]]) in (0, 1)
    assert path.read_bytes() != original


def test_owner_file_parsing_of_ascii_names(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    lock = path.with_name("~$a.xlsx")
    lock.write_bytes(bytes([5]) + b"alice".ljust(53, b" ") + b"\x00\x00")  # no UTF-16 copy
    assert lock_file_owner(path) == (lock, "alice")
    lock.unlink()
    assert lock_file_owner(path) is None
    wps_linux = path.with_name(".~a.xlsx")  # WPS on Linux: a hidden owner file without a user name we can read
    wps_linux.write_bytes(b"")
    assert lock_file_owner(path) == (wps_linux, "未知用户")


# ---- kills at every stage --------------------------------------------------------------------

KILL_AT = r"""
import os, signal, sys
from pathlib import Path
from xladdin.demo.progress import unit_statistics
from xladdin.engines.guards import snapshot
from xladdin.core.periods import Period
from xladdin.jobs.consolidate import consolidate
from xladdin.jobs.session import run_in_place

def hook(stage, master):
    if stage == sys.argv[2]:
        os.kill(os.getpid(), signal.SIGKILL)

snapshot.stage_hook = hook
run_in_place(Path(sys.argv[1]), lambda e: consolidate(e, Period(4)), month=4)
"""


@pytest.mark.slow
@pytest.mark.parametrize("stage", STAGES)
def test_a_job_killed_at_any_stage_leaves_the_original_and_the_next_run_cleans_up(stage: str, lo_master: Path,
                                                                                  tmp_path: Path) -> None:
    path = copy_master(lo_master, tmp_path)
    original = path.read_bytes()
    proc = subprocess.run([sys.executable, "-c", KILL_AT, str(path), stage], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert path.read_bytes() == original
    assert list((tmp_path / "备份").glob(".xladdin-job-*"))  # the dead job's snapshot is left ...
    rerun = run_main("consolidate", path, "--month", "4")
    assert rerun.returncode in (0, 1), rerun.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["主台账.xlsx", "备份"]  # lock gone
    assert not list((tmp_path / "备份").glob(".*"))  # ... and removed by the next run
    assert [b.read_bytes() for b in (tmp_path / "备份").glob("*.xlsx")] == [original]  # one backup, the original


def test_a_temp_left_in_the_backup_folder_by_a_killed_copy_is_removed(lo_master: Path, tmp_path: Path) -> None:
    path = copy_master(lo_master, tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    (tmp_path / "备份").mkdir()
    stale = [tmp_path / "备份" / f".主台账-20261202-101010.xladdin-tmp-{pid}-0123abcd.xlsx",
             tmp_path / f".主台账.xladdin-tmp-{pid}-89abcdef.xlsx"]
    for p in stale:
        p.write_bytes(b"x" * 1000)
    live = tmp_path / f".主台账.xladdin-tmp-{os.getpid()}-fedcba98.xlsx"  # a running writer's temp is kept
    live.write_bytes(b"y")
    assert run_cli("consolidate", path, "--month", "4").returncode in (0, 1)
    assert not any(p.exists() for p in stale) and live.exists()


# ---- a full disk ---------------------------------------------------------------------------------

FILL_AT = r"""
import sys
from pathlib import Path
from xladdin.demo.progress import unit_statistics
from xladdin.engines.guards import snapshot
from xladdin.cli import main

def fill(folder):
    with open(folder / "filler", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError:
            pass

if sys.argv[2] == "before":
    fill(Path(sys.argv[1]).parent)
else:
    snapshot.stage_hook = lambda stage, master: fill(master.parent) if stage == sys.argv[2] else None
sys.exit(main(["consolidate", sys.argv[1], "--month", "4"]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("when", ["before", "job-done"])
def test_a_full_disk_says_so_and_leaves_the_original(when: str, lo_master: Path, tmp_path: Path) -> None:
    """On a 1 MB tmpfs mounted in a private user and mount namespace (``unshare -rm``: no root needed
    where unprivileged namespaces are allowed): filled before the job (the snapshot cannot be taken)
    or after the job's read (its result cannot be written)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    shutil.copyfile(lo_master, tmp_path / "master.xlsx")
    script = tmp_path / "fill.py"
    script.write_text(FILL_AT, encoding="utf-8")
    shell = (f'mount -t tmpfs -o size=1m tmpfs "{disk}" && cp "{tmp_path / "master.xlsx"}" "{disk}/主台账.xlsx" && '
             f'"{sys.executable}" "{script}" "{disk}/主台账.xlsx" {when}; rc=$?; '
             f'cmp -s "{disk}/主台账.xlsx" "{tmp_path / "master.xlsx"}" && echo SAME; exit $rc')
    proc = subprocess.run(["unshare", "-rm", "sh", "-c", shell], capture_output=True, text=True, timeout=120,
                          env=os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    assert proc.returncode == 2, proc.stderr
    assert "磁盘空间不足" in proc.stderr and "原文件未修改" in proc.stderr, proc.stderr
    assert "Errno" not in proc.stderr and "内部错误" not in proc.stderr
    assert "SAME" in proc.stdout  # the master is byte-identical


# ---- the XML entity guard parses the prolog ------------------------------------------------------


@pytest.mark.parametrize("prolog", [
    # "<a" inside: a byte sniffer of the first 64 KB took it for the root element
    b'<?xml version="1.0"?>\n<?pad <a ' + b"x" * 70_000 + b'?>\n',  # a padded processing instruction
    b'<?xml version="1.0"?>\n<!-- <a ' + b"y" * 200_000 + b"-->",  # a long comment
])
def test_a_doctype_hidden_behind_a_long_prolog_is_refused(prolog: bytes, tmp_path: Path) -> None:
    payload = prolog + b'<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]><worksheet>&a;</worksheet>'
    path = hf.rewrite(hf.plain(tmp_path / "src.xlsx"), tmp_path / "bad.xlsx",
                      lambda name, data: payload if name == hf.SHEET else data)
    with pytest.raises(errors.HostileWorkbook):
        safety.inspect_package(path)


def test_a_long_prolog_before_a_clean_root_is_accepted(tmp_path: Path) -> None:
    def edit(name: str, data: bytes) -> bytes:
        if name != hf.SHEET:
            return data
        return b'<?xml version="1.0"?>\n<?pad ' + b"x" * 70_000 + b"?>\n<!-- " + b"z" * 70_000 + b" -->" + data

    path = hf.rewrite(hf.plain(tmp_path / "src.xlsx"), tmp_path / "ok.xlsx", edit)
    safety.inspect_package(path)  # no exception
    assert openpyxl.load_workbook(path)["项目台账"]["A2"].value == "城区污水管网改造"
