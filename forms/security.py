"""Session sign-in, CSRF tokens for every form post, and signed bearer tokens for the API.

Pages use Starlette's signed session cookie (HttpOnly, SameSite=Lax; Secure behind HTTPS), which
carries the user id and a per-session CSRF token; each form post must send the token back.
Scripts use ``POST /api/v1/auth/token`` (OAuth2 password flow) and a time-limited signed token.
"""

import hmac
import secrets

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from services.settings import get_settings

CSRF_FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


async def verify_csrf(request: Request) -> None:
    """Dependency for every page POST: the form's token must match the session's."""
    form = await request.form()
    sent, expected = str(form.get(CSRF_FIELD, "")), request.session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        raise HTTPException(status_code=403, detail="页面已过期或请求来源不明，请刷新页面后重新提交")


def sign_in(request: Request, user_id: int) -> None:
    """A fresh session on sign-in (no fixation), with a new CSRF token."""
    request.session.clear()
    request.session["user_id"] = user_id
    request.session["csrf"] = secrets.token_urlsafe(32)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().effective_secret_key, salt="gc-api-token")


def issue_api_token(user_id: int) -> str:
    return _serializer().dumps({"uid": user_id})


def read_api_token(token: str) -> int | None:
    try:
        data = _serializer().loads(token, max_age=get_settings().api_token_hours * 3600)
    except (BadSignature, SignatureExpired):
        return None
    return data.get("uid")
