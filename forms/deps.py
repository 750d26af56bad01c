"""Dependency aliases shared by pages and the API: the database session and the current user."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer
from sqlmodel import Session

from forms.security import read_api_token
from services.core import sign_in_sessions
from services.core.access import Action, Resource, allowed
from services.core.db import session_scope
from services.integrations import tokens as integrator_tokens
from services.models import Role, User
from services.supervision import notifications


def get_session() -> Iterator[Session]:
    """One transaction per request: committed when the handler returns, rolled back on error."""
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class SignedIn:
    """What the page header shows of the signed-in user."""

    display_name: str
    role: Role
    is_admin: bool = False


class LoginRequired(Exception):
    """Raised by page dependencies; the app turns it into a redirect to the sign-in page."""


class PasswordChangeRequired(Exception):
    """Raised for an account still on the initial password an administrator gave it: the app sends it to the
    page where it chooses its own, whatever page it asked for."""


#: the pages an account on its initial password may still open
PASSWORD_CHANGE_PATHS = ("/account/password", "/logout")


def page_user(request: Request, session: SessionDep) -> User:
    """The signed-in user, when the cookie names a live server-side session of that user; else sign out."""
    user_id, token = request.session.get("user_id"), request.session.get("sid")
    record = sign_in_sessions.find_live(session, token, kind=sign_in_sessions.PAGE) \
        if user_id and isinstance(token, str) else None
    user = session.get(User, user_id) if record is not None and record.user_id == user_id else None
    if user is None or not user.is_active:
        request.session.clear()  # a revoked, expired or unknown session is signed out
        raise LoginRequired()
    # error pages are rendered after the request's session has closed: keep a plain copy for their header
    request.state.user = SignedIn(user.display_name, user.role, user.is_admin)
    request.state.sign_in_id = record.id if record is not None else None
    if user.must_change_password and request.url.path not in PASSWORD_CHANGE_PATHS:
        raise PasswordChangeRequired()
    request.state.unread = notifications.unread_count(session, user)  # the 消息 badge in the header
    return user


def permit(user: User, resource: Resource, action: Action, refusal: str) -> None:
    """403 with ``refusal`` unless the access table (``services.core.access``) lets ``user`` do it."""
    if not allowed(user, resource, action):
        raise HTTPException(status_code=403, detail=refusal)


def staff_user(user: Annotated[User, Depends(page_user)]) -> User:
    if not user.role.is_staff:
        raise HTTPException(status_code=403, detail="仅限工作人员访问")
    return user


def admin_user(user: Annotated[User, Depends(page_user)]) -> User:
    """A system administrator (系统管理员): the only one who manages staff accounts."""
    permit(user, Resource.accounts, Action.manage, "仅限系统管理员访问：账户由系统管理员统一管理")
    return user


oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def api_user(request: Request, session: SessionDep, token: Annotated[str | None, Depends(oauth2)]) -> User:
    """The token's user, when the token is validly signed, unexpired and its server-side session not revoked; or,
    for an integrator's token (接口令牌, ``gci_…``), the account it acts as, when the token is live and holds the
    scope this request needs."""
    if token and token.startswith(integrator_tokens.PREFIX):
        return _integrator(request, session, token)
    claims = read_api_token(token) if token else None
    record = sign_in_sessions.find_live(session, claims[1], kind=sign_in_sessions.API) if claims else None
    user = session.get(User, claims[0]) if claims and record is not None and record.user_id == claims[0] else None
    if user is None or not user.is_active:
        raise HTTPException(status_code=401, detail="未登录或令牌已过期", headers={"WWW-Authenticate": "Bearer"})
    if user.must_change_password:
        raise HTTPException(status_code=403,
                            detail="该账户仍在使用管理员设置的初始密码：请先登录网页修改密码，再使用接口")
    return user


def api_permission(resource: Resource, action: Action, refusal: str):
    """The token's user, refused (403) unless the access table lets it do ``action``: checked before the body, so
    a role that may not act never learns about the body's errors first."""
    def check(user: Annotated[User, Depends(api_user)]) -> User:
        permit(user, resource, action, refusal)
        return user
    return Depends(check)


APPLICANTS_ONLY = "申请由企业账户或受托的代办专员提交；审查和督办人员可在“申请总览”中跟进。"
APPLICANT_STEPS_ONLY = "该环节由申请企业或受托的代办专员办理。"
ESCALATION_READERS_ONLY = "督办情况仅限被督办部门、督办管理员和受托代办专员查看"


def _integrator(request: Request, session: Session, token: str) -> User:
    found = integrator_tokens.authenticate(session, token)
    if found is None:
        raise HTTPException(status_code=401, detail="接口令牌无效、已过期或已被吊销",
                            headers={"WWW-Authenticate": "Bearer"})
    row, user = found
    session.commit()  # last_used_at, even when the request is refused below
    needed = integrator_tokens.scope_for(request.method, request.url.path)
    if needed not in row.scopes:
        raise HTTPException(status_code=403, detail=f"该接口令牌没有“{integrator_tokens.SCOPES[needed]}”的权限"
                                                    f"（{needed}），请联系系统管理员")
    return user


PageUser = Annotated[User, Depends(page_user)]
StaffUser = Annotated[User, Depends(staff_user)]
AdminUser = Annotated[User, Depends(admin_user)]
ApiUser = Annotated[User, Depends(api_user)]
ApplicantApiUser = Annotated[User, api_permission(Resource.application, Action.create, APPLICANTS_ONLY)]
ApplicantStepApiUser = Annotated[User, api_permission(Resource.step, Action.supplement, APPLICANT_STEPS_ONLY)]
