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
from functools import lru_cache, partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, insert, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.agency import service as agency
from services.calendar.schedules import work_calendar
from services.calendar.work_calendar import WorkCalendar
from services.core import clock
from services.core.db import table_of
from services.core.ids import stored_id
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
    User,
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
    return _days_left(calendar, step.due_on, step.sla_unit, today)


def _days_left(calendar: WorkCalendar, due_on: date | None, unit: str, today: date) -> int | None:
    if due_on is None:
        return None
    if unit == "calendar_day":
        return (due_on - today).days + 1
    if today <= due_on:
        return calendar.working_days_between(today - timedelta(days=1), due_on)
    # past the deadline: 0 on the first working day after it (1 day overdue, as for calendar days and as the
    # 督办通知 counts), -1 on the next …; a rest day right after the deadline is also 0 (overdue, red)
    return min(0, 1 - calendar.working_days_between(due_on, today))


def is_paused(step: Step) -> bool:
    """补正 (suspended) and statutory periods do not run against the department."""
    return _paused(step.status, step.kind)


def _paused(status: str, kind: str) -> bool:
    return status == StepStatus.suspended or kind == "statutory"


# What the light pass reads per open step: plain columns, no ORM objects (100,000 steps in one query).
_OPEN_STEP_COLUMNS = tuple(col(column) for column in (
    Step.id, Step.application_id, Step.department, Step.key, Step.kind, Step.status, Step.due_on, Step.sla_unit,
    Step.sla_working_days, Application.process_key, Project.tier, StepLight.light, StepLight.red_since))


def sweep(session: Session, today: date | None = None, rules: sla.SlaRules | None = None) -> SweepReport:
    """Recompute every open step's light; notify on a new yellow, escalate red steps once per level.

    The pass reads plain rows and writes only what changed: a light that is new or different (with the days
    left at that moment), a new escalation level. On an ordinary day that is a few rows out of 100,000, so the
    daily pass costs about one read of the open steps. ``StepLight.remaining_working_days`` is therefore the
    days left when the light was last set (``computed_on``); pages compute today's from the calendar.
    """
    today = today or clock.today()
    rules = rules or sla.load_rules()
    calendar = work_calendar(session)
    report = SweepReport(today=today)
    # on the connection, not the session: plain tuples, without the ORM's per-row processing
    rows: list[Any] = session.connection().execute(sa.select(*_OPEN_STEP_COLUMNS)
                           .join(Application, col(Application.id) == Step.application_id)
                           .join(Project, col(Project.id) == Application.project_id)
                           .outerjoin(StepLight, col(StepLight.step_id) == Step.id)
                           .where(col(Step.status).in_(OPEN))).all()  # type: ignore[assignment]
    escalated: dict[int, int] = dict(session.connection().execute(  # (step id, top level issued), open steps
        sa.select(col(Escalation.step_id), func.max(col(Escalation.level)))
        .join(Step, col(Step.id) == Escalation.step_id).where(col(Step.status).in_(OPEN))
        .group_by(col(Escalation.step_id))).all())
    rule_of = lru_cache(maxsize=None)(rules.rule_for)
    changed: list[_Change] = []
    yellow: list[tuple[int, int | None]] = []
    red: list[tuple[int, int, int]] = []  # (step id, from level, to level)
    for (step_id, application_id, department, key, kind, status, due_on, unit, limit, process_key, tier,
         was, red_since) in rows:
        rule = rule_of(process_key, key, tier)
        remaining = _days_left(calendar, due_on, unit, today)
        light = sla.light_for(rule, limit, remaining, _paused(status, kind))
        report.steps += 1
        report.lights[light] += 1
        report.by_department[(department, light)] = report.by_department.get((department, light), 0) + 1
        if light != was:
            changed.append(_Change(step_id, application_id, department, limit, light, remaining, was is not None))
            if light == "yellow":
                yellow.append((step_id, remaining))
        if light == "red" and kind == "human":
            since = red_since if was == "red" and red_since else today
            level = sla.escalation_level(rule, calendar.working_days_between(since, today))
            done = escalated.get(step_id, 0)
            if level > done:
                red.append((step_id, done, level))
    report.changed = _record_changes(session, changed, today)
    loaded = _preload(session, [step_id for step_id, _ in yellow] + [step_id for step_id, _, _ in red])
    contacts = _Recipients(session)
    messages = [_yellow_message(session, session.get_one(Step, step_id), remaining, contacts)
                for step_id, remaining in yellow]
    created = _insert_escalations(session, red, today, calendar, rule_of)
    messages += [_escalation_message(session, escalation, contacts) for escalation in created]
    report.escalations = [(e.step_id, e.level) for e in created]
    report.notified += notifications.notify_many(session, messages)
    del loaded
    report.notified += agency.remind_overdue_contacts(session, today)
    _forget_closed(session)
    _snapshot(session, report)
    session.flush()
    return report


