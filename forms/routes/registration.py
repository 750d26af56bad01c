"""Public account pages: 企业注册 with e-mail confirmation, 重新发送确认邮件, 忘记密码 and 重置密码.

The rules are in ``services.accounts.registration``. A page that sends mail answers the same whether or not
an account matched (nobody learns who is registered), and a client address may cause a few e-mails an hour.
Without an SMTP server these pages say whom to call instead of offering what they cannot do.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from forms.deps import SessionDep
from forms.errors import in_form_order
from forms.security import client_address, verify_csrf
from forms.web import page, posted_form
from services.accounts import passwords, registration
from services.accounts.registration import FORM_ORDER, LABELS
from services.accounts.staff import AccountError
from services.core.settings import get_settings
from services.models import User

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)
Form = Annotated[dict[str, str], Depends(posted_form)]
TOO_MANY = "本地址发送邮件过于频繁，请一小时后再试，或致电服务中心"


@router.get("/register")
def register_form(request: Request):
    return _form(request, {}, {})


@router.post("/register", dependencies=[Csrf])
def register(request: Request, session: SessionDep, posted: Form):
    if not registration.email_on():
        return _form(request, posted, {}, status_code=503)
    try:
        data = registration.read_registration(session, posted)
        if not registration.may_send_mail(session, client_address(request)):
            raise AccountError(TOO_MANY, status=429, errors={"__all__": TOO_MANY})
        user = registration.register(session, data, client_address(request))
    except AccountError as error:
        session.rollback()
        return _form(request, posted, error.errors or {"__all__": error.message}, status_code=error.status)
    session.commit()  # the account exists before its link can be opened
    failed = registration.send_confirmation(user)
    return page(request, "register_sent.html", email=user.email, failed=bool(failed), username=user.username)


@router.get("/register/confirm")
def confirm(request: Request, session: SessionDep, token: str = ""):
    try:
        user = registration.confirm(session, token[:1000])
    except AccountError as error:
        return page(request, "account_message.html", status_code=error.status, title="邮箱确认未成功",
                    message=error.message, ok=False)
    session.commit()
    return page(request, "account_message.html", title="邮箱已确认", ok=True,
                message=f"账户 {user.username} 已激活，现在可以登录。")


@router.get("/register/resend")
def resend_form(request: Request):
    return _mail_form(request, RESEND)


@router.post("/register/resend", dependencies=[Csrf])
def resend(request: Request, session: SessionDep, posted: Form):
    return _mail_sent(request, session, posted, RESEND)


@router.get("/password/forgot")
def forgot_form(request: Request):
    return _mail_form(request, FORGOT)


@router.post("/password/forgot", dependencies=[Csrf])
def forgot(request: Request, session: SessionDep, posted: Form):
    return _mail_sent(request, session, posted, FORGOT)


@dataclass(frozen=True)
class MailPage:
    """A page that mails a link to an account it finds (or, saying the same, to none)."""

    title: str
    action: str
    find: Callable[[Session, str], User | None]
    send: Callable[[User], str | None]


RESEND = MailPage("重新发送确认邮件", "/register/resend", registration.awaiting_confirmation,
                  registration.send_confirmation)
FORGOT = MailPage("忘记密码", "/password/forgot", registration.account_for_reset, registration.send_reset)


def _mail_form(request: Request, kind: MailPage, status_code: int = 200, sent: bool = False, value: str = "",
               error: str = ""):
    return page(request, "account_email_form.html", status_code=status_code, title=kind.title, action=kind.action,
                email_on=registration.email_on(), sent=sent, value=value, error=error)


def _mail_sent(request: Request, session: Session, posted: dict[str, str], kind: MailPage):
    """The same answer whether or not an account matched; a few e-mails an hour per client address."""
    wanted = posted.get("email", "").strip()[:128]
    if not registration.may_send_mail(session, client_address(request)):
        return _mail_form(request, kind, status_code=429, value=wanted, error=TOO_MANY)
    user = kind.find(session, wanted) if registration.email_on() else None
    if user is not None:
        kind.send(user)
    return _mail_form(request, kind, sent=True, value=wanted)


@router.get("/password/reset")
def reset_form(request: Request, session: SessionDep, token: str = ""):
    try:
        user = registration.user_of_reset(session, token[:1000])
    except AccountError as error:
        return page(request, "account_message.html", status_code=error.status, title="重置密码未成功",
                    message=error.message, ok=False)
    return page(request, "password_reset.html", token=token, username=user.username, errors={}, labels=LABELS,
                min_length=passwords.MIN_LENGTH)


@router.post("/password/reset", dependencies=[Csrf])
def reset(request: Request, session: SessionDep, posted: Form):
    token = posted.get("token", "")[:1000]
    try:
        registration.reset_password(session, token, posted.get("new_password", ""),
                                    posted.get("new_password_again", ""))
    except AccountError as error:
        session.rollback()
        if not error.errors:  # the link itself is bad or used
            return page(request, "account_message.html", status_code=error.status, title="重置密码未成功",
                        message=error.message, ok=False)
        user = registration.user_of_reset(session, token)
        return page(request, "password_reset.html", status_code=422, token=token, username=user.username,
                    errors=in_form_order(error.errors, FORM_ORDER), labels=LABELS, min_length=passwords.MIN_LENGTH)
    session.commit()
    return RedirectResponse("/login?reset=1", status_code=303)


def _form(request: Request, values: dict, errors: dict, status_code: int = 200):
    return page(request, "register.html", status_code=status_code, values=values,
                errors=in_form_order(errors, FORM_ORDER), labels=LABELS, email_on=registration.email_on(),
                phone=get_settings().handler_phone, min_length=passwords.MIN_LENGTH)
