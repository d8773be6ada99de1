"""Listing and restoring the master's backups (``xladdin backups`` / ``xladdin restore``, ribbon 恢复备份).

A restore is a job like any other: owner lock files honoured, the job lock held, the current master
backed up first (unless an identical backup exists) and replaced atomically only if nobody saved it
meanwhile. The backup restored is vetted like any workbook before it is put back.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from xladdin.core.settings import default_settings
from xladdin.engines.guards import vetting as safety
from xladdin.engines.guards.backups import BackupEntry, find_backup, list_backups
from xladdin.jobs.session import commit_result, job_snapshot, load_settings

__all__ = ["RESTORE_JOB", "Restored", "backup_lines", "backup_time", "list_backups", "restore_backup"]

RESTORE_JOB = "恢复备份"


@dataclass(frozen=True)
class Restored:
    master: Path
    source: Path
    changed: bool  # False: the master already held exactly those bytes


def backup_time(entry: BackupEntry) -> str:
    """When the copy was taken, as staff read it: ``2022-07-10 09:30:00``."""
    return entry.time.replace("T", " ")


def backup_lines(entries: list[BackupEntry]) -> list[str]:
    """One line per backup for staff: number, time, the job that ran after it, month, changes."""
    lines = []
    for n, e in enumerate(entries, start=1):
        month = f"{e.month}月" if e.month else "—"
        keep = "（保留至新月份汇总）" if e.protected else ""
        lines.append(f"{n:>3}  {backup_time(e)}  {e.job}前  月份 {month}  {e.changes or '—'}  {e.file}{keep}")
    return lines


def restore_backup(master: Path, which: str, progress: Callable[[str], None] | None = None) -> Restored:
    """Put backup ``which`` (number, file name or path) back as ``master``, backing up the current file first."""
    from xladdin.engines.files import FileEngine

    def status(text: str) -> None:
        if progress is not None:
            progress(text)

    master = Path(master)
    source = find_backup(master, which)
    safety.inspect_package(source)
    with job_snapshot(master) as files:
        try:
            engine = FileEngine(files.original)
            try:
                settings, _ = load_settings(engine)
            finally:
                engine.close()
        except Exception:  # the current file may be the damaged one being replaced: default retention
            settings = default_settings()
        status(f"正在恢复备份 {source.name} …")
        safety.atomic_write(files.work, lambda tmp: shutil.copyfile(source, tmp))
        changed = commit_result(files, settings, status, RESTORE_JOB, None, f"恢复为 {source.name}")
    return Restored(master, source, changed)
