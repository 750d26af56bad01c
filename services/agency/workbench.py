"""The agent's workbench (代办工作台): every open step of the agent's cases, most urgent first.

An agent's cases are those covered by the active mandates assigned to them and those of projects
where they are the chief agent (首席代办专员). Lights are computed here for today from the same
rules as the SLA sweep, so the workbench is right even before the next sweep has run. Each row
says who the case waits on (``services.cases.waiting``: a department, the enterprise's 补正, a
statutory period, the system) and what the agent should do next. Mandates still waiting for the
first contact (限时回复) are listed first.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from services.agency import service as agency
from services.calendar.schedules import work_calendar
from services.cases import waiting
from services.core import clock
from services.core.ids import stored_id
from services.models import Application, Enterprise, Mandate, MandateStatus, Project, Step, User
from services.supervision import sla_rules as sla
from services.supervision.service import OPEN, is_paused, remaining_days

LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2, "paused": 3}
#: a planned step waits on its predecessors (``waiting.waiting_on`` answers None for it)
PLANNED, PLANNED_ZH = "planned", "前序环节"


@dataclass
class WorkRow:
    """One open step on the workbench."""

    step: Step
    application: Application
    enterprise_name: str
    project_name: str
    light: str
    remaining: int | None
    waits_on: str  # a ``waiting.Party`` value, or "planned"
    waits_on_zh: str
    next_action: str


@dataclass
class ContactDue:
    """A mandate whose agent has not yet recorded the first contact with the enterprise (限时回复)."""

    mandate: Mandate
    enterprise: Enterprise
    overdue: bool


def cases_of(session: Session, agent: User) -> list[Application]:
    """The agent's cases: covered by their active mandates, or of projects they are chief agent of."""
    seen: dict[int, Application] = {}
    for mandate in session.exec(select(Mandate).where(Mandate.agent_id == agent.id,
                                                      Mandate.status == MandateStatus.active)):
        seen |= {stored_id(a): a for a in agency.covered_applications(session, mandate)}
    chief = select(Project.id).where(Project.chief_agent_id == agent.id)
    seen |= {stored_id(a): a for a in session.exec(select(Application).where(col(Application.project_id).in_(chief)))}
    return list(seen.values())


def rows_for(session: Session, agent: User, today: date | None = None) -> list[WorkRow]:
    """The open steps of the agent's cases, sorted red → yellow → green → paused, fewest days left first."""
    today = today or clock.today()
    rules, calendar = sla.load_rules(), work_calendar(session)
    applications = {stored_id(a): a for a in cases_of(session, agent)}
    if not applications:
        return []
    rows = []
    for step, enterprise_name, project in session.exec(
            select(Step, Enterprise.name, Project).join(Application, col(Application.id) == Step.application_id)
            .join(Enterprise, col(Enterprise.id) == Application.enterprise_id)
            .join(Project, col(Project.id) == Application.project_id)
            .where(col(Step.application_id).in_(applications), col(Step.status).in_(OPEN))):
        application = applications[step.application_id]
        remaining = remaining_days(calendar, step, today)
        rule = rules.rule_for(application.process_key, step.key, project.tier)
        light = sla.light_for(rule, step.sla_working_days, remaining, is_paused(step))
        waits = waiting.waiting_on(session, step)
        waits_on, waits_on_zh = (waits.party.value, waits.party_zh) if waits else (PLANNED, PLANNED_ZH)
        rows.append(WorkRow(step, application, enterprise_name, project.name, light, remaining, waits_on,
                            waits_on_zh, _next_action(step, waits, light)))
    return sorted(rows, key=lambda r: (LIGHT_ORDER[r.light], r.remaining if r.remaining is not None else 10**6,
                                       r.step.due_on or date.max, r.step.id))


def contacts_due(session: Session, agent: User, today: date | None = None) -> list[ContactDue]:
    today = today or clock.today()
    rows = session.exec(select(Mandate, Enterprise).join(Enterprise, col(Enterprise.id) == Mandate.enterprise_id)
                        .where(Mandate.agent_id == agent.id, Mandate.status == MandateStatus.active,
                               col(Mandate.contacted_at).is_(None))
                        .order_by(col(Mandate.contact_due_on), col(Mandate.id)))
    return [ContactDue(m, e, m.contact_due_on is not None and m.contact_due_on < today) for m, e in rows]


def _next_action(step: Step, waits: waiting.Waiting | None, light: str) -> str:
    if waits is None:
        return "待前序环节完成后开始，提前准备所需材料"
    if waits.party == waiting.Party.enterprise:
        if waits.paused:
            return "协助企业按一次性告知书准备补正材料，可代为上传并提交"
        return "协助企业完成本环节的办理"
    if waits.party == waiting.Party.statutory:
        return "法定期限届满后流程自动继续，提醒企业关注公示意见"
    if waits.party == waiting.Party.system:
        return "系统正在处理，稍后刷新"
    if light == "red":
        return f"已超期：协调{step.department}尽快办结，并报督办管理员"
    if light == "yellow":
        return f"临近期限：联系{step.department}承办人确认办理进度"
    return f"跟踪{step.department}审查进度"
