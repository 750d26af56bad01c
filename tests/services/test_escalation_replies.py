"""督办, closed loop (``services.supervision.replies``) on a calendar the test controls: the department replies to a
督办通知 in writing, a supervisor accepts or rejects the reply, a reply not given by its date escalates once."""

from datetime import date, datetime, time

import pytest
from pydantic import ValidationError
from sqlmodel import select

from services.core import clock
from services.core.errors import Conflict
from services.core.users import get_by_username
from services.models import AuditEvent, Escalation, Notification, Role, Step, StepStatus
from services.supervision import replies
from services.supervision import service as supervision
from services.supervision import sla_rules as sla
from tests import factories

# the SLA rules would send a red step up a level after 2 working days: here only replies move levels
PATIENT = sla.SlaRules(version="test", default=sla.LightRule(escalate_after=(30, 60)), tiers={}, items={})


@pytest.fixture
def today():
    """Set the application's clock to a day (10:00) for the rest of the test."""
    def on(day: date) -> None:
        clock.set_clock(lambda: datetime.combine(day, time(10)))
    yield on
    clock.set_clock(None)


def _notice(session) -> Escalation:
    """A 自然资源局 review due Fri 20 Nov 2026, red on Mon 23 Nov: 督办通知, written reply due Thu 26 Nov."""
    _, step = factories.case_in_review(session)
    step.due_on, step.started_at = date(2026, 11, 20), datetime(2026, 11, 13, 9)
    session.add(step)
    session.flush()
    supervision.sweep(session, date(2026, 11, 23), rules=PATIENT)
    escalation = session.exec(select(Escalation).where(Escalation.step_id == step.id)).one()
    assert (escalation.level, escalation.reply_due_on) == (1, date(2026, 11, 26))
    return escalation


def _reply(**changes) -> replies.ReplyInput:
    good = {"reason": "规划条件核实需要征求住建部门意见", "measures": "已召开联席会议",
            "promised_on": date(2026, 11, 30)}
    return replies.ReplyInput.model_validate(good | changes)


def test_the_department_replies_the_supervisor_rejects_then_accepts(session, today):
    escalation = _notice(session)
    reviewer, supervisor = get_by_username(session, "reviewer"), get_by_username(session, "supervisor")
    assert reviewer.department == "自然资源局"
    today(date(2026, 11, 24))
    assert replies.state(session, escalation) == "reply"

    tax = factories.user(session, Role.reviewer, department="税务局")
    for outsider in (get_by_username(session, "enterprise"), tax, supervisor):
        with pytest.raises(replies.ReplyError) as refused:
            replies.file_reply(session, outsider, escalation, _reply())
        assert refused.value.status == 403 and "自然资源局" in refused.value.message
    with pytest.raises(replies.ReplyError) as past:
        replies.file_reply(session, reviewer, escalation, _reply(promised_on=date(2026, 11, 23)))
    assert past.value.field == "promised_on" and past.value.message == "预计办结日期不能早于今天"
    for bad in ({"reason": "  "}, {"measures": "会议\x00纪要"}, {"reason": "长" * 1001}):
        with pytest.raises(ValidationError):
            _reply(**bad)

    first = replies.file_reply(session, reviewer, escalation, _reply())
    assert (first.round, first.verdict, first.department) == (1, "pending", "自然资源局")
    assert replies.state(session, escalation) == "verdict"
    with pytest.raises(Conflict):  # a second click, or a colleague at the same time
        replies.file_reply(session, reviewer, escalation, _reply())
    told = session.exec(select(Notification).where(Notification.user_id == supervisor.id,
                                                   Notification.dedupe_key == f"reply-{escalation.id}-1")).one()
    assert "预计2026年11月30日办结" in told.body

    with pytest.raises(replies.ReplyError) as no_reason:
        replies.judge(session, supervisor, first, replies.VerdictInput(accept=False))
    assert no_reason.value.field == "verdict_reason"
    with pytest.raises(replies.ReplyError) as not_theirs:
        replies.judge(session, reviewer, first, replies.VerdictInput(accept=True))
    assert not_theirs.value.status == 403
    replies.judge(session, supervisor, first, replies.VerdictInput(accept=False, reason="未说明会议结论"))
    assert first.verdict == "rejected" and first.decided_by_id == supervisor.id
    assert escalation.reply_due_on == date(2026, 11, 27)  # 3 working days after Tue 24 Nov
    with pytest.raises(Conflict):  # the same verdict clicked twice
        replies.judge(session, supervisor, first, replies.VerdictInput(accept=True))
    assert replies.state(session, escalation) == "reply"

    second = replies.file_reply(session, reviewer, escalation, _reply(measures="联席会议已明确规划条件，正在出具意见"))
    assert second.round == 2
    replies.judge(session, supervisor, second, replies.VerdictInput(accept=True))
    assert replies.state(session, escalation) == "closed"
    with pytest.raises(Conflict):
        replies.file_reply(session, reviewer, escalation, _reply())
    actions = [e.action for e in session.exec(select(AuditEvent).where(
        AuditEvent.entity == "escalation", AuditEvent.entity_id == str(escalation.id)).order_by(AuditEvent.id))]
    assert actions == ["escalation.reply.filed", "escalation.reply.rejected", "escalation.reply.filed",
                       "escalation.reply.accepted"]
    # an accepted reply is never escalated as overdue, however late the sweep runs (the sweep looks at every
    # case of the database: only this test's step is looked at here)
    assert escalation.step_id not in replies.escalate_overdue_replies(session, date(2026, 12, 31))


