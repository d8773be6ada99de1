"""Per-user install of ``xladdin.xlam`` on the office PC, run by ``安装.cmd`` / ``卸载.cmd`` from
the new environment's Python: ``python -m xladdin.excel.install install --xlam PATH`` / ``uninstall``.

May import the standard library only. No administrator rights are needed: everything goes to the
user's own folders and ``HKEY_CURRENT_USER``:

- the add-in is copied to ``%APPDATA%\\Microsoft\\AddIns\\xladdin.xlam`` (Excel's default add-in
  folder) and its mark of the web (``Zone.Identifier`` stream) is removed;
- Excel loads it at start: value ``OPEN`` (or the first free ``OPENn``) under
  ``HKCU\\Software\\Microsoft\\Office\\<v>\\Excel\\Options`` holding the quoted path, for each
  Office version found (``16.0`` = 2016/2019/2021/365, also ``15.0``/``14.0``; ``16.0`` when none
  is found). Excel rewrites this key when it closes, so ``安装.cmd`` refuses to run while Excel runs;
- the add-in folder becomes a trusted location for the user: key
  ``...\\Excel\\Security\\Trusted Locations\\xladdin`` with ``Path``, ``AllowSubfolders`` = 0 and
  ``Description`` (an IT policy "allow user locations = 0" overrides this; then IT must add it);
- ``%USERPROFILE%\\.xladdin\\xladdin.conf`` gets the interpreter (this environment's
  ``pythonw.exe``) and the UDF module, in the format VBA's ``Write #`` produces (``"KEY","value"``,
  CRLF) and in the encoding VBA's ``Input #`` reads: the system ANSI code page (GBK on Chinese
  Windows), no BOM. A harmless first line keeps a BOM, should someone save the file as UTF-8 in
  Notepad, from eating the interpreter's line.

The registry is reached through a small ``Registry`` protocol: ``WinRegistry`` (winreg) on Windows;
the planning functions (which ``OPENn`` to use or delete) are pure and tested on any system.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

__all__ = ["CONF_KEYS", "MemoryRegistry", "Registry", "conf_text", "install", "open_value_to_remove",
           "open_value_to_set", "uninstall", "write_conf"]

ADDIN_NAME = "xladdin.xlam"
UDF_MODULES = "xladdin.excel.udfs"
TRUSTED_KEY = "xladdin"
OFFICE_VERSIONS = ("16.0", "15.0", "14.0")
CONF_KEYS = ("ADD_WORKBOOK_TO_PYTHONPATH", "INTERPRETER_WIN", "UDF MODULES")


# ---- the config file --------------------------------------------------------------------------
def conf_text(interpreter: str, udf_modules: str = UDF_MODULES) -> str:
    """The config lines as VBA's ``Write #`` writes them (the first one harmless, see module doc)."""
    values = {"ADD_WORKBOOK_TO_PYTHONPATH": "true", "INTERPRETER_WIN": interpreter, "UDF MODULES": udf_modules}
    for value in values.values():
        if '"' in value:
            raise ValueError(f"a config value cannot contain a double quote: {value}")
    return "".join(f'"{key}","{values[key]}"\r\n' for key in CONF_KEYS)


def ansi_encoding() -> str:
    """The code page VBA's ``Open ... For Input`` decodes with: Windows' ANSI code page."""
    return "mbcs" if sys.platform == "win32" else "utf-8"


def write_conf(path: Path, interpreter: str, encoding: str | None = None) -> Path:
    """Write the config file (no BOM); a path the ANSI code page cannot hold is refused in Chinese."""
    enc = encoding or ansi_encoding()
    try:
        data = conf_text(interpreter).encode(enc, errors="strict")
    except UnicodeEncodeError:
        raise SystemExit(f"Python 的路径“{interpreter}”含有本机 ANSI 代码页无法表示的字符，Excel 读不到它。"
                         "请把 Python 安装到只含英文字母的文件夹（例如 C:\\Python311），再运行安装.cmd。") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---- the registry -----------------------------------------------------------------------------
class Registry(Protocol):
    """The few HKCU operations the installer needs (key paths relative to HKEY_CURRENT_USER)."""

    def values(self, key: str) -> dict[str, str]: ...
    def exists(self, key: str) -> bool: ...
    def set_value(self, key: str, name: str, value: str | int) -> None: ...
    def delete_value(self, key: str, name: str) -> None: ...
    def delete_key(self, key: str) -> None: ...


@dataclass
class MemoryRegistry:
    """A registry held in a dict (systems without winreg; the planning logic's tests)."""

    keys: dict[str, dict[str, str | int]] = field(default_factory=dict)

    def values(self, key: str) -> dict[str, str]:
        return {k: str(v) for k, v in self.keys.get(key, {}).items()}

    def exists(self, key: str) -> bool:
        return key in self.keys

    def set_value(self, key: str, name: str, value: str | int) -> None:
        self.keys.setdefault(key, {})[name] = value

    def delete_value(self, key: str, name: str) -> None:
        self.keys.get(key, {}).pop(name, None)

    def delete_key(self, key: str) -> None:
        self.keys.pop(key, None)


