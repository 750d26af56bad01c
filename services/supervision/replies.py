"""督办书面回复 (the written reply to a 督办通知): the closed loop of DOMAIN §4.3.

A 督办通知 (escalation level 1) gives the department a date for its written reply (``Escalation.reply_due_on``).
A reviewer of the step's department files the reply — why the item is late, what was done, the date it will be
done — and a supervisor accepts it or rejects it with a reason; a rejection asks for a new reply within
``REPLY_AGAIN_WORKING_DAYS``. A reply not filed (or not accepted) by its date while the step is still open
escalates: the step goes one level up (its own 督办通知) and the department and supervisors are told.

Replies of one escalation are numbered; the unique (escalation, number) is the guard against a double post,
and a verdict is a guarded UPDATE of a pending reply, so two supervisors clicking at once decide it once.
"""

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from pydantic import BaseModel
from sqlalchemy import func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, exists, select

from services.calendar.schedules import work_calendar
from services.core import audit, clock, visibility
from services.core.access import Action, Reach, Resource, reach
from services.core.errors import Conflict, DomainError
from services.core.formatting import format_date_zh
from services.core.ids import stored_id
from services.core.text import Checked
from services.models import Application, Escalation, EscalationReply, Step, StepStatus, User
from services.supervision import notifications
from services.supervision.sla_rules import LEVEL_ZH

REPLY_AGAIN_WORKING_DAYS = 3  # a rejected reply: the department answers again within this many working days
OPEN = (StepStatus.running, StepStatus.suspended)
VERDICT_ZH = {"pending": "待审核", "accepted": "已接受", "rejected": "未接受，须重新回复"}


class ReplyError(DomainError):
    """A reply or verdict refused, with the Chinese message for the named field."""


class ReplyInput(BaseModel):
    """What the department writes (the fields of the page's form and of the API's body)."""

    reason: Annotated[str, Checked(1000, multiline=True)]
    measures: Annotated[str, Checked(1000, multiline=True)]
    promised_on: date


class VerdictInput(BaseModel):
    """A supervisor's verdict on a reply: accepted, or rejected with the reason the department must address."""

    accept: bool
    reason: Annotated[str, Checked(1000, min_length=0, multiline=True)] = ""


FIELD_LABELS = {"reason": "超期原因", "measures": "已采取的措施", "promised_on": "预计办结日期", "accept": "审核结论",
                "verdict_reason": "不予接受的理由"}


def may_reply(user: User, step: Step) -> bool:
    """A reviewer of the step's department (one of a joint step's departments) writes the reply."""
    return reach(user, Resource.escalation, Action.write) is Reach.department and bool(user.department) \
        and user.department in step.department.split("、")


def may_judge(user: User) -> bool:
    return reach(user, Resource.escalation, Action.decide) is Reach.all


@dataclass(frozen=True)
class EscalationView:
    """One 督办 of a case as its page shows it: the level, the step, the replies and what it waits for."""

    escalation: Escalation
    step: Step
    level_zh: str
    replies: list[EscalationReply]
    state: str  # as ``state``
    overdue: bool  # the written reply is awaited and its date has passed

    @property
    def state_zh(self) -> str:
        if self.state == "reply":
            return "书面回复已逾期" if self.overdue else "待部门书面回复"
        return {"verdict": "回复待审核", "closed": "回复已接受", "none": "无需书面回复"}[self.state]


def case_escalations(session: Session, application_id: int, today: date) -> list[EscalationView]:
    """The case's 督办, oldest first (their replies read in one query)."""
    rows = session.exec(select(Escalation, Step).join(Step, col(Step.id) == Escalation.step_id)
                        .where(Escalation.application_id == application_id)
                        .order_by(col(Escalation.issued_at), col(Escalation.id))).all()
    answered = replies_by_escalation(session, [stored_id(e) for e, _ in rows])
    views = []
    for escalation, step in rows:
        written = answered.get(stored_id(escalation), [])
        now_state = state_of(escalation, written)
        overdue = now_state == "reply" and escalation.reply_due_on is not None and escalation.reply_due_on < today
        views.append(EscalationView(escalation, step, LEVEL_ZH[escalation.level], written, now_state, overdue))
    return views


def readable_escalation(session: Session, user: User, escalation_id: int) -> tuple[Escalation, Application] | None:
    """The escalation and its case, if ``user`` may read that case (the case's visibility decides)."""
    escalation = session.get(Escalation, escalation_id)
    application = escalation and visibility.get_readable_application(session, user, escalation.application_id)
    return (escalation, application) if escalation and application else None


