"""The offline bundle (``xladdin bundle``): for this machine it installs into a fresh environment
with no index and runs ``xladdin demo``; for Windows (win_amd64, Python 3.11) pip's resolver
resolves every dependency from the bundle's wheels alone. Both download wheels from the package
index while the bundle is built (CI reaches it), hence slow."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from xladdin import __version__
from xladdin.excel.bundle import CURRENT, build_bundle, marker_environment, missing_requirements
from xladdin.excel.installer_texts import CMD_ENCODING

pytestmark = pytest.mark.slow


def offline_env() -> dict[str, str]:
    """No pip configuration (this machine's has extra find-links and indexes), no index at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_CONFIG_FILE=os.devnull, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return env


def test_bundle_for_this_machine_installs_offline_and_runs_the_demo(tmp_path: Path) -> None:
    bundle = build_bundle(tmp_path / "out", CURRENT, progress=lambda _: None)
    assert bundle.zip.is_file() and (bundle.folder / "xladdin.xlam").is_file()
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    # --no-compile: pip byte-compiles every installed module (pandas, numpy: ~12 of the ~16 CPU-seconds of
    # the install); Python compiles what the demo imports anyway, and pip never fails an install on it
    proc = subprocess.run([str(py), "-m", "pip", "install", "--no-compile", "--no-index", "--find-links",
                           str(bundle.folder / "wheels"), f"xladdin[web]=={__version__}"],
                          capture_output=True, text=True, env=offline_env(), timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    demo = subprocess.run([str(env_dir / "bin" / "xladdin"), "demo", str(tmp_path / "demo")], capture_output=True,
                          text=True, env=offline_env(), timeout=600, cwd=tmp_path)
    assert demo.returncode in (0, 1), demo.stderr[-2000:]  # 1: the demo's planted mistakes are found
    assert (tmp_path / "demo" / "主台账-演示.xlsx").is_file() and "约谈" in demo.stdout
    check = subprocess.run([str(py), "-c", "import xlwings, xladdin, starlette, uvicorn, multipart, xladdin.web.server; "
                            "print(xlwings.__version__, xladdin.__version__)"],
                           capture_output=True, text=True, env=offline_env(), timeout=120)
    assert check.stdout.split() == ["0.37.8", __version__]


def test_windows_bundle_resolves_every_dependency_offline(tmp_path: Path) -> None:
    bundle = build_bundle(tmp_path / "out", "win_amd64", "3.11", progress=lambda _: None)
    wheels = bundle.folder / "wheels"
    assert bundle.folder.name == f"xladdin-{__version__}-win_amd64" and bundle.zip.name == f"{bundle.folder.name}.zip"
    assert all(w.endswith(("-none-any.whl", "win_amd64.whl")) for w in bundle.wheels), bundle.wheels
    # pip's resolver, for the target, from the bundle alone; pywin32 named too because pip
    # evaluates markers (xlwings: pywin32; platform_system == "Windows") for this machine
    report = tmp_path / "report.json"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--find-links", str(wheels),
                           "--platform", "win_amd64", "--python-version", "3.11", "--implementation", "cp",
                           "--only-binary", ":all:", "--target", str(tmp_path / "target"), "--report", str(report),
                           f"xladdin[web]=={__version__}", "pywin32"],
                          capture_output=True, text=True, env=offline_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    installed = {i["metadata"]["name"].lower().replace("_", "-"): i["metadata"]["version"]
                 for i in json.loads(report.read_text())["install"]}
    assert installed["xlwings"] == "0.37.8" and installed["xladdin"] == __version__
    assert {"pandas", "numpy", "pydantic", "pydantic-core", "openpyxl", "python-calamine", "pywin32",
            "tzdata", "starlette", "uvicorn", "python-multipart"} <= set(installed)
    assert len(installed) == len(bundle.wheels)  # every wheel in the bundle is used, none is missing
    # the markers, evaluated for Windows: nothing a wheel needs there is missing
    assert missing_requirements(wheels, marker_environment("win_amd64", "3.11")) == []
    # the zip holds the same files, Chinese names flagged UTF-8 (Windows' Explorer reads them)
    with zipfile.ZipFile(bundle.zip) as z:
        names = {i.filename: i for i in z.infolist()}
    top = bundle.folder.name
    for name in ("安装.cmd", "卸载.cmd", "安装说明.txt", "xladdin.xlam"):
        assert f"{top}/{name}" in names
    assert names[f"{top}/安装.cmd"].flag_bits & 0x800
    assert len([n for n in names if n.endswith(".whl")]) == len(bundle.wheels)
    cmd = (bundle.folder / "安装.cmd").read_bytes()
    assert not cmd.startswith(b"\xef\xbb\xbf") and cmd.count(b"\r\n") == cmd.count(b"\n")
    assert f'"xladdin[web]=={__version__}"' in cmd.decode(CMD_ENCODING) and "py -3.11" in cmd.decode(CMD_ENCODING)
