"""Nothing lost, nothing let in: vet workbook files before parsing and write them safely.

Imports only the standard library, defusedxml and msoffcrypto (no openpyxl): the file engine
calls these before it loads or saves. ``inspect_package`` rejects what must not be parsed
(not a zip, truncated, encrypted, legacy .xls, zip bombs, XML entity declarations) by reading
the zip directory and each XML part's prolog (streamed up to its root element), never inflating a whole member;
``at_risk_parts`` (in ``package_risks``) lists what openpyxl would drop on save;
``atomic_write``/``backup``/``job_lock`` make an in-place job safe; ``csv_safe`` defuses
spreadsheet formula injection in CSV output.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path
from typing import IO

from xladdin import errors
from xladdin.engines.guards.writes import BACKUP_DIR, atomic_write, backup, job_lock, lock_path
from xladdin.engines.xlsx.risks import Risk, package_risks, risk_texts

__all__ = [
    "BACKUP_DIR",
    "Risk",
    "at_risk_parts",
    "atomic_write",
    "backup",
    "csv_safe",
    "decrypt",
    "inspect_bytes",
    "inspect_package",
    "is_encrypted",
    "job_lock",
    "lock_path",
    "package_risks",
    "prolog_is_clean",
]

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a normal zip; an empty zip
MAX_MEMBERS = 20_000
_RATIO_FLOOR = 10 * 2**20  # compression ratios are only judged on members larger than this
_CHUNK = 4096  # a prolog is usually under 100 bytes: inflate little of each part
_NAME_START = re.compile(rb"[A-Za-z_:\x80-\xff]")


def _mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MB" if n >= 2**20 else f"{n / 1024:,.1f} KB"


def inspect_package(
    path: Path, *, max_member: int = 200 * 2**20, max_total: int = 1 * 2**30, max_ratio: float = 200.0
) -> None:
    """Raise a project error if ``path`` is not a workbook we may safely parse.

    Checks, in order and without inflating any member: the file exists; it is not an encrypted
    or legacy (OLE2) file; it is a complete zip with an Excel workbook part; the declared
    uncompressed sizes stay under ``max_member`` each and ``max_total`` in all, with no member
    above 10 MB compressed more than ``max_ratio`` times (zip bomb); no XML part declares a
    DOCTYPE or entities (billion laughs, XXE: OOXML never needs them).
    """
    path = Path(path)
    if not path.is_file():
        raise errors.WorkbookUnreadable(f"找不到文件“{path}”，请检查路径。")
    with path.open("rb") as fh:
        _inspect_stream(fh, path.name, max_member=max_member, max_total=max_total, max_ratio=max_ratio)


def inspect_bytes(data: bytes, label: str) -> None:
    """``inspect_package``'s checks on a workbook already read into memory (the bytes a job will parse)."""
    _inspect_stream(io.BytesIO(data), label)


def _inspect_stream(fh: IO[bytes], label: str, *, max_member: int = 200 * 2**20, max_total: int = 1 * 2**30,
                    max_ratio: float = 200.0) -> None:
    head = fh.read(8)
    if head.startswith(OLE2_MAGIC):
        fh.seek(0)
        if is_encrypted_ole(fh):
            raise errors.EncryptedWorkbook(
                f"工作簿“{label}”设有打开密码，无法读取；请用 --password 提供密码"
                "（或在 Excel 中取消打开密码后再试）。"
            )
        raise _legacy(label)
    if not head.startswith(ZIP_MAGIC):
        raise errors.WorkbookUnreadable(
            f"“{label}”不是 Excel 工作簿（.xlsx/.xlsm），无法读取；请确认文件类型，"
            "如为 CSV 或其他格式请先在 Excel 中另存为 .xlsx。"
        )
    fh.seek(0)
    check_zip(fh, label, max_member=max_member, max_total=max_total, max_ratio=max_ratio)


def _legacy(label: str) -> errors.WorkbookUnreadable:
    return errors.WorkbookUnreadable(
        f"“{label}”是旧版 Excel 97-2003 工作簿（.xls），本工具只处理 .xlsx/.xlsm。"
        "请在 Excel 或 WPS 中“另存为”Excel 工作簿（*.xlsx）后再试；"
        "没有 Excel 时可运行：soffice --headless --convert-to xlsx 文件名.xls"
    )


def check_zip(
    fileobj: IO[bytes],
    label: str,
    *,
    max_member: int = 200 * 2**20,
    max_total: int = 1 * 2**30,
    max_ratio: float = 200.0,
) -> None:
    """The zip-level checks of ``inspect_package`` on an open binary file (also used after decrypting)."""
    try:
        with zipfile.ZipFile(fileobj) as zf:
            infos = zf.infolist()
            _check_sizes(infos, label, max_member, max_total, max_ratio)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
                raise errors.WorkbookUnreadable(
                    f"“{label}”是压缩包，但不是 Excel 工作簿（缺少工作簿部件），无法读取。"
                )
            for info in infos:
                if info.filename.endswith((".xml", ".rels", ".vml")) and info.file_size:
                    with zf.open(info) as member:
                        clean = prolog_is_clean(member)
                    if not clean:
                        raise errors.HostileWorkbook(
                            f"“{label}”的部件 {info.filename} 含有 XML 实体声明（可能是“实体膨胀”攻击），"
                            "已拒绝读取。请让报送单位用 Excel 重新保存后再发送。"
                        )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, zlib.error) as exc:
        raise errors.WorkbookUnreadable(
            f"“{label}”已损坏或不完整（可能下载或复制中断），无法读取；请重新获取该文件。"
        ) from exc


