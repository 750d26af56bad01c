"""代办 (agency service): the published catalogue of agency items, mandates and their history.

Glossary: 代办事项目录清单 (catalogue of agency items, ``AgencyItem``), 代办委托 (mandate: an enterprise
delegates some or all items for one project and a period to the agency service centre, ``Mandate``),
代办专员/代办员 (agent), 首席代办专员 (chief agent of a key project), 限时回复 (the agent contacts the
enterprise within a fixed number of working days of being assigned), 续办 / 终止 / 办结 (extend /
terminate / complete a mandate; each issues its document).
"""

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class AgencyMode(StrEnum):
    """How far the agent goes on an item (DOMAIN §4.2)."""

    full = "full"
    assist = "assist"
    guidance = "guidance"

    @property
    def label_zh(self) -> str:
        return {"full": "全程代办", "assist": "协助办理", "guidance": "指导服务"}[self.value]


class AgencyItem(SQLModel, table=True):
    """One row of the published 代办事项目录清单; ``processes`` are the process keys it covers here."""

    __tablename__ = "agency_item"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True, index=True)
    name: str = Field(max_length=64)
    stage: str = Field(max_length=16, description="立项 / 用地 / 工程建设 / 施工许可 / 竣工 …")
    department: str = Field(max_length=64, description="审批部门")
    limit_text: str = Field(default="", max_length=64, description="法定/承诺时限 as published")
    mode: AgencyMode = Field(default=AgencyMode.full, max_length=16)
    processes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    position: int = 0
    active: bool = True
    updated_at: NaiveDatetime


class MandateStatus(StrEnum):
    active = "active"
    terminated = "terminated"
    completed = "completed"

    @property
    def label_zh(self) -> str:
        return {"active": "代办中", "terminated": "已终止", "completed": "已办结"}[self.value]


class ProjectTier(StrEnum):
    """项目等级: key projects (重点项目) get a chief agent and tighter lights (``sla_lights.toml``)."""

    normal = "normal"
    key = "key"

    @property
    def label_zh(self) -> str:
        return {"normal": "一般项目", "key": "重点项目"}[self.value]


class Mandate(SQLModel, table=True):
    """An enterprise's 代办委托: items (all or some), one project, a period, and the agent assigned.

    ``project_id`` is empty while the project has no case yet (it is named by ``project_name``); the
    first case of that name links it.
    """

    __table_args__ = (UniqueConstraint("signed_by_id", "idempotency_key", name="uq_mandate_submission"),)
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(default="", max_length=64, description="the 委托书's 文号")
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    project_id: int | None = Field(default=None, foreign_key="project.id", index=True)
    project_name: str = Field(max_length=128)
    all_items: bool = False
    item_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    valid_from: date
    valid_until: date
    status: MandateStatus = Field(default=MandateStatus.active, max_length=16, index=True)
    agent_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    assigned_at: NaiveDatetime | None = None
    contact_due_on: date | None = Field(default=None, description="限时回复: contact the enterprise by then")
    contacted_at: NaiveDatetime | None = None
    signed_by_id: int = Field(foreign_key="user.id")
    signed_by_name: str = Field(max_length=64, description="who signed online for the enterprise")
    signed_at: NaiveDatetime
    idempotency_key: str = Field(max_length=64)
    ended_on: date | None = None
    end_reason: str = Field(default="", max_length=500)


class MandateEvent(SQLModel, table=True):
    """One thing that happened to a mandate (signed, assigned, contacted, extended, terminated, completed)."""

    __tablename__ = "mandate_event"
    id: int | None = Field(default=None, primary_key=True)
    mandate_id: int = Field(foreign_key="mandate.id", index=True)
    kind: str = Field(max_length=16)
    at: NaiveDatetime
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    note: str = Field(default="", max_length=500)
    document_id: int | None = Field(default=None, foreign_key="document.id")
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
