"""代办 (agency service): mandates from signing to 办结, agent assignment, and who may act for whom.

An enterprise signs a 代办委托 online for one project, some or all items of the published catalogue
and a period; the 代办服务委托书 is issued at once. A supervisor assigns an agent (the one with the
least open work is suggested); the agent must contact the enterprise within the configured working
days (限时回复). While the mandate is active and in its period, the agent acts on behalf of the
enterprise on the delegated items (submitting a case, answering 补正); the audit log records both.
A mandate is extended (续办), terminated (终止) or completed (办结), each with its document.

Glossary: 委托方 (the enterprise), 受托方 (the agency service centre), 首席代办专员 (chief agent of
a key project, 重点项目), 回交 (results handed back to the enterprise).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, Field
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.calendar.schedules import work_calendar
from services.cases.processes import known_process_keys
from services.core import audit, clock, text
from services.core.access import Action, Resource, allowed
from services.core.errors import DomainError
from services.core.formatting import format_date_zh, with_role
from services.core.ids import Id, stored_id
from services.core.settings import get_settings
from services.documents import issue as documents
from services.models import (
    AgencyItem,
    AgencyMode,
    Application,
    Document,
    Enterprise,
    Mandate,
    MandateEvent,
    MandateStatus,
    Project,
    ProjectTier,
    Role,
    Step,
    StepStatus,
    User,
)
from services.supervision import notifications

OPEN_STEPS = (StepStatus.running, StepStatus.suspended)
MAX_PERIOD_DAYS = 3 * 366
MAX_NOTE = 500  # mandate.end_reason and mandate_event.note: a 续办/终止 reason, a contact note


class MandateError(DomainError):
    """A mandate request that cannot be done, with a Chinese message for the named form field."""

    def __init__(self, field: str, message: str, errors: dict[str, str] | None = None):
        super().__init__(message, field=field, errors=errors)


# ---------------------------------------------------------------------------------------- catalogue

class AgencyItemInput(BaseModel):
    """One catalogue row as a supervisor edits it (代办事项目录清单)."""

    code: Annotated[str, text.Checked(16)]
    name: Annotated[str, text.Checked(64)]
    stage: Annotated[str, text.Checked(16)]
    department: Annotated[str, text.Checked(64)]
    limit_text: Annotated[str, text.Checked(64, min_length=0)] = ""
    mode: AgencyMode = AgencyMode.full
    processes: list[Annotated[str, text.Checked(64)]] = []
    position: int = Field(default=0, ge=0, le=9999)
    active: bool = True


def catalogue(session: Session, *, active_only: bool = True) -> list[AgencyItem]:
    stmt = select(AgencyItem).order_by(col(AgencyItem.position), col(AgencyItem.code))
    if active_only:
        stmt = stmt.where(AgencyItem.active)
    return list(session.exec(stmt))


def save_item(session: Session, user: User, data: AgencyItemInput, item_id: int | None = None) -> AgencyItem:
    """Add or change a catalogue row (supervisors only); codes are unique, processes must exist."""
    if not allowed(user, Resource.agency_catalogue, Action.write):
        raise MandateError("code", "只有督办管理员可以维护代办事项目录")
    unknown = [key for key in data.processes if key not in known_process_keys()]
    if unknown:
        raise MandateError("processes", "未知的办理流程：" + "、".join(unknown))
    clash = session.exec(select(AgencyItem).where(AgencyItem.code == data.code.strip())).first()
    if clash and clash.id != item_id:
        raise MandateError("code", f"事项编码{data.code}已被“{clash.name}”使用")
    item = session.get(AgencyItem, item_id) if item_id else AgencyItem(code=data.code, updated_at=clock.now(),
                                                                        name="", stage="", department="")
    if item is None:
        raise MandateError("code", "该代办事项不存在")
    before = item.model_dump(mode="json") if item_id else None
    for name, value in data.model_dump().items():
        setattr(item, name, value.strip() if isinstance(value, str) else value)
    item.updated_at = clock.now()
    session.add(item)
    session.flush()
    audit.record(session, "agency_item.saved", actor=user, entity="agency_item", entity_id=stored_id(item),
                 detail={"before": before, "after": item.model_dump(mode="json")})
    return item


def items_of(session: Session, mandate: Mandate) -> list[AgencyItem]:
    """The items a mandate delegates (all active ones when it delegates the whole catalogue)."""
    if mandate.all_items:
        return catalogue(session)
    rows = {item.code: item for item in session.exec(select(AgencyItem)
                                                     .where(col(AgencyItem.code).in_(mandate.item_codes)))}
    return [rows[code] for code in mandate.item_codes if code in rows]


def covers_process(session: Session, mandate: Mandate, process_key: str) -> bool:
    return any(process_key in item.processes for item in items_of(session, mandate))


# ------------------------------------------------------------------------------------------ signing

class MandateInput(BaseModel):
    """What the enterprise fills in to sign a 代办委托书 online."""

    project_id: Id | None = None
    project_name: Annotated[str, text.Checked(128, min_length=0)] = ""
    all_items: bool = False
    item_codes: list[Annotated[str, text.Checked(16)]] = []
    valid_from: date
    valid_until: date
    signed_by_name: Annotated[str, text.Checked(64, min_length=0)]
    agree: bool = False


def sign(session: Session, user: User, data: MandateInput, idempotency_key: str) -> tuple[Mandate, bool]:
    """Store the mandate and issue its 委托书 in one transaction; the same key returns the same mandate."""
    try:
        text.check_key(idempotency_key)
    except text.TextError as error:
        raise MandateError("idempotency_key", error.message) from None
    existing = _by_key(session, user, idempotency_key)
    if existing:
        return existing, False
    enterprise, project_name = _check_signing(session, user, data)
    now = clock.now()
    mandate = Mandate(
        enterprise_id=stored_id(enterprise), project_id=data.project_id, project_name=project_name,
        all_items=data.all_items, item_codes=[] if data.all_items else list(dict.fromkeys(data.item_codes)),
        valid_from=data.valid_from, valid_until=data.valid_until, signed_by_id=stored_id(user),
        signed_by_name=data.signed_by_name.strip(), signed_at=now, idempotency_key=idempotency_key)
    try:
        with session.begin_nested():  # all or nothing, also on SQLite where the savepoint may be the transaction
            session.add(mandate)
            session.flush()
            _record_signing(session, user, enterprise, mandate)
    except IntegrityError:
        existing = _by_key(session, user, idempotency_key)
        if existing is None:
            raise
        return existing, False
    return mandate, True


def _record_signing(session: Session, user: User, enterprise: Enterprise, mandate: Mandate) -> None:
    """The 委托书, the history row, the audit and the supervisors' notice of a new mandate."""
    letter = documents.issue_for_mandate(session, stored_id(mandate), kind="mandate_letter", issue_key="letter",
                                         build_context=lambda number, at: letter_context(session, mandate, number, at))
    mandate.number = letter.number
    session.add(mandate)
    _event(session, mandate, "signed", user, note=f"{mandate.signed_by_name}在线签署", document=letter)
    audit.record(session, "mandate.signed", actor=user, entity="mandate", entity_id=stored_id(mandate),
                 on_behalf_of_enterprise_id=enterprise.id,
                 detail={"number": mandate.number, "items": mandate.item_codes, "all_items": mandate.all_items,
                         "valid_from": str(mandate.valid_from), "valid_until": str(mandate.valid_until)})
    suggestion = suggest_agent(session)
    hint = f"建议指派：{suggestion.agent.display_name}（在办{suggestion.open_work}件）。" if suggestion else ""
    notifications.notify(
        session, notifications.supervisors(session), kind="mandate_new",
        title=f"【新代办委托】{enterprise.name}·{mandate.project_name}",
        body=f"{enterprise.name}于{format_date_zh(mandate.signed_at)}签署代办委托（{mandate.number}），请指派代办专员。{hint}",
        link=f"/mandates/{mandate.id}", dedupe_key=f"mandate-new-{mandate.id}")


