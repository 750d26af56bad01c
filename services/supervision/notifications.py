"""In-app notifications (站内信) and their delivery by e-mail.

``notify`` writes one row per recipient and is idempotent per (user, ``dedupe_key``): the unique
constraint ``uq_notification_once`` is the guard, through ``INSERT … ON CONFLICT DO NOTHING`` inside
the caller's transaction, so a sweep run twice, or two at once, tells nobody twice.

``deliver_pending`` e-mails the rows not yet sent through the SMTP server of the settings
(``GC_SMTP_HOST`` empty: e-mail is off). Each row is first *claimed* with a guarded ``UPDATE`` that is
committed before the message goes out, so two senders at once never send the same row; after the
attempt the row records ``email_sent_at`` or the SMTP error in ``email_error``. A failed row is not
tried again by itself, and neither is a row whose sender stopped between claim and result (it keeps
the claim mark ``CLAIMED``): it may have been sent, and a second copy is worse than a visible gap.
"""

import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.core import clock, db
from services.core.db import id_column, table_of
from services.core.mail import SmtpSender, build_message
from services.core.settings import get_settings
from services.models import Notification, Role, User

#: ``email_error`` of a row a sender has claimed and not yet finished.
CLAIMED = "sending"
KIND_ZH = {"light_yellow": "黄灯提醒", "supervision_notice": "督办通知", "escalation": "提级督办",
           "deadline_moved": "期限变更", "mandate_new": "新代办委托", "mandate_assigned": "代办指派",
           "mandate_contact_late": "限时回复超时", "mandate_ended": "代办终止/办结"}

Sender = Callable[[EmailMessage], None]
# the server refused this one message (sender, recipient or content): the next message may still go
_MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError, ValueError)


# ---------------------------------------------------------------------------------------------- inbox

def notify(session: Session, users: Iterable[User], *, kind: str, title: str, body: str, link: str = "",
           dedupe_key: str, application_id: int | None = None) -> list[Notification]:
    """One notification per user, unless that user already has one with ``dedupe_key``.

    Returns the rows created by this call (none for users told before). Runs in the caller's
    transaction: nothing is committed here.
    """
    if not dedupe_key or len(dedupe_key) > 128:
        raise ValueError("dedupe_key must be 1–128 characters")
    if len(link) > 255 or len(kind) > 32:
        raise ValueError("link is limited to 255 characters and kind to 32")
    now = clock.now()
    values: dict[str, Any] = {"kind": kind, "title": _clip(title, 200), "body": _clip(body, 4000), "link": link,
              "dedupe_key": dedupe_key, "application_id": application_id, "created_at": now, "email_error": ""}
    user_ids = list(dict.fromkeys(u.id for u in users if u.id is not None))
    if not user_ids:
        return []
    rows = [dict(values, user_id=user_id) for user_id in user_ids]
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = (sqlite.insert if dialect == "sqlite" else postgresql.insert)(Notification)
        stmt = (insert.values(rows).on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
                .returning(col(Notification.id)))
        created_ids = [row[0] for row in session.execute(stmt)]
    else:  # any other database: one savepoint per row, the constraint decides
        created_ids = []
        for row in rows:
            try:
                with session.begin_nested():
                    notification = Notification(**row)
                    session.add(notification)
                    session.flush()
                created_ids.append(notification.id)
            except IntegrityError:
                pass
    if not created_ids:
        return []
    return list(session.exec(select(Notification).where(col(Notification.id).in_(created_ids))
                             .order_by(col(Notification.id))).all())



@dataclass(frozen=True)
class Message:
    """One notification for several users (see ``notify_many``)."""

    users: tuple[User, ...]
    kind: str
    title: str
    body: str
    link: str
    dedupe_key: str
    application_id: int | None = None


def notify_many(session: Session, messages: Iterable[Message]) -> int:
    """``notify`` for many messages in a few statements (the SLA sweep tells thousands at once); returns
    how many rows were created. The same (user, ``dedupe_key``) guard applies."""
    now = clock.now()
    rows: list[dict[str, Any]] = []
    for m in messages:
        if not m.dedupe_key or len(m.dedupe_key) > 128 or len(m.link) > 255 or len(m.kind) > 32:
            raise ValueError("dedupe_key must be 1–128 characters, link ≤ 255, kind ≤ 32")
        for user_id in dict.fromkeys(u.id for u in m.users if u.id is not None):
            rows.append({"kind": m.kind, "title": _clip(m.title, 200), "body": _clip(m.body, 4000), "link": m.link,
                         "dedupe_key": m.dedupe_key, "application_id": m.application_id, "created_at": now,
                         "email_error": "", "user_id": user_id})
    if session.get_bind().dialect.name not in ("sqlite", "postgresql"):
        return sum(len(notify(session, [session.get_one(User, r["user_id"])], kind=r["kind"], title=r["title"],
                              body=r["body"], link=r["link"], dedupe_key=r["dedupe_key"],
                              application_id=r["application_id"])) for r in rows)
    table = table_of(Notification)
    return len(db.insert_new_rows(session, table, rows, ["user_id", "dedupe_key"], [table.c.id]))


