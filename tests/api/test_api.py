"""The JSON API against the running stack: submit → real Prefect flow run → acceptance notice."""

import subprocess
import time
import uuid
from urllib.parse import parse_qs, urlparse

import cv2
import httpx
import pytest


def _wait_for_documents(client, headers, application_id, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/applications/{application_id}", headers=headers).json()
        if body["documents"]:
            return body
        time.sleep(0.5)
    raise AssertionError(f"no acceptance notice after {timeout}s: {body}")


def _wait_for_final_state(stack, flow_run_id, timeout=60):
    """The notice is stored before the run finishes its last step (the Prefect table artifact)."""
    deadline = time.monotonic() + timeout
    while True:
        run = httpx.get(f"{stack.prefect_api}/flow_runs/{flow_run_id}").json()
        if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") or time.monotonic() > deadline:
            return run
        time.sleep(0.3)


def test_public_helpers(stack):
    with stack.client() as c:
        assert c.get("/healthz").json()["status"] == "ok"
        assert c.get("/api/v1/calendar/due", params={"accepted_on": "2025-01-24", "working_days": 5}).json() == \
            {"due": "2025-02-07", "provisional": False}
        assert c.get("/api/v1/calendar/due", params={"accepted_on": "2026-12-30", "working_days": 3}).json()[
            "provisional"] is True
        assert c.get("/api/v1/uscc/91350100m000100y43").json() == {"valid": True, "normalized": "91350100M000100Y43"}
        bad = c.get("/api/v1/uscc/91350100M000100Y44").json()
        assert bad["valid"] is False and "校验码" in bad["reason"]
        assert c.get("/api/v1/calendar/due", params={"accepted_on": "bad", "working_days": 5}).status_code == 422
        assert "/api/v1/applications" in c.get("/openapi.json").json()["paths"]


def test_submission_runs_the_flow_and_issues_the_notice(stack, sample_application, tmp_path):
    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    with stack.client() as c:
        created = c.post("/api/v1/applications", json=sample_application, headers=headers)
        assert created.status_code == 201, created.text
        body = _wait_for_documents(c, headers, created.json()["id"])
        assert body["status"] == "accepted" and body["flow_run_id"]
        steps = {s["key"]: s for s in body["steps"]}
        assert steps["completeness"]["status"] == "completed" and steps["acceptance"]["status"] == "completed"
        assert steps["land_review"]["status"] in ("planned", "running") and steps["land_review"]["due_on"]
        doc = body["documents"][0]
        pdf = c.get(doc["pdf_url"], headers=headers)
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        (tmp_path / "n.pdf").write_bytes(pdf.content)
        fonts = subprocess.run(["pdffonts", str(tmp_path / "n.pdf")], capture_output=True, text=True).stdout
        assert "FandolFang" in fonts
        text = subprocess.run(["pdftotext", str(tmp_path / "n.pdf"), "-"], capture_output=True, text=True).stdout
        assert "受理通知书" in text and body["case_no"] in text and doc["number"] in text
        assert c.get(doc["docx_url"], headers=headers).content[:2] == b"PK"
        # the run is real: Prefect knows it, it completed, and its tasks are recorded
        run = _wait_for_final_state(stack, body["flow_run_id"])
        assert run["state"]["type"] == "COMPLETED"
        tasks = httpx.post(f"{stack.prefect_api}/task_runs/filter",
                           json={"flow_runs": {"id": {"any_": [body["flow_run_id"]]}}}).json()
        names = [t["name"] for t in tasks]
        assert any(n.startswith("材料完整性审查") for n in names) and any(n.startswith("受理") for n in names)
        assert all(t["state"]["type"] == "COMPLETED" for t in tasks)


def test_retrying_with_the_same_key_returns_the_same_application(stack, sample_application):
    headers = stack.token("enterprise") | {"Idempotency-Key": "retry-" + str(uuid.uuid4())}
    with stack.client() as c:
        first = c.post("/api/v1/applications", json=sample_application, headers=headers)
        second = c.post("/api/v1/applications", json=sample_application, headers=headers)
        assert (first.status_code, second.status_code) == (201, 200)
        assert first.json()["id"] == second.json()["id"]
        _wait_for_documents(c, headers, first.json()["id"])
        runs = httpx.post(f"{stack.prefect_api}/flow_runs/filter",
                          json={"flow_runs": {"name": {"any_": [f"case-{first.json()['id']}"]}}}).json()
        assert len(runs) == 1, "a retried submission must not start a second flow run"


@pytest.mark.parametrize(("changes", "field"), [
    ({"uscc": "91441900MA4UJ2K31Y"}, "uscc"), ({"land_area_mu": "-1"}, "land_area_mu"),
    ({"project_name": ""}, "project_name"), ({"parcel_id": 424242}, "parcel_id"),
])
def test_bad_input_is_a_422_naming_the_field_and_writes_nothing(stack, sample_application, changes, field):
    headers = stack.token("enterprise")
    with stack.client() as c:
        before = len(c.get("/api/v1/applications", headers=headers).json())
        r = c.post("/api/v1/applications", json={**sample_application, **changes}, headers=headers)
        assert r.status_code == 422 and field in r.json()["errors"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["errors"][field])
        assert len(c.get("/api/v1/applications", headers=headers).json()) == before


def test_auth_is_required_and_staff_cannot_submit(stack, sample_application):
    with stack.client() as c:
        assert c.get("/api/v1/applications").status_code == 401
        assert c.post("/api/v1/auth/token", data={"username": "enterprise", "password": "x"}).status_code == 401
        r = c.post("/api/v1/applications", json=sample_application, headers=stack.token("agent"))
        assert r.status_code == 403


@pytest.fixture(scope="module")
def other_enterprise_application(stack):
    """A second enterprise with its own account and application, made through the services."""
    from services.core import clock
    from services.core.db import session_scope
    from services.core.users import create_user, get_by_username
    from services.models import Enterprise, Role
    from services.standard_land.intake import StandardLandApplicationInput, submit_application
    from tests.samples import SAMPLE

    with session_scope() as session:
        user = get_by_username(session, "other-firm")
        if user is None:
            firm = Enterprise(name="东莞临深电子有限公司", uscc="91350100M000100Y43", legal_representative="黄伟",
                              contact_name="黄伟", contact_phone="13900139000", created_at=clock.now(),
                              updated_at=clock.now())
            session.add(firm)
            session.flush()
            user = create_user(session, username="other-firm", password="Other-Firm-2026", display_name="临深电子",
                               role=Role.enterprise, enterprise_id=firm.id)
        data = StandardLandApplicationInput.model_validate(
            {**SAMPLE, "uscc": "91350100M000100Y43", "enterprise_name": "东莞临深电子有限公司"})
        application, _ = submit_application(session, user, data, "other-firm-1")
        return application.id


def test_enterprise_sees_only_its_own_staff_see_all(stack, other_enterprise_application):
    with stack.client() as c:
        mine = c.get("/api/v1/applications", headers=stack.token("enterprise")).json()
        everyone = c.get("/api/v1/applications", headers=stack.token("supervisor")).json()
        assert mine and len(everyone) > len(mine)
        assert {a["enterprise_name"] for a in mine} == {"东莞松湖智造科技有限公司"}
        assert other_enterprise_application in {a["id"] for a in everyone}
        hidden = c.get(f"/api/v1/applications/{other_enterprise_application}", headers=stack.token("enterprise"))
        assert hidden.status_code == 404
        seen = c.get(f"/api/v1/applications/{other_enterprise_application}", headers=stack.token("supervisor"))
        assert seen.status_code == 200 and seen.json()["enterprise_name"] == "东莞临深电子有限公司"
        unassigned = c.get(f"/api/v1/applications/{other_enterprise_application}", headers=stack.token("agent"))
        assert unassigned.status_code == 404  # no mandate of that enterprise is assigned to this agent


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example",
                                    "/\r\nSet-Cookie: x=1"])
