"""Stuck work the repair sweep found (系统异常): what, where, why, and whether it was repaired.

One open row per application and kind: the sweep updates ``last_seen_at`` and ``attempts`` instead of
adding rows, closes it with ``repaired_at`` when its repair took effect, and leaves it open (shown to
supervisors, counted in ``/readyz``) when it could not repair it.
"""

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class SystemFault(SQLModel, table=True):
    __tablename__ = "system_fault"
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    step_id: int | None = Field(default=None, foreign_key="step.id")
    kind: str = Field(max_length=32, description="intake_stalled | review_run_lost | case_run_lost | notice_failed")
    reason: str = Field(max_length=500, description="in Chinese, for supervisors")
    flow_run_id: str = Field(default="", max_length=64, description="the run found dead or stuck")
    replacement_run_id: str = Field(default="", max_length=64, description="the run the repair started")
    found_at: NaiveDatetime = Field(index=True)
    last_seen_at: NaiveDatetime
    attempts: int = 0
    repaired_at: NaiveDatetime | None = Field(default=None, index=True)
    unrepairable: bool = Field(default=False, description="the sweep gave up: a person must look")
