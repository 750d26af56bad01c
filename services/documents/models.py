"""Issued documents (文书): every filing the system produces, with its number and hashes."""

from typing import Any

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class Document(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("application_id", "issue_key", name="uq_document_issue"),
                      UniqueConstraint("mandate_id", "issue_key", name="uq_document_mandate_issue"))
    id: int | None = Field(default=None, primary_key=True)
    application_id: int | None = Field(default=None, foreign_key="application.id", index=True,
                                       description="the case; empty for a mandate's documents")
    mandate_id: int | None = Field(default=None, foreign_key="mandate.id", index=True,
                                   description="the 代办委托 a 委托书 / 续办 / 终止 / 办结 document belongs to")
    step_key: str = Field(max_length=64)
    issue_key: str = Field(max_length=64, description="makes issuing idempotent per application")
    kind: str = Field(max_length=48)
    title: str = Field(max_length=64)
    number: str = Field(max_length=64, unique=True, description="文号")
    verification_code: str = Field(max_length=16, unique=True, index=True, description="查验码")
    issued_at: NaiveDatetime
    pdf_path: str = Field(max_length=255)
    docx_path: str = Field(max_length=255)
    pdf_sha256: str = Field(max_length=64)
    docx_sha256: str = Field(max_length=64)
    context: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    revoked_at: NaiveDatetime | None = Field(default=None, description="作废: when a supervisor revoked it")
    revocation_reason: str | None = Field(default=None, max_length=500, description="作废原因, shown on 文书查验")


class NumberSequence(SQLModel, table=True):
    """Last number issued per issuer, kind and year; bumped atomically so numbers have no gaps."""

    __tablename__ = "number_sequence"
    issuer: str = Field(primary_key=True, max_length=32)
    kind: str = Field(primary_key=True, max_length=48)
    year: int = Field(primary_key=True)
    last_value: int = 0
