"""拿地即开工 pages: the application (with the 风险承诺书 signed online), the 设计方案 versions handed in for the
design pre-review (带设计方案出让), and the start-of-construction report.

The case page itself is the shared application page (steps, decisions, 补正, documents) with the
Gantt chart added. Rules and writes are in ``services.land_to_start.service``; bad input comes back as the
form with a Chinese message next to each field (422) and nothing written.
"""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from flows.dispatch import enqueue
from forms.deps import APPLICANT_STEPS_ONLY, PageUser, SessionDep, permit
from forms.errors import field_errors
from forms.params import Id
from forms.routes.review import page_extras
from forms.security import verify_csrf
from forms.web import page, posted_form
from services.cases import project_labels
from services.core import visibility
from services.core.access import Action, Resource
from services.core.ids import parse_id, stored_id
from services.land_to_start import design_schemes
from services.land_to_start import service as land_to_start
from services.land_to_start.design_scheme_decisions import DesignSchemeError
from services.models import Enterprise
from services.supervision import dashboard

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
Form = Annotated[dict[str, str], Depends(posted_form)]
CHECKBOXES = ("funds_committed", "risk_agreed")


@router.get("/land-to-start/new")
def new_case(request: Request, session: SessionDep, user: PageUser, project_id: Id | None = None):
    _applicant(user)
    projects = land_to_start.projects_for(session, user)
    enterprise = session.get(Enterprise, user.enterprise_id) if user.enterprise_id else None
    values = {"project_id": str(project_id or (projects[0].id if projects else "")),
              "risk_signed_by": enterprise.legal_representative if enterprise else ""}
    return _form(request, session, user, values, {})


@router.post("/land-to-start/new", dependencies=[Csrf])
def create_case(request: Request, session: SessionDep, user: PageUser, values: Form):
    _applicant(user)
    key = values.pop("idempotency_key", "") or str(uuid.uuid4())
    fields: dict[str, str | bool] = {k: v.strip() for k, v in values.items() if v.strip() and k not in CHECKBOXES}
    fields |= {k: bool(values.get(k)) for k in CHECKBOXES}
    try:
        data = land_to_start.LandToStartInput.model_validate(fields)
        application, created = land_to_start.submit(session, user, data, key)
    except ValidationError as error:
        return _form(request, session, user, values, field_errors(error, land_to_start.FIELD_LABELS), key, 422)
    except land_to_start.LandToStartError as error:
        session.rollback()
        return _form(request, session, user, values, error.errors, key, 422)
    session.commit()
    if created:
        enqueue(stored_id(application))
    return RedirectResponse(f"/applications/{application.id}", status_code=303)


@router.post("/applications/{application_id}/start-report", dependencies=[Csrf])
def report_start(request: Request, session: SessionDep, user: PageUser, application_id: Id, values: Form):
    permit(user, Resource.step, Action.supplement, APPLICANT_STEPS_ONLY)
    application = visibility.get_readable_application(session, user, application_id)
    if application is None:
        raise HTTPException(status_code=404, detail="未找到该申请，或您无权查看")
    try:
        started_on = date.fromisoformat(values.get("started_on", "").strip())
        land_to_start.report_start(session, user, application, started_on)
    except ValueError as error:
        session.rollback()
        message = error.message if isinstance(error, land_to_start.LandToStartError) else "请填写开工日期（年-月-日）"
        view = dashboard.application_view(session, application)  # the case page again, the error in its form
        return page(request, "application.html", status_code=422, user=user, view=view, start_error=message,
                    **page_extras(session, user, view))
    session.commit()
    return RedirectResponse(f"/applications/{application_id}#timeline", status_code=303)


@router.post("/applications/{application_id}/design-schemes", dependencies=[Csrf])
async def upload_scheme(request: Request, session: SessionDep, user: PageUser, application_id: Id):
    """One 设计方案 version: uploaded files and/or files chosen from the 材料库; the hidden idempotency key makes
    a double click one version. A refused set is the case page again with the message (422), nothing written."""
    permit(user, Resource.step, Action.supplement, APPLICANT_STEPS_ONLY)
    application = visibility.get_readable_application(session, user, application_id)
    if application is None:
        raise HTTPException(status_code=404, detail="未找到该申请，或您无权查看")
    form = await request.form()
    files = [design_schemes.UploadedFile(f.filename or "", f.content_type or "", await f.read())
             for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    reuse = [i for i in (parse_id(str(v)) for v in form.getlist("reuse_id") if str(v).strip()) if i is not None]
    try:
        design_schemes.upload(session, user, application, files, reuse,
                              str(form.get("idempotency_key", "") or "") or str(uuid.uuid4()))
    except DesignSchemeError as error:
        session.rollback()
        view = dashboard.application_view(session, application)
        return page(request, "application.html", status_code=422, user=user, view=view,
                    scheme_error={"field": error.field, "message": error.message}, **page_extras(session, user, view))
    session.commit()
    return RedirectResponse(f"/applications/{application_id}#design-scheme", status_code=303)


def _form(request, session, user, values, errors, key=None, status_code=200):
    projects = land_to_start.projects_for(session, user)
    return page(request, "land_to_start_form.html", status_code=status_code, user=user, values=values,
                errors=errors, idempotency_key=key or str(uuid.uuid4()), projects=projects,
                project_labels=project_labels.labels(session, projects))


def _applicant(user) -> None:
    permit(user, Resource.application, Action.create,
           "拿地即开工由企业或受托的代办专员申请；工作人员可在“申请总览”中跟进。")
