"""One snapshot per job: a job reads and writes against the bytes it opened, never against a file
someone saved meanwhile; owner lock files of Excel, WPS and LibreOffice are honoured.

Standard library and ``errors`` only. ``JobFiles.open(master)`` copies the master into a private
folder in ``备份/`` (hashing it on the way: size, mtime and SHA-256 are its fingerprint) and gives the
engine a working copy of those bytes (``work``, a hard link where the file system has them). The
engine reads ``work`` and saves onto it (atomically, as always), so untouched zip members are copied
from the snapshot, never from the file on disk. ``commit`` then checks, just before the atomic
replace, that the master on disk is still the snapshot; if someone saved it meanwhile nothing is
overwritten: the result goes beside it (``<name>-汇总结果-<time>.xlsx``) and ``WorkbookChanged`` says
who saved when and how to redo the run. ``stage_hook`` (tests only) is called at every stage of a
job, so a concurrent save can be injected deterministically.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from xladdin import errors
from xladdin.engines.guards.writes import BACKUP_DIR, disk_full, fsync_dir, pid_alive, remove_dead_temps

__all__ = ["Fingerprint", "JobFiles", "check_not_open", "fingerprint", "lock_file_owner", "stage", "stage_hook"]

_CHUNK = 1 << 20
_JOB_DIR = ".xladdin-job-"

# Tests set this to inject a concurrent save (or a kill) at a named stage of a job:
# "snapshot" (copy taken), "job-done" (job ran, nothing saved), "saved" (result written to the
# working copy), "checked" (master verified unchanged, right before the backup), "backed-up" (right
# before the replace, which is preceded by one more size/mtime check).
stage_hook: Callable[[str, Path], None] | None = None


def stage(name: str, master: Path) -> None:
    if stage_hook is not None:
        stage_hook(name, master)


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    sha256: str


def fingerprint(path: Path) -> Fingerprint:
    st = Path(path).stat()
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return Fingerprint(st.st_size, st.st_mtime_ns, digest.hexdigest())


def _copy_hashing(src: Path, dst: Path) -> Fingerprint:
    """Copy ``src`` to ``dst`` and fingerprint the bytes copied; retried when ``src`` changes meanwhile."""
    for _attempt in range(3):
        before = src.stat()
        digest = hashlib.sha256()
        with src.open("rb") as fin, dst.open("wb") as fout:
            while chunk := fin.read(_CHUNK):
                digest.update(chunk)
                fout.write(chunk)
            fout.flush()
            os.fsync(fout.fileno())
        after = src.stat()
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns) \
                and dst.stat().st_size == after.st_size:
            return Fingerprint(after.st_size, after.st_mtime_ns, digest.hexdigest())
    raise errors.WorkbookLocked(f"“{src.name}”正在被其他程序反复写入，无法取得一致的副本，请稍后再试。")


# -- owner lock files of Excel / WPS / LibreOffice ----------------------------------------------------


def _excel_owner(data: bytes) -> str | None:
    """The user name in an Excel/WPS owner file (``~$name.xlsx``): byte 0 is the length of the
    ANSI name that follows (padded to 54 bytes); at offset 54 a 16-bit length precedes the same
    name in UTF-16LE (preferred: it holds Chinese names exactly)."""
    if len(data) >= 56:
        n = int.from_bytes(data[54:56], "little")
        if 0 < n <= 54 and len(data) >= 56 + 2 * n:
            with contextlib.suppress(UnicodeDecodeError):
                name = data[56:56 + 2 * n].decode("utf-16-le").strip("\x00 ")
                if name:
                    return name
    if data and 0 < data[0] <= 53 and len(data) > data[0]:
        raw = data[1:1 + data[0]]
        for codec in ("utf-8", "gbk", "latin-1"):
            with contextlib.suppress(UnicodeDecodeError):
                name = raw.decode(codec).strip("\x00 ")
                if name:
                    return name
    return None


def _libreoffice_owner(text: str) -> str | None:
    """``.~lock.name#``: one CSV line ``full name,host,user,date,profile;`` (commas escaped by ``\\``)."""
    fields = [f.replace("\\,", ",") for f in re.split(r"(?<!\\),", text.strip().rstrip(";"))]
    name = fields[0].strip() if fields else ""
    user = fields[2].strip() if len(fields) > 2 else ""
    host = fields[1].strip() if len(fields) > 1 else ""
    who = name or user
    if not who:
        return None
    return f"{who}（{host}）" if host else who


