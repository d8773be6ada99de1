"""The page's guard at its remaining doors (issue 19, coverage): the token given in the address of
an API request (not the page) is accepted without a redirect or a cookie, and a WebSocket upgrade —
which the page never uses — is closed with 1008 (policy violation) before it is accepted."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from xladdin.web.app import create_app

PORT = 8765
TOKEN = "t0ken-for-tests-only"
BASE = f"http://127.0.0.1:{PORT}"


def client(folder: Path) -> TestClient:
    return TestClient(create_app(folder, token=TOKEN, port=PORT), base_url=BASE, follow_redirects=False)


def test_the_token_in_an_api_address_is_enough_and_sets_no_cookie(tmp_path: Path) -> None:
    with client(tmp_path) as c:
        r = c.get(f"/api/state?token={TOKEN}")
        assert r.status_code == 200 and "set-cookie" not in r.headers
        assert r.json()["folder"] == str(tmp_path)
        assert c.get(f"/api/state?token={TOKEN}x").status_code == 403  # one character off


def test_a_websocket_is_closed_with_policy_violation(tmp_path: Path) -> None:
    with client(tmp_path) as c, pytest.raises(WebSocketDisconnect) as caught, \
            c.websocket_connect(f"/?token={TOKEN}", headers={"host": f"127.0.0.1:{PORT}"}):
        pass
    assert caught.value.code == 1008
