"""Accounts: password hashing (Argon2 via pwdlib), sign-in with failed-attempt throttling."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from pwdlib import PasswordHash
from sqlmodel import Session, select

from services.core import clock, rate_limits, text
from services.core.settings import get_settings
from services.models import Role, User

log = logging.getLogger(__name__)
USERNAME_MAX = 64  # the column's length
_hasher = PasswordHash.recommended()
_DUMMY_HASH = _hasher.hash("timing-equaliser")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher.verify(password, password_hash)


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


def authenticate(session: Session, username: str, password: str, *, client_address: str = "") -> SignIn:
    """Check a password, counting the attempt first; refuse without checking once too many have failed.

    Two counters, each claimed atomically *before* the password is checked (``services.core.rate_limits``),
    so that parallel attempts cannot all slip past a count read earlier:

    - per account **and client address** (``login_max_failures``, default 5 in ``login_window_minutes``):
      the lock that stops guessing. A stranger who locks an account from their address does not lock the
      owner out, who signs in from another address;
    - per account from all addresses together (``login_account_max_failures``, default 100): a high
      ceiling against guessing spread over many addresses. Only failures count against it.

    A successful sign-in clears its account-and-address counter. Returns a result rather than raising;
    the counters are committed on their own, whatever the caller does with its transaction.
    """
    if not username or len(username) > USERNAME_MAX or text.problem(username):  # no account is named so:
        return SignIn(None, "用户名或密码错误")  # answered before any lookup (a NUL would fail in PostgreSQL)
    settings = get_settings()
    engine, window = session.get_bind().engine, timedelta(minutes=settings.login_window_minutes)
    pair_key, account_key = f"sign-in:{client_address}:{username}", f"sign-in-account:{username}"
    pair = rate_limits.claim(engine, pair_key, limit=settings.login_max_failures, window=window)
    if not pair.allowed:
        return SignIn(None, f"登录失败次数过多，请{pair.retry_after_minutes}分钟后再试", pair.retry_after_seconds)
    account = rate_limits.claim(engine, account_key, limit=settings.login_account_max_failures, window=window)
    if not account.allowed:
        log.warning("sign-in refused: account ceiling reached for %r", username)
        return SignIn(None, f"该账户近期登录失败次数过多，已暂停登录，请{account.retry_after_minutes}分钟后再试；"
                            "如非本人操作，请联系服务中心", account.retry_after_seconds)
    user = get_by_username(session, username)
    ok = _hasher.verify(password, user.password_hash if user else _DUMMY_HASH)
    if user and ok and not user.is_active and user.role == Role.enterprise and user.email_confirmed_at is None:
        return SignIn(None, f"账户尚未激活：请打开发送到{_masked(user.email)}的确认邮件中的链接；"
                            "没有收到可在登录页下方重新发送")  # told only to whoever knows the password
    if not (user and ok and user.is_active):
        return SignIn(None, "用户名或密码错误")
    rate_limits.reset(engine, pair_key)
    rate_limits.release(engine, account_key)
    return SignIn(user)


def _masked(email: str | None) -> str:
    """``li***@example.com``: enough for the owner to recognise the address."""
    local, _, domain = (email or "").partition("@")
    return f"{local[:2]}***@{domain}" if domain else "注册邮箱"
