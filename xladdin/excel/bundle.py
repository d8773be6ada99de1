"""``xladdin bundle``: an offline installer for a district office (no internet, no administrator).

May import the standard library, ``packaging`` (markers; extra ``addin``) and the add-in build.
Run from a source checkout (it builds xladdin's wheel and the add-in from the files there) on a
machine that reaches the package index. Output, ``DIR/xladdin-<version>-<platform>/`` and a zip
of it beside:

- ``wheels/``: xladdin's own wheel (``pip wheel --no-deps``) and a binary wheel of every runtime
  dependency for the target (``pip download --only-binary :all: --platform P --python-version V
  --implementation cp``). pip evaluates environment markers for the machine it runs on, not for
  ``--platform`` (so on Linux it would leave out ``pywin32`` and ``tzdata``, which xlwings and
  pandas need on Windows only): ``missing_requirements`` evaluates every wheel's
  ``Requires-Dist`` against the target's marker environment, and the build downloads what is
  missing until the set is closed;
- ``xladdin.xlam`` built against the pinned xlwings (``addin.build_addin`` refuses another);
- ``安装.cmd``, ``卸载.cmd``, ``安装说明.txt`` (``installer_texts``; the per-user install itself is
  ``xladdin.excel.install``).

``platform="current"`` makes a bundle for this machine (no platform flags: what the tests install).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

from xladdin.errors import UsageError

__all__ = ["CURRENT", "Bundle", "build_bundle", "marker_environment", "missing_requirements", "source_tree"]

CURRENT = "current"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Bundle:
    folder: Path
    zip: Path
    wheels: list[str]


def source_tree(root: Path = ROOT) -> Path:
    if not (root / "pyproject.toml").is_file() or not (root / "macros").is_dir():
        raise UsageError(f"xladdin bundle 需要在 xladdin 的源代码目录中运行（找不到 {root / 'pyproject.toml'}）。")
    return root


def marker_environment(platform: str, python: str) -> dict[str, str]:
    """The PEP 508 marker values of the target (``current``: this interpreter's)."""
    from packaging.markers import default_environment

    env = {k: str(v) for k, v in default_environment().items()}
    if platform == CURRENT:
        return env
    major_minor = ".".join(python.split(".")[:2])
    env.update(python_version=major_minor, python_full_version=f"{major_minor}.0",
               implementation_name="cpython", platform_python_implementation="CPython")
    if platform.startswith("win"):
        env.update(sys_platform="win32", platform_system="Windows", os_name="nt",
                   platform_machine="AMD64" if platform.endswith("amd64") else "x86")
    elif platform.startswith(("manylinux", "musllinux", "linux")):
        env.update(sys_platform="linux", platform_system="Linux", os_name="posix",
                   platform_machine="aarch64" if "aarch64" in platform else "x86_64")
    elif platform.startswith("macosx"):
        env.update(sys_platform="darwin", platform_system="Darwin", os_name="posix",
                   platform_machine="arm64" if platform.endswith("arm64") else "x86_64")
    return env


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _wheel_metadata(path: Path) -> tuple[str, list[str]]:
    with zipfile.ZipFile(path) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        msg = Parser().parsestr(z.read(meta).decode("utf-8"))
    return _canonical(msg["Name"]), msg.get_all("Requires-Dist") or []


def missing_requirements(wheels: Path, env: dict[str, str]) -> list[str]:
    """Requirements (markers dropped) that a wheel in ``wheels`` needs on the target ``env`` but that no
    wheel there provides (extras are not followed: none of ours is installed with extras)."""
    from packaging.requirements import Requirement

    found = {}
    for path in sorted(wheels.glob("*.whl")):
        name, reqs = _wheel_metadata(path)
        found[name] = reqs
    missing: list[str] = []
    for reqs in found.values():
        for text in reqs:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
                continue
            req.marker = None  # pip would evaluate it for this machine again
            if _canonical(req.name) not in found and str(req) not in missing:
                missing.append(str(req))
    return missing


def _pip(args: list[str], progress: Callable[[str], None]) -> None:
    cmd = [sys.executable, "-m", "pip", *args, "--disable-pip-version-check"]
    progress("$ pip " + " ".join(args))
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise UsageError(f"pip 执行失败（{' '.join(args[:2])}）：\n{(proc.stderr or proc.stdout)[-3000:]}")


def _target_flags(platform: str, python: str) -> list[str]:
    if platform == CURRENT:
        return ["--only-binary", ":all:"]
    return ["--only-binary", ":all:", "--platform", platform, "--python-version", python, "--implementation", "cp"]


def build_bundle(out: Path, platform: str = "win_amd64", python: str = "3.11", *,
                 progress: Callable[[str], None] = print) -> Bundle:
    """Build the bundle folder and its zip under ``out``; return where they are."""
    from xladdin import __version__
    from xladdin.excel.addin import build_addin, check_xlwings
    from xladdin.excel.installer_texts import CMD_ENCODING, install_cmd, readme_text, uninstall_cmd

    root = source_tree()
    check_xlwings()
    if platform == CURRENT:
        python = f"{sys.version_info.major}.{sys.version_info.minor}"
        tag = "current"
    else:
        tag = platform
    folder = Path(out) / f"xladdin-{__version__}-{tag}"
    if folder.exists():
        shutil.rmtree(folder)
    wheels = folder / "wheels"
    wheels.mkdir(parents=True)

    progress("正在生成 xladdin 的安装文件（wheel）…")
    _pip(["wheel", "--no-deps", "--wheel-dir", str(wheels), str(root)], progress)
    own = next(wheels.glob("xladdin-*.whl"))
    progress(f"正在下载 {tag} / Python {python} 的依赖 …")
    flags = _target_flags(platform, python)
    _pip(["download", "--dest", str(wheels), *flags, f"{own}[web]"], progress)  # the page (xladdin serve) too
    env = marker_environment(platform, python)
    for _ in range(5):  # markers pip evaluated for this machine, not the target
        missing = missing_requirements(wheels, env)
        if not missing:
            break
        _pip(["download", "--dest", str(wheels), *flags, *missing], progress)
    else:
        raise UsageError(f"依赖没有下载完整：{', '.join(missing_requirements(wheels, env))}")

    progress("正在生成加载项 xladdin.xlam …")
    build_addin(folder / "xladdin.xlam")
    names = sorted(p.name for p in wheels.glob("*.whl"))
    (folder / "安装.cmd").write_bytes(install_cmd(__version__, python).encode(CMD_ENCODING))
    (folder / "卸载.cmd").write_bytes(uninstall_cmd().encode(CMD_ENCODING))
    (folder / "安装说明.txt").write_bytes(readme_text(__version__, python, tag, names).encode("utf-8-sig"))

    archive = folder.parent / f"{folder.name}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(folder.parent).as_posix())
    progress(f"安装包已生成：{folder}（{len(names)} 个 wheel）\n压缩包：{archive}")
    return Bundle(folder, archive, names)
