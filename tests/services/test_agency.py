"""代办 through the services on the real database: signing a mandate (and refusing bad ones without
writing anything), suggesting and assigning the least-loaded agent, 限时回复, agents acting on behalf
of the enterprise (audited with both), yellow lights reaching the agent, project tiers, 续办 / 终止 /
办结 with their documents, and the workbench order."""

import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from services.agency import service as agency
from services.agency import workbench
from services.calendar.schedules import work_calendar
from services.cases import acceptance, human_actions
from services.core import clock, file_store
from services.core.settings import get_settings
from services.core.users import create_user, get_by_username
from services.models import (
    ActionKind,
    AuditEvent,
    Document,
    Mandate,
    MandateEvent,
    MandateStatus,
    Notification,
    Project,
    Role,
    Step,
    StepStatus,
)
from services.standard_land import service as standard_land
from services.standard_land.intake import IntakeError, StandardLandApplicationInput, submit_application
from services.supervision import service as supervision
from tests.samples import SAMPLE


@pytest.fixture
def people(session):
    return {name: get_by_username(session, name) for name in ("enterprise", "agent", "agent2", "supervisor",
                                                              "reviewer")}


def _input(**changes) -> agency.MandateInput:
    today = clock.today()
    values = {"project_name": f"代办测试项目-{uuid.uuid4().hex[:8]}", "item_codes": ["DB02", "DB04"],
              "valid_from": today, "valid_until": today + timedelta(days=365), "signed_by_name": "林晓",
              "agree": True} | changes
    return agency.MandateInput.model_validate(values)


def _count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def _signed(session, people, **changes) -> Mandate:
    return agency.sign(session, people["enterprise"], _input(**changes), uuid.uuid4().hex)[0]


def _case(session, user, project_name: str, key: str | None = None):
    data = StandardLandApplicationInput.model_validate({**SAMPLE, "project_name": project_name})
    return submit_application(session, user, data, key or uuid.uuid4().hex)[0]


def _review_step(session, application) -> Step:
    acceptance.check_completeness(session, application.id)
    acceptance.accept(session, application.id)
    standard_land.evaluate(session, application.id)
    return standard_land.open_review(session, application.id, "00000000-0000-0000-0000-000000000000")


# -- signing --------------------------------------------------------------------------------------

def test_signing_stores_the_mandate_issues_the_letter_and_asks_supervisors_to_assign(session, people):
    mandate, created = agency.sign(session, people["enterprise"], _input(), "sign-1")
    assert created and mandate.number.startswith(f"{get_settings().issuer_short}代委〔")
    letter = session.exec(select(Document).where(Document.mandate_id == mandate.id)).one()
    assert letter.kind == "mandate_letter" and letter.number == mandate.number and letter.application_id is None
    assert file_store.store(session, "documents").get(letter.pdf_path).startswith(b"%PDF")
    assert [i["code"] for i in letter.context["items"]] == ["DB02", "DB04"]
    assert session.exec(select(MandateEvent.kind).where(MandateEvent.mandate_id == mandate.id)).all() == ["signed"]
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "mandate.signed",
                                                  AuditEvent.entity_id == str(mandate.id))).one()
    assert event.on_behalf_of_enterprise_id == mandate.enterprise_id
    note = session.exec(select(Notification).where(Notification.dedupe_key == f"mandate-new-{mandate.id}")).one()
    assert note.user_id == people["supervisor"].id and "建议指派" in note.body
    again, created = agency.sign(session, people["enterprise"], _input(), "sign-1")
    assert not created and again.id == mandate.id, "the same form posted twice is one mandate"


@pytest.mark.parametrize(("changes", "field"), [
    ({"project_name": "  "}, "project_name"),
    ({"item_codes": []}, "item_codes"),
    ({"item_codes": ["DB02", "NOPE"]}, "item_codes"),
    ({"valid_from": date(2020, 1, 1)}, "valid_from"),
    ({"valid_until": date(2020, 1, 1)}, "valid_until"),
    ({"valid_until": date(2040, 1, 1)}, "valid_until"),
    ({"signed_by_name": " "}, "signed_by_name"),
    ({"agree": False}, "agree"),
    ({"project_id": 999999}, "project_id"),
])
def test_a_bad_mandate_is_refused_by_field_and_writes_nothing(session, people, changes, field):
    before = (_count(session, Mandate), _count(session, Document), _count(session, Notification))
    with pytest.raises(agency.MandateError) as error:
        agency.sign(session, people["enterprise"], _input(**changes), uuid.uuid4().hex)
    assert error.value.field == field and any("\u4e00" <= ch <= "\u9fff" for ch in error.value.message)
    assert (_count(session, Mandate), _count(session, Document), _count(session, Notification)) == before


