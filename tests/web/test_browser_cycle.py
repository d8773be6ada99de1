"""The demo district's June, from forms to bulletin, through the page in a real browser.

A real ``xladdin serve --no-open`` process on a random port, driven by Playwright in the system's
headless Chromium: choose the master, generate the forms (zip and month folder), upload the 27
returned forms, validate, be refused while the master is "open in WPS", consolidate, see the
ranking, export the bulletin (.xlsx and PDF through LibreOffice), restore the backup. Each step's
section is photographed; with ``XLADDIN_SCREENSHOTS=docs/manual`` the pictures go to the manual.
"""

from __future__ import annotations

import os
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.web.conftest import Served, start_server, stop_server
from xladdin.core.periods import Period
from xladdin.engines.files import FileEngine
from xladdin.jobs.summary import summary

pytestmark = [pytest.mark.slow, pytest.mark.libreoffice]

MASTER = "主台账-演示.xlsx"
LONG = 120_000  # ms; LibreOffice's PDF export on a busy 2-core machine


@pytest.fixture
def served(demo_copy: Any) -> Iterator[Served]:
    office = demo_copy("重点项目台账")  # the session's demo folder, copied (tests/conftest.py)
    served = start_server(office, "--no-open")
    try:
        yield served
    finally:
        stop_server(served)


def _shots(tmp_path: Path) -> Path:
    out = Path(os.environ.get("XLADDIN_SCREENSHOTS") or tmp_path / "shots")
    out.mkdir(parents=True, exist_ok=True)
    return out


