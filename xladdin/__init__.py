"""xladdin: validate, consolidate, rank and report district key-project ledgers (重点项目台账).

The public API is curated here; submodules not listed are private to the package. Names are
loaded lazily so that importing the pure core never pulls in openpyxl or xlwings.
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

# python-docx brings lxml; openpyxl would then parse and write with lxml instead of the defusedxml-
# guarded ElementTree it has always used here (and write strings inline). Keep openpyxl as it was.
os.environ.setdefault("OPENPYXL_LXML", "False")

__version__ = "0.1.0"

_API = {
    # pure core
    "Finding": "core.findings",
    "Report": "core.findings",
    "Settings": "core.settings",
    "default_settings": "core.settings",
    "parse_settings": "core.settings",
    "SheetData": "core.sheet",
    "Period": "core.periods",
    "Ledger": "core.ledger",
    "read_ledger": "core.ledger",
    "read_stats": "core.ledger",
    "validate_ledger": "core.rules",
    "XladdinError": "errors",
    # jobs, engine-agnostic
    "validate": "jobs.validate",
    "consolidate": "jobs.consolidate",
    "summary": "jobs.summary",
    # engines
    "FileEngine": "engines.files",
    "TEMPLATE_VERSION": "books.template",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'xladdin' has no attribute {name!r}")