def test_every_problem_of_the_form_is_reported_at_once(session, people):
    with pytest.raises(agency.MandateError) as error:
        agency.sign(session, people["enterprise"], _input(item_codes=[], valid_until=date(2020, 1, 1), agree=False),
                    uuid.uuid4().hex)
    assert set(error.value.errors) == {"item_codes", "valid_until", "agree"}


def test_only_enterprises_sign_and_one_active_mandate_per_project(session, people):
    with pytest.raises(agency.MandateError, match="企业账户"):
        agency.sign(session, people["agent"], _input(), "agent-signs")
    first = _signed(session, people, project_name="重复委托项目-" + uuid.uuid4().hex[:6])
    with pytest.raises(agency.MandateError, match=first.number):
        _signed(session, people, project_name=first.project_name)


# -- assignment and 限时回复 -----------------------------------------------------------------------

def test_the_least_loaded_agent_is_suggested_and_assignment_starts_the_reply_clock(session, people):
    busy, idle = (create_user(session, username=f"{n}-{uuid.uuid4().hex[:6]}", password="Agent-Password-1",
                              display_name=n, role=Role.agent) for n in ("忙碌专员", "空闲专员"))
    for _ in range(2):
        agency.assign(session, people["supervisor"], _signed(session, people), busy.id)
    loads = {load.agent.id: load for load in agency.workloads(session)}
    assert loads[busy.id].mandates == 2 and loads[busy.id].contacts_due == 2
    assert loads[idle.id].open_work <= loads[busy.id].open_work - 2
    suggestion = agency.suggest_agent(session)
    assert suggestion.open_work == min(load.open_work for load in loads.values())
    assert suggestion.agent.id != busy.id

    mandate = _signed(session, people)
    monday = datetime(2026, 9, 30, 16)  # the day before National Day: the reply is due after the holiday
    clock.set_clock(lambda: monday)
    try:
        agency.assign(session, people["supervisor"], mandate, idle.id)
    finally:
        clock.set_clock(None)
    assert mandate.agent_id == idle.id and mandate.contact_due_on == date(2026, 10, 8)
    told = session.exec(select(Notification).where(Notification.user_id == idle.id,
                                                   Notification.kind == "mandate_assigned")).all()
    assert len(told) == 1 and "2026年10月8日前联系企业" in told[0].body


def test_assignment_is_for_supervisors_and_only_to_active_agents(session, people):
    mandate = _signed(session, people)
    with pytest.raises(agency.MandateError, match="督办管理员"):
        agency.assign(session, people["agent"], mandate, people["agent"].id)
    with pytest.raises(agency.MandateError, match="代办专员"):
        agency.assign(session, people["supervisor"], mandate, people["reviewer"].id)
    assert mandate.agent_id is None


def test_a_late_first_contact_is_reported_once_by_the_sweep_and_contact_clears_it(session, people):
    mandate = _signed(session, people)
    agency.assign(session, people["supervisor"], mandate, people["agent2"].id)
    after = work_calendar(session).add_working_days(mandate.contact_due_on, 1).due
    supervision.sweep(session, today=after)
    supervision.sweep(session, today=after)
    late = session.exec(select(Notification).where(Notification.kind == "mandate_contact_late",
                                                   Notification.body.contains(mandate.number))).all()
    assert sorted(n.user_id for n in late) == sorted([people["agent2"].id, people["supervisor"].id])
    with pytest.raises(agency.MandateError, match="本委托的代办专员"):
        agency.record_contact(session, people["agent"], mandate, "电话联系企业")
    with pytest.raises(agency.MandateError, match="至少4个字"):
        agency.record_contact(session, people["agent2"], mandate, "好")
    agency.record_contact(session, people["agent2"], mandate, "电话联系林晓，约定材料清单")
    assert mandate.contacted_at is not None
    assert mandate not in agency.overdue_contacts(session, after)


# -- acting on behalf ---------------------------------------------------------------------------------

def test_an_agent_submits_for_the_enterprise_only_under_an_assigned_mandate_and_the_audit_names_both(
        session, people):
    agent = people["agent"]
    mandate = _signed(session, people, item_codes=["DB02"])
    with pytest.raises(IntakeError, match="代办委托"):
        _case(session, agent, mandate.project_name)  # not yet assigned to this agent
    agency.assign(session, people["supervisor"], mandate, agent.id)
    with pytest.raises(IntakeError, match="代办委托"):
        _case(session, agent, "不在委托范围内的项目")
    application = _case(session, agent, mandate.project_name)
    assert application.enterprise_id == mandate.enterprise_id and application.created_by_id == agent.id
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "application.submitted",
                                                  AuditEvent.application_id == application.id)).one()
    assert (event.actor_id, event.on_behalf_of_enterprise_id) == (agent.id, mandate.enterprise_id)
    assert mandate.project_id == application.project_id, "the first case links the mandate to its project"
    assert agency.covered_applications(session, mandate) == [application]
    assert agency.may_act_for(session, agent, application)
    assert not agency.may_act_for(session, people["agent2"], application)
    assert agency.may_act_for(session, people["enterprise"], application)


