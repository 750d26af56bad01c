"""What happens to an accepted application: evaluations, human actions on steps, clock pauses,
material uploaded for 补正, and the later verification against the commitment.

Each row keeps the inputs it used, so a report printed from it can be reproduced from the data.
"""

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Evaluation(SQLModel, table=True):
    """An automatic evaluation (e.g. 标准地控制指标预评估) with its inputs and result."""

    __table_args__ = (UniqueConstraint("application_id", "kind", name="uq_evaluation_kind"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    kind: str = Field(max_length=32)
    rules_version: str = Field(max_length=64, description="e.g. national-2021+commitment-default/1")
    evaluated_at: NaiveDatetime
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ActionKind(StrEnum):
    """A human action on a step: a department decision, or the applicant's answer to 补正."""

    approve = "approve"
    reject = "reject"
    request_supplement = "request_supplement"
    supplement = "supplement"
    check_pass = "check_pass"
    check_rectify = "check_rectify"
    check_revoke = "check_revoke"

    @property
    def label_zh(self) -> str:
        return {"approve": "同意", "reject": "不同意", "request_supplement": "要求补正",
                "supplement": "补正材料已提交", "check_pass": "核查通过", "check_rectify": "限期整改",
                "check_revoke": "撤销审批决定"}[self.value]


class StepAction(SQLModel, table=True):
    """One human action on a step (办理动作), in order; the flow applies each exactly once.

    Recording it queues the case's next segment, which applies it; what the action means lives in the
    process, with who took it and when here.
    """

    __tablename__ = "step_action"
    __table_args__ = (UniqueConstraint("step_id", "sequence", name="uq_step_action_seq"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    step_id: int = Field(foreign_key="step.id", index=True)
    sequence: int
    kind: ActionKind = Field(max_length=24)
    reasons: str = Field(default="", max_length=4000)
    items: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    justification: str = Field(default="", max_length=2000, description="why a second 补正 is allowed")
    actor_id: int = Field(foreign_key="user.id")
    on_behalf_of_enterprise_id: int | None = Field(default=None, foreign_key="enterprise.id")
    acted_at: NaiveDatetime
    applied_at: NaiveDatetime | None = None
    document_id: int | None = Field(default=None, foreign_key="document.id")


class ClockPause(SQLModel, table=True):
    """A stretch during which a step's clock stands still (补正: 不计入办理时限)."""

    __tablename__ = "clock_pause"
    id: int | None = Field(default=None, primary_key=True)
    step_id: int = Field(foreign_key="step.id", index=True)
    reason: str = Field(max_length=32, description="supplement | expert_review | …")
    started_action_id: int = Field(foreign_key="step_action.id", unique=True)
    started_on: date
    ended_on: date | None = None
    working_days: int | None = Field(default=None, description="working days d, started_on < d <= ended_on")


class Attachment(SQLModel, table=True):
    """A file the applicant uploaded: for one item of a 补正 request, or with the application itself
    (e.g. the 环境影响报告表 on the normal EIA route: ``purpose`` says which)."""

    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    request_action_id: int | None = Field(default=None, foreign_key="step_action.id", index=True)
    purpose: str = Field(default="supplement", max_length=32, description="supplement | eia_document")
    item_index: int
    filename: str = Field(max_length=255)
    content_type: str = Field(max_length=128)
    size: int
    sha256: str = Field(max_length=64)
    path: str = Field(max_length=255)
    uploaded_by_id: int = Field(foreign_key="user.id")
    uploaded_at: NaiveDatetime
    reused_from_id: int | None = Field(default=None, description="材料库: the earlier upload of this enterprise "
                                                                 "handed in again (same stored file)")


class VerificationRecord(SQLModel, table=True):
    """Actual values recorded at 对标验收 (completion) or 达产复核 (end of the initial operating period),
    compared with the commitment; ``result`` holds each shortfall and the consequences applied."""

    __tablename__ = "verification_record"
    __table_args__ = (UniqueConstraint("recorded_by_id", "idempotency_key", name="uq_verification_idem"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    checkpoint: str = Field(max_length=16, description="completion | ramp_up_end")
    measured_on: date
    inputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: NaiveDatetime
    idempotency_key: str = Field(max_length=64)
    document_id: int | None = Field(default=None, foreign_key="document.id")
