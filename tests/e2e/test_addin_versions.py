"""No drift between the add-in and its Python: the xlwings pin, the build's refusal, the generated
startup module (built versions, function help, guards) read back by a small VBA-subset reader,
the UDF wrappers against xlwings' own generator, and the add-in's UDF Modules setting."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import xlwings as xw

from xladdin import __version__
from xladdin.errors import UsageError
from xladdin.excel import udfs
from xladdin.excel.addin import (
    MACROS_DIR,
    UDF_MODULES,
    build_addin,
    check_xlwings,
    pinned_xlwings,
    startup_source,
    udf_module_source,
)
from xladdin.excel.startup import MESSAGES, startup_module_source, vba_text
from xladdin.excel.udf_meta import xlwings_view

ROOT = MACROS_DIR.parent


def decode(expr: str) -> str:
    """The value of a VBA string expression made of "literals", ChrW(n) and vbLf joined by &."""
    out = []
    for token in re.findall(r'"(?:[^"]|"")*"|ChrW\(\d+\)|vbLf', expr):
        if token == "vbLf":
            out.append("\n")
        elif token.startswith("ChrW"):
            out.append(chr(int(token[5:-1])))
        else:
            out.append(token[1:-1].replace('""', '"'))
    assert " & ".join(re.findall(r'"(?:[^"]|"")*"|ChrW\(\d+\)|vbLf', expr)) == expr.strip(), expr
    return "".join(out)


def run_string_assignments(body: str) -> tuple[dict[str, str], list[tuple[str, str, str, list[str]]]]:
    """Execute the body's ``v = ""`` / ``v = v & expr`` lines; record each MacroOptions call."""
    env: dict[str, str] = {}
    calls = []
    for line in body.splitlines():
        line = line.strip()
        if m := re.fullmatch(r'(\w+) = ""', line):
            env[m.group(1)] = ""
        elif m := re.fullmatch(r"(\w+) = (\w+) & (.+)", line):
            assert m.group(1) == m.group(2)
            env[m.group(1)] += decode(m.group(3))
        elif line.startswith("Application.MacroOptions"):
            m = re.fullmatch(r"""Application\.MacroOptions Macro:="'" & ThisWorkbook\.Name & "'!(\w+)", """
                             r"Description:=d, Category:=c(?:, ArgumentDescriptions:=Array\(([\w, ]*)\))?", line)
            assert m is not None, line
            args = [env[a.strip()] for a in (m.group(2) or "").split(",") if a.strip()]
            calls.append((m.group(1), env["d"], env["c"], args))
    return env, calls


def procedure(source: str, header: str) -> str:
    m = re.search(rf"^{re.escape(header)}.*?$(.*?)^End (Sub|Function)", source, re.M | re.S)
    assert m is not None, header
    return m.group(1)


# ---- the pin ----------------------------------------------------------------------------------
def test_xlwings_is_pinned_to_one_exact_version_the_installed_one() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    xlwings_deps = [d for d in deps if re.match(r"xlwings\b", d)]
    assert xlwings_deps == ["xlwings==0.37.8"]
    assert pinned_xlwings() == "0.37.8" == xw.__version__ == check_xlwings()


def test_another_xlwings_version_is_refused_in_chinese() -> None:
    with pytest.raises(UsageError, match=r"xlwings 是 0\.36\.1.*固定使用 xlwings 0\.37\.8.*pip install xlwings==0\.37\.8"):
        check_xlwings("0.36.1")


