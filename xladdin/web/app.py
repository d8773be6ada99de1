"""The page's routes (Starlette): the static page, a state endpoint, one POST per button, job status.

Buttons that take more than a moment (forms, validation, consolidation, ranking, bulletin,
restore) start a job on the worker and answer ``{"job": id}``; the page polls ``/api/jobs/{id}``.
A button that would write a master open in a spreadsheet program is refused at once with 409
and the Chinese reason. Files the jobs produce are offered through one-off download keys, never
by path.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message

from xladdin.core.periods import period_label
from xladdin.core.settings import Settings
from xladdin.engines.guards import vetting
from xladdin.engines.guards.backups import list_backups
from xladdin.errors import UsageError, WorkbookLocked, XladdinError
from xladdin.jobs.backups import backup_time
from xladdin.web import actions, office
from xladdin.web.guard import TokenGuard
from xladdin.web.tasks import Jobs

__all__ = ["MAX_FILES", "MAX_UPLOAD", "create_app"]

STATIC = Path(__file__).parent / "static"
MAX_UPLOAD = 20 * 2**20  # bytes per returned form (a district form is ~20 KB; a province unit's well under this)
MAX_FILES = 300
MAX_BODY = 200 * 2**20  # one upload request in all (27 district forms are about 1 MB)
_CHUNK = 2**16


class _Office:
    """The server's state: the folder, the job queue, the download keys, cached master years."""

    def __init__(self, folder: Path, opener: Callable[[Path], None]) -> None:
        self.folder = folder
        self.opener = opener
        self.jobs = Jobs()
        self.scratch = Path(tempfile.mkdtemp(prefix="xladdin-web-"))
        self.downloads: dict[str, tuple[Path, str]] = {}
        self._settings: dict[tuple[Path, int], Settings] = {}

    def register(self, path: Path, name: str) -> str:
        key = secrets.token_urlsafe(16)
        self.downloads[key] = (path, name)
        return f"/api/download/{key}"

    def settings(self, master: Path) -> Settings:
        """The master's 参数, read once per version of the file."""
        key = (master, master.stat().st_mtime_ns)
        if key not in self._settings:
            self._settings[key] = actions.master_settings(master)
        return self._settings[key]

    def year(self, master: Path) -> int:
        return self.settings(master).year


def _month(value: Any) -> int:
    try:
        month = int(value)
    except (TypeError, ValueError):
        raise UsageError("请选择报告月份。") from None
    if not 1 <= month <= 12:
        raise UsageError(f"月份应为 1 至 12，现为 {month}。")
    return month


async def _body(request: Request) -> dict[str, Any]:
    try:
        data = await request.json()
    except ValueError:
        raise UsageError("请求格式有误。") from None
    if not isinstance(data, dict):
        raise UsageError("请求格式有误。")
    return data


