"""The page's routes through Starlette's test client: who is let in, what an upload may be, and
that a master open in a spreadsheet program is never written."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.conftest import demo_copy_source
from xladdin.web import app as web_app
from xladdin.web.app import create_app
from xladdin.web.guard import cookie_name

PORT, TOKEN = 8765, "s3cret-token_xyz"
BASE = f"http://127.0.0.1:{PORT}"
MASTER = "主台账-演示.xlsx"


@pytest.fixture(scope="module")
def office(demo_build: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session's demo folder (tests/conftest.py): the page's jobs write into it."""
    return Path(shutil.copytree(demo_copy_source(demo_build), tmp_path_factory.mktemp("office") / "office"))


@pytest.fixture
def opened() -> list[Path]:
    return []


@pytest.fixture
def client(office: Path, opened: list[Path]) -> Iterator[TestClient]:
    app = create_app(office, token=TOKEN, port=PORT, opener=opened.append)
    with TestClient(app, base_url=BASE, follow_redirects=False) as c:
        c.cookies.set(cookie_name(PORT), TOKEN)
        yield c


def _anonymous(office: Path) -> TestClient:
    return TestClient(create_app(office, token=TOKEN, port=PORT), base_url=BASE, follow_redirects=False)


def _wait(client: TestClient, job: str) -> dict[str, Any]:
    for _ in range(600):
        snap: dict[str, Any] = client.get(f"/api/jobs/{job}").json()
        if snap["state"] in ("done", "failed"):
            return snap
        time.sleep(0.1)
    raise AssertionError("job did not finish")


# -- token ---------------------------------------------------------------------------------------


def test_requests_without_the_token_are_refused(office: Path) -> None:
    with _anonymous(office) as c:
        for path in ("/", "/api/state", "/static/app.js", f"/api/jobs/x?token={TOKEN[:-1]}"):
            r = c.get(path)
            assert r.status_code == 403, path
            assert "访问令牌" in r.text
        assert c.post("/api/consolidate", json={"master": MASTER, "month": 6}).status_code == 403
        c.cookies.set(cookie_name(PORT), "wrong")
        assert c.get("/api/state").status_code == 403
        c.cookies.set(cookie_name(PORT + 1), TOKEN)  # another server's cookie
        assert c.get("/api/state").status_code == 403


def test_the_token_in_the_url_sets_a_strict_cookie_and_leaves_the_address_bar(office: Path) -> None:
    with _anonymous(office) as c:
        first = c.get(f"/?token={TOKEN}")
        assert first.status_code == 303 and first.headers["location"] == "/"
        cookie = first.headers["set-cookie"]
        assert cookie.startswith(f"{cookie_name(PORT)}={TOKEN}")
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        page = c.get("/")  # the client keeps the cookie, as the browser does
        assert page.status_code == 200 and "重点项目台账" in page.text
        assert c.get("/static/app.js").status_code == 200
        state = c.get("/api/state").json()
        assert [m["name"] for m in state["masters"]] == [MASTER]


def test_host_header_must_be_loopback_on_our_port(client: TestClient) -> None:
    for host in (f"127.0.0.1:{PORT}", f"localhost:{PORT}", f"[::1]:{PORT}"):
        assert client.get("/api/state", headers={"Host": host}).status_code == 200, host
    for host in (f"evil.example:{PORT}", "127.0.0.1", f"127.0.0.1:{PORT + 1}", f"192.168.1.5:{PORT}",
                 f"localhost.evil.example:{PORT}", ""):
        r = client.get("/api/state", headers={"Host": host})
        assert r.status_code == 400, host
        assert "本机" in r.text


