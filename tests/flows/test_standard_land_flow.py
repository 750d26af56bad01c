"""标准地 end to end through the real stack: intake flow → review segment that ends where the department must
act → each decision runs the next segment on the warm task worker → documents. Prefect, the database, the task
worker and WeasyPrint are all real."""

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from services.cases import human_actions
from services.cases.steps import get_step
from services.core import clock, uploads
from services.core.db import get_engine
from services.models import ActionKind, AuditEvent, ClockPause, Document, Step, User
from tests.harness import flow_run_processes as _processes_running
from tests.samples import with_plan
from tests.stack_api import REVIEW
from tests.stack_api import flow_run as _flow_run
from tests.stack_api import read as _read
from tests.stack_api import submit as _submit
from tests.stack_api import waiting_for_decision as _waiting_for_decision
from tests.waiting import wait_for as _wait


def _act(stack, application_id: int, user: str, body: dict, expect: int = 201) -> dict:
    with stack.client() as c:
        r = c.post(f"/api/v1/applications/{application_id}/steps/{REVIEW}/actions", json=body,
                   headers=stack.token(user))
    assert r.status_code == expect, r.text
    return r.json()


def _documents(application_id: int) -> list[Document]:
    with Session(get_engine()) as s:
        return list(s.exec(select(Document).where(Document.application_id == application_id).order_by(Document.id)))


def test_approval_runs_the_next_segment_on_the_warm_worker_and_issues_the_three_documents(stack, sample_application):
    workers = stack.pids("deployments.task_worker")
    app_id = _submit(stack, sample_application)
    body = _waiting_for_decision(stack, app_id)
    assert body["evaluation"]["proposal"]["result"] == "approve"
    assert [i["verdict"] for i in body["evaluation"]["indicators"]] == ["pass"] * 7
    review_run = {s["key"]: s for s in body["steps"]}[REVIEW]["flow_run_id"]
    # the review segment carries the case's tag in the Prefect UI; it has ended, and no process of its own ran it
    opened = _flow_run(stack, review_run)
    assert f"case-{app_id}" in opened["tags"] and opened["name"] == f"case-{app_id}-review"
    assert opened["state"]["type"] == "COMPLETED" and _processes_running(review_run) == []

    # an enterprise cannot decide; a bad decision is refused with the field named
    assert _act(stack, app_id, "enterprise", {"kind": "approve"}, 422)["errors"] == {
        "kind": "只有自然资源局的审查人员可以对该环节作出决定"}
    assert "reasons" in _act(stack, app_id, "reviewer", {"kind": "reject", "reasons": ""}, 422)["errors"]
    _act(stack, app_id, "reviewer", {"kind": "approve", "reasons": "符合地块控制指标"})

    final = _wait(lambda: (b := _read(stack, app_id)) and b["status"] == "approved"
                  and all(s["status"] == "completed" for s in b["steps"]) and b, what="approval documents")
    kinds = [d["kind"] for d in final["documents"]]
    assert kinds == ["acceptance_notice", "assessment_report", "investment_commitment", "supervision_agreement"]
    # the decision was carried by a second segment: a new flow run of the case, in the same warm task worker
    decided_run = {s["key"]: s for s in final["steps"]}[REVIEW]["flow_run_id"]
    decided = _wait(lambda: (r := _flow_run(stack, decided_run))["state"]["type"] == "COMPLETED" and r, 60,
                    "the decision's segment to complete")
    assert decided_run != review_run and f"case-{app_id}" in decided["tags"]
    assert stack.pids("deployments.task_worker") == workers, "no process was started or replaced for the decision"
    with Session(get_engine()) as s:
        reviewer = s.exec(select(User).where(User.username == "reviewer")).one()
        events = s.exec(select(AuditEvent).where(AuditEvent.application_id == app_id,
                                                 AuditEvent.action == "step.action.approve")).all()
        assert [(e.actor_id, e.detail["step"]) for e in events] == [(reviewer.id, REVIEW)]
        assert s.exec(select(AuditEvent).where(AuditEvent.application_id == app_id,
                                               AuditEvent.action == "step.action.applied")).first()