def _snapshot(session: Session, report: SweepReport) -> None:
    """Today's counts per department and light, replacing an earlier sweep's of the same day."""
    session.execute(table_of(LightSnapshot).delete().where(col(LightSnapshot.day) == report.today))
    session.add_all(LightSnapshot(day=report.today, department=department, light=light, count=count)
                    for (department, light), count in sorted(report.by_department.items()))


@dataclass(frozen=True)
class _Change:
    """A light that is new (no row yet) or different from the stored one."""

    step_id: int
    application_id: int
    department: str
    limit: int
    light: str
    remaining: int | None
    stored: bool


def _record_changes(session: Session, changed: list[_Change], today: date) -> int:
    """Store the lights that are new or different: one multi-row INSERT and one batched UPDATE (the changed
    light restarts its since-dates); returns how many rows were written."""
    table = table_of(StepLight)
    new_rows = [{"step_id": c.step_id, "application_id": c.application_id, "department": c.department,
                 "light": c.light, "remaining_working_days": c.remaining, "limit_working_days": c.limit,
                 "computed_on": today, "changed_on": today,
                 "yellow_since": today if c.light == "yellow" else None,
                 "red_since": today if c.light == "red" else None} for c in changed if not c.stored]
    updates = [{"b_step_id": c.step_id, "b_light": c.light, "b_remaining": c.remaining,
                "b_yellow_since": today if c.light == "yellow" else None,
                "b_red_since": today if c.light == "red" else None} for c in changed if c.stored]
    if new_rows:
        session.execute(insert(table), new_rows)
    if updates:
        session.execute(update(table).where(table.c.step_id == sa.bindparam("b_step_id"))
                        .values(light=sa.bindparam("b_light"), remaining_working_days=sa.bindparam("b_remaining"),
                                computed_on=today, changed_on=today, yellow_since=sa.bindparam("b_yellow_since"),
                                red_since=sa.bindparam("b_red_since")), updates)
    return len(changed)


def _forget_closed(session: Session) -> None:
    """Lights of steps that closed since the last sweep are dropped (only open steps have a light)."""
    closed = select(Step.id).where(col(Step.status).not_in(OPEN))
    session.execute(table_of(StepLight).delete().where(col(StepLight.step_id).in_(closed)))


def _case_text(session: Session, step: Step) -> tuple[Application, str]:
    application = session.get_one(Application, step.application_id)
    project = session.get_one(Project, application.project_id)
    return application, f"{application.case_no}（{project.name}）的“{step.name}”"


class _Recipients:
    """Department contacts and supervisors, looked up once per sweep."""

    def __init__(self, session: Session):
        self.session = session
        self._departments: dict[str, list[User]] = {}
        self._agents: dict[tuple[int, int, str], list[User]] = {}
        self.supervisors = notifications.supervisors(session)

    def agents(self, application: Application) -> list:
        """The case's agents depend only on its enterprise, project and process (mandates cover those)."""
        key = (application.enterprise_id, application.project_id, application.process_key)
        if key not in self._agents:
            self._agents[key] = agency.agents_for(self.session, application)
        return self._agents[key]

    def department(self, name: str) -> list:
        if name not in self._departments:
            self._departments[name] = notifications.department_contacts(self.session, name)
        return self._departments[name]


def _preload(session: Session, step_ids: list[int]) -> list[Any]:
    """Load the steps about to be told about, with their cases and projects, in a few queries. The caller
    keeps the returned rows while it works: the identity map holds objects weakly, and only then does every
    ``session.get`` of them cost no query."""
    rows: list[Any] = []
    for start in range(0, len(step_ids), 5000):
        rows += session.execute(select(Step, Application, Project)
                                .join(Application, col(Application.id) == Step.application_id)
                                .join(Project, col(Project.id) == Application.project_id)
                                .where(col(Step.id).in_(step_ids[start:start + 5000]))).all()
    return rows


def _yellow_message(session: Session, step: Step, remaining: int | None,
                    contacts: _Recipients) -> notifications.Message:
    """A new yellow: the department contacts and the case's agents (代办 mandates, chief agent) are told."""
    application, case = _case_text(session, step)
    due = f"{step.due_on:%Y年%m月%d日}" if step.due_on else "—"
    return notifications.Message(
        users=tuple(contacts.department(step.department) + contacts.agents(application)), kind="light_yellow",
        title=f"【黄灯】{case}即将到期", body=f"{case}办结期限为{due}，剩余{remaining}个工作日（含今日）。请及时办理。",
        link=f"/applications/{application.id}", dedupe_key=f"yellow-{step.id}-{step.due_on}",
        application_id=application.id)


