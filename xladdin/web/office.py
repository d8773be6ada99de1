"""The office folder the page works in: masters, the month's folders, owner-file messages, names.

One folder per office (``xladdin serve --folder DIR``). Masters are the workbooks directly in it;
each month gets a folder beside them::

    DIR/主台账.xlsx
    DIR/备份/主台账-20220710-093000.xlsx        (written by every in-place job)
    DIR/2022年6月/月报表（下发）/…                (生成月报表 → 写入本月文件夹)
    DIR/2022年6月/月报表（已收回）/…              (the forms units send back, uploaded on the page)
    DIR/2022年6月/通报/主台账-1-6月通报.xlsx|.pdf

Assumption (the plan is silent): an office keeps one folder per year's master, and a month's
papers in one folder named like its period (``2022年1-2月``, ``2022年6月``), as offices file them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

from xladdin.core.periods import period_month
from xladdin.engines.guards.snapshot import lock_file_owner
from xladdin.errors import UsageError

__all__ = ["ISSUED", "RETURNED", "WORKBOOK_SUFFIXES", "desktop_command", "master_path", "masters", "month_dir",
           "open_in_desktop", "owner_message", "safe_name"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
ISSUED, RETURNED, BULLETIN = "月报表（下发）", "月报表（已收回）", "通报"
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def masters(folder: Path) -> list[Path]:
    """The workbooks directly in ``folder`` (owner files, hidden and temp files left out), by name."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith(("~$", ".")))


def master_path(folder: Path, name: str) -> Path:
    """``name`` as one of the folder's masters; anything else (a path, a missing file) is refused."""
    if not name or safe_name(name) != name:
        raise UsageError(f"主台账名称“{name}”无效。")
    path = folder / name
    if path not in masters(folder):
        raise UsageError(f"文件夹中没有主台账“{name}”，请刷新页面后重新选择。")
    return path


def month_dir(folder: Path, year: int, month: int) -> Path:
    """The month's folder: ``2022年1-2月`` for months 1 and 2, else ``2022年6月``."""
    pm = period_month(month)
    return folder / f"{year}年{'1-2' if pm == 2 else pm}月"


def safe_name(name: str, *, suffixes: tuple[str, ...] | None = None) -> str:
    """A file name safe to create in a folder: the last path component only, no control or
    reserved characters, no leading dots (no hidden files, no ``..``), at most 120 characters.
    With ``suffixes`` the name must end in one of them. Raises ``UsageError`` if nothing is left."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").split("/")[-1])
    base = _UNSAFE.sub("_", base).strip().lstrip(".").strip()
    if len(base) > 120:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 120 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 8 else base[:120]
    if not base or base in {".", ".."} or base.startswith("~$"):
        raise UsageError(f"文件名“{name}”无效。")
    if suffixes is not None and not base.lower().endswith(suffixes):
        raise UsageError(f"“{base}”不是 Excel 工作簿（应为 {'、'.join(suffixes)} 文件）。")
    return base


# -- owner files: the workbook is open in a spreadsheet program ----------------------------------


def owner_message(path: Path) -> str | None:
    """The page's Chinese refusal when ``path`` is open in a spreadsheet program, else None.
    Detection is the jobs' own (``guards.snapshot.lock_file_owner``: Excel/WPS ``~$name``, WPS on
    Linux ``.~name``, LibreOffice ``.~lock.name#``), so the page and the CLI refuse the same files."""
    found = lock_file_owner(path)
    if found is None:
        return None
    lock, who = found
    return (f"主台账“{path.name}”正在表格软件（WPS、Excel 或 LibreOffice）中打开（打开者：{who}），为免两边同时修改，本页面不会写入它。"
            f"请先在表格软件中保存并关闭该文件，再点此按钮。（发现占用标记文件：{lock.name}）")


# -- open in the desktop program -----------------------------------------------------------------


def desktop_command(path: Path, platform: str = sys.platform) -> list[str] | None:
    """How this platform opens a file in its default program (None on Windows: ``os.startfile``)."""
    if platform == "win32":
        return None
    if platform == "darwin":
        return ["open", str(path)]
    return ["xdg-open", str(path)]


def open_in_desktop(path: Path) -> None:
    """Open ``path`` in the desktop's spreadsheet program (WPS, Excel, LibreOffice: whichever owns .xlsx)."""
    command = desktop_command(path)
    if command is None:
        os.startfile(path)  # type: ignore[attr-defined]  # Windows only
        return
    try:
        subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    except OSError as exc:
        raise UsageError(f"无法打开表格软件（{command[0]}：{exc}）。请在文件夹中双击“{path.name}”打开。") from exc
