"""Sign-in session rows are purged once they can no longer let anyone in; live ones stay and still work."""

from datetime import timedelta

from sqlmodel import col, select

from services.core import clock, sign_in_sessions
from services.core.db import session_scope
from services.core.users import get_by_username
from services.models import SignInSession


def _aged(session, token: str, by: timedelta) -> None:
    """Move a session's start back in time, as if it had been opened ``by`` ago."""
    record = session.exec(select(SignInSession).where(
        SignInSession.token_hash == sign_in_sessions._digest(token))).one()
    record.created_at = record.last_seen_at = clock.now() - by
    session.add(record)
    session.flush()


def test_expired_and_revoked_sessions_are_purged_and_live_ones_stay(session):
    user = get_by_username(session, "enterprise")
    tokens = {name: sign_in_sessions.open_session(session, user, kind=kind) for name, kind in [
        ("page live", "page"), ("page expired", "page"), ("page signed out", "page"),
        ("api live", "api"), ("api expired", "api")]}
    _aged(session, tokens["page live"], timedelta(hours=7))  # within the 8 hours of a page session
    _aged(session, tokens["page expired"], sign_in_sessions.PAGE_LIFETIME + timedelta(minutes=1))
    _aged(session, tokens["api live"], sign_in_sessions.lifetime("api") - timedelta(minutes=5))
    _aged(session, tokens["api expired"], sign_in_sessions.lifetime("api") + timedelta(minutes=1))
    assert sign_in_sessions.revoke(session, tokens["page signed out"]) is not None

    assert sign_in_sessions.purge_ended(session) >= 3  # and whatever ended rows other tests left
    hashes = {sign_in_sessions._digest(token) for token in tokens.values()}
    left = set(session.exec(select(SignInSession.token_hash).where(col(SignInSession.token_hash).in_(hashes))))
    assert left == {sign_in_sessions._digest(tokens["page live"]), sign_in_sessions._digest(tokens["api live"])}
    assert sign_in_sessions.find_live(session, tokens["page live"], kind="page") is not None
    assert sign_in_sessions.find_live(session, tokens["api live"], kind="api") is not None
    for name in ("page expired", "page signed out"):  # a cookie naming a purged row is refused
        assert sign_in_sessions.find_live(session, tokens[name], kind="page") is None
    assert sign_in_sessions.find_live(session, tokens["api expired"], kind="api") is None
    assert sign_in_sessions.purge_ended(session) == 0, "idempotent"


def test_the_task_workers_sweep_purges_them(migrated):
    from deployments.task_worker import purge_ended_sign_ins

    with session_scope() as session:
        token = sign_in_sessions.open_session(session, get_by_username(session, "reviewer"), kind="page")
        sign_in_sessions.revoke(session, token)  # signed out
    purge_ended_sign_ins()
    with session_scope() as session:
        assert session.exec(select(SignInSession).where(
            SignInSession.token_hash == sign_in_sessions._digest(token))).first() is None
