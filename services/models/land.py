"""Industrial bases (产业基地) and their standard-land parcels (标准地地块)."""

from decimal import Decimal

from sqlmodel import Field, SQLModel


class IndustrialBase(SQLModel, table=True):
    """A strategic emerging-industry base (战略性新兴产业基地), e.g. 松山湖生物医药产业基地."""

    __tablename__ = "industrial_base"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=64)
    district: str = Field(default="", max_length=64)


class Parcel(SQLModel, table=True):
    """A 标准地 parcel offered for sale with its indicators fixed in advance."""

    id: int | None = Field(default=None, primary_key=True)
    base_id: int = Field(foreign_key="industrial_base.id", index=True)
    number: str = Field(max_length=64, unique=True, description="宗地编号")
    location: str = Field(max_length=128)
    area_m2: Decimal = Field(max_digits=14, decimal_places=2)
    land_use: str = Field(default="工业用地", max_length=32)
    status: str = Field(default="available", max_length=16, description="available | reserved | sold")
