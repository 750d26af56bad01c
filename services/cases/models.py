"""Applications (申请/案件) and their steps (办理环节), the rows that own every clock."""

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.core.indexes import trigram_index


class ApplicationStatus(StrEnum):
    submitted = "submitted"
    incomplete = "incomplete"
    accepted = "accepted"
    supplementing = "supplementing"
    approved = "approved"
    rejected = "rejected"
    permitted = "permitted"  # 拿地即开工: the four certificates are issued, construction may start
    started = "started"  # 拿地即开工: construction started (开工)
    lost = "lost"  # 拿地即开工: another bidder won the land; the case is closed

    @property
    def label_zh(self) -> str:
        return {"submitted": "已提交，待受理", "incomplete": "材料不全", "accepted": "已受理，审查中",
                "supplementing": "待补正（计时暂停）", "approved": "预评估通过", "rejected": "预评估未通过",
                "permitted": "四证已核发，待开工", "started": "已开工", "lost": "未竞得土地，已关闭"}[self.value]

    def label_for(self, process_key: str) -> str:
        """The label in the words of the case's process: an approved 环评 is 审批通过, not 预评估通过."""
        if process_key.startswith("eia_") and self.value in ("approved", "rejected"):
            return {"approved": "审批通过", "rejected": "未通过审批"}[self.value]
        if process_key == "land_to_start" and self.value == "rejected":
            return "预审未通过，已退回"
        return self.label_zh


class StepStatus(StrEnum):
    planned = "planned"
    running = "running"
    completed = "completed"
    blocked = "blocked"
    suspended = "suspended"
    cancelled = "cancelled"

    @property
    def label_zh(self) -> str:
        return {"planned": "待办理", "running": "办理中", "completed": "已完成", "blocked": "受阻",
                "suspended": "补正中（计时暂停）", "cancelled": "不再办理"}[self.value]


class Application(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("created_by_id", "idempotency_key", name="uq_application_idem"),
                      trigram_index("application", "case_no"))
    id: int | None = Field(default=None, primary_key=True)
    case_no: str = Field(max_length=32, unique=True, index=True, description="案件编号")
    process_key: str = Field(max_length=64)
    process_version: int
    title: str = Field(max_length=128)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    status: ApplicationStatus = Field(default=ApplicationStatus.submitted, max_length=24, index=True)
    submitted_at: NaiveDatetime = Field(index=True)
    accepted_at: NaiveDatetime | None = None
    created_by_id: int = Field(foreign_key="user.id")
    idempotency_key: str = Field(max_length=64)
    dispatched_at: NaiveDatetime | None = Field(default=None, description="when handed to Prefect")
    dispatch_task_run_id: str | None = Field(default=None, max_length=64,
                                             description="the queued Prefect task run that will start the flow")
    flow_run_id: str | None = Field(default=None, max_length=64)
    form_data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Step(SQLModel, table=True):
    """One step of an application's process; its deadline is counted in working days."""

    __table_args__ = (UniqueConstraint("application_id", "key", name="uq_step_key"),)
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    key: str = Field(max_length=64)
    name: str = Field(max_length=64)
    kind: str = Field(max_length=24)
    department: str = Field(max_length=64, index=True)
    sequence: int
    status: StepStatus = Field(default=StepStatus.planned, max_length=16, index=True)
    sla_working_days: int = Field(description="the limit, counted in sla_unit")
    sla_unit: str = Field(default="working_day", max_length=16, description="working_day | calendar_day")
    due_on: date | None = None
    due_provisional: bool = False
    statutory_due_on: date | None = Field(default=None, description="法定时限: when the law's limit ends, if any")
    started_at: NaiveDatetime | None = None
    finished_at: NaiveDatetime | None = None
    outcome: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    flow_run_id: str | None = Field(default=None, max_length=64, description="the segment's flow run that opened it")

    @property
    def limit_zh(self) -> str:
        """The committed limit as printed: N个工作日, or N日 for calendar-day periods (公示、挂牌期)."""
        if self.sla_unit == "calendar_day":
            return f"{self.sla_working_days}日"
        return f"{self.sla_working_days}个工作日"
    paused_working_days: int = Field(default=0, description="working days its clock stood still (补正)")

    def statutory_passed(self, today: date) -> bool:
        """Still open after its statutory limit (已超过法定时限); lights follow the committed limit instead."""
        return self.statutory_due_on is not None and self.statutory_due_on < today \
            and self.status in (StepStatus.running, StepStatus.suspended)
