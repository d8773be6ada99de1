"""Safe in-place writes: atomic replace, dated backups with retention, and a per-workbook job lock.

Imports only the standard library and ``errors``. Re-exported by ``safety``; the file engine
wraps every save in ``atomic_write`` and every in-place job in ``job_lock`` + ``backup``.
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import json
import os
import re
import shutil
import socket
import sys
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from xladdin import errors

__all__ = ["BACKUP_DIR", "atomic_write", "backup", "disk_full", "fsync_dir", "job_lock", "lock_path", "pid_alive",
           "remove_dead_temps"]

BACKUP_DIR = "备份"

# -- safe writes ------------------------------------------------------------------------------------

_TEMP_TAG = ".xladdin-tmp-"


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.stem}{_TEMP_TAG}{os.getpid()}-{uuid.uuid4().hex[:8]}{path.suffix}")


_DEAD_TEMP = re.compile(r"\..*" + re.escape(_TEMP_TAG) + r"(\d+)-[0-9a-f]{8}(\.[^.]*)?")


def remove_dead_temps(folder: Path) -> None:
    """Delete every temp file a killed writer left in ``folder`` (``.<name>.xladdin-tmp-<pid>-…``
    whose pid no longer runs), whatever file it was writing: a master, a dated backup …"""
    with contextlib.suppress(OSError):
        for other in Path(folder).glob(f".*{_TEMP_TAG}*"):
            m = _DEAD_TEMP.fullmatch(other.name)
            if m and not _pid_alive(int(m.group(1))):
                with contextlib.suppress(OSError):
                    other.unlink()


def disk_full(path: Path) -> errors.DiskFull:
    return errors.DiskFull(
        f"磁盘空间不足，无法保存“{Path(path).name}”，原文件未修改。请清理磁盘（或换到空间充足的位置）后重新运行。"
    )


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where directories cannot be opened)."""
    if hasattr(os, "O_DIRECTORY"):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Call ``write(temp)`` then atomically replace ``path`` with ``temp``.

    The temp file sits in the same folder (so the rename is atomic), is fsynced before the
    replace, and is removed if ``write`` raises. If the process is killed, ``path`` is untouched
    and the hidden temp (``.<name>.xladdin-tmp-<pid>-…``) is removed by the next write.
    """
    path = Path(path)
    remove_dead_temps(path.parent)
    temp = _temp_name(path)
    try:
        write(temp)
        with temp.open("rb+") as fh:
            os.fsync(fh.fileno())
        if path.exists():
            shutil.copymode(path, temp)
        try:
            os.replace(temp, path)
        except PermissionError as exc:  # Windows: the file is open in Excel/WPS
            raise errors.WorkbookLocked(
                f"无法保存“{path.name}”：文件正被其他程序（如 Excel、WPS）打开。请关闭该文件后重试，原文件未改动。"
            ) from exc
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise disk_full(path) from exc
        raise
    fsync_dir(path.parent)


def backup(path: Path, keep: int) -> Path:
    """Copy ``path`` into a "备份" folder beside it as ``<stem>-<YYYYmmdd-HHMMSS>[-n]<suffix>``;
    keep only the newest ``keep`` backups of that file. Returns the new backup."""
    path = Path(path)
    if keep < 1:
        raise errors.UsageError(f"备份保留份数应至少为 1，现为 {keep}。")
    if not path.is_file():
        raise errors.WorkbookUnreadable(f"找不到文件“{path}”，无法备份。")
    folder = path.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    pattern = re.compile(re.escape(path.stem) + r"-(\d{8}-\d{6})(?:-(\d+))?" + re.escape(path.suffix))

    def existing() -> list[tuple[str, int, Path]]:
        found = []
        for other in folder.iterdir():
            m = pattern.fullmatch(other.name)
            if m:
                found.append((m.group(1), int(m.group(2) or 1), other))
        return sorted(found)

    n = max((count for when, count, _ in existing() if when == stamp), default=0) + 1
    target = folder / (
        f"{path.stem}-{stamp}{path.suffix}" if n == 1 else f"{path.stem}-{stamp}-{n}{path.suffix}"
    )

    def copy(tmp: Path) -> None:
        shutil.copyfile(path, tmp)

    atomic_write(target, copy)
    found = existing()
    for _, _, old in found[: max(len(found) - keep, 0)]:
        with contextlib.suppress(OSError):
            old.unlink()
    return target


# -- job lock ---------------------------------------------------------------------------------------


def lock_path(path: Path) -> Path:
    """The lock file of a workbook: ``.~xladdin-<name>.lock`` beside it."""
    path = Path(path)
    return path.with_name(f".~xladdin-{path.name}.lock")


def pid_alive(pid: int) -> bool:
    """Is process ``pid`` running on this host?"""
    return _pid_alive(pid)


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # os.kill(pid, 0) would send CTRL_C_EVENT on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _older_than(file: Path, seconds: float) -> bool:
    try:
        return datetime.now().timestamp() - file.stat().st_mtime > seconds
    except OSError:
        return False


def _read_lock(lock: Path) -> dict[str, object] | None:
    try:
        data = json.loads(lock.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@contextlib.contextmanager
def job_lock(path: Path) -> Iterator[None]:
    """Hold the workbook's job lock for the ``with`` block.

    The lock file records user, host, pid and start time. A second holder gets
    ``WorkbookLocked`` naming who runs the job; a lock left by a dead process on this host
    is taken over. The lock is removed on exit only if it is still ours.
    """
    lock = lock_path(path)
    me = {
        "user": getpass.getuser(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started": datetime.now().isoformat(timespec="seconds"),
        "token": uuid.uuid4().hex,
    }
    for _attempt in range(3):
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            other = _read_lock(lock)
            stale = (
                other is not None
                and other.get("host") == me["host"]
                and not _pid_alive(int(str(other.get("pid", 0))))
            )
            if stale:
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()
                continue
            if other is None and _older_than(lock, 60):  # half-written by a process killed a while ago
                with contextlib.suppress(FileNotFoundError):
                    lock.unlink()
                continue
            if other is None and lock.exists():  # being written right now, or unreadable
                other = {"user": "?", "host": "?", "started": "?", "pid": "?"}
            if other is None:
                continue  # released meanwhile
            raise errors.WorkbookLocked(
                f"工作簿“{Path(path).name}”正在由 {other.get('user')}@{other.get('host')} 于 "
                f"{str(other.get('started')).replace('T', ' ')} 运行任务（进程 {other.get('pid')}），"
                f"请待其完成后再试。如确认对方已退出，可删除锁文件“{lock.name}”。"
            ) from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(me, fh, ensure_ascii=False)
        break
    else:
        raise errors.WorkbookLocked(f"无法获得工作簿“{Path(path).name}”的任务锁，请稍后再试。")
    try:
        yield
    finally:
        current = _read_lock(lock)
        if current is not None and current.get("token") == me["token"]:
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()
