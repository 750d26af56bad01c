"""Tests of services.calendar.work_calendar: the working-day calendar (工作日历).

Known years are checked against DOMAIN.md §5.2 (国办发明电〔2024〕12号 for 2025, the 2025-11-04 notice
for 2026) and against chinesecalendar itself; provisional years against hand-computed dates.
"""

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lunar_python import Lunar, LunarMonth

from services.calendar.work_calendar import (
    DueDate,
    HolidaySchedule,
    ScheduleError,
    WorkCalendar,
    parse_schedule_toml,
    statutory_holidays,
)
from tests.samples import TEST_2027_TOML  # test data, not an official schedule

CAL = WorkCalendar()
D = date


# --------------------------------------------------------------------------- known years (package)


def test_domain_worked_example_counts_the_tiaoxiu_sunday():
    # DOMAIN §5.2: Sun 2025-01-26 (调休) = 1, Mon 27 = 2, Jan 28–Feb 4 off, Feb 5, 6, 7 = 3, 4, 5.
    assert CAL.add_working_days(D(2025, 1, 24), 5) == DueDate(D(2025, 2, 7), False)


@pytest.mark.parametrize(
    ("accepted", "n", "due"),
    [
        # 国庆+中秋 2025: Oct 1–8 off, Sat Oct 11 is a 调休 working day.
        (D(2025, 9, 30), 1, D(2025, 10, 9)),
        (D(2025, 9, 30), 3, D(2025, 10, 11)),
        (D(2025, 9, 27), 1, D(2025, 9, 28)),  # Sun Sep 28 调休 counts
        # 国庆 2026: Oct 1–7 off.
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # Sat Oct 10 调休 counts
        # 春节 2026: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are working days.
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 13), 2, D(2026, 2, 24)),
        (D(2026, 2, 13), 6, D(2026, 2, 28)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        # 元旦 2026: Thu Jan 1 – Sat Jan 3 off, Sun Jan 4 调休 working.
        (D(2025, 12, 31), 1, D(2026, 1, 4)),
        # 端午 2025: Mon Jun 2 is a weekday holiday and does not count.
        (D(2025, 5, 30), 1, D(2025, 6, 3)),
        # Ordinary weekend.
        (D(2026, 3, 6), 1, D(2026, 3, 9)),
    ],
)
def test_add_working_days_in_known_years(accepted, n, due):
    assert CAL.add_working_days(accepted, n) == DueDate(due, False)


def test_tiaoxiu_weekends_are_working_days_and_weekday_holidays_are_not():
    for d in (D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2026, 2, 14), D(2026, 2, 28), D(2026, 1, 4)):
        assert CAL.is_workday(d), d
    for d in (D(2025, 1, 1), D(2025, 10, 8), D(2026, 1, 2), D(2026, 2, 23), D(2026, 10, 7)):
        assert d.weekday() < 5 and not CAL.is_workday(d), d
    assert not CAL.is_workday(D(2026, 3, 7))  # ordinary Saturday


def test_sources_and_names_of_known_years():
    assert CAL.source_of(2025) == CAL.source_of(2026) == "package"
    assert not CAL.is_provisional(D(2026, 12, 31))
    assert CAL.holiday_name(D(2026, 2, 17)) == "春节"
    assert CAL.holiday_name(D(2025, 10, 6)) in {"中秋节", "国庆节"}
    assert CAL.holiday_name(D(2026, 2, 14)) is None  # working Saturday
    assert CAL.holiday_name(D(2026, 3, 7)) is None  # ordinary Saturday
    assert CAL.holiday_name(D(2026, 3, 9)) is None  # ordinary Monday


@settings(max_examples=300)
@given(st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 31)))
def test_is_workday_matches_chinesecalendar(d):
    assert CAL.is_workday(d) == chinese_calendar.is_workday(d)


# --------------------------------------------------------------------------- the lunar arithmetic


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_holidays_are_days_off_in_package_years(year):
    """Every day of the 办法 (2024 revision) computed for 2025/2026 is off per chinesecalendar."""
    days = statutory_holidays(year)
    assert len(days) == 13
    for d, name in days.items():
        assert d.year == year
        assert not chinese_calendar.is_workday(d), (d, name)


@given(st.integers(min_value=2008, max_value=2026))
def test_lunar_holidays_are_days_off_since_2008(year):
    """初一–初三, 清明, 端午, 中秋 have been statutory since 2008: all off per chinesecalendar."""
    days = statutory_holidays(year)
    chuxi = min(d for d, n in days.items() if n == "春节")
    for d, name in days.items():
        if name in {"清明节", "端午节", "中秋节"} or (name == "春节" and d != chuxi):
            assert not chinese_calendar.is_workday(d), (d, name)


