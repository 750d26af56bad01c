"""Enterprises register themselves (企业注册) and reset a forgotten password by e-mail.

A registration creates the enterprise (one per 统一社会信用代码) and its first account, inactive until the
link e-mailed to it is opened: the address is the enterprise's, and nobody can hold a USCC they cannot
receive mail for. A password reset link works once (it names the password it replaces) and for an hour.
Links are signed with the platform's secret key (itsdangerous); nothing secret is stored. Without an SMTP
server (``GC_SMTP_HOST`` empty) there is no self-service: the pages say whom to call instead.
"""

from dataclasses import dataclass
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.accounts import passwords
from services.accounts.staff import EMAIL, PHONE, AccountError, read_username
from services.core import audit, clock, mail, rate_limits, sign_in_sessions, text, uscc
from services.core.errors import DomainError
from services.core.ids import stored_id
from services.core.settings import Settings, get_settings
from services.core.users import hash_password
from services.models import Enterprise, Role, User

CONFIRM_FOR, RESET_FOR = timedelta(hours=48), timedelta(hours=1)
LABELS = {"enterprise_name": "企业名称", "uscc": "统一社会信用代码", "legal_representative": "法定代表人",
          "contact_name": "联系人", "contact_phone": "联系电话", "email": "电子邮箱", "username": "用户名",
          "password": "密码", "password_again": "确认密码", "agree": "用户协议",
          "new_password": "新密码", "new_password_again": "确认新密码"}
FORM_ORDER = list(LABELS)
#: e-mails one client address may have sent per hour (sign-ups, resends, resets): no mail bombing
MAILS_PER_HOUR = 5


@dataclass(frozen=True)
class Registration:
    enterprise_name: str
    uscc: str
    legal_representative: str
    contact_name: str
    contact_phone: str
    email: str
    username: str
    password: str


def email_on(settings: Settings | None = None) -> bool:
    return bool((settings or get_settings()).smtp_host)


def read_registration(session: Session, values: dict[str, str]) -> Registration:
    """Every field of the 企业注册 form checked at once; ``AccountError`` names each wrong one."""
    errors: dict[str, str] = {}

    def cleaned(name: str, max_length: int) -> str:
        try:
            return text.clean(values.get(name, ""), label=LABELS[name], max_length=max_length, min_length=1)
        except DomainError as error:
            errors[name] = error.message
            return ""
    name, representative = cleaned("enterprise_name", 128), cleaned("legal_representative", 64)
    contact, phone, email = cleaned("contact_name", 64), cleaned("contact_phone", 32), cleaned("email", 128)
    code = uscc.validate(values.get("uscc", ""))
    if not code.valid:
        errors["uscc"] = code.reason
    elif session.exec(select(Enterprise.id).where(Enterprise.uscc == code.normalized)).first() is not None:
        errors["uscc"] = "该统一社会信用代码已注册。如需为本企业增加账户或忘记账户，请联系服务中心"
    if phone and not PHONE.fullmatch(phone):
        errors["contact_phone"] = "联系电话只能包含数字、空格和“+ - ( )”"
    if email and not EMAIL.fullmatch(email):
        errors["email"] = "电子邮箱格式不正确，如 name@example.com"
    username = ""
    try:
        username = read_username(session, values.get("username", ""))
    except AccountError as error:
        errors |= error.errors
    password = values.get("password", "")
    if problem := passwords.problem(password, username=username):
        errors["password"] = problem.replace("新密码", "密码")
    elif password != values.get("password_again", ""):
        errors["password_again"] = "两次输入的密码不一致"
    if values.get("agree") not in ("1", "on", "true"):
        errors["agree"] = "请阅读并同意用户协议"
    if errors:
        raise AccountError("注册信息有误，请按提示修改", errors=errors)
    return Registration(name, code.normalized, representative, contact, phone, email.lower(), username, password)


def register(session: Session, data: Registration, client_address: str = "") -> User:
    """The enterprise and its first account, inactive until its e-mail is confirmed. Two registrations of
    one USCC or one username at once: the second is told, nothing half-written."""
    now = clock.now()
    try:
        with session.begin_nested():
            enterprise = Enterprise(name=data.enterprise_name, uscc=data.uscc,
                                    legal_representative=data.legal_representative, contact_name=data.contact_name,
                                    contact_phone=data.contact_phone, created_at=now, updated_at=now)
            session.add(enterprise)
            session.flush()
            user = User(username=data.username, password_hash=hash_password(data.password),
                        display_name=f"{data.enterprise_name}（{data.contact_name}）"[:64], role=Role.enterprise,
                        enterprise_id=enterprise.id, phone=data.contact_phone, email=data.email, is_active=False,
                        created_at=now)
            session.add(user)
            session.flush()
    except IntegrityError:
        raise AccountError("该统一社会信用代码或用户名刚刚已被注册，请核对后重试", status=409,
                           errors={"uscc": "该统一社会信用代码或用户名刚刚已被注册"}) from None
    audit.record(session, "enterprise.registered", actor=user, entity="enterprise", entity_id=stored_id(enterprise),
                 detail={"uscc": data.uscc, "username": data.username, "client_address": client_address[:64]})
    return user


