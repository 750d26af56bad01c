"""JSON API v1: what the forms do, for scripts and other systems (OpenAPI at /docs).

Authentication is the OAuth2 password flow (``POST /api/v1/auth/token``). Two helpers are public
because the forms use them for live validation: working-day due dates and USCC checks.
"""

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, Field
from sqlalchemy.exc import NoResultFound

from flows.dispatch import enqueue, enqueue_continue
from forms.deps import ApiUser, ApplicantApiUser, SessionDep, oauth2
from forms.downloads import MEDIA, document_response
from forms.params import Id, IdempotencyKey, StepKey
from forms.security import client_address, issue_api_token, read_api_token
from services.calendar.schedules import work_calendar
from services.cases import human_actions, search
from services.cases.human_actions import MAX_ITEMS, SupplementItem
from services.cases.steps import get_step
from services.core import audit, clock, sign_in_sessions, uscc, visibility
from services.core.clock import ChinaDateTime
from services.core.ids import stored_id
from services.core.settings import get_settings
from services.core.text import Checked
from services.core.users import authenticate
from services.models import ActionKind, Document
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from services.supervision import dashboard

router = APIRouter(prefix="/api/v1")


class Token(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"


class DueOut(BaseModel):
    due: date
    provisional: bool


class StepOut(BaseModel):
    id: int
    key: str
    name: str
    kind: str
    department: str
    status: str
    status_label: str
    sla_working_days: int
    sla_unit: str = "working_day"
    due_on: date | None
    due_provisional: bool
    started_at: ChinaDateTime | None
    finished_at: ChinaDateTime | None
    flow_run_id: str | None = None
    paused_working_days: int = 0
    outcome: dict = {}
    statutory_due_on: date | None = Field(default=None, description="法定时限: when the law's limit ends (lights "
                                                                    "follow the committed due_on)")
    statutory_passed: bool = Field(default=False, description="open past its statutory limit (超过法定时限)")


class DocumentOut(BaseModel):
    id: int
    kind: str
    title: str
    number: str
    issued_at: ChinaDateTime
    pdf_url: str
    docx_url: str
    pdf_sha256: str

    @classmethod
    def of(cls, d: Document) -> "DocumentOut":
        return cls(id=stored_id(d), kind=d.kind, title=d.title, number=d.number, issued_at=d.issued_at,
                   pdf_url=f"/api/v1/documents/{d.id}.pdf", docx_url=f"/api/v1/documents/{d.id}.docx",
                   pdf_sha256=d.pdf_sha256)


class ApplicationOut(BaseModel):
    id: int
    case_no: str
    title: str
    process: str
    status: str
    status_label: str
    enterprise_name: str
    uscc: str
    project_id: int
    project_name: str
    industry_code: str
    total_investment_wan: Decimal
    land_area_mu: Decimal
    parcel_number: str | None
    submitted_at: ChinaDateTime
    accepted_at: ChinaDateTime | None
    flow_run_id: str | None
    flow_run_url: str | None
    steps: list[StepOut]
    documents: list[DocumentOut]
    evaluation: dict | None = None


class ApplicationSummary(BaseModel):
    id: int
    case_no: str
    status: str
    enterprise_name: str
    project_name: str
    next_step: str | None
    next_due: date | None
    next_due_provisional: bool


@router.post("/auth/token", response_model=Token, tags=["auth"],
             responses={401: {"description": "wrong user name or password"},
                        403: {"description": "the account uses a second factor (动态口令): sign in on the web"},
                        429: {"description": "too many failed sign-ins: wait `Retry-After` seconds"}})
def token(request: Request, session: SessionDep, form: Annotated[OAuth2PasswordRequestForm, Depends()]):
    result = authenticate(session, form.username, form.password, client_address=client_address(request))
    if result.user is None:
        headers = {"Retry-After": str(result.retry_after_seconds)} if result.retry_after_seconds else {}
        raise HTTPException(429 if result.retry_after_seconds else 401, detail=result.error, headers=headers)
    if result.user.totp_secret:  # the password alone is not enough for this account
        raise HTTPException(403, detail="该账户已开启动态口令，请在网页登录；用密码换取接口令牌不适用于此类账户")
    sid = sign_in_sessions.open_session(session, result.user, kind=sign_in_sessions.API,
                                        client_address=client_address(request),
                                        user_agent=request.headers.get("user-agent", ""))
    session.commit()  # the token must work for the very next request
    return Token(access_token=issue_api_token(stored_id(result.user), sid))


@router.post("/auth/logout", status_code=204, tags=["auth"])
def logout(session: SessionDep, user: ApiUser, token: Annotated[str | None, Depends(oauth2)]):
    """Revoke this bearer token at once (it would otherwise stay valid until it expires)."""
    claims = read_api_token(token) if token else None
    if claims and sign_in_sessions.revoke(session, claims[1]) is not None:
        audit.record(session, "user.signed_out", actor=user, entity="user", entity_id=stored_id(user),
                     detail={"via": "api"})
    session.commit()  # revoked before the answer: the very next request with this token is refused


@router.post("/applications", status_code=201, response_model=ApplicationOut, tags=["applications"],
             responses={200: {"model": ApplicationOut,
                              "description": "the same Idempotency-Key was used before: that application"},
                        403: {"description": "not an enterprise account, nor an agent with a mandate for it"},
                        422: {"description": "invalid field; `errors` maps field → Chinese message"}})
def create(session: SessionDep, user: ApplicantApiUser, data: StandardLandApplicationInput,
           idempotency_key: IdempotencyKey = None):
    """Submit a 标准地预评估 application. Send an ``Idempotency-Key`` header to make retries safe."""
    # an IntakeError (403 / 422) is answered by forms.refusals
    application, created = submit_application(session, user, data, idempotency_key or str(uuid.uuid4()))
    session.commit()
    if created:  # a repeated post must not queue a second run; failed dispatches are retried by the sweep
        enqueue(stored_id(application))
    out = _application_out(session, application)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if created else 200)


