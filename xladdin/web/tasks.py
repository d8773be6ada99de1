"""Long jobs off the request thread: one worker runs them in order, the page polls their status.

One worker, so two buttons pressed at once never write the same master together (the job lock
would refuse the second anyway). A job's messages are the jobs' own progress texts; its result
is a JSON-ready dict; a project error ends it with its Chinese message; anything else with a
short "内部错误" line (the traceback goes to the server's console).
"""

from __future__ import annotations

import secrets
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from xladdin.errors import XladdinError

__all__ = ["Job", "Jobs", "Progress"]

Progress = Callable[[str], None]
State = Literal["queued", "running", "done", "failed"]


@dataclass
class Job:
    id: str
    title: str
    state: State = "queued"
    messages: list[str] = field(default_factory=list)
    result: dict[str, Any] | None = None
    error: str | None = None

    def snapshot(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "state": self.state, "messages": list(self.messages),
                "result": self.result, "error": self.error}


class Jobs:
    """The queue of the page's jobs (one worker thread) and their states."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xladdin-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def submit(self, title: str, work: Callable[[Progress], dict[str, Any]]) -> Job:
        job = Job(secrets.token_hex(8), title)
        with self._lock:
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable[[Progress], dict[str, Any]]) -> None:
        def progress(text: str) -> None:
            with self._lock:
                if not job.messages or job.messages[-1] != text:
                    job.messages.append(text)

        with self._lock:
            job.state = "running"
        try:
            result = work(progress)
        except XladdinError as exc:
            with self._lock:
                job.state, job.error = "failed", exc.message
        except Exception as exc:
            traceback.print_exc()
            with self._lock:
                job.state = "failed"
                job.error = f"内部错误（{type(exc).__name__}: {exc}）。原文件未修改。"
        else:
            with self._lock:
                job.state, job.result = "done", result

    def get(self, job_id: str) -> dict[str, Any] | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else job.snapshot()

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
