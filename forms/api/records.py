"""JSON API v1 for integrators (政务服务网, 工改系统): projects with their cases, 代办 mandates, the lights of open
steps, 督办 escalations and one's own messages — each list from the caller's visibility (``services.core.visibility``),
newest first, 200 a page with ``X-Total-Count``."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field
from sqlmodel import col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from forms.api.v1 import DocumentOut
from forms.deps import ESCALATION_READERS_ONLY, ApiUser, SessionDep, api_permission, permit
from forms.params import Id
from services.cases.project_labels import labels
from services.core import visibility
from services.core.access import Action, Resource, allowed
from services.core.clock import ChinaDateTime
from services.core.ids import stored_id
from services.models import (
    Application,
    Document,
    Enterprise,
    Escalation,
    EscalationReply,
    Mandate,
    Notification,
    Parcel,
    Project,
    Step,
    StepLight,
    StepStatus,
    User,
)
from services.supervision import notifications, replies

router = APIRouter(prefix="/api/v1")
PAGE = 200
Page = Annotated[int, Query(ge=1, le=99_999, description="page of 200, newest first")]


class NextStepRef(BaseModel):
    """The open step a case waits on first (soonest due), with its light."""

    id: int
    key: str
    name: str
    department: str
    due_on: date | None
    light: Literal["green", "yellow", "red", "paused"] | None


class CaseRef(BaseModel):
    id: int
    case_no: str
    process: str
    status: str
    next_step: NextStepRef | None = None
    documents: list[DocumentOut] = Field(default_factory=list, description="issued for the case, oldest first")


class ProjectOut(BaseModel):
    """A 投资项目 with every item the caller may read (一窗): cases with next step and documents, mandates."""

    id: int
    code: str = Field(description="项目编号, e.g. XM-000042")
    label: str = Field(description="name with parcel and first case number, as in every project dropdown")
    name: str
    enterprise_id: int
    enterprise_name: str
    uscc: str
    industry_code: str
    parcel_number: str | None
    tier: str
    chief_agent_id: int | None
    cases: list[CaseRef]
    mandates: list["MandateOut"] = Field(default_factory=list,
                                         description="代办委托 of the project (empty for roles that read no mandates)")


class MandateOut(BaseModel):
    id: int
    number: str
    enterprise_id: int
    project_id: int | None
    project_name: str
    all_items: bool
    item_codes: list[str]
    valid_from: date
    valid_until: date
    status: str
    agent_id: int | None
    contact_due_on: date | None
    contacted_at: ChinaDateTime | None
    signed_at: ChinaDateTime


class LightOut(BaseModel):
    application_id: int
    case_no: str
    step_id: int
    step_key: str
    step_name: str
    department: str
    light: Literal["green", "yellow", "red", "paused"]
    remaining_working_days: int | None
    due_on: date | None


class ReplyOut(BaseModel):
    """A department's written reply to a 督办通知 and the supervisor's verdict on it."""

    id: int
    round: int
    department: str
    reason: str
    measures: str
    promised_on: date
    filed_by_id: int
    filed_at: ChinaDateTime
    verdict: Literal["pending", "accepted", "rejected"]
    verdict_reason: str
    decided_at: ChinaDateTime | None


class EscalationOut(BaseModel):
    id: int
    application_id: int
    case_no: str
    step_id: int
    level: int
    issued_on: date
    reply_due_on: date | None
    document_id: int | None
    state: Literal["reply", "verdict", "closed", "none"] = Field(
        description="what it waits for: the department's written reply, a supervisor's verdict, nothing more "
                    "(a reply accepted), or none asked (指挥部 levels)")
    replies: list[ReplyOut]


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    link: str
    application_id: int | None
    created_at: ChinaDateTime
    read_at: ChinaDateTime | None


def _page(session, response: Response, stmt: SelectOfScalar, page: int) -> list:
    response.headers["X-Total-Count"] = str(session.exec(select(func.count()).select_from(
        stmt.order_by(None).subquery())).one())
    return list(session.exec(stmt.offset((page - 1) * PAGE).limit(PAGE)))


@router.get("/projects", response_model=list[ProjectOut], tags=["projects"])
def list_projects(session: SessionDep, user: ApiUser, response: Response, page: Page = 1):
    """投资项目 the caller may read, with the ids of their cases."""
    rows = _page(session, response, visibility.readable_projects(user).order_by(col(Project.id).desc()), page)
    return _projects_out(session, user, rows)


@router.get("/projects/{project_id}", response_model=ProjectOut, tags=["projects"],
            responses={404: {"description": "no such project, or not one the caller may read"}})
def read_project(session: SessionDep, user: ApiUser, project_id: Id):
    project = session.exec(visibility.readable_projects(user).where(Project.id == project_id)).first()
    if project is None:
        raise HTTPException(status_code=404, detail="未找到该项目，或您无权查看")
    return _projects_out(session, user, [project])[0]


@router.get("/mandates", response_model=list[MandateOut], tags=["mandates"],
            responses={403: {"description": "a role that reads no mandates (部门审查员)"}})
def list_mandates(session: SessionDep, user: ApiUser, response: Response, page: Page = 1):
    """代办委托 the caller may read (its enterprise's, the agent's own; supervisors all; reviewers none: 403)."""
    permit(user, Resource.mandate, Action.read, "代办委托由委托企业、受托的代办专员和督办管理员查看。")
    return [_mandate_out(m) for m in _page(session, response, visibility.readable_mandates(user).order_by(
        col(Mandate.id).desc()), page)]


@router.get("/mandates/{mandate_id}", response_model=MandateOut, tags=["mandates"],
            responses={404: {"description": "no such mandate, or not one the caller may read"}})
def read_mandate(session: SessionDep, user: ApiUser, mandate_id: Id):
    mandate = visibility.get_readable_mandate(session, user, mandate_id)
    if mandate is None:
        raise HTTPException(status_code=404, detail="未找到该代办委托，或您无权查看")
    return _mandate_out(mandate)


@router.get("/lights", response_model=list[LightOut], tags=["supervision"])
def list_lights(session: SessionDep, user: ApiUser, response: Response, page: Page = 1,
                light: Annotated[Literal["", "green", "yellow", "red", "paused"], Query()] = ""):
    """亮灯: the light of every open step of the cases the caller may read, reddest and soonest due first."""
    cases = visibility.readable_applications(user).with_only_columns(col(Application.id))
    stmt = (select(StepLight, Step, Application.case_no).join(Step, col(Step.id) == StepLight.step_id)
            .join(Application, col(Application.id) == StepLight.application_id)
            .where(col(StepLight.application_id).in_(cases)))
    if light:
        stmt = stmt.where(StepLight.light == light)
    response.headers["X-Total-Count"] = str(session.exec(select(func.count()).select_from(stmt.subquery())).one())
    order = {"red": 0, "yellow": 1, "green": 2, "paused": 3}
    rows = session.exec(stmt.order_by(col(Step.due_on), col(Step.id)).offset((page - 1) * PAGE).limit(PAGE)).all()
    out = [LightOut(application_id=s.application_id, case_no=case_no, step_id=stored_id(s), step_key=s.key,
                    step_name=s.name, department=s.department, light=lit.light,  # type: ignore[arg-type]
                    remaining_working_days=lit.remaining_working_days, due_on=s.due_on) for lit, s, case_no in rows]
    return sorted(out, key=lambda row: order[row.light])


@router.get("/escalations", response_model=list[EscalationOut], tags=["supervision"])
def list_escalations(session: SessionDep, user: ApiUser, response: Response, page: Page = 1):
    """督办: escalations of red steps of the cases the caller may read, newest first."""
    cases = visibility.readable_applications(user).with_only_columns(col(Application.id))
    stmt = (select(Escalation, Application.case_no).join(Application, col(Application.id) == Escalation.application_id)
            .where(col(Escalation.application_id).in_(cases)))
    response.headers["X-Total-Count"] = str(session.exec(select(func.count()).select_from(stmt.subquery())).one())
    rows = session.exec(stmt.order_by(col(Escalation.id).desc()).offset((page - 1) * PAGE).limit(PAGE)).all()
    answered = replies.replies_by_escalation(session, [stored_id(e) for e, _ in rows])
    return [_escalation_out(session, e, case_no, answered.get(stored_id(e), [])) for e, case_no in rows]


@router.get("/escalations/{escalation_id}", response_model=EscalationOut, tags=["supervision"], responses={
    403: {"description": "a role that reads no 督办 (企业)"},
    404: {"description": "no such escalation, or not of a case the caller may read"}})
def read_escalation(session: SessionDep, user: ApiUser, escalation_id: Id):
    """One 督办 with its written replies (the step's department, supervisors and the case's agents)."""
    permit(user, Resource.escalation, Action.read, ESCALATION_READERS_ONLY)
    escalation, case_no = _readable_escalation(session, user, escalation_id)
    return _escalation_out(session, escalation, case_no)


@router.post("/escalations/{escalation_id}/replies", response_model=ReplyOut, status_code=201, tags=["supervision"],
             responses={403: {"description": "not a reviewer of the step's department"},
                        404: {"description": "no such escalation, or not of a case the caller may read"},
                        409: {"description": "a reply already waits for its verdict, or one was accepted, or this "
                                            "level asks for none: {detail, errors}"},
                        422: {"description": "{detail, errors: {field: 中文}}: a field, or a date before today"}})
def file_escalation_reply(session: SessionDep, escalation_id: Id, body: replies.ReplyInput,
                          user: User = api_permission(Resource.escalation, Action.write,
                                                      "只有被督办部门的审查人员可以书面回复督办通知")):
    """书面回复: why the step is late, what was done, when it will be done (a reviewer of the step's department;
    one reply waits for its verdict at a time: 409 while it does)."""
    escalation, _ = _readable_escalation(session, user, escalation_id)
    reply = replies.file_reply(session, user, escalation, body)
    session.commit()
    return _reply_out(reply)


@router.post("/escalations/{escalation_id}/replies/{reply_id}/verdict", response_model=ReplyOut,
             tags=["supervision"], responses={
                 403: {"description": "not a supervisor (督办管理员)"},
                 404: {"description": "no such escalation or reply, or not of a case the caller may read"},
                 409: {"description": "the reply was judged already: {detail, errors}"},
                 422: {"description": "{detail, errors: {field: 中文}}: a rejection without its reason"}})
def judge_escalation_reply(session: SessionDep, escalation_id: Id, reply_id: Id, body: replies.VerdictInput,
                           user: User = api_permission(Resource.escalation, Action.decide,
                                                       "只有督办管理员可以审核督办回复")):
    """Accept a pending reply, or reject it with a reason (the department then replies again within 3 working
    days); a reply already judged answers 409."""
    escalation, _ = _readable_escalation(session, user, escalation_id)
    reply = session.get(EscalationReply, reply_id)
    if reply is None or reply.escalation_id != escalation.id:
        raise HTTPException(status_code=404, detail="未找到该书面回复")
    replies.judge(session, user, reply, body)
    session.commit()
    return _reply_out(reply)


def _readable_escalation(session, user: User, escalation_id: int) -> tuple[Escalation, str]:
    found = replies.readable_escalation(session, user, escalation_id)
    if found is None:
        raise HTTPException(status_code=404, detail="未找到该督办通知，或您无权查看")
    return found[0], found[1].case_no


def _escalation_out(session, e: Escalation, case_no: str, written: list[EscalationReply] | None = None
                    ) -> EscalationOut:
    written = replies.replies_of(session, stored_id(e)) if written is None else written
    return EscalationOut(id=stored_id(e), application_id=e.application_id, case_no=case_no, step_id=e.step_id,
                         level=e.level, issued_on=e.issued_on, reply_due_on=e.reply_due_on,
                         document_id=e.document_id, state=replies.state_of(e, written),  # type: ignore[arg-type]
                         replies=[_reply_out(r) for r in written])


def _reply_out(r: EscalationReply) -> ReplyOut:
    return ReplyOut(id=stored_id(r), round=r.round, department=r.department, reason=r.reason, measures=r.measures,
                    promised_on=r.promised_on, filed_by_id=r.filed_by_id, filed_at=r.filed_at,
                    verdict=r.verdict,  # type: ignore[arg-type]
                    verdict_reason=r.verdict_reason, decided_at=r.decided_at)


@router.get("/notifications", response_model=list[NotificationOut], tags=["notifications"])
def list_notifications(session: SessionDep, user: ApiUser, response: Response, page: Page = 1,
                       unread: Annotated[bool, Query(description="only those not yet read")] = False):
    """The caller's own messages (站内信), newest first."""
    stmt = select(Notification).where(Notification.user_id == user.id)
    if unread:
        stmt = stmt.where(col(Notification.read_at).is_(None))
    rows = _page(session, response, stmt.order_by(col(Notification.id).desc()), page)
    return [NotificationOut(id=stored_id(n), kind=n.kind, title=n.title, body=n.body, link=n.link,
                            application_id=n.application_id, created_at=n.created_at, read_at=n.read_at)
            for n in rows]


