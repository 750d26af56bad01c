"""The one working-day calendar (工作日历) of Green Channel.

Every time limit in the system (行政许可法 art. 82: time limits count 工作日, excluding statutory
holidays) is counted with this module, so that forms, flows and the SLA sweep can never disagree
about whether a day is a working day. A working day is a Monday–Friday that is not a day off, or a
Saturday/Sunday declared a working day by 调休 (调休上班).

Sources, decided per calendar YEAR, first match wins:

1. ``"official"`` – an official schedule for that year loaded by an administrator
   (:class:`HolidaySchedule`, usually from :func:`parse_schedule_toml`). It wins over everything,
   including the package, so a correction can always be loaded.
2. ``"package"`` – the ``chinesecalendar`` package (``import chinese_calendar``). Whether it knows a
   year is probed once per year (it raises ``NotImplementedError`` for unknown years); no year range
   is hard-coded here, so upgrading the package extends coverage automatically.
3. ``"provisional"`` (暂定) – computed from 《全国年节及纪念日放假办法》 (2024 revision, in force
   from 2025): 元旦 Jan 1; 春节 农历除夕 + 正月初一至初三; 清明节 (the solar term); 劳动节 May 1–2;
   端午节 lunar 5/5; 中秋节 lunar 8/15; 国庆节 Oct 1–3 (13 days), plus art. 6 补假 (a holiday on a
   Saturday or Sunday gives the next free weekday off). 调休 working weekends cannot be known in
   advance, so weekends stay off. Results that depend on such a year are flagged ``provisional``.

Administrator file format (TOML, one file per year)::

    year = 2027
    source = "国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕X号）"

    [[holidays]]            # 放假 (days off, weekends inside the range included); one per block
    name = "春节"
    start = 2027-02-05      # TOML dates, unquoted
    end = 2027-02-12        # optional, defaults to start; must not be before start

    [[workdays]]            # 调休上班: a Saturday or Sunday that is a working day
    date = 2027-02-20
    name = "春节调休"       # optional

Every date must lie in ``year``; a day may not be listed twice nor as both day off and working day;
unknown keys are rejected (they are usually typos). Errors raise :class:`ScheduleError` (a
``ValueError``) with a Chinese message naming the problem, suitable to show the administrator.

This module is pure: it must not import the database, web (FastAPI) or Prefect layers; callers load
schedules from wherever they keep them and pass them to :class:`WorkCalendar`.
"""

from __future__ import annotations

import tomllib
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from itertools import accumulate
from types import MappingProxyType
from typing import Any, Literal

import chinese_calendar
from lunar_python import Lunar

Source = Literal["official", "package", "provisional"]

PROVISIONAL_MARK = "（暂定）"
_WEEKDAYS_CN = "一二三四五六日"
_ONE_DAY = timedelta(days=1)

# chinesecalendar names its holidays in English; the system shows Chinese.
_PACKAGE_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


