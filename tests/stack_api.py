"""Cases driven through the running stack as its users drive them: our JSON API with the demo accounts'
bearer tokens, and Prefect's REST API for the runs. Shared by the flow and the browser tests.

``stack`` is the session's ``tests.harness.Stack``. Reads that the API does not offer (the project of an
application) and the clock jumps a test needs (a listing period that has run out) go to the database the
stack uses, in this process.
"""

import uuid
from collections.abc import Callable
from datetime import timedelta

import httpx
from sqlalchemy import update
from sqlmodel import Session, col, select

from services.core import clock
from services.core.db import get_engine, session_scope
from services.models import Application, Step, StepAction
from tests.factories import SCHEME_PDF, make_project
from tests.harness import Stack
from tests.samples import DEPARTMENT_USERS
from tests.waiting import wait_for, wait_for_case


def submit(stack: Stack, application: dict) -> int:
    """A 标准地 application posted by the demo enterprise (own Idempotency-Key); its id."""
    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    with stack.client() as c:
        created = c.post("/api/v1/applications", json=application, headers=headers)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def read(stack: Stack, application_id: int, user: str = "supervisor") -> dict:
    """An application as ``user`` sees it through the API (steps, documents, flow run)."""
    with stack.client() as c:
        return c.get(f"/api/v1/applications/{application_id}", headers=stack.token(user)).json()


def flow_run(stack: Stack, flow_run_id: str) -> dict:
    """A flow run as Prefect's API shows it (``state.type``, ``state.name`` …)."""
    return httpx.get(f"{stack.prefect_api}/flow_runs/{flow_run_id}").json()


def project_of(application_id: int) -> int:
    with Session(get_engine()) as s:
        application = s.get(Application, application_id)
        assert application is not None, f"no application {application_id}"
        return application.project_id


# ------------------------------------------------------------------------------------------ 拿地即开工

def read_case(stack: Stack, application_id: int) -> dict:
    """A 拿地即开工 case as the 督办管理员 sees it (every department's steps)."""
    return read(stack, application_id, "supervisor")


def open_land_to_start_case(stack: Stack) -> int:
    """A 拿地即开工 case posted by the demo enterprise for a new project of its own; its id."""
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


def upload_design_scheme(stack: Stack, application_id: int, *files: tuple[str, bytes], key: str | None = None,
                         user: str = "enterprise") -> httpx.Response:
    """The enterprise hands in a 设计方案 version through the API (multipart); the response as it came."""
    files = files or (("总平面图.pdf", SCHEME_PDF),)
    with stack.client() as c:
        return c.post(f"/api/v1/land-to-start/applications/{application_id}/design-schemes",
                      files=[("files", (name, data, "application/pdf")) for name, data in files],
                      headers=stack.token(user) | {"Idempotency-Key": key or str(uuid.uuid4())})


def decide_as_department(stack: Stack, application_id: int, key: str, kind: str = "approve", **extra) -> None:
    """The step's department (its demo reviewer) records ``kind`` with reasons; an approval of the 设计方案预审
    is made on a version the enterprise has handed in (uploaded here first when there is none)."""
    if key == "design_review" and kind == "approve":
        with stack.client() as c:
            listed = c.get(f"/api/v1/land-to-start/applications/{application_id}/design-schemes",
                           headers=stack.token("enterprise")).json()
        if not listed["versions"]:
            uploaded = upload_design_scheme(stack, application_id)
            assert uploaded.status_code == 201, uploaded.text
    department = {s["key"]: s for s in read_case(stack, application_id)["steps"]}[key]["department"]
    with stack.client() as c:
        r = c.post(f"/api/v1/applications/{application_id}/steps/{key}/actions",
                   json={"kind": kind, "reasons": extra.pop("reasons", "经审查符合要求"), **extra},
                   headers=stack.token(DEPARTMENT_USERS[department]))
    assert r.status_code == 201, r.text


def end_listing(application_id: int) -> None:
    """The 30 calendar days of the listing have passed (the deadline is set back); the task worker's
    timer sweep then queues the case's next segment. A segment of the case still running reschedules the
    deadlines and undoes the jump (under load a case's segment can end after a later one): wait with
    ``listing_ended`` so the jump is made again until the sweep has ended the listing."""
    with session_scope() as session:
        session.execute(update(Step).where(Step.application_id == application_id, Step.key == "land_listing",
                                           Step.status == "running", Step.due_on >= clock.today())
                        .values(due_on=clock.today() - timedelta(days=1)))


def listing_ended(stack: Stack, application_id: int, running: set[str], what: str) -> dict:
    """``case_waiting`` for the steps after the listing, keeping the listing's deadline in the past meanwhile."""
    return case_waiting(stack, application_id, running, what, meanwhile=lambda: end_listing(application_id))


def unapplied_actions(application_id: int) -> int:
    """Actions stored on the case that no segment has applied yet (its next segment is still to come)."""
    with session_scope() as session:
        return len(session.exec(select(StepAction.id).where(StepAction.application_id == application_id,
                                                            col(StepAction.applied_at).is_(None))).all())


def case_waiting(stack: Stack, application_id: int, running: set[str], what: str,
                 meanwhile: Callable[[], None] | None = None) -> dict:
    """The case's last segment has ended with exactly these department steps open (running or in 补正);
    ``meanwhile`` is called before each look."""
    seen: dict = {}

    def settled():
        if meanwhile:
            meanwhile()
        body = read_case(stack, application_id)
        steps = {s["key"]: s for s in body["steps"]}
        open_steps = {k for k, s in steps.items() if s["status"] in ("running", "suspended")}
        run_id = body.get("flow_run_id")
        seen.update(status=body["status"], open_steps=sorted(open_steps), run=run_id, run_state=None)
        if open_steps != running or not run_id or unapplied_actions(application_id):
            return None
        state = flow_run(stack, run_id).get("state")  # none while Prefect does not know the run
        if state is None:
            return None
        seen["run_state"] = f"{state['type']}/{state['name']}"
        return body if state["type"] == "COMPLETED" else None
    return wait_for_case(settled, what=what, seen=seen)


# ------------------------------------------------------------------------------------------ 标准地

REVIEW = "land_review"


def waiting_for_decision(stack: Stack, application_id: int, timeout: float = 300) -> dict:
    """The review segment that opened the step has ended (no run, no process held) and the step waits on the
    department."""
    seen: dict = {}

    def waiting():
        body = read(stack, application_id)
        step = {s["key"]: s for s in body["steps"]}[REVIEW]
        seen.update(status=body["status"], step=step["status"], run=step["flow_run_id"], run_state=None)
        if step["status"] != "running" or not step["flow_run_id"] or unapplied_actions(application_id):
            return None
        state = flow_run(stack, step["flow_run_id"])["state"]
        seen["run_state"] = f"{state['type']}/{state['name']}"
        return body if state["type"] == "COMPLETED" else None
    return wait_for(waiting, timeout, what="the review segment to end with the step open", seen=seen)
