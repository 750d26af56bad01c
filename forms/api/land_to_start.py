"""JSON API for 拿地即开工: open a case (with the risk commitment), hand in and list the 设计方案 versions
(带设计方案出让), and report the start of construction.

Field errors come back as ``{detail, errors: {field: 中文}}`` (422), like the other APIs.
"""

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body, File, Form, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy.exc import NoResultFound

from flows.dispatch import enqueue, enqueue_continue
from forms.deps import ApiUser, ApplicantApiUser, ApplicantStepApiUser, SessionDep
from forms.errors import field_errors
from forms.params import Id, IdempotencyKey
from services.cases import human_actions
from services.cases.human_actions import MAX_ITEMS, SupplementItem
from services.cases.steps import get_step
from services.core import visibility
from services.core.clock import ChinaDateTime
from services.core.ids import stored_id
from services.core.text import Checked
from services.land_to_start import design_scheme_decisions, design_schemes
from services.land_to_start import service as land_to_start
from services.models import ActionKind, Application, User

router = APIRouter(prefix="/api/v1/land-to-start", tags=["land-to-start"])


class CaseCreated(BaseModel):
    id: int
    case_no: str
    status: str


@router.post("/applications", status_code=201, response_model=CaseCreated,
             responses={200: {"model": CaseCreated,
                              "description": "the same Idempotency-Key was posted before: that case"},
                        403: {"description": "not an enterprise account, nor an agent with a mandate for it"},
                        422: {"description": "{detail, errors: {field: 中文}}"}},
             # the body is read as a dict so that its errors carry the form's Chinese labels; its schema is the model's
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": land_to_start.LandToStartInput.model_json_schema() | {"additionalProperties": True}}}}})
def create(session: SessionDep, user: ApplicantApiUser, body: Annotated[dict, Body()],
           idempotency_key: IdempotencyKey = None):
    """Open a 拿地即开工 case for a project on a 标准地 parcel; ``risk_agreed`` signs the 风险承诺书.

    Body: the fields of ``LandToStartInput`` (project_id, project_code, building_area_m2, design_unit,
    contractor, supervisor_unit, contract_price_wan, funds_committed, risk_signed_by, risk_agreed)."""
    try:
        data = land_to_start.LandToStartInput.model_validate(body)
        application, created = land_to_start.submit(session, user, data, idempotency_key or str(uuid.uuid4()))
    except ValidationError as error:
        errors = field_errors(error, land_to_start.FIELD_LABELS)
        return JSONResponse({"detail": next(iter(errors.values())), "errors": errors}, status_code=422)
    session.commit()  # a LandToStartError (422) is answered by forms.refusals
    if created:
        enqueue(stored_id(application))
    out = CaseCreated(id=stored_id(application), case_no=application.case_no, status=application.status.value)
    return JSONResponse(out.model_dump(), status_code=201 if created else 200)


@router.post("/applications/{application_id}/start", responses={
    403: {"description": "not the applicant's account nor its agent"}, 422: {"description": "{detail, errors}"}})
def report_start(session: SessionDep, user: ApplicantStepApiUser, application_id: Id,
                 started_on: Annotated[date, Body(embed=True)]):
    """Report the start of construction (开工) once the four certificates are issued."""
    application = visibility.get_readable_application(session, user, application_id)
    if application is None:
        return JSONResponse({"detail": "未找到该申请，或您无权查看"}, status_code=404)
    land_to_start.report_start(session, user, application, started_on)  # refusals: forms.refusals
    session.commit()
    return {"status": "started"}


# ------------------------------------------------------------------------------- 设计方案 versions

class SchemeFileOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    reused_from_id: int | None
    download_url: str


class SchemeDecisionOut(BaseModel):
    action_id: int
    kind: str
    reasons: str
    acted_at: ChinaDateTime
    applied: bool


class DesignSchemeOut(BaseModel):
    """设计方案第N版: its files, its digest (文件哈希), and the 设计方案预审 decisions made on it."""

    id: int
    version: int
    digest: str
    uploaded_at: ChinaDateTime
    files: list[SchemeFileOut]
    decisions: list[SchemeDecisionOut]
    approved: bool
    listing_attachment: bool


class DesignSchemeList(BaseModel):
    approved_version: int | None
    versions: list[DesignSchemeOut]


def _readable(session, user: User, application_id: int) -> Application | None:
    return visibility.get_readable_application(session, user, application_id)


def _scheme_list(session, application_id: int) -> DesignSchemeList:
    approved = design_scheme_decisions.approved(session, application_id)
    versions = []
    for v in design_schemes.version_views(session, application_id):
        is_approved = approved is not None and approved.scheme.id == v.scheme.id
        versions.append(DesignSchemeOut(
            id=stored_id(v.scheme), version=v.scheme.version, digest=v.scheme.digest, uploaded_at=v.scheme.uploaded_at,
            files=[SchemeFileOut(id=stored_id(f), filename=f.filename, content_type=f.content_type, size=f.size,
                                 sha256=f.sha256, reused_from_id=f.reused_from_id,
                                 download_url=f"/attachments/{f.id}") for f in v.files],
            decisions=[SchemeDecisionOut(action_id=stored_id(a), kind=a.kind.value, reasons=a.reasons,
                                         acted_at=a.acted_at, applied=a.applied_at is not None) for a in v.decisions],
            approved=is_approved, listing_attachment=is_approved))
    return DesignSchemeList(approved_version=approved.scheme.version if approved else None, versions=versions)


@router.get("/applications/{application_id}/design-schemes", response_model=DesignSchemeList,
            responses={404: {"description": "no such case, or not readable by this account"}})
def list_schemes(session: SessionDep, user: ApiUser, application_id: Id):
    """The case's 设计方案 versions, oldest first; ``approved_version`` is the one attached to the listing."""
    if _readable(session, user, application_id) is None:
        return JSONResponse({"detail": "未找到该申请，或您无权查看"}, status_code=404)
    return _scheme_list(session, application_id)


@router.post("/applications/{application_id}/design-schemes", status_code=201, response_model=DesignSchemeOut,
             responses={200: {"model": DesignSchemeOut,
                              "description": "the same Idempotency-Key was posted before: that version"},
                        403: {"description": "not the applicant's account nor its agent"},
                        404: {"description": "no such case, or not readable by this account"},
                        422: {"description": "{detail, errors: {field: 中文}}"}})
async def upload_scheme(session: SessionDep, user: ApplicantStepApiUser, application_id: Id,
                        files: Annotated[list[UploadFile] | None, File(description="设计方案文件")] = None,
                        reuse_ids: Annotated[list[Id] | None, Form(description="材料库: earlier file ids")] = None,
                        idempotency_key: IdempotencyKey = None):
    """Hand in the next 设计方案 version (multipart: ``files``, and/or ``reuse_ids`` from the 材料库)."""
    application = _readable(session, user, application_id)
    if application is None:
        return JSONResponse({"detail": "未找到该申请，或您无权查看"}, status_code=404)
    uploaded = [design_schemes.UploadedFile(f.filename or "", f.content_type or "", await f.read())
                for f in files or [] if f.filename]
    # a DesignSchemeError (422) is answered by forms.refusals
    scheme, created = design_schemes.upload(session, user, application, uploaded, reuse_ids or [],
                                            idempotency_key or str(uuid.uuid4()))
    session.commit()
    out = next(v for v in _scheme_list(session, application_id).versions if v.id == scheme.id)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if created else 200)


