"""The add-in as built from macros/: ribbon XML, VBA text, RunPython targets, and real readers of the .xlam."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from oletools.olevba import VBA_Parser

from tests.e2e.customui_model import customui_problems
from xladdin.excel import ribbon as ribbon_module
from xladdin.excel import udfs
from xladdin.excel.addin import (
    MACROS_DIR,
    RIBBON_REL_TYPE,
    UDF_MODULE,
    build_addin,
    startup_source,
    vba_sources,
)

NS = "{http://schemas.microsoft.com/office/2009/07/customui}"
BUTTONS = ["校验台账", "恢复备份", "生成月报表", "月度汇总", "刷新排名与通报", "导出通报PDF", "导出通报Word"]
# Every imageMso we use, checked with scripts/check_imagemso.py against Office's published Excel
# control IDs (OfficeDev/office-fluent-ui-command-identifiers, MIT: excelcontrols.xlsx of Office
# 2013, 2016, 2019 and Microsoft 365 Current Channel 2402; all six are in every one of them; Undo
# (恢复备份) checked 2026-12-02 against the same commit b230a0d, all six lists).
# A new icon must be checked the same way and added here (run recorded in docs/addin.md).
EXCEL_CONTROL_IDS_CHECKED = {"DataValidation", "TableInsertExcel", "AutoSum", "Refresh", "FileSaveAsPdfOrXps", "Undo"}
CALLBACK = re.compile(r"^Public Sub (\w+)\(control As IRibbonControl\)\n(.*?)^End Sub", re.M | re.S)


def ribbon() -> ET.Element:
    return ET.parse(MACROS_DIR / "customUI14.xml").getroot()


def test_ribbon_is_valid_against_microsofts_customui_schema_model() -> None:
    assert customui_problems((MACROS_DIR / "customUI14.xml").read_bytes()) == []
    root = ribbon()
    tab = root.find(f"{NS}ribbon/{NS}tabs/{NS}tab")
    assert tab is not None and tab.get("label") == "投资项目"
    buttons = list(root.iter(NS + "button"))
    assert [b.get("label") for b in buttons] == BUTTONS
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))


def test_the_schema_model_rejects_what_office_would_reject() -> None:
    xml = (MACROS_DIR / "customUI14.xml").read_bytes()
    bad_attr = xml.replace(b'<tab id="xladdinTab"', b'<tab foo="1" id="xladdinTab"')
    bad_button = xml.replace(b'size="large"', b'size="large" pressed="true"', 1)
    bad_element = xml.replace(b"<tabs>", b"<tabs><bogus/>")
    old_ns = xml.replace(b"2009/07/customui", b"2006/01/customui")
    assert any("'foo' not allowed" in p for p in customui_problems(bad_attr))
    assert any("'pressed' not allowed" in p for p in customui_problems(bad_button))
    assert any("bogus: element not allowed" in p for p in customui_problems(bad_element))
    assert customui_problems(old_ns) and customui_problems(xml) == []


def test_openxml_audit_finds_no_error_in_the_built_ribbon_part(xlam: Path) -> None:
    from openxml_audit import FileFormat, OpenXmlValidator

    result = OpenXmlValidator(file_format=FileFormat.OFFICE_2010, max_errors=0).validate(str(xlam))
    ours = [e for e in result.errors if "customUI" in str(getattr(e, "part_uri", e))]
    assert ours == []


def test_every_image_mso_is_an_excel_control_id() -> None:
    used = {b.get("imageMso") for b in ribbon().iter(NS + "button")}
    assert None not in used and used <= EXCEL_CONTROL_IDS_CHECKED, used - EXCEL_CONTROL_IDS_CHECKED
    assert "TableInsert" not in used  # PowerPoint's id, not Excel's


def test_every_callback_is_guarded_and_runs_an_existing_python_button() -> None:
    bas = {p.stem: p.read_text(encoding="ascii") for p in MACROS_DIR.glob("*.bas")}
    actions = [b.get("onAction") or "" for b in ribbon().iter(NS + "button")]
    subs = {name: body for name, body in CALLBACK.findall(bas["XladdinRibbon"])}
    assert sorted(a.split(".")[1] for a in actions) == sorted(subs)
    for action in actions:
        module, sub = action.split(".")
        assert module == "XladdinRibbon", action
        body = subs[sub].strip().splitlines()
        assert re.fullmatch(r"If Not XladdinReady\((True)?\) Then Exit Sub", body[0].strip()), action
        call = re.fullmatch(r'RunPython XladdinCommand\("(\w+)\(\)"\)', body[1].strip())
        assert call is not None and len(body) == 2, action
        assert callable(getattr(ribbon_module, call.group(1))), call.group(1)
        folder = "True" in body[0]
        assert folder == (sub in {"MakeForms", "Consolidate", "ExportBulletinPdf", "ExportBulletinWord", "RestoreBackup"}), sub
    cmd = startup_source()
    assert "import xladdin.excel.ribbon as r; r.check_version('\" & XLADDIN_XLWINGS & _" in cmd
    assert "\"', '\" & XLADDIN_VERSION & \"') and r.\" & pyCall" in cmd


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
        assert b'name="xladdin.conf"' in z.read("xl/workbook.xml")
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
    assert {"XladdinRibbon", "XladdinStartup", UDF_MODULE, "xlwings", "Dictionary"} <= modules


def test_cli_builds_the_addin(tmp_path: Path) -> None:
    import sys

    target = tmp_path / "dist" / "xladdin.xlam"
    subprocess.run([sys.executable, "-m", "xladdin.cli", "addin", "build", "--out", str(target)], check=True,
                   capture_output=True, timeout=120)
    with zipfile.ZipFile(target) as z:
        assert "xl/vbaProject.bin" in z.namelist()