def test_chuxi_handles_a_29_day_twelfth_month():
    # Lunar 2024/12 has 29 days: 除夕 is 腊月廿九, 2025-01-28 (the 2025 schedule starts there).
    assert Lunar.fromYmd(2024, 12, 29).getSolar().toYmd() == "2025-01-28"
    assert min(d for d, n in statutory_holidays(2025).items() if n == "春节") == D(2025, 1, 28)


def test_mid_autumn_on_national_day_is_one_day_with_both_names():
    # 2020: 中秋 = Oct 1, so the 办法 gives 12 distinct days that year.
    days = statutory_holidays(2020)
    assert len(days) == 12
    assert "中秋节" in days[D(2020, 10, 1)] and "国庆节" in days[D(2020, 10, 1)]


# --------------------------------------------------------------------------- provisional years

# 2027, computed by hand and checked with lunar_python:
#   元旦 Fri 01-01; 春节: 除夕 Fri 02-05, 正月初一 Sat 02-06, 初二 Sun 02-07, 初三 Mon 02-08,
#   补假 for Sat/Sun → Tue 02-09, Wed 02-10; 清明 Mon 04-05; 劳动节 Sat 05-01, Sun 05-02 → 补假
#   Mon 05-03, Tue 05-04; 端午 (五月初五) Wed 06-09; 中秋 (八月十五) Wed 09-15; 国庆 Fri 10-01,
#   Sat 10-02, Sun 10-03 → 补假 Mon 10-04, Tue 10-05.
EXPECTED_2027 = {
    D(2027, 1, 1): "元旦（暂定）",
    D(2027, 2, 5): "春节（暂定）",
    D(2027, 2, 6): "春节（暂定）",
    D(2027, 2, 7): "春节（暂定）",
    D(2027, 2, 8): "春节（暂定）",
    D(2027, 2, 9): "春节补假（暂定）",
    D(2027, 2, 10): "春节补假（暂定）",
    D(2027, 4, 5): "清明节（暂定）",
    D(2027, 5, 1): "劳动节（暂定）",
    D(2027, 5, 2): "劳动节（暂定）",
    D(2027, 5, 3): "劳动节补假（暂定）",
    D(2027, 5, 4): "劳动节补假（暂定）",
    D(2027, 6, 9): "端午节（暂定）",
    D(2027, 9, 15): "中秋节（暂定）",
    D(2027, 10, 1): "国庆节（暂定）",
    D(2027, 10, 2): "国庆节（暂定）",
    D(2027, 10, 3): "国庆节（暂定）",
    D(2027, 10, 4): "国庆节补假（暂定）",
    D(2027, 10, 5): "国庆节补假（暂定）",
}


def test_2027_lunar_dates_per_lunar_python():
    assert Lunar.fromYmd(2027, 1, 1).getSolar().toYmd() == "2027-02-06"  # 正月初一
    assert Lunar.fromYmd(2026, 12, 29).getSolar().toYmd() == "2027-02-05"  # 除夕 (腊月 has 29 days)
    assert LunarMonth.fromYm(2026, 12).getDayCount() == 29
    assert Lunar.fromYmd(2027, 5, 5).getSolar().toYmd() == "2027-06-09"
    assert Lunar.fromYmd(2027, 8, 15).getSolar().toYmd() == "2027-09-15"
    assert Lunar.fromYmd(2027, 1, 1).getJieQiTable()["清明"].toYmd() == "2027-04-05"


def test_2027_is_provisional_with_hand_checked_holidays():
    assert CAL.source_of(2027) == "provisional"
    assert CAL.is_provisional(D(2027, 6, 1))
    assert CAL.provisional_holidays(2027) == EXPECTED_2027
    assert len(statutory_holidays(2027)) == 13
    for d in EXPECTED_2027:
        assert not CAL.is_workday(d), d
    assert CAL.holiday_name(D(2027, 2, 6)) == "春节（暂定）"
    assert CAL.holiday_name(D(2027, 2, 9)) == "春节补假（暂定）"
    assert CAL.holiday_name(D(2027, 2, 13)) is None  # plain Saturday
    assert not CAL.is_workday(D(2027, 2, 13))  # 调休 unknown: weekends stay off
    assert CAL.is_workday(D(2027, 2, 11))


def test_in_lieu_day_on_new_year_sunday():
    # 2028-01-01 is a Saturday → 补假 Monday 2028-01-03.
    assert CAL.provisional_holidays(2028)[D(2028, 1, 3)] == "元旦补假（暂定）"


