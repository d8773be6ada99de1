"""``xladdin serve`` as a process: the port it is given, 127.0.0.1 only, the browser opened with the
token URL (through Python's ``webbrowser`` and the standard ``BROWSER`` variable), a clean stop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.web.conftest import start_server, stop_server
from xladdin.web.office import desktop_command


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_listens_on_loopback_only_and_opens_the_browser_with_the_token(tmp_path: Path) -> None:
    got = tmp_path / "browser-was-asked.txt"
    fake_browser = tmp_path / "browser.py"  # a real program the standard BROWSER variable names
    fake_browser.write_text(f"import os, sys, pathlib\ntmp = pathlib.Path({str(got)!r} + '.tmp')\n"
                            f"tmp.write_text(sys.argv[1])\nos.replace(tmp, {str(got)!r})\n", encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "BROWSER": f"{sys.executable} {fake_browser} %s"}
    served = start_server(tmp_path, "--port", str(port), env=env)
    try:
        assert served.port == port and len(served.token) >= 32
        for _ in range(600):  # written whole, then renamed: present means complete
            if got.exists():
                break
            time.sleep(0.05)
        assert got.read_text() == served.url
        with pytest.raises(urllib.error.HTTPError) as refused:  # served, but not without the token
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/state", timeout=10)
        assert refused.value.code == 403
        with pytest.raises(OSError):  # 127.0.0.2 is this machine too, but nothing listens there
            socket.create_connection(("127.0.0.2", port), timeout=5).close()
    finally:
        stop_server(served)
    with pytest.raises(OSError):  # stopped: nothing listens any more
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


def test_the_port_in_use_is_a_chinese_error(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "xladdin.cli", "serve", "--folder", str(tmp_path), "--no-open",
                               "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and f"无法使用端口 {port}" in proc.stderr


def test_the_desktop_program_is_asked_the_platforms_way() -> None:
    book = Path("/data/主台账.xlsx")
    assert desktop_command(book, "linux") == ["xdg-open", str(book)]
    assert desktop_command(book, "darwin") == ["open", str(book)]
    assert desktop_command(book, "win32") is None  # os.startfile


def test_open_in_desktop_starts_the_desktop_program_and_says_when_there_is_none(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real ``xdg-open`` (a stand-in program on PATH that records its argument) is started with
    the workbook; with no such program on PATH staff read how to open the file by hand."""
    from xladdin.errors import UsageError
    from xladdin.web.office import open_in_desktop

    book = tmp_path / "主台账.xlsx"
    book.write_bytes(b"")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    got = tmp_path / "opened.txt"
    program = bin_dir / "xdg-open"
    program.write_text(f"#!{sys.executable}\nimport pathlib, sys\npathlib.Path({str(got)!r}).write_text(sys.argv[1])\n",
                       encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    open_in_desktop(book)
    for _ in range(200):
        if got.exists() and got.read_text():
            break
        time.sleep(0.05)
    assert got.read_text() == str(book)
    program.unlink()
    with pytest.raises(UsageError) as refused:
        open_in_desktop(book)
    assert refused.value.message.startswith("无法打开表格软件（xdg-open：")
    assert refused.value.message.endswith("请在文件夹中双击“主台账.xlsx”打开。")


@pytest.mark.parametrize(("given", "expected"), [
    ("../../etc/主台账.xlsx", "主台账.xlsx"),  # the last path component only
    ("C:\\Users\\张三\\月报表.xlsx", "月报表.xlsx"),
    ("...隐藏.xlsx", "隐藏.xlsx"),  # no hidden files
    ('南关街道:<6月>|"报表"?.xlsx', "南关街道__6月___报表__.xlsx"),  # reserved characters
    ("长" * 130 + ".xlsx", "长" * 115 + ".xlsx"),  # 120 characters, the suffix kept
    ("长" * 130, "长" * 120),
])
def test_upload_names_are_made_safe(given: str, expected: str) -> None:
    from xladdin.web.office import safe_name

    assert safe_name(given) == expected
    assert len(safe_name(given)) <= 120


@pytest.mark.parametrize(("given", "message"), [
    ("", "文件名“”无效。"), ("..", "文件名“..”无效。"), ("~$主台账.xlsx", "文件名“~$主台账.xlsx”无效。"),
])
def test_names_with_nothing_safe_left_are_refused(given: str, message: str) -> None:
    from xladdin.errors import UsageError
    from xladdin.web.office import safe_name

    with pytest.raises(UsageError) as refused:
        safe_name(given)
    assert refused.value.message == message


def test_only_workbooks_are_taken_where_a_workbook_is_expected() -> None:
    from xladdin.errors import UsageError
    from xladdin.web.office import safe_name

    assert safe_name("月报表.XLSX", suffixes=(".xlsx", ".xlsm")) == "月报表.XLSX"
    with pytest.raises(UsageError) as refused:
        safe_name("月报表.xls", suffixes=(".xlsx", ".xlsm"))
    assert refused.value.message == "“月报表.xls”不是 Excel 工作簿（应为 .xlsx、.xlsm 文件）。"