def test_a_reply_not_given_by_its_date_escalates_once_and_a_rejected_one_again_after_the_new_date(session, today):
    escalation = _notice(session)
    step_id = escalation.step_id
    supervisor = get_by_username(session, "supervisor")
    assert step_id not in replies.escalate_overdue_replies(session, date(2026, 11, 26))  # due today: not yet late
    supervision.sweep(session, date(2026, 11, 27), rules=PATIENT)  # the sweep finds it late
    supervision.sweep(session, date(2026, 11, 30), rules=PATIENT)  # and again next working day: once
    assert step_id not in replies.escalate_overdue_replies(session, date(2026, 11, 30))
    levels = sorted(e.level for e in session.exec(select(Escalation).where(Escalation.step_id == step_id)))
    assert levels == [1, 2]
    told = session.exec(select(Notification).where(
        Notification.user_id == supervisor.id, Notification.dedupe_key == f"reply-overdue-{escalation.id}-2026-11-26"
    )).one()
    assert told.title.startswith("【督办回复逾期】") and "2026年11月26日" in told.body

    today(date(2026, 11, 30))  # the late reply, rejected: a new date, and late again → the next level
    reply = replies.file_reply(session, get_by_username(session, "reviewer"), escalation, _reply())
    assert step_id not in replies.escalate_overdue_replies(session, date(2026, 12, 31))  # waits on the supervisor
    replies.judge(session, supervisor, reply, replies.VerdictInput(accept=False, reason="措施不具体"))
    assert escalation.reply_due_on == date(2026, 12, 3)
    assert step_id not in replies.escalate_overdue_replies(session, date(2026, 12, 3))
    assert step_id in replies.escalate_overdue_replies(session, date(2026, 12, 4))
    assert sorted(e.level for e in session.exec(select(Escalation).where(Escalation.step_id == step_id))) == [1, 2, 3]


def test_a_step_finished_before_the_reply_date_is_not_escalated(session):
    escalation = _notice(session)
    step = session.get_one(Step, escalation.step_id)
    step.status = StepStatus.completed
    session.add(step)
    session.flush()
    assert escalation.step_id not in replies.escalate_overdue_replies(session, date(2026, 12, 31))
