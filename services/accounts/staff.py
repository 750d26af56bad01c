"""Staff accounts (工作人员账户) as an administrator (系统管理员) keeps them: create, change department and role,
deactivate, reset a password, see and end sign-ins. Every change is audited; a change that would lock the
park out (its last active administrator deactivated or demoted) is refused.

An administrator hands out an initial password, shown once; the account must choose its own at the first
sign-in (``must_change_password``). Enterprise accounts are not made here: enterprises register themselves.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.accounts import passwords
from services.cases.processes import get_definition, known_process_keys
from services.core import audit, clock, sign_in_sessions, text
from services.core.errors import DomainError
from services.core.ids import stored_id
from services.core.users import hash_password, verify_password
from services.models import AuditEvent, Role, SignInSession, User

STAFF_ROLES = (Role.agent, Role.reviewer, Role.supervisor)
USERNAME = re.compile(r"[a-z][a-z0-9_.-]{2,31}")
FIELD_LABELS = {"username": "用户名", "display_name": "姓名", "role": "角色", "department": "所属部门",
                "phone": "联系电话", "email": "电子邮箱", "is_admin": "系统管理员",
                "current_password": "当前密码", "new_password": "新密码", "new_password_again": "确认新密码"}
FORM_ORDER = list(FIELD_LABELS)
PHONE = re.compile(r"[0-9+\-() ]{5,32}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PAGE_SIZE = 50
RECENT = timedelta(minutes=10)


class AccountError(DomainError):
    """A refused account change, with every field found wrong (``errors``) in Chinese."""


@dataclass(frozen=True)
class StaffInput:
    """What an administrator sets on a staff account (the username is set once, at creation)."""

    display_name: str
    role: Role
    department: str
    phone: str | None = None
    email: str | None = None
    is_admin: bool = False


def departments(session: Session) -> list[str]:
    """The departments a staff member can belong to: every department a process step is handled by (a
    reviewer's queue is the open steps of their department), and any a current account already names."""
    named = {step.department for key in known_process_keys() for step in get_definition(key).steps
             if step.kind != "applicant"}
    named |= {d for d in session.exec(select(User.department)).all() if d}
    return sorted(d for d in named if d)


def read_username(session: Session, value: str) -> str:
    """A new account's username: 3–32 lower-case letters, digits, ``_ . -``, starting with a letter; unused."""
    username = value.strip().lower()
    if not username:
        raise AccountError("请填写用户名", field="username")
    if not USERNAME.fullmatch(username):
        raise AccountError("用户名须为3至32位小写英文字母、数字或“_ . -”，以字母开头", field="username")
    if session.exec(select(User.id).where(func.lower(User.username) == username)).first() is not None:
        raise AccountError(f"用户名“{username}”已被使用，请换一个", field="username")
    return username


def read_staff(session: Session, values: dict[str, str]) -> StaffInput:
    """The form's fields checked all at once: ``AccountError`` names every wrong field."""
    errors: dict[str, str] = {}

    def cleaned(name: str, max_length: int, required: bool) -> str:
        try:
            return text.clean(values.get(name, ""), label=FIELD_LABELS[name], max_length=max_length,
                              min_length=1 if required else 0)
        except DomainError as error:
            errors[name] = error.message
            return ""
    display_name = cleaned("display_name", 64, True)
    role = next((r for r in STAFF_ROLES if r.value == values.get("role", "")), None)
    if role is None:
        errors["role"] = "请选择角色（代办专员、部门审查员或督办管理员）"
    department = values.get("department", "").strip()
    if not department:
        errors["department"] = "请选择所属部门"
    elif department not in departments(session):
        errors["department"] = "所属部门须从列表中选择"
    phone, email = cleaned("phone", 32, False), cleaned("email", 128, False)
    if phone and not PHONE.fullmatch(phone):
        errors["phone"] = "联系电话只能包含数字、空格和“+ - ( )”"
    if email and not EMAIL.fullmatch(email):
        errors["email"] = "电子邮箱格式不正确，如 name@example.gov.cn"
    if errors:
        raise AccountError("账户信息有误，请按提示修改", errors=errors)
    assert role is not None
    return StaffInput(display_name, role, department, phone or None, email or None,
                      values.get("is_admin") in ("1", "on", "true"))


def read_new_staff(session: Session, values: dict[str, str]) -> tuple[str, StaffInput]:
    """A new account's username and fields, every wrong one named at once."""
    errors: dict[str, str] = {}
    username, data = "", None
    try:
        username = read_username(session, values.get("username", ""))
    except AccountError as error:
        errors |= error.errors
    try:
        data = read_staff(session, values)
    except AccountError as error:
        errors |= error.errors
    if errors or data is None:
        raise AccountError("账户信息有误，请按提示修改", errors=errors)
    return username, data


def create_staff(session: Session, actor: User | None, username: str, data: StaffInput,
                 password: str | None = None) -> tuple[User, str]:
    """A new staff account and its initial password (shown to the administrator once). ``password`` is one
    the person chose themselves (the first administrator, on the command line): no change is then asked."""
    initial = password or passwords.initial_password()
    user = User(username=username, password_hash=hash_password(initial), display_name=data.display_name,
                role=data.role, department=data.department, phone=data.phone, email=data.email,
                is_admin=data.is_admin, must_change_password=password is None, created_at=clock.now())
    try:
        with session.begin_nested():  # two administrators creating the same name: the second is told so
            session.add(user)
            session.flush()
    except IntegrityError:
        raise AccountError(f"用户名“{username}”已被使用，请换一个", field="username", status=409) from None
    audit.record(session, "user.created", actor=actor, entity="user", entity_id=stored_id(user),
                 actor_label=None if actor else "command line", detail=_described(user))
    return user, initial


def created_moments_ago(session: Session, actor: User, username: str) -> User | None:
    """The account ``actor`` created under this name in the last few minutes: a form posted twice (a double
    click, a reload) finds the account its first post made instead of a bare "name taken"."""
    user = session.exec(select(User).where(func.lower(User.username) == username.strip().lower())).first()
    if user is None or user.created_at < clock.now() - RECENT:
        return None
    made_by = session.exec(select(AuditEvent.actor_id).where(AuditEvent.action == "user.created",
                                                             AuditEvent.entity_id == str(user.id))).first()
    return user if made_by == actor.id else None


def update_staff(session: Session, actor: User, user: User, data: StaffInput) -> dict[str, Any]:
    """Change name, role, department, contact and the administrator flag; returns what changed."""
    _staff_only(user)
    if user.is_admin and not data.is_admin:
        _keep_an_administrator(session, user, "取消其系统管理员身份")
    before = _described(user)
    for name in ("display_name", "role", "department", "phone", "email", "is_admin"):
        setattr(user, name, getattr(data, name))
    session.add(user)
    session.flush()
    changed = {k: [before[k], v] for k, v in _described(user).items() if before[k] != v}
    if changed:
        audit.record(session, "user.updated", actor=actor, entity="user", entity_id=stored_id(user), detail=changed)
    return changed


def set_active(session: Session, actor: User, user: User, active: bool) -> None:
    """Deactivate (every sign-in of the account ends at once) or reactivate an account."""
    _staff_only(user)
    if user.is_active == active:
        return
    if not active:
        if user.id == actor.id:
            raise AccountError("不能停用自己的账户", status=409)
        _keep_an_administrator(session, user, "停用")
        sign_in_sessions.revoke_all(session, stored_id(user))
    user.is_active = active
    session.add(user)
    audit.record(session, "user.activated" if active else "user.deactivated", actor=actor, entity="user",
                 entity_id=stored_id(user))


def reset_password(session: Session, actor: User | None, user: User) -> str:
    """A new initial password (shown once) that must be changed at the next sign-in; every sign-in ends."""
    initial = passwords.initial_password()
    user.password_hash, user.must_change_password = hash_password(initial), True
    session.add(user)
    sign_in_sessions.revoke_all(session, stored_id(user))
    audit.record(session, "user.password_reset", actor=actor, entity="user", entity_id=stored_id(user),
                 actor_label=None if actor else "command line")
    return initial


def change_own_password(session: Session, user: User, current: str, new: str, again: str,
                        keep_session: int | None = None) -> None:
    """The account's holder chooses a new password; every other sign-in of the account ends."""
    errors: dict[str, str] = {}
    if not verify_password(current, user.password_hash):
        errors["current_password"] = "当前密码不正确"
    if problem := passwords.problem(new, username=user.username):
        errors["new_password"] = problem
    elif new != again:
        errors["new_password_again"] = "两次输入的新密码不一致"
    elif verify_password(new, user.password_hash):
        errors["new_password"] = "新密码不能与当前密码相同"
    if errors:
        raise AccountError("密码未修改，请按提示更正", errors=errors)
    user.password_hash, user.must_change_password = hash_password(new), False
    session.add(user)
    ended = sign_in_sessions.revoke_all(session, stored_id(user), keep=keep_session)
    audit.record(session, "user.password_changed", actor=user, entity="user", entity_id=stored_id(user),
                 detail={"other_sign_ins_ended": ended})


def live_sign_ins(session: Session, user_id: int) -> list[SignInSession]:
    """The account's sign-ins that still let someone in, newest first."""
    now = clock.now()
    rows = session.exec(select(SignInSession).where(SignInSession.user_id == user_id,
                                                    col(SignInSession.revoked_at).is_(None))
                        .order_by(col(SignInSession.created_at).desc())).all()
    return [r for r in rows if r.created_at + sign_in_sessions.lifetime(r.kind) > now]


def end_sign_in(session: Session, actor: User, user: User, sign_in_id: int) -> bool:
    """End one sign-in of the account (a lost phone, a shared computer); False when it had ended already."""
    record = session.get(SignInSession, sign_in_id)
    if record is None or record.user_id != user.id or record.revoked_at is not None:
        return False
    record.revoked_at = clock.now()
    session.add(record)
    audit.record(session, "user.sign_in_ended", actor=actor, entity="user", entity_id=stored_id(user),
                 detail={"sign_in": sign_in_id, "kind": record.kind})
    return True


def staff_page(session: Session, q: str = "", role: str = "", page: int = 1) -> tuple[list[User], int]:
    """Staff accounts matching a search (username, name, department, phone) and a role; one page and the total."""
    stmt = select(User).where(col(User.role).in_(STAFF_ROLES))
    if q.strip():
        like = f"%{q.strip()[:64]}%"
        stmt = stmt.where(or_(col(User.username).ilike(like), col(User.display_name).ilike(like),
                              col(User.department).ilike(like), col(User.phone).ilike(like)))
    if role in {r.value for r in STAFF_ROLES}:
        stmt = stmt.where(User.role == role)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(col(User.is_active).desc(), col(User.department), col(User.username))
                        .offset((max(page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)).all()
    return list(rows), total


def _staff_only(user: User) -> None:
    if user.role not in STAFF_ROLES:
        raise AccountError("企业账户由企业自行管理，不能在此修改", status=403)


def _keep_an_administrator(session: Session, user: User, what: str) -> None:
    others = session.exec(select(func.count()).select_from(User).where(
        col(User.is_admin), col(User.is_active), col(User.id) != user.id)).one()
    if not others:
        raise AccountError(f"这是最后一个有效的系统管理员账户，不能{what}；请先指定另一位系统管理员", status=409)


def _described(user: User) -> dict[str, Any]:
    return {"username": user.username, "display_name": user.display_name, "role": user.role.value,
            "department": user.department, "phone": user.phone, "email": user.email, "is_admin": user.is_admin}
