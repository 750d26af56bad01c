"""Append-only audit log: every side-effecting service call records who, what and for whom.

Rows are never updated or deleted: database triggers refuse it (migrations 0001 and 0009; on PostgreSQL
TRUNCATE too). Because a superuser can switch triggers off, the log is also a hash chain, so tampering
shows even then: when a transaction that recorded events commits, its rows — in one serialised step
(an advisory lock on PostgreSQL; SQLite has a single writer) — get the next ``chain_seq`` and
``chain_hash = sha256(previous chain_hash + the row's canonical content)``. That sealing UPDATE (chain
columns from empty to set, content unchanged) is the only change the triggers allow.

``verify_chain`` recomputes the chain from the rows alone (no app, no triggers) and names the first row
that does not fit: an edited row, a row whose hash was rewritten (the next one no longer fits), or the
row after a deleted one. It cannot see rows cut from the end of the chain, or a chain recomputed from the
first changed row onwards; compare the head (``chain_head``) with a copy kept elsewhere for that.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, event, select, text, update
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from services.core import clock
from services.core.db import table_of
from services.models import AuditEvent, User

GENESIS = "0" * 64
CONTENT = ("id", "at", "actor_id", "actor_label", "on_behalf_of_enterprise_id", "action", "application_id",
           "entity", "entity_id", "detail")
CHAIN_LOCK = 0x67636175  # pg_advisory_xact_lock key serialising the sealing of new rows ("gcau")
_UNSEALED = "audit_unsealed"
_table = table_of(AuditEvent)


def record(
    session: Session,
    action: str,
    *,
    actor: User | None,
    entity: str,
    entity_id: int | str,
    application_id: int | None = None,
    on_behalf_of_enterprise_id: int | None = None,
    detail: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    event = AuditEvent(
        at=clock.now(),
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.username if actor else "system"),
        on_behalf_of_enterprise_id=on_behalf_of_enterprise_id,
        action=action,
        application_id=application_id,
        entity=entity,
        entity_id=str(entity_id),
        detail=detail or {},
    )
    session.add(event)
    session.info[_UNSEALED] = True  # sealed into the chain when the session commits
    return event


def canonical(row: Any, chain_seq: int) -> bytes:
    """The bytes a row's link covers: its content columns and its place in the chain, as sorted JSON."""
    values = {name: getattr(row, name) for name in CONTENT} | {"chain_seq": chain_seq}
    values["at"] = values["at"].isoformat() if isinstance(values["at"], datetime) else str(values["at"])
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def link(previous_hash: str, row: Any, chain_seq: int) -> str:
    return hashlib.sha256(previous_hash.encode() + canonical(row, chain_seq)).hexdigest()


def chain_head(connection: Connection) -> tuple[int, str]:
    """(chain_seq, chain_hash) of the last sealed row; (0, GENESIS) for an empty log."""
    head = connection.execute(select(_table.c.chain_seq, _table.c.chain_hash).where(_table.c.chain_seq.is_not(None))
                              .order_by(_table.c.chain_seq.desc()).limit(1)).first()
    return (head.chain_seq, head.chain_hash) if head else (0, GENESIS)


def seal_pending(connection: Connection) -> int:
    """Append every row not yet in the chain (this transaction's, in id order) to it; returns how many.

    Runs inside the caller's transaction; on PostgreSQL it first takes a transaction-scoped advisory lock,
    so two committing transactions never read the same head. Call it as late as possible (at commit):
    the lock is held until the transaction ends."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    seq, previous = chain_head(connection)
    rows = connection.execute(select(*(_table.c[name] for name in CONTENT))
                              .where(_table.c.chain_hash.is_(None)).order_by(_table.c.id)).all()
    links = []
    for row in rows:
        seq += 1
        previous = link(previous, row, seq)
        links.append({"row_id": row.id, "seq": seq, "hash": previous})
    if links:
        connection.execute(update(_table).where(_table.c.id == bindparam("row_id"))
                           .values(chain_seq=bindparam("seq"), chain_hash=bindparam("hash")), links)
    return len(links)


@event.listens_for(OrmSession, "before_commit")
def _seal_before_commit(session: OrmSession) -> None:
    if not session.info.pop(_UNSEALED, False):
        return
    session.flush()
    if seal_pending(session.connection()):
        for obj in list(session.identity_map.values()):
            if isinstance(obj, AuditEvent):
                session.expire(obj, ["chain_seq", "chain_hash"])


@dataclass(frozen=True)
class ChainBreak:
    """The first row that does not fit the chain, and why (for the operator, in Chinese)."""

    event_id: int
    chain_seq: int | None
    reason: str


def verify_chain(session: Session) -> ChainBreak | None:
    """Recompute the hash chain from the stored rows; None when every sealed row fits."""
    expected_seq, previous = 1, GENESIS
    columns = [*(_table.c[name] for name in CONTENT), _table.c.chain_seq, _table.c.chain_hash]
    rows = session.connection().execute(
        select(*columns).where(_table.c.chain_seq.is_not(None) | _table.c.chain_hash.is_not(None))
        .order_by(_table.c.chain_seq.is_(None), _table.c.chain_seq).execution_options(yield_per=1000))
    for row in rows:
        if row.chain_seq is None or row.chain_hash is None:
            return ChainBreak(row.id, row.chain_seq, "链序号或哈希被清除")
        if row.chain_seq > expected_seq:
            return ChainBreak(row.id, row.chain_seq,
                              f"链中缺少第{expected_seq}至第{row.chain_seq - 1}条记录（已被删除）")
        if row.chain_seq < expected_seq:
            return ChainBreak(row.id, row.chain_seq, "链序号重复（记录被复制或改动）")
        if link(previous, row, row.chain_seq) != row.chain_hash:
            return ChainBreak(row.id, row.chain_seq, "记录内容或哈希与链不符（已被修改）")
        expected_seq, previous = expected_seq + 1, row.chain_hash
    return None