def lock_file_owner(path: Path) -> tuple[Path, str] | None:
    """The owner lock file beside ``path`` and the user it names, when Excel, WPS or LibreOffice
    holds the workbook open; None otherwise."""
    path = Path(path)
    name = path.name
    # Excel and WPS: ``~$name``, and the Word-style name for long names (the first two characters
    # replaced); WPS on Linux: ``.~name``. All read with the Excel owner-file layout, if any.
    candidates = [f"~${name}", *([f"~${name[2:]}"] if len(path.stem) > 2 else []), f".~{name}"]
    for candidate in candidates:
        lock = path.with_name(candidate)
        with contextlib.suppress(OSError):
            data = lock.read_bytes()[:512]
            return lock, _excel_owner(data) or "未知用户"
    lock = path.with_name(f".~lock.{name}#")
    with contextlib.suppress(OSError):
        text = lock.read_bytes()[:4096].decode("utf-8", errors="replace")
        return lock, _libreoffice_owner(text) or "未知用户"
    return None


def check_not_open(path: Path) -> None:
    """Refuse a job on a workbook someone has open in Excel, WPS or LibreOffice: the person who has
    it open would save over the job's result."""
    found = lock_file_owner(path)
    if found is not None:
        lock, who = found
        raise errors.WorkbookLocked(
            f"“{Path(path).name}”正由 {who} 在 Excel/WPS/LibreOffice 中打开，本次未做任何修改。"
            f"请对方保存并关闭该文件后再运行；如确认已无人打开（例如程序异常退出后遗留），可删除“{lock.name}”后重试。"
        )


def _who_saved(path: Path) -> str:
    """"张三 于 2026-12-02 10:31:05": the file's owner and modification time, plus the user an
    owner lock file names (who has it open now), as far as the platform tells."""
    try:
        st = path.stat()
    except OSError:
        return "他人（文件已被移走或删除）"
    when = datetime.fromtimestamp(st.st_mtime).strftime("%Y-%m-%d %H:%M:%S")
    owner = ""
    with contextlib.suppress(ImportError, KeyError, AttributeError):
        import pwd

        owner = pwd.getpwuid(st.st_uid).pw_name
    found = lock_file_owner(path)
    opened = f"，目前由 {found[1]} 打开" if found else ""
    return f"{owner or '他人'} 于 {when} 保存{opened}"


# -- the job's files ------------------------------------------------------------------------------------


def remove_dead_job_dirs(folder: Path) -> None:
    """Snapshot folders of killed jobs (``备份/.xladdin-job-<pid>-…``) whose process is gone."""
    with contextlib.suppress(OSError):
        for d in folder.glob(_JOB_DIR + "*"):
            m = re.fullmatch(re.escape(_JOB_DIR) + r"(\d+)-[0-9a-f]{8}", d.name)
            if m and d.is_dir() and not pid_alive(int(m.group(1))):
                shutil.rmtree(d, ignore_errors=True)


