"""``xladdin serve``: run the page on 127.0.0.1 with a fresh token and open it in the browser.

The socket is bound here (port 0: the system picks a free one) and handed to uvicorn, so the
printed port is the one served, with no race. The token is new on every start
(``secrets.token_urlsafe``); the URL that carries it is printed and, unless ``open_browser`` is
False, opened with ``webbrowser.open``. Ctrl+C stops the server after the running job finishes.
"""

from __future__ import annotations

import secrets
import socket
import sys
import threading
import webbrowser
from pathlib import Path

import uvicorn

from xladdin.errors import UsageError
from xladdin.web.app import create_app

__all__ = ["serve"]


def serve(folder: Path, *, port: int = 0, open_browser: bool = True) -> None:
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(f"文件夹“{folder}”不存在。")
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise UsageError(f"无法使用端口 {port}（{exc.strerror}），请换一个端口或不指定端口。") from exc
    port = sock.getsockname()[1]
    token = secrets.token_urlsafe(24)
    app = create_app(folder, token=token, port=port)
    url = f"http://127.0.0.1:{port}/?token={token}"
    print(f"重点项目台账工具已启动，工作文件夹：{folder.resolve()}", flush=True)
    print(f"请在浏览器中打开：{url}", flush=True)
    print("（只有本机可以访问；关闭本窗口或按 Ctrl+C 即停止。）", flush=True)
    if open_browser:
        threading.Timer(0.5, webbrowser.open, args=(url,)).start()
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False,
                            proxy_headers=False, lifespan="on")
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    print("已停止。", file=sys.stderr, flush=True)
