"""Security headers on the running web app, 文书 downloads checked against their stored SHA-256, and the
public 文书查验 page limited per client address."""

import asyncio
import threading
import time
import uuid

import httpx
import pytest

from forms.headers import inline_scripts, script_hashes
from services.core.settings import REPO_ROOT

TEMPLATES = REPO_ROOT / "templates" / "web"


def test_pages_send_the_security_headers(stack):
    with stack.client() as c:
        login = c.get("/login")
        csp = login.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in \
            csp.split("script-src")[1].split(";")[0]
        assert login.headers["X-Frame-Options"] == "DENY"
        assert login.headers["X-Content-Type-Options"] == "nosniff"
        assert login.headers["Referrer-Policy"] == "same-origin"
        assert login.headers["Cache-Control"] == "no-store"
        assert "Strict-Transport-Security" not in login.headers  # the test stack is plain HTTP
        signed_in = c.get("/api/v1/applications", headers=stack.token("enterprise"))
        assert signed_in.headers["Cache-Control"] == "no-store" and "X-Frame-Options" in signed_in.headers
        css = c.get("/static/site.css")
        assert css.status_code == 200 and "no-store" not in css.headers.get("Cache-Control", "")
        docs = c.get("/docs")
        assert "https://cdn.jsdelivr.net" in docs.headers["Content-Security-Policy"]


def test_every_inline_script_is_allowed_by_its_hash():
    """An inline script with ``{{ … }}`` inside cannot be hashed ahead of time and would be blocked."""
    scripts = inline_scripts(TEMPLATES)
    assert scripts, "expected the reload timer and the decision guard"
    templated = [name for name, body in scripts if "{{" in body or "{%" in body]
    assert templated == [], f"move these inline scripts to /static: {templated}"
    assert len(script_hashes(TEMPLATES)) == len({body for _, body in scripts})


def test_hsts_only_behind_https():
    from forms.headers import SecurityHeaders

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    def headers_sent(hsts: bool) -> dict[bytes, bytes]:
        sent = []

        async def send(message):
            sent.append(message)

        call = SecurityHeaders(inner, templates=TEMPLATES, hsts=hsts)({"type": "http", "path": "/"}, None, send)
        # in a thread of its own: after a browser test this thread may already run Playwright's event loop
        worker = threading.Thread(target=asyncio.run, args=(call,))
        worker.start()
        worker.join()
        return dict(sent[0]["headers"])

    assert headers_sent(True)[b"strict-transport-security"].startswith(b"max-age=")
    assert b"strict-transport-security" not in headers_sent(False)


def test_a_document_altered_on_disk_is_refused(stack, sample_application):
    from sqlmodel import select

    from services.core.db import session_scope
    from services.core.settings import get_settings
    from services.models import AuditEvent, Document

    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    with stack.client() as c:
        created = c.post("/api/v1/applications", json=sample_application, headers=headers).json()
        doc = _wait_for_document(c, headers, created["id"])
        good = c.get(doc["pdf_url"], headers=headers)
        assert good.status_code == 200 and good.headers["Cache-Control"] == "no-store"
        assert good.headers["content-type"] == "application/pdf" and good.content.startswith(b"%PDF")
        assert "filename*=utf-8''" in good.headers["content-disposition"]
        with session_scope() as session:
            document = session.get(Document, doc["id"])
        path = get_settings().documents_dir / document.pdf_path
        path.write_bytes(path.read_bytes().replace(b"%PDF", b"%PDF ", 1))  # one byte more: altered
        altered = c.get(doc["pdf_url"], headers=headers)
        assert altered.status_code == 409 and altered.json()["detail"].startswith("文书文件校验失败")
        docx = c.get(doc["pdf_url"].replace(".pdf", ".docx"), headers=headers)
        assert docx.status_code == 200  # the other file of the same document is intact
        path.unlink()
        assert c.get(doc["pdf_url"], headers=headers).status_code == 409  # lost counts as altered
    with session_scope() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "document.integrity_failed",
                                                       AuditEvent.entity_id == str(doc["id"]))).all()
        assert [e.detail["reason"] for e in events] == ["sha256 mismatch", "missing"]
        assert {e.actor_label for e in events} == {"enterprise"}


def test_the_public_check_is_limited_per_address(stack, clear_verify_limit):
    from services.core.settings import get_settings

    limit = get_settings().verify_per_minute
    with stack.client() as c:
        assert c.get("/verify").status_code == 200  # the empty form is not counted
        answers = [c.get("/verify", params={"code": f"AAAA-BBBB-{i:04d}"}) for i in range(limit + 1)]
    assert [r.status_code for r in answers] == [200] * limit + [429]
    refused = answers[-1]
    assert "查验过于频繁" in refused.text and 0 < int(refused.headers["Retry-After"]) <= 60


@pytest.fixture
def clear_verify_limit(migrated):
    """Other tests check codes from the same address within the minute: give them a fresh count."""
    from sqlalchemy import delete

    from services.core.db import session_scope
    from services.models import RateLimit

    def clear():
        with session_scope() as session:
            session.execute(delete(RateLimit).where(RateLimit.key.startswith("verify:")))

    clear()
    yield
    clear()


def _wait_for_document(client, headers, application_id, timeout=90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        documents = client.get(f"/api/v1/applications/{application_id}", headers=headers).json()["documents"]
        if documents:
            return documents[0]
        time.sleep(0.5)
    raise AssertionError(f"no document after {timeout}s")


def test_signed_in_pages_are_not_cached(stack):
    with httpx.Client(base_url=stack.base_url, timeout=30) as c:
        token = c.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        c.post("/login", data={"csrf_token": token, "username": "enterprise", "password": "GreenChannel2026!"})
        page = c.get("/applications")
        assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