def create_app(folder: Path, *, token: str, port: int, opener: Callable[[Path], None] = office.open_in_desktop) -> Starlette:
    """The page for ``folder``, answering only loopback requests to ``port`` that carry ``token``.
    ``opener`` opens a master in the desktop program (``office.open_in_desktop``)."""
    st = _Office(Path(folder).resolve(), opener)

    def master(name: Any) -> Path:
        return office.master_path(st.folder, str(name or ""))

    def started(job_title: str, work: Callable[[Callable[[str], None]], dict[str, Any]]) -> JSONResponse:
        return JSONResponse({"job": st.jobs.submit(job_title, work).id})

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def state(request: Request) -> Response:
        return JSONResponse(await run_in_threadpool(_state, request.query_params.get("master"),
                                                    request.query_params.get("month")))

    def _state(name: str | None, month_text: str | None) -> dict[str, Any]:
        books = office.masters(st.folder)
        out: dict[str, Any] = {"folder": str(st.folder),
                               "masters": [{"name": p.name, "open": office.owner_message(p)} for p in books]}
        if name and any(p.name == name for p in books):
            path = st.folder / name
            out["backups"] = [{"name": b.file, "taken": backup_time(b), "size": b.size, "job": b.job, "month": b.month,
                               "changes": b.changes, "protected": b.protected}
                              for b in reversed(list_backups(path))]  # newest first
            out["open"] = office.owner_message(path)
            if month_text:
                try:  # a master that cannot be read still shows its backups (to restore one)
                    month = _month(month_text)
                    settings = st.settings(path)
                except XladdinError as exc:
                    out["problem"] = exc.message
                    return out
                mdir = office.month_dir(st.folder, settings.year, month)
                returned = mdir / office.RETURNED
                files = sorted(p.name for p in returned.iterdir() if p.suffix.lower() in office.WORKBOOK_SUFFIXES
                               and not p.name.startswith(("~$", "."))) if returned.is_dir() else []
                units = settings.unit_names
                out["month"] = {"label": period_label(month), "dir": str(mdir.relative_to(st.folder)),
                                "returned": [{"file": f, "unit": actions.unit_from_form(f, units)} for f in files]}
        return out

    async def new_master(request: Request) -> Response:
        data = await _body(request)
        path = await run_in_threadpool(actions.create_master, st.folder, str(data.get("name") or "主台账"))
        return JSONResponse({"name": path.name, "text": f"已按模板新建主台账“{path.name}”。请在表格软件中打开，填入项目。"})

    async def forms(request: Request) -> Response:
        data = await _body(request)
        path, month, as_zip = master(data.get("master")), _month(data.get("month")), bool(data.get("zip"))
        return started("生成月报表", lambda p: actions.make_forms(st.folder, path, month, as_zip=as_zip,
                                                             register=st.register, scratch=st.scratch, progress=p))

    async def upload(request: Request) -> Response:
        too_big = UsageError(f"一次上传的文件合计超过 {MAX_BODY // 2**20} MB，请分几次上传。")
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY:
            raise too_big
        received = 0

        async def capped() -> Message:  # a body without Content-Length is counted as it arrives
            nonlocal received
            message = await request.receive()
            received += len(message.get("body", b""))
            if received > MAX_BODY:
                raise too_big
            return message

        form = await Request(request.scope, capped).form(max_files=MAX_FILES, max_fields=10)
        try:
            path, month = master(form.get("master")), _month(form.get("month"))
            uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
            if not uploads:
                raise UsageError("请选择要上传的月报表文件。")
            settings = await run_in_threadpool(st.settings, path)
            returned = office.month_dir(st.folder, settings.year, month) / office.RETURNED

            def check(saved: Path) -> dict[str, Any]:
                return actions.check_form(saved, settings, month)

            results = [await _save_upload(f, returned, check) for f in uploads]
        finally:
            await form.close()
        saved = [r for r in results if r["ok"]]
        return JSONResponse({"results": results, "dir": str(returned.relative_to(st.folder)),
                             "text": f"已收到 {len(saved)} 份月报表" + (f"，{len(results) - len(saved)} 份未收下" if len(saved) < len(results) else "")
                             + f"，保存在“{returned.relative_to(st.folder)}”。"})

    async def validate(request: Request) -> Response:
        data = await _body(request)
        path, mark = master(data.get("master")), bool(data.get("mark"))
        if mark:
            actions.ensure_closed(path)
        return started("校验台账", lambda p: actions.validate_master(path, mark=mark, progress=p))

    async def consolidate(request: Request) -> Response:
        data = await _body(request)
        path, month = master(data.get("master")), _month(data.get("month"))
        actions.ensure_closed(path)
        return started("月度汇总", lambda p: actions.consolidate_month(st.folder, path, month, p))

    async def ranking(request: Request) -> Response:
        data = await _body(request)
        path, month = master(data.get("master")), _month(data.get("month"))
        return started("排名", lambda p: actions.ranking(path, month))

    async def bulletin(request: Request) -> Response:
        data = await _body(request)
        path, month, pdf = master(data.get("master")), _month(data.get("month")), bool(data.get("pdf"))
        return started("通报", lambda p: actions.bulletin_files(st.folder, path, month, pdf=pdf, register=st.register,
                                                              progress=p))

    async def restore(request: Request) -> Response:
        data = await _body(request)
        path, name = master(data.get("master")), str(data.get("backup") or "")
        actions.ensure_closed(path)
        return started("恢复备份", lambda p: actions.restore_backup(path, name, p))

    async def open_master(request: Request) -> Response:
        data = await _body(request)
        path = master(data.get("master"))
        await run_in_threadpool(st.opener, path)
        return JSONResponse({"text": f"已请求表格软件打开“{path.name}”。编辑完成后请保存并关闭，再回到本页面继续。"})

    async def job(request: Request) -> Response:
        snap = st.jobs.get(request.path_params["job_id"])
        if snap is None:
            return JSONResponse({"error": "任务不存在（服务可能已重启），请重新操作。"}, status_code=404)
        return JSONResponse(snap)

    async def download(request: Request) -> Response:
        found = st.downloads.get(request.path_params["key"])
        if found is None or not found[0].is_file():
            return JSONResponse({"error": "文件不存在，请重新生成。"}, status_code=404)
        return FileResponse(found[0], filename=found[1])

    async def project_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, XladdinError)
        return JSONResponse({"error": exc.message}, status_code=409 if isinstance(exc, WorkbookLocked) else 400)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        st.jobs.shutdown()
        shutil.rmtree(st.scratch, ignore_errors=True)

    routes = [
        Route("/", index),
        Route("/api/state", state),
        Route("/api/master", new_master, methods=["POST"]),
        Route("/api/forms", forms, methods=["POST"]),
        Route("/api/upload", upload, methods=["POST"]),
        Route("/api/validate", validate, methods=["POST"]),
        Route("/api/consolidate", consolidate, methods=["POST"]),
        Route("/api/ranking", ranking, methods=["POST"]),
        Route("/api/bulletin", bulletin, methods=["POST"]),
        Route("/api/restore", restore, methods=["POST"]),
        Route("/api/open", open_master, methods=["POST"]),
        Route("/api/jobs/{job_id}", job),
        Route("/api/download/{key}", download),
        Mount("/static", StaticFiles(directory=STATIC)),
    ]
    return Starlette(routes=routes, middleware=[Middleware(TokenGuard, token=token, port=port)],
                     exception_handlers={XladdinError: project_error}, lifespan=lifespan)