class ScheduleError(ValueError):
    """An administrator's holiday schedule is malformed; the message (Chinese) says what and where."""


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class HolidaySchedule:
    """One official year, loaded by an administrator; validated on construction.

    ``names`` (optional, not part of equality) maps days off to the holiday's name, for display.
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""
    names: Mapping[date, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))
        _validate_schedule(self)


@dataclass(frozen=True)
class DueDate:
    """A computed deadline; ``provisional`` means it rests on a 暂定 year and may still move."""

    due: date
    provisional: bool


@dataclass(frozen=True)
class _Year:
    """Precomputed working-day flags of one year, so lookups are an index, not a rule evaluation."""

    jan1: int  # ordinal of January 1st
    flags: bytes  # 1 = working day, one entry per day of the year
    cum: tuple[int, ...]  # cum[i] = working days among days 0..i of the year
    source: Source

    @property
    def total(self) -> int:
        return self.cum[-1]


# --------------------------------------------------------------------------- validation


def _fmt(d: date) -> str:
    """A date as administrators read it: ISO date plus weekday in Chinese."""
    return f"{d.isoformat()}（星期{_WEEKDAYS_CN[d.weekday()]}）"


def _validate_schedule(s: HolidaySchedule) -> None:
    """Reject schedules that would silently mis-count deadlines (wrong year, weekday 调休, overlaps)."""
    if isinstance(s.year, bool) or not isinstance(s.year, int) or not 1 <= s.year <= 9999:
        raise ScheduleError(f"年份无效：{s.year!r}，应为整数年份，例如 2027")
    for d in sorted(s.holidays | s.workdays):
        if not isinstance(d, date) or isinstance(d, datetime):
            raise ScheduleError(f"{s.year} 年节假日安排中有非日期的值：{d!r}")
        if d.year != s.year:
            raise ScheduleError(f"日期 {_fmt(d)} 不在 {s.year} 年内")
    for d in sorted(s.workdays):
        if d.weekday() < 5:
            raise ScheduleError(f"调休上班日 {_fmt(d)} 不是星期六或星期日")
    both = sorted(s.holidays & s.workdays)
    if both:
        raise ScheduleError(f"日期 {_fmt(both[0])} 同时被列为放假日和调休上班日")


def _check_keys(table: Any, allowed: set[str], label: str) -> dict[str, Any]:
    """Tables must be TOML tables with known keys only: an unknown key is usually a typo."""
    if not isinstance(table, dict):
        raise ScheduleError(f"{label}格式错误：应为表（[[...]] 段落）")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ScheduleError(f"{label}含有未知字段：{'、'.join(unknown)}（允许：{'、'.join(sorted(allowed))}）")
    return table


def _date_value(value: Any, label: str, key: str, year: int) -> date:
    """A TOML date (not a string, not a datetime) lying inside the schedule's year."""
    if value is None:
        raise ScheduleError(f"{label}缺少 {key}（日期）")
    if isinstance(value, str):
        raise ScheduleError(f"{label}的 {key} 写成了字符串 {value!r}：请写不带引号的日期，例如 {key} = {year}-01-01")
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ScheduleError(f"{label}的 {key} 必须是日期（不带时间），例如 {key} = {year}-01-01")
    if value.year != year:
        raise ScheduleError(f"{label}的 {key} {_fmt(value)} 不在 {year} 年内")
    return value


def _name_value(value: Any, label: str, required: bool) -> str:
    """Names are shown to officials and applicants, so they must be non-empty text."""
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(f"{label}缺少 name（名称），例如 name = \"春节\"")
    return value.strip()


def _parse_year(raw: dict[str, Any]) -> int:
    """The year the file is for; everything else is checked against it."""
    if "year" not in raw:
        raise ScheduleError("节假日安排缺少 year（年份），例如 year = 2027")
    year = raw["year"]
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise ScheduleError(f"year（年份）必须是整数，例如 year = 2027，而不是 {year!r}")
    return year


def _parse_holidays(items: Any, year: int) -> dict[date, str]:
    """Expand every [[holidays]] range into days, refusing overlaps between ranges."""
    if not isinstance(items, list) or not items:
        raise ScheduleError("节假日安排没有列出任何放假日期（[[holidays]] 段落）")
    days: dict[date, str] = {}
    for i, item in enumerate(items, 1):
        label = f"第 {i} 个放假安排"
        _check_keys(item, {"name", "start", "end"}, label)
        name = _name_value(item.get("name"), label, required=True)
        label = f"第 {i} 个放假安排「{name}」"
        start = _date_value(item.get("start"), label, "start", year)
        end = _date_value(item.get("end", start), label, "end", year)
        if end < start:
            raise ScheduleError(f"{label}的结束日期 {_fmt(end)} 早于开始日期 {_fmt(start)}")
        d = start
        while d <= end:
            if d in days:
                raise ScheduleError(f"{label}与「{days[d]}」重复列出了 {_fmt(d)}")
            days[d] = name
            d += _ONE_DAY
    return days


def _parse_workdays(items: Any, year: int, holidays: Mapping[date, str]) -> set[date]:
    """[[workdays]] are 调休 weekend days; a weekday or a day also listed as off is an error."""
    if not isinstance(items, list):
        raise ScheduleError("workdays（调休上班日）格式错误：应为 [[workdays]] 段落")
    days: set[date] = set()
    for i, item in enumerate(items, 1):
        label = f"第 {i} 个调休上班日"
        _check_keys(item, {"date", "name"}, label)
        name = _name_value(item.get("name"), label, required=False)
        if name:
            label += f"「{name}」"
        d = _date_value(item.get("date"), label, "date", year)
        if d.weekday() < 5:
            raise ScheduleError(f"{label} {_fmt(d)} 不是星期六或星期日，调休上班日只能是周末")
        if d in holidays:
            raise ScheduleError(f"{label} {_fmt(d)} 同时被列为放假日（「{holidays[d]}」）")
        if d in days:
            raise ScheduleError(f"{label} {_fmt(d)} 重复列出")
        days.add(d)
    return days


