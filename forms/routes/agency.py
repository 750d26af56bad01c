"""代办 pages: the published catalogue, mandates (sign, assign, contact, 续办/终止/办结) and the workbench.

Who may do what is decided in ``services.agency.service``; these handlers turn form fields into its inputs,
show its Chinese errors next to the field (status 422, nothing written), and commit before they
redirect. Enterprises see their own mandates; staff see all.
"""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session, col, select

from forms.deps import PageUser, SessionDep, permit
from forms.errors import field_errors
from forms.params import Id
from forms.security import verify_csrf
from forms.web import page, posted_form, posted_lists
from services.agency import service as agency
from services.agency import workbench
from services.cases import project_labels
from services.cases.processes import known_process_keys
from services.core import clock, visibility
from services.core.access import Action, Reach, Resource, reach
from services.core.ids import parse_id, stored_id
from services.models import (
    AgencyItem,
    AgencyMode,
    Document,
    Enterprise,
    Mandate,
    MandateEvent,
    Project,
    ProjectTier,
    Role,
    User,
)

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
Form = Annotated[dict[str, str], Depends(posted_form)]
Lists = Annotated[dict[str, list[str]], Depends(posted_lists)]
EVENT_ZH = {"signed": "签署委托", "assigned": "指派代办专员", "contacted": "联系企业", "extended": "续办",
            "terminated": "终止", "completed": "办结"}


# --------------------------------------------------------------------------------------- catalogue

@router.get("/agency/catalogue")
def catalogue_page(request: Request, session: SessionDep, user: PageUser, saved: str = ""):
    """The published 代办事项目录清单: everyone signed in may read it; supervisors maintain it."""
    items = agency.catalogue(session, active_only=user.role != Role.supervisor)
    return page(request, "agency_catalogue.html", user=user, items=items, saved=saved[:16],
                can_edit=user.role == Role.supervisor)


@router.get("/agency/catalogue/new")
def new_item(request: Request, user: PageUser):
    _supervisor(user)
    return _item_form(request, user, None, {"mode": "full", "active": "1"}, {})


@router.get("/agency/catalogue/{item_id}")
def edit_item(request: Request, session: SessionDep, user: PageUser, item_id: Id):
    _supervisor(user)
    item = session.get(AgencyItem, item_id) or _not_found("该代办事项不存在")
    values = item.model_dump() | {"processes": item.processes, "active": "1" if item.active else ""}
    return _item_form(request, user, item, values, {})


@router.post("/agency/catalogue/{item_id}", dependencies=[Csrf])
@router.post("/agency/catalogue/new", dependencies=[Csrf])  # the inner decorator registers first: /new before /{id}
def save_item(request: Request, session: SessionDep, user: PageUser, posted: Lists, item_id: Id | None = None):
    _supervisor(user)
    item = session.get(AgencyItem, item_id) if item_id else None
    if item_id and item is None:
        _not_found("该代办事项不存在")
    values = {k: v[-1] for k, v in posted.items()} | {"processes": posted.get("processes", [])}
    try:
        data = agency.AgencyItemInput.model_validate(
            {k: v for k, v in values.items() if k != "active"} | {"active": bool(values.get("active"))})
        saved = agency.save_item(session, user, data, item_id)
    except ValidationError as error:
        return _item_form(request, user, item, values, field_errors(error, ITEM_LABELS), status_code=422)
    except agency.MandateError as error:
        session.rollback()
        return _item_form(request, user, item, values, {error.field: error.message}, status_code=422)
    session.commit()
    return RedirectResponse(f"/agency/catalogue?saved={saved.code}", status_code=303)


ITEM_LABELS = {"code": "事项编码", "name": "事项名称", "stage": "办理阶段", "department": "审批部门",
               "limit_text": "办理时限", "mode": "代办方式", "position": "排序"}


def _item_form(request, user, item, values, errors, status_code=200):
    return page(request, "agency_item_form.html", status_code=status_code, user=user, item=item, values=values,
                errors=errors, modes=AgencyMode, processes=sorted(known_process_keys()))


# ---------------------------------------------------------------------------------------- mandates

@router.get("/mandates")
def mandates_page(request: Request, session: SessionDep, user: PageUser):
    permit(user, Resource.mandate, Action.read, "代办委托由委托企业、受托的代办专员和督办管理员查看。")
    rows = session.exec(visibility.readable_mandates(user).order_by(col(Mandate.id).desc()).limit(300)).all()
    enterprises = {e.id: e for e in session.exec(select(Enterprise).where(
        col(Enterprise.id).in_({m.enterprise_id for m in rows})))} if rows else {}
    people = _users(session, {m.agent_id for m in rows if m.agent_id})
    return page(request, "mandates.html", user=user, rows=rows, enterprises=enterprises, people=people,
                today=clock.today())


