"""zh-CN pages: sign-in, the 标准地预评估 form, application status, lists and downloads.

No business rules here: every decision is a call into ``services``.
"""

import re
import time
import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session

from flows.dispatch import enqueue
from forms.deps import APPLICANTS_ONLY, PageUser, SessionDep, permit
from forms.downloads import document_response
from forms.errors import field_errors, in_form_order
from forms.params import Id
from forms.routes.review import page_extras
from forms.security import client_address, sign_in, verify_csrf
from forms.web import page, posted_form
from services.agency import service as agency
from services.cases.processes import get_definition
from services.core import audit, sign_in_sessions, visibility
from services.core.access import Action, Resource
from services.core.ids import stored_id
from services.core.users import authenticate
from services.models import Enterprise, Project, Role, User
from services.standard_land import intake
from services.standard_land.catalogue import plain
from services.standard_land.intake import FIELD_LABELS, IntakeError, StandardLandApplicationInput, submit_application
from services.supervision import dashboard

router = APIRouter(include_in_schema=False)
SECOND_FACTOR_SECONDS = 300  # the 动态口令 must follow the password within 5 minutes
Csrf = Depends(verify_csrf)


@router.get("/")
def home(request: Request):
    return RedirectResponse("/applications" if request.session.get("user_id") else "/login", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/applications", reset: str = ""):
    notice = "密码已重置，请用新密码登录。" if reset == "1" else ""
    return page(request, "login.html", next=_safe_next(next), error=None, username="", notice=notice)


@router.post("/login", dependencies=[Csrf])
def login(request: Request, session: SessionDep, username: Annotated[str, Form()] = "",
          password: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/applications"):
    result = authenticate(session, username.strip(), password, client_address=client_address(request))
    if result.user is None:
        status = 429 if result.retry_after_seconds else 401
        response = page(request, "login.html", status_code=status, next=_safe_next(next), error=result.error,
                        username=username)
        if result.retry_after_seconds:
            response.headers["Retry-After"] = str(result.retry_after_seconds)
        return response
    if result.user.totp_secret:  # the password was right; the 动态口令 comes next (forms/routes/accounts.py)
        request.session.clear()
        request.session["second_factor"] = {"user_id": stored_id(result.user), "next": _safe_next(next),
                                            "until": time.time() + SECOND_FACTOR_SECONDS}
        return RedirectResponse("/login/code", status_code=303)
    return finish_sign_in(request, session, result.user, _safe_next(next))


def finish_sign_in(request: Request, session: Session, user: User, target: str) -> RedirectResponse:
    """Open the server-side sign-in, audit it and point the cookie at it."""
    token = sign_in_sessions.open_session(session, user, kind=sign_in_sessions.PAGE,
                                          client_address=client_address(request),
                                          user_agent=request.headers.get("user-agent", ""))
    audit.record(session, "user.signed_in", actor=user, entity="user", entity_id=stored_id(user))
    session.commit()  # the session row must exist before the browser follows the redirect
    sign_in(request, stored_id(user), token)
    return RedirectResponse(target, status_code=303)


@router.post("/logout", dependencies=[Csrf])
def logout(request: Request, session: SessionDep):
    """Revoke the server-side session too: a copy of the cookie taken before is signed out."""
    token = request.session.get("sid")
    record = sign_in_sessions.revoke(session, token) if isinstance(token, str) else None
    if record is not None:
        audit.record(session, "user.signed_out", actor=session.get(User, record.user_id), entity="user",
                     entity_id=record.user_id)
    session.commit()  # revoked before the answer: a copy of the cookie replayed at once is refused
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/applications/new")
def new_application(request: Request, session: SessionDep, user: PageUser, mandate: Id | None = None,
                    project: Id | None = None):
    """Enterprises apply for themselves; an agent applies on behalf of one through a mandate (?mandate=ID)."""
    permit(user, Resource.application, Action.create, APPLICANTS_ONLY)
    if user.role == Role.agent and mandate is not None:
        held = next((m for m in agency.agent_mandates(session, user) if m.id == mandate), None)
        if held is None or not agency.covers_process(session, held, "standard_land"):
            raise HTTPException(status_code=403, 
                                detail="该委托未指派给您、已失效或不含标准地预评估事项，不能代为申报。")
        values = _prefill(session, held.enterprise_id) | {"project_name": held.project_name}
        return _form_page(request, session, user, values=values, errors={})
    if user.role.is_staff:
        raise HTTPException(status_code=403, 
                            detail="申请由企业账户提交；代办专员请在“代办委托”中从受托的委托代为申报。")
    values = (_prefill(session, user.enterprise_id) | _from_project(session, user, project)
              | _from_project_check(dict(request.query_params)))
    return _form_page(request, session, user, values=values, errors={})


@router.post("/applications/new", dependencies=[Csrf])
def create_application(request: Request, session: SessionDep, user: PageUser,
                       values: Annotated[dict[str, str], Depends(posted_form)]):
    permit(user, Resource.application, Action.create, APPLICANTS_ONLY)
    key = values.pop("idempotency_key", "") or str(uuid.uuid4())
    try:
        data, errors = _checked_fields(session, user, _application_fields(values))
        if data is None:
            return _form_page(request, session, user, values, errors, key, status_code=422)
        application, created = submit_application(session, user, data, key)  # checks every rule, once
    except IntakeError as error:
        session.rollback()
        errors = in_form_order(error.errors, list(FIELD_LABELS))
        return _form_page(request, session, user, values, errors, key, status_code=422)
    session.commit()
    if created:  # a repeated post must not queue a second run; failed dispatches are retried by the sweep
        enqueue(stored_id(application))
    return RedirectResponse(f"/applications/{application.id}", status_code=303)


@router.get("/applications/{application_id}")
def application_status(request: Request, session: SessionDep, user: PageUser, application_id: Id):
    application = visibility.get_readable_application(session, user, application_id)
    if application is None:
        raise HTTPException(status_code=404, detail="未找到该申请，或您无权查看")
    view = dashboard.application_view(session, application)
    return page(request, "application.html", user=user, view=view, **page_extras(session, user, view))


@router.get("/documents/{document_id}.{fmt}")
def download(session: SessionDep, user: PageUser, document_id: Id, fmt: str):
    return document_response(session, user, document_id, fmt)


def _application_fields(values: dict[str, str]) -> dict:
    """Form fields → the intake schema; planned indicator values come from the chosen parcel's inputs
    (named ``ind_<parcel id>_<indicator code>``: every parcel's indicators are on the page)."""
    data: dict = {k: v for k, v in values.items() if v.strip() and not k.startswith("ind_")}
    prefix = f"ind_{values.get('parcel_id', '').strip()}_"
    data["planned_indicators"] = {k[len(prefix):]: v.strip() for k, v in values.items()
                                  if k.startswith(prefix) and v.strip()}
    return data


def _checked_fields(session, user, fields: dict) -> tuple[StandardLandApplicationInput | None, dict[str, str]]:
    """The submission as input, or its field errors together with the cross-field rules (dates, the parcel's
    industries and indicators) checked on the fields that passed, in the form's order: a person fixes
    everything in one go, not five. A whole input is checked by ``submit_application`` itself, after it has
    looked for an earlier post with the same key (a repeated post finds its application, not a refusal)."""
    try:
        return StandardLandApplicationInput.model_validate(fields), {}
    except ValidationError as error:
        errors = field_errors(error)
    rules = intake.rule_errors(session, user, intake.valid_part(fields))
    errors |= {field: message for field, message in rules.items() if field not in errors}
    return None, in_form_order(errors, list(FIELD_LABELS))


def _form_page(request, session, user, values, errors, key=None, status_code=200):
    indicators = dashboard.parcel_indicators(session)
    return page(request, "application_form.html", status_code=status_code, user=user, values=values,
                errors=errors, idempotency_key=key or str(uuid.uuid4()),
                parcels=dashboard.available_parcels(session), indicators=indicators,
                definition=get_definition("standard_land"), **_summary_links(values, indicators))


def _summary_links(values: dict, indicators: dict) -> dict:
    """Names and anchors for the error summary: an indicator (控制指标) is found by the chosen parcel's input."""
    parcel = values.get("parcel_id", "").strip()
    chosen: list = next((v for k, v in indicators.items() if str(k) == parcel), [])
    return {"error_labels": FIELD_LABELS | {f"planned_indicators.{i.code}": i.name_zh for i in chosen},
            "error_anchors": {f"planned_indicators.{i.code}": f"field-ind_{parcel}_{i.code}" for i in chosen}}


def _prefill(session, enterprise_id: int | None) -> dict:
    enterprise = session.get(Enterprise, enterprise_id) if enterprise_id else None
    if enterprise is None:
        return {}
    return {"enterprise_name": enterprise.name, "uscc": enterprise.uscc,
            "legal_representative": enterprise.legal_representative, "contact_name": enterprise.contact_name,
            "contact_phone": enterprise.contact_phone}


def _from_project(session, user: User, project_id: int | None) -> dict[str, str]:
    """A new pre-assessment of one of the enterprise's projects (一窗: started from the project's page), its figures
    carried over as last filed; someone else's project gives nothing."""
    project = session.get(Project, project_id) if project_id else None
    if project is None or project.enterprise_id != user.enterprise_id:
        return {}
    values = {"project_name": project.name, "industry_code": project.industry_code,
              "total_investment_wan": plain(project.total_investment_wan), "land_area_mu": plain(project.land_area_mu),
              "expected_annual_output_wan": plain(project.expected_annual_output_wan),
              "expected_annual_tax_wan": plain(project.expected_annual_tax_wan),
              "annual_energy_tce": plain(project.annual_energy_tce),
              "annual_electricity_kwh": plain(project.annual_electricity_kwh),
              "parcel_id": str(project.parcel_id or "")}
    if project.parcel_id:
        values |= {f"ind_{project.parcel_id}_{code}": value for code, value in project.planned_indicators.items()}
    return {k: v for k, v in values.items() if v}


PREFILLABLE = re.compile(r"parcel_id|industry_code|annual_energy_tce|annual_electricity_kwh|land_area_mu"
                         r"|total_investment_wan|expected_annual_output_wan|expected_annual_tax_wan"
                         r"|ind_\d{1,9}_[a-z0-9_]{1,32}")


def _from_project_check(query: dict[str, str]) -> dict[str, str]:
    """The figures a visitor checked on the public parcel page (项目自检), carried into the form as typed there;
    the form checks them again like anything typed."""
    return {k: v[:64] for k, v in query.items() if PREFILLABLE.fullmatch(k) and v.isprintable()}


def _safe_next(target: str) -> str:
    """Only same-site paths, so the sign-in page cannot be used to redirect elsewhere."""
    safe = (target.startswith("/") and target[1:2] not in ("/", "\\")
            and not any(ch == "\\" or ord(ch) < 32 for ch in target))
    return target if safe else "/applications"
