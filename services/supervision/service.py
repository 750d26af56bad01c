"""The SLA sweep (亮灯督办): lights for every open step, notifications on yellow, 督办 on red.

``sweep`` reads the open steps as plain rows, computes each light from the working-day calendar and
the configured thresholds (``services.supervision.sla_rules``), and writes only what changed. Everything it
sends is idempotent: an escalation is a row unique per (step, level) inserted before anything is
sent, and a notification is unique per (user, key); running the sweep twice, or two at once, never
escalates or notifies twice. The 督办通知 documents are issued afterwards by
``issue_pending_notices`` (rendering takes ~0.1 s each; the light pass must stay fast).
"""

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, partial
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.agency import service as agency
from services.calendar.schedules import work_calendar
from services.calendar.work_calendar import WorkCalendar
from services.cases import faults
from services.core import clock, db
from services.core.db import table_of
from services.core.formatting import format_date_zh
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
from services.standard_land import compliance
from services.supervision import notifications, replies
from services.supervision import sla_rules as sla

OPEN = (StepStatus.running, StepStatus.suspended)
log = logging.getLogger(__name__)


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
    overdue_replies: list[int] = field(default_factory=list)  # steps sent to 现场指挥部 for a reply not given
    compliance_planned: int = 0  # 对标验收 / 达产复核 checks newly scheduled (services.standard_land.compliance)


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
_OPEN_STEP_COLUMNS = (
    col(Step.id), col(Step.application_id), col(Step.department), col(Step.key), col(Step.kind),
    sa.type_coerce(col(Step.status), sa.String),  # the stored text: no StrEnum made per row (a StrEnum compares equal)
    col(Step.due_on), col(Step.sla_unit), col(Step.sla_working_days), col(Application.process_key), col(Project.tier))


_NOT_STORED: tuple[str | None, date | None] = (None, None)


