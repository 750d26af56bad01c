"""统一身份认证 (single sign-on): the account a person signs in as when the park's OpenID Connect provider vouches
for them. The provider's claims decide the role, the department of staff and, for enterprises, the 统一社会信用代码;
they are read on every sign-in, so a person moved to another department at the provider moves here too.

The first sign-in makes the account (audited ``user.created`` with ``via: sso``); an enterprise is found by its
USCC or registered from the claims; a staff member's department must be one of the park's. Accounts made here
have no usable password (an administrator may give one). Nothing here speaks HTTP: ``forms.routes.sso`` does.
"""

import hashlib
import re
import secrets
from collections.abc import Mapping

from sqlmodel import Session, func, select

from services.accounts import staff
from services.core import audit, clock, text, uscc
from services.core.errors import DomainError
from services.core.ids import stored_id
from services.core.settings import Settings
from services.core.users import hash_password
from services.models import Enterprise, Role, User

#: what a role claim may say → the role
ROLE_NAMES = {**{role.value: role for role in Role}, **{role.label_zh: role for role in Role},
              "企业": Role.enterprise, "代办员": Role.agent, "审查员": Role.reviewer, "督办": Role.supervisor}
USERNAME_CHARS = re.compile(r"[^a-z0-9_.-]")


class SignOnRefused(DomainError):
    """The provider vouched for someone this park cannot let in (403), with the reason in Chinese."""

    status = 403


def account_for(session: Session, settings: Settings, claims: Mapping[str, object]) -> User:
    """The active account for these claims, made or brought up to date from them."""
    subject = str(claims.get("sub") or "").strip()
    if not subject:
        raise SignOnRefused("统一身份认证没有返回用户标识（sub），无法登录")
    key = f"{settings.oidc_issuer.rstrip('/')}|{subject}"[:255]
    role = _role(claims, settings)
    name = _text(claims.get("name") or claims.get("preferred_username") or subject, "姓名", 64)
    department = enterprise_id = None
    if role is Role.enterprise:
        enterprise_id = _enterprise(session, claims, settings, name)
    else:
        department = _department(session, claims, settings)
    user = session.exec(select(User).where(User.sso_subject == key)).first()
    if user is None:
        user = User(username=_free_username(session, claims, subject), password_hash=hash_password(
            secrets.token_urlsafe(32)), display_name=name, role=role, enterprise_id=enterprise_id,
            department=department, email=_email(claims), email_confirmed_at=clock.now(), sso_subject=key,
            created_at=clock.now())
        session.add(user)
        session.flush()
        audit.record(session, "user.created", actor=user, entity="user", entity_id=stored_id(user),
                     detail={"via": "sso", "role": role.value, "department": department,
                             "enterprise_id": enterprise_id})
        return user
    if not user.is_active:
        raise SignOnRefused("该账户已停用，请联系系统管理员")
    changed = {field: value for field, value in (("role", role), ("department", department),
                                                 ("enterprise_id", enterprise_id), ("display_name", name))
               if getattr(user, field) != value}
    if changed:
        for field, value in changed.items():
            setattr(user, field, value)
        audit.record(session, "user.updated", actor=user, entity="user", entity_id=stored_id(user),
                     detail={"via": "sso", **{k: getattr(v, "value", v) for k, v in changed.items()}})
    return user


def _role(claims: Mapping[str, object], settings: Settings) -> Role:
    said = str(claims.get(settings.oidc_role_claim) or "").strip()
    role = ROLE_NAMES.get(said) or ROLE_NAMES.get(said.lower())
    if role is None:
        raise SignOnRefused(f"统一身份认证没有提供可识别的角色（{settings.oidc_role_claim}：{said or '空'}），"
                            "请联系系统管理员")
    return role


def _department(session: Session, claims: Mapping[str, object], settings: Settings) -> str:
    department = _text(claims.get(settings.oidc_department_claim) or "", "部门", 64)
    known = staff.departments(session)
    if department not in known:
        raise SignOnRefused(f"部门“{department or '空'}”不是本园区的部门，请联系系统管理员核对统一身份认证中的部门")
    return department


def _enterprise(session: Session, claims: Mapping[str, object], settings: Settings, person: str) -> int:
    checked = uscc.validate(str(claims.get(settings.oidc_uscc_claim) or ""))
    if not checked.valid:
        raise SignOnRefused(f"统一身份认证提供的统一社会信用代码无效：{checked.reason}")
    found = session.exec(select(Enterprise).where(Enterprise.uscc == checked.normalized)).first()
    if found is not None:
        return stored_id(found)
    name = _text(claims.get(settings.oidc_enterprise_claim) or "", "企业名称", 128)
    if not name:
        raise SignOnRefused("统一身份认证没有提供企业名称，无法登记该企业")
    now = clock.now()
    enterprise = Enterprise(name=name, uscc=checked.normalized, legal_representative="（待补充）", contact_name=person,
                            contact_phone=_text(claims.get("phone_number") or "", "电话", 32), created_at=now,
                            updated_at=now)
    session.add(enterprise)
    session.flush()
    audit.record(session, "enterprise.registered", actor=None, actor_label="统一身份认证", entity="enterprise",
                 entity_id=stored_id(enterprise), detail={"uscc": enterprise.uscc, "via": "sso"})
    return stored_id(enterprise)


def _free_username(session: Session, claims: Mapping[str, object], subject: str) -> str:
    """A username in our rules from ``preferred_username`` or the e-mail's local part, made unique."""
    wanted = str(claims.get("preferred_username") or (_email(claims) or "").split("@")[0] or "").lower()
    base = USERNAME_CHARS.sub("", wanted)[:24]
    if not base or not base[0].isalpha():
        base = "sso" + hashlib.sha256(subject.encode()).hexdigest()[:8]
    candidate, n = base if len(base) >= 3 else base + "-sso", 1
    while session.exec(select(User.id).where(func.lower(User.username) == candidate)).first() is not None:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _email(claims: Mapping[str, object]) -> str | None:
    value = str(claims.get("email") or "").strip()
    return value[:128] if "@" in value else None


def _text(value: object, label: str, length: int) -> str:
    try:
        return text.clean(str(value), label=label, max_length=length)
    except text.TextError as error:
        raise SignOnRefused(f"统一身份认证提供的{error.message}") from None



