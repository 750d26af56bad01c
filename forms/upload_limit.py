"""Refuse a request body larger than an upload may be — before it is read, or as soon as it passes the limit.

Starlette reads a multipart form in full (spooling files to disk) before a handler sees it, so a size
check in the handler or in ``services.core.uploads`` comes after a 300 MiB body has been received. This pure
ASGI middleware answers 413 with a Chinese message at once when ``Content-Length`` is above the limit,
and otherwise counts the bytes as the app reads them and stops reading when the count passes the limit
(a chunked body has no ``Content-Length``).

The limit is ``GC_MAX_UPLOAD_MB`` plus 1 MiB for the other form fields, for every request (no page or API
takes more); a JSON body carrying a file in base64 (``BASE64_ROUTES``) gets 4/3 of the file's limit.
The per-file limit and the content check stay in ``services.core.uploads``; this only bounds what is read.
"""

import html
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.core.settings import get_settings

MIB = 1024 * 1024
FIELDS_ALLOWANCE = MIB
BASE64_ROUTES = {"/api/v1/eia/applications"}


class BodyTooLarge(Exception):
    """Raised from ``receive`` once the body passes the limit; turned into a 413 by the middleware."""


def limit_for(path: str) -> int:
    file_limit = get_settings().max_upload_mb * MIB
    if path in BASE64_ROUTES:
        file_limit = -(-file_limit * 4 // 3)
    return file_limit + FIELDS_ALLOWANCE


def message() -> str:
    return f"上传的内容超过{get_settings().max_upload_mb}MB，未予接收。请压缩或拆分文件后分次上传。"


class UploadLimit:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send)
            return
        received, started = 0, False

        async def counting_receive() -> Message:
            nonlocal received
            incoming = await receive()
            if incoming["type"] == "http.request":
                received += len(incoming.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return incoming

        async def tracking_send(outgoing: Message) -> None:
            nonlocal started
            started = started or outgoing["type"] == "http.response.start"
            await send(outgoing)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:
                raise
            await _refuse(scope, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, send: Send) -> None:
    """413 with a Chinese message: JSON ``{detail}`` for the API, a short page otherwise. The server discards
    whatever the client still sends (the app never sees it), so a browser can show the message."""
    text = message()
    if scope["path"].startswith("/api/"):
        body, kind = json.dumps({"detail": text}, ensure_ascii=False).encode(), b"application/json"
    else:
        body = (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>上传内容过大</title>'
                f'<p>{html.escape(text)}</p><p><a href="/">返回首页</a></p></html>').encode()
        kind = b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