if sys.platform == "win32":
    import winreg

    class WinRegistry:
        """HKEY_CURRENT_USER through winreg."""

        def values(self, key: str) -> dict[str, str]:
            out: dict[str, str] = {}
            try:
                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key) as k:
                    i = 0
                    while True:
                        try:
                            name, value, _ = winreg.EnumValue(k, i)
                        except OSError:
                            return out
                        out[name] = str(value)
                        i += 1
            except FileNotFoundError:
                return out

        def exists(self, key: str) -> bool:
            try:
                winreg.OpenKey(winreg.HKEY_CURRENT_USER, key).Close()
                return True
            except FileNotFoundError:
                return False

        def set_value(self, key: str, name: str, value: str | int) -> None:
            with winreg.CreateKey(winreg.HKEY_CURRENT_USER, key) as k:
                kind = winreg.REG_DWORD if isinstance(value, int) else winreg.REG_SZ
                winreg.SetValueEx(k, name, 0, kind, value)

        def delete_value(self, key: str, name: str) -> None:
            try:
                with winreg.OpenKey(winreg.HKEY_CURRENT_USER, key, 0, winreg.KEY_SET_VALUE) as k:
                    winreg.DeleteValue(k, name)
            except FileNotFoundError:
                pass

        def delete_key(self, key: str) -> None:
            with contextlib.suppress(FileNotFoundError):
                winreg.DeleteKey(winreg.HKEY_CURRENT_USER, key)


def _is_ours(value: str) -> bool:
    return Path(value.strip().strip('"').replace("\\", "/")).name.lower() == ADDIN_NAME


def open_value_to_set(existing: Mapping[str, str]) -> str | None:
    """The ``OPEN``/``OPENn`` value name to write, or None when xladdin.xlam is already listed."""
    opens = {k.upper(): v for k, v in existing.items() if k.upper().startswith("OPEN")}
    if any(_is_ours(v) for v in opens.values()):
        return None
    if "OPEN" not in opens:
        return "OPEN"
    n = 1
    while f"OPEN{n}" in opens:
        n += 1
    return f"OPEN{n}"


def open_value_to_remove(existing: Mapping[str, str]) -> list[str]:
    """Every ``OPEN``/``OPENn`` value naming xladdin.xlam."""
    return [k for k, v in existing.items() if k.upper().startswith("OPEN") and _is_ours(v)]


def _office_versions(registry: Registry) -> list[str]:
    found = [v for v in OFFICE_VERSIONS if registry.exists(rf"Software\Microsoft\Office\{v}\Excel")]
    return found or ["16.0"]


# ---- install / uninstall ----------------------------------------------------------------------
@dataclass(frozen=True)
class Places:
    addins: Path  # %APPDATA%\Microsoft\AddIns
    conf: Path  # %USERPROFILE%\.xladdin\xladdin.conf

    @staticmethod
    def of_user(environ: Mapping[str, str] = os.environ) -> Places:
        appdata = Path(environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
        home = Path(environ.get("USERPROFILE") or Path.home())
        return Places(appdata / "Microsoft" / "AddIns", home / ".xladdin" / "xladdin.conf")


def interpreter() -> str:
    """This environment's windowless interpreter (what RunPython and the UDFs start)."""
    exe = Path(sys.executable)
    windowless = exe.with_name("pythonw.exe")
    return str(windowless if windowless.exists() else exe)


def install(xlam: Path, places: Places, registry: Registry, python: str | None = None,
            encoding: str | None = None) -> list[str]:
    """Copy, register, trust, configure; returns what was done (Chinese lines for the window)."""
    done: list[str] = []
    places.addins.mkdir(parents=True, exist_ok=True)
    target = places.addins / ADDIN_NAME
    shutil.copyfile(xlam, target)
    done.append(f"加载项已复制到 {target}")
    with contextlib.suppress(OSError):
        os.remove(str(target) + ":Zone.Identifier")  # NTFS stream: the mark of the web
    for version in _office_versions(registry):
        options = rf"Software\Microsoft\Office\{version}\Excel\Options"
        name = open_value_to_set(registry.values(options))
        if name is not None:
            registry.set_value(options, name, f'"{target}"')
        trusted = rf"Software\Microsoft\Office\{version}\Excel\Security\Trusted Locations\{TRUSTED_KEY}"
        registry.set_value(trusted, "Path", str(places.addins) + "\\")
        registry.set_value(trusted, "AllowSubfolders", 0)
        registry.set_value(trusted, "Description", "xladdin 加载项")
        done.append(f"Excel {version}：启动时加载，并把 {places.addins} 设为受信任位置")
    write_conf(places.conf, python or interpreter(), encoding)
    done.append(f"配置已写入 {places.conf}")
    return done


def uninstall(places: Places, registry: Registry) -> list[str]:
    done: list[str] = []
    for version in OFFICE_VERSIONS:
        options = rf"Software\Microsoft\Office\{version}\Excel\Options"
        for name in open_value_to_remove(registry.values(options)):
            registry.delete_value(options, name)
            done.append(f"Excel {version}：不再启动时加载（{name}）")
        registry.delete_key(rf"Software\Microsoft\Office\{version}\Excel\Security\Trusted Locations\{TRUSTED_KEY}")
    for path in (places.addins / ADDIN_NAME, places.conf):
        if path.exists():
            path.unlink()
            done.append(f"已删除 {path}")
    return done


def _windows_registry() -> Registry | None:
    if sys.platform == "win32":
        return WinRegistry()
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m xladdin.excel.install")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("install")
    add.add_argument("--xlam", type=Path, required=True)
    sub.add_parser("uninstall")
    args = parser.parse_args(argv)
    registry = _windows_registry()
    if registry is None:
        print("只能在 Windows 上安装加载项。", file=sys.stderr)
        return 2
    places = Places.of_user()
    lines = install(args.xlam, places, registry) if args.command == "install" else uninstall(places, registry)
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
