"""The step state machine (``services.cases.transitions``) and the step verbs built on it (``services.cases.steps``).

Transitions allowed and refused, as data and against the database; a guarded update that loses a race
changes nothing; who a step waits on (``services.cases.waiting``) at each stage of a review.
"""

import threading
import uuid

import pytest
from sqlmodel import Session, select

from services.cases import steps, transitions, waiting
from services.cases.transitions import APPLICATION_TRANSITIONS, OPEN, STEP_TRANSITIONS, TransitionConflict
from services.core.db import get_engine, session_scope
from services.core.errors import DomainError
from services.models import Application, ApplicationStatus, AuditEvent, StepStatus
from tests import factories

CLOSED = (StepStatus.completed, StepStatus.cancelled)


# -- the state machine as data --------------------------------------------------------------------

def test_every_open_step_may_be_closed_and_a_closed_step_moves_nowhere():
    for status in OPEN:
        assert {StepStatus.completed, StepStatus.cancelled} <= STEP_TRANSITIONS[status]
    for status in CLOSED:
        assert STEP_TRANSITIONS[status] == frozenset()
    assert transitions.sources(STEP_TRANSITIONS, StepStatus.running) == (StepStatus.planned, StepStatus.suspended)
    assert transitions.sources(STEP_TRANSITIONS, StepStatus.suspended) == (StepStatus.running,)


def test_the_case_statuses_move_forward_only_and_end_in_final_states():
    assert set(APPLICATION_TRANSITIONS) == set(ApplicationStatus)
    for final in (ApplicationStatus.incomplete, ApplicationStatus.rejected, ApplicationStatus.lost,
                  ApplicationStatus.started):
        assert APPLICATION_TRANSITIONS[final] == frozenset()
    assert not transitions.may_move(APPLICATION_TRANSITIONS, ApplicationStatus.approved, ApplicationStatus.accepted)
    assert transitions.may_move(APPLICATION_TRANSITIONS, ApplicationStatus.approved, ApplicationStatus.rejected)


def test_asking_for_a_move_the_machine_does_not_have_is_a_programming_error():
    with pytest.raises(ValueError, match="no transition"):
        transitions.sources(STEP_TRANSITIONS, StepStatus.suspended, expected=[StepStatus.planned])


# -- against the database -----------------------------------------------------------------------

def test_a_planned_step_starts_once_and_closes_once_with_one_audit_event(session):
    application = factories.submitted_case(session)
    assert steps.get_step(session, application.id, "acceptance").status == StepStatus.planned
    assert steps.start_step(session, application.id, "acceptance") is True
    started = steps.get_step(session, application.id, "acceptance")
    assert started.status == StepStatus.running and started.started_at is not None
    assert steps.start_step(session, application.id, "acceptance") is False  # a retried task
    outcome = {"by": "test"}
    assert steps.finish_step(session, application.id, "acceptance", status=StepStatus.completed, outcome=outcome)
    assert not steps.finish_step(session, application.id, "acceptance", status=StepStatus.cancelled, outcome={})
    closed = steps.get_step(session, application.id, "acceptance")
    assert closed.status == StepStatus.completed and closed.outcome == outcome and closed.finished_at is not None
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_id == f"{application.id}:acceptance")).all()
    assert [e.action for e in events] == ["step.completed"]


def test_a_step_in_another_state_is_refused_with_a_409_domain_error_when_strict(session):
    application = factories.submitted_case(session)
    steps.finish_step(session, application.id, "completeness", status=StepStatus.completed, outcome={})
    with pytest.raises(TransitionConflict) as refused:
        transitions.move_step(session, application.id, "completeness", StepStatus.running, strict=True)
    assert isinstance(refused.value, DomainError) and refused.value.status == 409 and "刷新" in refused.value.message
    assert transitions.move_step(session, application.id, "completeness", StepStatus.running) is False
    assert steps.get_step(session, application.id, "completeness").status == StepStatus.completed


