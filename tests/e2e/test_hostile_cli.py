"""Hostile input through the real CLI: a clear message, exit code 2, no traceback, nothing written;
report-form text stays text; a job killed while saving leaves the master intact."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from pathlib import Path

import openpyxl
import pytest

from tests import hostile_files as hf
from tests.conftest import FIXTURES, run_cli, run_main
from xladdin.engines import libreoffice
from xladdin.engines.guards import vetting as safety

INJECTIONS = [
    '=HYPERLINK("http://evil.example/x","点此查看")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-1+1",
    "#N/A",
    "=1+1",
]


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _refused(path: Path, *args: str) -> str:
    """Run ``validate --mark`` on ``path``; assert exit 2, no traceback and no file change; return stderr."""
    before = _snapshot(path.parent)
    proc = run_cli("validate", path, "--mark", *args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("错误：")
    assert _snapshot(path.parent) == before
    return proc.stderr


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        (hf.not_a_zip, "不是 Excel 工作簿"),
        (hf.truncated, "已损坏或不完整"),
        (hf.zip_not_workbook, "缺少工作簿部件"),
        (hf.entity_attack, "XML 实体声明"),
        (lambda p: hf.zip_bomb(p, size=300 * 2**20), "压缩炸弹"),
    ],
    ids=["not-a-zip", "truncated", "zip-not-workbook", "billion-laughs", "zip-bomb"],
)
def test_broken_and_hostile_files_are_refused(tmp_path: Path, builder: object, expected: str) -> None:
    path = builder(tmp_path / "台账.xlsx")  # type: ignore[operator]
    assert expected in _refused(path)
    if expected in ("XML 实体声明", "压缩炸弹"):  # the read-only path vets files too
        proc = run_cli("validate", path, "--json")
        assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr


def _encrypted_ledger(tmp_path: Path) -> Path:
    """The rules fixture saved with the open password ``gc2022`` (as Excel's 用密码进行加密 does)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = tmp_path / "plain.xlsx"
    shutil.copyfile(FIXTURES / "rules.xlsx", plain)
    locked = tmp_path / "加密台账.xlsx"
    with plain.open("rb") as src, locked.open("wb") as out:
        OOXMLFile(src).encrypt("gc2022", out)
    plain.unlink()
    return locked


def test_password_protected_ledger(tmp_path: Path) -> None:
    locked = _encrypted_ledger(tmp_path)
    message = _refused(locked)
    assert "“加密台账.xlsx”设有打开密码" in message and "--password" in message
    assert "密码不正确" in _refused(locked, "--password", "nope")
    proc = run_main("validate", locked, "--password", "gc2022", "--json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert report["projects"] == 19
    assert any(f["code"] == "duplicate-code" for f in report["findings"])


def test_mark_with_password_saves_the_ledger_encrypted_with_it(tmp_path: Path) -> None:
    """``validate --mark --password`` writes the marks and saves with the same open password: the
    master never lands on disk as a plain copy (it did before: openpyxl saved it unencrypted)."""
    import io

    locked = _encrypted_ledger(tmp_path)
    proc = run_main("validate", locked, "--mark", "--password", "gc2022")
    assert proc.returncode == 1, proc.stderr
    assert safety.is_encrypted(locked)  # still protected ...
    assert "设有打开密码" in _refused(locked)  # ... refused without the password, as before
    assert "密码不正确" in _refused(locked, "--password", "nope")
    wb = openpyxl.load_workbook(io.BytesIO(safety.decrypt(locked, "gc2022").getvalue()))  # ... and marked
    assert wb["项目台账"]["I6"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "不能为负数" in wb["项目台账"]["I6"].comment.text
    assert "金额为负数" in [c.value for c in wb["校验结果"]["C"]]
    backups = list((tmp_path / "备份").glob("*.xlsx"))
    assert backups and all(safety.is_encrypted(b) for b in backups)  # the backup is the encrypted original
    proc = run_main("validate", locked, "--password", "gc2022", "--json")  # reopens: same findings as marked
    assert proc.returncode == 1 and json.loads(proc.stdout)["projects"] == 19


@pytest.mark.libreoffice
def test_legacy_xls_is_refused_with_how_to_convert(tmp_path: Path) -> None:
    (xls,) = libreoffice.convert([FIXTURES / "rules.xlsx"], tmp_path, "xls")
    assert "另存为" in _refused(xls)


def test_content_openpyxl_would_drop_is_kept_by_mark_and_refused_only_on_the_openpyxl_path(tmp_path: Path) -> None:
    """``--mark`` writes through the patch engine: a slicer and customXml stay byte for byte. A package
    the patch engine cannot mark goes through openpyxl, which refuses (with the list) rather than drop them."""
    import zipfile

    path = tmp_path / "台账.xlsx"
    extras = {"xl/slicers/slicer1.xml": b'<?xml version="1.0"?><slicers/>', "customXml/item1.xml": b"<data/>"}
    hf.rewrite(FIXTURES / "rules.xlsx", path, lambda name, data: data, extras)
    with zipfile.ZipFile(path) as zf:
        before = {n: (zf.getinfo(n).CRC, zf.getinfo(n).compress_size) for n in extras}
    proc = run_main("validate", path, "--mark")
    assert proc.returncode == 1, proc.stderr
    with zipfile.ZipFile(path) as zf:
        assert {n: (zf.getinfo(n).CRC, zf.getinfo(n).compress_size) for n in extras} == before
        assert "xl/worksheets/sheet2.xml" in zf.namelist()  # 校验结果 was added

    # a package the patch engine cannot mark (no styles.xml for the fills) goes to openpyxl, which refuses
    bare = tmp_path / "无样式" / "台账.xlsx"
    bare.parent.mkdir()
    hf.rewrite(FIXTURES / "rules.xlsx", bare, lambda name, data: None if name == "xl/styles.xml" else data, extras)
    message = _refused(bare)
    assert "切片器" in message and "自定义 XML 数据" in message and "未做任何修改" in message


def test_second_runner_is_told_who_holds_the_workbook(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    shutil.copyfile(FIXTURES / "rules.xlsx", path)
    with safety.job_lock(path):
        before = _snapshot(tmp_path)
        proc = run_cli("validate", path, "--mark")
        assert _snapshot(tmp_path) == before
    assert proc.returncode == 2 and "正在由" in proc.stderr and "运行任务" in proc.stderr


def _hostile_ledger(path: Path) -> Path:
    """rules.xlsx whose project names carry injection payloads (typed as text, as a form delivers them);
    rows 13/14 share one payload so it also appears in a duplicate-name finding."""
    wb = openpyxl.load_workbook(FIXTURES / "rules.xlsx")
    ws = wb["项目台账"]
    for row, text in zip((3, 4, 6, 7, 8, 9), INJECTIONS, strict=True):
        ws.cell(row=row, column=2).value = text
        ws.cell(row=row, column=2).data_type = "s"
    for row in (13, 14):
        ws.cell(row=row, column=2).value = INJECTIONS[0]
        ws.cell(row=row, column=2).data_type = "s"
    wb.save(path)
    return path


@pytest.mark.libreoffice
def test_injected_text_stays_text_in_the_workbook_and_json(tmp_path: Path) -> None:
    path = _hostile_ledger(tmp_path / "台账.xlsx")
    proc = run_main("validate", path, "--mark")
    assert proc.returncode == 1, proc.stderr
    wb = openpyxl.load_workbook(path)
    ws = wb["项目台账"]
    for row, text in zip((3, 4, 6, 7, 8, 9), INJECTIONS, strict=True):
        cell = ws.cell(row=row, column=2)
        assert (cell.value, cell.data_type, cell.hyperlink) == (text, "s", None)
    # every cell the job wrote is a string or a number, never a formula, error or external link
    written = [
        c
        for s in wb.worksheets
        if s.title != "项目台账"
        for r in s.iter_rows()
        for c in r
        if c.value is not None
    ]
    assert written
    assert {c.data_type for c in written} <= {"s", "n"}
    assert all(c.hyperlink is None or not c.hyperlink.target for c in written)
    assert any(c.value == INJECTIONS[0] for c in written)  # the duplicate-name finding's value
    # a spreadsheet program agrees: LibreOffice recalculates and still sees text, no error values
    out = libreoffice.recalc(path, tmp_path / "lo")
    lo = openpyxl.load_workbook(out, data_only=True)["项目台账"]
    assert [lo.cell(row=r, column=2).value for r in (3, 4, 6, 7, 8, 9)] == INJECTIONS
    assert [e for e in libreoffice.error_cells(out) if not e.startswith("项目台账!J19")] == []
    # JSON output carries the exact text
    proc = run_main("validate", path, "--json")
    report = json.loads(proc.stdout)
    values = {f.get("value") for f in report["findings"]}
    assert INJECTIONS[0] in values


SLOW_SAVE = r"""
import sys, time
from pathlib import Path
import openpyxl.workbook.workbook as wbmod
from xladdin.jobs.session import open_for_job

real_save = wbmod.Workbook.save

def save_then_hang(self, filename):
    real_save(self, filename)  # the temp file is complete; the replace has not happened yet
    print("SAVED-TEMP", filename, flush=True)
    time.sleep(60)

wbmod.Workbook.save = save_then_hang
with open_for_job(Path(sys.argv[1])) as engine:
    engine.write_cells("项目台账", {"B3": "已改"})
"""


def test_job_killed_while_saving_leaves_the_master_intact(tmp_path: Path) -> None:
    path = tmp_path / "台账.xlsx"
    shutil.copyfile(FIXTURES / "rules.xlsx", path)
    original = path.read_bytes()
    hf.kill_while_saving(SLOW_SAVE, path)
    assert path.read_bytes() == original
    # killed before the replace: no backup yet (the original was never touched), the snapshot folder is left
    assert not list((tmp_path / "备份").glob("*.xlsx")) and len(list((tmp_path / "备份").glob(".xladdin-job-*"))) == 1
    assert safety.lock_path(path).exists()  # the dead job's lock and temp are left behind ...
    # ... and the next run takes over the stale lock, removes the temp and saves normally
    t0 = time.monotonic()
    rerun = run_main("validate", path, "--mark")
    assert rerun.returncode == 1, rerun.stderr
    assert time.monotonic() - t0 < 60
    assert sorted(p.name for p in tmp_path.iterdir()) == ["台账.xlsx", "备份"]
    assert not list((tmp_path / "备份").glob(".*"))  # the dead job's snapshot folder removed
    assert (
        openpyxl.load_workbook(path)["项目台账"]["B3"].value == "项目1"
    )  # the killed job's edit never landed
