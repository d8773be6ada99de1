"""Fixtures for the page: a real ``xladdin serve --no-open`` process and the system's Chromium.

Our own fixtures, not the pytest-playwright plugin (it warns under pytest 9, and the suite turns
warnings into errors). Playwright cannot download browsers here; it drives the distribution's
``chromium`` package (``/usr/bin/chromium``, installed by ``.ci/run``).
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("XLADDIN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@dataclass
class Served:
    url: str  # with the token
    port: int
    token: str
    folder: Path
    process: subprocess.Popen[str]


def start_server(folder: Path, *extra: str, env: dict[str, str] | None = None) -> Served:
    """Start ``xladdin serve --folder FOLDER [EXTRA…]`` (e.g. ``--no-open``) and read the URL it prints."""
    proc = subprocess.Popen([sys.executable, "-u", "-m", "xladdin.cli", "serve", "--folder", str(folder), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    seen = []
    while True:
        try:
            line = lines.get(timeout=30)
        except queue.Empty:
            proc.kill()
            raise AssertionError(f"xladdin serve printed no URL: {seen}") from None
        seen.append(line)
        m = re.search(r"(http://127\.0\.0\.1:(\d+)/\?token=([\w-]+))", line)
        if m:
            return Served(m.group(1), int(m.group(2)), m.group(3), folder, proc)


def stop_server(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Any]:
    """A page in the system's headless Chromium (downloads accepted), closed after the test."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(accept_downloads=True, viewport={"width": 1000, "height": 800},
                                          locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(60_000)  # a busy shared 2-core machine
            yield page
            context.close()
        finally:
            browser.close()
