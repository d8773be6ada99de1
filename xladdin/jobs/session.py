"""What every job needs: settings from the workbook, the ledger, and a safe in-place session on a file.

Engine-agnostic except ``open_for_job``, which is the file path's way in (lock, backup,
atomic save). Live Excel goes through the same job functions with an ``ExcelEngine``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from xladdin.core.findings import Finding
from xladdin.core.ledger import REQUIRED_COLUMNS, Ledger, find_ledger_sheet, read_ledger
from xladdin.core.regions import SHEETS
from xladdin.core.settings import Settings, default_settings, parse_settings
from xladdin.engines.base import ALL_WRITES, Engine
from xladdin.engines.guards import vetting as safety
from xladdin.engines.guards.backups import CONSOLIDATE_JOB, keep_backup
from xladdin.engines.guards.snapshot import Fingerprint, JobFiles, check_not_open, stage
from xladdin.errors import EngineUnsupported, WorkbookUnreadable
from xladdin.jobs.collector import collector_paused

if TYPE_CHECKING:
    from xladdin.engines.files import FileEngine
    from xladdin.engines.patch import PatchEngine
    from xladdin.engines.xlsx.early_read import EarlyRead

__all__ = ["commit_result", "job_snapshot", "load_ledger", "load_settings", "open_for_job", "run_in_place"]

T = TypeVar("T")


def load_settings(engine: Engine) -> tuple[Settings, list[Finding]]:
    """Settings from the workbook's 参数 sheet when it has one, else the shipped defaults."""
    if SHEETS["settings"] in engine.sheet_names():
        return parse_settings(engine.read(SHEETS["settings"]))
    return default_settings(), []


def load_ledger(engine: Engine, settings: Settings, sheet: str | None = None,
                required: Sequence[str] = REQUIRED_COLUMNS) -> Ledger:
    """The workbook's ledger; only the ``required`` columns refuse the job when absent."""
    return read_ledger(find_ledger_sheet(engine.sheet_names(), engine.read, settings, sheet), settings,
                       required=required)


@contextmanager
def open_for_job(path: Path, *, output: Path | None = None, password: str | None = None,
                 progress: Callable[[str], None] | None = None, job: str = "校验标注",
                 month: int | None = None) -> Iterator[FileEngine]:
    """A writable engine on ``path`` for one job: refused while someone has the workbook open
    (owner lock file), locked against a second runner, working on a snapshot of the bytes it
    opened; saved only when the job finishes without raising, and then only if it changed
    something: the original is backed up (``备份/``) and replaced atomically unless someone saved
    it meanwhile (then the result goes beside it, ``WorkbookChanged``). With ``output`` the
    original is never written and content openpyxl cannot keep may be dropped from the new file."""
    with job_snapshot(Path(path)) as files, _file_session(files, output, password, progress, job, month) as engine:
        yield engine


@contextmanager
def job_snapshot(path: Path) -> Iterator[JobFiles]:
    """Owner lock files honoured, the job lock held, a snapshot taken (removed on exit)."""
    check_not_open(path)
    with safety.job_lock(path):
        files = JobFiles.open(path)
        try:
            yield files
        finally:
            files.cleanup()


def commit_result(files: JobFiles, settings: Settings, status: Callable[[str], None], job: str, month: int | None,
                  changes: str, password: str | None = None) -> bool:
    """Back up the original and replace the master with the job's result, if the result differs
    (False: nothing changed, nothing written). ``password``: the result is encrypted with it (as
    the original was) and is vetted decrypted, as it will be opened next time."""
    if not files.changed():
        status("台账内容无变化，未修改原文件，也未备份。")
        return False
    try:  # never write a workbook that our own checks would refuse to open next time
        if password:
            safety.decrypt(files.work, password)
        else:
            safety.inspect_package(files.work)
    except WorkbookUnreadable as exc:
        raise WorkbookUnreadable(f"本次{job}的结果未通过安全检查（{exc.message}），为免生成无法再打开的台账，"
                                 "未保存，原文件未修改。") from exc
    status("正在备份原台账并保存 …")
    t = settings.thresholds

    def backup(original: Path, fp: Fingerprint) -> None:
        keep_backup(files.master, original, fp.sha256, job=job, month=month, changes=changes,
                    keep=t.backups_kept, days=t.backup_days)

    files.commit(backup, job=job, result_label=_RESULT_LABELS.get(job, "结果"))
    return True


