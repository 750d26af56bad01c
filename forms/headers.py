"""Security headers on every response: CSP, no framing, no sniffing, referrer policy, HSTS, no-store.

The pages keep their few small inline scripts (a reload timer, a double-submit guard): instead of
``'unsafe-inline'`` the policy lists the SHA-256 of each, computed from the templates when the app
starts, so an inline script injected into a page does not run. An inline script must therefore be
plain text — no ``{{ … }}`` inside — or its hash cannot be known (``tests/api/test_headers_and_downloads.py``
checks every template). ``<script type="application/json">`` data blocks are not executed and need no hash.
Inline ``style`` attributes and blocks are allowed (styles cannot run code). The Swagger UI at ``/docs``
loads its files from a CDN and gets its own, looser policy.

Dynamic responses are ``Cache-Control: no-store`` (signed-in pages, API answers and 文书 carry personal
and enterprise data); ``/static`` files are left to the static file handler. HSTS is sent only when
``secure_cookies`` says the site is served over HTTPS.
"""

import base64
import hashlib
import logging
import re
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.DOTALL | re.IGNORECASE)
CDN = "https://cdn.jsdelivr.net"


def inline_scripts(directory: Path) -> list[tuple[str, str]]:
    """(template name, script text) of every executable inline script in the templates."""
    found = []
    for path in sorted(directory.glob("*.html")):
        for match in _INLINE_SCRIPT.finditer(path.read_text(encoding="utf-8")):
            attrs = match["attrs"].lower()
            if "src=" in attrs or "application/json" in attrs:
                continue
            found.append((path.name, match["body"]))
    return found


def script_hashes(directory: Path) -> list[str]:
    """CSP source expressions for the templates' inline scripts; templated ones are skipped with a warning."""
    hashes = []
    for name, body in inline_scripts(directory):
        if "{{" in body or "{%" in body:
            log.warning("inline script in %s is templated; CSP will block it — move it to /static", name)
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return sorted(set(hashes))


def page_policy(hashes: list[str], image_sources: str = "") -> str:
    return "; ".join([
        "default-src 'self'", "script-src 'self' " + " ".join(hashes), "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data:{' ' + image_sources if image_sources else ''}", "object-src 'none'", "base-uri 'self'",
        "form-action 'self'", "frame-ancestors 'none'"])


def tile_source(url_template: str) -> str:
    """The CSP source for a map tile URL template: ``https://t{s}.tianditu.gov.cn/…`` → ``https://*.tianditu.gov.cn``
    (the public parcel map's base layer is the only image the pages load from elsewhere); empty when none is set."""
    match = re.match(r"(https?)://([^/?#]+)", url_template.strip())
    if not match:
        return ""
    host = ".".join("*" if "{" in label else label for label in match[2].split("."))
    return f"{match[1]}://{host}"


DOCS_POLICY = "; ".join([
    "default-src 'self'", f"script-src 'self' 'unsafe-inline' {CDN}", f"style-src 'self' 'unsafe-inline' {CDN}",
    f"img-src 'self' data: https://fastapi.tiangolo.com {CDN}", "object-src 'none'", "frame-ancestors 'none'"])


class SecurityHeaders:
    """Pure ASGI middleware (streams and file responses pass through untouched); a header a route set wins."""

    def __init__(self, app: ASGIApp, *, templates: Path, hsts: bool, image_sources: str = "") -> None:
        self.app = app
        self.page_policy = page_policy(script_hashes(templates), image_sources)
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                docs = path.startswith(("/docs", "/redoc"))
                headers.setdefault("Content-Security-Policy", DOCS_POLICY if docs else self.page_policy)
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                if self.hsts:
                    headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
                if not path.startswith("/static/"):
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)
