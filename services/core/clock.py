"""Wall-clock time for the whole system, in China Standard Time.

China has one time zone and no daylight saving, so every stored timestamp is a *naive*
datetime in Asia/Shanghai: what an official reads on a notice is what the database holds.
Tests may replace the clock with ``set_clock`` instead of sleeping. What leaves the system as JSON
says its offset: ``ChinaDateTime`` writes a stored time as ISO 8601 with ``+08:00``.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import PlainSerializer, WithJsonSchema

CST = ZoneInfo("Asia/Shanghai")


def _system_now() -> datetime:
    return datetime.now(CST).replace(tzinfo=None, microsecond=0)


_now: Callable[[], datetime] = _system_now


def now() -> datetime:
    return _now()


def today() -> date:
    return _now().date()


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); ``None`` restores the system clock."""
    global _now
    _now = fn or _system_now


def with_offset(value: datetime) -> str:
    """A stored (naive, China time) datetime as ISO 8601 with its offset: ``2026-12-05T02:37:40+08:00``."""
    aware = value.replace(tzinfo=CST) if value.tzinfo is None else value.astimezone(CST)
    return aware.isoformat()


#: a stored datetime in a JSON answer: naive China time in, ISO 8601 with ``+08:00`` out (RFC 3339
#: ``date-time``, which a time without an offset is not)
ChinaDateTime = Annotated[datetime, PlainSerializer(with_offset, return_type=str, when_used="json"),
                          WithJsonSchema({"type": "string", "format": "date-time",
                                          "examples": ["2026-12-05T10:37:40+08:00"]})]
