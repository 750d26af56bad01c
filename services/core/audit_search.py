"""Reading the audit trail (审计记录): the events a supervisor asks for — by who, what, which case, when — a page
at a time, and the same rows for a CSV export. Writing and sealing the trail is ``services.core.audit``."""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select, SelectOfScalar

from services.core.formatting import format_datetime_zh
from services.models import Application, AuditEvent

PAGE_SIZE = 100
CSV_LIMIT = 50_000
CSV_HEADER = ["时间", "操作人", "代企业", "操作", "案件编号", "对象", "对象编号", "详情", "链序号"]


@dataclass(frozen=True)
class AuditQuery:
    """What to look for; empty fields match everything. ``case`` is a case number (案件编号) or an id."""

    actor: str = ""
    action: str = ""
    case: str = ""
    since: date | None = None
    until: date | None = None


def _statement(session: Session, query: AuditQuery) -> SelectOfScalar[AuditEvent]:
    return _filtered(session, select(AuditEvent), query)


def _filtered(session: Session, stmt: Any, query: AuditQuery) -> Any:
    """``stmt`` (any select over ``AuditEvent``) narrowed to what ``query`` asks."""
    if query.actor.strip():
        stmt = stmt.where(col(AuditEvent.actor_label) == query.actor.strip()[:64])
    if query.action.strip():
        stmt = stmt.where(col(AuditEvent.action).startswith(query.action.strip()[:64]))
    if query.case.strip():
        wanted = query.case.strip()[:64]
        found = session.exec(select(Application.id).where(Application.case_no == wanted)).first()
        application_id = found if found is not None else (int(wanted) if wanted.isdigit() else -1)
        stmt = stmt.where(AuditEvent.application_id == application_id)
    if query.since:
        stmt = stmt.where(col(AuditEvent.at) >= datetime.combine(query.since, time.min))
    if query.until:
        stmt = stmt.where(col(AuditEvent.at) < datetime.combine(query.until + timedelta(days=1), time.min))
    return stmt


def search(session: Session, query: AuditQuery, page: int = 1) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and how many match."""
    stmt = _statement(session, query)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(col(AuditEvent.id).desc()).offset((max(page, 1) - 1) * PAGE_SIZE)
                        .limit(PAGE_SIZE)).all()
    return list(rows), total


def csv_lines(session: Session, query: AuditQuery) -> Iterator[str]:
    """The matching events as CSV (UTF-8 with a BOM, so Excel opens the Chinese right), oldest first, up to
    ``CSV_LIMIT`` rows; a formula-looking cell is quoted as text (no CSV injection)."""
    out = io.StringIO()
    writer = csv.writer(out)
    out.write("\ufeff")
    writer.writerow(CSV_HEADER)
    joined = select(AuditEvent, col(Application.case_no)).outerjoin(
        Application, col(Application.id) == AuditEvent.application_id)
    stmt: Select[AuditEvent, str | None] = _filtered(session, joined, query)
    for event, case_no in session.exec(stmt.order_by(col(AuditEvent.id)).limit(CSV_LIMIT)):
        writer.writerow([_safe(v) for v in (
            format_datetime_zh(event.at), event.actor_label, event.on_behalf_of_enterprise_id or "", event.action,
            case_no or "", event.entity, event.entity_id, _detail(event.detail), event.chain_seq or "")])
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def _detail(detail: dict) -> str:
    return "; ".join(f"{k}={v}" for k, v in sorted(detail.items()))[:2000]


def _safe(value: object) -> str:
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
