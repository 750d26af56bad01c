"""动态口令 (TOTP) on the real database: turned on only with a code from the secret shown, each code accepted once
(two requests racing with one code: one passes), a phone's clock a step off accepted, wrong codes counted
and then refused for a while, turned off by the holder with a code or by an administrator, all audited."""

import threading
import time

import pyotp
import pytest
from sqlmodel import Session, col, select

from services.accounts import second_factor, staff
from services.accounts.staff import AccountError
from services.core.db import get_engine
from services.core.users import get_by_username
from services.models import AuditEvent, User


@pytest.fixture
def holder(session):
    admin = get_by_username(session, "supervisor")
    username, data = staff.read_new_staff(session, {"username": f"totp{time.time_ns() % 10**9}",
                                                    "display_name": "代办专员 动态", "role": "agent",
                                                    "department": "绿色通道服务中心"})
    user, _ = staff.create_staff(session, admin, username, data)
    session.commit()
    return user


def _on(session, user) -> pyotp.TOTP:
    secret = second_factor.new_secret()
    totp = pyotp.TOTP(secret)
    second_factor.turn_on(session, user, secret, totp.at(time.time() - 30))  # the code of the step before
    session.commit()
    return totp


def test_it_is_turned_on_only_with_a_code_from_the_secret_shown(session, holder):
    secret = second_factor.new_secret()
    assert second_factor.provisioning_uri(holder, secret).startswith(f"otpauth://totp/%E7%BB%BF%E8%89%B2%E9%80%9A%E9%81%93:{holder.username}?secret={secret}")
    assert second_factor.qr_svg("otpauth://totp/x?secret=" + secret).lstrip().startswith("<svg")
    for wrong in ("000000", "12345", "abcdef", ""):
        with pytest.raises(AccountError, match="动态口令不正确"):
            second_factor.turn_on(session, holder, secret, wrong)
    with pytest.raises(AccountError):
        second_factor.turn_on(session, holder, "not base32!", "123456")
    assert holder.totp_secret is None
    second_factor.turn_on(session, holder, secret, pyotp.TOTP(secret).now())
    assert holder.totp_secret == secret


def test_each_code_is_accepted_once(session, holder):
    totp = _on(session, holder)
    code = totp.now()
    assert second_factor.verify(session, holder, code)
    session.commit()
    assert not second_factor.verify(session, holder, code), "the same code again"
    assert not second_factor.verify(session, holder, totp.at(time.time() - 30)), "an older one"


def test_two_requests_racing_with_one_code_let_one_in(migrated, session, holder):
    _on(session, holder)
    code, results, start = pyotp.TOTP(holder.totp_secret).now(), [], threading.Barrier(2)

    def sign_in():
        with Session(get_engine()) as own:
            user = own.get(User, holder.id)
            start.wait()
            results.append(second_factor.verify(own, user, code))
            own.commit()
    threads = [threading.Thread(target=sign_in) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]


def test_wrong_codes_are_counted_and_then_refused_for_a_while(session, holder):
    totp = _on(session, holder)
    for _ in range(second_factor.MAX_ATTEMPTS):
        assert not second_factor.verify(session, holder, "000000")
    assert not second_factor.verify(session, holder, totp.now()), "even the right code, until the window ends"


def test_turned_off_by_the_holder_with_a_code_or_by_an_administrator(session, holder):
    totp = _on(session, holder)
    with pytest.raises(AccountError, match="未关闭"):
        second_factor.turn_off(session, holder, holder, "000000")
    second_factor.turn_off(session, holder, holder, totp.now())
    assert holder.totp_secret is None
    _on(session, holder)
    admin = get_by_username(session, "supervisor")
    second_factor.turn_off(session, admin, holder)
    session.commit()
    assert holder.totp_secret is None and holder.totp_last_step is None
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity_id == str(holder.id),
                                                           AuditEvent.entity == "user")
                           .order_by(col(AuditEvent.id))).all()
    assert actions[-4:] == ["user.totp_on", "user.totp_off", "user.totp_on", "user.totp_off"]
