"""Pages for human steps: a department's queue and decision form, the applicant's 补正 uploads.

Each post stores the action through ``services.cases.human_actions`` in one transaction and, after the
commit, resumes the flow run waiting on the step (in the background; the sweep retries a lost one).
"""

import logging
import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.exc import NoResultFound
from sqlmodel import Session
from starlette.datastructures import UploadFile

from flows.dispatch import enqueue_continue
from forms.case_runs import read_case_runs
from forms.deps import APPLICANT_STEPS_ONLY, PageUser, SessionDep, StaffUser, permit
from forms.params import Id, StepKey
from forms.security import verify_csrf
from forms.web import page, posted_form
from services.agency import service as agency
from services.cases import decisions, human_actions, materials
from services.cases.acceptance import committed_due
from services.cases.processes import ProcessDefinition, get_definition
from services.cases.steps import get_step
from services.charts import gantt
from services.core import clock, file_store, uploads, visibility
from services.core.access import Action, Resource, allowed
from services.core.ids import parse_id, stored_id
from services.documents import registry as documents_registry
from services.land_to_start import design_scheme_decisions, design_schemes, timeline
from services.land_to_start import service as land_to_start
from services.land_to_start.design_scheme_decisions import DesignSchemeError
from services.models import ActionKind, Application, Attachment, Step, User
from services.supervision import dashboard, replies

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
ITEM_ROWS = 6
CHOICE_LABELS = {
    "approve": "同意（系统随即出具相应文书）",
    "request_supplement": "要求补正（一次性告知，计时暂停）",
    "reject": "不同意（须写明理由）",
    "check_pass": "核查通过",
    "check_rectify": "限期整改（须写明核查发现）",
    "check_revoke": "撤销审批决定并纳入失信记录（须写明理由）",
}


@router.get("/reviews")
def review_queue(request: Request, session: SessionDep, user: StaffUser, department: str = ""):
    """A reviewer's queue is their department's; a supervisor sees every department's, or picks one."""
    everyone = user.role.value == "supervisor"
    department = department.strip()[:64] if everyone else ""
    return page(request, "reviews.html", user=user, rows=dashboard.review_queue(session, user, department=department),
                everyone=everyone, department=department,
                departments=dashboard.review_departments(session) if everyone else [])


def _readable_step(session: Session, user: User, application_id: int, step_key: str) -> tuple[Application, Step]:
    application = visibility.get_readable_application(session, user, application_id)
    if application is None:
        raise HTTPException(status_code=404, detail="未找到该申请，或您无权查看")
    try:
        return application, get_step(session, application_id, step_key)
    except NoResultFound:
        raise HTTPException(status_code=404, detail="未找到该办理环节") from None


@router.get("/applications/{application_id}/steps/{step_key}/decision")
def decision_form(request: Request, session: SessionDep, user: StaffUser, application_id: Id, step_key: StepKey):
    application, step = _readable_step(session, user, application_id, step_key)
    return _decision_page(request, session, user, application, step, values={}, errors={})


@router.post("/applications/{application_id}/steps/{step_key}/decision", dependencies=[Csrf])
def decide(request: Request, session: SessionDep, user: StaffUser, application_id: Id, step_key: StepKey,
           values: Annotated[dict[str, str], Depends(posted_form)]):
    application, step = _readable_step(session, user, application_id, step_key)
    items = [{"name": values.get(f"item_name_{i}", ""), "reason": values.get(f"item_reason_{i}", ""),
              "form": values.get(f"item_form_{i}", "")} for i in range(ITEM_ROWS)]
    try:
        kind = ActionKind(values.get("kind", ""))
        if kind == ActionKind.supplement:
            raise ValueError
    except ValueError:
        return _decision_page(request, session, user, application, step, values, {"kind": "请选择审查决定"}, 422)
    try:
        action = human_actions.record_action(session, user, step, kind, reasons=values.get("reasons", ""),
                                             items=items, justification=values.get("justification", ""),
                                             design_scheme_id=parse_id(values.get("design_scheme_id")))
    except (human_actions.ActionError, DesignSchemeError) as error:
        session.rollback()
        return _decision_page(request, session, user, application, step, values, {error.field: error.message},
                              error.status)
    session.commit()
    enqueue_continue(step.application_id, stored_id(action))
    return RedirectResponse(f"/applications/{application_id}?acted={action.id}", status_code=303)


