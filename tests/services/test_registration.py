"""Enterprises registering themselves and resetting a forgotten password, on the real database with a real SMTP
server on this machine: every wrong field named at once (nothing written), one registration per USCC, the
account inactive until the mailed link is opened, links that are signed, expire and work once."""

import time
import uuid

import pytest
from itsdangerous import TimestampSigner
from sqlmodel import Session, func, select

from services.accounts import registration
from services.accounts.staff import AccountError
from services.core import sign_in_sessions
from services.core.db import get_engine
from services.core.settings import get_settings
from services.core.uscc import check_character
from services.core.users import authenticate
from services.models import AuditEvent, Enterprise, User
from tests.harness import free_port
from tests.mailbox import Sink, mail_on, start_mailbox
from tests.samples import SAMPLE

PASSWORD = "松山湖畔2027年春天"
BASE_URL = "https://lvtong.example.cn"


@pytest.fixture(scope="module")
def mailbox():
    controller = start_mailbox()
    yield controller
    controller.stop()


@pytest.fixture
def sink(mailbox, migrated, monkeypatch) -> Sink:
    mail_on(monkeypatch, mailbox, BASE_URL)
    return mailbox.handler


def _uscc() -> str:
    """A valid USCC not registered yet (a random body with its check character)."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "914419" + "00" + "".join(alphabet[b % len(alphabet)] for b in uuid.uuid4().bytes[:9])
    return body + check_character(body)


def _values(**changes) -> dict[str, str]:
    name = f"reg{uuid.uuid4().hex[:8]}"
    return {"enterprise_name": "东莞新材料科技有限公司", "uscc": _uscc(), "legal_representative": "黄志强",
            "contact_name": "梁晓", "contact_phone": "13800138000", "email": f"{name}@example.com",
            "username": name, "password": PASSWORD, "password_again": PASSWORD, "agree": "1"} | changes


def _registered(session, sink, **changes) -> User:
    user = registration.register(session, registration.read_registration(session, _values(**changes)))
    session.commit()
    assert registration.send_confirmation(user) is None
    return user


def test_a_registration_is_inactive_until_the_mailed_link_is_opened(session, sink):
    user = _registered(session, sink)
    assert not user.is_active and user.email_confirmed_at is None and user.enterprise_id
    refused = authenticate(session, user.username, PASSWORD)
    assert refused.user is None and "账户尚未激活" in refused.error and f"{user.username[:2]}***@example.com" in \
        refused.error
    assert authenticate(session, user.username, "wrong password").error == "用户名或密码错误", "nothing told"
    (message,) = sink.to(user.email)
    assert message["Subject"] == "请确认您的电子邮箱——产业项目绿色通道服务平台"
    link = sink.link_to(user.email, "/register/confirm")
    assert f"{BASE_URL}{link}" in message.get_content()
    token = link.split("token=", 1)[1]
    assert registration.confirm(session, token).id == user.id
    session.commit()
    assert registration.confirm(session, token).id == user.id, "a second click is fine"
    assert user.is_active and user.email_confirmed_at is not None
    assert authenticate(session, user.username, PASSWORD).user.id == user.id
    enterprise = session.get(Enterprise, user.enterprise_id)
    assert (enterprise.name, enterprise.legal_representative) == ("东莞新材料科技有限公司", "黄志强")
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
    assert {"enterprise.registered", "user.email_confirmed"} <= set(actions)


def test_every_wrong_field_is_named_at_once_and_nothing_is_written(session, sink):
    before = session.exec(select(func.count()).select_from(Enterprise)).one()
    with pytest.raises(AccountError) as refused:
        registration.read_registration(session, {
            "enterprise_name": "", "uscc": "91441900MA4UJ2K31X", "legal_representative": "黄\x07志强",
            "contact_name": "梁晓", "contact_phone": "电话", "email": "liang.example.com", "username": "1abc",
            "password": "short", "password_again": "short"})
    assert refused.value.errors == {
        "enterprise_name": "请填写企业名称", "uscc": "校验码错误，请核对统一社会信用代码",
        "legal_representative": refused.value.errors["legal_representative"],
        "contact_phone": "联系电话只能包含数字、空格和“+ - ( )”", "email": "电子邮箱格式不正确，如 name@example.com",
        "username": "用户名须为3至32位小写英文字母、数字或“_ . -”，以字母开头", "password": "密码至少10位",
        "agree": "请阅读并同意用户协议"}
    assert "法定代表人" in refused.value.errors["legal_representative"]
    assert session.exec(select(func.count()).select_from(Enterprise)).one() == before


def test_one_registration_per_uscc(session, sink):
    with pytest.raises(AccountError) as refused:  # the demo enterprise's code
        registration.read_registration(session, _values(uscc=SAMPLE["uscc"]))
    assert refused.value.errors == {"uscc": "该统一社会信用代码已注册。如需为本企业增加账户或忘记账户，请联系服务中心"}
    first = _values()
    data = registration.read_registration(session, first)
    registration.register(session, data)
    with pytest.raises(AccountError) as raced:  # checked before the first was written: the database decides
        registration.register(session, data)
    assert raced.value.status == 409
    assert session.exec(select(func.count()).select_from(Enterprise).where(Enterprise.uscc == data.uscc)).one() == 1


def test_a_bad_or_old_confirmation_link_says_what_to_do(session, sink):
    user = _registered(session, sink)
    token = sink.link_to(user.email, "/register/confirm").split("token=", 1)[1]
    with pytest.raises(AccountError, match="确认链接无效"):
        registration.confirm(session, token[:-3] + "abc")
    class TwoDaysAgo(TimestampSigner):  # the link as signed 48 hours and a minute ago
        def get_timestamp(self) -> int:
            return int(time.time() - registration.CONFIRM_FOR.total_seconds() - 60)
    old = registration._signer("confirm-email")
    old.signer = TwoDaysAgo
    with pytest.raises(AccountError, match="超过48小时") as refused:
        registration.confirm(session, old.dumps({"user": user.id, "email": user.email}))
    assert refused.value.status == 410 and not user.is_active


def test_a_resent_confirmation_reaches_only_an_unconfirmed_address(session, sink):
    user = _registered(session, sink)
    assert registration.awaiting_confirmation(session, user.email.upper()).id == user.id
    registration.confirm(session, sink.link_to(user.email, "/register/confirm").split("token=", 1)[1])
    session.commit()
    assert registration.awaiting_confirmation(session, user.email) is None


def test_a_reset_link_sets_a_new_password_once_and_ends_every_sign_in(session, sink):
    user = _registered(session, sink)
    registration.confirm(session, sink.link_to(user.email, "/register/confirm").split("token=", 1)[1])
    token = sign_in_sessions.open_session(session, user, kind=sign_in_sessions.PAGE)
    session.commit()
    assert registration.account_for_reset(session, user.email.upper()).id == user.id
    assert registration.account_for_reset(session, user.username).id == user.id
    assert registration.account_for_reset(session, "nobody@example.com") is None
    assert registration.send_reset(user) is None
    reset = sink.link_to(user.email, "/password/reset").split("token=", 1)[1]
    with pytest.raises(AccountError) as refused:
        registration.reset_password(session, reset, "1234567890", "1234567890")
    assert refused.value.errors == {"new_password": "新密码过于简单，容易被猜中，请换一个"}
    registration.reset_password(session, reset, "东江潮起2027年的春天", "东江潮起2027年的春天")
    session.commit()
    assert sign_in_sessions.find_live(session, token, kind=sign_in_sessions.PAGE) is None
    assert authenticate(session, user.username, "东江潮起2027年的春天").user.id == user.id
    with pytest.raises(AccountError, match="已使用过") as used:
        registration.reset_password(session, reset, "另一个新密码2027年冬", "另一个新密码2027年冬")
    assert used.value.status == 410


def test_without_smtp_there_is_no_self_service(migrated, monkeypatch):
    monkeypatch.setattr(get_settings(), "smtp_host", "")
    assert not registration.email_on()


def test_an_unreachable_mail_server_keeps_the_registration_and_says_so(session, sink, monkeypatch):
    user = registration.register(session, registration.read_registration(session, _values()))
    session.commit()
    monkeypatch.setattr(get_settings(), "smtp_port", free_port())  # nothing listens there
    assert registration.send_confirmation(user) is not None
    with Session(get_engine()) as other:
        assert other.get(User, user.id) is not None, "kept: a resend later reaches it"
