"""Mutation testing, one module at a time: ``scripts/mutation [MODULE ...] [--timeout S] [--children N]``.

mutmut 3 mutates a copy of the source in ``mutants/`` and runs pytest there. Each module runs in
its own scratch copy of the working tree (``$MUTATION_DIR``, default /tmp/xladdin-mutation/<module>)
whose ``[tool.mutmut]`` names only that module (``only_mutate``) and the fast tests that exercise it
(``TESTS`` below), so a run takes minutes and never touches the checkout. The score printed is
killed ÷ (killed + survived + no tests + timeout-free others); docs/testing.md records the scores and
the surviving mutants with why each is equivalent or how it was killed.

Tests that run the CLI as a subprocess do not see mutants (the child imports the installed
package), so the selections are in-process tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent

# module -> the in-process tests that exercise it (kept small: every mutant reruns the covering tests)
TESTS: dict[str, list[str]] = {
    "xladdin/core/rules.py": ["tests/core/test_rule_edges.py", "tests/core/test_ledger_reader.py",
                              "tests/core/test_measures.py"],
    "xladdin/core/statistics_entry.py": ["tests/core/test_statistics_entry_edges.py", "tests/core/test_rule_edges.py",
                                         "tests/core/test_measures.py", "tests/core/test_programmes.py"],
    "xladdin/core/periods.py": ["tests/core/test_period_edges.py", "tests/core/test_periods.py",
                               "tests/core/test_figure_edges.py"],
    "xladdin/core/values.py": ["tests/core/test_value_edges.py", "tests/core/test_text_and_headers.py", "tests/core/test_rule_edges.py",
                               "tests/core/test_settings_edges.py", "tests/core/test_ledger_reader.py"],
    "xladdin/figures/ranking.py": ["tests/core/test_ranking.py", "tests/core/test_ranking_edges.py"],
    "xladdin/figures/progress.py": ["tests/core/test_progress_tables.py", "tests/core/test_progress.py",
                                   "tests/core/test_figure_edges.py"],
    "xladdin/figures/targets.py": ["tests/core/test_target_tables.py", "tests/core/test_progress.py",
                                  "tests/core/test_figure_edges.py"],
    # the merge of forms into the master; foreign_forms stays in jobs/consolidate.py: run that one with
    # --only 'xladdin.jobs.consolidate.x_foreign_forms*' (the rest of it is plumbing, docs/testing.md)
    "xladdin/figures/merge.py": ["tests/e2e/test_consolidate_merge.py", "tests/e2e/test_form_rule_edges.py"],
    "xladdin/jobs/consolidate.py": ["tests/e2e/test_form_rule_edges.py"],
    "xladdin/engines/xlsx/package.py": ["tests/engines/test_package_deflate.py", "tests/engines/test_patch_engine.py",
                                        "tests/engines/test_sheet_patch.py", "tests/engines/test_package_guarantees.py",
                                        "tests/engines/test_package_edges.py"],
}
_SECTION = re.compile(r"^\[tool\.mutmut\]\n(?:(?!^\[).*\n?)*", re.MULTILINE)


def _copy_tree(dest: Path) -> None:
    """The working tree (tracked and new files, as they are now) without .git, .venv or old mutants."""
    if dest.exists():
        shutil.rmtree(dest)
    ignore = shutil.ignore_patterns(".git", ".venv", "mutants", "__pycache__", "*.pyc", ".mypy_cache",
                                    ".ruff_cache", ".pytest_cache", ".hypothesis")
    shutil.copytree(ROOT, dest, ignore=ignore)


def _configure(dest: Path, module: str, tests: list[str]) -> None:
    pyproject = dest / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    block = (
        "[tool.mutmut]\n"
        'source_paths = ["xladdin/"]\n'
        f"only_mutate = {json.dumps([module])}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-o", "addopts="]\n'
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        "use_git_change_detection = false\n"
    )
    text = _SECTION.sub(block, text) if _SECTION.search(text) else text + "\n" + block
    pyproject.write_text(text, encoding="utf-8")


def _counts(dest: Path) -> dict[str, int]:
    """mutmut's own counters (export-cicd-stats writes mutants/mutmut-cicd-stats.json)."""
    subprocess.run([str(VENV_BIN / "mutmut"), "export-cicd-stats"], cwd=dest, check=False,
                   capture_output=True, text=True)
    path = dest / "mutants" / "mutmut-cicd-stats.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def run(module: str, timeout: float, children: int, base: Path, only: list[str] | None = None,
        tests: list[str] | None = None) -> dict[str, object]:
    tests = tests or TESTS[module]
    dest = base / module.replace("/", ".").removesuffix(".py")
    _copy_tree(dest)
    _configure(dest, module, tests)
    env = dict(os.environ, PYTHONPATH=str(dest))  # the copy's xladdin, not the installed checkout
    try:
        subprocess.run([str(VENV_BIN / "mutmut"), "run", "--max-children", str(children), *(only or [])], cwd=dest,
                       env=env, timeout=timeout, check=False)
        finished = True
    except subprocess.TimeoutExpired:
        finished = False
    counts = _counts(dest)
    survivors = subprocess.run([str(VENV_BIN / "mutmut"), "results"], cwd=dest, env=env, capture_output=True,
                               text=True, check=False).stdout
    killed, survived = int(counts.get("killed", 0)), int(counts.get("survived", 0))
    timeouts = int(counts.get("timeout", 0))
    tested = killed + survived + timeouts + int(counts.get("no_tests", 0))
    score = (killed + timeouts) / tested if tested else 0.0
    print(f"{module}: {killed + timeouts}/{tested} killed ({score:.1%}), {survived} survived, "
          f"{counts.get('no_tests', 0)} without tests{'' if finished else ', STOPPED AT THE TIMEOUT'}")
    print(survivors)
    return {"module": module, "finished": finished, "score": round(score, 4), **counts, "dir": str(dest)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", default=list(TESTS), help=f"default: all of {', '.join(TESTS)}")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per module (default 900)")
    parser.add_argument("--children", type=int, default=2, help="parallel mutants (default 2)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="mutant names or globs (xladdin.core.rules.x_duplicates*): rerun survivors only")
    parser.add_argument("--tests", nargs="+", metavar="FILE",
                        help="this run's tests instead of the module's selection (a narrower, faster one can only "
                             "leave more survivors)")
    args = parser.parse_args()
    unknown = [m for m in args.modules if m not in TESTS]
    if unknown:
        parser.error(f"no test selection for {unknown}; add it to TESTS in scripts/mutation.py")
    base = Path(os.environ.get("MUTATION_DIR", "/tmp/xladdin-mutation"))
    results = [run(m, args.timeout, args.children, base, args.only, args.tests) for m in args.modules]
    print(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
