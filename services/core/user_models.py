"""Accounts (用户) and roles. Sign-in sessions and throttling counters are in ``sign_in``."""

from enum import StrEnum

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class Role(StrEnum):
    """Who a user is: an enterprise clerk (企业), an agent (代办专员), a department reviewer
    (部门审查员) or a supervisor (督办/管理人员)."""

    enterprise = "enterprise"
    agent = "agent"
    reviewer = "reviewer"
    supervisor = "supervisor"

    @property
    def label_zh(self) -> str:
        return {"enterprise": "企业用户", "agent": "代办专员", "reviewer": "部门审查员",
                "supervisor": "督办管理员"}[self.value]

    @property
    def is_staff(self) -> bool:
        return self is not Role.enterprise


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    display_name: str = Field(max_length=64)
    role: Role = Field(max_length=16)
    enterprise_id: int | None = Field(default=None, foreign_key="enterprise.id")
    department: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=128, description="for notifications by e-mail")
    is_active: bool = True
    is_admin: bool = Field(default=False, description="系统管理员: manages staff accounts (any staff role may be one)")
    must_change_password: bool = Field(default=False, description="set by an administrator's initial or reset "
                                                                  "password: the next sign-in must choose a new one")
    email_confirmed_at: NaiveDatetime | None = Field(default=None, description="a self-registered enterprise "
                                                     "account is active once its e-mail address is confirmed")
    totp_secret: str | None = Field(default=None, max_length=64, description="动态口令 (TOTP, RFC 6238) secret; "
                                                                             "set: sign-in asks for a code")
    totp_last_step: int | None = Field(default=None, description="the time step of the last code accepted: a code "
                                                                 "is used once")
    sso_subject: str | None = Field(default=None, max_length=255, unique=True, description="统一身份认证: the "
                                    "provider's issuer and subject (issuer|sub) this account signs in as")
    created_at: NaiveDatetime
