"""文书查验 on the running stack: a real 受理通知书 issued by the flow (signed by the task worker with the demo
certificate it generated), downloaded as the enterprise does, then checked on the public page — by 查验码 and
by uploading the file; an altered copy is refused with the reason; bad uploads get a Chinese 4xx; a supervisor
revokes it and both checks then say 已作废."""

import re
import time
import uuid
from io import BytesIO

import httpx
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from services.core.settings import get_settings
from services.demo import DEMO_PASSWORD


@pytest.fixture
def clear_verify_limit(migrated):
    """Other tests check codes from the same address within the minute: give these a fresh count."""
    from sqlalchemy import delete

    from services.core.db import session_scope
    from services.models import RateLimit

    with session_scope() as session:
        session.exec(delete(RateLimit).where(RateLimit.key.startswith("verify:")))  # type: ignore[attr-defined]


def _issued_notice(stack, application: dict) -> dict:
    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    with stack.client() as c:
        created = c.post("/api/v1/applications", json=application, headers=headers)
        assert created.status_code == 201, created.text
        deadline, body = time.monotonic() + 90, {}
        while time.monotonic() < deadline:
            body = c.get(f"/api/v1/applications/{created.json()['id']}", headers=headers).json()
            if body["documents"]:
                break
            time.sleep(0.5)
        assert body.get("documents"), f"no acceptance notice: {body}"
        doc = body["documents"][0]
        pdf = c.get(doc["pdf_url"], headers=headers)
        assert pdf.status_code == 200
    from services.core.db import session_scope
    from services.models import Document

    with session_scope() as session:
        code = session.get(Document, doc["id"]).verification_code
    return {"id": doc["id"], "number": doc["number"], "code": code, "case_no": body["case_no"],
            "application_id": body["id"], "pdf": pdf.content}


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _upload(client: httpx.Client, name: str, data: bytes, content_type: str = "application/pdf") -> httpx.Response:
    token = _csrf(client.get("/verify").text)
    return client.post("/verify", data={"csrf_token": token}, files={"file": (name, data, content_type)})


def _raw_upload(client: httpx.Client, name: bytes, data: bytes) -> httpx.Response:
    """A multipart body written by hand, so the file name reaches the server byte for byte."""
    token, boundary = _csrf(client.get("/verify").text), uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"").encode() + name + (
            b"\"\r\nContent-Type: application/pdf\r\n\r\n") + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post("/verify", content=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})


def _text(response: httpx.Response) -> str:
    """The page's text without tags (so a sentence split by markup still reads as one)."""
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", response.text))


def _incremental_change(pdf: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(stream_data=b"q 0 0 1 RG 72 72 144 72 re S Q")))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_issued_pdf_verifies_by_code_and_by_upload_and_an_altered_copy_is_refused(
        stack, sample_application, clear_verify_limit):
    notice = _issued_notice(stack, sample_application)
    issuer = get_settings().issuer_name
    with stack.client() as c:
        by_code = _text(c.get("/verify", params={"code": notice["code"]}))
        assert "查验通过" in by_code and notice["number"] in by_code
        assert "电子签章有效：文件自签章后未被修改（演示证书，不具法律效力）" in by_code
        assert issuer in by_code and "本系统演示根证书" in by_code

        genuine = _upload(c, "受理通知书.pdf", notice["pdf"])
        assert genuine.status_code == 200
        text = _text(genuine)
        assert "真实有效" in text and notice["number"] in text and notice["case_no"] in text
        assert "电子签章有效" in text and issuer in text

        start = notice["pdf"].index(b"stream") + 20
        flipped = notice["pdf"][:start] + bytes([notice["pdf"][start] ^ 1]) + notice["pdf"][start + 1:]
        for altered in (flipped, _incremental_change(notice["pdf"])):
            refused = _upload(c, "受理通知书.pdf", altered)
            assert refused.status_code == 200  # a verdict, not an error: the check itself worked
            text = _text(refused)
            assert "查验未通过：文件在签章后被修改" in text and "真实有效" not in text
            assert notice["number"] not in text


