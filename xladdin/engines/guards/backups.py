"""Backups that keep what matters: a dated copy of the master before every job that changed it,
listed in a small JSON index beside the copies in ``备份/``, never two with the same bytes.

Standard library and ``errors`` only. ``keep_backup`` files the pre-run original of a job that
changed the master (no backup when nothing changed is the session's part); ``list_backups`` reads
the index (reconciled with the folder: a copy deleted by hand disappears from the list, a copy
without an entry, e.g. from an older version, is listed with what its name tells).

Retention (assumption: the plan is silent; this follows the usual office practice of keeping the
state before each reporting period): the pre-run original of every job is kept until a
consolidation of a newer month is backed up after it (``protected``); other copies are kept while
they are among the newest 备份保留份数 and younger than 备份保留天数.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

from xladdin import errors
from xladdin.engines.guards.writes import BACKUP_DIR, atomic_write

__all__ = ["CONSOLIDATE_JOB", "BackupEntry", "find_backup", "index_path", "keep_backup", "list_backups"]

CONSOLIDATE_JOB = "月度汇总"


@dataclass(frozen=True)
class BackupEntry:
    file: str  # name inside 备份/
    time: str  # ISO time the copy was taken (just before the job replaced the master)
    job: str  # the job that ran after this copy was taken: 月度汇总, 校验标注, 恢复备份 …
    month: int | None  # the job's month (consolidation), if any
    changes: str  # what the job changed, in a few words
    sha256: str
    size: int
    protected: bool = False  # filled by list_backups: kept until a newer month's consolidation


def index_path(master: Path) -> Path:
    master = Path(master)
    return master.parent / BACKUP_DIR / f"{master.stem}-备份记录.json"


def _pattern(master: Path) -> re.Pattern[str]:
    return re.compile(re.escape(master.stem) + r"-(\d{8}-\d{6})(?:-(\d+))?" + re.escape(master.suffix))


def _load(master: Path) -> list[BackupEntry]:
    folder = Path(master).parent / BACKUP_DIR
    entries: list[BackupEntry] = []
    with contextlib.suppress(OSError, ValueError, TypeError):
        raw = json.loads(index_path(master).read_text(encoding="utf-8"))
        for item in raw.get("backups", []):
            item.pop("protected", None)
            entries.append(BackupEntry(**item))
    entries = [e for e in entries if (folder / e.file).is_file()]
    known = {e.file for e in entries}
    pattern = _pattern(Path(master))
    with contextlib.suppress(OSError):
        for other in folder.iterdir():
            m = pattern.fullmatch(other.name)
            if m and other.name not in known and other.is_file():
                when = datetime.strptime(m.group(1), "%Y%m%d-%H%M%S").isoformat(timespec="seconds")
                entries.append(BackupEntry(other.name, when, "（无记录）", None, "", "", other.stat().st_size))
    return sorted(entries, key=lambda e: (e.time, e.file))


def _save(master: Path, entries: list[BackupEntry]) -> None:
    items = [{k: v for k, v in asdict(e).items() if k != "protected"} for e in entries]
    text = json.dumps({"master": Path(master).name, "backups": items}, ensure_ascii=False, indent=1)
    atomic_write(index_path(master), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _protected(entries: list[BackupEntry]) -> list[bool]:
    """Per entry (in time order): no consolidation of a newer month was backed up after it."""
    context: list[int] = []
    current = 0
    for e in entries:
        if e.job == CONSOLIDATE_JOB and e.month is not None:
            current = e.month
        context.append(current)
    out = []
    for i, _e in enumerate(entries):
        later = any(f.job == CONSOLIDATE_JOB and f.month is not None and f.month > context[i] for f in entries[i + 1:])
        out.append(not later)
    return out


def list_backups(master: Path) -> list[BackupEntry]:
    """The backups of ``master``, oldest first, each marked ``protected`` or not."""
    entries = _load(master)
    return [BackupEntry(**(asdict(e) | {"protected": p})) for e, p in zip(entries, _protected(entries), strict=True)]


def keep_backup(master: Path, original: Path, sha256: str, *, job: str, month: int | None, changes: str,
                keep: int, days: int, now: datetime | None = None) -> Path:
    """File ``original`` (the master's bytes before the job; moved, not copied) as a dated backup,
    unless a backup with the same bytes exists (then that one is returned and ``original`` left
    alone); then apply the retention rule. Returns the backup holding those bytes."""
    master = Path(master)
    if keep < 1:
        raise errors.UsageError(f"备份保留份数应至少为 1，现为 {keep}。")
    folder = master.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    now = now or datetime.now()
    entries = _load(master)
    same = next((e for e in entries if e.sha256 == sha256), None)
    if same is not None:
        return folder / same.file
    stamp = now.strftime("%Y%m%d-%H%M%S")
    taken = {p.name for p in folder.iterdir()}
    n = 1
    name = f"{master.stem}-{stamp}{master.suffix}"
    while name in taken:
        n += 1
        name = f"{master.stem}-{stamp}-{n}{master.suffix}"
    target = folder / name
    try:
        os.replace(original, target)
    except OSError:  # another file system: copy atomically
        atomic_write(target, lambda tmp: shutil.copyfile(original, tmp))
    entries.append(BackupEntry(name, now.isoformat(timespec="seconds"), job, month, changes, sha256,
                               target.stat().st_size))
    entries.sort(key=lambda e: (e.time, e.file))
    kept = _retain(entries, keep, days, now, folder)
    _save(master, kept)
    return target


def _retain(entries: list[BackupEntry], keep: int, days: int, now: datetime, folder: Path) -> list[BackupEntry]:
    protected = _protected(entries)
    newest = {e.file for e in entries[-keep:]}
    cutoff = now - timedelta(days=days)
    kept = []
    for e, p in zip(entries, protected, strict=True):
        young = datetime.fromisoformat(e.time) >= cutoff
        if p or (e.file in newest and young):
            kept.append(e)
        else:
            with contextlib.suppress(OSError):
                (folder / e.file).unlink()
    return kept


def find_backup(master: Path, which: str) -> Path:
    """A backup of ``master`` named by its number in ``list_backups`` (1 = oldest), its file name, or a path."""
    master = Path(master)
    entries = _load(master)
    folder = master.parent / BACKUP_DIR
    if which.isdigit() and 1 <= int(which) <= len(entries):
        return folder / entries[int(which) - 1].file
    for candidate in (folder / which, Path(which)):
        if candidate.is_file():
            return candidate
    raise errors.UsageError(
        f"找不到备份“{which}”。可用 xladdin backups {master.name} 查看备份列表，按序号或文件名指定。")
