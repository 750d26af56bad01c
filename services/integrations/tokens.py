"""接口令牌: an administrator gives another system a token that acts as one account (with that account's
visibility) and only for the scopes it names; it can be revoked at any time and may expire.

The token is shown once when made; only its SHA-256 is stored, with its first characters to tell tokens
apart. Making and revoking are audited; use is recorded as ``last_used_at`` (at most every 5 minutes).
"""

import hashlib
import secrets
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, func, select

from services.core import audit, clock, text
from services.core.errors import DomainError
from services.core.ids import stored_id
from services.models import IntegratorToken, User

PREFIX = "gci_"
#: scope → what it allows, as the administrator's page says it
SCOPES = {"cases:read": "查询案件、办理环节和文书", "cases:write": "提交申请、登记办理动作",
          "catalogue:read": "查询地块目录、区域评估和代办事项目录",
          "catalogue:write": "维护地块目录、区域评估和代办事项目录"}
SEEN_EVERY = timedelta(minutes=5)


class TokenError(DomainError):
    """A token that cannot be made or revoked; ``errors`` by field, in Chinese."""


def scope_for(method: str, path: str) -> str:
    """The scope an API request needs: the catalogues (parcels, regional assessments, 代办事项目录) have their own
    read and write scopes; reading cases (and the EIA classification, which writes nothing) needs ``cases:read``;
    anything else that writes needs ``cases:write``."""
    if path.startswith(("/api/v1/parcels", "/api/v1/assessments", "/api/v1/agency/items")):
        return "catalogue:read" if method in ("GET", "HEAD") else "catalogue:write"
    if method in ("GET", "HEAD") or path in ("/api/v1/eia/classify", "/api/v1/eia/questions"):
        return "cases:read"
    return "cases:write"


def create(session: Session, admin: User | None, *, name: str, username: str, scopes: list[str],
           expires_on: date | None, request_key: str | None = None) -> tuple[IntegratorToken, str | None]:
    """A new token for ``username``'s account; returns the row and the token (shown once). The same
    ``request_key`` from the same administrator returns the token made before, without the token (None)."""
    if request_key and admin is not None:
        text.check_key(request_key)
        earlier = session.exec(select(IntegratorToken).where(IntegratorToken.created_by_id == admin.id,
                                                             IntegratorToken.request_key == request_key)).first()
        if earlier is not None:
            return earlier, None
    errors: dict[str, str] = {}
    try:
        name = text.clean(name, label="系统名称", max_length=64, min_length=1)
    except text.TextError as error:
        errors["name"] = error.message
    account = session.exec(select(User).where(func.lower(User.username) == username.strip().lower())).first()
    if account is None or not account.is_active:
        errors["username"] = "请填写一个在用账户的用户名：令牌以该账户的身份和可见范围访问接口"
    unknown = [s for s in scopes if s not in SCOPES]
    if not scopes or unknown:
        errors["scopes"] = "请至少选择一项权限" if not scopes else "未知的权限：" + "、".join(unknown)
    if expires_on is not None and expires_on <= clock.today():
        errors["expires_on"] = "有效期须晚于今天；不填表示长期有效，直至吊销"
    if errors:
        raise TokenError("；".join(errors.values()), errors=errors)
    assert account is not None
    token = PREFIX + secrets.token_urlsafe(32)
    row = IntegratorToken(name=name, token_hash=_digest(token), prefix=token[:12], user_id=stored_id(account),
                          scopes=sorted(set(scopes)), created_by_id=admin.id if admin else None, created_at=clock.now(),
                          expires_at=datetime.combine(expires_on, time.max) if expires_on else None,
                          request_key=request_key or None)
    session.add(row)
    session.flush()
    audit.record(session, "integrator_token.created", actor=admin, actor_label=None if admin else "command line",
                 entity="integrator_token",
                 entity_id=stored_id(row), detail={"name": name, "account": account.username,
                                                   "scopes": row.scopes, "prefix": row.prefix})
    return row, token


def authenticate(session: Session, token: str) -> tuple[IntegratorToken, User] | None:
    """The live token and its account, or None (unknown, revoked, expired, or its account deactivated)."""
    row = session.exec(select(IntegratorToken).where(IntegratorToken.token_hash == _digest(token))).first()
    now = clock.now()
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if row.last_used_at is None or row.last_used_at + SEEN_EVERY <= now:
        row.last_used_at = now
    return row, user


def revoke(session: Session, admin: User | None, token_id: int) -> IntegratorToken:
    row = session.get(IntegratorToken, token_id)
    if row is None:
        raise TokenError("没有这个接口令牌", field="token", status=404)
    if row.revoked_at is None:  # revoking twice changes nothing and says so once
        row.revoked_at, row.revoked_by_id = clock.now(), admin.id if admin else None
        audit.record(session, "integrator_token.revoked", actor=admin, actor_label=None if admin else "command line",
                     entity="integrator_token",
                     entity_id=token_id, detail={"name": row.name, "prefix": row.prefix})
    return row


def listing(session: Session) -> list[tuple[IntegratorToken, str]]:
    """Every token, newest first, with the username it acts as."""
    rows = session.exec(select(IntegratorToken, User.username).join(User, col(User.id) == IntegratorToken.user_id)
                        .order_by(col(IntegratorToken.id).desc())).all()
    return [(token, username) for token, username in rows]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