def unread_count(session: Session, user: User) -> int:
    stmt = select(func.count()).select_from(Notification).where(Notification.user_id == user.id,
                                                                 col(Notification.read_at).is_(None))
    return session.exec(stmt).one()


def inbox(session: Session, user: User, limit: int = 100) -> list[Notification]:
    """The user's notifications, newest first."""
    stmt = (select(Notification).where(Notification.user_id == user.id)
            .order_by(col(Notification.created_at).desc(), col(Notification.id).desc()).limit(limit))
    return list(session.exec(stmt).all())


def mark_read(session: Session, user: User, notification_id: int) -> Notification | None:
    """Mark one of the user's own notifications read (again: no change). ``None``: no such
    notification of this user — someone else's is treated as not there."""
    session.exec(update(Notification)
                 .where(col(Notification.id) == notification_id, col(Notification.user_id) == user.id,
                        col(Notification.read_at).is_(None))
                 .values(read_at=clock.now()).execution_options(synchronize_session=False))
    stmt = select(Notification).where(Notification.id == notification_id, Notification.user_id == user.id)
    return session.exec(stmt.execution_options(populate_existing=True)).first()


def mark_all_read(session: Session, user: User) -> int:
    """Mark every unread notification of the user read; returns how many were unread."""
    result = session.exec(update(Notification)
                          .where(col(Notification.user_id) == user.id, col(Notification.read_at).is_(None))
                          .values(read_at=clock.now()).execution_options(synchronize_session=False))
    return result.rowcount


def department_contacts(session: Session, department: str) -> list[User]:
    """The active reviewers of a department: who is told about that department's steps."""
    stmt = select(User).where(User.role == Role.reviewer, User.department == department, User.is_active)
    return list(session.exec(stmt.order_by(col(User.id))).all())


def supervisors(session: Session) -> list[User]:
    """The active supervisors (督办管理员)."""
    stmt = select(User).where(User.role == Role.supervisor, User.is_active)
    return list(session.exec(stmt.order_by(col(User.id))).all())


# --------------------------------------------------------------------------------------------- e-mail

def deliver_pending(session: Session, sender: Sender | None = None, limit: int = 200) -> int:
    """E-mail up to ``limit`` unsent notifications of users with an address; returns how many were sent.

    Never raises for SMTP trouble: a message the server refuses records its error and the next one is
    tried; a connection failure records its error on the message being sent and ends this run (the
    rest wait for the next). Commits the session: each claim before its message goes out, each result
    after. ``sender`` (a callable taking an ``EmailMessage``) replaces the configured SMTP server.
    """
    settings = get_settings()
    own_sender = None
    if sender is None:
        if not settings.smtp_host:
            return 0
        sender = own_sender = SmtpSender(settings)
    pending = (select(id_column(Notification)).join(User, col(User.id) == Notification.user_id)
               .where(col(Notification.email_sent_at).is_(None), Notification.email_error == "",
                      col(User.email).is_not(None), User.email != "", User.is_active)
               .order_by(col(Notification.id)).limit(limit))
    ids = list(session.exec(pending).all())
    session.commit()  # end the read: each claim below starts its own write transaction
    sent = 0
    try:
        for notification_id in ids:
            claimed = _claim(session, notification_id)
            if claimed is None:
                continue  # another sender took it, or it changed since the list was read
            try:
                message = build_message(**claimed, settings=settings)
            except Exception as failure:  # a malformed address or header: this message only
                _record(session, notification_id, _describe(failure))
                continue
            error, stop = "", False
            try:
                sender(message)
            except _MESSAGE_ERRORS as failure:
                error = _describe(failure)
            except Exception as failure:  # connection, authentication, time-out: the server is not usable now
                error, stop = _describe(failure), True
                if own_sender is not None:
                    own_sender.close()
            _record(session, notification_id, error)
            sent += not error
            if stop:
                break
    finally:
        if own_sender is not None:
            own_sender.close()
    return sent


def _claim(session: Session, notification_id: int) -> dict | None:
    """Take the row for this sender (committed), with what the message needs; ``None``: not ours."""
    result = session.exec(update(Notification)
                          .where(col(Notification.id) == notification_id, col(Notification.email_sent_at).is_(None),
                                 col(Notification.email_error) == "")
                          .values(email_error=CLAIMED).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        return None
    stmt = (select(Notification.title, Notification.body, Notification.link, User.email)
            .join(User, col(User.id) == Notification.user_id).where(Notification.id == notification_id))
    title, body, link, email = session.exec(stmt).one()
    session.commit()
    return {"title": title, "body": body, "link": link, "to": email}


def _record(session: Session, notification_id: int, error: str) -> None:
    values = {"email_error": error} if error else {"email_sent_at": clock.now(), "email_error": ""}
    session.exec(update(Notification).where(col(Notification.id) == notification_id)
                 .values(**values).execution_options(synchronize_session=False))
    session.commit()


def _describe(failure: Exception) -> str:
    return _clip(f"{failure.__class__.__name__}: {failure}".strip(), 500)


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"
