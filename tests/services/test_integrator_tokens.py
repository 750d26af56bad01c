"""接口令牌 (``services.integrations.tokens``) on the real database: every wrong field named at once and nothing
written; a token works as its account until revoked, expired or the account is deactivated; a double post makes
one; the scope each request needs; making and revoking audited."""

import uuid
from datetime import timedelta

import pytest
from sqlmodel import func, select

from services.core import clock
from services.integrations import tokens
from services.models import AuditEvent, IntegratorToken, Role
from tests import factories


def _count(session) -> int:
    return session.exec(select(func.count()).select_from(IntegratorToken)).one()


def test_every_wrong_field_is_named_at_once_and_nothing_is_written(session):
    admin = factories.demo_user(session, "supervisor")
    before = _count(session)
    with pytest.raises(tokens.TokenError) as refused:
        tokens.create(session, admin, name="政务\x00服务网", username="nobody-here", scopes=["cases:delete"],
                      expires_on=clock.today())
    assert set(refused.value.errors) == {"name", "username", "scopes", "expires_on"}
    assert "未知的权限：cases:delete" in refused.value.errors["scopes"]
    with pytest.raises(tokens.TokenError) as refused:
        tokens.create(session, admin, name="政务服务网", username="enterprise", scopes=[], expires_on=None)
    assert refused.value.errors == {"scopes": "请至少选择一项权限"}
    assert _count(session) == before


def test_a_token_acts_as_its_account_until_revoked_expired_or_the_account_is_off(session):
    admin = factories.demo_user(session, "supervisor")
    row, token = tokens.create(session, admin, name="广东政务服务网", username="Enterprise", scopes=["cases:read"],
                               expires_on=clock.today() + timedelta(days=30))
    assert token is not None and token.startswith("gci_") and row.prefix == token[:12]
    assert row.token_hash != token and token not in str(row.model_dump())  # only the hash is kept
    found = tokens.authenticate(session, token)
    assert found is not None and found[1].username == "enterprise" and found[0].last_used_at is not None
    assert tokens.authenticate(session, token + "x") is None
    tokens.revoke(session, admin, row.id)
    tokens.revoke(session, admin, row.id)  # twice: one event
    assert tokens.authenticate(session, token) is None
    events = session.exec(select(AuditEvent.action).where(AuditEvent.entity == "integrator_token",
                                                          AuditEvent.entity_id == str(row.id))).all()
    assert sorted(events) == ["integrator_token.created", "integrator_token.revoked"]

    expiring, token2 = tokens.create(session, admin, name="工改系统", username="enterprise", scopes=["cases:read"],
                                     expires_on=clock.today() + timedelta(days=1))
    expiring.expires_at = clock.now() - timedelta(seconds=1)
    assert tokens.authenticate(session, token2 or "") is None
    staff = factories.user(session, Role.agent)
    _, token3 = tokens.create(session, admin, name="工改系统", username=staff.username, scopes=["cases:read"],
                              expires_on=None)
    staff.is_active = False
    assert tokens.authenticate(session, token3 or "") is None


def test_the_same_form_posted_twice_makes_one_token(session):
    admin = factories.demo_user(session, "supervisor")
    key = uuid.uuid4().hex
    first, token = tokens.create(session, admin, name="政务服务网", username="enterprise", scopes=["cases:read"],
                                 expires_on=None, request_key=key)
    again, no_token = tokens.create(session, admin, name="政务服务网", username="enterprise", scopes=["cases:read"],
                                    expires_on=None, request_key=key)
    assert again.id == first.id and token and no_token is None


@pytest.mark.parametrize(("method", "path", "scope"), [
    ("GET", "/api/v1/applications", "cases:read"), ("GET", "/api/v1/documents/3.pdf", "cases:read"),
    ("POST", "/api/v1/eia/classify", "cases:read"), ("POST", "/api/v1/applications", "cases:write"),
    ("POST", "/api/v1/applications/3/steps/land_review/actions", "cases:write"),
    ("GET", "/api/v1/parcels/1", "catalogue:read"), ("PUT", "/api/v1/parcels/1", "catalogue:write")])
def test_each_request_needs_one_scope(method, path, scope):
    assert tokens.scope_for(method, path) == scope