def test_supplement_stops_the_clock_and_the_deadline_moves_by_the_suspended_working_days(stack, sample_application):
    app_id = _submit(stack, sample_application)
    _waiting_for_decision(stack, app_id)
    with Session(get_engine(), expire_on_commit=False) as s:
        reviewer = s.exec(select(User).where(User.username == "reviewer")).one()
        enterprise = s.exec(select(User).where(User.username == "enterprise")).one()
        step = get_step(s, app_id, REVIEW)
        due_before = step.due_on
        # the reviewer asked for material ten days ago (clock set back); the sweep resumes the run
        requested_at = clock.now() - timedelta(days=10)
        clock.set_clock(lambda: requested_at)
        try:
            human_actions.record_action(
                s, reviewer, step, ActionKind.request_supplement,
                items=[{"name": "项目投资估算表", "reason": "缺少设备投资明细", "form": "电子件"},
                       {"name": "用地规划方案", "reason": "未标明行政办公用地面积", "form": ""}])
            s.commit()
        finally:
            clock.set_clock(None)
    _wait(lambda: _read(stack, app_id)["status"] == "supplementing", what="the 补正 request to be applied")
    notices = [d for d in _documents(app_id) if d.kind == "supplement_notice"]
    assert len(notices) == 1 and notices[0].context["items"][0]["name"] == "项目投资估算表"

    with Session(get_engine(), expire_on_commit=False) as s:
        step = get_step(s, app_id, REVIEW)
        assert step.status.value == "suspended"
        # decisions are refused while the applicant supplies material; supplement needs every item
        with pytest.raises(human_actions.ActionError, match="补正"):
            human_actions.record_action(s, reviewer, step, ActionKind.approve)
        uploads.save_attachment(s, enterprise, step, 0, "估算表.pdf", "application/pdf", b"%PDF-1.4 estimate")
        with pytest.raises(human_actions.ActionError, match="用地规划方案"):
            human_actions.record_action(s, enterprise, step, ActionKind.supplement)
        with pytest.raises(human_actions.ActionError, match="格式"):
            uploads.save_attachment(s, enterprise, step, 1, "方案.exe", "application/octet-stream", b"MZ")
        uploads.save_attachment(s, enterprise, step, 1, "规划方案.pdf", "application/pdf", b"%PDF-1.4 plan")
        s.commit()
    _act(stack, app_id, "enterprise", {"kind": "supplement"})

    def resumed():
        with Session(get_engine()) as s:
            step = get_step(s, app_id, REVIEW)
            return step if step.status.value == "running" and human_actions.unapplied(s, step.id) is None else None
    step = _wait(resumed, what="the clock to restart")
    with Session(get_engine()) as s:
        pause = s.exec(select(ClockPause).where(ClockPause.step_id == step.id)).one()
        from services.calendar.schedules import work_calendar
        calendar = work_calendar(s)
        suspended = calendar.working_days_between(pause.started_on, pause.ended_on)
        assert pause.started_on == requested_at.date() and pause.ended_on == clock.today()
        assert suspended >= 5 and pause.working_days == suspended == step.paused_working_days
        assert step.due_on == calendar.add_working_days(due_before, suspended).due

    # a second 补正 must be justified, and is recorded as such
    second = {"kind": "request_supplement", "items": [{"name": "变更后的总平面图", "reason": "企业调整了厂房布局"}]}
    assert "justification" in _act(stack, app_id, "reviewer", second, 422)["errors"]
    _act(stack, app_id, "reviewer", second | {"justification": "企业于补正时自行调整厂房布局，需补充变更后的总平面图"})
    _wait(lambda: _read(stack, app_id)["status"] == "supplementing", what="the second request")
    notices = [d for d in _documents(app_id) if d.kind == "supplement_notice"]
    assert [n.context["round"] for n in notices] == [1, 2] and notices[1].context["justification"]
    with Session(get_engine()) as s:
        step = get_step(s, app_id, REVIEW)
        uploads.save_attachment(s, enterprise, step, 0, "总平面图.pdf", "application/pdf", b"%PDF-1.4 site")
        s.commit()
    _act(stack, app_id, "enterprise", {"kind": "supplement"})
    _wait(lambda: (b := _read(stack, app_id)) and {s["key"]: s for s in b["steps"]}[REVIEW]["status"] == "running"
          and b["status"] == "accepted", what="the second supplement")
    _act_when_ready(stack, app_id, {"kind": "approve"})
    final = _wait(lambda: (b := _read(stack, app_id)) and len(b["documents"]) == 6 and b, what="approval documents")
    assert final["status"] == "approved"


def _act_when_ready(stack, app_id: int, body: dict) -> None:
    """The previous action may still be applying (the run restarts); try again until it is accepted."""
    def attempt():
        with stack.client() as c:
            r = c.post(f"/api/v1/applications/{app_id}/steps/{REVIEW}/actions", json=body,
                       headers=stack.token("reviewer"))
        return r.status_code == 201
    _wait(attempt, what="the decision to be accepted")


def test_rejection_closes_the_case_without_approval_documents(stack, sample_application):
    app_id = _submit(stack, with_plan(sample_application, tax_per_mu="20"))  # below 35: fails (tax 900 on 45 亩)
    body = _waiting_for_decision(stack, app_id)
    assert body["evaluation"]["proposal"]["result"] == "reject"
    tax = next(i for i in body["evaluation"]["indicators"] if i["code"] == "tax_per_mu")
    assert tax["verdict"] == "fail" and "20" in tax["arithmetic"] and "35" in tax["arithmetic"]
    _act(stack, app_id, "reviewer", {"kind": "reject", "reasons": "亩均税收计划值低于地块控制指标"})
    final = _wait(lambda: (b := _read(stack, app_id)) and b["status"] == "rejected" and b, what="rejection")
    steps = {s["key"]: s for s in final["steps"]}
    assert steps[REVIEW]["outcome"]["decision"] == "reject"
    assert all(steps[k]["status"] == "cancelled" and steps[k]["due_on"] is None
               for k in ("assessment_report", "commitment", "supervision_agreement"))
    assert [d["kind"] for d in final["documents"]] == ["acceptance_notice"]
    with Session(get_engine()) as s:
        assert s.exec(select(Step).where(Step.application_id == app_id, Step.key == REVIEW)).one().finished_at
