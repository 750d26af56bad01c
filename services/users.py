"""Accounts: password hashing (Argon2 via pwdlib), sign-in with failed-attempt throttling."""

from dataclasses import dataclass
from datetime import timedelta

from pwdlib import PasswordHash
from sqlalchemy import delete, func
from sqlmodel import Session, select

from services import clock
from services.models import LoginFailure, Role, User
from services.settings import get_settings

_hasher = PasswordHash.recommended()
_DUMMY_HASH = _hasher.hash("timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(
    session: Session, *, username: str, password: str, display_name: str, role: Role,
    enterprise_id: int | None = None, department: str | None = None, phone: str | None = None,
) -> User:
    user = User(username=username, password_hash=hash_password(password), display_name=display_name,
                role=role, enterprise_id=enterprise_id, department=department, phone=phone,
                created_at=clock.now())
    session.add(user)
    session.flush()
    return user


def get_by_username(session: Session, username: str) -> User | None:
    return session.exec(select(User).where(User.username == username)).first()


@dataclass(frozen=True)
class SignIn:
    user: User | None
    error: str = ""
    retry_after_seconds: int = 0


def authenticate(session: Session, username: str, password: str) -> SignIn:
    """Check a password; after too many recent failures refuse without checking.

    Returns a result rather than raising so the caller's commit keeps the failure record.
    """
    settings = get_settings()
    window_start = clock.now() - timedelta(minutes=settings.login_window_minutes)
    recent = session.exec(
        select(func.count(), func.min(LoginFailure.at))
        .where(LoginFailure.username == username, LoginFailure.at >= window_start)
    ).one()
    if recent[0] >= settings.login_max_failures:
        wait = int((recent[1] - window_start).total_seconds()) + 1
        minutes = max(1, -(-wait // 60))
        return SignIn(None, f"登录失败次数过多，请{minutes}分钟后再试", wait)
    user = get_by_username(session, username)
    ok = _hasher.verify(password, user.password_hash if user else _DUMMY_HASH)
    if not (user and ok and user.is_active):
        session.add(LoginFailure(username=username, at=clock.now()))
        return SignIn(None, "用户名或密码错误")
    session.execute(delete(LoginFailure).where(LoginFailure.username == username))
    return SignIn(user)
