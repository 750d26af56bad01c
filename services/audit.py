"""Append-only audit log: every side-effecting service call records who, what and for whom.

Rows are never updated or deleted; the migration adds database triggers that refuse it.
"""

from typing import Any

from sqlmodel import Session

from services import clock
from services.models import AuditEvent, User


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
    return event
