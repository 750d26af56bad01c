"""The SLA sweep (亮灯督办): lights for every open step, notifications on yellow, 督办 on red.

``sweep`` reads the open steps in one query, computes each light from the working-day calendar and
the configured thresholds (``services.supervision.sla_rules``), and writes only what changed. Everything it
sends is idempotent: an escalation is a row unique per (step, level) inserted before anything is
sent, and a notification is unique per (user, key); running the sweep twice, or two at once, never
escalates or notifies twice. The 督办通知 documents are issued afterwards by
``issue_pending_notices`` (rendering takes ~0.1 s each; the light pass must stay fast).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.agency import service as agency
from services.calendar.schedules import work_calendar
from services.calendar.work_calendar import WorkCalendar
from services.core import clock
from services.core.settings import get_settings
from services.documents import issue as documents
from services.models import (
    Application,
    Enterprise,
    Escalation,
    LightSnapshot,
    Project,
    Step,
    StepLight,
    StepStatus,
)
from services.supervision import notifications
from services.supervision import sla_rules as sla

OPEN = (StepStatus.running, StepStatus.suspended)


@dataclass
class SweepReport:
    """What one sweep saw and did (printed by the CLI, shown as a Prefect artifact)."""

    today: date
    steps: int = 0
    lights: dict[str, int] = field(default_factory=lambda: {"green": 0, "yellow": 0, "red": 0, "paused": 0})
    changed: int = 0
    notified: int = 0
    by_department: dict[tuple[str, str], int] = field(default_factory=dict)
    escalations: list[tuple[int, int]] = field(default_factory=list)


def remaining_days(calendar: WorkCalendar, step: Step, today: date) -> int | None:
    """Days left including today, in the step's unit; 0 or less once the deadline has passed."""
    if step.due_on is None:
        return None
    if step.sla_unit == "calendar_day":
        return (step.due_on - today).days + 1
    if today <= step.due_on:
        return calendar.working_days_between(today - timedelta(days=1), step.due_on)
    # past the deadline: 0 on the first working day after it (1 day overdue, as for calendar days and as the
    # 督办通知 counts), -1 on the next …; a rest day right after the deadline is also 0 (overdue, red)
    return min(0, 1 - calendar.working_days_between(step.due_on, today))


def is_paused(step: Step) -> bool:
    """补正 (suspended) and statutory periods do not run against the department."""
    return step.status == StepStatus.suspended or step.kind == "statutory"


def sweep(session: Session, today: date | None = None, rules: sla.SlaRules | None = None) -> SweepReport:
    """Recompute every open step's light; notify on a new yellow, escalate red steps once per level."""
    today = today or clock.today()
    rules = rules or sla.load_rules()
    calendar = work_calendar(session)
    report = SweepReport(today=today)
    rows = session.exec(select(Step, Application.process_key, Project.tier)
                        .join(Application, Application.id == Step.application_id)
                        .join(Project, Project.id == Application.project_id)
                        .where(Step.status.in_(OPEN))).all()
    open_ids = select(Step.id).where(Step.status.in_(OPEN))
    known = {light.step_id: light for light in session.exec(select(StepLight).where(StepLight.step_id.in_(open_ids)))}
    escalated = dict(session.exec(select(Escalation.step_id, func.max(Escalation.level))
                                  .where(Escalation.step_id.in_(open_ids)).group_by(Escalation.step_id)).all())
    contacts = _Recipients(session)
    for step, process_key, tier in rows:
        report.steps += 1
        rule = rules.rule_for(process_key, step.key, tier)
        remaining = remaining_days(calendar, step, today)
        light = sla.light_for(rule, step.sla_working_days, remaining, is_paused(step))
        report.lights[light] += 1
        report.by_department[(step.department, light)] = report.by_department.get((step.department, light), 0) + 1
        previous = known.get(step.id)
        was = previous.light if previous else None  # read before _record updates the row in place
        if _record(session, step, light, remaining, today, previous):
            report.changed += 1
        if light == "yellow" and was != "yellow":
            report.notified += _notify_yellow(session, step, remaining, contacts)
        if light == "red" and step.kind == "human":
            red_since = (previous.red_since if previous and previous.red_since else today)
            level = sla.escalation_level(rule, calendar.working_days_between(red_since, today))
            for lvl in range(escalated.get(step.id, 0) + 1, level + 1):  # the unique row still guards races
                if _escalate(session, step, lvl, today, calendar, rule, contacts):
                    report.escalations.append((step.id, lvl))
    report.notified += agency.remind_overdue_contacts(session, today)
    _forget_closed(session)
    _snapshot(session, report)
    session.flush()
    return report