def test_sign_in_never_redirects_off_site(stack, target):
    with httpx.Client(base_url=stack.base_url, follow_redirects=False) as c:
        login = c.get("/login", params={"next": target})
        token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
        r = c.post("/login", data={"csrf_token": token, "username": "agent", "password": "GreenChannel2026!",
                                   "next": target})
        assert r.status_code == 303 and r.headers["location"] == "/applications"


def test_an_application_whose_hand_over_was_lost_is_still_accepted(stack, sample_application):
    """Stored but never handed to Prefect (the web app stopped right after the commit): the task
    worker's sweep queues it and it is accepted without anyone resubmitting."""
    from datetime import timedelta

    from services.core import clock
    from services.core.db import session_scope
    from services.core.users import get_by_username
    from services.standard_land.intake import StandardLandApplicationInput, submit_application

    real_now = clock.now()
    clock.set_clock(lambda: real_now - timedelta(minutes=5))
    try:
        with session_scope() as session:
            application, _ = submit_application(session, get_by_username(session, "enterprise"),
                                                StandardLandApplicationInput.model_validate(sample_application),
                                                "lost-" + str(uuid.uuid4()))
    finally:
        clock.set_clock(None)
    with stack.client() as c:
        body = _wait_for_documents(c, stack.token("enterprise"), application.id, timeout=60)
        assert body["status"] == "accepted" and body["flow_run_id"]


def test_the_verification_code_on_a_notice_can_be_checked_publicly(stack, sample_application, tmp_path):
    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    with stack.client() as c:
        created = c.post("/api/v1/applications", json=sample_application, headers=headers).json()
        doc = _wait_for_documents(c, headers, created["id"])["documents"][0]
        from services.core.db import session_scope
        from services.models import Document

        with session_scope() as session:
            code = session.get(Document, doc["id"]).verification_code
        assert code.count("-") == 2 and code not in created["case_no"]
        page = httpx.get(f"{stack.base_url}/verify", params={"code": code.lower().replace("-", " ")}).text
        assert "查验通过" in page and doc["number"] in page and created["case_no"] in page
        assert "未查到" in httpx.get(f"{stack.base_url}/verify", params={"code": "AAAA-BBBB-CCCC"}).text
        # or scanned: the QR code printed on the notice opens the same check
        pdf = c.get(doc["pdf_url"], headers=headers).content
    scanned = urlparse(_qr_on_first_page(pdf, tmp_path))
    assert parse_qs(scanned.query) == {"code": [code]}
    page = httpx.get(f"{stack.base_url}{scanned.path}?{scanned.query}").text
    assert "查验通过" in page and doc["number"] in page


def _qr_on_first_page(pdf: bytes, tmp_path) -> str:
    """The text of the QR code printed on the PDF's first page, read as a phone would (OpenCV)."""
    (tmp_path / "notice.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", str(tmp_path / "notice.pdf"),
                    str(tmp_path / "page")], check=True)
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(cv2.imread(str(tmp_path / "page.png")))
    return text


def test_staff_get_a_clear_refusal_instead_of_the_enterprise_form(stack):
    with httpx.Client(base_url=stack.base_url) as c:
        login = c.get("/login")
        token = login.text.split('name="csrf_token" value="')[1].split('"')[0]
        c.post("/login", data={"csrf_token": token, "username": "agent", "password": "GreenChannel2026!"})
        r = c.get("/applications/new")
        assert r.status_code == 403 and "申请由企业账户提交" in r.text and "退出" in r.text