def parse_schedule_toml(text: str) -> HolidaySchedule:
    """Parse and strictly validate an administrator's schedule file (format in the module docstring)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(f"节假日安排文件不是有效的 TOML：{exc}") from exc
    _check_keys(raw, {"year", "source", "holidays", "workdays"}, "节假日安排文件")
    year = _parse_year(raw)
    source = raw.get("source", "")
    if not isinstance(source, str):
        raise ScheduleError("source（文件依据）必须是文字，例如 source = \"国务院办公厅关于…的通知\"")
    holidays = _parse_holidays(raw.get("holidays"), year)
    workdays = _parse_workdays(raw.get("workdays", []), year, holidays)
    return HolidaySchedule(year, frozenset(holidays), frozenset(workdays), source.strip(), holidays)


# --------------------------------------------------------------------------- provisional rules


def _add(days: dict[date, str], d: date, name: str) -> None:
    """Record a day off; a day hit by two holidays (中秋 on 国庆) keeps both names."""
    days[d] = f"{days[d]}、{name}" if d in days else name


def _solar(lunar_year: int, month: int, day: int) -> date:
    """Gregorian date of a (non-leap) lunar month/day."""
    s = Lunar.fromYmd(lunar_year, month, day).getSolar()
    return date(s.getYear(), s.getMonth(), s.getDay())


def _qingming(year: int) -> date:
    """The day of the 清明 solar term in ``year`` (always early April)."""
    s = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return date(s.getYear(), s.getMonth(), s.getDay())


@cache
def _statutory(year: int) -> tuple[tuple[date, str], ...]:
    """Cached, immutable form of :func:`statutory_holidays`."""
    days: dict[date, str] = {}
    _add(days, date(year, 1, 1), "元旦")
    new_year = _solar(year, 1, 1)  # 正月初一; 除夕 is the day before, whether the 12th month has 29 or 30 days
    for k in range(-1, 3):
        _add(days, new_year + timedelta(days=k), "春节")
    _add(days, _qingming(year), "清明节")
    for d in (1, 2):
        _add(days, date(year, 5, d), "劳动节")
    _add(days, _solar(year, 5, 5), "端午节")
    _add(days, _solar(year, 8, 15), "中秋节")
    for d in (1, 2, 3):
        _add(days, date(year, 10, d), "国庆节")
    return tuple(sorted(days.items()))


def statutory_holidays(year: int) -> dict[date, str]:
    """The holidays of 《全国年节及纪念日放假办法》 art. 2 (2024 revision) in ``year``, before 补假.

    Normally 13 days; fewer when 中秋 falls on 10-01..03. Names carry no 暂定 mark.
    """
    return dict(_statutory(year))


def _in_lieu(holidays: Mapping[date, str]) -> dict[date, str]:
    """Art. 6 补假: each holiday on a Saturday/Sunday gives the next weekday that is not already off."""
    taken = set(holidays)
    extra: dict[date, str] = {}
    for d, name in sorted(holidays.items()):
        if d.weekday() < 5:
            continue
        x = d + _ONE_DAY
        while x.weekday() >= 5 or x in taken:
            x += _ONE_DAY
        taken.add(x)
        extra[x] = f"{name}补假"
    return extra


@cache
def _provisional(year: int) -> tuple[tuple[date, str], ...]:
    """Cached, immutable form of the provisional days off (statutory + 补假), names marked 暂定."""
    base = statutory_holidays(year)
    days = {**base, **_in_lieu(base)}
    return tuple(sorted((d, name + PROVISIONAL_MARK) for d, name in days.items()))


# --------------------------------------------------------------------------- per-year flags


def _days_of(year: int) -> list[date]:
    """Every date of ``year`` in order."""
    jan1 = date(year, 1, 1)
    n = (date(year + 1, 1, 1) - jan1).days if year < 9999 else 365
    return [jan1 + timedelta(days=i) for i in range(n)]


def _make_year(year: int, flags: Iterable[bool], source: Source) -> _Year:
    """Pack flags with their running count, which turns counting into subtraction and bisection."""
    packed = bytes(1 if f else 0 for f in flags)
    return _Year(date(year, 1, 1).toordinal(), packed, tuple(accumulate(packed)), source)


@cache
def _package_year(year: int) -> _Year | None:
    """chinesecalendar's verdict for a whole year, or None if it has no data (probed once per year)."""
    try:
        flags = [chinese_calendar.is_workday(d) for d in _days_of(year)]
    except NotImplementedError:
        return None
    return _make_year(year, flags, "package")


@cache
def _provisional_year(year: int) -> _Year:
    """Weekdays minus the provisional days off; weekends stay off (调休 unknown)."""
    off = dict(_provisional(year))
    return _make_year(year, (d.weekday() < 5 and d not in off for d in _days_of(year)), "provisional")