def _by_key(session: Session, user: User, key: str) -> Mandate | None:
    return session.exec(select(Mandate).where(Mandate.signed_by_id == user.id,
                                              Mandate.idempotency_key == key)).first()


def _check_signing(session: Session, user: User, data: MandateInput) -> tuple[Enterprise, str]:
    """Every problem of the form at once (field → Chinese message); the first one is the error's own."""
    if user.role != Role.enterprise or not user.enterprise_id:
        raise MandateError("project_name", "只有企业账户可以签署代办委托书")
    enterprise = session.get_one(Enterprise, user.enterprise_id)
    errors: dict[str, str] = {}
    project_name = data.project_name.strip()
    if data.project_id is not None:
        project = session.get(Project, data.project_id)
        if project is None or project.enterprise_id != enterprise.id:
            errors["project_id"] = "所选项目不存在或不属于本企业"
        else:
            project_name = project.name
    elif not project_name:
        errors["project_name"] = "请选择已有项目或填写委托代办的项目名称"
    if not data.all_items:
        unknown = [code for code in data.item_codes if code not in {item.code for item in catalogue(session)}]
        if not data.item_codes:
            errors["item_codes"] = "请至少选择一项代办事项，或选择“全部事项”"
        elif unknown:
            errors["item_codes"] = "以下事项不在代办事项目录清单中：" + "、".join(unknown)
    if data.valid_from < clock.today():
        errors["valid_from"] = "委托期限的起始日期不能早于今天"
    if data.valid_until < data.valid_from:
        errors["valid_until"] = "委托期限的截止日期不能早于起始日期"
    elif data.valid_until > data.valid_from + timedelta(days=MAX_PERIOD_DAYS):
        errors["valid_until"] = "委托期限最长三年，期满可续办"
    if not data.signed_by_name.strip():
        errors["signed_by_name"] = "请填写签署人姓名"
    if not data.agree:
        errors["agree"] = "请阅读并同意委托书条款后再签署"
    if project_name and "project_id" not in errors:
        clash = session.exec(select(Mandate).where(Mandate.enterprise_id == enterprise.id,
                                                   Mandate.project_name == project_name,
                                                   Mandate.status == MandateStatus.active)).first()
        if clash:
            errors["project_name"] = (f"该项目已有代办中的委托（{clash.number}），"
                                      "如需调整事项请先终止原委托，期限不足请续办")
    if errors:
        field, message = next(iter(errors.items()))
        raise MandateError(field, message, errors)
    return enterprise, project_name


