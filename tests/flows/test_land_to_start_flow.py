"""拿地即开工 through the real stack: the case run suspends while departments decide (no process held),
each branch's work is a child run of it in Prefect, decisions on different branches resume it, a
branch returned for 补正 waits while the others go on, the listing period is ended by the task
worker's timer sweep, the four certificates are issued in one batch; a lost listing closes the case;
a case run that crashed is restarted by the task worker and continues without doing anything twice."""

import time
import uuid
from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlmodel import Session, select

from services.core import clock, uploads
from services.core.db import get_engine, session_scope
from services.core.users import get_by_username
from services.models import AuditEvent, Document, Step
from tests.flows.test_standard_land_flow import _processes_running
from tests.services.test_land_to_start import make_project

DEPARTMENT_USERS = {"发展和改革局": "ndrc_reviewer", "自然资源局": "reviewer", "生态环境局": "eia_reviewer",
                    "住房和城乡建设局": "housing_reviewer", "公共资源交易中心": "trading_reviewer",
                    "税务局": "tax_reviewer"}


def _wait(check, timeout=150, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def _open_case(stack) -> int:
    with session_scope() as session:
        project_id = make_project(session).id
    body = {"project_id": project_id, "project_code": "2611-441900-04-01-654321", "building_area_m2": "28000",
            "design_unit": "广东省建筑设计研究院", "contractor": "中建三局第一建设工程有限责任公司",
            "supervisor_unit": "广州建设工程监理有限公司", "funds_committed": True, "risk_signed_by": "陈立新",
            "risk_agreed": True}
    with stack.client() as c:
        r = c.post("/api/v1/land-to-start/applications", json=body,
                   headers=stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _read(stack, application_id: int) -> dict:
    with stack.client() as c:
        return c.get(f"/api/v1/applications/{application_id}", headers=stack.token("supervisor")).json()


def _run(stack, flow_run_id: str) -> dict:
    return httpx.get(f"{stack.prefect_api}/flow_runs/{flow_run_id}").json()


def _waiting(stack, application_id: int, running: set[str], what: str) -> dict:
    """The case run has suspended with exactly these department steps open (running or in 补正)."""
    def settled():
        body = _read(stack, application_id)
        steps = {s["key"]: s for s in body["steps"]}
        open_steps = {k for k, s in steps.items() if s["status"] in ("running", "suspended")}
        run_id = body.get("flow_run_id")
        if open_steps != running or not run_id:
            return None
        state = _run(stack, run_id)["state"]
        return body if state["type"] == "PAUSED" and state["name"] == "Suspended" else None
    return _wait(settled, what=what)


def _decide(stack, application_id: int, key: str, kind: str = "approve", **extra) -> None:
    department = {s["key"]: s for s in _read(stack, application_id)["steps"]}[key]["department"]
    with stack.client() as c:
        r = c.post(f"/api/v1/applications/{application_id}/steps/{key}/actions",
                   json={"kind": kind, "reasons": extra.pop("reasons", "经审查符合要求"), **extra},
                   headers=stack.token(DEPARTMENT_USERS[department]))
    assert r.status_code == 201, r.text


def _end_listing(application_id: int) -> None:
    """The 30 calendar days of the listing have passed (the deadline is set back); the task worker's
    timer sweep then resumes the case run."""
    with session_scope() as session:
        session.execute(update(Step).where(Step.application_id == application_id, Step.key == "land_listing")
                        .values(due_on=clock.today() - timedelta(days=1)))


def _children(stack, case_run_id: str) -> list[str]:
    runs = httpx.post(f"{stack.prefect_api}/flow_runs/filter", json={
        "flow_runs": {"parent_flow_run_id": {"operator": "and_", "any_": [case_run_id]}}, "limit": 200}).json()
    return sorted(r["name"] for r in runs)


def test_the_whole_case_runs_in_parallel_branches_and_ends_with_the_certificate_batch(stack):
    app_id = _open_case(stack)
    body = _waiting(stack, app_id, {"project_filing", "design_review"}, "the two first branches")
    case_run = body["flow_run_id"]
    assert f"case-{app_id}" in _run(stack, case_run)["tags"]
    _wait(lambda: _processes_running(case_run) == [], 30, "the suspended case run's process to exit")
    assert [d["kind"] for d in body["documents"]] == ["risk_commitment"], "signed before any pre-review"
    children = _children(stack, case_run)
    assert {f"case-{app_id}-design_review-open", f"case-{app_id}-project_filing-open"} <= set(children)

    # the design scheme is returned for 补正; the filing is approved at the same time and its branch goes on
    _decide(stack, app_id, "design_review", "request_supplement",
            items=[{"name": "总平面图", "reason": "建筑退让不符合规划条件", "form": "PDF"}])
    _decide(stack, app_id, "project_filing")
    _waiting(stack, app_id, {"design_review", "eia"}, "the EIA branch while the scheme waits for 补正")
    steps = {s["key"]: s for s in _read(stack, app_id)["steps"]}
    assert steps["design_review"]["status"] == "suspended" and steps["energy_review"]["status"] == "cancelled"

    with session_scope() as session:  # the enterprise uploads the revised plan (as the upload form does) …
        step = session.exec(select(Step).where(Step.application_id == app_id, Step.key == "design_review")).one()
        uploads.save_attachment(session, get_by_username(session, "enterprise"), step, 0, "site-plan.pdf",
                                "application/pdf", b"%PDF-1.4 revised site plan")
    with stack.client() as c:  # … and submits the 补正
        r = c.post(f"/api/v1/applications/{app_id}/steps/design_review/actions", json={"kind": "supplement"},
                   headers=stack.token("enterprise"))
    assert r.status_code == 201, r.text
    _waiting(stack, app_id, {"design_review", "eia"}, "the scheme back with the department")
    _decide(stack, app_id, "design_review")
    _decide(stack, app_id, "eia")
    _waiting(stack, app_id, {"drawing_review", "land_listing"}, "the drawings and the listing period")
    _decide(stack, app_id, "drawing_review")
    _end_listing(app_id)
    _waiting(stack, app_id, {"deal_confirmation"}, "the deal")
    _decide(stack, app_id, "deal_confirmation", reasons="挂牌期满，由本企业竞得")
    _waiting(stack, app_id, {"contract"}, "the contract")
    _decide(stack, app_id, "contract")
    _waiting(stack, app_id, {"payment"}, "the payment")
    _decide(stack, app_id, "payment")

    final = _wait(lambda: (b := _read(stack, app_id)) and b["status"] == "permitted" and b, what="the permits")
    assert _wait(lambda: _run(stack, case_run)["state"]["type"] == "COMPLETED", 60, "the case run to complete")
    kinds = [d["kind"] for d in final["documents"]]
    assert kinds[0] == "risk_commitment" and sorted(kinds[-4:]) == sorted(
        ["land_title_certificate", "land_use_planning_permit", "construction_planning_permit", "construction_permit"])
    assert "supplement_notice" in kinds
    with Session(get_engine()) as s:
        batch = s.exec(select(Document).where(Document.application_id == app_id,
                                              Document.step_key == "certificates")).all()
        assert len({d.context["batch_no"] for d in batch}) == 1 and len({d.number for d in batch}) == 4
    children = _children(stack, case_run)
    assert f"case-{app_id}-certificates-automatic" in children and f"case-{app_id}-eia-apply" in children

    with stack.client() as c:  # the enterprise reports the start of construction
        r = c.post(f"/api/v1/land-to-start/applications/{app_id}/start", json={"started_on": str(clock.today())},
                   headers=stack.token("enterprise"))
    assert r.status_code == 200, r.text
    assert _read(stack, app_id)["status"] == "started"


def test_a_lost_listing_closes_the_case_and_a_crashed_case_run_is_restarted_without_repeating_work(stack):
    app_id = _open_case(stack)
    first_run = _waiting(stack, app_id, {"project_filing", "design_review"}, "the first branches")["flow_run_id"]

    # the worker running the case died: Prefect marks the run Crashed; the task worker starts a new one
    r = httpx.post(f"{stack.prefect_api}/flow_runs/{first_run}/set_state",
                   json={"state": {"type": "CRASHED", "message": "worker killed"}, "force": True})
    assert r.status_code in (200, 201), r.text
    body = _wait(lambda: (b := _read(stack, app_id))["flow_run_id"] != first_run and b, what="a new case run")
    second_run = body["flow_run_id"]
    _waiting(stack, app_id, {"project_filing", "design_review"}, "the new run to wait on the same steps")
    with Session(get_engine()) as s:
        steps = s.exec(select(Step).where(Step.application_id == app_id)).all()
        assert len(steps) == len({st.key for st in steps}) == 14, "no step planned twice"
        assert {st.flow_run_id for st in steps if st.status == "running"} == {second_run}
        assert len(s.exec(select(Document).where(Document.application_id == app_id)).all()) == 1, "one 承诺书"
        restart = s.exec(select(AuditEvent).where(AuditEvent.application_id == app_id,
                                                  AuditEvent.action == "case.run_restarted")).one()
        assert restart.detail["previous_run"] == first_run

    for key in ("project_filing", "design_review"):
        _decide(stack, app_id, key)
    _waiting(stack, app_id, {"eia", "drawing_review", "land_listing"}, "the next branches")
    for key in ("eia", "drawing_review"):
        _decide(stack, app_id, key)
    _end_listing(app_id)
    _waiting(stack, app_id, {"deal_confirmation"}, "the deal")
    _decide(stack, app_id, "deal_confirmation", "reject", reasons="挂牌期满，由其他竞买人竞得")
    final = _wait(lambda: (b := _read(stack, app_id)) and b["status"] == "lost" and b, what="the case to close")
    assert all(s["status"] in ("completed", "cancelled") for s in final["steps"])
    assert not [d for d in final["documents"] if d["kind"].endswith(("certificate", "permit"))]
    assert _wait(lambda: _run(stack, second_run)["state"]["type"] == "COMPLETED", 60, "the case run to end")
