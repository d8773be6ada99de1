"""Build ``xladdin.xlam`` from the text sources in ``macros/`` on any operating system.

May import xlwings (to locate its files), pyOpenVBA and the standard library.

Base: xlwings' own ``quickstart_addin.xlam`` (BSD-3, authored in Excel by the xlwings team,
shipped in the installed xlwings package, so its embedded ``xlwings`` VBA module always
matches the Python package's version, which RunPython checks). It already holds what a
"custom add-in" needs: the standalone ``xlwings`` module (RunPython, UDF calls), the
``Dictionary`` class, a reference to the Office library (``IRibbonControl``) and a config
sheet. pyOpenVBA (MIT) then edits that Office-authored project:
- ``xlwings``: ``PROJECT_NAME`` becomes "xladdin" (config: ``%USERPROFILE%\\.xladdin\\xladdin.conf``
  or a ``xladdin.conf`` sheet);
- the sample ``Module1`` goes; ``macros/*.bas`` come in (ribbon callbacks);
- ``xlwings_udfs`` is generated from ``xladdin.excel.udfs`` (the wrappers xlwings' own
  ``ImportPythonUDFsToAddin`` would write, which needs Excel);
- ``XladdinStartup`` is generated (``xladdin.excel.startup``): the built versions, the function
  help registered at open (``Application.MacroOptions``), and the ribbon callbacks' guard;
- the config sheet becomes the active ``xladdin.conf`` holding one setting, ``UDF Modules =
  xladdin.excel.udfs``, so xlwings' own "Import Functions" regenerates the same wrappers (its
  default would be module ``xladdin``, which has no formulas). Only that key is on the sheet: a
  sheet key, even empty, hides the user's config file for that key (xlwings' ``GetConfig``);
and finally ``macros/customUI14.xml`` is added as the 2010+ ribbon part with its relationship.
pyOpenVBA writes source only and clears the p-code cache: Excel compiles on first load.
Nobody here can prove Excel runs the result (no Excel on these machines).

No drift: ``pyproject.toml`` pins xlwings to one exact version (the embedded VBA loads
``xlwings64-<version>.dll``, which only that version installs); the build refuses to run against
any other installed xlwings (``check_xlwings``).
"""

from __future__ import annotations

import functools
import inspect
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from xladdin.excel.startup import STARTUP_MODULE, startup_module_source
from xladdin.excel.udf_meta import xlwings_view

__all__ = ["MACROS_DIR", "RIBBON_REL_TYPE", "UDF_MODULE", "UDF_MODULES", "build_addin", "check_xlwings",
           "pinned_xlwings", "udf_module_source", "vba_sources"]

MACROS_DIR = Path(__file__).resolve().parents[2] / "macros"
UDF_MODULE = "xlwings_udfs"  # the name xlwings' ImportPythonUDFsToAddin replaces, so both agree
RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
PROJECT_NAME = "xladdin"
_CONF_SHEET = ("_myaddin.conf", "xladdin.conf")
UDF_MODULES = "xladdin.excel.udfs"  # the add-in's "UDF Modules" setting
_CONF_SHEET_XML = "xl/worksheets/sheet1.xml"


