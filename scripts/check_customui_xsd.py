#!/usr/bin/env python3
"""Validate macros/customUI14.xml against Microsoft's full customUI 2009/07 schema (customui14.xsd).

The XSD cannot be committed or installed here (no package ships it; see docs/addin.md), so this is
a script a developer runs with a local copy:

    XLADDIN_CUSTOMUI_XSD=/path/to/customui14.xsd .venv/bin/python scripts/check_customui_xsd.py [XML ...]

Where to get the XSD: Microsoft's Open Specifications [MS-CUSTOMUI2] section 5.1, or the copy the
Office RibbonX Editor ships (src/OfficeRibbonXEditor/Resources/Schemas/customui14.xsd). Exit code
0 when every XML is valid, 1 otherwise, 2 without a schema. The committed test that always runs
uses the Open XML SDK's model of the same schema (tests/e2e/customui_model.py, PyPI openxml-audit).

libxml2 (lxml) rejects the published XSD as it is: several complex types derive by extension from
a base type and then reference again an attribute group (AG_Enabled, AG_Image, ...) the base
already carries ("Duplicate attribute use 'getEnabled'"); XSD 1.0 ("Complex Type Definition
Properties Correct", clause 4) forbids that, .NET's XmlSchemaSet tolerates it.
``patch_customui_xsd`` removes, from each ``xsd:extension``, every attribute the base type already
has (a whole attributeGroup ref when all its attributes are inherited, else inline copies of the
new ones); the attribute set of every element is unchanged.
"""

from __future__ import annotations

import copy
import sys

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
_Q = f"{{{XS}}}"


def _local(qname: str) -> str:
    return qname.split(":", 1)[-1]


def patch_customui_xsd(xsd: bytes | str) -> bytes:
    if isinstance(xsd, str):
        xsd = xsd.encode("utf-8")
    root = etree.fromstring(xsd, parser=etree.XMLParser(remove_blank_text=False))
    groups = {g.get("name"): g for g in root.findall(_Q + "attributeGroup")}
    types = {t.get("name"): t for t in root.findall(_Q + "complexType")}

    def group_attrs(name: str) -> dict[str, etree._Element]:
        """attribute name -> its <xsd:attribute> declaration, through nested group refs."""
        out: dict[str, etree._Element] = {}
        for child in groups[name]:
            if child.tag == _Q + "attribute":
                out[child.get("name")] = child
            elif child.tag == _Q + "attributeGroup":
                out.update(group_attrs(_local(child.get("ref"))))
        return out

    def own_attrs(holder: etree._Element) -> tuple[set[str], set[str]]:
        """(declared, prohibited) attribute names directly under a complexType/extension/restriction."""
        declared: set[str] = set()
        prohibited: set[str] = set()
        for child in holder:
            if child.tag == _Q + "attribute":
                (prohibited if child.get("use") == "prohibited" else declared).add(child.get("name"))
            elif child.tag == _Q + "attributeGroup":
                declared |= set(group_attrs(_local(child.get("ref"))))
        return declared, prohibited

    cache: dict[str, set[str]] = {}

    def type_attrs(name: str) -> set[str]:
        """Attribute names a named complex type ends up with (after its derivation)."""
        if name in cache:
            return cache[name]
        t = types[name]
        derivation = t.find(f"{_Q}complexContent/*")
        if derivation is None:
            result = own_attrs(t)[0]
        else:
            base = _local(derivation.get("base"))
            inherited = type_attrs(base) if base in types else set()
            declared, prohibited = own_attrs(derivation)
            result = (inherited - prohibited) | declared
        cache[name] = result
        return result

    for t in types.values():
        ext = t.find(f"{_Q}complexContent/{_Q}extension")
        if ext is None or _local(ext.get("base")) not in types:
            continue
        inherited = type_attrs(_local(ext.get("base")))
        for child in list(ext):
            if child.tag == _Q + "attribute" and child.get("name") in inherited:
                ext.remove(child)
            elif child.tag == _Q + "attributeGroup":
                attrs = group_attrs(_local(child.get("ref")))
                dup = set(attrs) & inherited
                if not dup:
                    continue
                # keep the attributes that are new in this extension, in place of the ref
                pos = ext.index(child)
                ext.remove(child)
                for offset, decl in enumerate(d for n, d in attrs.items() if n not in inherited):
                    ext.insert(pos + offset, copy.deepcopy(decl))
        cache.clear()  # derived sets depend on what was removed only by name, but be safe
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def main(argv: list[str]) -> int:
    import os
    from pathlib import Path

    xsd = os.environ.get("XLADDIN_CUSTOMUI_XSD")
    if not xsd or not Path(xsd).is_file():
        print("set XLADDIN_CUSTOMUI_XSD to a local copy of customui14.xsd", file=sys.stderr)
        return 2
    raw = Path(xsd).read_bytes()
    try:
        etree.XMLSchema(etree.fromstring(raw))
        print("unpatched schema loads in libxml2")
    except etree.XMLSchemaParseError as exc:
        print(f"unpatched schema rejected by libxml2 {etree.LIBXML_VERSION}: {exc}")
    schema = etree.XMLSchema(etree.fromstring(patch_customui_xsd(raw)))
    print("patched schema loads")
    paths = argv or [str(Path(__file__).resolve().parents[1] / "macros" / "customUI14.xml")]
    bad = 0
    for path in paths:
        ok = schema.validate(etree.parse(path))
        print(f"{path}: {'valid' if ok else 'INVALID'}")
        for err in schema.error_log:
            print(f"  line {err.line}: {err.message}")
        bad += not ok
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