def test_an_agent_answers_a_supplement_request_on_behalf_and_the_action_records_both(session, people):
    agent = people["agent"]
    mandate = _signed(session, people, item_codes=["DB02"])
    agency.assign(session, people["supervisor"], mandate, agent.id)
    step = _review_step(session, _case(session, people["enterprise"], mandate.project_name))
    request = human_actions.record_action(session, people["reviewer"], step, ActionKind.request_supplement,
                                          items=[{"name": "营业执照", "reason": "已过期"}])
    standard_land.apply_review_action(session, request.id)
    from services.core import uploads

    with pytest.raises(human_actions.ActionError):
        uploads.save_attachment(session, people["agent2"], step, 0, "licence.pdf", "application/pdf", b"%PDF-1.4 x")
    uploads.save_attachment(session, agent, step, 0, "licence.pdf", "application/pdf", b"%PDF-1.4 licence")
    action = human_actions.record_action(session, agent, step, ActionKind.supplement)
    assert (action.actor_id, action.on_behalf_of_enterprise_id) == (agent.id, mandate.enterprise_id)


# -- lights, tiers and the workbench -------------------------------------------------------------------

def test_a_step_turning_yellow_tells_the_agent_and_the_chief_agent(session, people):
    mandate = _signed(session, people, item_codes=["DB02"])
    agency.assign(session, people["supervisor"], mandate, people["agent"].id)
    application = _case(session, people["enterprise"], mandate.project_name)
    project = session.get(Project, application.project_id)
    agency.set_project_tier(session, people["supervisor"], project, "key", people["agent2"].id)
    step = _review_step(session, application)
    today = step.due_on  # one day left: yellow
    supervision.sweep(session, today=today)
    told = {n.user_id for n in session.exec(select(Notification).where(
        Notification.kind == "light_yellow", Notification.dedupe_key == f"yellow-{step.id}-{step.due_on}"))}
    assert {people["agent"].id, people["agent2"].id, people["reviewer"].id} <= told


def test_key_projects_need_a_chief_agent_and_are_lit_tighter(session, people):
    mandate = _signed(session, people, item_codes=["DB02"])
    agency.assign(session, people["supervisor"], mandate, people["agent"].id)
    application = _case(session, people["enterprise"], mandate.project_name)
    project = session.get(Project, application.project_id)
    with pytest.raises(agency.MandateError, match="首席代办专员"):
        agency.set_project_tier(session, people["supervisor"], project, "key", None)
    with pytest.raises(agency.MandateError, match="督办管理员"):
        agency.set_project_tier(session, people["agent"], project, "key", people["agent"].id)
    step = _review_step(session, application)
    calendar = work_calendar(session)
    step.sla_working_days, step.due_on = 6, calendar.add_working_days(date(2026, 12, 1), 2).due  # 3 days left
    session.add(step)
    session.flush()

    def light() -> str:
        return next(r.light for r in workbench.rows_for(session, people["agent"], date(2026, 12, 1))
                    if r.step.id == step.id)

    assert light() == "green"  # normal tier: yellow from 2 of 6 days left
    agency.set_project_tier(session, people["supervisor"], project, "key", people["agent"].id)
    assert light() == "yellow"  # key tier: yellow from half the limit


def test_the_workbench_puts_red_before_yellow_before_green_and_says_who_the_step_waits_on(session, people):
    agent = create_user(session, username=f"wb-{uuid.uuid4().hex[:6]}", password="Agent-Password-1",
                        display_name="工作台专员", role=Role.agent)
    today = date(2026, 12, 7)
    calendar = work_calendar(session)
    steps, mandates = [], []
    for offset in (10, -2, 1):  # green, red, yellow: three projects, each under a mandate of its own
        mandate = _signed(session, people, item_codes=["DB02"])
        agency.assign(session, people["supervisor"], mandate, agent.id)
        mandates.append(mandate)
        step = _review_step(session, _case(session, people["enterprise"], mandate.project_name))
        step.due_on = calendar.add_working_days(today, offset).due if offset > 0 else date(2026, 12, 2)
        session.add(step)
        steps.append(step)
    session.flush()
    rows = workbench.rows_for(session, agent, today)
    assert [r.step.id for r in rows] == [steps[1].id, steps[2].id, steps[0].id]
    assert [r.light for r in rows] == ["red", "yellow", "green"]
    assert all(r.waits_on == "department" and "自然资源局" in r.next_action for r in rows)
    assert "超期" in rows[0].next_action
    assert sorted(c.mandate.id for c in workbench.contacts_due(session, agent, today)) == [m.id for m in mandates]


