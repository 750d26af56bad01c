"""Account pages: staff accounts for administrators (账户管理) and, for everyone, their own password and sign-ins.

What may be changed and how is decided in ``services.accounts.staff``; these handlers turn the form into its
inputs, show its Chinese errors next to each field (422, nothing written) and commit before they redirect.
An initial password is shown once, on the page that answers the change that made it, and is never stored.
"""

import time
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from sqlmodel import Session

from forms.deps import AdminUser, PageUser, SessionDep
from forms.errors import in_form_order
from forms.params import Id
from forms.routes.pages import finish_sign_in
from forms.security import verify_csrf
from forms.web import page, posted_form
from services.accounts import passwords, second_factor, staff
from services.accounts.staff import FIELD_LABELS, FORM_ORDER, STAFF_ROLES, AccountError
from services.models import User

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
Form = Annotated[dict[str, str], Depends(posted_form)]


# ------------------------------------------------------------------------------------- administrators

@router.get("/admin/users")
def staff_list(request: Request, session: SessionDep, admin: AdminUser, q: str = "", role: str = "",
               page_no: str = "1"):
    number = int(page_no) if page_no.isdigit() else 1
    accounts, total = staff.staff_page(session, q, role, number)
    pages = max(1, -(-total // staff.PAGE_SIZE))
    return page(request, "admin_users.html", user=admin, accounts=accounts, total=total, q=q[:64],
                role=role, roles=STAFF_ROLES, page_no=min(number, pages), pages=pages)


@router.get("/admin/users/new")
def new_account(request: Request, session: SessionDep, admin: AdminUser):
    return _account_form(request, session, admin, None, {"role": "reviewer"}, {})


@router.post("/admin/users/new", dependencies=[Csrf])
def create_account(request: Request, session: SessionDep, admin: AdminUser, posted: Form):
    try:
        user, initial = staff.create_staff(session, admin, *staff.read_new_staff(session, posted))
    except AccountError as error:
        session.rollback()
        if "username" in error.errors and (made := staff.created_moments_ago(session, admin, posted["username"])):
            return page(request, "admin_password_shown.html", user=admin, account=made, password=None, created=True)
        return _account_form(request, session, admin, None, posted, error.errors or {"__all__": error.message},
                             status_code=error.status)
    session.commit()
    return page(request, "admin_password_shown.html", user=admin, account=user, password=initial, created=True)


@router.get("/admin/users/{user_id}")
def account(request: Request, session: SessionDep, admin: AdminUser, user_id: Id, saved: str = ""):
    user = _staff_account(session, user_id)
    return _account_form(request, session, admin, user, _values_of(user), {}, saved=saved[:16])


@router.post("/admin/users/{user_id}", dependencies=[Csrf])
def save_account(request: Request, session: SessionDep, admin: AdminUser, user_id: Id, posted: Form):
    user = _staff_account(session, user_id)
    try:
        staff.update_staff(session, admin, user, staff.read_staff(session, posted))
    except AccountError as error:
        session.rollback()
        return _account_form(request, session, admin, session.get(User, user_id), posted,
                             error.errors or {"__all__": error.message}, status_code=error.status)
    session.commit()
    return RedirectResponse(f"/admin/users/{user_id}?saved=info", status_code=303)


@router.post("/admin/users/{user_id}/active", dependencies=[Csrf])
def switch_active(request: Request, session: SessionDep, admin: AdminUser, user_id: Id, posted: Form):
    user = _staff_account(session, user_id)
    active = posted.get("active") == "1"
    try:
        staff.set_active(session, admin, user, active)
    except AccountError as error:
        session.rollback()
        return _refused(request, session, admin, user_id, error)
    session.commit()
    return RedirectResponse(f"/admin/users/{user_id}?saved={'activated' if active else 'deactivated'}",
                            status_code=303)


@router.post("/admin/users/{user_id}/password", dependencies=[Csrf])
def reset_password(request: Request, session: SessionDep, admin: AdminUser, user_id: Id):
    user = _staff_account(session, user_id)
    initial = staff.reset_password(session, admin, user)
    session.commit()
    return page(request, "admin_password_shown.html", user=admin, account=user, password=initial, created=False)


@router.post("/admin/users/{user_id}/sign-ins/{sign_in_id}/end", dependencies=[Csrf])
def end_sign_in(session: SessionDep, admin: AdminUser, user_id: Id, sign_in_id: Id):
    user = _staff_account(session, user_id)
    staff.end_sign_in(session, admin, user, sign_in_id)
    session.commit()
    return RedirectResponse(f"/admin/users/{user_id}?saved=signed-out", status_code=303)


# ------------------------------------------------------------------------------------- one's own account

@router.get("/account/password")
def password_form(request: Request, session: SessionDep, user: PageUser):
    return _password_page(request, session, user, {})


@router.post("/account/password", dependencies=[Csrf])
def change_password(request: Request, session: SessionDep, user: PageUser, posted: Form):
    forced = user.must_change_password
    try:
        staff.change_own_password(session, user, posted.get("current_password", ""),
                                  posted.get("new_password", ""), posted.get("new_password_again", ""),
                                  keep_session=getattr(request.state, "sign_in_id", None))
    except AccountError as error:
        return _password_page(request, session, user, error.errors, status_code=422)
    session.commit()
    return RedirectResponse("/applications?password=changed" if forced else "/account/password?saved=1",
                            status_code=303)


@router.get("/account/second-factor")
def second_factor_page(request: Request, session: SessionDep, user: PageUser, saved: str = ""):
    return _second_factor_page(request, user, {}, saved=saved[:8])


@router.post("/account/second-factor", dependencies=[Csrf])
def switch_second_factor(request: Request, session: SessionDep, user: PageUser, posted: Form):
    try:
        if posted.get("turn") == "on":
            second_factor.turn_on(session, user, posted.get("secret", "")[:64], posted.get("code", ""))
        else:
            second_factor.turn_off(session, user, user, posted.get("code", ""))
    except AccountError as error:
        session.rollback()
        return _second_factor_page(request, user, error.errors or {"code": error.message}, status_code=422,
                                   secret=posted.get("secret", "")[:64] if posted.get("turn") == "on" else None)
    session.commit()
    return RedirectResponse(f"/account/second-factor?saved={'on' if posted.get('turn') == 'on' else 'off'}",
                            status_code=303)


@router.post("/admin/users/{user_id}/second-factor", dependencies=[Csrf])
def admin_turn_off_second_factor(session: SessionDep, admin: AdminUser, user_id: Id):
    """A lost phone: the administrator turns the account's 动态口令 off (the person may turn it on again)."""
    user = _staff_account(session, user_id)
    second_factor.turn_off(session, admin, user)
    session.commit()
    return RedirectResponse(f"/admin/users/{user_id}?saved=totp-off", status_code=303)


@router.get("/login/code")
def code_form(request: Request):
    if _pending(request) is None:
        return RedirectResponse("/login", status_code=303)
    return page(request, "login_code.html", error="")


@router.post("/login/code", dependencies=[Csrf])
def code(request: Request, session: SessionDep, posted: Form):
    pending = _pending(request)
    user = session.get(User, pending["user_id"]) if pending else None
    if pending is None or user is None or not user.is_active:
        request.session.pop("second_factor", None)
        return RedirectResponse("/login", status_code=303)
    if not second_factor.verify(session, user, posted.get("code", "")):
        session.commit()  # the wrong attempt counts
        return page(request, "login_code.html", status_code=401,
                    error=f"动态口令不正确或已使用过，请输入手机应用中当前显示的6位数字（连续输错{second_factor.MAX_ATTEMPTS}次"
                          f"须等待{int(second_factor.ATTEMPT_WINDOW.total_seconds() // 60)}分钟）")
    return finish_sign_in(request, session, user, pending["next"])


# ------------------------------------------------------------------------------------- helpers

def _pending(request: Request) -> dict | None:
    """The sign-in waiting for its 动态口令: the password was right less than 5 minutes ago."""
    pending = request.session.get("second_factor")
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    return pending


def _second_factor_page(request: Request, user: User, errors: dict, status_code: int = 200, saved: str = "",
                        secret: str | None = None):
    secret = None if user.totp_secret else (secret or second_factor.new_secret())
    uri = second_factor.provisioning_uri(user, secret) if secret else ""
    return page(request, "account_second_factor.html", status_code=status_code, user=user, errors=errors,
                secret=secret, qr=Markup(second_factor.qr_svg(uri)) if uri else "", saved=saved)



def _account_form(request: Request, session: Session, admin: User, account: User | None, values: dict,
                  errors: dict, status_code: int = 200, saved: str = ""):
    sign_ins = staff.live_sign_ins(session, account.id) if account and account.id else []
    return page(request, "admin_user_form.html", status_code=status_code, user=admin, account=account,
                values=values, errors=in_form_order(errors, FORM_ORDER), labels=FIELD_LABELS, roles=STAFF_ROLES,
                departments=staff.departments(session), sign_ins=sign_ins, saved=saved)


def _refused(request: Request, session: Session, admin: User, user_id: int, error: AccountError):
    account = _staff_account(session, user_id)
    return _account_form(request, session, admin, account, _values_of(account), {"__all__": error.message},
                         status_code=error.status)


def _values_of(account: User) -> dict[str, str]:
    """An account as its form shows it."""
    return {"display_name": account.display_name, "role": account.role.value, "department": account.department or "",
            "phone": account.phone or "", "email": account.email or "", "is_admin": "1" if account.is_admin else ""}


def _password_page(request: Request, session: Session, user: User, errors: dict, status_code: int = 200):
    return page(request, "account_password.html", status_code=status_code, user=user,
                errors=in_form_order(errors, FORM_ORDER), labels=FIELD_LABELS, forced=user.must_change_password,
                min_length=passwords.MIN_LENGTH, saved=request.query_params.get("saved") == "1",
                sign_ins=staff.live_sign_ins(session, user.id) if user.id else [])


def _staff_account(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.role not in STAFF_ROLES:
        raise HTTPException(status_code=404, detail="该工作人员账户不存在")
    return user