async def _save_upload(upload: UploadFile, folder: Path, check: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
    """Save one returned form under ``folder``: a safe name, at most ``MAX_UPLOAD`` bytes, vetted
    (``inspect_package``: a workbook, not encrypted, no zip bomb, no XML entities) before it gets
    its real name; a resent form replaces the earlier one. Then ``check`` reads it as a form
    (whose, how many projects, a warning if its month or unit is wrong)."""
    raw = upload.filename or ""
    try:
        name = office.safe_name(raw, suffixes=office.WORKBOOK_SUFFIXES)
    except UsageError as exc:
        return {"file": raw, "ok": False, "text": exc.message}
    folder.mkdir(parents=True, exist_ok=True)
    temp = folder / f".upload-{secrets.token_hex(6)}{Path(name).suffix}"
    size = 0
    try:
        with temp.open("wb") as out:
            while chunk := await upload.read(_CHUNK):
                size += len(chunk)
                if size > MAX_UPLOAD:
                    raise UsageError(f"“{name}”超过 {MAX_UPLOAD // 2**20} MB，未收下。")
                out.write(chunk)
        await run_in_threadpool(vetting.inspect_package, temp)
        target = folder / name
        replaced = target.exists()
        os.replace(temp, target)
    except XladdinError as exc:
        return {"file": name, "ok": False, "text": exc.message.replace(temp.name, name)}
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
    seen = await run_in_threadpool(check, target)
    whose = f"：{seen['unit']}，{seen['rows']} 个项目" if seen["unit"] else ""
    return {"file": name, "ok": True, "unit": seen["unit"], "warning": seen["warning"],
            "text": f"已收下“{name}”{whose}" + ("（替换了之前收到的同名文件）" if replaced else "") + "。"}