def _insert_escalations(session: Session, red: list[tuple[int, int, int]], today: date, calendar: WorkCalendar,
                        rule_of) -> list[Escalation]:
    """Insert each missing escalation level once (the unique row is the guard, also against a sweep running
    at the same time); returns the rows this sweep created."""
    rows: list[dict[str, Any]] = []
    for step_id, done, level in red:
        step = session.get_one(Step, step_id)
        application = session.get_one(Application, step.application_id)
        rule = rule_of(application.process_key, step.key, session.get_one(Project, application.project_id).tier)
        for lvl in range(done + 1, level + 1):
            reply_due = calendar.add_working_days(today, rule.reply_working_days).due if lvl == 1 else None
            rows.append({"step_id": step_id, "application_id": step.application_id, "level": lvl,
                         "issued_on": today, "reply_due_on": reply_due, "issued_at": clock.now()})
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    created: list[Escalation] = []
    if dialect not in ("sqlite", "postgresql"):  # any other database: a savepoint per row
        for row in rows:
            try:
                with session.begin_nested():
                    escalation = Escalation(**row)
                    session.add(escalation)
                    session.flush()
                created.append(escalation)
            except IntegrityError:
                pass
        return created
    insert_for = sqlite.insert if dialect == "sqlite" else postgresql.insert
    # one statement run for many rows (SQLAlchemy batches them into multi-row INSERTs, compiled once)
    stmt = (insert_for(table_of(Escalation)).on_conflict_do_nothing(index_elements=["step_id", "level"])
            .returning(table_of(Escalation).c.id))
    ids = [row[0] for row in session.execute(stmt, rows)]
    for start in range(0, len(ids), 5000):
        created += session.exec(select(Escalation).where(col(Escalation.id).in_(ids[start:start + 5000]))
                                .order_by(col(Escalation.id))).all()
    return created


def _escalation_message(session: Session, escalation: Escalation, contacts: _Recipients) -> notifications.Message:
    """Tell the department and the supervisors about a new escalation level."""
    step = session.get_one(Step, escalation.step_id)
    application, case = _case_text(session, step)
    level, reply_due = escalation.level, escalation.reply_due_on
    body = (f"{case}已超过办结期限（{step.due_on:%Y年%m月%d日}）。"
            + (f"请于{reply_due:%Y年%m月%d日}前书面回复办理情况。" if reply_due else "已提请上一级指挥部督办。"))
    return notifications.Message(
        users=tuple(contacts.department(step.department) + contacts.supervisors),
        kind="supervision_notice" if level == 1 else "escalation", title=f"【红灯·{sla.LEVEL_ZH[level]}】{case}已超期",
        body=body, link=f"/applications/{application.id}", dedupe_key=f"escalation-{step.id}-{level}",
        application_id=application.id)


def issue_pending_notices(session: Session, limit: int = 50) -> list[int]:
    """Issue the 督办通知 of escalations that have none yet (one document per escalation, once)."""
    pending = session.exec(select(Escalation).where(col(Escalation.document_id).is_(None))
                           .order_by(col(Escalation.id)).limit(limit)).all()
    issued = []
    for escalation in pending:
        application = session.get_one(Application, escalation.application_id)
        document = documents.issue(
            session, application, kind="supervision_notice", step_key=session.get_one(Step, escalation.step_id).key,
            issue_key=f"supervision-{escalation.step_id}-{escalation.level}",
            build_context=partial(notice_context, session, application, escalation))
        session.exec(update(Escalation).where(col(Escalation.id) == escalation.id,
                                              col(Escalation.document_id).is_(None))
                     .values(document_id=document.id).execution_options(synchronize_session=False))
        issued.append(stored_id(document))
    return issued


def notice_context(session: Session, application: Application, escalation: Escalation, number: str,
                   issued_at) -> dict[str, Any]:
    step = session.get_one(Step, escalation.step_id)
    assert step.due_on is not None, "only a step with a deadline is escalated"
    enterprise = session.get_one(Enterprise, application.enterprise_id)
    project = session.get_one(Project, application.project_id)
    calendar = work_calendar(session)
    earlier = session.exec(select(Escalation).where(Escalation.step_id == step.id, Escalation.level < escalation.level)
                           .order_by(col(Escalation.level))).all()
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