def sweep(session: Session, today: date | None = None, rules: sla.SlaRules | None = None) -> SweepReport:
    """Recompute every open step's light; notify on a new yellow, escalate red steps once per level.

    The pass reads plain rows and writes only what changed: a light that is new or different (with the days
    left at that moment), a new escalation level. On an ordinary day that is a few rows out of 100,000, so the
    daily pass costs about one read of the open steps. ``StepLight.remaining_working_days`` is therefore the
    days left when the light was last set (``computed_on``); pages compute today's from the calendar.
    """
    with _gc_paused():
        return _sweep(session, today or clock.today(), rules or sla.load_rules())


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cycle collector paused while the sweep runs: the 100,000 rows it reads are as many new objects,
    and the collections they set off walk every object of the process (about 40 % of the sweep's Python time).
    The rows hold no cycles; whatever garbage does is collected once the collector is back."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _sweep(session: Session, today: date, rules: sla.SlaRules) -> SweepReport:
    calendar = work_calendar(session)
    report = SweepReport(today=today)
    # on the connection, not the session: plain tuples, without the ORM's per-row processing; ``all()``, not
    # iteration, which fetches row by row
    rows: list[Any] = session.connection().execute(sa.select(*_OPEN_STEP_COLUMNS)
                           .join(Application, col(Application.id) == Step.application_id)
                           .join(Project, col(Project.id) == Application.project_id)
                           .where(col(Step.status).in_(OPEN))).all()  # type: ignore[assignment]
    # the stored lights (open steps only) read apart, not joined: with stale statistics (after a bulk load, or
    # autovacuum off) PostgreSQL planned the join as 100,000 index look-ups, slower than one read of the table
    stored: dict[int, tuple[str | None, date | None]] = {
        step_id: (light, red_since) for step_id, light, red_since in session.connection().execute(
            sa.select(col(StepLight.step_id), col(StepLight.light), col(StepLight.red_since))).all()}
    escalated: dict[int, int] = dict(session.connection().execute(  # (step id, top level issued), open steps
        sa.select(col(Escalation.step_id), func.max(col(Escalation.level)))
        .join(Step, col(Step.id) == Escalation.step_id).where(col(Step.status).in_(OPEN))
        .group_by(col(Escalation.step_id))).all())
    # 100,000 steps share a few hundred deadlines and a few rules: each combination is assessed (rule, days left
    # on the calendar, light) once per sweep, and so is each first red day
    @cache
    def assess(process_key: str, key: str, tier: str, limit: int, due_on: date | None, unit: str, status: str,
               kind: str) -> tuple[sla.LightRule, int | None, str]:
        rule = rules.rule_for(process_key, key, tier)
        remaining = _days_left(calendar, due_on, unit, today)
        return rule, remaining, sla.light_for(rule, limit, remaining, _paused(status, kind))

    red_days = cache(partial(calendar.working_days_between, end=today))
    changed: list[_Change] = []
    yellow: list[tuple[int, int | None]] = []
    red: list[_Red] = []
    for step_id, application_id, department, key, kind, status, due_on, unit, limit, process_key, tier in rows:
        was, red_since = stored.get(step_id, _NOT_STORED)
        rule, remaining, light = assess(process_key, key, tier, limit, due_on, unit, status, kind)
        report.steps += 1
        report.lights[light] += 1
        report.by_department[(department, light)] = report.by_department.get((department, light), 0) + 1
        if light != was:
            changed.append(_Change(step_id, application_id, department, limit, light, remaining, was is not None))
            if light == "yellow":
                yellow.append((step_id, remaining))
        if light == "red" and kind == "human":
            since = red_since if was == "red" and red_since else today
            level = sla.escalation_level(rule, red_days(since))
            done = escalated.get(step_id, 0)
            if level > done:
                red.append(_Red(step_id, application_id, rule.reply_working_days, done, level))
    report.changed = _record_changes(session, changed, today)
    cases = _cases(session, [step_id for step_id, _ in yellow] + [r.step_id for r in red])
    contacts = _Recipients(session)
    messages = [_yellow_message(cases[step_id], remaining, contacts) for step_id, remaining in yellow]
    created = _insert_escalations(session, red, today, calendar)
    messages += [_escalation_message(cases[step_id], level, reply_due, contacts)
                 for step_id, level, reply_due in created]
    report.escalations = [(step_id, level) for step_id, level, _ in created]
    report.notified += notifications.notify_many(session, messages)
    report.notified += agency.remind_overdue_contacts(session, today)
    report.overdue_replies = replies.escalate_overdue_replies(session, today)
    report.compliance_planned, reminded = compliance.sweep_checks(session, today)
    report.notified += reminded
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


class _Red(NamedTuple):
    """A red department step due escalation levels ``done`` + 1 … ``level``."""

    step_id: int
    application_id: int
    reply_working_days: int
    done: int
    level: int


def _record_changes(session: Session, changed: list[_Change], today: date) -> int:
    """Store the lights that are new or different: one multi-row INSERT, and an UPDATE per new light and days
    left (a handful: the changed light restarts its since-dates); returns how many rows were written."""
    table = table_of(StepLight)
    new_rows = [{"step_id": c.step_id, "application_id": c.application_id, "department": c.department,
                 "light": c.light, "remaining_working_days": c.remaining, "limit_working_days": c.limit,
                 "computed_on": today, "changed_on": today,
                 "yellow_since": today if c.light == "yellow" else None,
                 "red_since": today if c.light == "red" else None} for c in changed if not c.stored]
    if new_rows:
        session.execute(insert(table), new_rows)
    updates: dict[tuple[str, int | None], list[int]] = {}
    for c in changed:
        if c.stored:
            updates.setdefault((c.light, c.remaining), []).append(c.step_id)
    for (light, remaining), step_ids in updates.items():
        session.execute(update(table).where(table.c.step_id.in_(_literal_ids(step_ids)))
                        .values(light=light, remaining_working_days=remaining, computed_on=today, changed_on=today,
                                yellow_since=today if light == "yellow" else None,
                                red_since=today if light == "red" else None))
    return len(changed)


def _literal_ids(ids: list[int]) -> sa.BindParameter:
    """Ids for ``IN``, written into the SQL as numbers: thousands of placeholders cost more to convert than the
    statement costs to run."""
    return sa.bindparam("ids", ids, expanding=True, literal_execute=True)


def _forget_closed(session: Session) -> None:
    """Lights of steps that closed since the last sweep are dropped (only open steps have a light)."""
    closed = select(Step.id).where(col(Step.status).not_in(OPEN))
    session.execute(table_of(StepLight).delete().where(col(StepLight.step_id).in_(closed)))


class _Case(NamedTuple):
    """What a message about a step says and whom it goes to, read as plain columns."""

    step_id: int
    name: str
    department: str
    due_on: date | None
    application_id: int
    case_no: str
    enterprise_id: int
    project_id: int
    process_key: str
    project_name: str

    @property
    def text(self) -> str:
        return f"{self.case_no}（{self.project_name}）的“{self.name}”"


def _cases(session: Session, step_ids: list[int]) -> dict[int, _Case]:
    """The steps about to be told about, with their cases and projects, in a query per 5,000 steps."""
    columns = (Step.id, Step.name, Step.department, Step.due_on, Application.id, Application.case_no,
               Application.enterprise_id, Application.project_id, Application.process_key, Project.name)
    cases: dict[int, _Case] = {}
    for start in range(0, len(step_ids), 5000):
        rows = session.connection().execute(
            sa.select(*(col(c) for c in columns)).join(Application, col(Application.id) == Step.application_id)
            .join(Project, col(Project.id) == Application.project_id)
            .where(col(Step.id).in_(_literal_ids(step_ids[start:start + 5000])))).all()
        cases.update((case.step_id, case) for case in map(_Case._make, rows))
    return cases


class _Recipients:
    """Department contacts and supervisors, looked up once per sweep."""

    def __init__(self, session: Session):
        self.session = session
        self._departments: dict[str, list[User]] = {}
        self._agents: dict[tuple[int, int, str], list[User]] = {}
        self.supervisors = notifications.supervisors(session)

    def agents(self, case: _Case) -> list:
        """The case's agents depend only on its enterprise, project and process (mandates cover those)."""
        key = (case.enterprise_id, case.project_id, case.process_key)
        if key not in self._agents:
            self._agents[key] = agency.agents_for(self.session, self.session.get_one(Application, case.application_id))
        return self._agents[key]

    def department(self, name: str) -> list:
        if name not in self._departments:
            self._departments[name] = notifications.department_contacts(self.session, name)
        return self._departments[name]


def _yellow_message(case: _Case, remaining: int | None, contacts: _Recipients) -> notifications.Message:
    """A new yellow: the department contacts and the case's agents (代办 mandates, chief agent) are told."""
    due = format_date_zh(case.due_on) if case.due_on else "—"
    return notifications.Message(
        users=tuple(contacts.department(case.department) + contacts.agents(case)), kind="light_yellow",
        title=f"【黄灯】{case.text}即将到期",
        body=f"{case.text}办结期限为{due}，剩余{remaining}个工作日（含今日）。请及时办理。",
        link=f"/applications/{case.application_id}", dedupe_key=f"yellow-{case.step_id}-{case.due_on}",
        application_id=case.application_id)


def _insert_escalations(session: Session, red: list[_Red], today: date,
                        calendar: WorkCalendar) -> list[tuple[int, int, date | None]]:
    """Insert each missing escalation level once (the unique row is the guard, also against a sweep running
    at the same time); returns (step id, level, reply due) of the rows this sweep created."""
    reply_due = cache(lambda days: calendar.add_working_days(today, days).due)
    now = clock.now()
    rows: list[dict[str, Any]] = [
        {"step_id": r.step_id, "application_id": r.application_id, "level": level, "issued_on": today,
         "reply_due_on": reply_due(r.reply_working_days) if level == 1 else None, "issued_at": now}
        for r in red for level in range(r.done + 1, r.level + 1)]
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):  # any other database: a savepoint per row
        created: list[tuple[int, int, date | None]] = []
        for row in rows:
            try:
                with session.begin_nested():
                    session.add(Escalation(**row))
                    session.flush()
                created.append((row["step_id"], row["level"], row["reply_due_on"]))
            except IntegrityError:
                pass
        return created
    table = table_of(Escalation)
    return [(step_id, level, due) for step_id, level, due in db.insert_new_rows(
        session, table, rows, ["step_id", "level"], [table.c.step_id, table.c.level, table.c.reply_due_on])]