def _shot(page: Any, section: str, path: Path) -> None:
    page.mouse.move(0, 0)  # no hover colour on the button just clicked
    page.locator(section).screenshot(path=str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_month_from_forms_to_bulletin_through_the_page(served: Served, browser_page: Any, tmp_path: Path) -> None:
    page, folder, shots = browser_page, served.folder, _shots(tmp_path)
    master = folder / MASTER
    returned_by_units = sorted((folder / "2022年6月月报表（已收回）").glob("*.xlsx"))
    assert len(returned_by_units) == 27

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))  # a syntax or runtime error in the script
    refused = "status of 409"  # the owner-file refusal below is an HTTP 409 the browser logs
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and refused not in msg.text else None)

    # 一 the page opens with the token, keeps it in a cookie and drops it from the address bar
    page.goto(served.url)
    assert page.url == f"http://127.0.0.1:{served.port}/"
    page.wait_for_selector(f"#master option[value='{MASTER}']", state="attached")
    page.select_option("#month", "6")
    page.wait_for_function("document.getElementById('returned').textContent.indexOf('1-6月尚未收到') >= 0")
    assert page.locator("#folder").inner_text() == str(folder.resolve())
    page.screenshot(path=str(shots / "00-page.png"))
    _shot(page, "#step-master", shots / "01-master.png")

    # 二 forms: as a zip download, and into the month's folder
    with page.expect_download() as got:
        page.click("#btn-forms-zip")
    zip_path = tmp_path / "forms.zip"
    got.value.save_as(zip_path)
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
    assert len(names) == 27 and "2022年6月_南关街道_月报表.xlsx" in names
    page.click("#btn-forms-dir")
    page.wait_for_selector("#forms-out .okbox:has-text('保存在“2022年6月/月报表（下发）”')")
    issued = sorted(p.name for p in (folder / "2022年6月" / "月报表（下发）").glob("*.xlsx"))
    assert issued == sorted(names)
    _shot(page, "#step-forms", shots / "02-forms.png")

    # 三 the returned forms, uploaded
    page.set_input_files("#files", [str(p) for p in returned_by_units])
    page.wait_for_selector("#upload-out .okbox:has-text('已收到 27 份月报表')")
    page.wait_for_selector("#returned:has-text('已有 27 份')")
    assert "南关街道、" in page.locator("#returned").inner_text()
    saved = folder / "2022年6月" / "月报表（已收回）"
    assert sorted(p.read_bytes() for p in saved.glob("*.xlsx")) == sorted(p.read_bytes() for p in returned_by_units)
    _shot(page, "#step-upload", shots / "03-upload.png")

    # 四 validation: findings with sheet and cell, grouped by unit; the master is not touched
    before = master.read_bytes()
    page.click("#btn-validate")
    page.wait_for_selector("#validate-out :text('共校验 291 个项目')", timeout=LONG)
    first_group = page.locator("#validate-out details.group").first
    assert first_group.locator("td.where").first.inner_text().startswith("项目台账!")
    assert master.read_bytes() == before
    _shot(page, "#step-validate", shots / "04-validate.png")

    # the master "open in WPS" (LibreOffice-style owner file): nothing is written, and the page says why
    owner = folder / f".~lock.{MASTER}#"
    owner.write_text("张三,kylin-pc,zhangsan,02.07.2022 09:30,file:///home/zhangsan/.config/wps;", encoding="utf-8")
    page.click("#btn-refresh")
    page.wait_for_selector("#master-status .warnbox:has-text('正在表格软件')")
    page.click("#btn-consolidate")
    page.wait_for_selector("#consolidate-out .errbox:has-text('本页面不会写入它')")
    assert master.read_bytes() == before and not (folder / "备份").exists()
    _shot(page, "#step-consolidate", shots / "05a-refused-open-in-wps.png")
    owner.unlink()
    page.click("#btn-refresh")
    page.wait_for_function("document.getElementById('master-status').textContent === ''")

    # 五 consolidation, in place after a backup, with its progress lines
    page.click("#btn-consolidate")
    page.wait_for_selector("#consolidate-out .okbox:has-text('1-6月汇总完成')", timeout=LONG)
    out = page.locator("#consolidate-out").inner_text()
    assert "汇入月报表" in out and "未报送" in out
    log = page.locator("#consolidate-out details.steps .log").text_content() or ""
    assert "正在读取月报表" in log and "正在备份原台账" in log
    south = page.locator("#consolidate-out details.group", has_text="南关街道")
    south.locator("summary").click()
    row = south.locator("tr", has_text="不能为负数")
    assert row.locator("td.where .file").inner_text() == "2022年6月_南关街道_月报表.xlsx"
    assert "!" in row.locator("td.where").inner_text()
    backups = sorted((folder / "备份").glob("*.xlsx"))
    assert len(backups) == 1 and backups[0].read_bytes() == before
    assert master.read_bytes() != before
    page.locator("#consolidate-out details.group").first.locator("summary").click()  # fold the long first group
    _shot(page, "#step-consolidate", shots / "05-consolidate.png")

    # 六 ranking and escalation on screen: the same as jobs.summary on the consolidated master
    page.click("#btn-ranking")
    page.wait_for_selector("#ranking-out table", timeout=LONG)
    engine = FileEngine(master)
    try:
        expected = summary(engine, Period.of(6))["ranking"]
    finally:
        engine.close()
    rows = page.locator("#ranking-out table tr").all_inner_texts()[1:]
    assert [r.split("\t")[1] for r in rows] == [r["unit"] for r in expected]
    acted = [r for r in expected if r["action"]]
    assert acted, "the demo's June escalates someone"
    assert all(a["unit"] in page.locator("#ranking-out tr.act").all_inner_texts()[i]
               for i, a in enumerate(acted))
    assert acted[0]["action"] in page.locator("#ranking-out .warnbox").inner_text()

    # the bulletin as .xlsx and PDF, downloaded through the page's links
    page.click("#btn-bulletin-pdf")
    page.wait_for_selector("#bulletin-out a.file >> nth=1", timeout=LONG)
    got_files = {}
    for link in page.locator("#bulletin-out a.file").all():
        with page.expect_download() as dl:
            link.click()
        target = tmp_path / dl.value.suggested_filename
        dl.value.save_as(target)
        got_files[target.suffix] = target
    assert set(got_files) == {".xlsx", ".pdf"}
    wb = openpyxl.load_workbook(got_files[".xlsx"], read_only=True)
    try:
        assert wb.sheetnames == ["通报"]
        text = "".join(str(v) for row in wb["通报"].iter_rows(values_only=True) for v in row if v)
    finally:
        wb.close()
    flat = "".join(text.split())
    assert "关于2022年1-6月全区固定资产投资和重点项目建设进展情况的通报" in flat
    pdf = subprocess.run(["pdftotext", "-layout", str(got_files[".pdf"]), "-"], capture_output=True, text=True,
                         check=True).stdout
    pdf_flat = "".join(pdf.split())
    assert "全区重点项目291个" in pdf_flat and acted[0]["unit"] in pdf_flat
    assert (folder / "2022年6月" / "通报" / got_files[".pdf"].name).is_file()
    _shot(page, "#step-ranking", shots / "06-ranking-bulletin.png")

    # 七 restore the backup taken before consolidation (the consolidated master is kept as a backup too)
    page.wait_for_selector("#backups button.restore")
    _shot(page, "#step-backups", shots / "07-backups.png")
    consolidated = master.read_bytes()
    page.once("dialog", lambda d: d.accept())
    page.locator("#backups button.restore").last.click()
    page.wait_for_selector("#backups-out .okbox:has-text('已将主台账恢复为')", timeout=LONG)
    assert master.read_bytes() == before
    assert consolidated in [p.read_bytes() for p in (folder / "备份").glob("*.xlsx")]
    page.wait_for_function("document.querySelectorAll('#backups button.restore').length === 2")
    _shot(page, "#step-backups", shots / "07b-restored.png")
    assert errors == []