def _snapshot(session: Session, report: SweepReport) -> None:
    """Today's counts per department and light, replacing an earlier sweep's of the same day."""
    session.execute(LightSnapshot.__table__.delete().where(LightSnapshot.day == report.today))
    session.add_all(LightSnapshot(day=report.today, department=department, light=light, count=count)
                    for (department, light), count in sorted(report.by_department.items()))


def _record(session: Session, step: Step, light: str, remaining: int | None, today: date,
            previous: StepLight | None) -> bool:
    """Store the light when it changed (or its days left did); True when something was written."""
    if previous is None:
        session.add(StepLight(step_id=step.id, application_id=step.application_id, department=step.department,
                              light=light, remaining_working_days=remaining, limit_working_days=step.sla_working_days,
                              computed_on=today, changed_on=today,
                              yellow_since=today if light == "yellow" else None,
                              red_since=today if light == "red" else None))
        return True
    if previous.light == light and previous.remaining_working_days == remaining:
        return False
    if previous.light != light:
        previous.changed_on = today
        previous.yellow_since = today if light == "yellow" else None
        previous.red_since = (previous.red_since or today) if light == "red" else None
    previous.light, previous.remaining_working_days, previous.computed_on = light, remaining, today
    session.add(previous)
    return True


def _forget_closed(session: Session) -> None:
    """Lights of steps that closed since the last sweep are dropped (only open steps have a light)."""
    closed = select(Step.id).where(Step.status.not_in(OPEN))
    session.execute(StepLight.__table__.delete().where(StepLight.step_id.in_(closed)))


def _case_text(session: Session, step: Step) -> tuple[Application, str]:
    application = session.get(Application, step.application_id)
    project = session.get(Project, application.project_id)
    return application, f"{application.case_no}（{project.name}）的“{step.name}”"


class _Recipients:
    """Department contacts and supervisors, looked up once per sweep."""

    def __init__(self, session: Session):
        self.session, self._departments, self._agents = session, {}, {}
        self.supervisors = notifications.supervisors(session)

    def agents(self, application: Application) -> list:
        if application.id not in self._agents:
            self._agents[application.id] = agency.agents_for(self.session, application)
        return self._agents[application.id]

    def department(self, name: str) -> list:
        if name not in self._departments:
            self._departments[name] = notifications.department_contacts(self.session, name)
        return self._departments[name]


def _notify_yellow(session: Session, step: Step, remaining: int | None, contacts: _Recipients) -> int:
    """A new yellow: the department contacts and the case's agents (代办 mandates, chief agent) are told."""
    application, case = _case_text(session, step)
    recipients = contacts.department(step.department) + contacts.agents(application)
    due = f"{step.due_on:%Y年%m月%d日}" if step.due_on else "—"
    created = notifications.notify(
        session, recipients, kind="light_yellow", title=f"【黄灯】{case}即将到期",
        body=f"{case}办结期限为{due}，剩余{remaining}个工作日（含今日）。请及时办理。",
        link=f"/applications/{application.id}", dedupe_key=f"yellow-{step.id}-{step.due_on}",
        application_id=application.id)
    return len(created)


