"""The per-user installer's entry point off Windows (issue 19, coverage): it refuses with its
sentence and exit code 2, as a real process; the config names this environment's interpreter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from xladdin.excel.install import conf_text, interpreter


def test_install_and_uninstall_refuse_off_windows(tmp_path: Path) -> None:
    for args in (["install", "--xlam", str(tmp_path / "xladdin.xlam")], ["uninstall"]):
        proc = subprocess.run([sys.executable, "-m", "xladdin.excel.install", *args], capture_output=True, text=True,
                              timeout=120)
        assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", "只能在 Windows 上安装加载项。\n"), args
    assert not (tmp_path / "xladdin.xlam").exists()


def test_the_interpreter_is_this_environments_own() -> None:
    # no pythonw.exe beside a Linux interpreter: the interpreter itself
    assert not Path(sys.executable).with_name("pythonw.exe").exists()
    assert interpreter() == sys.executable
    assert f'"INTERPRETER_WIN","{sys.executable}"\r\n' in conf_text(interpreter())