def test_the_workload_statistics_count_each_agents_mandates_steps_and_lights(session, people):
    from services.models import StepLight
    from services.supervision import statistics

    agent = create_user(session, username=f"load-{uuid.uuid4().hex[:6]}", password="Agent-Password-1",
                        display_name=f"统计专员{uuid.uuid4().hex[:4]}", role=Role.agent)
    mandates = [_signed(session, people, item_codes=["DB02"]) for _ in range(2)]
    for mandate in mandates:
        agency.assign(session, people["supervisor"], mandate, agent.id)
    agency.record_contact(session, agent, mandates[0], "电话联系企业，约定上门时间")
    step = _review_step(session, _case(session, people["enterprise"], mandates[0].project_name))
    supervision.sweep(session, today=work_calendar(session).add_working_days(step.due_on, 2).due)
    assert session.get(StepLight, step.id).light == "red"
    row = next(r for r in statistics.agent_workload(session) if r["agent"] == agent.display_name)
    assert row == {"agent": agent.display_name, "mandates": 2, "open_steps": 1, "red": 1, "yellow": 0,
                                  "other": 0, "contacts_due": 1, "chief_of": 0}


# -- 续办 / 终止 / 办结 ----------------------------------------------------------------------------------

def test_extend_terminate_and_complete_each_issue_their_document_once(session, people):
    mandate = _signed(session, people, item_codes=["DB02"])
    agency.assign(session, people["supervisor"], mandate, people["agent"].id)
    with pytest.raises(agency.MandateError, match="晚于原截止日期"):
        agency.extend(session, people["enterprise"], mandate, mandate.valid_until, "项目延期")
    with pytest.raises(agency.MandateError, match="续办理由"):
        agency.extend(session, people["enterprise"], mandate, mandate.valid_until + timedelta(days=90), "")
    with pytest.raises(agency.MandateError, match="委托企业或督办管理员"):
        agency.extend(session, people["agent"], mandate, mandate.valid_until + timedelta(days=90), "项目延期开工")
    old_until = mandate.valid_until
    continuation = agency.extend(session, people["enterprise"], mandate, old_until + timedelta(days=90),
                                 "项目延期开工，需继续代办")
    assert continuation.kind == "mandate_continuation" and mandate.valid_until == old_until + timedelta(days=90)
    assert continuation.context["original_number"] == mandate.number

    with pytest.raises(agency.MandateError, match="还没有"):
        agency.complete(session, people["agent"], mandate)  # nothing done under it yet
    step = _review_step(session, _case(session, people["enterprise"], mandate.project_name))
    with pytest.raises(agency.MandateError, match="尚未办结"):
        agency.complete(session, people["agent"], mandate)
    step.status = StepStatus.completed
    for other in session.exec(select(Step).where(Step.application_id == step.application_id,
                                                 Step.status != StepStatus.completed)):
        other.status = StepStatus.completed
        session.add(other)
    session.add(step)
    session.flush()
    completion = agency.complete(session, people["agent"], mandate)
    assert completion.kind == "mandate_completion" and mandate.status == MandateStatus.completed
    assert [c["case_no"] for c in completion.context["cases"]] == [
        a.case_no for a in agency.covered_applications(session, mandate)]
    with pytest.raises(agency.MandateError, match="已办结"):
        agency.terminate(session, people["enterprise"], mandate, "不再需要代办")


def test_termination_lists_the_open_cases_and_stops_the_agent_acting(session, people):
    agent = people["agent"]
    mandate = _signed(session, people, item_codes=["DB02"])
    agency.assign(session, people["supervisor"], mandate, agent.id)
    application = _case(session, agent, mandate.project_name)
    with pytest.raises(agency.MandateError, match="终止理由"):
        agency.terminate(session, people["enterprise"], mandate, "")
    document = agency.terminate(session, people["enterprise"], mandate, "企业自行办理后续事项")
    assert document.kind == "mandate_termination" and document.context["terminated_by"] == "委托方"
    assert [c["case_no"] for c in document.context["cases"]] == [application.case_no]
    assert mandate.status == MandateStatus.terminated and mandate.ended_on == clock.today()
    assert not agency.may_act_for(session, agent, application)
    with pytest.raises(IntakeError, match="代办委托"):
        _case(session, agent, mandate.project_name)
