"""Industrial bases (产业基地), their standard-land parcels (标准地地块), each parcel's control
indicators (控制指标) and the regional assessments (区域评估) done for an area."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from services.core.indexes import trigram_index


class Comparator(StrEnum):
    """How a value is held against an indicator's threshold(s)."""

    ge = "ge"
    le = "le"
    between = "between"

    @property
    def symbol(self) -> str:
        return {"ge": "≥", "le": "≤", "between": "介于"}[self.value]


class MeasuredAt(StrEnum):
    """When an indicator is measured: 竣工时 (对标验收), 投产初始运行期满 (达产复核), or every year."""

    completion = "completion"
    ramp_up_end = "ramp_up_end"
    annual = "annual"

    @property
    def label_zh(self) -> str:
        return {"completion": "竣工验收时", "ramp_up_end": "投产初始运行期满时", "annual": "每年度"}[self.value]


class IndustrialBase(SQLModel, table=True):
    """A strategic emerging-industry base (战略性新兴产业基地), e.g. 松山湖生物医药产业基地."""

    __tablename__ = "industrial_base"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=64)
    district: str = Field(default="", max_length=64)


class Parcel(SQLModel, table=True):
    """A 标准地 parcel offered for sale with its indicators fixed in advance.

    The liability terms (违约责任) printed in the supervision agreement and applied at verification
    are configured per parcel: rectification period, liquidated-damages rate on the land price,
    and whether a shortfall goes on the enterprise's credit record.
    """

    __table_args__ = (trigram_index("parcel", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    base_id: int = Field(foreign_key="industrial_base.id", index=True)
    number: str = Field(max_length=64, unique=True, description="宗地编号")
    location: str = Field(max_length=128)
    area_m2: Decimal = Field(max_digits=14, decimal_places=2)
    land_use: str = Field(default="工业用地", max_length=32)
    status: str = Field(default="available", max_length=16, description="planned | available | reserved | sold")
    allowed_industry_codes: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False),
        description="GB/T 4754 codes or prefixes allowed on the parcel; empty = any manufacturing")
    land_price_wan: Decimal | None = Field(default=None, max_digits=14, decimal_places=2,
                                           description="出让起始价（万元）, base of liquidated damages")
    initial_operating_years: int = Field(default=3, description="投产初始运行期（年）")
    rectification_months: int = Field(default=6, description="整改期限（月）")
    damages_rate: Decimal = Field(default=Decimal("1"), max_digits=6, decimal_places=4,
                                  description="违约金系数: 违约金 = 出让价款 × 差额比例 × 系数")
    credit_record: bool = Field(default=True, description="未达标是否纳入企业信用记录")
    outline: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True),
        description="宗地范围: a GeoJSON Polygon or MultiPolygon in WGS 84 (lon, lat), drawn on the public map")


class ParcelIndicator(SQLModel, table=True):
    """One control indicator of a parcel, as data: code, name, unit, comparator and threshold(s)."""

    __tablename__ = "parcel_indicator"
    __table_args__ = (UniqueConstraint("parcel_id", "code", name="uq_parcel_indicator"),)
    id: int | None = Field(default=None, primary_key=True)
    parcel_id: int = Field(foreign_key="parcel.id", index=True)
    code: str = Field(max_length=32, description="e.g. investment_intensity")
    name_zh: str = Field(max_length=64, description="e.g. 固定资产投资强度")
    unit: str = Field(max_length=32, description="e.g. 万元/亩")
    comparator: Comparator = Field(max_length=8)
    threshold: Decimal = Field(max_digits=14, decimal_places=4, description="≥/≤ limit, or the lower bound")
    threshold_high: Decimal | None = Field(default=None, max_digits=14, decimal_places=4,
                                           description="upper bound when comparator is between")
    measured_at: MeasuredAt = Field(max_length=16)
    sequence: int = 0


class RegionalAssessment(SQLModel, table=True):
    """A regional assessment (区域评估) done once for an area and reused by the projects in scope."""

    __tablename__ = "regional_assessment"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=64, unique=True, description="评估编号")
    kind: str = Field(max_length=32, description="e.g. plan_eia, energy, flood, soil_water")
    name: str = Field(max_length=128)
    authority: str = Field(default="", max_length=64, description="审查部门")
    valid_from: date
    valid_until: date | None = None
    allowed_industry_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False),
                                              description="GB/T 4754 prefixes it assumed; empty = any")
    conditions: str = Field(default="", max_length=2000, description="使用条件")


class RegionalAssessmentParcel(SQLModel, table=True):
    """The parcels an assessment covers (its scope)."""

    __tablename__ = "regional_assessment_parcel"
    assessment_id: int = Field(foreign_key="regional_assessment.id", primary_key=True)
    parcel_id: int = Field(foreign_key="parcel.id", primary_key=True, index=True)