def pinned_xlwings() -> str:
    """The exact xlwings version xladdin requires (``xlwings==X`` in its metadata / pyproject.toml)."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        reqs = requires("xladdin") or []
    except PackageNotFoundError:  # running from a source tree that is not installed
        reqs = re.findall(r'"(xlwings[^"]*)"', (MACROS_DIR.parent / "pyproject.toml").read_text(encoding="utf-8"))
    for req in reqs:
        match = re.fullmatch(r"xlwings\s*==\s*([\w.]+)", req.split(";")[0].strip())
        if match:
            return match.group(1)
    raise ValueError("pyproject.toml must pin xlwings to one exact version (xlwings==X)")


def check_xlwings(installed: str | None = None) -> str:
    """The installed xlwings version, if it is the pinned one; else a ``UsageError`` saying what to do."""
    from xladdin.errors import UsageError

    if installed is None:
        import xlwings

        installed = str(xlwings.__version__)
    pinned = pinned_xlwings()
    if installed != pinned:
        raise UsageError(f"当前 Python 环境中的 xlwings 是 {installed}，而 xladdin 固定使用 xlwings {pinned}，"
                         f"加载项必须与 Python 端版本一致，不能生成。请先执行 pip install xlwings=={pinned}"
                         "（或 pip install -e . 按 pyproject.toml 重装），再生成加载项。")
    return installed


def vba_sources(macros: Path = MACROS_DIR) -> dict[str, str]:
    """Module name -> source (CRLF) of every ``.bas`` file, plus the generated UDF module."""
    out: dict[str, str] = {}
    for path in sorted(macros.glob("*.bas")):
        text = path.read_text(encoding="ascii")
        match = re.match(r'Attribute VB_Name = "([^"]+)"', text)
        if not match:
            raise ValueError(f"{path.name}: first line must be Attribute VB_Name")
        out[match.group(1)] = _crlf(text)
    out[UDF_MODULE] = udf_module_source()
    out[STARTUP_MODULE] = startup_source()
    return out


@functools.lru_cache(maxsize=1)
def startup_source() -> str:
    """The generated ``XladdinStartup`` module for the installed xlwings and this xladdin."""
    import xlwings

    from xladdin import __version__

    options = xlwings_view(UDF_MODULES).options
    return startup_module_source(options, str(xlwings.__version__), __version__)


def _crlf(text: str) -> str:
    return "\r\n".join(text.replace("\r\n", "\n").rstrip("\n").split("\n")) + "\r\n"


def udf_module_source() -> str:
    """VBA wrappers for ``xladdin.excel.udfs`` in the shape xlwings' ``generate_vba_wrapper`` writes."""
    from xladdin.excel import udfs

    lines = [
        f'Attribute VB_Name = "{UDF_MODULE}"',
        "' Generated by xladdin.excel.addin from xladdin/udfs.py - do not edit.",
        "#Const App = \"Microsoft Excel\"",
        "",
    ]
    for name in sorted(n for n in udfs.__all__ if n.startswith("TZ_")):
        params = list(inspect.signature(getattr(udfs, name)).parameters.values())
        sig = ", ".join(("Optional " if p.default is not p.empty else "") + p.name for p in params)
        args = "Array(" + ", ".join(p.name for p in params) + ")"
        lines += [
            f"Function {name}({sig})",
            '    #If App = "Microsoft Excel" Then',
            "        If TypeOf Application.Caller Is Range Then On Error GoTo failed",
            f'        {name} = XLPy.CallUDF("{UDF_MODULES}", "{name}", {args}, ActiveWorkbook, Application.Caller)',
            "        Exit Function",
            "    #Else",
            f'        {name} = XLPy.CallUDF("{UDF_MODULES}", "{name}", {args})',
            "        Exit Function",
            "    #End If",
            "failed:",
            f"    {name} = Err.Description",
            "End Function",
            "",
        ]
    return "\r\n".join(lines)


def _base_addin() -> Path:
    import xlwings

    path = Path(xlwings.__file__).resolve().parent / "quickstart_addin.xlam"
    if not path.is_file():
        from xladdin.errors import WorkbookUnreadable

        raise WorkbookUnreadable(f"找不到 xlwings 自带的加载项模板 {path}，请重新安装 xlwings。")
    return path


def build_addin(out: Path, macros: Path = MACROS_DIR) -> Path:
    """Write ``xladdin.xlam`` to ``out`` (a file path, or a folder to put it in); return the path."""
    from pyopenvba import ExcelFile

    check_xlwings()
    out = Path(out)
    if out.suffix.lower() != ".xlam":
        out = out / "xladdin.xlam"
    out.parent.mkdir(parents=True, exist_ok=True)
    sources = vba_sources(macros)
    ribbon = (macros / "customUI14.xml").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "base.xlam"
        shutil.copyfile(_base_addin(), work)
        edited = Path(tmp) / "vba.xlam"
        with ExcelFile(work) as book:
            xlwings_src = book.get_module("xlwings")
            book.set_module("xlwings", xlwings_src.replace(
                'PROJECT_NAME As String = "myaddin"', f'PROJECT_NAME As String = "{PROJECT_NAME}"'))
            project = book.vba_project()
            project.delete_module("Module1")
            for name, text in sources.items():
                project.add_module(name, text)
            book.save(edited)
        _add_ribbon(edited, out, ribbon)
    return out


def _add_ribbon(src: Path, dest: Path, ribbon: bytes) -> None:
    """Copy the package, adding the ribbon part and its root relationship, renaming the config sheet."""
    rel = f'<Relationship Id="rIdXladdinUI" Type="{RIBBON_REL_TYPE}" Target="{RIBBON_PART}"/>'
    tmp = dest.with_suffix(".tmp")
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
            elif item.filename in ("xl/workbook.xml", "docProps/app.xml"):
                data = data.replace(_CONF_SHEET[0].encode(), _CONF_SHEET[1].encode())
            elif item.filename == _CONF_SHEET_XML:
                data = _conf_sheet(data)
            zout.writestr(item, data)
        zout.writestr(RIBBON_PART, ribbon)
    tmp.replace(dest)


def _conf_sheet(xml: bytes) -> bytes:
    """The config sheet with one row, ``UDF Modules | xladdin.excel.udfs`` (inline strings)."""
    row = ('<row r="1"><c r="A1" t="inlineStr"><is><t>UDF Modules</t></is></c>'
           f'<c r="B1" t="inlineStr"><is><t>{UDF_MODULES}</t></is></c></row>')
    text = re.sub(rb"<sheetData>.*</sheetData>|<sheetData\s*/>", f"<sheetData>{row}</sheetData>".encode(), xml,
                  count=1, flags=re.S)
    text = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:B1"/>', text, count=1)
    if row.encode() not in text:
        raise ValueError("xlwings' add-in template changed: its config sheet has no sheetData")
    return text