_RESULT_LABELS = {CONSOLIDATE_JOB: "汇总结果", "校验标注": "校验结果", "恢复备份": "恢复结果"}


def job_settings(result: object, engine: Engine) -> Settings:
    """The 参数 the job ran with when its result carries them (``ConsolidationResult.settings``),
    else 参数 parsed now: the backup count and age are read once per job, not parsed again."""
    carried = getattr(result, "settings", None)
    return carried if isinstance(carried, Settings) else load_settings(engine)[0]


@contextmanager
def _file_session(files: JobFiles, output: Path | None, password: str | None,
                  progress: Callable[[str], None] | None, job: str, month: int | None,
                  changes: Callable[[], str] | None = None,
                  result: Callable[[], object] | None = None) -> Iterator[FileEngine]:
    """``open_for_job`` on a snapshot the caller holds; ``result()``: the job's result, whose
    settings (``job_settings``) spare parsing 参数 again."""
    from xladdin.engines.files import FileEngine

    engine = FileEngine(files.work, writable=True, password=password, allow_loss=output is not None,
                        progress=progress)
    try:
        yield engine
        stage("job-done", files.master)
        settings = job_settings(result() if result is not None else None, engine)
        engine.save(output)
    finally:
        engine.close()
    if output is None:  # the engine is closed: nothing holds the working copy open while it moves
        commit_result(files, settings, engine.status, job, month, changes() if changes else job, password)


def run_in_place(path: Path, job: Callable[[Engine], T], *, needs: frozenset[str] = ALL_WRITES,
                 output: Path | None = None, password: str | None = None,
                 progress: Callable[[str], None] | None = None, cached_values: bool = False,
                 name: str = CONSOLIDATE_JOB, month: int | None = None,
                 describe: Callable[[T], str] | None = None, early: EarlyRead | None = None) -> T:
    """Run ``job`` on ``path`` and save, as ``open_for_job`` does: refused while someone has the
    workbook open (owner file), locked against a second runner, working on a snapshot of the bytes
    it opened; nothing written if the job raises or changes nothing; else the original is backed
    up and the master replaced only if nobody saved it meanwhile (else the result goes beside it,
    ``WorkbookChanged``). ``name``, ``month`` and ``describe(result)`` go into the backup index.

    A job plans, then one engine applies: ``needs`` says what the job writes (``ALL_WRITES``:
    cells, links, names, sheets, charts, fills, notes). The engine is picked before anything is
    read: the ``PatchEngine`` (lossless, rewrites only the parts it changes) when it opens the
    file and declares every capability needed, else the ``FileEngine`` (openpyxl, which refuses
    content it would lose): encrypted workbooks (``password``), packages the patch engine cannot
    open, a workbook without a style sheet when fills are needed. The job runs once; nothing is rerun.
    ``cached_values``: the patch engine reads formula cells as their cached results (a job that reads
    everything before it writes, such as validation: its findings then equal a read-only run's).
    ``early``: a read of the master's ledger started before the job (``early_read``), used only if
    it read the bytes of the snapshot.
    A result that carries the job's ``settings`` (a consolidation's) gives the backup count and age;
    only other jobs have 参数 parsed again for them (``job_settings``)."""
    path = Path(path)
    with collector_paused(), job_snapshot(path) as files:
        engine = _patch_engine(files.work, progress, cached_values) if password is None else None
        if engine is not None and not needs <= engine.capabilities:
            engine.close()
            engine = None
        if engine is not None and early is not None:
            engine.adopt(early, files.fp.sha256)  # the ledger parsed while the job's modules imported
        if engine is None:
            holder: list[T] = []

            def changes() -> str:
                return describe(holder[0]) if describe is not None and holder else name

            with _file_session(files, output, password, progress, name, month, changes,
                               lambda: holder[0] if holder else None) as file_engine:
                holder.append(job(file_engine))
            return holder[0]
        try:
            result = job(engine)
            engine.prepare()  # anything it cannot write raises here, before anything is written
            stage("job-done", path)
            settings = job_settings(result, engine)
            engine.save(output)  # onto the snapshot's working copy, or the new file
        finally:
            engine.close()
        if output is None:
            commit_result(files, settings, engine.status, name, month, describe(result) if describe else name)
        return result


def _patch_engine(path: Path, progress: Callable[[str], None] | None, cached_values: bool) -> PatchEngine | None:
    from xladdin.engines.patch import PatchEngine

    try:
        return PatchEngine(path, progress=progress, cached_values=cached_values)
    except EngineUnsupported:
        return None