def test_posts_from_another_origin_are_refused_and_no_cors_headers_are_sent(client: TestClient) -> None:
    r = client.post("/api/ranking", json={"master": MASTER, "month": 6}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403 and "其他网站" in r.text
    r = client.post("/api/ranking", json={"master": "../x.xlsx", "month": 6}, headers={"Origin": BASE})
    assert r.status_code == 400  # let through the guard, refused by the route
    r = client.get("/api/state", headers={"Origin": "http://evil.example"})
    assert not [h for h in r.headers if h.lower().startswith("access-control-")]
    pre = client.options("/api/consolidate", headers={"Origin": "http://evil.example",
                                                       "Access-Control-Request-Method": "POST"})
    assert pre.status_code in (403, 405) and "access-control-allow-origin" not in pre.headers


# -- masters and uploads -------------------------------------------------------------------------


def test_a_master_is_one_of_the_folders_workbooks(client: TestClient, office: Path) -> None:
    for name in ("../主台账-演示.xlsx", "/etc/passwd", f"{office}/{MASTER}", "2022年6月月报表（已收回）", ""):
        r = client.post("/api/forms", json={"master": name, "month": 6})
        assert r.status_code == 400, name
        assert "主台账" in r.json()["error"]


def _upload(client: TestClient, files: list[tuple[str, bytes]]) -> Any:
    return client.post("/api/upload", data={"master": MASTER, "month": "6"},
                       files=[("files", (name, data, "application/octet-stream")) for name, data in files])


def test_upload_names_cannot_leave_the_months_folder(client: TestClient, office: Path) -> None:
    form = next((office / "2022年6月月报表（已收回）").glob("*.xlsx")).read_bytes()
    before = {p for p in office.rglob("*") if p.is_file()}
    r = _upload(client, [("../../../escape.xlsx", form), ("..\\..\\win.xlsx", form), (".hidden.xlsx", form),
                         ("/abs/path/abs.xlsx", form)])
    assert r.status_code == 200
    returned = office / "2022年6月" / "月报表（已收回）"
    assert [x["ok"] for x in r.json()["results"]] == [True] * 4
    new = {p for p in office.rglob("*") if p.is_file()} - before
    assert new == {returned / "escape.xlsx", returned / "win.xlsx", returned / "hidden.xlsx", returned / "abs.xlsx"}
    assert not (office.parent / "escape.xlsx").exists()


def test_uploads_are_vetted_and_capped(client: TestClient, office: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    returned = office / "2022年6月" / "月报表（已收回）"
    form = next((office / "2022年6月月报表（已收回）").glob("*.xlsx")).read_bytes()
    r = _upload(client, [("notes.txt", b"hello"), ("fake.xlsx", b"not a workbook at all"), ("..", form)])
    results = r.json()["results"]
    assert [x["ok"] for x in results] == [False, False, False]
    assert "不是 Excel 工作簿" in results[0]["text"] and "fake.xlsx" in results[1]["text"]
    assert not (returned / "fake.xlsx").exists() and not (returned / "notes.txt").exists()
    assert not list(returned.glob(".upload-*")) if returned.exists() else True
    monkeypatch.setattr(web_app, "MAX_UPLOAD", len(form) - 1)
    r = _upload(client, [("big.xlsx", form)])
    assert r.json()["results"][0]["ok"] is False and "MB" in r.json()["results"][0]["text"]
    assert not (returned / "big.xlsx").exists()


# -- a master open in WPS / Excel / LibreOffice is not written ------------------------------------


@pytest.mark.parametrize("owner", [f"~${MASTER}", f".~lock.{MASTER}#", f".~{MASTER}"])
def test_a_master_open_in_a_spreadsheet_program_is_not_written(client: TestClient, office: Path, owner: str) -> None:
    master = office / MASTER
    before = master.read_bytes()
    (office / owner).write_text("someone", encoding="utf-8")
    try:
        state = client.get("/api/state", params={"master": MASTER, "month": "6"}).json()
        assert "正在表格软件" in state["open"] and owner in state["open"]
        for url, body in (("/api/consolidate", {"month": 6}), ("/api/validate", {"mark": True}),
                          ("/api/restore", {"backup": "x.xlsx"})):
            r = client.post(url, json={"master": MASTER, **body})
            assert r.status_code == 409, url
            assert "本页面不会写入它" in r.json()["error"]
        r = client.post("/api/validate", json={"master": MASTER, "mark": False})  # reading is fine
        assert r.status_code == 200
        assert _wait(client, r.json()["job"])["state"] == "done"
    finally:
        (office / owner).unlink()
    assert master.read_bytes() == before
    assert not (office / "备份").exists()


def test_open_in_the_desktop_program_gets_the_masters_path(client: TestClient, office: Path,
                                                             opened: list[Path]) -> None:
    r = client.post("/api/open", json={"master": MASTER})
    assert r.status_code == 200 and "表格软件" in r.json()["text"]
    assert opened == [office.resolve() / MASTER]


def test_a_job_reports_its_progress_and_its_chinese_error(client: TestClient) -> None:
    r = client.post("/api/consolidate", json={"master": MASTER, "month": 9})  # nothing returned for September
    snap = _wait(client, r.json()["job"])
    assert snap["state"] == "failed" and "还没有收回的月报表" in snap["error"]
    r = client.post("/api/ranking", json={"master": MASTER, "month": 13})
    assert r.status_code == 400 and "月份" in r.json()["error"]
    assert client.get("/api/jobs/nope").status_code == 404


def test_an_empty_folder_gets_a_master_from_the_template(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path, token=TOKEN, port=PORT), base_url=BASE) as c:
        c.cookies.set(cookie_name(PORT), TOKEN)
        assert c.get("/api/state").json()["masters"] == []
        r = c.post("/api/master", json={"name": "../../2023年主台账"})
        assert r.status_code == 200 and r.json()["name"] == "2023年主台账.xlsx"
        assert [p.name for p in tmp_path.iterdir()] == ["2023年主台账.xlsx"]
        again = c.post("/api/master", json={"name": "2023年主台账.xlsx"})
        assert again.status_code == 400 and "不会覆盖" in again.json()["error"]
        state = c.get("/api/state", params={"master": "2023年主台账.xlsx", "month": "1"}).json()
        assert state["month"] == {"label": "1-2月", "dir": "2022年1-2月", "returned": []}
        assert state["backups"] == [] and state["open"] is None


def test_validate_can_mark_the_master_after_a_backup(tmp_path: Path, office: Path) -> None:
    (tmp_path / MASTER).write_bytes((office / MASTER).read_bytes())
    with TestClient(create_app(tmp_path, token=TOKEN, port=PORT), base_url=BASE) as c:
        c.cookies.set(cookie_name(PORT), TOKEN)
        snap = _wait(c, c.post("/api/validate", json={"master": MASTER, "mark": True}).json()["job"])
        assert snap["state"] == "done", snap
        cells = {(i["sheet"], i["cell"]) for g in snap["result"]["groups"] for i in g["items"] if i["cell"] and not i["file"]}
        assert cells and f"已在主台账中标注 {len(cells)} 个单元格" in snap["result"]["text"]
        state = c.get("/api/state", params={"master": MASTER}).json()
        assert len(state["backups"]) == 1
        # the same index as `xladdin backups`: which job came after the copy, and what it changed
        entry = state["backups"][0]
        assert (entry["job"], entry["month"], entry["protected"]) == ("校验标注", None, True)  # kept until a newer month
        assert entry["changes"] == f"标注 {len(cells)} 个单元格"
    assert (tmp_path / "备份" / state["backups"][0]["name"]).read_bytes() == (office / MASTER).read_bytes()
    import openpyxl

    wb = openpyxl.load_workbook(tmp_path / MASTER, read_only=True)
    try:
        assert "校验结果" in wb.sheetnames
    finally:
        wb.close()


def test_an_upload_request_is_capped_in_all(client: TestClient, office: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    form = next((office / "2022年6月月报表（已收回）").glob("*.xlsx")).read_bytes()
    monkeypatch.setattr(web_app, "MAX_BODY", 2 * len(form))
    r = _upload(client, [("a.xlsx", form), ("b.xlsx", form), ("c.xlsx", form)])
    assert r.status_code == 400 and "分几次上传" in r.json()["error"]
    assert not (office / "2022年6月" / "月报表（已收回）" / "a.xlsx").exists()


def test_a_page_consolidation_is_indexed_as_the_cli_indexes_it(tmp_path: Path, office: Path) -> None:
    """The backup taken before the page's 汇总 carries the job and month (jobs.in_place), so the
    retention rule keeps it until a newer month's consolidation, as after `xladdin consolidate`."""
    (tmp_path / MASTER).write_bytes((office / MASTER).read_bytes())
    returned = tmp_path / "2022年6月" / "月报表（已收回）"
    returned.mkdir(parents=True)
    for form in (office / "2022年6月月报表（已收回）").glob("*.xlsx"):
        (returned / form.name).write_bytes(form.read_bytes())
    with TestClient(create_app(tmp_path, token=TOKEN, port=PORT), base_url=BASE) as c:
        c.cookies.set(cookie_name(PORT), TOKEN)
        snap = _wait(c, c.post("/api/consolidate", json={"master": MASTER, "month": 6}).json()["job"])
        assert snap["state"] == "done", snap
        state = c.get("/api/state", params={"master": MASTER}).json()
    [entry] = state["backups"]
    assert (entry["job"], entry["month"], entry["protected"]) == ("月度汇总", 6, True)
    assert entry["changes"].startswith("1-6月：汇入月报表 ") and entry["changes"].endswith("更新汇总、排名、通报")
    assert snap["result"]["backup"] == entry["name"]
    assert (tmp_path / "备份" / entry["name"]).read_bytes() == (office / MASTER).read_bytes()


def test_the_page_names_who_has_the_master_open(client: TestClient, office: Path) -> None:
    """The page and the jobs read the same owner files (guards.snapshot.lock_file_owner)."""
    lock = office / f".~lock.{MASTER}#"
    lock.write_text("张三,kylin-pc,zhangsan,02.07.2022 09:30,file:///home/zhangsan/.config/wps;", encoding="utf-8")
    try:
        state = client.get("/api/state", params={"master": MASTER}).json()
        assert state["open"] == (f"主台账“{MASTER}”正在表格软件（WPS、Excel 或 LibreOffice）中打开（打开者：张三（kylin-pc）），"
                                 "为免两边同时修改，本页面不会写入它。请先在表格软件中保存并关闭该文件，再点此按钮。"
                                 f"（发现占用标记文件：.~lock.{MASTER}#）")
    finally:
        lock.unlink()


def test_a_broken_master_still_lists_its_backups(tmp_path: Path, office: Path) -> None:
    (tmp_path / "备份").mkdir()
    (tmp_path / "备份" / "坏台账-20220701-090000.xlsx").write_bytes((office / MASTER).read_bytes())
    (tmp_path / "坏台账.xlsx").write_bytes(b"PK\x03\x04 truncated")
    with TestClient(create_app(tmp_path, token=TOKEN, port=PORT), base_url=BASE) as c:
        c.cookies.set(cookie_name(PORT), TOKEN)
        state = c.get("/api/state", params={"master": "坏台账.xlsx", "month": "6"}).json()
        assert [b["name"] for b in state["backups"]] == ["坏台账-20220701-090000.xlsx"]
        assert "坏台账.xlsx" in state["problem"]
        snap = _wait(c, c.post("/api/restore", json={"master": "坏台账.xlsx",
                                                    "backup": "坏台账-20220701-090000.xlsx"}).json()["job"])
        assert snap["state"] == "done", snap
    assert (tmp_path / "坏台账.xlsx").read_bytes() == (office / MASTER).read_bytes()
    assert sorted(p.name for p in (tmp_path / "备份").iterdir())[0] == "坏台账-20220701-090000.xlsx"


def test_an_uploaded_form_is_read_at_once_and_a_wrong_month_is_said(client: TestClient, office: Path) -> None:
    south = (office / "2022年6月月报表（已收回）" / "2022年6月_南关街道_月报表.xlsx").read_bytes()
    r = _upload(client, [("2022年6月_南关街道_月报表.xlsx", south)])
    result = r.json()["results"][0]
    assert result["unit"] == "南关街道" and result["warning"] is None
    assert "南关街道，" in result["text"] and "个项目" in result["text"]
    r = client.post("/api/upload", data={"master": MASTER, "month": "5"},
                    files=[("files", ("南关.xlsx", south, "application/octet-stream"))])
    result = r.json()["results"][0]
    assert result["ok"] is True and "不是本次汇总的1-5月" in result["warning"]
    assert (office / "2022年5月" / "月报表（已收回）" / "南关.xlsx").read_bytes() == south


def test_an_upload_without_content_length_is_counted_as_it_arrives(client: TestClient, office: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    form = next((office / "2022年6月月报表（已收回）").glob("*.xlsx")).read_bytes()
    monkeypatch.setattr(web_app, "MAX_BODY", len(form) // 2)
    boundary = "xladdin-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"master\"\r\n\r\n{MASTER}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"month\"\r\n\r\n6\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"chunked.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def chunks() -> Iterator[bytes]:  # a generator body goes out chunked, without Content-Length
        yield head
        for i in range(0, len(form), 4096):
            yield form[i:i + 4096]
        yield tail

    r = client.post("/api/upload", content=chunks(), headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert "content-length" not in r.request.headers
    assert r.status_code == 400 and "分几次上传" in r.json()["error"]
    assert not (office / "2022年6月" / "月报表（已收回）" / "chunked.xlsx").exists()