# ----------------------------------------------------------------------------------- assignment

@dataclass
class AgentLoad:
    """An agent's open work: active mandates, open steps of their cases, and how many are yellow/red."""

    agent: User
    mandates: int = 0
    open_steps: int = 0
    yellow: int = 0
    red: int = 0
    contacts_due: int = 0
    chief_of: int = 0

    @property
    def open_work(self) -> int:
        return self.mandates + self.open_steps


def agents(session: Session) -> list[User]:
    return list(session.exec(select(User).where(User.role == Role.agent, User.is_active).order_by(col(User.id))))


def workloads(session: Session, today: date | None = None) -> list[AgentLoad]:
    """Every active agent's open work, for the suggestion and the statistics chart."""
    from services.models import StepLight

    today = today or clock.today()
    loads = {agent.id: AgentLoad(agent) for agent in agents(session)}
    for mandate in session.exec(select(Mandate).where(Mandate.status == MandateStatus.active,
                                                      col(Mandate.agent_id).is_not(None))):
        load = loads.get(mandate.agent_id)
        if load is None:
            continue
        load.mandates += 1
        if mandate.contacted_at is None:
            load.contacts_due += 1
        for application in covered_applications(session, mandate):
            for _step, light in session.exec(
                    select(Step, StepLight.light).outerjoin(StepLight, col(StepLight.step_id) == Step.id)
                    .where(Step.application_id == application.id, col(Step.status).in_(OPEN_STEPS))):
                load.open_steps += 1
                load.yellow += light == "yellow"
                load.red += light == "red"
    for agent_id, count in session.exec(select(Project.chief_agent_id, func.count()).where(
            col(Project.chief_agent_id).is_not(None)).group_by(col(Project.chief_agent_id))):
        if agent_id in loads:
            loads[agent_id].chief_of = count
    return list(loads.values())