@pytest.mark.parametrize(
    ("accepted", "n", "expected"),
    [
        (D(2026, 12, 31), 1, DueDate(D(2027, 1, 4), True)),  # Jan 1 off, Jan 2–3 weekend
        (D(2026, 12, 30), 1, DueDate(D(2026, 12, 31), False)),  # stays in 2026
        (D(2026, 12, 31), 0, DueDate(D(2026, 12, 31), False)),
        (D(2027, 2, 4), 1, DueDate(D(2027, 2, 11), True)),  # 春节 block + two 补假 days
        (D(2027, 4, 30), 1, DueDate(D(2027, 5, 5), True)),  # 劳动节 + 补假
        (D(2027, 9, 30), 1, DueDate(D(2027, 10, 6), True)),  # 国庆 + 补假
    ],
)
def test_add_working_days_flags_provisional_years(accepted, n, expected):
    assert CAL.add_working_days(accepted, n) == expected


def test_year_before_package_data_is_provisional():
    assert CAL.source_of(2003) == "provisional"
    assert CAL.add_working_days(D(2003, 12, 30), 1).provisional


# --------------------------------------------------------------------------- loaded schedules

def test_loaded_schedule_wins_over_provisional_rules():
    sched = parse_schedule_toml(TEST_2027_TOML)
    assert sched.year == 2027 and sched.source.startswith("测试数据")
    assert D(2027, 2, 20) in sched.workdays and len(sched.holidays) == 11
    cal = WorkCalendar([sched])
    assert cal.source_of(2027) == "official"
    assert not cal.is_provisional(D(2027, 2, 20))
    assert cal.is_workday(D(2027, 2, 20))  # the 调休 Saturday
    assert not cal.is_workday(D(2027, 2, 12))  # off in the test schedule
    assert cal.is_workday(D(2027, 5, 3))  # provisional 补假, but the loaded schedule does not list it
    assert cal.holiday_name(D(2027, 2, 8)) == "春节"
    assert cal.holiday_name(D(2027, 2, 20)) is None
    assert cal.add_working_days(D(2027, 2, 19), 1) == DueDate(D(2027, 2, 20), False)
    assert cal.add_working_days(D(2026, 12, 31), 1) == DueDate(D(2027, 1, 4), False)
    assert cal.source_of(2028) == "provisional"  # only the loaded year changes
    assert CAL.source_of(2027) == "provisional"  # other calendars are unaffected


def test_loaded_schedule_wins_over_the_package():
    # TEST DATA, not official: pretend 2026-03-02 (Mon) were declared a day off.
    sched = HolidaySchedule(2026, frozenset({D(2026, 3, 2)}), frozenset(), "测试数据（非官方）")
    cal = WorkCalendar([sched])
    assert cal.source_of(2026) == "official"
    assert not cal.is_workday(D(2026, 3, 2))
    assert not cal.is_workday(D(2026, 2, 14))  # the package's 调休 no longer applies
    assert cal.holiday_name(D(2026, 3, 2)) == "节假日"


def test_duplicate_years_rejected():
    s = parse_schedule_toml(TEST_2027_TOML)
    with pytest.raises(ScheduleError, match="重复"):
        WorkCalendar([s, s])