def replies_of(session: Session, escalation_id: int) -> list[EscalationReply]:
    return replies_by_escalation(session, [escalation_id]).get(escalation_id, [])


def replies_by_escalation(session: Session, escalation_ids: list[int]) -> dict[int, list[EscalationReply]]:
    """Each escalation's replies in order, for several escalations in one query."""
    found: dict[int, list[EscalationReply]] = {}
    if escalation_ids:
        for reply in session.exec(select(EscalationReply).where(col(EscalationReply.escalation_id).in_(escalation_ids))
                                  .order_by(col(EscalationReply.escalation_id), col(EscalationReply.round))):
            found.setdefault(reply.escalation_id, []).append(reply)
    return found


def state(session: Session, escalation: Escalation) -> str:
    return state_of(escalation, replies_of(session, stored_id(escalation)))


def state_of(escalation: Escalation, written: list[EscalationReply]) -> str:
    """What the escalation waits for, from its replies in order: 'reply' (from the department), 'verdict' (from a
    supervisor), 'closed' (a reply accepted), or 'none' (a level that asks no written reply)."""
    if escalation.reply_due_on is None:
        return "none"
    if any(r.verdict == "accepted" for r in written):
        return "closed"
    if written and written[-1].verdict == "pending":
        return "verdict"
    return "reply"


def file_reply(session: Session, user: User, escalation: Escalation, data: ReplyInput) -> EscalationReply:
    """Store the department's reply (audited; the supervisors are told). A double post of the same form files
    it once: the second finds the reply already pending and is refused with 409."""
    step = session.get_one(Step, escalation.step_id)
    if not may_reply(user, step):
        raise ReplyError(f"只有{step.department}的审查人员可以回复该督办通知", field="reason", status=403)
    written = replies_of(session, stored_id(escalation))
    now_state = state_of(escalation, written)
    if now_state == "none":
        raise ReplyError("该级督办不要求书面回复", field="reason", status=409)
    if now_state == "closed":
        raise Conflict("该督办通知的书面回复已被接受，无需再回复", field="reason")
    if now_state == "verdict":
        raise Conflict("已提交的书面回复正在审核，请等待督办管理员的审核结论", field="reason")
    today = clock.today()
    if data.promised_on < today:
        raise ReplyError("预计办结日期不能早于今天", field="promised_on")
    round_no = len(written) + 1
    reply = EscalationReply(escalation_id=stored_id(escalation), application_id=escalation.application_id,
                            round=round_no, department=user.department or step.department, reason=data.reason,
                            measures=data.measures, promised_on=data.promised_on, filed_by_id=stored_id(user),
                            filed_at=clock.now())
    try:
        with session.begin_nested():
            session.add(reply)
            session.flush()
    except IntegrityError:  # the same reply posted twice at once: the other request stored it
        raise Conflict("已提交的书面回复正在审核，请等待督办管理员的审核结论", field="reason") from None
    application = session.get_one(Application, escalation.application_id)
    audit.record(session, "escalation.reply.filed", actor=user, entity="escalation", entity_id=stored_id(escalation),
                 application_id=application.id,
                 detail={"round": round_no, "step": step.key, "promised_on": data.promised_on.isoformat()})
    notifications.notify(
        session, notifications.supervisors(session), kind="escalation_reply",
        title=f"【督办回复】{application.case_no} {step.name}", link=f"/applications/{application.id}#escalations",
        body=f"{reply.department}已书面回复督办通知，预计{format_date_zh(data.promised_on)}办结，请审核。",
        dedupe_key=f"reply-{escalation.id}-{round_no}", application_id=application.id)
    return reply


def is_pending_repeat(session: Session, user: User, escalation: Escalation, data: ReplyInput) -> bool:
    """Whether the pending reply is this very form filed by this person: a second post of one page (a double
    click) that ``file_reply`` refused, which the page shows as filed."""
    written = replies_of(session, stored_id(escalation))
    last = written[-1] if written else None
    return (last is not None and last.verdict == "pending" and last.filed_by_id == user.id
            and (last.reason, last.measures, last.promised_on) == (data.reason, data.measures, data.promised_on))