@router.get("/mandates/new")
def new_mandate(request: Request, session: SessionDep, user: PageUser, project_id: Id | None = None):
    """``?project_id=`` (from the project's page, 一窗) chooses one of the enterprise's projects."""
    _enterprise(user)
    today = clock.today()
    enterprise = session.get(Enterprise, user.enterprise_id)
    values = {"signed_by_name": enterprise.contact_name if enterprise else "", "valid_from": today.isoformat(),
              "valid_until": today.replace(year=today.year + 1).isoformat()
              if not (today.month == 2 and today.day == 29) else date(today.year + 1, 2, 28).isoformat()}
    project = session.get(Project, project_id) if project_id else None
    if project is not None and project.enterprise_id == user.enterprise_id:
        values["project_id"] = str(project.id)
    return _mandate_form(request, session, user, values, [], {})


@router.post("/mandates/new", dependencies=[Csrf])
def sign_mandate(request: Request, session: SessionDep, user: PageUser, posted: Lists):
    _enterprise(user)
    values = {k: v[-1] for k, v in posted.items()}
    codes = posted.get("item_codes", [])
    key = values.pop("idempotency_key", "") or str(uuid.uuid4())
    fields = {k: v for k, v in values.items() if v.strip()} | {
        "item_codes": codes, "all_items": values.get("scope") == "all", "agree": bool(values.get("agree"))}
    if fields.get("project_id") == "new":
        fields.pop("project_id")
    try:
        data = agency.MandateInput.model_validate(fields)
        mandate, _ = agency.sign(session, user, data, key)
    except ValidationError as error:
        return _mandate_form(request, session, user, values, codes, field_errors(error, MANDATE_LABELS), key)
    except agency.MandateError as error:
        session.rollback()
        return _mandate_form(request, session, user, values, codes, error.errors, key)
    session.commit()
    return RedirectResponse(f"/mandates/{mandate.id}", status_code=303)


MANDATE_LABELS = {"project_id": "委托项目", "project_name": "项目名称", "item_codes": "代办事项",
                  "valid_from": "委托起始日期", "valid_until": "委托截止日期", "signed_by_name": "签署人"}


def _mandate_form(request, session, user, values, codes, errors, key=None):
    projects = session.exec(select(Project).where(Project.enterprise_id == user.enterprise_id)
                            .order_by(Project.id.desc())).all()
    return page(request, "mandate_form.html", status_code=422 if errors else 200, user=user, values=values,
                codes=set(codes), errors=errors, idempotency_key=key or str(uuid.uuid4()),
                items=agency.catalogue(session), projects=projects,
                project_labels=project_labels.labels(session, projects))


@router.get("/mandates/{mandate_id}")
def mandate_page(request: Request, session: SessionDep, user: PageUser, mandate_id: Id):
    return _mandate_view(request, session, user, _readable(session, user, mandate_id))


def _mandate_view(request: Request, session: Session, user: User, mandate: Mandate, errors: dict | None = None,
                  values: dict | None = None, status_code: int = 200):
    """The mandate page; after a refused action, with the message by its field (422)."""
    enterprise = session.get(Enterprise, mandate.enterprise_id)
    events = session.exec(select(MandateEvent).where(MandateEvent.mandate_id == mandate.id)
                          .order_by(col(MandateEvent.at), col(MandateEvent.id))).all()
    documents = session.exec(select(Document).where(Document.mandate_id == mandate.id)
                             .order_by(col(Document.issued_at), col(Document.id))).all()
    people = _users(session, {i for i in (*(e.actor_id for e in events), mandate.agent_id) if i})
    project = session.get(Project, mandate.project_id) if mandate.project_id else None
    staff = user.role.is_staff
    loads = sorted(agency.workloads(session), key=lambda load: (load.open_work, load.agent.id)) \
        if user.role == Role.supervisor else []
    return page(request, "mandate.html", status_code=status_code, user=user, mandate=mandate, enterprise=enterprise,
                events=events, documents=documents, people=people, project=project,
                items=agency.items_of(session, mandate), cases=agency.covered_applications(session, mandate),
                loads=loads, suggestion=loads[0] if loads else None, event_zh=EVENT_ZH, staff=staff,
                errors=errors or {}, values=values or {}, tiers=ProjectTier, today=clock.today(),
                can_apply=(user.role == Role.agent and mandate.agent_id == user.id
                           and agency.in_period(mandate, clock.today())),
                covers_standard_land=agency.covers_process(session, mandate, "standard_land"),
                covers_eia=agency.covers_process(session, mandate, "eia_commitment"),
                covers_land_to_start=agency.covers_process(session, mandate, "land_to_start"),
                chief=session.get(User, project.chief_agent_id) if project and project.chief_agent_id else None)


