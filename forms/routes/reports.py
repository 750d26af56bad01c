"""On-demand 办理进度报告 from a case page (the weekly ones come from the scheduled flow)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse

from forms.deps import PageUser, SessionDep
from forms.params import Id
from forms.security import verify_csrf
from forms.web import posted_form
from services.core import text, visibility
from services.supervision import progress

router = APIRouter(include_in_schema=False)


@router.post("/applications/{application_id}/progress-report", dependencies=[Depends(verify_csrf)])
def generate(request: Request, session: SessionDep, user: PageUser, application_id: Id,
             values: Annotated[dict[str, str], Depends(posted_form)]):
    application = visibility.get_readable_application(session, user, application_id)
    if application is None:
        raise HTTPException(status_code=404, detail="未找到该申请，或您无权查看")
    key = values.get("idempotency_key", "").strip()[:40] or str(uuid.uuid4())  # a double click issues one
    try:
        text.check_key(key)  # "progress-" + 40 characters fit document.issue_key
    except text.TextError as error:
        raise HTTPException(status_code=422, detail=error.message) from None
    document = progress.issue_report(session, application, f"progress-{key}")
    session.commit()
    return RedirectResponse(f"/applications/{application_id}#document-{document.id}", status_code=303)
