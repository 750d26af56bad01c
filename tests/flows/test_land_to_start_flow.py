"""拿地即开工 through the real stack: each segment of the case ends while departments decide (no run and no
process held), each branch's work is a child run in Prefect tagged with the case, decisions on different
branches run the next segment on the warm task worker, a branch returned for 补正 waits while the others go
on, the listing period is ended by the task worker's timer sweep, the four certificates are issued in one
batch; a lost listing closes the case; decisions whose hand-over was lost (a web app killed after its commit)
and a segment lost halfway (its worker killed after applying them) are carried on by the sweep, once."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import httpx
from sqlmodel import Session, col, select

from services.cases import handoff, human_actions
from services.core import clock, uploads
from services.core.db import get_engine, session_scope
from services.core.users import get_by_username
from services.land_to_start import service as lts
from services.models import ActionKind, AuditEvent, Document, Step, SystemFault
from tests.factories import design_scheme, make_project
from tests.harness import flow_run_processes as _processes_running
from tests.samples import DEPARTMENT_USERS, REPO
from tests.stack_api import case_waiting as _waiting
from tests.stack_api import decide_as_department as _decide
from tests.stack_api import flow_run as _run
from tests.stack_api import listing_ended as _listing_ended
from tests.stack_api import open_land_to_start_case as _open_case
from tests.stack_api import read_case as _read
from tests.waiting import wait_for_case as _wait


def _children(stack, case_run_id: str) -> list[str]:
    """The names of the case's runs in Prefect (every segment and each step's work, by the case's tag)."""
    app_id = _run(stack, case_run_id)["name"].removeprefix("case-")
    runs = httpx.post(f"{stack.prefect_api}/flow_runs/filter", json={
        "flow_runs": {"tags": {"all_": [f"case-{app_id}"]}}, "limit": 200}).json()
    return sorted(r["name"] for r in runs)


def test_the_whole_case_runs_in_parallel_branches_and_ends_with_the_certificate_batch(stack):
    app_id = _open_case(stack)
    body = _waiting(stack, app_id, {"project_filing", "design_review"}, "the two first branches")
    case_run = body["flow_run_id"]
    assert f"case-{app_id}" in _run(stack, case_run)["tags"]
    assert _processes_running(case_run) == [], "the segment ran in the warm task worker, not a process of its own"
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
    _waiting(stack, app_id, {"land_listing"}, "the listing period alone")  # its deadline is set by then
    _listing_ended(stack, app_id, {"deal_confirmation"}, "the deal")
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


def _record(app_id: int, key: str) -> int:
    """The step's department approves, stored as the web app stores it, but nothing is handed to Prefect (as
    when the web app is killed right after its commit); the action's id."""
    with session_scope() as session:
        if key == "design_review":
            design_scheme(session, app_id)  # the approval is made on a version the enterprise handed in
        step = session.exec(select(Step).where(Step.application_id == app_id, Step.key == key)).one()
        user = get_by_username(session, DEPARTMENT_USERS[step.department])
        action = human_actions.record_action(session, user, step, ActionKind.approve, reasons="经审查符合要求")
        session.commit()
        return action.id


def test_a_lost_listing_closes_the_case_and_lost_hand_overs_and_segments_are_carried_on_once(stack):
    app_id = _open_case(stack)
    first_run = _waiting(stack, app_id, {"project_filing", "design_review"}, "the first branches")["flow_run_id"]

    # a segment applied both decisions and died before opening the next steps: the sweep finds the case quiet
    # with work it could do, and queues its next segment
    for key in ("project_filing", "design_review"):
        with session_scope() as session:
            lts.do(session, app_id, lts.Work("apply", key, _record(app_id, key)), first_run)
            session.commit()
    _waiting(stack, app_id, {"eia", "drawing_review", "land_listing"}, "the next branches, opened by the repair")
    with Session(get_engine()) as s:
        # on a loaded machine the first segment itself may have looked lost too (and been carried on, harmlessly):
        # what matters is that each fault is a repaired case_run_lost and nothing was done twice
        faults = s.exec(select(SystemFault).where(SystemFault.application_id == app_id)).all()
        assert faults and all(f.kind == "case_run_lost" and f.repaired_at is not None and not f.unrepairable
                              for f in faults), [(f.kind, f.repaired_at, f.unrepairable) for f in faults]
        steps = s.exec(select(Step).where(Step.application_id == app_id)).all()
        assert len(steps) == len({st.key for st in steps}) == 14, "no step planned twice"
        assert len(s.exec(select(Document).where(Document.application_id == app_id)).all()) == 1, "one 承诺书"

    # two decisions stored whose hand-over was lost: the sweep finds them unapplied and queues the case again
    for key in ("eia", "drawing_review"):
        _record(app_id, key)
    _waiting(stack, app_id, {"land_listing"}, "the stored decisions applied by the sweep's segment")
    _listing_ended(stack, app_id, {"deal_confirmation"}, "the deal")
    _decide(stack, app_id, "deal_confirmation", "reject", reasons="挂牌期满，由其他竞买人竞得")
    final = _wait(lambda: (b := _read(stack, app_id)) and b["status"] == "lost" and b, what="the case to close")
    assert all(s["status"] in ("completed", "cancelled") for s in final["steps"])
    assert not [d for d in final["documents"] if d["kind"].endswith(("certificate", "permit"))]
    with Session(get_engine()) as s:
        applied = s.exec(select(AuditEvent).where(AuditEvent.application_id == app_id,
                                                  AuditEvent.action == "step.action.applied")).all()
        assert sorted(e.detail["step"] for e in applied) == sorted(
            ["project_filing", "design_review", "eia", "drawing_review", "deal_confirmation"]), "each applied once"


