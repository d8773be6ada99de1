"""The ribbon XML checked against Microsoft's customUI 2009/07 schema model as the PyPI package
``openxml-audit`` (MIT) ships it: the Open XML SDK's generated schema data for that namespace,
``openxml_audit/data/openxml/schemas/schemas_microsoft_com_office_2009_07_customui.json``.

openxml-audit's own validator catches unknown elements and bad enumeration values but (0.8) not
undeclared attributes, so ``customui_problems`` walks the tree through each type's ``Children``
and checks every attribute against that type's ``Attributes``. The full XSD check (Microsoft's
``customui14.xsd``, which cannot be committed or installed here) is ``scripts/check_customui_xsd.py``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from lxml import etree

NS = "http://schemas.microsoft.com/office/2009/07/customui"
_DATA = "data/openxml/schemas/schemas_microsoft_com_office_2009_07_customui.json"
ROOT_TYPE = "mso14:CT_CustomUI/mso14:customUI"


@lru_cache(maxsize=1)
def model() -> dict[str, dict[str, Any]]:
    text = resources.files("openxml_audit").joinpath(_DATA).read_text(encoding="utf-8")
    return {t["Name"]: t for t in json.loads(text)["Types"]}


def customui_problems(xml: bytes) -> list[str]:
    """Every element not allowed where it stands and every attribute its type does not declare."""
    types = model()
    root = etree.fromstring(xml)
    if root.tag != f"{{{NS}}}customUI":
        return [f"root is {root.tag}, expected {{{NS}}}customUI"]
    problems: list[str] = []

    def walk(el: Any, type_name: str, path: str) -> None:
        t = types[type_name]
        allowed = {a["QName"].lstrip(":") for a in t.get("Attributes", [])}
        problems.extend(f"{path}: attribute {a!r} not allowed on {type_name}" for a in el.attrib if a not in allowed)
        kids = {c["Name"].rsplit(":", 1)[-1]: c["Name"] for c in t.get("Children", [])}
        for child in el:
            if not isinstance(child.tag, str):
                continue  # comments
            q = etree.QName(child)
            cpath = f"{path}/{q.localname}" + (f"[@id={child.get('id')!r}]" if child.get("id") else "")
            if q.namespace != NS or q.localname not in kids:
                problems.append(f"{cpath}: element not allowed here")
                continue
            walk(child, kids[q.localname], cpath)

    walk(root, ROOT_TYPE, "/customUI")
    return problems
