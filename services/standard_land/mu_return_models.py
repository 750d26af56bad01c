"""亩均年度数据: what an enterprise paid, produced and consumed in a year, the input of the 亩均 evaluation."""

from decimal import Decimal

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel, UniqueConstraint


class MuAnnualReturn(SQLModel, table=True):
    """One enterprise's figures for one year (from the tax, statistics and energy departments, imported by the
    park). Keyed by USCC: the park evaluates every industrial enterprise, not only those with an account here."""

    __tablename__ = "mu_annual_return"
    __table_args__ = (UniqueConstraint("uscc", "year", name="uq_mu_annual_return"),)
    id: int | None = Field(default=None, primary_key=True)
    uscc: str = Field(max_length=18, index=True)
    enterprise_name: str = Field(max_length=128)
    year: int = Field(index=True)
    land_area_mu: Decimal = Field(max_digits=14, decimal_places=4, description="用地面积（亩）")
    tax_wan: Decimal = Field(max_digits=16, decimal_places=2, description="实缴税收（万元）")
    output_wan: Decimal = Field(max_digits=16, decimal_places=2, description="工业总产值（万元）")
    energy_tce: Decimal = Field(max_digits=14, decimal_places=2, description="综合能耗（吨标准煤）")
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id")
    recorded_at: NaiveDatetime