API_PAGE_SIZE = 200


@router.get("/applications", response_model=list[ApplicationSummary], tags=["applications"],
            responses={422: {"description": "{detail, errors: {parameter: 中文}}: a filter that cannot be read"}})
def list_(request: Request, response: Response, session: SessionDep, user: ApiUser,
          q: Annotated[str, Query(max_length=64, description="案件编号、企业、统一社会信用代码、项目或宗地编号")] = "",
          process: Annotated[Literal["", "standard_land", "eia", "land_to_start"], Query()] = "",
          status: Annotated[str, Query(max_length=24, description="application status, e.g. accepted")] = "",
          light: Annotated[Literal["", "red", "yellow", "green", "paused"], Query()] = "",
          department: Annotated[str, Query(max_length=64, description="a department with an open step")] = "",
          since: Annotated[date | None, Query(description="submitted on or after")] = None,
          until: Annotated[date | None, Query(description="submitted on or before")] = None,
          page: Annotated[int, Query(ge=1, le=99_999)] = 1):
    """The cases the caller may read that match, newest first, 200 a page; ``X-Total-Count`` says how many
    match in all."""
    query, errors = search.parse(request.query_params)
    if errors:
        return JSONResponse({"detail": next(iter(errors.values())), "errors": errors}, status_code=422)
    found = search.search(session, user, query, page_size=API_PAGE_SIZE)
    response.headers["X-Total-Count"] = str(found.total)
    return [ApplicationSummary(id=stored_id(r.application), case_no=r.application.case_no, status=r.application.status,
                               enterprise_name=r.enterprise_name, project_name=r.project_name,
                               next_step=r.next_step_name, next_due=r.next_due,
                               next_due_provisional=r.next_due_provisional)
            for r in dashboard.application_rows(session, found.applications)]


@router.get("/applications/{application_id}", response_model=ApplicationOut, tags=["applications"])
def read(session: SessionDep, user: ApiUser, application_id: Id):
    application = visibility.get_readable_application(session, user, application_id)
    if application is None:
        raise HTTPException(404, detail="未找到该申请，或您无权查看")
    return _application_out(session, application)


class ActionIn(BaseModel):
    """A decision by the department (approve / reject / request_supplement) or the applicant's supplement."""

    kind: ActionKind
    reasons: Annotated[str, Checked(4000, min_length=0, multiline=True)] = ""
    items: Annotated[list[SupplementItem], Field(max_length=MAX_ITEMS)] = []
    justification: Annotated[str, Checked(2000, min_length=0, multiline=True)] = ""

    model_config = {"json_schema_extra": {"examples": [
        {"kind": "approve", "reasons": "符合地块控制指标"},
        {"kind": "request_supplement",
         "items": [{"name": "项目投资估算表", "reason": "缺少设备投资明细", "form": "电子件"}]},
        {"kind": "reject", "reasons": "亩均税收计划值低于地块控制指标"}]}}


