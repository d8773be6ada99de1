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


# The longest test modules (about 45 % of the suite's worker-seconds), in two lanes of similar
# length. ``scripts/test`` runs ``--dist worksteal``: worker 0 is sent the first half of the
# collection and worker 1 the second; an idle worker steals from the END of the other's queue.
# Each lane is put at the head of one half, so the long modules start first, one lane per worker,
# and the many short tests fill in around them (longest first; otherwise the offline bundle could
# start last and run alone). Whole modules move, so module fixtures are still set up once.
_LANES = (
    ("tests/e2e/test_bundle.py", "tests/e2e/test_print_render.py", "tests/core/test_properties.py",
     "tests/e2e/test_fidelity_corpus.py", "tests/web/test_browser_cycle.py", "tests/e2e/test_validate_cli.py"),
    ("tests/engines/test_patch_engine.py", "tests/e2e/test_consolidate_demo.py", "tests/e2e/test_addin_versions.py",
     "tests/e2e/test_hostile_cli.py", "tests/engines/test_ribbon_remote.py", "tests/engines/test_faults.py"),
)


@pytest.hookimpl(trylast=True)  # after ``-m`` / ``-k`` deselected: the middle is that of what runs
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the collection for two workers (see ``_LANES``); the same order in every process,
    as xdist requires. Without xdist the order is only a different, equally valid one."""
    lanes: list[list[pytest.Item]] = [[], []]
    rest: list[pytest.Item] = []
    where = {module: i for i, lane in enumerate(_LANES) for module in lane}
    rank = {module: j for lane in _LANES for j, module in enumerate(lane)}
    for item in items:
        module = item.nodeid.split("::")[0]
        (lanes[where[module]] if module in where else rest).append(item)
    for lane in lanes:
        lane.sort(key=lambda item: rank[item.nodeid.split("::")[0]])  # stable: a module keeps its order
    head = max(0, len(items) // 2 - len(lanes[0]))  # light tests after lane 0, up to the middle
    items[:] = lanes[0] + rest[:head] + lanes[1] + rest[head:]