def suggest_agent(session: Session) -> AgentLoad | None:
    """The agent with the least open work (ties: fewest mandates, then the longest-serving account)."""
    loads = workloads(session)
    return min(loads, key=lambda load: (load.open_work, load.mandates, load.agent.id)) if loads else None


def assign(session: Session, user: User, mandate: Mandate, agent_id: int) -> Mandate:
    """A supervisor assigns (or re-assigns) the agent; the 限时回复 clock starts today."""
    if user.role != Role.supervisor:
        raise MandateError("agent_id", "只有督办管理员可以指派代办专员")
    _require_active(mandate, "agent_id")
    agent = session.get(User, agent_id)
    if agent is None or agent.role != Role.agent or not agent.is_active:
        raise MandateError("agent_id", "请选择一名在岗的代办专员")
    if mandate.agent_id == agent.id:
        return mandate
    calendar = work_calendar(session)
    now = clock.now()
    previous = mandate.agent_id
    mandate.agent_id, mandate.assigned_at, mandate.contacted_at = agent.id, now, None
    mandate.contact_due_on = calendar.add_working_days(now.date(), get_settings().agent_reply_working_days).due
    session.add(mandate)
    _event(session, mandate, "assigned", user, note=f"指派{with_role('代办专员', agent.display_name)}",
           detail={"agent_id": agent.id, "previous_agent_id": previous})
    enterprise = session.get_one(Enterprise, mandate.enterprise_id)
    audit.record(session, "mandate.assigned", actor=user, entity="mandate", entity_id=stored_id(mandate),
                 on_behalf_of_enterprise_id=enterprise.id, detail={"agent": agent.username, "previous": previous})
    notifications.notify(
        session, [agent], kind="mandate_assigned", title=f"【新代办任务】{enterprise.name}·{mandate.project_name}",
        body=(f"您被指派为{enterprise.name}“{mandate.project_name}”的代办专员（委托书{mandate.number}）。"
              f"请于{format_date_zh(mandate.contact_due_on)}前联系企业联系人{enterprise.contact_name}"
              f"（{enterprise.contact_phone}）。"),
        link=f"/mandates/{mandate.id}", dedupe_key=f"mandate-assigned-{mandate.id}-{agent.id}-{now:%Y%m%d%H%M%S}")
    return mandate


def record_contact(session: Session, user: User, mandate: Mandate, note: str) -> Mandate:
    """The agent records the first contact with the enterprise (限时回复)."""
    if mandate.agent_id != user.id:
        raise MandateError("note", "只有本委托的代办专员可以登记联系情况")
    _require_active(mandate, "note")
    note = _clean(note, "note", "联系情况", "请写明联系方式和沟通内容（至少4个字）")
    now = clock.now()
    first = mandate.contacted_at is None
    if first:
        mandate.contacted_at = now
        session.add(mandate)
    late = first and mandate.contact_due_on is not None and now.date() > mandate.contact_due_on
    _event(session, mandate, "contacted", user, note=note, detail={"first": first, "late": late})
    audit.record(session, "mandate.contacted", actor=user, entity="mandate", entity_id=stored_id(mandate),
                 on_behalf_of_enterprise_id=mandate.enterprise_id, detail={"first": first, "late": late})
    return mandate


