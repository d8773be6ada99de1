"""The layers: core and figures import and work with xlwings and openpyxl unavailable; imports only
run downward (errors < core < figures, engines < books < jobs < excel, demo < cli); no cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import xladdin

PKG = Path(xladdin.__file__).parent
# layer rank of each top-level part of the package; a module may import its own folder or lower ranks
RANK = {"errors": 0, "core": 1, "figures": 2, "engines": 2, "books": 3, "jobs": 4, "excel": 5, "demo": 5, "web": 5, "cli": 6}
PURE = ("core", "figures")


def _modules() -> dict[str, Path]:
    out = {}
    for path in PKG.rglob("*.py"):
        parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(path: Path) -> set[str]:
    """Every xladdin module a file imports, at any depth (function-level imports count too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("xladdin"):
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("xladdin"))
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import (use absolute imports so the layer is visible)")
    return found


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "face"


def test_every_module_sits_in_a_known_layer() -> None:
    parts = {_part(m) for m in _modules()} - {"face"}
    assert parts <= set(RANK), parts - set(RANK)


def test_imports_only_run_downward() -> None:
    modules = _modules()
    upward = []
    for name, path in modules.items():
        src = _part(name)
        if src == "face":
            continue
        for target in _imports(path):
            if target not in modules:
                continue  # "from xladdin.core.x import Name": the module part is counted separately
            dst = _part(target)
            if dst == "face" or dst == src:
                continue
            if RANK[dst] >= RANK[src]:
                upward.append(f"{name} -> {target}")
    assert upward == []


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {name: {t for t in _imports(path) if t in modules and t != name} for name, path in modules.items()}
    # a package's __init__ importing its children is not a cycle with them
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    seen: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if seen.get(nxt) == 1:
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in seen:
                visit(nxt)
        stack.pop()
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node)
    assert cycles == []


def test_pure_layers_never_name_excel_libraries() -> None:
    offenders = []
    for name, path in _modules().items():
        if _part(name) not in PURE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{name}: {n}" for n in names if n.split(".")[0] in ("xlwings", "openpyxl", "python_calamine")]
    assert offenders == []


def test_core_and_figures_import_and_validate_without_excel_libraries() -> None:
    pure = sorted(m for m in _modules() if _part(m) in PURE)
    assert len(pure) >= 20
    code = textwrap.dedent(f"""
        import sys
        sys.modules["xlwings"] = None      # any import of these now raises ImportError
        sys.modules["openpyxl"] = None
        sys.modules["python_calamine"] = None
        import importlib
        for name in {pure!r}:
            importlib.import_module(name)
        from xladdin.core.ledger import read_ledger
        from xladdin.core.rules import validate_ledger
        from xladdin.core.settings import default_settings
        from xladdin.core.sheet import SheetData
        grid = SheetData("项目台账", [["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资"],
                                    ["甲", "P1", "园区", "区重点", 100, -1]])
        report = validate_ledger(read_ledger(grid, default_settings()), default_settings())
        print(report.flatten())
        assert "xlwings" not in [m for m in sys.modules if sys.modules[m] is not None]
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "negative-amount@项目台账!F2" in proc.stdout