def _decision_page(request, session, user, application, step, values, errors, status_code=200):
    view = dashboard.application_view(session, application)
    return page(request, "decision.html", status_code=status_code, user=user, view=view, step=step,
                values=values, errors=errors, item_rows=ITEM_ROWS,
                choice_labels=CHOICE_LABELS | human_actions.action_labels(session, step),
                allowed=human_actions.allowed_actions(session, step),
                may_decide=human_actions.may_decide(user, step),
                waits_on=human_actions.awaiting(session, step),
                earlier_requests=[a for a in view.actions_on(step) if a.kind == ActionKind.request_supplement],
                schemes=design_schemes.version_views(session, application.id)
                if design_scheme_decisions.reviews_scheme(application, step) else None)


@router.post("/applications/{application_id}/steps/{step_key}/files", dependencies=[Csrf])
async def upload_files(request: Request, session: SessionDep, user: PageUser, application_id: Id,
                       step_key: StepKey):
    """One or more files for one 补正 item (multipart); stays on the application page."""
    permit(user, Resource.step, Action.supplement, APPLICANT_STEPS_ONLY)
    form = await request.form()
    application, step = _readable_step(session, user, application_id, step_key)
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    try:
        index = int(str(form.get("item_index", "")))
    except ValueError:
        index = -1
    reuse = parse_id(str(form.get("reuse_id", "") or ""))  # 材料库: a file of the enterprise's uploaded before
    error = None
    if not files and reuse is None:
        error = human_actions.ActionError("files", "请选择要上传的文件，或从材料库中选用")
    try:
        if error:
            raise error
        if reuse is not None:
            uploads.reuse_attachment(session, user, step, index, reuse)
        for upload in files:
            data = await upload.read()
            uploads.save_attachment(session, user, step, index, upload.filename or "", upload.content_type or "",
                                    data)
    except human_actions.ActionError as failure:
        session.rollback()
        view = dashboard.application_view(session, application)
        return page(request, "application.html", status_code=422, user=user, view=view,
                    upload_error={"item": index, "message": failure.message}, **page_extras(session, user, view))
    session.commit()
    return RedirectResponse(f"/applications/{application_id}#supplement", status_code=303)


@router.post("/applications/{application_id}/steps/{step_key}/supplement", dependencies=[Csrf])
def submit_supplement(request: Request, session: SessionDep, user: PageUser, application_id: Id, step_key: StepKey):
    permit(user, Resource.step, Action.supplement, APPLICANT_STEPS_ONLY)
    application, step = _readable_step(session, user, application_id, step_key)
    try:
        action = human_actions.record_action(session, user, step, ActionKind.supplement)
    except human_actions.ActionError as failure:
        session.rollback()
        view = dashboard.application_view(session, application)
        return page(request, "application.html", status_code=failure.status, user=user, view=view,
                    upload_error={"item": None, "message": failure.message}, **page_extras(session, user, view))
    session.commit()
    enqueue_continue(step.application_id, stored_id(action))
    return RedirectResponse(f"/applications/{application_id}?acted={action.id}", status_code=303)


