"""LibreOffice (headless ``soffice``) as an independent spreadsheet client: recalc, PDF, convert.

Used by tests (every workbook we write must open, recalculate without error values and agree
with our Python figures) and to convert legacy .xls. Imports the standard library and openpyxl
(``error_cells`` reads the recalculated values). Each call runs in a private LibreOffice
profile (``-env:UserInstallation``) so parallel runs do not clash, copied from a warmed-up
template profile whose ``registrymodifications.xcu`` sets ``OOXMLRecalcMode``/``ODFRecalcMode``
to 0 ("always recalculate"): LibreOffice otherwise keeps stale cached values. Sources are
copied first, so neither the original nor its folder is touched (no ``.~lock`` files).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from xladdin.core.values import ERROR_LITERALS
from xladdin.errors import WorkbookUnreadable, XladdinError

__all__ = ["ERROR_VALUES", "convert", "error_cells", "recalc", "soffice", "to_pdf"]

ERROR_VALUES = (*sorted(ERROR_LITERALS), "Err:")  # Excel's error literals, and LibreOffice's own "Err:502"
TIMEOUT = 180.0

_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>0</value></prop></item>
</oor:items>
"""
_FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
    "pdf": "pdf:calc_pdf_Export",
    "ods": "ods",
}
_WRITER_PDF = "pdf:writer_pdf_Export"  # documents (.docx) go through Writer
_DOCUMENTS = (".docx", ".doc", ".odt")
_template: Path | None = None
_template_lock = threading.Lock()


def soffice() -> str:
    """Path of the ``soffice`` program; raises ``XladdinError`` with an install hint if absent."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    if sys.platform == "win32":
        for base in (os.environ.get("PROGRAMFILES", ""), os.environ.get("PROGRAMFILES(X86)", "")):
            candidate = Path(base) / "LibreOffice" / "program" / "soffice.exe"
            if base and candidate.is_file():
                return str(candidate)
    raise XladdinError(
        "未找到 LibreOffice（soffice）。请安装 LibreOffice："
        "Debian/Ubuntu 运行 apt-get install libreoffice-calc-nogui，Windows 从 libreoffice.org 下载安装。"
    )


def _profile(workdir: Path) -> Path:
    """A private profile for one run, copied from the process-wide warmed template when there is one."""
    profile = workdir / "profile"
    if _template is not None and _template.is_dir():
        shutil.copytree(_template, profile, ignore=shutil.ignore_patterns(".lock", "*.lock"))
    else:
        (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")
    return profile


def _keep_as_template(profile: Path) -> None:
    global _template
    with _template_lock:
        if _template is None:
            keep = Path(tempfile.mkdtemp(prefix="xladdin-lo-profile-"))
            shutil.copytree(profile, keep / "profile", ignore=shutil.ignore_patterns(".lock", "*.lock"))
            _template = keep / "profile"


def convert(sources: list[Path], out_dir: Path, fmt: str, *, suffix: str = "") -> list[Path]:
    """Open each of ``sources`` in LibreOffice (full recalculation) and save it as ``fmt``
    ("xlsx", "xls", "pdf", "ods") into ``out_dir`` as ``<stem><suffix>.<fmt>``; one soffice run.
    Returns the new files in the order of ``sources``. Raises ``XladdinError`` if one is missing."""
    if fmt not in _FILTERS:
        raise XladdinError(f"不支持转换为 {fmt} 格式。")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = [out_dir / f"{Path(src).stem}{suffix}.{fmt}" for src in sources]
    for src, target in zip(sources, targets, strict=True):
        if target.resolve() == Path(src).resolve():
            raise XladdinError(f"转换结果会覆盖原文件“{target}”，请换一个输出目录。")
    program = soffice()
    with tempfile.TemporaryDirectory(prefix="xladdin-lo-") as tmp:
        work = Path(tmp)
        inbox, outbox = work / "in", work / "out"
        inbox.mkdir()
        copies = []
        for i, src in enumerate(sources):
            src = Path(src)
            if not src.is_file():
                raise WorkbookUnreadable(f"找不到文件“{src}”。")
            copy = inbox / f"{i:03d}-{src.stem}{src.suffix}"
            shutil.copyfile(src, copy)
            copies.append(copy)
        profile = _profile(work)
        cmd = [
            program,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless", "--invisible", "--norestore", "--nolockcheck", "--nodefault",
            "--convert-to", _filter(fmt, sources), "--outdir", str(outbox), *map(str, copies),
        ]  # fmt: skip
        env = {**os.environ, "HOME": str(work)}
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, env=env, check=False)
        except subprocess.TimeoutExpired as exc:
            raise XladdinError(f"LibreOffice 转换超时（{TIMEOUT:.0f} 秒）。") from exc
        results = []
        for src, copy, target in zip(sources, copies, targets, strict=True):
            made = outbox / f"{copy.stem}.{fmt}"
            if not made.is_file():
                raise XladdinError(
                    f"LibreOffice 未能将“{Path(src).name}”转换为 {fmt}（退出码 {proc.returncode}）：{proc.stderr.strip()}"
                )
            shutil.move(str(made), target)
            results.append(target)
        with contextlib.suppress(OSError):
            _keep_as_template(profile)
    return results


def _filter(fmt: str, sources: list[Path]) -> str:
    if fmt == "pdf" and sources and all(Path(s).suffix.lower() in _DOCUMENTS for s in sources):
        return _WRITER_PDF
    return _FILTERS[fmt]


def recalc(src: Path, out_dir: Path) -> Path:
    """Fully recalculate a COPY of ``src`` in LibreOffice and save it as ``out_dir/<stem>-recalc.xlsx``
    (cached values then hold LibreOffice's results; read them with openpyxl ``data_only=True``)."""
    return convert([src], out_dir, "xlsx", suffix="-recalc")[0]


def to_pdf(src: Path, out_dir: Path) -> Path:
    """Export ``src`` (all sheets, after recalculation) to ``out_dir/<stem>.pdf``."""
    return convert([src], out_dir, "pdf")[0]


def error_cells(path: Path) -> list[str]:
    """``["汇总!C5: #REF!", ...]``: cells of a recalculated workbook holding error values
    (#NAME?, #REF!, #VALUE!, #DIV/0!, #N/A, Err:…), sheet by sheet in reading order."""
    import openpyxl

    found: list[str] = []
    wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    try:
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    value = cell.value
                    is_error = cell.data_type == "e" or (isinstance(value, str) and value.startswith("Err:"))
                    if is_error and value is not None:
                        found.append(f"{ws.title}!{cell.coordinate}: {value}")
    finally:
        wb.close()
    return found
