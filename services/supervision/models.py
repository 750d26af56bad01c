"""Supervision (亮灯督办): each open step's light, the escalations issued for it, and notifications.

``StepLight`` is the last light the SLA sweep computed for a step; ``Escalation`` rows are unique per
step and level, so a sweep run twice (or two at once) never escalates twice; ``Notification`` rows are
unique per user and ``dedupe_key`` for the same reason.
"""

from datetime import date

from pydantic import NaiveDatetime
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class StepLight(SQLModel, table=True):
    """The light of one open step: green / yellow / red, or paused while its clock stands still."""

    __tablename__ = "step_light"
    step_id: int = Field(foreign_key="step.id", primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    department: str = Field(max_length=64, index=True)
    light: str = Field(max_length=8, index=True, description="green | yellow | red | paused")
    remaining_working_days: int | None = None
    limit_working_days: int
    computed_on: date
    changed_on: date
    yellow_since: date | None = None
    red_since: date | None = None


class Escalation(SQLModel, table=True):
    """One escalation of a red step (督办): level 1 督办通知 to the department, 2 现场指挥部, 3 总指挥部."""

    __table_args__ = (UniqueConstraint("step_id", "level", name="uq_escalation_level"),)
    id: int | None = Field(default=None, primary_key=True)
    step_id: int = Field(foreign_key="step.id", index=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    level: int
    issued_on: date
    reply_due_on: date | None = None
    reply_overdue_for: date | None = Field(default=None, description="the reply date already escalated as overdue")
    document_id: int | None = Field(default=None, foreign_key="document.id")
    issued_at: NaiveDatetime


class EscalationReply(SQLModel, table=True):
    """The department's written reply to a 督办通知 (书面回复: reason, measures, the date it will be done) and
    the supervisor's verdict on it. Replies of one escalation are numbered (``round``); the unique number is the
    guard against a double post. A rejected reply asks for another by a new ``Escalation.reply_due_on``."""

    __tablename__ = "escalation_reply"
    __table_args__ = (UniqueConstraint("escalation_id", "round", name="uq_escalation_reply_round"),)
    id: int | None = Field(default=None, primary_key=True)
    escalation_id: int = Field(foreign_key="escalation.id", index=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    round: int = Field(description="1 for the first reply, 2 after a rejection …")
    department: str = Field(max_length=64)
    reason: str = Field(max_length=1000, description="超期原因")
    measures: str = Field(max_length=1000, description="已采取的措施")
    promised_on: date = Field(description="预计办结日期")
    filed_by_id: int = Field(foreign_key="user.id")
    filed_at: NaiveDatetime
    verdict: str = Field(default="pending", max_length=16, index=True, description="pending | accepted | rejected")
    verdict_reason: str = Field(default="", max_length=1000)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: NaiveDatetime | None = None


class Notification(SQLModel, table=True):
    """A message to one user (站内信), shown in the inbox and sent by e-mail when an address is known."""

    __table_args__ = (UniqueConstraint("user_id", "dedupe_key", name="uq_notification_once"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    kind: str = Field(max_length=32, description="light_yellow | supervision_notice | escalation | deadline_moved")
    title: str = Field(max_length=200)
    body: str = Field(max_length=4000)
    link: str = Field(default="", max_length=255)
    dedupe_key: str = Field(max_length=128)
    created_at: NaiveDatetime = Field(index=True)
    read_at: NaiveDatetime | None = None
    email_sent_at: NaiveDatetime | None = None
    email_error: str = Field(default="", max_length=500)


class LightSnapshot(SQLModel, table=True):
    """How many open steps each department had in each light on a day (written by the sweep; for charts)."""

    __tablename__ = "light_snapshot"
    day: date = Field(primary_key=True)
    department: str = Field(primary_key=True, max_length=64)
    light: str = Field(primary_key=True, max_length=8)
    count: int
