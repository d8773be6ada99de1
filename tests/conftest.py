"""Shared test helpers: paths to the committed fixtures and a runner for the real CLI."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

# The test extra installs lxml (openxml-audit needs it for the ribbon schema check); openpyxl would
# then serialise with lxml, which no installed xladdin has (lxml is no runtime dependency, and the
# offline bundle carries none). Keep openpyxl on the standard library, as in production; set before
# any test module imports openpyxl, inherited by the CLI subprocesses.
os.environ.setdefault("OPENPYXL_LXML", "False")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def run_cli(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m xladdin.cli`` as a real process, as staff would from a shell."""
    return subprocess.run([sys.executable, "-m", "xladdin.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def cli_json(*args: str | Path) -> tuple[int, Any]:
    proc = run_cli(*args)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else None


def run_main(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """``xladdin.cli.main`` in this process: the same parser, job, output and exit code as
    ``run_cli`` without starting Python and importing pandas again (about 0.7 s per call), for tests
    where crossing a process boundary is not the point. Exit codes, stderr encodings, signals,
    Ctrl-C and the console script stay tested through ``run_cli`` (real processes)."""
    from xladdin.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return subprocess.CompletedProcess(["xladdin", *map(str, args)], code, out.getvalue(), err.getvalue())


def main_json(*args: str | Path) -> tuple[int, Any]:
    """``run_main`` with its stdout read as JSON (``cli_json`` in this process)."""
    proc = run_main(*args)
    return proc.returncode, json.loads(proc.stdout) if proc.stdout.strip() else None


_PRISTINE: dict[str, Path] = {}


def _tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The demo district (``build_demo``) built once per session — once per xdist worker. Shared and
    read-only: a test that writes works on ``demo_copy`` or copies the file first; the teardown
    fails if any test wrote into it."""
    from xladdin.demo.district import build_demo

    folder = tmp_path_factory.mktemp("demo-shared")
    result = build_demo(folder)
    before = _tree_bytes(folder)
    # what demo_copy copies: the build's files alone (a job with --output leaves an empty 备份
    # folder beside the shared master it read)
    # per session (mutmut runs several pytest sessions in one process: a module-level path would be reused)
    _PRISTINE["demo"] = tmp_path_factory.mktemp("demo-pristine") / "demo"
    shutil.copytree(folder, _PRISTINE["demo"])
    yield result
    assert _tree_bytes(folder) == before, "a test wrote into the shared demo (use demo_copy)"


def demo_copy_source(demo_build: Any) -> Path:
    """The folder to copy for a writable demo (the build's files as built; ``demo_build`` first)."""
    return _PRISTINE["demo"]


@pytest.fixture(scope="session")
def demo_master(demo_build: Any) -> tuple[Path, Path]:
    """(the shared demo master ledger, the folder of its returned June 月报表); read-only."""
    return demo_build.master, demo_build.forms_dir


@pytest.fixture(scope="session")
def demo_recalculated(demo_build: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared demo master as LibreOffice saves it after a full recalculation (once per session)."""
    from xladdin.engines.libreoffice import recalc

    return recalc(demo_build.master, tmp_path_factory.mktemp("demo-recalc"))


@pytest.fixture
def demo_copy(demo_build: Any, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Copy the shared demo folder into ``tmp_path / name`` (default "demo"); returns that folder."""

    def copy(name: str = "demo") -> Path:
        return Path(shutil.copytree(_PRISTINE["demo"], tmp_path / name))

    return copy


@pytest.fixture
def fixture_copy(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Copy a committed fixture into tmp_path (tests that write never touch the originals)."""

    def copy(name: str) -> Path:
        dst = tmp_path / name
        shutil.copy(FIXTURES / name, dst)
        return dst

    return copy
