import pytest

from services.cases.processes import ProcessDefinition, get_definition


def test_the_newest_standard_land_definition_runs_every_step_and_the_old_version_still_loads():
    d = get_definition("standard_land")
    assert d.version == 2 and all(s.runs for s in d.steps)
    assert d.step("land_review").department == "自然资源局" and d.step("land_review").kind == "human"
    assert [i for s in d.steps for i in s.issues] == [
        "acceptance_notice", "assessment_report", "investment_commitment", "supervision_agreement"]
    old = get_definition("standard_land", 1)  # applications started on v1 keep it
    assert old.version == 1 and [s.key for s in old.steps if s.runs] == ["submission", "completeness", "acceptance"]


def test_a_step_depending_on_an_unknown_step_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        ProcessDefinition(key="x", version=1, name="x", document_title="x", steps=[
            {"key": "a", "name": "a", "kind": "automatic", "department": "d", "sla_working_days": 1,
             "depends_on": ["b"]}])


def test_working_days_after_acceptance_follow_the_longest_path():
    d = get_definition("standard_land")
    assert d.working_days_after("acceptance") == sum(
        s.sla_working_days for s in d.steps[d.steps.index(d.step("acceptance")) + 1:])


def test_calendar_day_periods_end_on_the_next_working_day_when_they_fall_on_a_rest_day():
    from datetime import date

    from services.calendar.work_calendar import WorkCalendar
    from services.cases.processes import StepDefinition
    from services.cases.steps import due_after
    from services.models import Step

    calendar = WorkCalendar()
    period = StepDefinition(key="p", name="公示", kind="statutory", department="d", sla_working_days=7,
                            sla_unit="calendar_day")
    step = Step(application_id=1, key="p", name="公示", kind="statutory", department="d", sequence=0,
                sla_working_days=7, sla_unit="calendar_day")
    assert due_after(calendar, period, step, date(2026, 11, 2), False) == (date(2026, 11, 9), False)  # Monday → Monday
    # 2026-09-24 + 7 = 10-01 (National Day): the period ends on the first working day after, 10-08
    assert due_after(calendar, period, step, date(2026, 9, 24), False) == (date(2026, 10, 8), False)


def test_quarterly_sampling_is_due_by_the_end_of_the_first_month_of_the_next_quarter():
    from datetime import date

    from services.calendar.work_calendar import WorkCalendar
    from services.cases.processes import StepDefinition
    from services.cases.steps import due_after
    from services.models import Step

    check = StepDefinition(key="c", name="核查", kind="human", department="d", sla_working_days=0,
                           due_rule="quarterly_sample")
    step = Step(application_id=1, key="c", name="核查", kind="human", department="d", sequence=0, sla_working_days=0)
    calendar = WorkCalendar()
    assert due_after(calendar, check, step, date(2026, 2, 10), False)[0] == date(2026, 4, 30)
    assert due_after(calendar, check, step, date(2026, 12, 31), False)[0] == date(2027, 1, 31)
    assert due_after(calendar, check, step, date(2026, 9, 30), False)[0] == date(2026, 10, 31)


def test_every_eia_definition_loads_and_only_the_check_step_takes_check_actions():
    for key in ("eia_commitment", "eia_normal", "eia_normal_book", "eia_filing", "eia_not_managed"):
        d = get_definition(key)
        assert d.version == 1 and d.steps[0].key == "submission"
    commitment = get_definition("eia_commitment")
    assert commitment.step("post_check").actions == ["check_pass", "check_rectify", "check_revoke"]
    assert commitment.step("eia_review").actions == ["approve", "reject", "request_supplement"]
    assert commitment.step("eia_decision").sla_working_days == 0  # issued the same working day
    assert not commitment.step("post_check").in_committed_limit
    assert get_definition("eia_normal").step("public_notice").sla_unit == "calendar_day"


def test_a_report_book_on_the_normal_route_gets_the_longer_statutory_limit():
    from services.eia.service import process_for

    assert process_for("report_book", "normal", eligible=False) == "eia_normal_book"
    assert process_for("report_form", "normal", eligible=True) == "eia_normal"
    assert get_definition("eia_normal_book").step("eia_review").sla_working_days == 60
    assert get_definition("eia_normal").step("eia_review").sla_working_days == 30


def test_a_case_status_is_said_in_the_words_of_its_process():
    from services.models import ApplicationStatus

    assert ApplicationStatus.approved.label_for("standard_land") == "预评估通过"
    assert ApplicationStatus.approved.label_for("eia_commitment") == "审批通过"
    assert ApplicationStatus.rejected.label_for("eia_normal") == "未通过审批"
    assert ApplicationStatus.rejected.label_for("land_to_start") == "预审未通过，已退回"
    assert ApplicationStatus.lost.label_for("land_to_start") == "未竞得土地，已关闭"
    assert ApplicationStatus.accepted.label_for("eia_filing") == ApplicationStatus.accepted.label_zh