def test_a_case_whose_first_segment_was_lost_before_it_opened_a_step_is_carried_on(stack):
    """The first segment recorded its run and died before it opened any step (its worker killed; found by the
    topology test): the case is still 已提交, which no intake repair looks at for 拿地即开工, and the sweep must
    queue its next segment, which signs the 风险承诺书 once and opens the first branches."""
    app_id, lost_run = _case_whose_first_segment_was_lost()
    body = _waiting(stack, app_id, {"project_filing", "design_review"}, "the first branches, opened by the repair")
    assert body["flow_run_id"] != lost_run and body["status"] == "accepted"
    assert [d["kind"] for d in body["documents"]] == ["risk_commitment"]
    with Session(get_engine()) as s:
        faults = s.exec(select(SystemFault).where(SystemFault.application_id == app_id)
                        .order_by(col(SystemFault.id))).all()
    # the first finding is the lost run; a sweep that ran while the segment it queued still waited in a long
    # queue may have queued it again (another repaired finding, harmless: the 承诺书 above is there once)
    assert faults and (faults[0].kind, faults[0].flow_run_id) == ("case_run_lost", lost_run)
    assert all(f.kind == "case_run_lost" and f.repaired_at is not None and not f.unrepairable for f in faults), \
        [(f.kind, f.flow_run_id, f.repaired_at, f.unrepairable) for f in faults]


def _case_whose_first_segment_was_lost() -> tuple[int, str]:
    """A 拿地即开工 case submitted and handed over, whose first segment recorded its run and died before it
    opened a step (the case, and the run Prefect never heard of)."""
    lost_run = str(uuid.uuid4())
    with session_scope() as session:
        project_id = make_project(session).id
        data = lts.LandToStartInput.model_validate({
            "project_id": project_id, "project_code": "2611-441900-04-01-654321", "building_area_m2": "28000",
            "design_unit": "广东省建筑设计研究院", "contractor": "中建三局第一建设工程有限责任公司",
            "supervisor_unit": "广州建设工程监理有限公司", "funds_committed": True, "risk_signed_by": "陈立新",
            "risk_agreed": True})
        application, _ = lts.submit(session, get_by_username(session, "enterprise"), data, str(uuid.uuid4()))
        handoff.set_flow_run(session, application.id, lost_run)
        return application.id, lost_run


def _sweep_in_another_process(stack, app_id: int, stall_seconds: int) -> dict[str, int]:
    """One pass of the repair sweep over the case, as a second worker makes it: its own process, with the
    stack's settings, database and Prefect server."""
    script = ("import json; from datetime import timedelta; from deployments import prefect_env; "
              "from services.core.settings import get_settings; prefect_env.apply(get_settings()); "
              "from flows.repair import repair_stuck_work; "
              f"print(json.dumps(repair_stuck_work(timedelta(seconds={stall_seconds}), [{app_id}])))")
    done = subprocess.run([sys.executable, "-c", script], env=stack.environment(), cwd=REPO, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _set_task_run_state(stack, task_run_id: str, state: str) -> None:
    r = httpx.post(f"{stack.prefect_api}/task_runs/{task_run_id}/set_state", timeout=30,
                   json={"state": {"type": state, "message": "测试：续办段已结束而案件未推进"}, "force": True})
    assert r.is_success, r.text


def test_a_repair_whose_segment_still_waits_in_the_queue_is_not_made_again(stack):
    """While the segment a repair queued waits in Prefect's queue (a backlog; here the task worker is frozen),
    further sweeps leave the case alone: no second segment, no second finding counting toward the limit after
    which a case is left to a person. Once that segment has ended without moving the case, the next sweep
    repairs it again."""
    stall = 5
    app_id, lost_run = _case_whose_first_segment_was_lost()
    [worker] = stack.pids("deployments.task_worker")
    stack.freeze(worker)  # its own sweep stops too: the sweeps below are the only ones
    try:
        time.sleep(stall + 0.5)
        assert _sweep_in_another_process(stack, app_id, stall)["case"] == 1
        with Session(get_engine()) as s:
            [first] = s.exec(select(SystemFault).where(SystemFault.application_id == app_id)).all()
        assert first.flow_run_id == lost_run and first.replacement_run_id, "the queued segment kept with the finding"
        queued = httpx.get(f"{stack.prefect_api}/task_runs/{first.replacement_run_id}", timeout=30).json()
        assert queued["state"]["type"] == "SCHEDULED"
        assert _sweep_in_another_process(stack, app_id, stall)["case"] == 0, "repaired again while its segment waits"
        _set_task_run_state(stack, first.replacement_run_id, "CRASHED")
        assert _sweep_in_another_process(stack, app_id, stall)["case"] == 1, "an ended segment is repaired again"
    finally:
        os.kill(worker, signal.SIGCONT)
    body = _waiting(stack, app_id, {"project_filing", "design_review"}, "the first branches, opened by the repair")
    assert [d["kind"] for d in body["documents"]] == ["risk_commitment"]
    with Session(get_engine()) as s:
        findings = s.exec(select(SystemFault).where(SystemFault.application_id == app_id)
                          .order_by(col(SystemFault.id))).all()
    assert [(f.kind, f.repaired_at is not None, f.unrepairable) for f in findings] == \
        [("case_run_lost", True, False)] * 2
    assert len({f.replacement_run_id for f in findings}) == 2