def set_project_tier(session: Session, user: User, project: Project, tier: str,
                     chief_agent_id: int | None) -> Project:
    """A supervisor marks a key project (重点项目) and names its chief agent (首席代办专员)."""
    if user.role != Role.supervisor:
        raise MandateError("tier", "只有督办管理员可以设置项目等级和首席代办专员")
    if tier not in ProjectTier.__members__:
        raise MandateError("tier", "项目等级只能是一般项目或重点项目")
    if chief_agent_id is not None:
        agent = session.get(User, chief_agent_id)
        if agent is None or agent.role != Role.agent or not agent.is_active:
            raise MandateError("chief_agent_id", "首席代办专员须是一名在岗的代办专员")
    if tier == ProjectTier.key and chief_agent_id is None:
        raise MandateError("chief_agent_id", "重点项目须指定首席代办专员")
    before = {"tier": project.tier, "chief_agent_id": project.chief_agent_id}
    project.tier, project.chief_agent_id = tier, chief_agent_id
    session.add(project)
    audit.record(session, "project.tier_set", actor=user, entity="project", entity_id=stored_id(project),
                 on_behalf_of_enterprise_id=project.enterprise_id,
                 detail={"before": before, "after": {"tier": tier, "chief_agent_id": chief_agent_id}})
    return project


# ------------------------------------------------------------------------ extend / terminate / complete

def extend(session: Session, user: User, mandate: Mandate, new_until: date, reason: str) -> Document:
    """续办: a later end date, with the 续办委托书 (the enterprise or a supervisor)."""
    _may_change(session, user, mandate, "valid_until")
    if new_until <= mandate.valid_until:
        raise MandateError("valid_until", f"续办后的截止日期须晚于原截止日期{format_date_zh(mandate.valid_until)}")
    if new_until > clock.today() + timedelta(days=MAX_PERIOD_DAYS):
        raise MandateError("valid_until", "续办期限自今日起最长三年")
    reason = _clean(reason, "reason", "续办理由", "请写明续办理由（至少4个字）")
    previous = mandate.valid_until
    key = f"continuation-{new_until:%Y%m%d}"
    document = documents.issue_for_mandate(
        session, stored_id(mandate), kind="mandate_continuation", issue_key=key,
        build_context=lambda number, at: continuation_context(session, mandate, number, at, previous, new_until,
                                                              reason))
    mandate.valid_until = new_until
    session.add(mandate)
    _event(session, mandate, "extended", user, note=reason, document=document,
           detail={"from": str(previous), "to": str(new_until)})
    audit.record(session, "mandate.extended", actor=user, entity="mandate", entity_id=stored_id(mandate),
                 on_behalf_of_enterprise_id=mandate.enterprise_id, detail={"from": str(previous), "to": str(new_until)})
    return document


def terminate(session: Session, user: User, mandate: Mandate, reason: str) -> Document:
    """终止: either party ends the mandate early; the 终止单 lists each case's state at that moment."""
    _may_change(session, user, mandate, "reason")
    reason = _clean(reason, "reason", "终止理由", "请写明终止理由（至少4个字）")
    _claim_end(session, mandate, MandateStatus.terminated, reason, "reason")
    by = "委托方" if user.role == Role.enterprise else "受托方"
    document = documents.issue_for_mandate(
        session, stored_id(mandate), kind="mandate_termination", issue_key="termination",
        build_context=lambda number, at: termination_context(session, mandate, number, at, by, reason))
    _event(session, mandate, "terminated", user, note=reason, document=document)
    audit.record(session, "mandate.terminated", actor=user, entity="mandate", entity_id=stored_id(mandate),
                 on_behalf_of_enterprise_id=mandate.enterprise_id, detail={"by": by, "reason": reason})
    _tell_parties(session, mandate, user, "终止", reason)
    return document


