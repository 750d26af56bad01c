"""接口令牌 (integrator API tokens): a long-lived, revocable bearer token for another system, acting as one of our
accounts (whose visibility it has) and narrowed to the scopes it was given."""

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel


class IntegratorToken(SQLModel, table=True):
    __tablename__ = "integrator_token"
    __table_args__ = (UniqueConstraint("created_by_id", "request_key", name="uq_integrator_token_request"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, description="the system, e.g. 广东政务服务网")
    token_hash: str = Field(max_length=64, unique=True, index=True, description="SHA-256 of the token")
    prefix: str = Field(max_length=12, description="the token's first characters, to tell tokens apart")
    user_id: int = Field(foreign_key="user.id", index=True, description="the account the token acts as")
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: NaiveDatetime
    expires_at: NaiveDatetime | None = None
    last_used_at: NaiveDatetime | None = None
    revoked_at: NaiveDatetime | None = None
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")
    request_key: str | None = Field(default=None, max_length=64, description="the form's key: a double post makes "
                                                                             "one token")
