"""The append-only audit log (操作日志): who did what, when, and for whom — each row a link of a hash chain."""

from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, Index, text
from sqlmodel import Field, SQLModel


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    # the rows a commit still has to seal into the chain (migration 0009), found without a full scan
    __table_args__ = (Index("ix_audit_event_unsealed", "id", postgresql_where=text("chain_hash IS NULL"),
                            sqlite_where=text("chain_hash IS NULL")),)
    id: int | None = Field(default=None, primary_key=True)
    at: NaiveDatetime = Field(index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    actor_label: str = Field(max_length=64, description="user name, or 'system' / 'flow'")
    on_behalf_of_enterprise_id: int | None = Field(default=None, foreign_key="enterprise.id")
    action: str = Field(max_length=64, index=True)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    chain_seq: int | None = Field(default=None, index=True, unique=True,
                                  description="position in the hash chain; set when the transaction commits")
    chain_hash: str | None = Field(default=None, max_length=64,
                                   description="sha256 of the previous row's chain_hash and this row's content")