def test_a_case_moves_only_from_a_status_that_leads_there(session):
    application = factories.accepted_case(session)
    assert session.get(Application, application.id).status == ApplicationStatus.accepted
    assert transitions.move_application(session, application.id, ApplicationStatus.approved)
    with pytest.raises(TransitionConflict) as refused:
        transitions.move_application(session, application.id, ApplicationStatus.supplementing)
    assert refused.value.status == 409 and "待补正" in refused.value.message
    assert not transitions.move_application(session, application.id, ApplicationStatus.accepted, strict=False)
    assert session.get(Application, application.id).status == ApplicationStatus.approved


def test_cancelling_a_case_closes_every_open_step_and_leaves_closed_ones_alone(session):
    application = factories.accepted_case(session)
    before = {s.key: s.status for s in steps.steps_of(session, application.id)}
    cancelled = transitions.cancel_open_steps(session, application.id)
    after = {s.key: s for s in steps.steps_of(session, application.id)}
    assert cancelled == sum(1 for status in before.values() if status in OPEN) > 0
    for key, status in before.items():
        if status in OPEN:
            assert after[key].status == StepStatus.cancelled and after[key].due_on is None
        else:
            assert after[key].status == status
    assert transitions.cancel_open_steps(session, application.id) == 0


@pytest.mark.usefixtures("migrated")  # its own sessions, on the suite's database
def test_of_two_sessions_closing_one_step_at_once_exactly_one_wins():
    """The guarded update losing a race: the loser's update matches no row and it writes nothing."""
    with session_scope() as session:
        application = factories.accepted_case(session, project_name=f"环节竞争测试{uuid.uuid4().hex[:6]}")
        application_id = application.id
        steps.start_step(session, application_id, "indicator_evaluation")
    start, results = threading.Barrier(3), []

    def close(label: str) -> None:
        with Session(get_engine(), expire_on_commit=False) as session:
            start.wait()
            try:
                results.append(steps.finish_step(session, application_id, "indicator_evaluation",
                                                 status=StepStatus.completed, outcome={"by": label}))
                session.commit()
            except Exception as error:  # a database error would be a failed flow task
                session.rollback()
                results.append(error)

    threads = [threading.Thread(target=close, args=(f"racer-{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results, key=str) == [False, False, True], results
    with session_scope() as session:
        events = session.exec(select(AuditEvent).where(
            AuditEvent.entity_id == f"{application_id}:indicator_evaluation")).all()
        assert len(events) == 1
        transitions.cancel_open_steps(session, application_id)  # out of every queue
        transitions.move_application(session, application_id, ApplicationStatus.rejected)


# -- who a step waits on --------------------------------------------------------------------------

def test_a_review_waits_on_its_department_and_planned_or_closed_steps_wait_on_nobody(session):
    application, step = factories.case_in_review(session)
    waits = waiting.waiting_on(session, step)
    assert waits is not None and waits.party == waiting.Party.department
    assert (waits.party_zh, waits.who_zh, waits.paused, waits.pending) == ("审批部门", "自然资源局", False, False)
    planned = [s for s in steps.steps_of(session, application.id) if s.status == StepStatus.planned]
    closed = steps.get_step(session, application.id, "acceptance")
    assert planned and all(waiting.waiting_on(session, s) is None for s in planned)
    assert closed.status == StepStatus.completed and waiting.waiting_on(session, closed) is None


def test_a_running_automatic_or_applicant_or_statutory_step_waits_on_the_system_enterprise_or_calendar(session):
    application = factories.submitted_case(session)
    steps.start_step(session, application.id, "indicator_evaluation")
    automatic = waiting.waiting_on(session, steps.get_step(session, application.id, "indicator_evaluation"))
    assert automatic is not None and (automatic.party, automatic.who_zh) == (waiting.Party.system, "系统自动办理")
    step = steps.get_step(session, application.id, "indicator_evaluation")
    for kind, party, who in (("applicant", waiting.Party.enterprise, "申请企业"),
                             ("statutory", waiting.Party.statutory, "法定期间（公示等）")):
        step.kind = kind  # the same running step read as each kind (the rule depends on nothing else)
        waits = waiting.waiting_on(session, step)
        assert waits is not None and (waits.party, waits.who_zh) == (party, who)
    session.expire(step)
