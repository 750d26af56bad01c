"""JSON API for 拿地即开工: open a case (with the risk commitment) and report the start of construction.

Field errors come back as ``{detail, errors: {field: 中文}}`` (422), like the other APIs.
"""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from flows.dispatch import enqueue
from forms.deps import ApplicantApiUser, ApplicantStepApiUser, SessionDep
from forms.errors import field_errors
from forms.params import Id, IdempotencyKey
from services.core import visibility
from services.core.ids import stored_id
from services.land_to_start import service as land_to_start

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
