"""Wall-clock time for the whole system, in China Standard Time.

China has one time zone and no daylight saving, so every stored timestamp is a *naive*
datetime in Asia/Shanghai: what an official reads on a notice is what the database holds.
Tests may replace the clock with ``set_clock`` instead of sleeping.
"""

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

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
