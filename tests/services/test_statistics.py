"""统计分析 read model: on-time rates, durations in working days with their buckets, lights, and CSV.

Steps are written directly for one submitted application, in departments and step names no other test
uses, so the numbers are exact whatever else the database holds. March 2026 has no holiday.
"""

from datetime import date, datetime, time

import pytest

from services.core.users import get_by_username
from services.models import LightSnapshot, Step, StepLight, StepStatus
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from services.supervision import statistics
from tests.samples import SAMPLE

A, B = "统计测试甲局", "统计测试乙局"


def _at(day: int, hour: int = 10) -> datetime:
    return datetime.combine(date(2026, 3, day), time(hour))


@pytest.fixture
def steps(session) -> list[Step]:
    user = get_by_username(session, "enterprise")
    application = submit_application(session, user, StandardLandApplicationInput.model_validate(SAMPLE),
                                     "stats-1")[0]
    specs = [  # key, name, department, status, limit, started, finished, due, paused
        ("st1", "统计环节甲", A, StepStatus.completed, 10, _at(2), _at(10), date(2026, 3, 10), 0),  # 6 wd, on time
        ("st2", "统计环节甲", A, StepStatus.completed, 10, _at(2), _at(11), date(2026, 3, 10), 2),  # 7-2 wd, late
        ("st3", "统计环节甲", A, StepStatus.running, 10, _at(2), None, date(2026, 3, 10), 0),  # open: not counted
        ("st4", "统计环节乙", B, StepStatus.completed, 2, _at(2), _at(5, 18), date(2026, 3, 20), 0),  # 3 wd
        ("st5", "统计环节乙", B, StepStatus.completed, 2, _at(2), _at(9), date(2026, 3, 4), 0),  # 5 wd, late
        ("st6", "统计环节乙", B, StepStatus.completed, 2, _at(2), _at(3), None, 0),  # 1 wd, no deadline
    ]
    rows = []
    for i, (key, name, dept, status, limit, started, finished, due, paused) in enumerate(specs):
        step = Step(application_id=application.id, key=key, name=name, kind="review", department=dept,
                    sequence=100 + i, status=status, sla_working_days=limit, started_at=started,
                    finished_at=finished, due_on=due, paused_working_days=paused)
        session.add(step)
        rows.append(step)
    session.flush()
    return rows


def _only(rows, key, values):
    return [r for r in rows if r[key] in values]


def test_on_time_rates_per_department_and_step(session, steps):
    assert _only(statistics.on_time_by_department(session), "department", {A, B}) == [
        {"department": B, "completed": 2, "on_time": 1, "rate": 0.5},  # sorted by code point: 乙 before 甲
        {"department": A, "completed": 2, "on_time": 1, "rate": 0.5},
    ]
    assert _only(statistics.on_time_by_step(session), "department", {A, B}) == [
        {"step": "统计环节乙", "department": B, "completed": 2, "on_time": 1, "rate": 0.5},
        {"step": "统计环节甲", "department": A, "completed": 2, "on_time": 1, "rate": 0.5},
    ]


def test_durations_in_working_days_less_pauses_with_buckets(session, steps):
    rows = _only(statistics.duration_by_step(session), "step", {"统计环节甲", "统计环节乙"})
    assert rows == [
        # 乙 (limit 2): 3 → 150 %, 5 → 250 %, 1 → 50 %
        {"step": "统计环节乙", "count": 3, "average_days": 3.0, "limit_days": 2, "unit": "个工作日",
         "le50": 1, "le100": 0, "le150": 1, "gt150": 1},
        # 甲 (limit 10): 6 → 60 %, 7 - 2 paused = 5 → 50 %
        {"step": "统计环节甲", "count": 2, "average_days": 5.5, "limit_days": 10, "unit": "个工作日",
         "le50": 1, "le100": 1, "le150": 0, "gt150": 0},
    ]


@pytest.mark.parametrize(("taken", "limit", "bucket"), [
    (0, 10, "le50"), (5, 10, "le50"), (6, 10, "le100"), (10, 10, "le100"), (15, 10, "le150"), (16, 10, "gt150"),
    (0, 0, "le50"), (1, 0, "gt150"), (1, 1, "le100"),
])
def test_buckets_are_relative_to_the_limit(taken, limit, bucket):
    assert statistics.bucket_of(taken, limit) == bucket


def test_open_steps_by_light_and_lights_over_time(session, steps):
    running = steps[2]
    session.add(StepLight(step_id=running.id, application_id=running.application_id, department=A, light="red",
                          remaining_working_days=-1, limit_working_days=10, computed_on=date(2026, 3, 12),
                          changed_on=date(2026, 3, 12)))
    for day, light, count in [(8, "green", 3), (8, "red", 1), (10, "yellow", 2), (1, "green", 9)]:
        session.add(LightSnapshot(day=date(2031, 1, day), department=A, light=light, count=count))
        session.add(LightSnapshot(day=date(2031, 1, day), department=B, light=light, count=1))
    session.flush()
    assert _only(statistics.open_by_light(session), "department", {A}) == [
        {"department": A, "green": 0, "yellow": 0, "red": 1, "paused": 0, "total": 1}]
    # the last 5 days up to Jan 10: Jan 1 is outside, days without a snapshot are left out
    assert statistics.lights_over_time(session, days=5, end=date(2031, 1, 10)) == [
        {"day": date(2031, 1, 8), "green": 4, "yellow": 0, "red": 2, "paused": 0},
        {"day": date(2031, 1, 10), "green": 0, "yellow": 3, "red": 0, "paused": 0},
    ]


def test_csv_has_the_chinese_header_and_percentages(session, steps):
    rows = _only(statistics.on_time_by_department(session), "department", {A})
    text = statistics.csv_text("on_time_by_department", rows)
    assert text.splitlines() == ["部门,已办结环节数,按期办结数,按期率", f"{A},2,1,50.0%"]
    headers = {name: statistics.csv_text(name, []).strip() for name in statistics.DATASETS}
    assert headers["duration_by_step"] == ("办理环节,已办结数,平均用时,承诺时限,计时单位,"
                                           "≤50%期限,50%–100%期限,100%–150%期限,>150%期限")
    assert headers["open_by_light"] == "部门,绿灯,黄灯,红灯,暂停,合计"
    assert headers["lights_over_time"] == "日期,绿灯,黄灯,红灯,暂停"