def _act(request: Request, session: Session, user: User, mandate_id: int, values: dict, action) -> object:
    """Run one mandate action; on a refusal re-render the mandate page with the message by its field."""
    mandate = _readable(session, user, mandate_id)
    try:
        action(mandate)
    except agency.MandateError as error:
        session.rollback()
        return _mandate_view(request, session, user, _readable(session, user, mandate_id),
                             errors={error.field: error.message}, values=values, status_code=422)
    session.commit()
    return RedirectResponse(f"/mandates/{mandate_id}", status_code=303)


@router.post("/mandates/{mandate_id}/assign", dependencies=[Csrf])
def assign(request: Request, session: SessionDep, user: PageUser, mandate_id: Id, values: Form):
    return _act(request, session, user, mandate_id, values, lambda m: agency.assign(
        session, user, m, parse_id(values.get("agent_id")) or -1))


@router.post("/mandates/{mandate_id}/contact", dependencies=[Csrf])
def contact(request: Request, session: SessionDep, user: PageUser, mandate_id: Id, values: Form):
    return _act(request, session, user, mandate_id, values,
                lambda m: agency.record_contact(session, user, m, values.get("note", "")))


@router.post("/mandates/{mandate_id}/extend", dependencies=[Csrf])
def extend(request: Request, session: SessionDep, user: PageUser, mandate_id: Id, values: Form):
    def run(mandate):
        try:
            until = date.fromisoformat(values.get("valid_until", "").strip())
        except ValueError:
            raise agency.MandateError("valid_until", "请填写续办后的截止日期（年-月-日）") from None
        agency.extend(session, user, mandate, until, values.get("reason", ""))
    return _act(request, session, user, mandate_id, values, run)


@router.post("/mandates/{mandate_id}/terminate", dependencies=[Csrf])
def terminate(request: Request, session: SessionDep, user: PageUser, mandate_id: Id, values: Form):
    return _act(request, session, user, mandate_id, values,
                lambda m: agency.terminate(session, user, m, values.get("reason", "")))


@router.post("/mandates/{mandate_id}/complete", dependencies=[Csrf])
def complete(request: Request, session: SessionDep, user: PageUser, mandate_id: Id, values: Form):
    return _act(request, session, user, mandate_id, values, lambda m: agency.complete(session, user, m))


@router.post("/mandates/{mandate_id}/project-tier", dependencies=[Csrf])
def project_tier(request: Request, session: SessionDep, user: PageUser, mandate_id: Id, values: Form):
    def run(mandate):
        if mandate.project_id is None:
            raise agency.MandateError("tier", "该委托的项目尚无申报案件，提交首个申请后即可设置项目等级")
        chief = values.get("chief_agent_id", "").strip()  # an id no row can have: "not an agent", not "none"
        agency.set_project_tier(session, user, session.get(Project, mandate.project_id), values.get("tier", ""),
                                parse_id(chief) or (-1 if chief else None))
    return _act(request, session, user, mandate_id, values, run)


# ---------------------------------------------------------------------------------------- workbench

@router.get("/workbench")
def workbench_page(request: Request, session: SessionDep, user: PageUser, agent: Id | None = None):
    """An agent's own workbench; a supervisor may open any agent's (``?agent=ID``)."""
    who: User | None
    permit(user, Resource.workbench, Action.read, "代办工作台供代办专员使用。")
    if reach(user, Resource.workbench, Action.read) is Reach.own:
        who = user
    else:
        who = session.get(User, agent) if agent else None
        if who is None or who.role != Role.agent:
            loads = sorted(agency.workloads(session), key=lambda load: -load.open_work)
            return page(request, "workbench_pick.html", user=user, loads=loads)
    today = clock.today()
    rows = workbench.rows_for(session, who, today)
    counts = {light: sum(r.light == light for r in rows) for light in ("red", "yellow", "green", "paused")}
    return page(request, "workbench.html", user=user, agent=who, rows=rows, counts=counts, today=today,
                contacts=workbench.contacts_due(session, who, today),
                mandates=agency.agent_mandates(session, who))


# ------------------------------------------------------------------------------------------ helpers

def _readable(session: Session, user: User, mandate_id: int) -> Mandate:
    return visibility.get_readable_mandate(session, user, mandate_id) or _not_found("未找到该代办委托，或您无权查看")


def _users(session: Session, ids: set[int]) -> dict[int, User]:
    return {stored_id(u): u for u in session.exec(select(User).where(col(User.id).in_(ids)))} if ids else {}


def _not_found(message: str):
    raise HTTPException(status_code=404, detail=message)


def _supervisor(user: User) -> None:
    permit(user, Resource.agency_catalogue, Action.write, "只有督办管理员可以维护代办事项目录。")


def _enterprise(user: User) -> None:
    permit(user, Resource.mandate, Action.create, "代办委托书由企业在线签署；工作人员可在“代办委托”中查看和指派。")

