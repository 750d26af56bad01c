"""Tamper evidence in the database (migration 0009, ``services.core.audit``): issued documents keep their
identity, audit rows cannot be changed, deleted or truncated, and what a superuser changes with the
triggers switched off is found by ``verify_chain``. Runs on SQLite and PostgreSQL alike."""

from types import SimpleNamespace

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from services.cases import acceptance
from services.core import audit
from services.core.migrate import alembic_config
from services.core.users import get_by_username
from services.models import AuditEvent, Document
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from tests.samples import SAMPLE


def _postgres(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _refused(session, sql: str, **params) -> None:
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(text(sql), params)


def _disable_audit_triggers(session) -> None:
    """What a superuser (or the table's owner) can do; rolled back with the test's transaction."""
    if _postgres(session):
        session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
    else:
        session.execute(text("DROP TRIGGER audit_event_no_update"))
        session.execute(text("DROP TRIGGER audit_event_no_delete"))


@pytest.fixture
def notice(session) -> Document:
    """A real 受理通知书, issued through the services."""
    data = StandardLandApplicationInput.model_validate(dict(SAMPLE))
    application = submit_application(session, get_by_username(session, "enterprise"), data, "tamper-doc")[0]
    acceptance.check_completeness(session, application.id)
    acceptance.accept(session, application.id)
    session.flush()
    return session.scalars(select(Document).where(Document.application_id == application.id)).one()


def _events(session, count: int) -> list[AuditEvent]:
    events = [audit.record(session, "test.tamper", actor=None, entity="test", entity_id=i, detail={"n": i})
              for i in range(count)]
    session.flush()
    return events


def test_an_issued_documents_identity_cannot_change_and_it_cannot_be_deleted(session, notice):
    for column, value in (("number", "东莞绿通受〔2026〕第9999号"), ("pdf_sha256", "0" * 64), ("kind", "other"),
                          ("issued_at", "2020-01-01 00:00:00"), ("verification_code", "AAAA-BBBB-CCCC")):
        _refused(session, f"UPDATE document SET {column} = :value WHERE id = :id", value=value, id=notice.id)
    _refused(session, "DELETE FROM document WHERE id = :id", id=notice.id)
    if _postgres(session):
        _refused(session, "TRUNCATE document CASCADE")
    session.expire(notice)
    assert notice.number.startswith("东莞绿通") and notice.number != "东莞绿通受〔2026〕第9999号"


def test_audit_rows_cannot_be_changed_deleted_or_truncated(session):
    unsealed, sealed = _events(session, 2)
    audit.seal_pending(session.connection())
    session.expire_all()
    assert sealed.chain_seq == unsealed.chain_seq + 1 and len(sealed.chain_hash) == 64
    for event in (unsealed, sealed):
        _refused(session, "UPDATE audit_event SET action = 'x' WHERE id = :id", id=event.id)
        _refused(session, "UPDATE audit_event SET chain_hash = :h WHERE id = :id", h="f" * 64, id=event.id)
        _refused(session, "DELETE FROM audit_event WHERE id = :id", id=event.id)
    if _postgres(session):
        _refused(session, "TRUNCATE audit_event")
        _refused(session, "TRUNCATE audit_event CASCADE")


def test_sealing_may_not_smuggle_in_a_change(session):
    (event,) = _events(session, 1)
    _refused(session, "UPDATE audit_event SET chain_seq = 999999, chain_hash = :h, actor_label = 'someone' "
                      "WHERE id = :id", h="f" * 64, id=event.id)


def test_committed_events_are_sealed_into_the_chain_in_order(session):
    first, second = _events(session, 2)
    session.commit()
    assert second.chain_seq == first.chain_seq + 1
    assert second.chain_hash == audit.link(first.chain_hash, session.get(AuditEvent, second.id), second.chain_seq)
    unsealed = session.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.chain_hash.is_(None)))
    assert unsealed.scalar_one() == 0  # every committed row, demo data included, is in the chain
    assert audit.verify_chain(session) is None


def test_an_edit_with_the_triggers_off_is_found(session):
    events = _events(session, 3)
    audit.seal_pending(session.connection())
    _disable_audit_triggers(session)
    with session.begin_nested() as edit:
        session.execute(text("UPDATE audit_event SET actor_label = 'nobody' WHERE id = :id"), {"id": events[1].id})
        broken = audit.verify_chain(session)
        assert broken.event_id == events[1].id and "已被修改" in broken.reason
        edit.rollback()
    with session.begin_nested() as rewrite:  # the edited row's own hash recomputed: the next row no longer fits
        table = AuditEvent.__table__
        previous = session.execute(select(table.c.chain_hash).where(table.c.id == events[0].id)).scalar_one()
        row = session.execute(select(table).where(table.c.id == events[1].id)).one()._asdict()
        row["actor_label"] = "nobody"
        forged = audit.link(previous, SimpleNamespace(**row), row["chain_seq"])
        session.execute(text("UPDATE audit_event SET actor_label = 'nobody', chain_hash = :h WHERE id = :id"),
                        {"h": forged, "id": events[1].id})
        assert audit.verify_chain(session).event_id == events[2].id
        rewrite.rollback()
    with session.begin_nested() as delete:
        session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": events[1].id})
        broken = audit.verify_chain(session)
        assert broken.event_id == events[2].id and "删除" in broken.reason
        delete.rollback()
    assert audit.verify_chain(session) is None


def test_the_migration_seals_rows_that_were_there_before(tmp_path):
    """0008 → 0009 on a scratch SQLite file: old rows join the chain, the guards work, downgrade works."""
    engine = create_engine(f"sqlite:///{tmp_path / 'm.db'}")
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0008")
        for n in range(3):
            connection.execute(text("INSERT INTO audit_event (at, actor_label, action, entity, entity_id, detail) "
                                    "VALUES ('2026-12-01 09:00:00.000000', 'system', 'old', 'test', :n, '{}')"),
                               {"n": str(n)})
        command.upgrade(config, "0009")
    with Session(engine) as session:
        assert session.execute(select(AuditEvent.chain_seq).order_by(AuditEvent.id)).scalars().all() == [1, 2, 3]
        assert audit.verify_chain(session) is None
        _refused(session, "UPDATE audit_event SET action = 'x' WHERE id = 1")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    engine.dispose()