class ActionOut(BaseModel):
    id: int
    step: str
    sequence: int
    kind: ActionKind
    acted_at: ChinaDateTime


@router.post("/applications/{application_id}/steps/{step_key}/actions", response_model=ActionOut,
             status_code=201, tags=["applications"],
             responses={409: {"description": "someone else acted on the step first: {detail, errors}"},
                        422: {"description": "not allowed now, or a field is missing: "
                                             "{detail, errors: {field: 中文}}"}})
def act(session: SessionDep, user: ApiUser, application_id: Id, step_key: StepKey, body: ActionIn):
    """Act on a human step; the case's next segment is queued to apply it (补正 stops the step's clock)."""
    application = visibility.get_readable_application(session, user, application_id)
    if application is None:
        raise HTTPException(404, detail="未找到该申请，或您无权查看")
    try:
        step = get_step(session, application_id, step_key)
    except NoResultFound:
        raise HTTPException(404, detail="未找到该办理环节") from None
    # an ActionError (409 / 422) is answered by forms.refusals
    action = human_actions.record_action(session, user, step, body.kind, reasons=body.reasons,
                                         items=[item.model_dump() for item in body.items],
                                         justification=body.justification)
    session.commit()
    enqueue_continue(step.application_id, stored_id(action))
    return ActionOut(id=stored_id(action), step=step.key, sequence=action.sequence, kind=action.kind,
                     acted_at=action.acted_at)


@router.get("/documents/{document_id}.{fmt}", tags=["documents"], response_class=Response,
            responses={200: {"description": "the file, checked against its SHA-256", "content": {
                media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA.values()}},
                       409: {"description": "the stored file no longer matches its recorded SHA-256"}})
def download(session: SessionDep, user: ApiUser, document_id: Id, fmt: Literal["pdf", "docx"]):
    return document_response(session, user, document_id, fmt)


@router.get("/calendar/due", response_model=DueOut, tags=["helpers"])
def calendar_due(session: SessionDep, accepted_on: date,
                 working_days: Annotated[int, Query(ge=0, le=3650)]):
    """The n-th working day after acceptance (调休 weekend days count; holidays do not)."""
    due = work_calendar(session).add_working_days(accepted_on, working_days)
    return DueOut(due=due.due, provisional=due.provisional)


@router.get("/uscc/{code}", tags=["helpers"], responses={200: {"content": {"application/json": {"examples": {
    "valid": {"value": {"valid": True, "normalized": "91350100M000100Y43"}},
    "invalid": {"value": {"valid": False, "reason": "校验码错误，请核对统一社会信用代码"}}}}}}})
def check_uscc(code: str):
    """Normalise (spaces, full-width, lower case) and check a 统一社会信用代码."""
    result = uscc.validate(code)
    return {"valid": True, "normalized": result.normalized} if result.valid else \
        {"valid": False, "reason": result.reason}


def _application_out(session, application) -> ApplicationOut:
    view = dashboard.application_essentials(session, application)
    ui = get_settings().prefect_ui_base()
    return ApplicationOut(
        id=application.id, case_no=application.case_no, title=application.title,
        process=f"{application.process_key}@{application.process_version}", status=application.status,
        status_label=application.status.label_for(application.process_key), enterprise_name=view.enterprise.name,
        uscc=view.enterprise.uscc,
        project_id=application.project_id, project_name=view.project.name, industry_code=view.project.industry_code,
        total_investment_wan=view.project.total_investment_wan, land_area_mu=view.project.land_area_mu,
        parcel_number=view.parcel.number if view.parcel else None, submitted_at=application.submitted_at,
        accepted_at=application.accepted_at, flow_run_id=application.flow_run_id,
        flow_run_url=f"{ui}/runs/flow-run/{application.flow_run_id}" if application.flow_run_id else None,
        steps=[StepOut(id=stored_id(s), key=s.key, name=s.name, kind=s.kind, department=s.department, status=s.status,
                       status_label=s.status.label_zh, sla_working_days=s.sla_working_days,
                       sla_unit=s.sla_unit, due_on=s.due_on,
                       due_provisional=s.due_provisional, started_at=s.started_at, finished_at=s.finished_at,
                       flow_run_id=s.flow_run_id, paused_working_days=s.paused_working_days, outcome=s.outcome,
                       statutory_due_on=s.statutory_due_on,
                       statutory_passed=s.statutory_passed(clock.today()))
               for s in view.steps],
        evaluation=view.evaluation.result if view.evaluation else None,
        documents=[DocumentOut.of(d) for d in view.documents])