def complete(session: Session, user: User, mandate: Mandate) -> Document:
    """办结: every case under the mandate is finished; the 办结单 lists the results handed back."""
    if user.role not in (Role.supervisor, Role.agent) or (user.role == Role.agent and mandate.agent_id != user.id):
        raise MandateError("status", "只有本委托的代办专员或督办管理员可以办结")
    _require_active(mandate, "status")
    cases = covered_applications(session, mandate)
    if not cases:
        raise MandateError("status", "该委托下还没有办理中的案件，不能办结；如不再需要代办，请办理终止")
    open_cases = [a.case_no for a in cases if _has_open_steps(session, a)]
    if open_cases:
        raise MandateError("status", "以下案件尚未办结：" + "、".join(open_cases))
    _claim_end(session, mandate, MandateStatus.completed, "", "status")
    document = documents.issue_for_mandate(
        session, stored_id(mandate), kind="mandate_completion", issue_key="completion",
        build_context=lambda number, at: completion_context(session, mandate, number, at))
    _event(session, mandate, "completed", user, document=document)
    audit.record(session, "mandate.completed", actor=user, entity="mandate", entity_id=stored_id(mandate),
                 on_behalf_of_enterprise_id=mandate.enterprise_id, detail={"cases": [a.case_no for a in cases]})
    _tell_parties(session, mandate, user, "办结", "")
    return document


def _clean(value: str, field: str, label: str, too_short: str) -> str:
    """A reason or note as typed: one line, at least 4 characters, at most what its column holds."""
    try:
        return text.clean(value, label=label, max_length=MAX_NOTE, min_length=4, short_message=too_short)
    except text.TextError as error:
        raise MandateError(field, error.message) from None