def _official_year(s: HolidaySchedule) -> _Year:
    """An administrator's schedule as flags: listed workdays on, listed holidays off, else Mon–Fri."""
    flags = (d in s.workdays or (d.weekday() < 5 and d not in s.holidays) for d in _days_of(s.year))
    return _make_year(s.year, flags, "official")


# --------------------------------------------------------------------------- the calendar


class WorkCalendar:
    """Working-day arithmetic over official schedules, chinesecalendar and provisional rules.

    Year data is computed lazily once and cached, so the SLA sweep can call it for every step.
    """

    def __init__(self, schedules: Iterable[HolidaySchedule] = ()) -> None:
        self._schedules: dict[int, HolidaySchedule] = {}
        for s in schedules:
            if s.year in self._schedules:
                raise ScheduleError(f"{s.year} 年的节假日安排重复加载了两份")
            self._schedules[s.year] = s
        self._years: dict[int, _Year] = {}

    def _year(self, year: int) -> _Year:
        """The flags of ``year`` from the highest-priority source that has it."""
        y = self._years.get(year)
        if y is None:
            if year in self._schedules:
                y = _official_year(self._schedules[year])
            else:
                y = _package_year(year) or _provisional_year(year)
            self._years[year] = y
        return y

    def source_of(self, year: int) -> Source:
        """Which source decides ``year``: "official", "package" or "provisional"."""
        return self._year(year).source

    def is_provisional(self, d: date) -> bool:
        """True if ``d``'s year has neither a loaded schedule nor package data (暂定)."""
        return self._year(d.year).source == "provisional"

    def is_workday(self, d: date) -> bool:
        """True for 工作日: Mon–Fri not off, plus 调休 weekend working days."""
        y = self._year(d.year)
        return y.flags[d.toordinal() - y.jan1] == 1

    def holiday_name(self, d: date) -> str | None:
        """Name of the holiday ``d`` belongs to, if it is a day off for a holiday (best effort)."""
        src = self.source_of(d.year)
        if src == "official":
            s = self._schedules[d.year]
            return s.names.get(d, "节假日") if d in s.holidays else None
        if src == "package":
            off, name = chinese_calendar.get_holiday_detail(d)
            return _PACKAGE_NAMES.get(name, name) if off and name else None
        return dict(_provisional(d.year)).get(d)

    def provisional_holidays(self, year: int) -> dict[date, str]:
        """The computed provisional days off of ``year`` incl. 补假, names marked （暂定）.

        Computed whatever the year's actual source, so it can be compared with official data.
        """
        return dict(_provisional(year))

    def add_working_days(self, accepted_on: date, working_days: int) -> DueDate:
        """The ``working_days``-th working day after ``accepted_on`` (the acceptance day is not counted).

        ``provisional`` is True if any day examined (accepted_on+1 .. due) lies in a provisional year.
        ``working_days == 0`` returns ``accepted_on`` itself, not provisional (nothing was examined).
        """
        if isinstance(working_days, bool) or not isinstance(working_days, int) or working_days < 0:
            raise ValueError(f"working_days must be a non-negative integer, got {working_days!r}")
        if working_days == 0:
            return DueDate(accepted_on, False)
        y = self._year(accepted_on.year)
        idx = accepted_on.toordinal() - y.jan1
        base, remaining, year = y.cum[idx], working_days, accepted_on.year
        provisional = idx < len(y.flags) - 1 and y.source == "provisional"
        while remaining > y.total - base:
            remaining -= y.total - base
            year += 1
            y, base = self._year(year), 0
            provisional = provisional or y.source == "provisional"
        due = date.fromordinal(y.jan1 + bisect_left(y.cum, base + remaining))
        return DueDate(due, provisional)

    def _count_to(self, d: date) -> tuple[int, _Year]:
        """Working days from January 1st of ``d``'s year up to and including ``d``."""
        y = self._year(d.year)
        return y.cum[d.toordinal() - y.jan1], y

    def working_days_between(self, start: date, end: date) -> int:
        """Number of working days d with start < d <= end (0 if end <= start).

        Used to measure elapsed time and to shift deadlines by suspended days.
        """
        if end <= start:
            return 0
        at_start, y_start = self._count_to(start)
        at_end, _ = self._count_to(end)
        if start.year == end.year:
            return at_end - at_start
        middle = sum(self._year(yr).total for yr in range(start.year + 1, end.year))
        return (y_start.total - at_start) + middle + at_end
