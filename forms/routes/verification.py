"""Pages for 对标验收 / 达产复核: the park records actual values; the system compares and reports."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from forms.deps import SessionDep, StaffUser
from forms.params import Id
from forms.security import verify_csrf
from forms.web import page, posted_form
from services.core import text, visibility
from services.standard_land.verification import (
    CHECKPOINTS,
    VerificationError,
    VerificationInput,
    checked_indicators,
    may_verify,
    record_verification,
)
from services.supervision import dashboard

router = APIRouter(include_in_schema=False)


def _application(session, user, application_id: int):
    application = visibility.get_readable_application(session, user, application_id)
    if application is None:
        raise HTTPException(status_code=404, detail="未找到该申请，或您无权查看")
    if not may_verify(user):
        raise HTTPException(status_code=403, detail="只有园区管委会（监管方）工作人员可以录入核验结果")
    return application


@router.get("/applications/{application_id}/verification")
def verification_form(request: Request, session: SessionDep, user: StaffUser, application_id: Id,
                      checkpoint: str = "completion"):
    application = _application(session, user, application_id)
    checkpoint = checkpoint if checkpoint in CHECKPOINTS else "completion"
    return _form(request, session, user, application, {"checkpoint": checkpoint}, {})


@router.post("/applications/{application_id}/verification", dependencies=[Depends(verify_csrf)])
def record(request: Request, session: SessionDep, user: StaffUser, application_id: Id,
           values: Annotated[dict[str, str], Depends(posted_form)]):
    application = _application(session, user, application_id)
    checkpoint = values.get("checkpoint", "completion")
    if checkpoint not in CHECKPOINTS:
        checkpoint = "completion"
    key = values.get("idempotency_key") or str(uuid.uuid4())
    raw = {"checkpoint": checkpoint, "measured_on": values.get("measured_on", "").strip() or None,
           "actual": {k.removeprefix("actual_"): v.strip() for k, v in values.items()
                      if k.startswith("actual_") and v.strip()},
           "evidence": [line.strip() for line in values.get("evidence", "").splitlines() if line.strip()]}
    try:
        data = VerificationInput.model_validate(raw)
        record_verification(session, user, application_id, data, key)
    except ValidationError as error:
        return _form(request, session, user, application, values, _errors(error, session, application_id,
                                                                           checkpoint), 422)
    except VerificationError as error:
        session.rollback()
        return _form(request, session, user, application, values, {error.field: error.message}, 422)
    session.commit()
    return RedirectResponse(f"/applications/{application_id}#verification", status_code=303)


def _errors(error: ValidationError, session, application_id: int, checkpoint: str) -> dict[str, str]:
    names = {i["code"]: i["name_zh"] for i in checked_indicators(session, application_id, checkpoint)}
    messages: dict[str, str] = {}
    for item in error.errors():
        loc = [str(x) for x in item["loc"]]
        if loc[0] == "actual" and len(loc) > 1:
            messages.setdefault(f"actual.{loc[1]}", f"{names.get(loc[1], loc[1])}的实际值请填写不小于0的数字")
        elif loc[0] == "measured_on":
            messages.setdefault("measured_on", "请填写有效的核验日期，如2028-07-15")
        elif loc[0] == "evidence":
            line = f"第{int(loc[1]) + 1}行核验依据" if len(loc) > 1 else "核验依据"
            messages.setdefault("evidence", (len(loc) > 1 and text.message_zh(line, item))
                                or "请逐行列明核验依据（如税务部门完税证明、专项审计报告），至少一项")
        else:
            messages.setdefault(loc[0], "填写有误")
    return messages


def _form(request, session, user, application, values, errors, status_code=200):
    checkpoint = values.get("checkpoint", "completion")
    return page(request, "verification.html", status_code=status_code, user=user,
                view=dashboard.application_view(session, application), checkpoint=checkpoint,
                checkpoints=CHECKPOINTS, indicators=checked_indicators(session, application.id, checkpoint),
                values=values, errors=errors, idempotency_key=values.get("idempotency_key") or str(uuid.uuid4()))