_GOOD_HOLIDAY = '[[holidays]]\nname = "元旦"\nstart = 2027-01-01\nend = 2027-01-01\n'


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (_GOOD_HOLIDAY, "缺少 year"),
        ('year = "2027"\n' + _GOOD_HOLIDAY, "year（年份）必须是整数"),
        ("year = 2027\n", "没有列出任何放假日期"),
        ("year = 2027\n" + _GOOD_HOLIDAY.replace("end = 2027-01-01", "end = 2028-01-01"), "不在 2027 年内"),
        ("year = 2027\n" + _GOOD_HOLIDAY.replace("start = 2027-01-01", "start = 2026-12-31"), "不在 2027 年内"),
        (
            'year = 2027\n[[holidays]]\nname = "春节"\nstart = 2027-02-10\nend = 2027-02-05\n',
            "结束日期 2027-02-05（星期五） 早于开始日期",
        ),
        ("year = 2027\n" + _GOOD_HOLIDAY + "[[workdays]]\ndate = 2027-02-08\n", "不是星期六或星期日"),
        ("year = 2027\n" + _GOOD_HOLIDAY + "[[workdays]]\ndate = 2027-01-01\n", "不是星期六或星期日"),
        (
            'year = 2027\n[[holidays]]\nname = "春节"\nstart = 2027-02-05\nend = 2027-02-12\n'
            '[[workdays]]\ndate = 2027-02-06\nname = "春节调休"\n',
            "同时被列为放假日",
        ),
        ("year = 2027\n" + _GOOD_HOLIDAY + "[[workdays]]\ndate = 2026-12-26\n", "不在 2027 年内"),
        ("year = 2027\n" + _GOOD_HOLIDAY + _GOOD_HOLIDAY.replace("元旦", "元旦2"), "重复列出"),
        ("year = 2027\n" + _GOOD_HOLIDAY + "[[workdays]]\ndate = 2027-01-02\n" * 2, "重复列出"),
        ("year = 2027\n" + _GOOD_HOLIDAY.replace("start = 2027-01-01", 'start = "2027-01-01"'), "不带引号"),
        ("year = 2027\n" + _GOOD_HOLIDAY.replace("start = 2027-01-01", "start = 2027-01-01T08:00:00"), "不带时间"),
        ("year = 2027\n" + _GOOD_HOLIDAY.replace('name = "元旦"\n', ""), "缺少 name"),
        ("year = 2027\n" + _GOOD_HOLIDAY.replace("start", "strat"), "未知字段：strat"),
        ("year = 2027\nyaer = 2027\n" + _GOOD_HOLIDAY, "未知字段：yaer"),
        ("year = 2027\n[[holidays]\n", "不是有效的 TOML"),
        ("year = 2027\nsource = 1\n" + _GOOD_HOLIDAY, "source"),
    ],
)
def test_parse_schedule_errors_are_chinese(text, match):
    with pytest.raises(ScheduleError, match=match) as info:
        parse_schedule_toml(text)
    assert isinstance(info.value, ValueError)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))


def test_parse_single_day_holiday_without_end():
    s = parse_schedule_toml('year = 2027\n[[holidays]]\nname = "清明节"\nstart = 2027-04-05\n')
    assert s.holidays == frozenset({D(2027, 4, 5)}) and s.workdays == frozenset() and s.source == ""
    assert s.names[D(2027, 4, 5)] == "清明节"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"holidays": {D(2028, 1, 1)}, "workdays": set()}, "不在 2027 年内"),
        ({"holidays": set(), "workdays": {D(2027, 2, 8)}}, "不是星期六或星期日"),
        ({"holidays": {D(2027, 2, 6)}, "workdays": {D(2027, 2, 6)}}, "同时被列为"),
    ],
)
def test_holiday_schedule_validates_direct_construction(kwargs, match):
    with pytest.raises(ScheduleError, match=match):
        HolidaySchedule(2027, **kwargs)


# --------------------------------------------------------------------------- counting rules

ANY_DATE = st.dates(min_value=D(2004, 1, 1), max_value=D(2030, 12, 31))


def test_working_days_argument_checked():
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2026, 1, 5), -1)
    assert CAL.add_working_days(D(2026, 1, 3), 0) == DueDate(D(2026, 1, 3), False)


def test_working_days_between_examples():
    assert CAL.working_days_between(D(2025, 1, 24), D(2025, 2, 7)) == 5
    assert CAL.working_days_between(D(2025, 2, 7), D(2025, 1, 24)) == 0
    assert CAL.working_days_between(D(2025, 2, 7), D(2025, 2, 7)) == 0
    # 2026 per the 2026 notice: 261 weekdays − 19 weekdays off + 6 调休 weekend days = 248.
    assert CAL.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


@settings(max_examples=300)
@given(ANY_DATE, st.integers(min_value=1, max_value=400))
def test_between_inverts_add(accepted, n):
    due = CAL.add_working_days(accepted, n).due
    assert CAL.working_days_between(accepted, due) == n
    assert CAL.working_days_between(accepted, due - timedelta(days=1)) == n - 1
    assert CAL.is_workday(due) and due > accepted


@settings(max_examples=200)
@given(ANY_DATE, st.integers(min_value=0, max_value=800))
def test_between_matches_day_by_day_count(start, span):
    end = start + timedelta(days=span)
    brute = sum(CAL.is_workday(start + timedelta(days=i)) for i in range(1, span + 1))
    assert CAL.working_days_between(start, end) == brute


@settings(max_examples=200)
@given(ANY_DATE, st.integers(min_value=1, max_value=60))
def test_provisional_flag_is_exactly_whether_a_provisional_year_was_examined(accepted, n):
    result = CAL.add_working_days(accepted, n)
    examined_years = range((accepted + timedelta(days=1)).year, result.due.year + 1)
    assert result.provisional == any(CAL.source_of(y) == "provisional" for y in examined_years)
