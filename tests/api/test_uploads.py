"""Uploads through the running app: a real PDF handed in with an EIA application (multipart, the 环评
wizard) is stored and served back as ``application/pdf`` whatever the browser claimed; a program named
.pdf and a ZIP bomb are refused with a Chinese message naming the file; a body over the limit gets 413
and nothing is stored — at once when ``Content-Length`` says so, before a byte of the body is sent."""

import io
import socket
import uuid
import zipfile
from urllib.parse import urlsplit

import httpx
import pytest
from sqlmodel import Session, select

from services.core.db import get_engine
from services.documents.render import html_to_pdf
from services.models import Application, Attachment
from tests.samples import DEMO_PASSWORD, PASSING_PLAN, SAMPLE

MIB = 1024 * 1024
ELECTRONICS_ANSWERS = {  # 3983 with organic solvents: 报告表, which the normal route needs handed in
    "main_code": "3983", "q_in_industrial_building": "yes", "q_sensitive_areas": "none",
    "q_semiconductor_materials": "no", "q_electronic_chemicals": "no", "q_pcb": "no", "q_cwa_only": "no",
    "q_solvent_coating": "0", "u_solvent_coating": "t/a", "q_low_voc_coating": "0", "u_low_voc_coating": "t/a",
    "q_organic_solvents": "yes", "q_acid_pickling": "no", "q_electroplating": "no",
    "scale": "年产智能传感器500万件", "route": "normal"}


@pytest.fixture(scope="module")
def project_id(stack) -> int:
    """The enterprise's project, from a 标准地 application (the EIA wizard applies for an existing project)."""
    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    with stack.client() as c:
        created = c.post("/api/v1/applications", json=dict(SAMPLE, planned_indicators=dict(PASSING_PLAN)),
                         headers=headers)
    assert created.status_code == 201, created.text
    with Session(get_engine()) as s:
        return s.get(Application, created.json()["id"]).project_id


@pytest.fixture
def enterprise(stack):
    """A browser-like client signed in as the enterprise; ``csrf`` is its form token."""
    with httpx.Client(base_url=stack.base_url, timeout=60) as c:
        token = c.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        r = c.post("/login", data={"csrf_token": token, "username": "enterprise", "password": DEMO_PASSWORD})
        assert r.status_code == 303, r.text
        c.csrf = c.get("/eia/new").text.split('name="csrf_token" value="')[1].split('"')[0]
        yield c


def _submit(client, project_id: int, key: str, filename: str, data: bytes, claimed: str = "application/pdf"):
    fields = ELECTRONICS_ANSWERS | {"csrf_token": client.csrf, "idempotency_key": key, "stage": "submit",
                                    "project_id": str(project_id)}
    return client.post("/eia/new", data=fields, files={"document": (filename, data, claimed)})


def _application(key: str) -> Application | None:
    with Session(get_engine()) as s:
        return s.exec(select(Application).where(Application.idempotency_key == key)).first()


def test_a_real_pdf_is_stored_and_served_as_pdf_whatever_the_browser_claimed(enterprise, project_id):
    pdf = html_to_pdf("<html><body><h1>建设项目环境影响报告表</h1><p>智能传感器生产基地项目</p></body></html>")
    key = str(uuid.uuid4())
    r = _submit(enterprise, project_id, key, "报告表.pdf", pdf, claimed="text/html")
    assert r.status_code == 303, r.text
    application = _application(key)
    with Session(get_engine()) as s:
        stored = s.exec(select(Attachment).where(Attachment.application_id == application.id)).one()
    assert (stored.filename, stored.content_type, stored.size) == ("报告表.pdf", "application/pdf", len(pdf))
    served = enterprise.get(f"/attachments/{stored.id}")
    assert served.status_code == 200 and served.content == pdf
    assert served.headers["content-type"] == "application/pdf"


def test_a_program_named_pdf_is_refused_and_nothing_is_stored(enterprise, project_id):
    key = str(uuid.uuid4())
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(4096) + b"This program cannot be run"
    r = _submit(enterprise, project_id, key, "报告表.pdf", program)
    assert r.status_code == 422
    assert "“报告表.pdf”的内容不是PDF文件" in r.text
    assert _application(key) is None


def test_a_zip_bomb_is_refused(enterprise, project_id):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("报告表附图.pdf", "w", force_zip64=True) as entry:
        chunk = b"%PDF-" + bytes(MIB - 5)
        for _ in range(1024):  # 1 GiB expanded, about 1 MiB on the wire
            entry.write(chunk)
    key = str(uuid.uuid4())
    r = _submit(enterprise, project_id, key, "报告表.zip", buffer.getvalue(), claimed="application/zip")
    assert r.status_code == 422
    assert "“报告表.zip”解压后超过200MB" in r.text
    assert _application(key) is None


def test_a_streamed_body_over_the_limit_is_cut_off_with_413(enterprise, project_id):
    """No Content-Length (chunked): the app stops reading at the limit and answers 413; nothing is stored."""
    key, boundary = str(uuid.uuid4()), uuid.uuid4().hex
    fields = ELECTRONICS_ANSWERS | {"csrf_token": enterprise.csrf, "idempotency_key": key, "stage": "submit",
                                    "project_id": str(project_id)}

    def body():
        for name, value in fields.items():
            yield (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n').encode()
        yield (f'--{boundary}\r\nContent-Disposition: form-data; name="document"; filename="big.pdf"\r\n'
               f"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n").encode()
        for _ in range(25):
            yield bytes(MIB)
        yield f"\r\n--{boundary}--\r\n".encode()

    r = enterprise.post("/eia/new", content=body(),
                        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert r.status_code == 413 and "超过20MB" in r.text
    assert _application(key) is None


def test_a_declared_size_over_the_limit_is_refused_before_the_body_is_sent(stack):
    """The 补正 upload route; the answer arrives after the headers alone, so nothing of the body was read."""
    url = urlsplit(stack.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall((f"POST /applications/1/steps/land_review/files HTTP/1.1\r\nHost: {url.netloc}\r\n"
                      f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: {25 * MIB}\r\n\r\n").encode())
        answer = b""
        while b"</html>" not in answer:
            received = sock.recv(65536)
            assert received, answer
            answer += received
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert "上传的内容超过20MB".encode() in answer
