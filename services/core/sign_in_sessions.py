"""Server-side sign-in sessions: a signed cookie or bearer token only *names* a session; this table decides.

The page cookie (Starlette's signed, client-side session) and the API bearer token each carry a random
token; the row with its SHA-256 says whose session it is, since when, from where, and whether it has
been revoked. Signing out revokes the row, so a cookie or token copied earlier stops working although
its signature is still valid. A session also ends after its lifetime (8 hours for pages, matching the
cookie, ``api_token_hours`` for tokens) whatever the client sends.

``last_seen_at`` is refreshed at most every few minutes, so ordinary page views do not write.
This module must not know about cookies or HTTP; ``forms.security`` does.
"""

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import and_, delete, or_, update
from sqlmodel import Session, col, select

from services.core import clock
from services.core.ids import stored_id
from services.core.settings import get_settings
from services.models import SignInSession, User

PAGE, API = "page", "api"
PAGE_LIFETIME = timedelta(hours=8)
SEEN_EVERY = timedelta(minutes=5)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def lifetime(kind: str) -> timedelta:
    return PAGE_LIFETIME if kind == PAGE else timedelta(hours=get_settings().api_token_hours)


def open_session(session: Session, user: User, *, kind: str, client_address: str = "",
                 user_agent: str = "") -> str:
    """Record a new sign-in and return its token (shown to the client once; only its hash is stored)."""
    token, now = secrets.token_urlsafe(32), clock.now()
    session.add(SignInSession(token_hash=_digest(token), user_id=stored_id(user), kind=kind, created_at=now,
                              last_seen_at=now, client_address=client_address[:64] or None,
                              user_agent=user_agent[:255] or None))
    session.flush()
    return token


def find_live(session: Session, token: str, *, kind: str) -> SignInSession | None:
    """The session this token names, if it is of this kind, not revoked and not past its lifetime."""
    record = session.exec(select(SignInSession).where(SignInSession.token_hash == _digest(token))).first()
    now = clock.now()
    if record is None or record.kind != kind or record.revoked_at is not None \
            or record.created_at + lifetime(kind) <= now:
        return None
    if record.last_seen_at + SEEN_EVERY <= now:
        record.last_seen_at = now
    return record


def revoke(session: Session, token: str) -> SignInSession | None:
    """End the session this token names (idempotent); returns it when this call revoked it."""
    record = session.exec(select(SignInSession).where(SignInSession.token_hash == _digest(token))).first()
    if record is None:
        return None
    revoked = session.exec(update(SignInSession)
                           .where(col(SignInSession.id) == record.id, col(SignInSession.revoked_at).is_(None))
                           .values(revoked_at=clock.now())).rowcount
    return record if revoked else None


def revoke_all(session: Session, user_id: int, keep: int | None = None) -> int:
    """End every live session of a user (pages and API tokens), e.g. when the account is disabled; ``keep``
    names one to leave alone (the page where the password was just changed)."""
    return session.exec(update(SignInSession)
                        .where(col(SignInSession.user_id) == user_id, col(SignInSession.revoked_at).is_(None),
                               col(SignInSession.id) != (keep or -1))
                        .values(revoked_at=clock.now())).rowcount


def purge_ended(session: Session) -> int:
    """Delete the rows that can no longer let anyone in (revoked, or past their lifetime), so the table
    holds live sign-ins rather than every sign-in ever made (who signed in and out stays in the audit
    trail). A cookie or token naming a deleted row is refused like one naming a revoked row."""
    now = clock.now()
    ended = or_(col(SignInSession.revoked_at).is_not(None),
                and_(col(SignInSession.kind) == PAGE, col(SignInSession.created_at) <= now - lifetime(PAGE)),
                and_(col(SignInSession.kind) != PAGE, col(SignInSession.created_at) <= now - lifetime(API)))
    return session.exec(delete(SignInSession).where(ended)).rowcount
