"""履约核验计划: the checks an approved 标准地 case's commitment owes, as scheduled rows (whole-cycle supervision)."""

from datetime import date

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel, UniqueConstraint


class ComplianceCheck(SQLModel, table=True):
    """One scheduled check: 对标验收 at the committed completion date, 达产复核 at the end of the initial operating
    period, or 整改复核 after a shortfall (due at the end of the rectification period).

    ``checkpoint`` says which measurement records it (completion | ramp_up_end); ``kind`` says why it was
    scheduled. The unique row is the guard against two sweeps planning the same check."""

    __tablename__ = "compliance_check"
    __table_args__ = (UniqueConstraint("application_id", "kind", "due_on", name="uq_compliance_check"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    kind: str = Field(max_length=16, description="completion | ramp_up_end | rectification")
    checkpoint: str = Field(max_length=16, description="completion | ramp_up_end: the measurement that records it")
    due_on: date = Field(index=True)
    status: str = Field(default="scheduled", max_length=16, description="scheduled | done")
    follows_id: int | None = Field(default=None, foreign_key="verification_record.id",
                                   description="the verification whose shortfall opened this 整改复核")
    verification_id: int | None = Field(default=None, foreign_key="verification_record.id",
                                        description="the verification that carried the check out")
    created_at: NaiveDatetime
    done_at: NaiveDatetime | None = None
