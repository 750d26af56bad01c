"""Session sign-in, CSRF tokens for every form post, and signed bearer tokens for the API.

Pages use Starlette's signed session cookie (HttpOnly, SameSite=Lax; Secure behind HTTPS), which
carries the user id, the token of a server-side sign-in session (``services.core.sign_in_sessions``: signing
out revokes it, so a copied cookie stops working) and a per-session CSRF token; each form post must send
the CSRF token back. Scripts use ``POST /api/v1/auth/token`` (OAuth2 password flow) and a time-limited
signed token, which also names a server-side session (``POST /api/v1/auth/logout`` revokes it).
"""

import hmac
import secrets

from fastapi import HTTPException, Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from services.core.settings import get_settings

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


def sign_in(request: Request, user_id: int, session_token: str) -> None:
    """A fresh session on sign-in (no fixation), naming its server-side record, with a new CSRF token."""
    request.session.clear()
    request.session["user_id"] = user_id
    request.session["sid"] = session_token
    request.session["csrf"] = secrets.token_urlsafe(32)


def client_address(request: Request) -> str:
    """The client's address as the ASGI server reports it (behind a proxy: run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else ""


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().effective_secret_key, salt="gc-api-token")


def issue_api_token(user_id: int, session_token: str) -> str:
    return _serializer().dumps({"uid": user_id, "sid": session_token})


def read_api_token(token: str) -> tuple[int, str] | None:
    """(user id, server-side session token) from a valid, unexpired token; tokens without a session are refused."""
    try:
        data = _serializer().loads(token, max_age=get_settings().api_token_hours * 3600)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int) or not isinstance(data.get("sid"), str):
        return None
    return data["uid"], data["sid"]
