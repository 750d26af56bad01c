"""督办 pages: one 督办通知 of a case with its written replies; the department replies on it, a supervisor accepts or
rejects the reply (``services.supervision.replies``)."""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session, col, select

from forms.deps import ESCALATION_READERS_ONLY, PageUser, SessionDep, permit
from forms.errors import field_errors
from forms.params import Id
from forms.security import verify_csrf
from forms.web import page, posted_form
from services.core import clock
from services.core.access import Action, Resource
from services.core.errors import DomainError
from services.core.ids import stored_id
from services.models import Application, Escalation, EscalationReply, User
from services.supervision import dashboard, replies

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)


def _escalation(session: Session, user: User, application_id: int, escalation_id: int
                ) -> tuple[Application, Escalation]:
    found = replies.readable_escalation(session, user, escalation_id)
    if found is None or found[1].id != application_id:
        raise HTTPException(status_code=404, detail="未找到该督办通知，或您无权查看")
    return found[1], found[0]


@router.get("/applications/{application_id}/escalations/{escalation_id}")
def escalation_page(request: Request, session: SessionDep, user: PageUser, application_id: Id, escalation_id: Id):
    permit(user, Resource.escalation, Action.read, ESCALATION_READERS_ONLY)
    application, escalation = _escalation(session, user, application_id, escalation_id)
    return _page(request, session, user, application, escalation)


@router.post("/applications/{application_id}/escalations/{escalation_id}/reply", dependencies=[Csrf])
def file_reply(request: Request, session: SessionDep, user: PageUser, application_id: Id, escalation_id: Id,
               values: Annotated[dict[str, str], Depends(posted_form)]):
    permit(user, Resource.escalation, Action.write, "只有被督办部门的审查人员可以书面回复督办通知")
    application, escalation = _escalation(session, user, application_id, escalation_id)
    data: replies.ReplyInput | None = None
    try:
        data = replies.ReplyInput.model_validate({key: values.get(key, "") for key in ("reason", "measures")}
                                                 | {"promised_on": values.get("promised_on") or None})
        replies.file_reply(session, user, escalation, data)
    except ValidationError as error:
        return _page(request, session, user, application, escalation, values,
                     field_errors(error, replies.FIELD_LABELS), 422)
    except DomainError as error:
        session.rollback()
        if data is not None and replies.is_pending_repeat(session, user, escalation, data):
            # a second click of the same form: the reply it sent is stored and pending, so say so (not an error)
            return RedirectResponse(f"/applications/{application_id}/escalations/{escalation_id}?done=reply",
                                    status_code=303)
        return _page(request, session, user, application, escalation, values, error.errors, error.status)
    session.commit()
    return RedirectResponse(f"/applications/{application_id}/escalations/{escalation_id}?done=reply", status_code=303)



@router.post("/applications/{application_id}/escalations/{escalation_id}/replies/{reply_id}/verdict",
             dependencies=[Csrf])
def judge_reply(request: Request, session: SessionDep, user: PageUser, application_id: Id, escalation_id: Id,
                reply_id: Id, values: Annotated[dict[str, str], Depends(posted_form)]):
    permit(user, Resource.escalation, Action.decide, "只有督办管理员可以审核督办回复")
    application, escalation = _escalation(session, user, application_id, escalation_id)
    reply = session.get(EscalationReply, reply_id)
    if reply is None or reply.escalation_id != escalation.id:
        raise HTTPException(status_code=404, detail="未找到该书面回复")
    verdict = values.get("verdict", "")
    if verdict not in ("accept", "reject"):
        return _page(request, session, user, application, escalation, values, {"accept": "请选择接受或不予接受"}, 422)
    try:
        data = replies.VerdictInput.model_validate({"accept": verdict == "accept",
                                                    "reason": values.get("verdict_reason", "")})
        replies.judge(session, user, reply, data)
    except ValidationError as error:
        errors = {"verdict_reason" if k == "reason" else k: v for k, v in field_errors(
            error, replies.FIELD_LABELS | {"reason": replies.FIELD_LABELS["verdict_reason"]}).items()}
        return _page(request, session, user, application, escalation, values, errors, 422)
    except DomainError as error:
        session.rollback()
        return _page(request, session, user, application, escalation, values, error.errors, error.status)
    session.commit()
    return RedirectResponse(f"/applications/{application_id}/escalations/{escalation_id}?done=verdict",
                            status_code=303)


def _page(request: Request, session: Session, user: User, application: Application, escalation: Escalation,
          values: dict[str, str] | None = None, errors: dict[str, str] | None = None, status_code: int = 200):
    view = dashboard.application_view(session, application)
    found = next(v for v in replies.case_escalations(session, application.id or 0, clock.today())
                 if v.escalation.id == escalation.id)
    people = {r.filed_by_id for r in found.replies} | {r.decided_by_id for r in found.replies if r.decided_by_id}
    authors = {stored_id(u): u.display_name for u in session.exec(select(User).where(col(User.id).in_(people)))}
    return page(request, "escalation.html", status_code=status_code, user=user, view=view, e=found, authors=authors,
                values=values or {}, errors=errors or {}, done=request.query_params.get("done", ""),
                may_reply=replies.may_reply(user, found.step) and found.state == "reply",
                may_judge=replies.may_judge(user) and found.state == "verdict", today=clock.today())
