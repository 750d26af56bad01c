"""Sign-in sessions kept on the server (so logout really ends them) and the rate-limit counters."""

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class SignInSession(SQLModel, table=True):
    """One sign-in: a page session (its token sits in the signed cookie) or an API bearer token.

    Only the token's SHA-256 is stored, so a copy of the table does not hand out live sessions.
    A session counts while ``revoked_at`` is empty and it is younger than its lifetime.
    """

    __tablename__ = "sign_in_session"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=8, description="page (cookie) or api (bearer token)")
    created_at: NaiveDatetime
    last_seen_at: NaiveDatetime
    revoked_at: NaiveDatetime | None = None
    client_address: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=255)


class RateLimit(SQLModel, table=True):
    """Hits counted for one key (sign-in per account and address, 文书查验 per address) in a fixed window."""

    __tablename__ = "rate_limit"
    key: str = Field(primary_key=True, max_length=200)
    hits: int = 0
    window_started_at: NaiveDatetime
