"""The checker scripts a developer runs against files that cannot be committed (Microsoft's
customui14.xsd, Office's excelcontrols.xlsx lists): here on small files made in the test, in the
shapes those files have, so the checking code itself is tested in CI. The runs on the real files
are recorded in docs/addin.md."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
from lxml import etree

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# A schema with the published XSD's defect: an extension re-references an attribute group its
# base type already has (customui14.xsd: CT_ButtonRegular re-references AG_Enabled, AG_Image),
# and one group only partly inherited (CT_ComboBox / AG_DropDownAttributes / sizeString).
XSD = b"""<?xml version="1.0"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t" xmlns="urn:t"
            elementFormDefault="qualified">
  <xsd:attributeGroup name="AG_Enabled"><xsd:attribute name="enabled" type="xsd:boolean"/>
    <xsd:attribute name="getEnabled" type="xsd:string"/></xsd:attributeGroup>
  <xsd:attributeGroup name="AG_Drop"><xsd:attribute name="sizeString" type="xsd:string"/>
    <xsd:attribute name="getItemCount" type="xsd:string"/></xsd:attributeGroup>
  <xsd:complexType name="CT_Control"><xsd:attribute name="id" type="xsd:ID"/>
    <xsd:attribute name="sizeString" type="xsd:string"/>
    <xsd:attributeGroup ref="AG_Enabled"/></xsd:complexType>
  <xsd:complexType name="CT_Button"><xsd:complexContent><xsd:extension base="CT_Control">
    <xsd:attributeGroup ref="AG_Enabled"/><xsd:attribute name="onAction" type="xsd:string"/>
    <xsd:attributeGroup ref="AG_Drop"/>
  </xsd:extension></xsd:complexContent></xsd:complexType>
  <xsd:element name="button" type="CT_Button"/>
</xsd:schema>"""


def test_the_xsd_patch_makes_libxml2_load_the_schema_without_changing_what_it_allows() -> None:
    patch = script("check_customui_xsd").patch_customui_xsd
    with pytest.raises(etree.XMLSchemaParseError, match="Duplicate attribute use"):
        etree.XMLSchema(etree.fromstring(XSD))
    schema = etree.XMLSchema(etree.fromstring(patch(XSD)))
    good = b'<button xmlns="urn:t" id="b" enabled="true" getEnabled="g" onAction="a" sizeString="x" getItemCount="c"/>'
    assert schema.validate(etree.fromstring(good)), schema.error_log
    assert not schema.validate(etree.fromstring(b'<button xmlns="urn:t" foo="1"/>'))
    assert not schema.validate(etree.fromstring(b'<button xmlns="urn:t" enabled="maybe"/>'))


def test_the_xsd_script_needs_a_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XLADDIN_CUSTOMUI_XSD", raising=False)
    assert script("check_customui_xsd").main([]) == 2


def test_the_imagemso_checker_reads_office_lists_and_flags_foreign_ids(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    check = script("check_imagemso")
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "excelcontrols"
    ws.append(["Control Name", "Control Type", "Tab Set", "Tab"])
    for name in ["DataValidation", "TableInsertExcel", "AutoSum", "Refresh", "FileSaveAsPdfOrXps", "Undo"]:
        ws.append([name, "button", "None (Core Tab)", "TabData"])
    wb.save(tmp_path / "excelcontrols.xlsx")
    (tmp_path / "ids.txt").write_text("DataValidation\nTableInsertExcel\nAutoSum\nRefresh\n", encoding="utf-8")
    monkeypatch.setenv("XLADDIN_EXCEL_CONTROLS", str(tmp_path / "excelcontrols.xlsx"))
    assert check.main([]) == 0
    xml = (SCRIPTS.parent / "macros" / "customUI14.xml").read_text(encoding="utf-8")
    (tmp_path / "old.xml").write_text(xml.replace("TableInsertExcel", "TableInsert"), encoding="utf-8")
    assert check.main([str(tmp_path / "old.xml")]) == 1
    assert "NOT  imageMso=TableInsert  (btnForms) in 0/1 lists" in capsys.readouterr().out
    monkeypatch.setenv("XLADDIN_EXCEL_CONTROLS", f"{tmp_path / 'excelcontrols.xlsx'}:{tmp_path / 'ids.txt'}")
    assert check.main([]) == 1  # FileSaveAsPdfOrXps missing from the second list
    monkeypatch.delenv("XLADDIN_EXCEL_CONTROLS")
    assert check.main([]) == 2
