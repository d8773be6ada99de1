"""Who may talk to the page: this machine's browser holding the token, nobody else.

An ASGI middleware in front of every route:

- **Host** must be the loopback address the server listens on (``127.0.0.1:PORT``,
  ``localhost:PORT``, ``[::1]:PORT``): a page on another site that re-points its own name at
  127.0.0.1 (DNS rebinding) sends its own name as Host and is refused (400).
- **Token**: the random token from the printed URL, as the ``token`` query parameter or the
  cookie set on the first visit (HttpOnly, SameSite=Strict, named with the port so two servers on
  one machine do not share it). Without it: 403. Compared in constant time.
- **Origin**: a POST carrying an Origin header must come from one of the loopback origins
  above (a cross-site form post is refused even if a browser were to send the cookie).
- No CORS headers are ever sent, so no other origin can read a response.
"""

from __future__ import annotations

import secrets
from http.cookies import SimpleCookie
from urllib.parse import parse_qs

from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["TokenGuard", "allowed_hosts", "cookie_name"]


def allowed_hosts(port: int) -> set[str]:
    return {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}


def cookie_name(port: int) -> str:
    return f"xladdin_token_{port}"


class TokenGuard:
    def __init__(self, app: ASGIApp, *, token: str, port: int) -> None:
        self.app = app
        self.token = token
        self.port = port
        self.hosts = allowed_hosts(port)
        self.origins = {f"http://{h}" for h in self.hosts}
        self.cookie = cookie_name(port)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # the page uses no websockets
            await send({"type": "websocket.close", "code": 1008})
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if headers.get("host", "").lower() not in self.hosts:
            await PlainTextResponse("拒绝访问：本页面只接受本机地址（127.0.0.1）的访问。", status_code=400)(scope, receive, send)
            return
        if scope.get("method") == "POST" and "origin" in headers and headers["origin"].lower() not in self.origins:
            await PlainTextResponse("拒绝访问：请求来自其他网站。", status_code=403)(scope, receive, send)
            return
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        from_query = query.get("token", [""])[0]
        cookies = SimpleCookie()
        try:
            cookies.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header is as good as none
            cookies = SimpleCookie()
        from_cookie = cookies[self.cookie].value if self.cookie in cookies else ""
        if secrets.compare_digest(from_cookie.encode(), self.token.encode()):
            await self.app(scope, receive, send)
            return
        if secrets.compare_digest(from_query.encode(), self.token.encode()):
            if scope.get("method") == "GET" and scope.get("path") == "/":
                # first visit: keep the token in a cookie and drop it from the address bar
                response = RedirectResponse("/", status_code=303)
                response.set_cookie(self.cookie, self.token, httponly=True, samesite="strict", path="/")
                await response(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        await PlainTextResponse("拒绝访问：缺少或错误的访问令牌。请使用 xladdin serve 启动时显示的完整地址打开本页面。",
                                status_code=403)(scope, receive, send)