# ------------------------------------------------------------------------------------------ the links

def _signer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().effective_secret_key, salt=f"greenchannel-{purpose}")


def confirmation_link(user: User) -> str:
    token = _signer("confirm-email").dumps({"user": user.id, "email": user.email})
    return f"/register/confirm?token={token}"


def send_confirmation(user: User) -> str | None:
    """E-mail the confirmation link; the SMTP error as text, or None when it went out."""
    assert user.email, "a registration always has an address"
    return mail.send_now(get_settings(), to=user.email, title="请确认您的电子邮箱——产业项目绿色通道服务平台",
                         body=f"您好，{user.display_name}：\n\n您已在产业项目绿色通道服务平台注册企业账户"
                              f"（用户名 {user.username}）。请在48小时内打开下面的链接确认邮箱，确认后即可登录。"
                              "\n\n如非本人操作，请忽略本邮件。", link=confirmation_link(user))


def confirm(session: Session, token: str) -> User:
    """Open the account the link names; opening it twice is fine. ``AccountError`` for a bad or old link."""
    try:
        claims = _signer("confirm-email").loads(token, max_age=int(CONFIRM_FOR.total_seconds()))
    except SignatureExpired:
        raise AccountError("确认链接已超过48小时失效，请在登录页点击“重新发送确认邮件”", status=410) from None
    except BadSignature:
        raise AccountError("确认链接无效，请从邮件中完整复制链接", status=400) from None
    user = session.get(User, claims.get("user"))
    if user is None or user.email != claims.get("email") or user.role != Role.enterprise:
        raise AccountError("确认链接无效，请从邮件中完整复制链接", status=400)
    if user.email_confirmed_at is None:
        user.email_confirmed_at, user.is_active = clock.now(), True
        session.add(user)
        audit.record(session, "user.email_confirmed", actor=user, entity="user", entity_id=stored_id(user))
    return user


def awaiting_confirmation(session: Session, email: str) -> User | None:
    """The registered account at this address that has not confirmed it yet (for 重新发送)."""
    return session.exec(select(User).where(func.lower(User.email) == email.strip().lower()[:128],
                                           User.role == Role.enterprise,
                                           col(User.email_confirmed_at).is_(None))).first()


def reset_link(user: User) -> str:
    """Single use: the link names the end of the password hash it replaces."""
    token = _signer("reset-password").dumps({"user": user.id, "was": user.password_hash[-16:]})
    return f"/password/reset?token={token}"


def account_for_reset(session: Session, username_or_email: str) -> User | None:
    """The active account a 忘记密码 request names, by username or e-mail (None: say nothing more)."""
    wanted = username_or_email.strip().lower()[:128]
    if not wanted or text.problem(wanted):
        return None
    column = User.email if "@" in wanted else User.username
    return session.exec(select(User).where(func.lower(column) == wanted, User.is_active,
                                           col(User.email).is_not(None))).first()


def send_reset(user: User) -> str | None:
    assert user.email
    return mail.send_now(get_settings(), to=user.email, title="重置密码——产业项目绿色通道服务平台",
                         body=f"您好，{user.display_name}：\n\n"
                              f"有人（可能是您本人）请求重置账户 {user.username} 的密码。"
                              "请在1小时内打开下面的链接设置新密码，链接只能使用一次。\n\n如非本人操作，请忽略本邮件，"
                              "您的密码不会改变。", link=reset_link(user))


def user_of_reset(session: Session, token: str) -> User:
    """The account a reset link is for, while the link is fresh and unused; ``AccountError`` otherwise."""
    try:
        claims = _signer("reset-password").loads(token, max_age=int(RESET_FOR.total_seconds()))
    except SignatureExpired:
        raise AccountError("重置链接已超过1小时失效，请重新申请", status=410) from None
    except BadSignature:
        raise AccountError("重置链接无效，请从邮件中完整复制链接", status=400) from None
    user = session.get(User, claims.get("user"))
    if user is None or not user.is_active or user.password_hash[-16:] != claims.get("was"):
        raise AccountError("重置链接已使用过或已失效，请重新申请", status=410)
    return user


def reset_password(session: Session, token: str, new: str, again: str) -> User:
    """Set the new password through a reset link; every sign-in of the account ends."""
    user = user_of_reset(session, token)
    if problem := passwords.problem(new, username=user.username):
        raise AccountError(problem, errors={"new_password": problem})
    if new != again:
        raise AccountError("两次输入的新密码不一致", errors={"new_password_again": "两次输入的新密码不一致"})
    user.password_hash, user.must_change_password = hash_password(new), False
    session.add(user)
    sign_in_sessions.revoke_all(session, stored_id(user))
    audit.record(session, "user.password_reset_by_email", actor=user, entity="user", entity_id=stored_id(user))
    return user


def may_send_mail(session: Session, client_address: str) -> bool:
    """At most ``MAILS_PER_HOUR`` e-mails a client address may cause per hour."""
    return rate_limits.claim(session.get_bind().engine, f"mail:{client_address}", limit=MAILS_PER_HOUR,
                             window=timedelta(hours=1)).allowed
