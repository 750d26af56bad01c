"""动态口令 (TOTP, RFC 6238): a second factor a person turns on with an authenticator app (微信/支付宝小程序,
Google Authenticator, 1Password …). Once on, a sign-in asks for the 6-digit code after the password.

A code is accepted once (the time step of the last accepted code is kept, claimed by a guarded UPDATE so two
requests with one code cannot both pass) and with a 30-second step either side for a phone's clock. An
administrator can turn it off for someone who lost their phone; every change is audited.
"""

import time
from datetime import timedelta

import pyotp
import segno
from sqlalchemy import or_, update
from sqlmodel import Session, col

from services.accounts.staff import AccountError
from services.core import audit, rate_limits
from services.core.ids import stored_id
from services.models import User

ISSUER = "绿色通道"
#: wrong codes one account may try in ``ATTEMPT_WINDOW`` before it must wait
MAX_ATTEMPTS, ATTEMPT_WINDOW = 5, timedelta(minutes=5)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG (no image file, no script)."""
    return segno.make(uri, error="m").svg_inline(scale=4, title="动态口令二维码")


def _step_of(secret: str, code: str) -> int | None:
    """The time step ``code`` belongs to (now, or one step either side), or None when it is not a code."""
    code = code.strip().replace(" ", "")
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now = int(time.time()) // totp.interval
    return next((step for step in (now, now - 1, now + 1) if totp.generate_otp(step) == code), None)


def turn_on(session: Session, user: User, secret: str, code: str) -> None:
    """Turn 动态口令 on with the secret the page showed, once the app's first code proves it was read."""
    if user.totp_secret:
        raise AccountError("动态口令已开启", status=409)
    try:
        step = _step_of(secret, code)
    except (ValueError, TypeError):  # a secret that is not base32: the form was tampered with
        step = None
    if step is None:
        raise AccountError("动态口令不正确：请输入手机应用中当前显示的6位数字", errors={"code": "动态口令不正确"})
    user.totp_secret, user.totp_last_step = secret, step
    session.add(user)
    audit.record(session, "user.totp_on", actor=user, entity="user", entity_id=stored_id(user))


def turn_off(session: Session, actor: User | None, user: User, code: str | None = None) -> None:
    """Turn it off: the holder proves it with a code; an administrator, or the command line (``actor`` None),
    needs none (a lost phone)."""
    if not user.totp_secret:
        return
    if actor is not None and actor.id == user.id and not verify(session, user, code or ""):
        raise AccountError("动态口令不正确，未关闭", errors={"code": "动态口令不正确"})
    user.totp_secret, user.totp_last_step = None, None
    session.add(user)
    audit.record(session, "user.totp_off", actor=actor, entity="user", entity_id=stored_id(user),
                 actor_label=None if actor else "command line",
                 detail={"by_administrator": actor is None or actor.id != user.id})


def verify(session: Session, user: User, code: str) -> bool:
    """Whether ``code`` is the account's current code, not used before; wrong codes are counted.

    The code is claimed in a transaction of its own, committed at once: it stays used whatever happens to the
    caller's transaction (and SQLite's single writer is not held by the caller meanwhile)."""
    if not user.totp_secret:
        return False
    engine = session.get_bind().engine
    attempts = rate_limits.claim(engine, f"totp:{user.id}", limit=MAX_ATTEMPTS, window=ATTEMPT_WINDOW)
    if not attempts.allowed:
        return False
    step = _step_of(user.totp_secret, code)
    if step is None:
        return False
    with Session(engine) as own:
        claimed = own.exec(update(User).where(
            col(User.id) == user.id, or_(col(User.totp_last_step).is_(None), col(User.totp_last_step) < step))
            .values(totp_last_step=step)).rowcount
        own.commit()
    if claimed:
        rate_limits.reset(engine, f"totp:{user.id}")
    return bool(claimed)