class SchemeDecisionIn(BaseModel):
    """A 设计方案预审 decision made on this version (approve / request_supplement / reject)."""

    kind: Literal[ActionKind.approve, ActionKind.request_supplement, ActionKind.reject]
    reasons: Annotated[str, Checked(4000, min_length=0, multiline=True)] = ""
    items: Annotated[list[SupplementItem], Field(max_length=MAX_ITEMS)] = []
    justification: Annotated[str, Checked(2000, min_length=0, multiline=True)] = ""


@router.post("/applications/{application_id}/design-schemes/{scheme_id}/decision", status_code=201,
             response_model=SchemeDecisionOut,
             responses={404: {"description": "no such case or version"},
                        409: {"description": "someone else acted on the step first: {detail, errors}"},
                        422: {"description": "{detail, errors: {field: 中文}}"}})
def decide_scheme(session: SessionDep, user: ApiUser, application_id: Id, scheme_id: Id, body: SchemeDecisionIn):
    """The 自然资源局 reviewer decides 设计方案预审 on this version (the generic step action binds the latest)."""
    if _readable(session, user, application_id) is None:
        return JSONResponse({"detail": "未找到该申请，或您无权查看"}, status_code=404)
    try:
        step = get_step(session, application_id, design_scheme_decisions.STEP_KEY)
    except NoResultFound:
        return JSONResponse({"detail": "该案件没有设计方案预审环节"}, status_code=404)
    # an ActionError / DesignSchemeError (409 / 422) is answered by forms.refusals
    action = human_actions.record_action(session, user, step, body.kind, reasons=body.reasons,
                                         items=[item.model_dump() for item in body.items],
                                         justification=body.justification, design_scheme_id=scheme_id)
    session.commit()
    enqueue_continue(application_id, stored_id(action))
    return SchemeDecisionOut(action_id=stored_id(action), kind=action.kind.value, reasons=action.reasons,
                             acted_at=action.acted_at, applied=False)
