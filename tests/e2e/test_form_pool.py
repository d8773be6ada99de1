"""Report forms read by a forked worker (``jobs/form_pool.py``): the same result as reading in
process, a worker that dies loses no form, and a killed job leaves no worker behind.

The pool only forks from a process with no other thread, so every case runs in a fresh Python
(the real CLI, or a short script), never inside the pytest worker (which has threads)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from xladdin.jobs.form_pool import MIN_FORMS, WORKER_NICE, pool_size

ENV = dict(os.environ, PYTHONIOENCODING="utf-8")


@pytest.mark.parametrize(("forms", "cpus", "setting", "workers"), [
    (MIN_FORMS - 1, 2, None, 0),  # too few forms to pay for a worker
    (MIN_FORMS, 2, None, 1),  # two CPUs: the job's thread and one worker
    (MIN_FORMS, 1, None, 1),
    (MIN_FORMS, None, None, 1),  # CPU count unknown
    (500, 16, None, 2),  # never more than two by default
    (500, 16, "0", 0),  # XLADDIN_FORM_WORKERS=0: in process
    (3, 2, "1", 1),  # a number decides whatever the count
    (3, 2, " 3 ", 3),
    (3, 2, "99", 8),
    (MIN_FORMS, 2, "many", 1),  # not a number: the default rule
    (MIN_FORMS, 2, "", 1),
])
def test_pool_size(forms: int, cpus: int | None, setting: str | None, workers: int) -> None:
    assert pool_size(forms, cpus, setting) == workers


def _consolidate(folder: Path, workers: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xladdin.cli", "consolidate", str(_master(folder)),
                           "--month", "6", "--forms", str(_forms(folder))],
                          capture_output=True, text=True, env=dict(ENV, XLADDIN_FORM_WORKERS=workers), timeout=300)


def _master(folder: Path) -> Path:
    (master,) = folder.glob("*.xlsx")
    return master


def _forms(folder: Path) -> Path:
    (forms,) = folder.glob("*月报表*")
    return forms


def _sheets(path: Path) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_a_consolidation_through_the_worker_writes_what_the_in_process_one_writes(demo_copy: Any) -> None:
    pooled, alone = demo_copy("pooled"), demo_copy("alone")
    forms = sorted(p.name for p in _forms(pooled).glob("*.xlsx"))
    assert len(forms) == 27
    with_pool, without = _consolidate(pooled, "1"), _consolidate(alone, "0")
    # the demo's forms carry planted mistakes (errors: exit 1), the same ones either way
    assert (with_pool.returncode, without.returncode) == (1, 1), with_pool.stderr + without.stderr
    assert with_pool.stdout == without.stdout
    assert "汇入月报表 27 份" in with_pool.stdout
    # the worker reads while the job reads the ledger: the ledger's message comes first; in process after the forms
    first_form = f"正在读取月报表 1/27：{forms[0]} …"
    pooled_lines, alone_lines = with_pool.stderr.splitlines(), without.stderr.splitlines()
    assert pooled_lines.index("正在读取项目台账 …") < pooled_lines.index(first_form)
    assert alone_lines.index(first_form) < alone_lines.index("正在读取项目台账 …")
    assert sum(line.startswith("正在读取月报表 ") for line in pooled_lines) == 27
    assert _sheets(_master(pooled)) == _sheets(_master(alone))


_SCRIPT = """
import json, os, signal, sys
from pathlib import Path
from xladdin.core.settings import default_settings
from xladdin.jobs.form_intake import read_forms
from xladdin.jobs.form_files import form_files
from xladdin.jobs.form_pool import FormPool

folder, action = Path(sys.argv[1]), sys.argv[2]
settings = default_settings()
pool = FormPool(form_files(folder), 1)  # forks now, before it has any form
pids = pool.pids()
pool.submit(settings)
print(json.dumps(pids), flush=True)
if action == "die":  # the job's process killed while the worker reads
    os.kill(os.getpid(), signal.SIGKILL)
for pid in pids:  # the worker dies (as a native crash in a parser would end it)
    os.kill(pid, signal.SIGKILL)
got = pool.collect()
want = read_forms(folder, settings)

def key(result):
    forms, problems = result
    return [[f.file, f.unit, len(f.rows), [(r.code, r.value) for r in f.rows], [x.code for x in f.findings]]
            for f in forms], [(p.code, p.file) for p in problems]

print(json.dumps({"same": key(got) == key(want), "forms": len(got[0])}))
"""


def test_a_worker_that_dies_loses_no_form(demo_master: tuple[Path, Path]) -> None:
    _, forms = demo_master
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(forms), "crash"], capture_output=True, text=True,
                          env=ENV, timeout=300)
    assert done.returncode == 0, done.stderr
    pids, result = (json.loads(line) for line in done.stdout.splitlines())
    assert len(pids) == 1
    assert result == {"same": True, "forms": 27}


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has exited (no init reaps it in some containers)


def test_a_killed_job_leaves_no_worker_behind(demo_master: tuple[Path, Path]) -> None:
    _, forms = demo_master
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(forms), "die"], capture_output=True, text=True,
                          env=ENV, timeout=300)
    assert done.returncode == -9
    (worker,) = json.loads(done.stdout.splitlines()[0])
    deadline = time.monotonic() + 20
    while _running(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(worker), f"worker {worker} still runs after its job was killed"


_LOADS_FIRST = """
import json, shutil, sys, time
from pathlib import Path
from xladdin.core.settings import default_settings
from xladdin.jobs.form_files import form_files
from xladdin.jobs.form_pool import FormPool

folder, moved = Path(sys.argv[1]), Path(sys.argv[2])
pool = FormPool(form_files(folder), 1)
(pid,) = pool.pids()

def stat():
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return fields[0], int(fields[11]) + int(fields[12]), int(fields[16])  # state, CPU ticks, nice

# the worker works before it has any 参数: wait until it sleeps with its CPU time standing still
deadline, last, still = time.monotonic() + 120, -1, 0
while time.monotonic() < deadline and still < 5:
    time.sleep(0.2)
    state, ticks, nice = stat()
    still = still + 1 if state == "S" and ticks == last else 0
    last = ticks
shutil.move(folder, moved)  # the forms are gone from where they were: only the worker's memory has them
pool.submit(default_settings())
forms, problems = pool.collect()
print(json.dumps({"forms": len(forms), "rows": sum(len(f.rows) for f in forms), "nice": nice, "ticks": last,
                  "problems": sorted({p.code for p in problems})}))
"""


def test_a_worker_reads_its_forms_before_the_job_has_its_settings(demo_master: tuple[Path, Path], tmp_path: Path) -> None:
    _, forms = demo_master
    folder = tmp_path / "forms"
    shutil.copytree(forms, folder)
    done = subprocess.run([sys.executable, "-c", _LOADS_FIRST, str(folder), str(tmp_path / "moved")],
                          capture_output=True, text=True, env=ENV, timeout=300)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert not folder.exists()
    assert result["forms"] == 27, result  # read from what the worker loaded before the folder moved
    assert result["rows"] > 0
    assert result["nice"] == WORKER_NICE  # it yields to the job's own parse and imports
    # the same findings as reading the forms where they are now (the demo's planted mistakes)
    from xladdin.core.settings import default_settings
    from xladdin.jobs.form_intake import read_forms

    want_forms, want_problems = read_forms(tmp_path / "moved", default_settings())
    assert result["rows"] == sum(len(f.rows) for f in want_forms)
    assert result["problems"] == sorted({p.code for p in want_problems})
