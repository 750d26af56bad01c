"""Intake: validation with Chinese messages, one transaction, idempotency, deadlines."""

import threading
import uuid
from datetime import datetime
from decimal import Decimal

import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, func, select

from services.core import clock
from services.core.db import get_engine
from services.core.users import get_by_username
from services.models import Application, AuditEvent, Enterprise, Step, StepStatus
from services.standard_land.intake import IntakeError, StandardLandApplicationInput, submit_application
from tests.samples import SAMPLE


def _input(**changes) -> StandardLandApplicationInput:
    return StandardLandApplicationInput.model_validate({**SAMPLE, **changes})


def _count(session) -> int:
    return session.exec(select(func.count()).select_from(Application)).one()


@pytest.fixture
def fixed_clock():
    clock.set_clock(lambda: datetime(2025, 1, 24, 10, 30))  # Friday before the 2025 春节 holidays
    yield
    clock.set_clock(None)


def test_submission_creates_application_steps_deadlines_and_audit(session, fixed_clock):
    user = get_by_username(session, "enterprise")
    application, created = submit_application(session, user, _input(), "key-1")
    assert created and application.case_no.startswith("GC-2025-")
    steps = {s.key: s for s in session.exec(select(Step).where(Step.application_id == application.id))}
    assert steps["submission"].status == StepStatus.completed
    # completeness: 1 working day after Fri 2025-01-24 is the 调休 Sunday 2025-01-26
    assert str(steps["completeness"].due_on) == "2025-01-26"
    assert str(steps["acceptance"].due_on) == "2025-01-27"
    # land_review (5 wd) after indicator_evaluation (due 2025-02-05): 2/6, 2/7, 2/8 (调休 Sat), 2/10, 2/11
    assert str(steps["land_review"].due_on) == "2025-02-11"
    assert not any(s.due_provisional for s in steps.values())
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.application_id == application.id)).all()
    assert "application.submitted" in actions


def test_same_idempotency_key_returns_the_same_application(session):
    user = get_by_username(session, "enterprise")
    first, created = submit_application(session, user, _input(), "same-key")
    again, created_again = submit_application(session, user, _input(), "same-key")
    assert created and not created_again and first.id == again.id


def test_case_numbers_have_no_gaps(session):
    user = get_by_username(session, "enterprise")
    numbers = [int(submit_application(session, user, _input(), f"gap-{i}")[0].case_no[-6:]) for i in range(3)]
    assert numbers == list(range(numbers[0], numbers[0] + 3))


@pytest.mark.parametrize(("changes", "field", "fragment"), [
    ({"uscc": "91441900MA4UJ2K31Y"}, "uscc", "校验码"),
    ({"land_area_mu": "-5"}, "land_area_mu", None),
    ({"total_investment_wan": "abc"}, "total_investment_wan", None),
    ({"contact_phone": "12345"}, "contact_phone", "手机号码"),
    ({"industry_code": "0111"}, "industry_code", "受理范围"),
])
def test_bad_fields_are_named(changes, field, fragment):
    with pytest.raises(ValidationError) as error:
        _input(**changes)
    errors = {str(e["loc"][0]): e for e in error.value.errors()}
    assert field in errors
    if fragment:
        assert fragment in errors[field]["msg"]


def test_business_rules_write_nothing(session):
    user = get_by_username(session, "enterprise")
    before = _count(session)
    with pytest.raises(IntakeError) as error:
        submit_application(session, user, _input(land_area_mu=Decimal("999")), "too-big")
    assert error.value.field == "land_area_mu" and "不得超过" in error.value.message
    with pytest.raises(IntakeError) as error:
        submit_application(session, user, _input(uscc="91350100M000100Y43"), "other-firm")
    assert error.value.field == "uscc"
    with pytest.raises(IntakeError) as error:
        submit_application(session, user, _input(parcel_id=99999), "no-parcel")
    assert error.value.field == "parcel_id"
    staff = get_by_username(session, "agent")
    with pytest.raises(IntakeError):
        submit_application(session, staff, _input(), "staff")
    assert _count(session) == before


def test_lost_hand_overs_are_found_after_a_grace_period_and_claimed_once(session):
    from datetime import timedelta

    from services.cases.handoff import awaiting_dispatch, claim_dispatch, release_dispatch, set_flow_run

    user = get_by_username(session, "enterprise")
    application, _ = submit_application(session, user, _input(), "hand-over")
    overdue = {"grace": timedelta(seconds=-1), "stale_after": timedelta(seconds=-1)}
    assert application.id not in awaiting_dispatch(session), "just submitted: still queued in the web app"
    assert application.id in awaiting_dispatch(session, grace=timedelta(seconds=-1))
    assert claim_dispatch(session, application.id)
    assert not claim_dispatch(session, application.id), "a second dispatcher must not queue a second run"
    assert application.id not in awaiting_dispatch(session, grace=timedelta(seconds=-1))
    release_dispatch(session, application.id)  # Prefect refused: the sweep may try again
    assert claim_dispatch(session, application.id)
    assert application.id in awaiting_dispatch(session, **overdue)
    set_flow_run(session, application.id, "run-1")
    assert application.id not in awaiting_dispatch(session, **overdue)
    assert not claim_dispatch(session, application.id, stale_after=timedelta(seconds=-1))


def test_the_enterprise_row_is_written_only_when_the_application_changes_its_contact(session):
    """Most submissions repeat the enterprise's name and contact: its row is then left alone (an update would
    lock it until commit, and every other submission of the enterprise would wait)."""
    user = get_by_username(session, "enterprise")
    submit_application(session, user, _input(), "contact-1")
    session.flush()
    enterprise = session.get_one(Enterprise, user.enterprise_id)
    before = enterprise.updated_at
    submit_application(session, user, _input(), "contact-2")
    session.flush()
    assert session.get_one(Enterprise, user.enterprise_id).updated_at == before, "nothing changed: not written"
    submit_application(session, user, _input(contact_name="周敏", contact_phone="13900001111"), "contact-3")
    session.flush()
    session.expire_all()
    enterprise = session.get_one(Enterprise, user.enterprise_id)
    assert (enterprise.contact_name, enterprise.contact_phone) == ("周敏", "13900001111")


@pytest.mark.usefixtures("migrated")  # its own sessions and commits, on the suite's database
def test_concurrent_submissions_of_one_enterprise_get_consecutive_case_numbers():
    """The case number is taken last (its counter row stays locked until commit): submissions of one enterprise
    at the same moment each commit with their own number, none lost, none twice, none left provisional."""
    racers, start, made, failures = 6, threading.Barrier(6), [], []

    def submit(i: int) -> None:
        with Session(get_engine(), expire_on_commit=False) as s:
            user = get_by_username(s, "enterprise")
            start.wait()
            try:
                application, _ = submit_application(s, user, _input(project_name=f"并发提交项目{i}"),
                                                     f"race-{uuid.uuid4()}")
                s.commit()
                made.append(application.id)
            except Exception as error:  # a database error would be a lost submission
                s.rollback()
                failures.append(error)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == [] and len(made) == racers
    with Session(get_engine()) as s:
        numbers = s.exec(select(Application.case_no).where(col(Application.id).in_(made))).all()
        assert not s.exec(select(Application).where(col(Application.case_no).startswith("待编号"))).all()
    serials = sorted(int(n[-6:]) for n in numbers)
    assert serials == list(range(serials[0], serials[0] + racers)), numbers