def test_bad_uploads_get_a_chinese_refusal_never_a_server_error(stack, clear_verify_limit):
    limit = get_settings().max_upload_mb
    with stack.client() as c:
        cases = [
            ("empty.pdf", b"", 422, "是空文件"),
            ("notes.txt", "这不是PDF".encode(), 415, "文件不是有效的PDF"),
            ("broken.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100, 422, "文件不是有效的PDF"),
            ("bad\x07name.pdf", b"%PDF-1.7\n", 422, "文件名含有控制字符"),
        ]
        for name, data, status, message in cases:
            r = _upload(c, name, data)
            assert (r.status_code, message in _text(r)) == (status, True), (name, r.status_code, _text(r)[:300])
        raw = _raw_upload(c, b"bad\x1bname.pdf", b"%PDF-1.7\n")  # the control character itself, not %1B
        assert raw.status_code == 422 and "文件名含有控制字符" in _text(raw)
        unsigned = _upload(c, "plain.pdf", _plain_pdf())
        assert unsigned.status_code == 200 and "文件没有电子签章，不是本系统签发的文书" in _text(unsigned)
        token = _csrf(c.get("/verify").text)
        assert c.post("/verify", data={"csrf_token": token}).status_code == 422  # no file chosen
        assert c.post("/verify", files={"file": ("a.pdf", b"%PDF-1.7", "application/pdf")}).status_code == 403
        big = b"%PDF-1.7\n" + b"0" * ((limit + 1) * 1024 * 1024)
        huge = c.post("/verify", data={"csrf_token": token}, files={"file": ("big.pdf", big, "application/pdf")})
        assert huge.status_code == 413 and f"超过{limit}MB" in huge.text


def test_a_supervisor_revokes_a_document_and_the_checks_say_so(stack, sample_application, clear_verify_limit):
    notice = _issued_notice(stack, sample_application)
    reason = f"文书记载的项目名称有误，已重新出具（{uuid.uuid4().hex[:6]}）"
    with _signed_in(stack, "enterprise") as (enterprise, token):
        assert "作废此文书" not in enterprise.get(f"/applications/{notice['application_id']}").text
        refused = enterprise.post(f"/documents/{notice['id']}/revoke", data={"csrf_token": token, "reason": reason})
        assert refused.status_code == 403
    with _signed_in(stack, "supervisor") as (supervisor, token):
        case_page = supervisor.get(f"/applications/{notice['application_id']}").text
        assert f'action="/documents/{notice["id"]}/revoke"' in case_page
        empty = supervisor.post(f"/documents/{notice['id']}/revoke", data={"csrf_token": token, "reason": " "})
        assert empty.status_code == 422 and "请填写作废原因" in empty.text
        done = supervisor.post(f"/documents/{notice['id']}/revoke", data={"csrf_token": token, "reason": reason})
        assert done.status_code == 303
        assert "已作废" in _text(supervisor.get(done.headers["location"]))
        again = supervisor.post(f"/documents/{notice['id']}/revoke", data={"csrf_token": token, "reason": "再次"})
        assert again.status_code == 409 and "该文书已作废" in again.text
    with stack.client() as c:
        by_code = _text(c.get("/verify", params={"code": notice["code"]}))
        assert "该文书已作废" in by_code and reason in by_code and "查验通过" not in by_code
        uploaded = _text(_upload(c, "受理通知书.pdf", notice["pdf"]))
        assert "已作废" in uploaded and reason in uploaded and "真实有效" not in uploaded
    from sqlmodel import select

    from services.core.db import session_scope
    from services.models import AuditEvent

    with session_scope() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.action == "document.revoked",
                                                       AuditEvent.entity_id == str(notice["id"]))).all()
        assert [(e.actor_label, e.detail["reason"]) for e in events] == [("supervisor", reason)]


class _signed_in:
    """A page session of a demo account and its CSRF token."""

    def __init__(self, stack, username: str) -> None:
        self.client = httpx.Client(base_url=stack.base_url, timeout=30)
        self.username = username

    def __enter__(self) -> tuple[httpx.Client, str]:
        r = self.client.post("/login", data={"username": self.username, "password": DEMO_PASSWORD,
                                             "csrf_token": _csrf(self.client.get("/login").text)})
        assert r.status_code == 303, r.text[:300]
        return self.client, _csrf(self.client.get("/account/password").text)

    def __exit__(self, *exc) -> None:
        self.client.close()


def _plain_pdf() -> bytes:
    """A valid one-page PDF without a signature (WeasyPrint, like the documents, but never signed)."""
    from weasyprint import HTML

    return HTML(string="<p>Hello</p>").write_pdf()