@router.get("/attachments/{attachment_id}")
def download_attachment(session: SessionDep, user: PageUser, attachment_id: Id):
    attachment = session.get(Attachment, attachment_id)
    if attachment is None or visibility.get_readable_application(session, user, attachment.application_id) is None:
        raise HTTPException(status_code=404, detail="未找到该文件，或您无权查看")
    content = file_store.store(session, "uploads").get(attachment.path)
    if content is None:
        log.error("attachment %s (%s) is missing from the file store", attachment.id, attachment.path)
        raise HTTPException(status_code=404, detail="文件已丢失，请联系服务中心")
    quoted = quote(attachment.filename)  # the Content-Disposition FileResponse sent when files were on disk
    disposition = f'attachment; filename="{attachment.filename}"' if quoted == attachment.filename \
        else f"attachment; filename*=utf-8''{quoted}"
    return Response(content, media_type=uploads.media_type(attachment),
                    headers={"Content-Disposition": disposition})


def _land_to_start_extras(session: Session, application: Application, may_act: bool) -> dict | None:
    """拿地即开工: the Gantt chart, the time from contract to permits, what a lost listing means, and the
    设计方案 versions with the approved one (the 出让公告附件)."""
    if application.process_key != land_to_start.PROCESS_KEY:
        return None
    today = clock.today()
    plan = timeline.timeline(session, application, today)
    svg = gantt.gantt_html(plan.bars, today=today, title=f"{application.case_no} 办理进度",
                          expected_end=plan.expected_end)
    return {"gantt": Markup(svg),  # built from escaped text in services.charts.gantt
            "expected_end": plan.expected_end, "critical": plan.critical,
            "contract_to_permits": land_to_start.contract_to_permits_days(session, application),
            "today_iso": today.isoformat(),
            "withheld": land_to_start.withheld_notice(session, application),
            **_scheme_extras(session, application, may_act)}


def _scheme_extras(session: Session, application: Application, may_act: bool) -> dict:
    """带设计方案出让: every version (files, decisions), the approved one, and the upload form's needs."""
    may_upload = may_act and application.status not in design_schemes.ENDED
    return {"schemes": design_schemes.version_views(session, stored_id(application)),
            "approved_scheme": design_scheme_decisions.approved(session, stored_id(application)),
            "may_upload_scheme": may_upload, "scheme_key": str(uuid.uuid4()),
            "scheme_materials": materials.library(session, application.enterprise_id) if may_upload else []}


def _first_document(definition: ProcessDefinition) -> tuple[str, str] | None:
    """(step name, document title) of the first document the process issues: what the case page promises while
    it has none (a 拿地即开工 case starts with a 风险承诺书, not a 受理通知书)."""
    issuing = definition.issuing_steps()
    if not issuing:
        return None
    step_key, kind = issuing[0]
    return definition.step(step_key).name, documents_registry.get_kind(kind).title


def page_extras(session: Session, user: User, view: dashboard.ApplicationView) -> dict:
    """What the application page needs besides the view: which human steps this user may act on."""
    definition = get_definition(view.application.process_key, view.application.process_version)
    may_act = agency.may_act_for(session, user, view.application)
    return {"definition": definition,
            "first_document": _first_document(definition),
            "runs": read_case_runs(view.application, view.steps, definition) if user.role.is_staff else None,
            "may_act": may_act,
            "case_due": committed_due(session, view.application),
            "supplement_due": decisions.supplement_due(session, view.open_request) if view.open_request else None,
            "land": _land_to_start_extras(session, view.application, may_act),
            "deciding": {s.key for s in view.steps if s.kind == "human" and human_actions.may_decide(user, s)
                         and human_actions.awaiting(session, s) == "department"},
            "today": clock.today(), **_escalation_extras(session, user, view),
            "materials": materials.library(session, view.application.enterprise_id)
            if view.open_request and may_act else []}


def _escalation_extras(session: Session, user: User, view: dashboard.ApplicationView) -> dict:
    """The case's 督办 for those who read them, and which of them this user replies to or judges."""
    if not allowed(user, Resource.escalation, Action.read):
        return {"escalations": [], "replying": set(), "judging": False}
    found = replies.case_escalations(session, stored_id(view.application), clock.today())
    return {"escalations": found, "replying": {e.step.id for e in found if replies.may_reply(user, e.step)},
            "judging": replies.may_judge(user)}