def prolog_is_clean(member: IO[bytes]) -> bool:
    """Parse an XML document's prolog, streamed, up to its root element: only an XML declaration,
    processing instructions, comments and whitespace may come first (each of any length). False
    for a DOCTYPE (the only place entities can be declared: billion laughs, XXE), any other ``<!``
    declaration, text before the root, or no root element at all. Never reads past the root's ``<``."""
    buf = b""
    eof = False

    def more() -> bool:
        nonlocal buf, eof
        if eof:
            return False
        chunk = member.read(_CHUNK)
        eof = not chunk
        buf += chunk
        return bool(chunk)

    def skip_to(end: bytes) -> bool:  # drop everything up to and including ``end``
        nonlocal buf
        while True:
            at = buf.find(end)
            if at >= 0:
                buf = buf[at + len(end):]
                return True
            buf = buf[-(len(end) - 1):]  # keep what could begin ``end``
            if not more():
                return False

    more()
    if buf.startswith(b"\xef\xbb\xbf"):
        buf = buf[3:]
    while True:
        buf = buf.lstrip(b" \t\r\n")
        while len(buf) < 4 and more():
            buf = buf.lstrip(b" \t\r\n")
        if not buf:
            return False  # no root element
        if buf.startswith(b"<?"):
            if not skip_to(b"?>"):
                return False
        elif buf.startswith(b"<!--"):
            buf = buf[4:]
            if not skip_to(b"-->"):
                return False
        else:  # the root element (entities can only be declared before it) is fine; <!DOCTYPE, <!ENTITY,
            # other declarations and text before the root are not
            return buf.startswith(b"<") and _NAME_START.match(buf, 1) is not None


def _check_sizes(
    infos: list[zipfile.ZipInfo], label: str, max_member: int, max_total: int, max_ratio: float
) -> None:
    if len(infos) > MAX_MEMBERS:
        raise errors.HostileWorkbook(f"“{label}”包含 {len(infos)} 个部件，远超正常工作簿，已拒绝读取。")
    total = 0
    for info in infos:
        total += info.file_size
        too_big = info.file_size > max_member
        ratio = info.file_size / max(info.compress_size, 1)
        if too_big or (info.file_size > _RATIO_FLOOR and ratio > max_ratio):
            raise errors.HostileWorkbook(
                f"“{label}”的部件 {info.filename} 解压后为 {_mib(info.file_size)}"
                f"（压缩比 {ratio:,.0f} 倍），疑似“压缩炸弹”，已拒绝读取。"
            )
    if total > max_total:
        raise errors.HostileWorkbook(
            f"“{label}”解压后共 {_mib(total)}，超过上限 {_mib(max_total)}，疑似“压缩炸弹”，已拒绝读取。"
        )


def is_encrypted_ole(fileobj: IO[bytes]) -> bool:
    """True when an OLE2 compound file is encrypted (an OOXML EncryptedPackage or a protected .xls)."""
    import msoffcrypto

    try:
        return bool(msoffcrypto.OfficeFile(fileobj).is_encrypted())
    except Exception:  # not an Office file msoffcrypto knows: treat as plain legacy
        return False


def is_encrypted(path: Path) -> bool:
    """True when ``path`` is a password-protected (encrypted) Office workbook."""
    with Path(path).open("rb") as fh:
        if not fh.read(8).startswith(OLE2_MAGIC):
            return False
        fh.seek(0)
        return is_encrypted_ole(fh)


def decrypt(path: Path, password: str) -> io.BytesIO:
    """Decrypt a password-protected workbook in memory; the result is vetted like a file on disk."""
    import msoffcrypto
    from msoffcrypto.exceptions import InvalidKeyError

    path = Path(path)
    out = io.BytesIO()
    with path.open("rb") as fh:
        try:
            office = msoffcrypto.OfficeFile(fh)
            office.load_key(password=password, verify_password=True)
            office.decrypt(out)
        except InvalidKeyError as exc:
            raise errors.EncryptedWorkbook(f"工作簿“{path.name}”的密码不正确，请核对后重试。") from exc
        except Exception as exc:  # msoffcrypto raises bare exceptions for unsupported files
            raise errors.WorkbookUnreadable(f"无法解密“{path.name}”：{exc}") from exc
    if out.getvalue().startswith(OLE2_MAGIC):
        raise _legacy(path.name)
    out.seek(0)
    check_zip(out, path.name)
    out.seek(0)
    return out


def encrypt_to(data: bytes, password: str, target: Path) -> None:
    """Write workbook ``data`` (a plain .xlsx package) to ``target`` encrypted with ``password``
    (ECMA-376 agile encryption, as Excel does): a workbook opened with a password is saved with it."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with Path(target).open("wb") as out:
        OOXMLFile(io.BytesIO(data)).encrypt(password, out)


def at_risk_parts(path: Path, *, keep_vba: bool | None = None, include_minor: bool = False) -> list[str]:
    """Chinese descriptions of content an openpyxl load + save of ``path`` would drop or alter
    (empty list: safe to save in place). The file is vetted with ``inspect_package`` first.
    ``keep_vba`` defaults to True for .xlsm/.xlam/.xltm; minor losses (``ignoredErrors``,
    always-visible notes) are left out unless ``include_minor``. See ``package_risks`` for keys."""
    inspect_package(path)
    return risk_texts(package_risks(path, keep_vba=keep_vba), include_minor=include_minor)


# -- injection --------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def csv_safe(text: str) -> str:
    """Prefix ``'`` to text a spreadsheet would read as a formula (OWASP CSV injection):
    cells starting with = + - @ tab or CR (and their full-width forms, which WPS may accept)."""
    return "'" + text if text.startswith(_FORMULA_START) else text
