"""Shared test helpers: paths to the committed fixtures and a runner for the real CLI."""

from __future__ import annotations

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


def _tree_bytes(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The demo district built once per session (once per xdist worker): (master ledger, folder of
    the returned 月报表). Shared: a test that writes copies it first; teardown fails if one did not."""
    from xladdin.demo.district import build_demo

    folder = tmp_path_factory.mktemp("demo-shared")
    result = build_demo(folder)
    before = _tree_bytes(folder)
    yield result.master, result.forms_dir
    assert _tree_bytes(folder) == before, "a test wrote into the shared demo (copy it first)"


@pytest.fixture
def fixture_copy(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Copy a committed fixture into tmp_path (tests that write never touch the originals)."""

    def copy(name: str) -> Path:
        dst = tmp_path / name
        shutil.copy(FIXTURES / name, dst)
        return dst

    return copy
