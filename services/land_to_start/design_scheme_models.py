"""设计方案 (design scheme) versions handed in for a 拿地即开工 case, and the reviewer's decision on one of them.

A version is one upload set: its files are ``attachment`` rows of the case with ``purpose = "design_scheme"``
and ``item_index`` = the version number, so downloads, the 材料库 and access checks work as for any file.
A version is never changed after it is written; a later upload is a new version.
"""

from pydantic import NaiveDatetime
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class DesignScheme(SQLModel, table=True):
    """设计方案第N版: numbered per case from 1, without gaps (the case row is locked while one is numbered)."""

    __tablename__ = "design_scheme"
    __table_args__ = (UniqueConstraint("application_id", "version", name="uq_design_scheme_version"),
                      UniqueConstraint("application_id", "idempotency_key", name="uq_design_scheme_idem"))
    id: int | None = Field(default=None, primary_key=True)
    application_id: int = Field(foreign_key="application.id", index=True)
    version: int
    digest: str = Field(max_length=64, description="sha256 over the files' sha256 in upload order (文件哈希)")
    file_count: int
    uploaded_by_id: int = Field(foreign_key="user.id")
    uploaded_at: NaiveDatetime
    idempotency_key: str = Field(max_length=64)


class DesignSchemeDecision(SQLModel, table=True):
    """Which version a reviewer's action on 设计方案预审 decided (approve, 补正/修改, reject): one per action."""

    __tablename__ = "design_scheme_decision"
    action_id: int = Field(primary_key=True, foreign_key="step_action.id")
    design_scheme_id: int = Field(foreign_key="design_scheme.id", index=True)
