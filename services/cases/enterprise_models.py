"""Enterprises (企业) and their investment projects (投资项目)."""

from datetime import date
from decimal import Decimal

from pydantic import NaiveDatetime
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from services.core.indexes import trigram_index


class Enterprise(SQLModel, table=True):
    __table_args__ = (trigram_index("enterprise", "name"), trigram_index("enterprise", "uscc"))
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=128)
    uscc: str = Field(max_length=18, unique=True, index=True, description="统一社会信用代码")
    legal_representative: str = Field(max_length=64, description="法定代表人")
    contact_name: str = Field(max_length=64)
    contact_phone: str = Field(max_length=32)
    created_at: NaiveDatetime
    updated_at: NaiveDatetime


class Project(SQLModel, table=True):
    __table_args__ = (trigram_index("project", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    enterprise_id: int = Field(foreign_key="enterprise.id", index=True)
    name: str = Field(max_length=128)
    industry_code: str = Field(max_length=4, description="GB/T 4754-2017 小类 (4 digits)")
    total_investment_wan: Decimal = Field(max_digits=16, decimal_places=2, description="总投资（万元）")
    land_area_mu: Decimal = Field(max_digits=14, decimal_places=4, description="用地面积（亩）")
    parcel_id: int | None = Field(default=None, foreign_key="parcel.id")
    expected_annual_output_wan: Decimal = Field(max_digits=16, decimal_places=2, description="预计年产值")
    expected_annual_tax_wan: Decimal = Field(max_digits=16, decimal_places=2, description="预计年税收")
    created_at: NaiveDatetime
    planned_indicators: dict[str, str] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False),
        description="planned value per parcel indicator code, as decimal strings (计划指标值)")
    annual_energy_tce: Decimal | None = Field(default=None, max_digits=14, decimal_places=2,
                                              description="年综合能源消费量（吨标准煤）")
    annual_electricity_kwh: Decimal | None = Field(default=None, max_digits=16, decimal_places=0,
                                                   description="年电力消费量（千瓦时）")
    planned_start_on: date | None = Field(default=None, description="计划开工日期")
    planned_completion_on: date | None = Field(default=None, description="计划竣工日期")
    planned_production_on: date | None = Field(default=None, description="计划投产日期")
    tier: str = Field(default="normal", max_length=16, description="项目等级: normal | key (重点项目)")
    chief_agent_id: int | None = Field(default=None, foreign_key="user.id", index=True, description="首席代办专员")

    @property
    def code(self) -> str:
        """项目编号 shown on the project page and in the API, e.g. XM-000042."""
        return f"XM-{self.id or 0:06d}"
