"""The page's files: plain HTML and ES2017 JavaScript for Chromium 90 (the 信创 browsers are Chrome
90–93 based), nothing fetched from the network, shipped as package data.

The browser test runs the page in this machine's Chromium, which is newer; these checks keep out
the syntax and APIs Chromium 90 lacks or that need a build step."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.conftest import ROOT

STATIC = ROOT / "xladdin" / "web" / "static"

# (pattern, why) — each is a syntax error, a missing API or a module feature on Chromium 90
FORBIDDEN = [
    (r"\?\.", "optional chaining (kept out: ?.= / ?.() mistakes, and old engines)"),
    (r"\?\?", "nullish coalescing / ??="),
    (r"\|\|=|&&=", "logical assignment (Chrome 85, kept out)"),
    (r"\.at\(", "Array.prototype.at (Chrome 92)"),
    (r"\bstructuredClone\b", "structuredClone (Chrome 98)"),
    (r"Object\.hasOwn\b", "Object.hasOwn (Chrome 93)"),
    (r"\.findLast(Index)?\(", "findLast (Chrome 97)"),
    (r"^\s*(import|export)\b", "ES modules"),
    (r"\bimport\(", "dynamic import"),
    (r"#\w+\s*[;=(]", "private class fields/methods (Chrome 91 for methods)"),
    (r"\bstatic\s*\{", "class static blocks (Chrome 94)"),
]


def _code(js: str) -> str:
    """The script without comments and string/regex-free enough for the checks above."""
    js = re.sub(r"/\*.*?\*/", "", js, flags=re.DOTALL)
    js = re.sub(r"(?m)^\s*//.*$", "", js)
    return re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', js)  # strings may say anything


def test_the_script_uses_nothing_chromium_90_lacks() -> None:
    code = _code((STATIC / "app.js").read_text(encoding="utf-8"))
    found = [(why, m.group(0)) for pattern, why in FORBIDDEN for m in re.finditer(pattern, code, flags=re.MULTILINE)]
    assert found == []
    # a classic script (no type="module"); no top-level await: all code sits in one IIFE
    assert code.lstrip().startswith("(function () {") and code.rstrip().endswith("})();")
    assert 'type="module"' not in (STATIC / "index.html").read_text(encoding="utf-8")


def test_nothing_is_fetched_from_the_network() -> None:
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", text, flags=re.IGNORECASE), path.name
        assert "@import" not in text and "cdn" not in text.lower(), path.name
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'(?:src|href)="([^"]+)"', html) == ["data:,", "/static/style.css", "/static/app.js"]


def test_the_page_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["xladdin"]
    for path in STATIC.iterdir():
        rel = path.relative_to(ROOT / "xladdin").as_posix()
        assert any(fnmatch.fnmatch(rel, p) for p in patterns), rel
    extras = config["project"]["optional-dependencies"]
    web = {re.split(r"[<>=\[]", d)[0] for d in extras["web"]}
    assert web == {"starlette", "uvicorn", "python-multipart"}
    assert web <= {re.split(r"[<>=\[]", d)[0] for d in extras["test"]}


def test_serve_without_the_web_extra_says_how_to_install_it(tmp_path: Path) -> None:
    """A machine without the extra gets a Chinese hint, not a traceback (starlette hidden)."""
    hide = tmp_path / "hide"
    hide.mkdir()
    (hide / "starlette.py").write_text("raise ImportError('hidden', name='starlette')\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(hide)!r}); "
                           "from xladdin.cli import main; sys.exit(main(['serve', '--no-open', '--folder', '.']))"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    assert "xladdin[web]" in proc.stderr and "Traceback" not in proc.stderr


def test_the_script_parses_as_a_classic_script() -> None:
    """V8's own parser (the node Playwright ships) checks the script as a classic, non-module script."""
    from playwright._impl._driver import compute_driver_executable

    node = compute_driver_executable()[0]
    proc = subprocess.run([node, "--check", str(STATIC / "app.js")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
