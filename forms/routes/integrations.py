"""接口令牌 for administrators: list, make (the token shown once) and revoke the tokens other systems call the
API with. What a token may do is decided in ``services.integrations.tokens``."""

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse

from forms.deps import AdminUser, SessionDep
from forms.params import Id
from forms.security import verify_csrf
from forms.web import page, posted_lists
from services.core import clock
from services.integrations import tokens
from services.models import User

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)


@router.get("/admin/tokens")
def token_list(request: Request, session: SessionDep, admin: AdminUser):
    return _page(request, session, admin, {"request_key": str(uuid.uuid4())}, {})


@router.post("/admin/tokens/new", dependencies=[Csrf])
def create_token(request: Request, session: SessionDep, admin: AdminUser,
                 posted: Annotated[dict[str, list[str]], Depends(posted_lists)]):
    first = {key: values[0] for key, values in posted.items()}
    values = first | {"scopes": posted.get("scopes", [])}
    expires_on = None
    errors: dict[str, str] = {}
    if first.get("expires_on", "").strip():
        try:
            expires_on = date.fromisoformat(first["expires_on"].strip())
        except ValueError:
            errors["expires_on"] = "有效期请按“年-月-日”填写，例如 2027-12-31"
    if not errors:
        try:
            row, token = tokens.create(session, admin, name=first.get("name", ""), username=first.get("username", ""),
                                       scopes=posted.get("scopes", []), expires_on=expires_on,
                                       request_key=first.get("request_key", "").strip()[:64] or None)
        except tokens.TokenError as error:
            session.rollback()
            errors = error.errors or {"name": error.message}
    if errors:
        return _page(request, session, admin, values, errors, status_code=422)
    session.commit()
    return page(request, "admin_token_shown.html", user=admin, row=row, token=token, scopes=tokens.SCOPES)


@router.post("/admin/tokens/{token_id}/revoke", dependencies=[Csrf])
def revoke_token(session: SessionDep, admin: AdminUser, token_id: Id):
    tokens.revoke(session, admin, token_id)  # an unknown id: 404 (forms.refusals)
    session.commit()
    return RedirectResponse(f"/admin/tokens#token-{token_id}", status_code=303)


def _page(request: Request, session, admin: User, values: dict, errors: dict, status_code: int = 200):
    return page(request, "admin_tokens.html", status_code=status_code, user=admin, rows=tokens.listing(session),
                scopes=tokens.SCOPES, values=values, errors=errors, now=clock.now())