def _escalation_message(case: _Case, level: int, reply_due: date | None,
                        contacts: _Recipients) -> notifications.Message:
    """Tell the department and the supervisors about a new escalation level."""
    body = (f"{case.text}已超过办结期限（{format_date_zh(case.due_on) if case.due_on else '—'}）。"
            + (f"请于{format_date_zh(reply_due)}前书面回复办理情况。" if reply_due else "已提请上一级指挥部督办。"))
    return notifications.Message(
        users=tuple(contacts.department(case.department) + contacts.supervisors),
        kind="supervision_notice" if level == 1 else "escalation",
        title=f"【红灯·{sla.LEVEL_ZH[level]}】{case.text}已超期", body=body,
        link=f"/applications/{case.application_id}", dedupe_key=f"escalation-{case.step_id}-{level}",
        application_id=case.application_id)


def issue_pending_notices(session: Session, limit: int = 50) -> list[int]:
    """Issue the 督办通知 of escalations that have none yet (one document per escalation, once)."""
    pending = session.exec(select(Escalation).where(col(Escalation.document_id).is_(None))
                           .order_by(col(Escalation.id)).limit(limit)).all()
    issued = []
    for escalation in pending:
        application = session.get_one(Application, escalation.application_id)
        try:
            with session.begin_nested():  # one notice that cannot be issued must not hold back the others
                document = documents.issue(
                    session, application, kind="supervision_notice",
                    step_key=session.get_one(Step, escalation.step_id).key,
                    issue_key=f"supervision-{escalation.step_id}-{escalation.level}",
                    build_context=partial(notice_context, session, application, escalation))
        except Exception as error:  # recorded for supervisors (系统异常) and tried again by the next sweep
            log.exception("督办通知 of escalation %s could not be issued", escalation.id)
            faults.record(session, escalation.application_id, "notice_failed",
                          f"{sla.LEVEL_ZH[escalation.level]}未能出具：{error}", step_id=escalation.step_id)
            continue
        faults.close(session, escalation.application_id, "notice_failed")
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
