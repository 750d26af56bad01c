"""环评 through the real stack: a commitment-route case is accepted, decided the same working day,
and its post-approval check waits (suspended) for the department; a 登记表 project gets its receipt
and a project outside EIA management its statement at once; a normal-route case waits out its
public notice without holding a process."""

import base64
import uuid
from datetime import datetime

from sqlmodel import Session, select

from services.core.db import get_engine
from services.models import Attachment, Document
from tests.harness import flow_run_processes as _processes_running
from tests.samples import ELECTRONICS
from tests.stack_api import flow_run as _flow_run
from tests.stack_api import project_of as _project_of
from tests.stack_api import submit as _submit
from tests.waiting import wait_for as _wait


def _apply(stack, body: dict) -> dict:
    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    with stack.client() as c:
        r = c.post("/api/v1/eia/applications", json=body, headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


def _read(stack, application_id: int) -> dict:
    with stack.client() as c:
        return c.get(f"/api/v1/applications/{application_id}", headers=stack.token("eia_reviewer")).json()


def _step(body: dict, key: str) -> dict:
    return {s["key"]: s for s in body["steps"]}[key]


def _suspended_on(stack, application_id: int, key: str) -> dict:
    def check():
        body = _read(stack, application_id)
        step = _step(body, key)
        if step["status"] != "running" or not step["flow_run_id"]:
            return None
        run = _flow_run(stack, step["flow_run_id"])
        return body if run["state"]["type"] == "COMPLETED" else None  # the segment ended: nothing held meanwhile
    return _wait(check, what=f"the case to wait on {key}")


def _act(stack, application_id: int, key: str, body: dict, user: str = "eia_reviewer", expect: int = 201):
    with stack.client() as c:
        r = c.post(f"/api/v1/applications/{application_id}/steps/{key}/actions", json=body,
                   headers=stack.token(user))
    assert r.status_code == expect, r.text
    return r.json()


def test_commitment_route_is_decided_the_same_working_day_then_checked(stack, sample_application):
    project_id = _project_of(_submit(stack, sample_application))
    created = _apply(stack, {"project_id": project_id, "scale": "年产智能传感器500万件", "facts": ELECTRONICS,
                             "route": "commitment", "commitment_confirmed": True})
    assert created["process"] == "eia_commitment" and created["level"] == "report_form"
    app_id = created["id"]
    body = _suspended_on(stack, app_id, "eia_review")
    assert [d["kind"] for d in body["documents"]] == ["acceptance_notice", "eia_commitment_letter"]
    # another department's reviewer does not even see the case (who sees what): 404, nothing recorded
    assert _act(stack, app_id, "eia_review", {"kind": "approve", "reasons": "越权"}, user="reviewer",
                expect=404)["detail"] == "未找到该申请，或您无权查看"
    _act(stack, app_id, "eia_review", {"kind": "approve", "reasons": "符合告知承诺制条件"})
    body = _suspended_on(stack, app_id, "post_check")
    decision = next(d for d in body["documents"] if d["kind"] == "eia_decision")
    accepted = datetime.fromisoformat(body["accepted_at"]).date()
    assert datetime.fromisoformat(decision["issued_at"]).date() == accepted  # 当日审批
    check_run = _step(body, "post_check")["flow_run_id"]
    _wait(lambda: _processes_running(check_run) == [], 30, "the waiting run's process to exit")
    assert _step(body, "post_check")["due_on"] and _step(body, "post_check")["sla_unit"] == "calendar_day"
    _act(stack, app_id, "post_check", {"kind": "check_pass", "reasons": "环保设施已按承诺建设"})
    final = _wait(lambda: (b := _read(stack, app_id)) and _step(b, "post_check")["status"] == "completed" and b,
                  what="the check record")
    assert final["documents"][-1]["kind"] == "eia_post_check_record"
    assert _wait(lambda: _flow_run(stack, check_run)["state"]["type"] == "COMPLETED", 240, "the run to complete")


def test_registration_and_not_managed_get_their_documents_at_once(stack, sample_application):
    project_id = _project_of(_submit(stack, sample_application))
    assembly = dict(ELECTRONICS, facts=ELECTRONICS["facts"] | {"organic_solvents": False, "cwa_only": True})
    statement = _apply(stack, {"project_id": project_id, "scale": "传感器组装", "facts": assembly})
    assert statement["process"] == "eia_not_managed"
    sewage = {"industry_codes": [{"code": "4620", "role": "main"}], "in_industrial_building": True,
              "sensitive_areas": [], "facts": {}, "quantities": {}}
    # row 95: 其他 (a small non-centralised plant) is a 登记表 — find the answers the catalogue asks
    with stack.client() as c:
        questions = c.get("/api/v1/eia/questions", params={"codes": "4620"},
                          headers=stack.token("enterprise")).json()
    for q in questions if isinstance(questions, list) else questions["questions"]:
        if q["kind"] == "bool" and q["target"].startswith("facts."):
            sewage["facts"][q["key"]] = False
        elif q["kind"] == "quantity":
            sewage["quantities"][q["key"]] = {"value": "100", "unit": q["units"][0]}
    filing = _apply(stack, {"project_id": project_id, "scale": "厂区污水处理站100吨/日", "facts": sewage})
    assert filing["level"] == "registration" and filing["process"] == "eia_filing"
    for created, kind in ((statement, "eia_not_managed_statement"), (filing, "eia_filing_receipt")):
        body = _wait(lambda c=created: (b := _read(stack, c["id"])) and b["documents"] and b, what=kind)
        assert [d["kind"] for d in body["documents"]] == [kind]
        assert all(s["status"] == "completed" for s in body["steps"])


def test_normal_route_waits_out_the_public_notice_without_a_process(stack, sample_application):
    project_id = _project_of(_submit(stack, sample_application))
    body = {"project_id": project_id, "scale": "年产智能传感器500万件", "facts": ELECTRONICS, "route": "normal"}
    with stack.client() as c:  # the report form itself is required on the normal route
        refused = c.post("/api/v1/eia/applications", json=body, headers=stack.token("enterprise"))
    assert refused.status_code == 422 and "环境影响报告表" in refused.json()["errors"]["document"]
    created = _apply(stack, body | {"document": {"filename": "报告表.pdf", "content_base64": base64.b64encode(
        b"%PDF-1.4 report form").decode()}})
    assert created["process"] == "eia_normal"
    body = _suspended_on(stack, created["id"], "public_notice")
    notice = _step(body, "public_notice")
    assert notice["sla_unit"] == "calendar_day" and notice["due_on"]
    assert _step(body, "eia_review")["status"] == "planned"  # the department's clock has not started
    _wait(lambda: _processes_running(notice["flow_run_id"]) == [], 30, "the waiting run's process to exit")
    with Session(get_engine()) as s:
        assert s.exec(select(Document).where(Document.application_id == created["id"])).all()
        stored = s.exec(select(Attachment).where(Attachment.application_id == created["id"])).one()
        assert (stored.purpose, stored.filename) == ("eia_document", "报告表.pdf")
