"""Shared by the scripts /usr/bin/python3 (python3-uno) runs: a private headless LibreOffice and its
Desktop over a named pipe, closed again however the script ends. Imported by file name from the
scripts' own folder (sys.path[0]), never by pytest."""

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


@contextlib.contextmanager
def desktop(profile: str, tag: str, tries: int = 240) -> Iterator[object]:
    """LibreOffice started with its own ``profile``, the Desktop yielded; terminated afterwards."""
    pipe = f"{tag}{os.getpid()}"
    office = subprocess.Popen(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--invisible", "--norestore",
         f"--accept=pipe,name={pipe};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        for _ in range(tries):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.25)
        else:
            raise SystemExit("LibreOffice did not start")
        found = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        try:
            yield found
        finally:
            with contextlib.suppress(Exception):
                found.terminate()
    finally:
        with contextlib.suppress(Exception):
            office.wait(timeout=20)
        if office.poll() is None:
            office.kill()
