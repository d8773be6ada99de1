"""The domain core imports and works with xlwings and openpyxl unavailable."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CORE = ["fields", "findings", "errors", "text", "sheet", "settings", "units", "headers", "ledger", "rules", "regions",
        "engines.base"]


def test_core_imports_and_validates_without_excel_libraries() -> None:
    code = textwrap.dedent(f"""
        import sys
        sys.modules["xlwings"] = None      # any import of these now raises ImportError
        sys.modules["openpyxl"] = None
        sys.modules["python_calamine"] = None
        import importlib
        for name in {CORE!r}:
            importlib.import_module("xladdin." + name)
        from xladdin.ledger import read_ledger
        from xladdin.rules import validate_ledger
        from xladdin.settings import default_settings
        from xladdin.sheet import SheetData
        grid = SheetData("项目台账", [["项目名称", "项目编码", "责任单位", "项目级别", "总投资", "年度计划投资"],
                                    ["甲", "P1", "园区", "区重点", 100, -1]])
        report = validate_ledger(read_ledger(grid, default_settings()), default_settings())
        print(report.flatten())
        assert "xlwings" not in [m for m in sys.modules if sys.modules[m] is not None]
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "negative-amount@项目台账!F2" in proc.stdout