@router.post("/notifications/{notification_id}/read", status_code=204, tags=["notifications"],
             responses={404: {"description": "no such message of the caller"}})
def read_notification(session: SessionDep, user: ApiUser, notification_id: Id):
    """Mark one of the caller's messages read (again: nothing changes)."""
    if notifications.mark_read(session, user, notification_id) is None:
        raise HTTPException(status_code=404, detail="未找到该消息")
    session.commit()
    return Response(status_code=204)


def _projects_out(session, user: User, projects: list[Project]) -> list[ProjectOut]:
    """The projects with their readable items; a fixed number of queries for the whole page."""
    if not projects:
        return []
    ids = [stored_id(p) for p in projects]
    enterprises = {stored_id(e): e for e in session.exec(select(Enterprise).where(
        col(Enterprise.id).in_({p.enterprise_id for p in projects})))}
    parcels = {stored_id(p): p.number for p in session.exec(select(Parcel).where(
        col(Parcel.id).in_({p.parcel_id for p in projects if p.parcel_id})))}
    readable_cases = list(session.exec(visibility.readable_applications(user).where(
        col(Application.project_id).in_(ids)).order_by(col(Application.id))))
    case_ids = [stored_id(a) for a in readable_cases]
    next_steps = _next_steps(session, case_ids)
    documents: dict[int, list[DocumentOut]] = {}
    for document in session.exec(select(Document).where(col(Document.application_id).in_(case_ids))
                                 .order_by(col(Document.issued_at), col(Document.id))):
        documents.setdefault(document.application_id or 0, []).append(DocumentOut.of(document))
    cases: dict[int, list[CaseRef]] = {}
    for a in readable_cases:
        cases.setdefault(a.project_id, []).append(CaseRef(
            id=stored_id(a), case_no=a.case_no, process=a.process_key, status=a.status,
            next_step=next_steps.get(stored_id(a)), documents=documents.get(stored_id(a), [])))
    mandates: dict[int, list[MandateOut]] = {}
    if allowed(user, Resource.mandate, Action.read):
        for m in session.exec(visibility.readable_mandates(user).where(col(Mandate.project_id).in_(ids))
                              .order_by(col(Mandate.id))):
            mandates.setdefault(m.project_id or 0, []).append(_mandate_out(m))
    named = labels(session, projects)
    return [ProjectOut(id=stored_id(p), code=p.code, label=named[stored_id(p)], name=p.name,
                       enterprise_id=p.enterprise_id, enterprise_name=enterprises[p.enterprise_id].name,
                       uscc=enterprises[p.enterprise_id].uscc, industry_code=p.industry_code,
                       parcel_number=parcels.get(p.parcel_id or -1), tier=p.tier, chief_agent_id=p.chief_agent_id,
                       cases=cases.get(stored_id(p), []), mandates=mandates.get(stored_id(p), []))
            for p in projects]