def _claim_end(session: Session, mandate: Mandate, status: MandateStatus, reason: str, field: str) -> None:
    """A guarded update, so two people ending the same mandate at once issue one document."""
    result = session.exec(update(Mandate).where(col(Mandate.id) == mandate.id,
                                                col(Mandate.status) == MandateStatus.active)
                          .values(status=status, ended_on=clock.today(), end_reason=reason[:500])
                          .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise MandateError(field, "该委托已终止或办结")
    session.refresh(mandate)


def _may_change(session: Session, user: User, mandate: Mandate, field: str) -> None:
    own = user.role == Role.enterprise and user.enterprise_id == mandate.enterprise_id
    if not (own or user.role == Role.supervisor):
        raise MandateError(field, "只有委托企业或督办管理员可以续办或终止委托")
    _require_active(mandate, field)


def _require_active(mandate: Mandate, field: str) -> None:
    if mandate.status != MandateStatus.active:
        raise MandateError(field, f"该委托{mandate.status.label_zh}，不能再操作")


def _tell_parties(session: Session, mandate: Mandate, user: User, what: str, reason: str) -> None:
    people = [u for u in [session.get(User, mandate.agent_id) if mandate.agent_id else None,
                          *session.exec(select(User).where(User.enterprise_id == mandate.enterprise_id,
                                                           User.is_active))] if u and u.id != user.id]
    notifications.notify(session, people, kind="mandate_ended", title=f"【代办{what}】{mandate.project_name}",
                         body=f"代办委托{mandate.number}已{what}。" + (f"理由：{reason}" if reason else ""),
                         link=f"/mandates/{mandate.id}", dedupe_key=f"mandate-end-{mandate.id}")


def _event(session: Session, mandate: Mandate, kind: str, user: User | None, *, note: str = "",
           document: Document | None = None, detail: dict | None = None) -> None:
    session.add(MandateEvent(mandate_id=stored_id(mandate), kind=kind, at=clock.now(),
                             actor_id=user.id if user else None, note=note,
                             document_id=document.id if document else None, detail=detail or {}))


# -------------------------------------------------------------------------------- cases and acting

def _project_matches(mandate: Mandate, project: Project) -> bool:
    """A mandate linked to a project covers that project only (another project of the same name is another
    project); one that only names its project (no case linked it yet) covers the project of that name."""
    if mandate.project_id is not None:
        return mandate.project_id == project.id
    return project.name == mandate.project_name


def in_period(mandate: Mandate, on: date) -> bool:
    return mandate.status == MandateStatus.active and mandate.valid_from <= on <= mandate.valid_until


def covered_applications(session: Session, mandate: Mandate) -> list[Application]:
    """The cases of the mandate's project whose process is one of its delegated items."""
    processes = {key for item in items_of(session, mandate) for key in item.processes}
    rows = session.exec(select(Application, Project).join(Project, col(Project.id) == Application.project_id)
                        .where(Application.enterprise_id == mandate.enterprise_id,
                               col(Application.process_key).in_(processes)).order_by(col(Application.id)))
    return [application for application, project in rows if _project_matches(mandate, project)]


def mandates_covering(session: Session, application: Application, on: date | None = None) -> list[Mandate]:
    """Active, in-period mandates that delegate this case's item for its project."""
    on = on or clock.today()
    project = session.get_one(Project, application.project_id)
    rows = session.exec(select(Mandate).where(Mandate.enterprise_id == application.enterprise_id,
                                              Mandate.status == MandateStatus.active))
    return [m for m in rows if in_period(m, on) and _project_matches(m, project)
            and covers_process(session, m, application.process_key)]


def agents_for(session: Session, application: Application) -> list[User]:
    """Who is told about the case as its agent: the mandates' agents and the project's chief agent."""
    ids = [m.agent_id for m in mandates_covering(session, application) if m.agent_id]
    chief = session.get_one(Project, application.project_id).chief_agent_id
    ids += [chief] if chief else []
    return [user for user in (session.get(User, i) for i in dict.fromkeys(ids)) if user and user.is_active]


def acting_mandate(session: Session, user: User, application: Application) -> Mandate | None:
    """The mandate under which ``user`` (an agent) may act for the enterprise on this case, if any."""
    if user.role != Role.agent:
        return None
    return next((m for m in mandates_covering(session, application) if m.agent_id == user.id), None)


def may_act_for(session: Session, user: User, application: Application) -> bool:
    """The applicant's own clerk, or its agent under a mandate delegating this case's item."""
    if user.role == Role.enterprise:
        return user.enterprise_id == application.enterprise_id
    return acting_mandate(session, user, application) is not None


def mandate_for_new_case(session: Session, user: User, enterprise_id: int, project_name: str,
                         process_key: str) -> Mandate | None:
    """The mandate under which an agent may open a new case of ``process_key`` for the enterprise."""
    today = clock.today()
    rows = session.exec(select(Mandate).where(Mandate.agent_id == user.id, Mandate.enterprise_id == enterprise_id,
                                              Mandate.status == MandateStatus.active))
    for mandate in rows:
        if in_period(mandate, today) and covers_process(session, mandate, process_key) and (
                mandate.project_id is None and mandate.project_name == project_name or mandate.project_id is not None
                and session.get_one(Project, mandate.project_id).name == project_name):
            return mandate
    return None


def agent_mandates(session: Session, user: User) -> list[Mandate]:
    """The active mandates assigned to an agent (for choosing the enterprise on a form)."""
    today = clock.today()
    rows = session.exec(select(Mandate).where(Mandate.agent_id == user.id, Mandate.status == MandateStatus.active)
                        .order_by(col(Mandate.id)))
    return [m for m in rows if in_period(m, today)]


def link_project(session: Session, application: Application) -> None:
    """The first case of a mandate's named project links the mandate to the project."""
    project = session.get_one(Project, application.project_id)
    for mandate in session.exec(select(Mandate).where(Mandate.enterprise_id == application.enterprise_id,
                                                      col(Mandate.project_id).is_(None),
                                                      Mandate.project_name == project.name)):
        mandate.project_id = project.id
        session.add(mandate)


def _has_open_steps(session: Session, application: Application) -> bool:
    return session.exec(select(func.count()).select_from(Step).where(
        Step.application_id == application.id, col(Step.status).in_(OPEN_STEPS + (StepStatus.planned,)))).one() > 0


# -------------------------------------------------------------------------------- 限时回复 overdue

def overdue_contacts(session: Session, today: date) -> list[Mandate]:
    """Assigned mandates whose agent has not contacted the enterprise by the 限时回复 date."""
    return list(session.exec(select(Mandate).where(Mandate.status == MandateStatus.active,
                                                   col(Mandate.agent_id).is_not(None),
                                                   col(Mandate.contacted_at).is_(None),
                                                   col(Mandate.contact_due_on) < today).order_by(col(Mandate.id))))


def remind_overdue_contacts(session: Session, today: date) -> int:
    """Tell the agent and the supervisors once per mandate and agent that the first contact is late."""
    sent = 0
    for mandate in overdue_contacts(session, today):
        agent = session.get_one(User, mandate.agent_id)
        enterprise = session.get_one(Enterprise, mandate.enterprise_id)
        sent += len(notifications.notify(
            session, [agent, *notifications.supervisors(session)], kind="mandate_contact_late",
            title=f"【限时回复超时】{enterprise.name}·{mandate.project_name}",
            body=(f"{with_role('代办专员', agent.display_name)}应于{format_date_zh(mandate.contact_due_on or today)}"
                  f"前联系{enterprise.name}（委托书{mandate.number}），至今未登记联系。"),  # due: the query asks for it
            link=f"/mandates/{mandate.id}",
            dedupe_key=f"contact-late-{mandate.id}-{agent.id}-{mandate.assigned_at:%Y%m%d%H%M%S}"))
    return sent


# ------------------------------------------------------------------------------------ documents

def _common(session: Session, mandate: Mandate, number: str, issued_at: datetime) -> dict:
    settings = get_settings()
    enterprise = session.get_one(Enterprise, mandate.enterprise_id)
    agent = session.get(User, mandate.agent_id) if mandate.agent_id else None
    return {
        "number": number, "issuer": settings.agency_name, "issued_on": issued_at.date(),
        "enterprise_name": enterprise.name, "uscc": enterprise.uscc,
        "legal_representative": enterprise.legal_representative, "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone, "project_name": mandate.project_name,
        "agency": settings.agency_name, "agent_name": agent.display_name if agent else "",
        "agent_phone": (agent.phone or "") if agent else "",
        "items": [{"code": i.code, "name": i.name, "department": i.department, "mode": i.mode.label_zh}
                  for i in items_of(session, mandate)],
        "all_items": mandate.all_items, "valid_from": mandate.valid_from, "valid_until": mandate.valid_until,
    }


def letter_context(session: Session, mandate: Mandate, number: str, issued_at: datetime) -> dict:
    return _common(session, mandate, number, issued_at) | {
        "signed_at": mandate.signed_at, "signed_by": mandate.signed_by_name,
        "reply_working_days": get_settings().agent_reply_working_days}


def continuation_context(session: Session, mandate: Mandate, number: str, issued_at: datetime, previous: date,
                         new_until: date, reason: str) -> dict:
    return _common(session, mandate, number, issued_at) | {
        "original_number": mandate.number, "previous_until": previous, "valid_until": new_until, "reason": reason}


def _case_rows(session: Session, mandate: Mandate) -> list[dict]:
    return [{"case_no": a.case_no, "title": a.title, "status_zh": a.status.label_for(a.process_key),
             "finished_on": None if _has_open_steps(session, a) else _finished_on(session, a)}
            for a in covered_applications(session, mandate)]


def _finished_on(session: Session, application: Application) -> date | None:
    last = session.exec(select(func.max(Step.finished_at)).where(Step.application_id == application.id)).one()
    return last.date() if last else None


def termination_context(session: Session, mandate: Mandate, number: str, issued_at: datetime, by: str,
                        reason: str) -> dict:
    cases = [{k: v for k, v in row.items() if k != "finished_on"} for row in _case_rows(session, mandate)]
    return _common(session, mandate, number, issued_at) | {
        "original_number": mandate.number, "terminated_on": mandate.ended_on, "terminated_by": by,
        "reason": reason, "cases": cases}


def completion_context(session: Session, mandate: Mandate, number: str, issued_at: datetime) -> dict:
    ids = [a.id for a in covered_applications(session, mandate)]
    results = session.exec(select(Document).where(col(Document.application_id).in_(ids))
                           .order_by(col(Document.issued_at), col(Document.id))).all()
    return _common(session, mandate, number, issued_at) | {
        "original_number": mandate.number, "completed_on": mandate.ended_on, "cases": _case_rows(session, mandate),
        "results": [{"title": d.title, "number": d.number} for d in results]}
