"""The command line's remaining exits, each with its exact code and message (issue 19, coverage):
Ctrl-C, an operating-system error no guard names, ``XLADDIN_DEBUG``, and the ``backups`` and
``bulletin`` commands. Real processes where the process is the point (signals, the traceback);
``xladdin.cli.main`` in process otherwise."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import docx
import pytest

from tests.conftest import run_cli
from xladdin.cli import main, os_error_text


def test_ctrl_c_stops_the_page_server_with_exit_130(tmp_path: Path) -> None:
    """``xladdin serve`` runs until staff press Ctrl-C (SIGINT): uvicorn shuts down and re-raises
    it, and the CLI answers with its interrupt sentence and exit code 130, no traceback."""
    proc = subprocess.Popen([sys.executable, "-u", "-m", "xladdin.cli", "serve", "--no-open", "--folder", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        started = [proc.stdout.readline() for _ in range(3)]  # folder, URL, how to stop
        assert started[0] == f"重点项目台账工具已启动，工作文件夹：{tmp_path.resolve()}\n"
        assert started[1].startswith("请在浏览器中打开：http://127.0.0.1:")
        url = started[1].split("：", 1)[1].strip()
        for _ in range(600):  # serving (uvicorn's signal handlers in place) before Ctrl-C is pressed
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except urllib.error.HTTPError:
                break  # an answer all the same
            except OSError:
                time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130
    assert (out, err) == ("", "已中断，原文件未修改。\n")


def test_an_unnamed_os_error_is_a_sentence_with_its_number_and_debug_shows_the_traceback(
        demo_master: tuple[Path, Path], tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)  # a symbolic link to itself: ELOOP, none of the errors the CLI names
    target = loop / "月报表"
    proc = run_cli("forms", demo_master[0], "--month", "6", "--out", target)
    assert proc.returncode == 2
    assert proc.stderr == f"错误：读写“{target}”时出错（系统错误 {errno.ELOOP}）。原文件未修改。\n"
    debug = subprocess.run([sys.executable, "-m", "xladdin.cli", "forms", str(demo_master[0]), "--month", "6",
                            "--out", str(target)], capture_output=True, text=True, timeout=300,
                           env={**os.environ, "XLADDIN_DEBUG": "1"})
    assert debug.returncode == 1  # Python's own exit for an uncaught exception
    assert debug.stderr.startswith("Traceback") and debug.stderr.endswith(
        f"OSError: [Errno {errno.ELOOP}] Too many levels of symbolic links: '{target}'\n")


def test_an_os_error_with_two_paths_names_both(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as caught:
        os.rename(tmp_path / "甲.xlsx", tmp_path / "乙.xlsx")  # a real error from the system, two file names
    assert os_error_text(caught.value) == f"找不到“{tmp_path / '甲.xlsx'}”或“{tmp_path / '乙.xlsx'}”，请检查路径。"


def test_backups_of_a_master_never_backed_up(demo_master: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    master = demo_master[0]
    assert main(["backups", str(master), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["backups", str(master)]) == 0
    assert capsys.readouterr().out == f"“{master.name}”还没有备份（只有修改了台账的任务才会备份）。\n"


def test_bulletin_command_writes_the_word_bulletin(demo_master: tuple[Path, Path], tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "通报.docx"
    assert main(["bulletin", str(demo_master[0]), "--month", "5", "--out", str(out)]) == 0
    assert capsys.readouterr().out == f"已导出通报：{out}\n"
    with zipfile.ZipFile(out) as zf:
        assert "word/document.xml" in zf.namelist()
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "1-5月" in text


def test_the_command_says_everything_before_its_quick_exit(demo_master: tuple[Path, Path],
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """``xladdin`` ends without tearing the interpreter down (``cli.run``: ``os._exit``), which
    drops whatever sits in the output buffers unless they are flushed first. Through a pipe (block
    buffered, as a script or the page reads it) the real command prints what ``main`` prints in
    process, byte for byte, past several buffers' worth, with the same exit code."""
    code = main(["summary", str(demo_master[0]), "--month", "6", "--json"])
    expected = capsys.readouterr().out
    assert len(expected.encode()) > 4 * 8192  # more than the pipe's buffer holds
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as staff's shells run it
    args = ["summary", str(demo_master[0]), "--month", "6", "--json"]
    proc = subprocess.run([sys.executable, "-m", "xladdin.cli", *args], capture_output=True, text=True, timeout=300,
                          env=buffered)
    assert (proc.returncode, proc.stdout) == (code, expected)
    script = Path(sys.executable).parent / "xladdin"  # the console script the install wrote
    if script.exists():
        via_script = subprocess.run([str(script), *args], capture_output=True, text=True, timeout=300, env=buffered)
        assert (via_script.returncode, via_script.stdout) == (code, expected)
