"""The per-user installer's parts that run anywhere: the config file in the encoding VBA reads,
the choice of Excel's OPEN/OPENn value, install and uninstall against a registry held in memory
(winreg exists only on Windows), and the .cmd texts (GBK, CRLF, cmd-safe)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from xladdin.excel.install import (
    MemoryRegistry,
    Places,
    conf_text,
    install,
    open_value_to_remove,
    open_value_to_set,
    uninstall,
    write_conf,
)
from xladdin.excel.installer_texts import CMD_ENCODING, install_cmd, readme_text, uninstall_cmd

OPTIONS = r"Software\Microsoft\Office\16.0\Excel\Options"
TRUSTED = r"Software\Microsoft\Office\16.0\Excel\Security\Trusted Locations\xladdin"


def vba_input_pairs(data: bytes, ansi: str) -> list[tuple[str, str]]:
    """What VBA's ``Input #f, name, value`` reads line by line: the bytes decoded in the ANSI code
    page, comma-separated fields with their double quotes removed."""
    text = data.decode(ansi, errors="replace")  # Windows substitutes what it cannot decode
    return [tuple(f.strip('"') for f in line.split('","')) for line in text.split("\r\n") if line]  # type: ignore[misc]


def test_config_is_written_as_vba_write_writes_it_in_the_ansi_code_page(tmp_path: Path) -> None:
    python = r"C:\Users\张三\AppData\Local\xladdin\venv\Scripts\pythonw.exe"
    path = write_conf(tmp_path / ".xladdin" / "xladdin.conf", python, encoding="gbk")
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\r\n")
    assert "张三".encode("gbk") in data and "张三".encode() not in data
    pairs = vba_input_pairs(data, "gbk")
    assert pairs == [("ADD_WORKBOOK_TO_PYTHONPATH", "true"), ("INTERPRETER_WIN", python),
                     ("UDF MODULES", "xladdin.excel.udfs")]
    # a UTF-8 BOM (Notepad's "UTF-8 with BOM") would spoil only the harmless first key
    spoiled = vba_input_pairs(b"\xef\xbb\xbf" + data, "gbk")
    assert spoiled[0][0] != "ADD_WORKBOOK_TO_PYTHONPATH" and spoiled[1:] == pairs[1:]
    assert conf_text("C:/p").count("\r\n") == 3


def test_a_path_the_ansi_code_page_cannot_hold_is_refused_in_chinese(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match=r"ANSI 代码页无法表示.*C:\\Python311"):
        write_conf(tmp_path / "x.conf", r"C:\Users\김민준\python.exe", encoding="gbk")
    assert not (tmp_path / "x.conf").exists()


def test_open_value_is_the_first_free_one_and_never_doubled() -> None:
    assert open_value_to_set({}) == "OPEN"
    assert open_value_to_set({"OPEN": '"C:\\a\\other.xlam"', "OPEN1": "/R x.xll"}) == "OPEN2"
    assert open_value_to_set({"Open": '"C:\\a\\other.xlam"', "OPEN1": '"C:\\Users\\u\\XLADDIN.XLAM"'}) is None
    assert open_value_to_set({"DefaultPath": "C:\\docs"}) == "OPEN"
    assert open_value_to_remove({"OPEN": "other.xlam", "OPEN1": '"C:\\x\\xladdin.xlam"', "OPEN2": "xladdin.xlam"}) == \
        ["OPEN1", "OPEN2"]


def test_install_and_uninstall_for_the_user_only(tmp_path: Path) -> None:
    xlam = tmp_path / "bundle" / "xladdin.xlam"
    xlam.parent.mkdir()
    xlam.write_bytes(b"PK add-in")
    places = Places.of_user({"APPDATA": str(tmp_path / "Roaming"), "USERPROFILE": str(tmp_path / "home")})
    registry = MemoryRegistry({OPTIONS: {"OPEN": '"C:\\tools\\other.xlam"'}})
    done = install(xlam, places, registry, python=r"C:\py\pythonw.exe", encoding="gbk")
    target = tmp_path / "Roaming" / "Microsoft" / "AddIns" / "xladdin.xlam"
    assert target.read_bytes() == b"PK add-in" and any("受信任位置" in d for d in done)
    assert registry.keys[OPTIONS] == {"OPEN": '"C:\\tools\\other.xlam"', "OPEN1": f'"{target}"'}
    assert registry.keys[TRUSTED] == {"Path": str(target.parent) + "\\", "AllowSubfolders": 0,
                                      "Description": "xladdin 加载项"}
    assert (tmp_path / "home" / ".xladdin" / "xladdin.conf").read_bytes().startswith(b'"ADD_WORKBOOK_TO_PYTHONPATH"')
    install(xlam, places, registry, python=r"C:\py\pythonw.exe", encoding="gbk")  # again: still one OPEN value
    assert len(registry.keys[OPTIONS]) == 2
    assert set(registry.keys) == {OPTIONS, TRUSTED}  # HKCU only, Office 16.0 when none is found

    uninstall(places, registry)
    assert registry.keys[OPTIONS] == {"OPEN": '"C:\\tools\\other.xlam"'} and TRUSTED not in registry.keys
    assert not target.exists() and not places.conf.exists()


def test_cmd_files_are_gbk_crlf_and_safe_for_cmd() -> None:
    for text in (install_cmd("0.1.0", "3.11"), uninstall_cmd()):
        data = text.encode(CMD_ENCODING)
        assert not data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
        assert "chcp" not in text
        depth = 0
        for line in text.split("\r\n"):
            command = line.strip()
            if command.startswith("echo"):
                said = command[4:]
                assert not re.search(r"[&|<>^]", said), line  # cmd would treat these as operators
                if depth:
                    assert not re.search(r"[()]", said), line  # would close the block early
            else:
                assert command.isascii(), line  # only the messages are Chinese
            depth += command.endswith("(") - (command == ")")
        assert depth == 0
    install = install_cmd("0.1.0", "3.11")
    assert "--no-index" in install and '--find-links "%~dp0wheels"' in install
    assert "EXCEL.EXE" in install and "%LOCALAPPDATA%\\xladdin\\venv" in install
    assert "xladdin.excel.install install --xlam" in install


def test_readme_says_what_office_staff_need() -> None:
    text = readme_text("0.1.0", "3.11", "win_amd64", ["a.whl", "b.whl"])
    for needed in ["不需要管理员权限", "Ctrl+Shift+Enter", "WPS", "卸载.cmd", "受信任位置", "Python 3.11", "    a.whl"]:
        assert needed in text, needed