class JobFiles:
    """The snapshot of one job on ``master``: ``original`` (the bytes opened, fingerprinted) and
    ``work`` (what the engine opens and saves onto; same file name as the master, so messages
    name the right file). Remove with ``cleanup``."""

    def __init__(self, master: Path, folder: Path, original: Path, work: Path, fp: Fingerprint) -> None:
        self.master, self.folder, self.original, self.work, self.fp = master, folder, original, work, fp
        self.made_backups_dir = False  # 备份/ created for this job: removed again if the job left it empty

    @classmethod
    def open(cls, master: Path) -> JobFiles:
        master = Path(master)
        if not master.is_file():
            raise errors.WorkbookUnreadable(f"找不到文件“{master}”，请检查路径。")
        backups = master.parent / BACKUP_DIR
        made = not backups.exists()
        try:
            backups.mkdir(exist_ok=True)
            remove_dead_temps(master.parent)
            remove_dead_temps(backups)
            remove_dead_job_dirs(backups)
            folder = backups / f"{_JOB_DIR}{os.getpid()}-{uuid.uuid4().hex[:8]}"
            folder.mkdir()
        except OSError as exc:
            raise _os_error(exc, master) from exc
        original = folder / ("原始" + master.suffix)
        work = folder / master.name
        try:
            fp = _copy_hashing(master, original)
            try:
                os.link(original, work)
            except OSError:  # no hard links here (FAT, some shares): a second copy
                shutil.copyfile(original, work)
        except BaseException as exc:
            shutil.rmtree(folder, ignore_errors=True)
            if isinstance(exc, OSError):
                raise _os_error(exc, master) from exc
            raise
        files = cls(master, folder, original, work, fp)
        files.made_backups_dir = made
        stage("snapshot", master)
        return files

    def changed(self) -> bool:
        """Did the job's save change the working copy's bytes?"""
        with contextlib.suppress(OSError):
            if os.path.samefile(self.work, self.original):
                return False
            if self.work.stat().st_size != self.fp.size:
                return True
        return fingerprint(self.work).sha256 != self.fp.sha256

    def _unchanged_on_disk(self, *, full: bool) -> bool:
        try:
            st = self.master.stat()
        except OSError:
            return False
        if (st.st_size, st.st_mtime_ns) != (self.fp.size, self.fp.mtime_ns):
            return False
        return not full or fingerprint(self.master).sha256 == self.fp.sha256

    def commit(self, backup: Callable[[Path, Fingerprint], object], *, job: str, result_label: str) -> Path:
        """Replace the master with ``work`` if the master on disk is still the snapshot (after
        ``backup(original, fingerprint)``); else write ``work`` beside it and raise ``WorkbookChanged``."""
        stage("saved", self.master)
        try:
            if self._unchanged_on_disk(full=True):
                stage("checked", self.master)
                backup(self.original, self.fp)
                stage("backed-up", self.master)
                if self._unchanged_on_disk(full=False):
                    if self.master.exists():
                        shutil.copymode(self.master, self.work)
                    os.replace(self.work, self.master)
                    fsync_dir(self.master.parent)
                    return self.master
            beside = self.master.with_name(
                f"{self.master.stem}-{result_label}-{datetime.now().strftime('%Y%m%d-%H%M%S')}{self.master.suffix}")
            os.replace(self.work, beside)
            fsync_dir(beside.parent)
        except OSError as exc:
            raise _os_error(exc, self.master) from exc
        raise errors.WorkbookChanged(
            f"本次{job}运行期间，“{self.master.name}”已被 {_who_saved(self.master)}。为保护对方的修改，原文件未被覆盖；"
            f"本次{job}的结果已另存为“{beside.name}”（基于运行开始时的台账，不含对方的修改）。"
            f"请待对方保存并关闭台账后，在最新的台账上重新运行本次{job}（重新执行同一命令或再次点击按钮），"
            f"确认无误后可删除“{beside.name}”。",
            str(beside),
        )

    def cleanup(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.made_backups_dir:  # a job that backed nothing up (--output, no change, refused) leaves no empty 备份
            with contextlib.suppress(OSError):
                self.folder.parent.rmdir()


def _os_error(exc: OSError, master: Path) -> errors.XladdinError:
    if exc.errno == errno.ENOSPC:
        return disk_full(master)
    if isinstance(exc, PermissionError):
        return errors.WorkbookLocked(
            f"无法写入“{master.name}”所在文件夹或文件（{exc.strerror}）：可能正被其他程序打开或没有写权限。原文件未修改。")
    return errors.WorkbookUnreadable(f"处理“{master.name}”时出错（{exc.strerror or exc}），原文件未修改。")
