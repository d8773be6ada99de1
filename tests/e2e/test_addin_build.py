"""The add-in as built from macros/: ribbon XML, VBA text, RunPython targets, and real readers of the .xlam."""

from __future__ import annotations

import importlib
import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from oletools.olevba import VBA_Parser

from xladdin.excel import udfs
from xladdin.excel.addin import MACROS_DIR, RIBBON_REL_TYPE, UDF_MODULE, build_addin, vba_sources

NS = "{http://schemas.microsoft.com/office/2009/07/customui}"
# Hand-kept from the customUI 2009/07 schema (customui14.xsd): elements we may use and their attributes.
ALLOWED: dict[str, set[str]] = {
    "customUI": {"onLoad", "loadImage"},
    "ribbon": {"startFromScratch"},
    "tabs": set(),
    "tab": {"id", "idMso", "idQ", "label", "keytip", "visible", "insertAfterMso", "insertBeforeMso", "tag", "getLabel"},
    "group": {"id", "idMso", "idQ", "label", "keytip", "visible", "imageMso", "screentip", "supertip", "tag",
              "autoScale", "centerVertically"},
    "button": {"id", "idMso", "idQ", "label", "keytip", "visible", "enabled", "imageMso", "image", "size",
               "screentip", "supertip", "onAction", "showLabel", "showImage", "tag", "description",
               "getEnabled", "getLabel"},
    "separator": {"id", "visible"},
}
BUTTONS = ["校验台账", "生成月报表", "月度汇总", "刷新排名与通报", "导出通报PDF"]


def ribbon() -> ET.Element:
    return ET.parse(MACROS_DIR / "customUI14.xml").getroot()


def test_ribbon_uses_only_schema_elements_and_attributes() -> None:
    root = ribbon()
    assert root.tag == NS + "customUI"
    for el in root.iter():
        assert el.tag.startswith(NS), el.tag
        name = el.tag[len(NS):]
        assert name in ALLOWED, name
        assert set(el.attrib) <= ALLOWED[name], (name, set(el.attrib) - ALLOWED[name])
    tab = root.find(f"{NS}ribbon/{NS}tabs/{NS}tab")
    assert tab is not None and tab.get("label") == "投资项目"
    buttons = list(root.iter(NS + "button"))
    assert [b.get("label") for b in buttons] == BUTTONS
    assert all(b.get("imageMso") for b in buttons)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))


def test_every_onaction_has_its_sub_and_every_runpython_target_exists() -> None:
    bas = {p.stem: p.read_text(encoding="ascii") for p in MACROS_DIR.glob("*.bas")}
    actions = [b.get("onAction") or "" for b in ribbon().iter(NS + "button")]
    for action in actions:
        module, sub = action.split(".")
        assert re.search(rf"^Public Sub {sub}\(control As IRibbonControl\)$", bas[module], re.M), action
    targets = re.findall(r'RunPython "import ([\w.]+); ([\w.]+)\(\)"', "\n".join(bas.values()))
    assert len(targets) == len(actions)
    for module, call in targets:
        mod = importlib.import_module(module)
        func = getattr(mod, call.rsplit(".", 1)[1])
        assert callable(func) and call.startswith(module + ".")


@pytest.fixture(scope="module")
def xlam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin"))


def _norm(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def test_olevba_reads_back_exactly_our_vba(xlam: Path) -> None:
    parser = VBA_Parser(str(xlam))
    found = {Path(name).stem: code for _, _, name, code in parser.extract_macros()}
    parser.close()
    for name, text in vba_sources().items():
        assert _norm(found[name]) == _norm(text), name
    assert 'PROJECT_NAME As String = "xladdin"' in found["xlwings"]
    assert "Module1" not in found


def test_package_has_the_ribbon_part_and_relationship(xlam: Path) -> None:
    with zipfile.ZipFile(xlam) as z:
        assert z.read("customUI/customUI14.xml") == (MACROS_DIR / "customUI14.xml").read_bytes()
        rels = ET.fromstring(z.read("_rels/.rels"))
        targets = {r.get("Target"): r.get("Type") for r in rels}
        assert targets["customUI/customUI14.xml"] == RIBBON_REL_TYPE
        assert b"_xladdin.conf" in z.read("xl/workbook.xml")
        assert b'Extension="xml"' in z.read("[Content_Types].xml")


def test_udf_module_wraps_every_formula() -> None:
    source = vba_sources()[UDF_MODULE]
    names = [n for n in udfs.__all__ if n.startswith("TZ_")]
    assert len(names) >= 13
    for name in names:
        assert f'XLPy.CallUDF("xladdin.excel.udfs", "{name}"' in source
        assert re.search(rf"^Function {name}\(", source, re.M)
    assert source.isascii()


@pytest.mark.libreoffice
def test_libreoffice_opens_the_addin_and_lists_our_modules(xlam: Path, tmp_path: Path) -> None:
    script = Path(__file__).with_name("lo_list_vba.py")
    out = subprocess.run(["/usr/bin/python3", str(script), str(xlam), str(tmp_path / "profile")],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    modules = {line.split("/", 1)[1] for line in out.splitlines() if "/" in line}
    assert {"XladdinRibbon", UDF_MODULE, "xlwings", "Dictionary"} <= modules


def test_cli_builds_the_addin(tmp_path: Path) -> None:
    import sys

    target = tmp_path / "dist" / "xladdin.xlam"
    subprocess.run([sys.executable, "-m", "xladdin.cli", "addin", "build", "--out", str(target)], check=True,
                   capture_output=True, timeout=120)
    with zipfile.ZipFile(target) as z:
        assert "xl/vbaProject.bin" in z.namelist()