def test_the_build_refuses_to_run_against_another_xlwings(tmp_path: Path) -> None:
    """A real package named xlwings, of another version, first on the path: the CLI refuses."""
    other = tmp_path / "site" / "xlwings"
    other.mkdir(parents=True)
    (other / "__init__.py").write_text('__version__ = "0.36.1"\n', encoding="utf-8")
    target = tmp_path / "xladdin.xlam"
    proc = subprocess.run([sys.executable, "-m", "xladdin.cli", "addin", "build", "--out", str(target)],
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2, proc.stderr
    assert "xlwings 是 0.36.1" in proc.stderr and "不能生成" in proc.stderr and "Traceback" not in proc.stderr
    assert not target.exists()


# ---- the startup module -----------------------------------------------------------------------
def test_vba_text_round_trips_chinese_quotes_and_line_breaks() -> None:
    for text in ["投资项目", 'a "b" 中\n文', "", "完成率 = 累计 ÷ 计划（%）"]:
        assert decode(vba_text(text)) == text
        assert vba_text(text).isascii()


def test_the_add_in_knows_the_versions_it_was_built_for() -> None:
    source = startup_source()
    assert f'Public Const XLADDIN_VERSION As String = "{__version__}"' in source
    assert f'Public Const XLADDIN_XLWINGS As String = "{xw.__version__}"' in source
    assert source.isascii() and "\r\n" in source


def test_function_help_is_registered_at_open_as_xlwings_import_functions_would() -> None:
    source = startup_source()
    auto_open = procedure(source, "Public Sub Auto_Open()")
    assert re.search(r"RegisterXladdinFunctions\s+problem = PythonProblem\(\)\s+If problem = \"\" Then\s+"
                     r"pythonChecked = True\s+Else\s+Say problem", auto_open), auto_open
    _, calls = run_string_assignments(procedure(source, "Public Sub RegisterXladdinFunctions()"))
    expected = [(o.name, o.description, o.category, list(o.arguments)) for o in xlwings_view(UDF_MODULES).options]
    assert calls == expected
    names = sorted(n for n in udfs.__all__ if n.startswith("TZ_"))
    assert [c[0] for c in calls] == names and len(names) >= 13
    rate = next(c for c in calls if c[0] == "TZ_RATE")
    assert rate[2] == "投资项目" and rate[3] == ["本年累计完成投资（万元）", "年度计划投资（万元）"]
    assert all(1 <= len(a) <= 255 for c in calls for a in c[3]) and all(len(c[1]) <= 255 for c in calls)
    assert "VBProject" not in source  # no step needs access to the VBA project object model


def test_the_guard_ends_every_unusable_state_in_a_chinese_message() -> None:
    source = startup_source()
    ready = procedure(source, "Public Function XladdinReady(")
    assert re.search(r"If ActiveWorkbook Is Nothing Then.*ActiveProtectedViewWindow.*Say MsgNoBook\(\).*"
                     r"Say MsgProtected\(\).*Exit Function", ready, re.S)
    assert re.search(r'If needsFolder And ActiveWorkbook\.Path = "" Then\s+Say MsgUnsaved\(\)\s+Exit Function', ready)
    assert re.search(r"problem = PythonProblem\(\)\s+If problem <> \"\" Then\s+Say problem\s+Exit Function", ready)
    assert ready.strip().splitlines()[-1].strip() == "XladdinReady = True"
    problem = procedure(source, "Private Function PythonProblem()")
    for check in ["PythonProblem = MsgNoConfig()", "If Not FileExists(py) Then",
                  '"\\xlwings-" & XLADDIN_XLWINGS & ".dist-info"', '"\\xladdin-" & XLADDIN_VERSION & ".dist-info"']:
        assert check in problem, check
    for key, name in [("no_book", "MsgNoBook"), ("protected", "MsgProtected"), ("unsaved", "MsgUnsaved"),
                      ("no_config", "MsgNoConfig"), ("no_python", "MsgNoPython"), ("xlwings", "MsgXlwings"),
                      ("xladdin", "MsgXladdin")]:
        env, _ = run_string_assignments(procedure(source, f"Private Function {name}()"))
        assert env["t"] == MESSAGES[key] and re.search(r"[\u4e00-\u9fff]", env["t"]), name
    assert "启用编辑" in MESSAGES["protected"] and "安装.cmd" in MESSAGES["xlwings"]


def vba_syntax_errors(source: str) -> list[str]:
    """Syntax errors of a VBA module by the ANTLR grammar of VBA (PyPI antlr4-vba: MS-VBAL based;
    it has no preprocessor, so modules with #If/#Const are not given to it)."""
    from antlr4 import CommonTokenStream, InputStream
    from antlr4.error.ErrorListener import ErrorListener
    from antlr4_vba.vbaLexer import vbaLexer
    from antlr4_vba.vbaParser import vbaParser

    errors: list[str] = []

    class Collect(ErrorListener):  # type: ignore[misc]
        def syntaxError(self, recognizer, symbol, line, column, msg, e):  # type: ignore[no-untyped-def]
            errors.append(f"{line}:{column} {msg}")

    lexer = vbaLexer(InputStream(source))
    lexer.removeErrorListeners()
    lexer.addErrorListener(Collect())
    parser = vbaParser(CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(Collect())
    parser.startRule()
    return errors


@pytest.mark.slow
def test_our_vba_modules_parse_with_a_vba_grammar() -> None:
    """XladdinRibbon and XladdinStartup (with two functions' help: the other eleven are the same
    generated statements, and the grammar's Python runtime needs ~2 s per function)."""
    ribbon_bas = (MACROS_DIR / "XladdinRibbon.bas").read_text(encoding="ascii").replace("\n", "\r\n")
    startup = startup_module_source(xlwings_view(UDF_MODULES).options[:2], xw.__version__, __version__)
    assert vba_syntax_errors(ribbon_bas) == []
    assert vba_syntax_errors(startup) == []
    # the grammar notices a broken If — shown on a five-line module with the startup's own If line
    # (the whole module again would cost another ~8 s), beside the same module unbroken
    assert "    If Val(Application.Version) < 14 Then Exit Sub" in startup.split("\r\n")
    probe = "\r\n".join(['Attribute VB_Name = "Probe"', "Public Sub Probe()", "    Dim wasSaved As Boolean",
                          "    If Val(Application.Version) < 14 Then Exit Sub", "End Sub", ""])
    assert vba_syntax_errors(probe) == []
    assert vba_syntax_errors(probe.replace("< 14 Then Exit Sub", "< 14 Exit Sub")), "the grammar must reject a broken If"


# ---- UDF wrappers and the UDF Modules setting ---------------------------------------------------
def _body(text: str) -> list[str]:
    return [ln for ln in text.replace("\r\n", "\n").splitlines()
            if ln.strip() and not ln.startswith(("'", "#Const", "Attribute"))]


def test_generated_wrappers_equal_xlwings_own_generator_for_the_configured_module() -> None:
    theirs = xlwings_view(UDF_MODULES).vba
    assert _body(udf_module_source()) == _body(theirs)
    assert theirs.count("XLPy.CallUDF(\"xladdin.excel.udfs\"") == 2 * len([n for n in udfs.__all__ if n.startswith("TZ_")])


def test_the_add_in_config_sheet_names_the_udf_module(tmp_path: Path) -> None:
    xlam = build_addin(tmp_path)
    with zipfile.ZipFile(xlam) as z:
        assert re.search(rb'<sheet name="xladdin.conf"', z.read("xl/workbook.xml"))
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    cells = re.findall(r'<c r="(\w+)" t="inlineStr"><is><t>([^<]*)</t></is></c>', sheet)
    assert cells == [("A1", "UDF Modules"), ("B1", "xladdin.excel.udfs")]  # only this key: others stay in the .conf file
    assert '<dimension ref="A1:B1"/>' in sheet
