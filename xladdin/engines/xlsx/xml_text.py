"""``escape`` and ``unescape`` of XML character data, as ``xml.sax.saxutils`` does them.

The same three replacements (plus the caller's ``entities``), without importing
``xml.sax.saxutils``, which imports ``urllib.request`` (and with it ``http.client`` and ``ssl``):
about 20 ms of every job's start for two string functions.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["escape", "unescape"]


def escape(data: str, entities: Mapping[str, str] | None = None) -> str:
    """``&``, ``<`` and ``>`` (then each of ``entities``) as entity references."""
    data = data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    for key, value in (entities or {}).items():
        data = data.replace(key, value)
    return data


def unescape(data: str, entities: Mapping[str, str] | None = None) -> str:
    """``&lt;`` and ``&gt;`` (then each of ``entities``) back to characters; ``&amp;`` last."""
    data = data.replace("&lt;", "<").replace("&gt;", ">")
    for key, value in (entities or {}).items():
        data = data.replace(key, value)
    return data.replace("&amp;", "&")
