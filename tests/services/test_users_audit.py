"""Passwords, sign-in throttling, and the append-only audit log."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from services.core import audit
from services.core.users import authenticate, get_by_username


def test_password_is_hashed_with_argon2(session):
    user = get_by_username(session, "enterprise")
    assert user.password_hash.startswith("$argon2")
    assert authenticate(session, "enterprise", "GreenChannel2026!").user.id == user.id


def test_repeated_failures_lock_the_account_for_a_while(session):
    for _ in range(5):
        result = authenticate(session, "reviewer", "wrong")
        assert result.user is None and result.error == "用户名或密码错误"
    locked = authenticate(session, "reviewer", "GreenChannel2026!")
    assert locked.user is None and "次数过多" in locked.error and locked.retry_after_seconds > 0


def test_unknown_user_gets_the_same_message(session):
    assert authenticate(session, "nobody", "x").error == "用户名或密码错误"


def test_audit_rows_cannot_be_changed_or_deleted(session):
    event = audit.record(session, "test.event", actor=None, entity="test", entity_id=1)
    session.flush()
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text("UPDATE audit_event SET action = 'x' WHERE id = :id"), {"id": event.id})
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": event.id})