def _escalate(session: Session, step: Step, level: int, today: date, calendar: WorkCalendar,
              rule: sla.LightRule, contacts: _Recipients) -> bool:
    """Insert the escalation once (the unique row is the guard), then tell the people concerned."""
    reply_due = calendar.add_working_days(today, rule.reply_working_days).due if level == 1 else None
    try:
        with session.begin_nested():
            escalation = Escalation(step_id=step.id, application_id=step.application_id, level=level,
                                    issued_on=today, reply_due_on=reply_due, issued_at=clock.now())
            session.add(escalation)
            session.flush()
    except IntegrityError:
        return False  # escalated before (or by a sweep running at the same time)
    application, case = _case_text(session, step)
    recipients = contacts.department(step.department) + contacts.supervisors
    title = f"【红灯·{sla.LEVEL_ZH[level]}】{case}已超期"
    body = (f"{case}已超过办结期限（{step.due_on:%Y年%m月%d日}）。"
            + (f"请于{reply_due:%Y年%m月%d日}前书面回复办理情况。" if reply_due else "已提请上一级指挥部督办。"))
    notifications.notify(session, recipients, kind="supervision_notice" if level == 1 else "escalation",
                         title=title, body=body, link=f"/applications/{application.id}",
                         dedupe_key=f"escalation-{step.id}-{level}", application_id=application.id)
    return True


def issue_pending_notices(session: Session, limit: int = 50) -> list[int]:
    """Issue the 督办通知 of escalations that have none yet (one document per escalation, once)."""
    pending = session.exec(select(Escalation).where(Escalation.document_id.is_(None)).order_by(Escalation.id)
                           .limit(limit)).all()
    issued = []
    for escalation in pending:
        application = session.get(Application, escalation.application_id)
        document = documents.issue(
            session, application, kind="supervision_notice", step_key=session.get(Step, escalation.step_id).key,
            issue_key=f"supervision-{escalation.step_id}-{escalation.level}",
            build_context=lambda number, issued_at, e=escalation, a=application: notice_context(
                session, a, e, number, issued_at))
        session.execute(update(Escalation).where(Escalation.id == escalation.id, Escalation.document_id.is_(None))
                        .values(document_id=document.id).execution_options(synchronize_session=False))
        issued.append(document.id)
    return issued


def notice_context(session: Session, application: Application, escalation: Escalation, number: str,
                   issued_at) -> dict[str, Any]:
    step = session.get(Step, escalation.step_id)
    enterprise = session.get(Enterprise, application.enterprise_id)
    project = session.get(Project, application.project_id)
    calendar = work_calendar(session)
    earlier = session.exec(select(Escalation).where(Escalation.step_id == step.id, Escalation.level < escalation.level)
                           .order_by(Escalation.level)).all()
    started = min(step.started_at.date() if step.started_at else application.submitted_at.date(), step.due_on)
    return {
        "number": number, "issuer": get_settings().issuer_name, "issued_on": issued_at.date(),
        "enterprise_name": enterprise.name, "uscc": enterprise.uscc, "case_no": application.case_no,
        "project_name": project.name, "department": step.department, "step_name": step.name,
        "application_title": application.title, "level": escalation.level, "started_on": started,
        "due_on": step.due_on, "limit_text": step.limit_zh,
        "overdue_working_days": calendar.working_days_between(step.due_on, escalation.issued_on),
        "paused_working_days": step.paused_working_days, "light": "red",
        "required_action": "立即办结该事项；确有困难的，书面说明原因、已采取的措施和预计办结时间。",
        "reply_due_on": escalation.reply_due_on or calendar.add_working_days(issued_at.date(), 3).due,
        "copy_to": ["绿色通道服务中心服务专员"] + (["现场指挥部"] if escalation.level >= 2 else [])
        + (["总指挥部"] if escalation.level >= 3 else []),
        "history": [{"on": e.issued_on, "event": sla.LEVEL_ZH[e.level]} for e in earlier],
    }