def _next_steps(session, case_ids: list[int]) -> dict[int, NextStepRef]:
    """Case id → its open step due soonest (as on the project page), with the step's light."""
    open_steps: dict[int, list[Step]] = {}
    for step in session.exec(select(Step).where(col(Step.application_id).in_(case_ids),
                                                Step.status == StepStatus.running)):
        open_steps.setdefault(step.application_id, []).append(step)
    chosen = {case_id: min(steps, key=lambda s: (s.due_on is None, s.due_on, s.sequence))
              for case_id, steps in open_steps.items()}
    lights = {light.step_id: light.light for light in session.exec(select(StepLight).where(
        col(StepLight.step_id).in_([stored_id(s) for s in chosen.values()])))}
    return {case_id: NextStepRef(id=stored_id(s), key=s.key, name=s.name, department=s.department, due_on=s.due_on,
                                 light=lights.get(stored_id(s)))
            for case_id, s in chosen.items()}


def _mandate_out(m: Mandate) -> MandateOut:
    return MandateOut(id=stored_id(m), number=m.number, enterprise_id=m.enterprise_id, project_id=m.project_id,
                      project_name=m.project_name, all_items=m.all_items, item_codes=m.item_codes,
                      valid_from=m.valid_from, valid_until=m.valid_until, status=m.status, agent_id=m.agent_id,
                      contact_due_on=m.contact_due_on, contacted_at=m.contacted_at, signed_at=m.signed_at)
