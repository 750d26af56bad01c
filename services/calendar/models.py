"""Official holiday schedules loaded by an administrator for years the package does not know."""


from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class HolidayScheduleRecord(SQLModel, table=True):
    __tablename__ = "holiday_schedule"
    year: int = Field(primary_key=True)
    source: str = Field(max_length=255)
    content: str = Field(description="the TOML file as loaded, kept for the reason trail")
    loaded_at: NaiveDatetime
    loaded_by: str = Field(max_length=64)