def judge(session: Session, user: User, reply: EscalationReply, data: VerdictInput) -> EscalationReply:
    """Accept or reject a pending reply, once (a second verdict is a 409); a rejection sets the next reply date."""
    if not may_judge(user):
        raise ReplyError("只有督办管理员可以审核督办回复", field="accept", status=403)
    if not data.accept and not data.reason:
        raise ReplyError("不予接受时请写明理由，部门将据此重新回复", field="verdict_reason")
    verdict = "accepted" if data.accept else "rejected"
    now = clock.now()
    claimed = session.execute(update(EscalationReply).where(col(EscalationReply.id) == reply.id,
                                                            col(EscalationReply.verdict) == "pending")
                              .values(verdict=verdict, verdict_reason=data.reason, decided_by_id=user.id,
                                      decided_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("该书面回复已经审核过了，请刷新页面查看结论", field="accept")
    session.refresh(reply)
    escalation = session.get_one(Escalation, reply.escalation_id)
    step = session.get_one(Step, escalation.step_id)
    application = session.get_one(Application, escalation.application_id)
    body = f"督办管理员已接受{step.name}的书面回复。"
    if not data.accept:
        escalation.reply_due_on = work_calendar(session).add_working_days(now.date(), REPLY_AGAIN_WORKING_DAYS).due
        session.add(escalation)
        body = (f"督办管理员未接受{step.name}的书面回复：{data.reason}。"
                f"请于{format_date_zh(escalation.reply_due_on)}前重新书面回复。")
    audit.record(session, f"escalation.reply.{verdict}", actor=user, entity="escalation",
                 entity_id=stored_id(escalation), application_id=application.id,
                 detail={"round": reply.round, "reason": data.reason,
                         "reply_due_on": escalation.reply_due_on.isoformat() if escalation.reply_due_on else None})
    notifications.notify(
        session, notifications.department_contacts(session, reply.department), kind="escalation_reply",
        title=f"【督办回复{'已接受' if data.accept else '未接受'}】{application.case_no} {step.name}", body=body,
        link=f"/applications/{application.id}#escalations", dedupe_key=f"verdict-{reply.id}",
        application_id=application.id)
    return reply


def escalate_overdue_replies(session: Session, today: date) -> list[int]:
    """督办通知 whose written reply is past its date (none filed, or the last one rejected) while the step is
    still open: the step goes one level up (现场指挥部, then 总指挥部; its own 督办通知) and the department and the
    supervisors are told — once per reply date (``Escalation.reply_overdue_for``, claimed by a guarded UPDATE,
    so two sweeps at once escalate once). Returns the steps escalated. Run by the SLA sweep."""
    answered = exists().where(col(EscalationReply.escalation_id) == Escalation.id,
                              col(EscalationReply.verdict).in_(("pending", "accepted")))
    rows = session.exec(select(Escalation, Step).join(Step, col(Step.id) == Escalation.step_id).where(
        Escalation.level == 1, col(Escalation.reply_due_on) < today, col(Step.status).in_(OPEN), ~answered,
        or_(col(Escalation.reply_overdue_for).is_(None),
            col(Escalation.reply_overdue_for) != Escalation.reply_due_on))).all()
    escalated = []
    for escalation, step in rows:
        claimed = session.execute(update(Escalation).where(
            col(Escalation.id) == escalation.id, col(Escalation.reply_due_on) == escalation.reply_due_on,
            or_(col(Escalation.reply_overdue_for).is_(None),
                col(Escalation.reply_overdue_for) != escalation.reply_due_on))
            .values(reply_overdue_for=escalation.reply_due_on).execution_options(synchronize_session=False))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another sweep has it
        top = session.exec(select(func.max(Escalation.level)).where(Escalation.step_id == step.id)).one() or 1
        if top < 3:
            try:
                with session.begin_nested():
                    session.add(Escalation(step_id=stored_id(step), application_id=step.application_id, level=top + 1,
                                           issued_on=today, issued_at=clock.now()))
                    session.flush()
            except IntegrityError:  # the SLA rules reached that level meanwhile
                pass
        application = session.get_one(Application, escalation.application_id)
        due = format_date_zh(escalation.reply_due_on) if escalation.reply_due_on else "—"
        notifications.notify(
            session, notifications.department_contacts(session, step.department) + notifications.supervisors(session),
            kind="escalation", title=f"【督办回复逾期】{application.case_no} {step.name}",
            body=f"{step.department}未在{due}前书面回复督办通知（或回复未被接受），已提请上一级指挥部督办。",
            link=f"/applications/{application.id}#escalations",
            dedupe_key=f"reply-overdue-{escalation.id}-{escalation.reply_due_on}", application_id=application.id)
        audit.record(session, "escalation.reply.overdue", actor=None, entity="escalation",
                     entity_id=stored_id(escalation), application_id=application.id,
                     detail={"step": step.key, "reply_due_on": str(escalation.reply_due_on), "level": min(top + 1, 3)})
        escalated.append(stored_id(step))
    return escalated
