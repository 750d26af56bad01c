"""拿地即开工 through the services on the real database: the case's plan of work step by step (what the
flow does), parallel branches, a branch returned for 补正 while the others go on, a lost listing, the
certificate batch (once, all four or none, numbers without gaps), and bad input refused field by field."""

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from services.agency import service as agency
from services.cases import human_actions
from services.cases.steps import get_step
from services.core import clock
from services.core.users import get_by_username
from services.land_to_start import design_scheme_decisions
from services.land_to_start import service as lts
from services.models import (
    ActionKind,
    Application,
    ApplicationStatus,
    AuditEvent,
    Document,
    NumberSequence,
    Parcel,
    Project,
    Step,
    StepStatus,
)
from tests.factories import design_scheme, make_project
from tests.samples import DEPARTMENT_USERS

RUN = "00000000-0000-0000-0000-00000000c0de"
def case_input(project: Project, **changes) -> lts.LandToStartInput:
    values = {"project_id": project.id, "project_code": "2611-441900-04-01-123456", "building_area_m2": "36000",
              "design_unit": "广东省建筑设计研究院", "contractor": "中建三局第一建设工程有限责任公司",
              "supervisor_unit": "广州建设工程监理有限公司", "contract_price_wan": "18000", "funds_committed": True,
              "risk_signed_by": "陈立新", "risk_agreed": True} | changes
    return lts.LandToStartInput.model_validate(values)


def open_case(session, **project_args) -> Application:
    project = make_project(session, **project_args)
    return lts.submit(session, get_by_username(session, "enterprise"), case_input(project), uuid.uuid4().hex)[0]


def run_until_waiting(session, application_id: int, today: date | None = None) -> list[lts.Work]:
    """What the case flow does between two suspensions; returns the work done."""
    done = []
    for _ in range(50):
        plan = lts.plan_work(session, application_id, today or clock.today())
        if plan.closed or not plan.items:
            return done
        for work in plan.items:
            lts.do(session, application_id, work, RUN)
            done.append(work)
    raise AssertionError("the case never settled")


def status(session, application_id: int) -> dict[str, str]:
    session.expire_all()
    return {s.key: s.status.value for s in session.exec(select(Step).where(Step.application_id == application_id))}


def decide(session, application_id: int, key: str, kind=ActionKind.approve, **kwargs):
    if key == "design_review" and kind == ActionKind.approve and not design_scheme_decisions.versions(
            session, application_id):
        design_scheme(session, application_id)  # an approval is made on a version the enterprise handed in
    step = get_step(session, application_id, key)
    user = get_by_username(session, DEPARTMENT_USERS[step.department])
    return human_actions.record_action(session, user, step, kind, reasons=kwargs.pop("reasons", "符合要求"), **kwargs)


def through_listing(session, application_id: int) -> date:
    """Give every pre-review its approval and let the listing period end; returns the day after it."""
    run_until_waiting(session, application_id)
    for key in ("project_filing", "design_review"):
        decide(session, application_id, key)
    run_until_waiting(session, application_id)
    for key in ("eia", "drawing_review"):
        decide(session, application_id, key)
    run_until_waiting(session, application_id)
    after = get_step(session, application_id, "land_listing").due_on + timedelta(days=1)
    run_until_waiting(session, application_id, after)
    return after


def test_pre_reviews_run_in_parallel_and_the_certificates_are_issued_in_one_batch(session):
    application = open_case(session)
    assert application.status == ApplicationStatus.submitted
    run_until_waiting(session, application.id)
    steps = status(session, application.id)
    assert steps["risk_commitment"] == "completed"
    assert steps["project_filing"] == steps["design_review"] == "running", "two departments at once"
    assert steps["eia"] == steps["drawing_review"] == "planned"
    risk = session.exec(select(Document).where(Document.application_id == application.id)).one()
    assert risk.kind == "risk_commitment" and risk.context["signed_by"] == "陈立新"

    decide(session, application.id, "project_filing")  # the design scheme is still with 自然资源局
    run_until_waiting(session, application.id)
    steps = status(session, application.id)
    assert steps["assessment_reuse"] == "completed" and steps["eia"] == "running"
    assert steps["energy_review"] == "cancelled", "800 tce and 3 million kWh need no energy review"
    assert get_step(session, application.id, "energy_review").outcome["skipped"]
    assert steps["design_review"] == "running" and steps["land_listing"] == "planned"

    decide(session, application.id, "design_review")
    run_until_waiting(session, application.id)
    steps = status(session, application.id)
    assert steps["drawing_review"] == "running" and steps["land_listing"] == "running"
    listing = get_step(session, application.id, "land_listing")
    assert listing.sla_unit == "calendar_day" and listing.due_on >= clock.today() + timedelta(days=30)
    assert run_until_waiting(session, application.id, listing.due_on) == [], "the period has not ended yet"
    decide(session, application.id, "eia")
    decide(session, application.id, "drawing_review")
    run_until_waiting(session, application.id, listing.due_on + timedelta(days=1))
    assert status(session, application.id)["deal_confirmation"] == "running"

    decide(session, application.id, "deal_confirmation")
    decide_and_run = [("contract", None), ("payment", None)]
    for key, _ in decide_and_run:
        run_until_waiting(session, application.id)
        decide(session, application.id, key)
    run_until_waiting(session, application.id)
    session.expire_all()
    application = session.get(Application, application.id)
    assert application.status == ApplicationStatus.permitted
    certificates = session.exec(select(Document).where(Document.application_id == application.id,
                                                       Document.step_key == "certificates")).all()
    assert sorted(d.kind for d in certificates) == sorted(lts.CERTIFICATES)
    assert len({d.number for d in certificates}) == 4
    permit = next(d for d in certificates if d.kind == "construction_permit")
    title = next(d for d in certificates if d.kind == "land_title_certificate")
    assert permit.context["land_title_number"] == title.context["certificate_number"], "the 证号 the title printed"
    assert len({d.context["batch_no"] for d in certificates}) == 1
    assert lts.contract_to_permits_days(session, application) == 0, "contract and permits on the same day"
    assert session.get(Parcel, session.get(Project, application.project_id).parcel_id).status == "sold"
    assert status(session, application.id)["construction_start"] == "running"

    with pytest.raises(lts.LandToStartError, match="早于四证核发"):
        lts.report_start(session, get_by_username(session, "enterprise"), application, date(2020, 1, 1))
    lts.report_start(session, get_by_username(session, "enterprise"), application, clock.today())
    session.expire_all()
    assert session.get(Application, application.id).status == ApplicationStatus.started
    assert lts.plan_work(session, application.id, clock.today()).closed


def test_a_branch_returned_for_supplement_waits_while_the_others_go_on(session):
    application = open_case(session)
    run_until_waiting(session, application.id)
    request = decide(session, application.id, "design_review", ActionKind.request_supplement,
                     items=[{"name": "总平面图", "reason": "建筑退让不符合规划条件", "form": "PDF"}])
    decide(session, application.id, "project_filing")
    run_until_waiting(session, application.id)
    steps = status(session, application.id)
    assert steps["design_review"] == "suspended", "the scheme waits for the enterprise (clock paused)"
    assert steps["eia"] == "running" and steps["assessment_reuse"] == "completed", "the other branch goes on"
    notice = session.get(Document, session.get(type(request), request.id).document_id)
    assert notice.kind == "supplement_notice"

    from services.core import uploads

    enterprise = get_by_username(session, "enterprise")
    step = get_step(session, application.id, "design_review")
    uploads.save_attachment(session, enterprise, step, 0, "site-plan.pdf", "application/pdf", b"%PDF-1.4 plan")
    human_actions.record_action(session, enterprise, step, ActionKind.supplement)
    run_until_waiting(session, application.id)
    assert status(session, application.id)["design_review"] == "running"
    decide(session, application.id, "design_review")
    run_until_waiting(session, application.id)
    assert status(session, application.id)["drawing_review"] == "running"


def test_a_lost_listing_closes_the_case_and_withholds_the_pre_reviews(session):
    application = open_case(session)
    after = through_listing(session, application.id)
    decide(session, application.id, "deal_confirmation", ActionKind.reject, reasons="由其他竞买人竞得")
    run_until_waiting(session, application.id, after)
    session.expire_all()
    application = session.get(Application, application.id)
    assert application.status == ApplicationStatus.lost
    steps = status(session, application.id)
    assert all(steps[k] == "cancelled" for k in ("contract", "payment", "certificates", "construction_start"))
    assert not session.exec(select(Document).where(Document.application_id == application.id,
                                                   Document.step_key == "certificates")).all()
    withheld = session.exec(select(AuditEvent).where(AuditEvent.application_id == application.id,
                                                     AuditEvent.action == "prereview.withheld")).one()
    assert {"project_filing", "design_review", "eia", "drawing_review"} <= set(withheld.detail["steps"])
    assert "不移交其他竞得人" in lts.withheld_notice(session, application)
    assert lts.plan_work(session, application.id, after).closed


def test_the_certificate_batch_is_all_or_nothing_and_never_issued_twice(session):
    application = open_case(session)
    after = through_listing(session, application.id)
    for key in ("deal_confirmation", "contract"):
        decide(session, application.id, key)
        run_until_waiting(session, application.id, after)
    decide(session, application.id, "payment")
    counters = dict(session.exec(select(NumberSequence.kind, NumberSequence.last_value).where(
        NumberSequence.kind.in_(lts.CERTIFICATES))).all())
    work = lts.plan_work(session, application.id, after).items
    assert [w.kind for w in work] == ["apply"]
    lts.do(session, application.id, work[0], RUN)  # payment approved
    batch = lts.plan_work(session, application.id, after).items
    assert [(w.kind, w.step_key) for w in batch] == [("automatic", "certificates")]

    class Killed(Exception):
        pass

    real_issue = lts.documents.issue
    calls = {"n": 0}

    def dies_on_the_third(*args, **kwargs):  # the worker dies while rendering the third certificate
        calls["n"] += 1
        if calls["n"] == 3:
            raise Killed
        return real_issue(*args, **kwargs)

    lts.documents.issue = dies_on_the_third
    try:
        with pytest.raises(Killed), session.begin_nested():
            lts.do(session, application.id, batch[0], RUN)
    finally:
        lts.documents.issue = real_issue
    assert not session.exec(select(Document).where(Document.application_id == application.id,
                                                   Document.step_key == "certificates")).all()
    lts.do(session, application.id, batch[0], RUN)  # the restarted run does it again
    lts.do(session, application.id, batch[0], RUN)  # and a retried task changes nothing
    issued = session.exec(select(Document).where(Document.application_id == application.id,
                                                 Document.step_key == "certificates")).all()
    assert len(issued) == 4
    for document in issued:  # each certificate kind's counter moved by exactly one: no gap, no double
        row = session.get(NumberSequence, (lts.documents.get_settings().issuer_short, document.kind,
                                           document.issued_at.year))
        assert row.last_value == counters.get(document.kind, 0) + 1
        assert document.number.endswith(f"第{row.last_value:04d}号")


def test_energy_review_is_opened_only_above_the_thresholds(session):
    application = open_case(session, energy_tce="1500")
    run_until_waiting(session, application.id)
    decide(session, application.id, "project_filing")
    run_until_waiting(session, application.id)
    step = get_step(session, application.id, "energy_review")
    assert step.status == StepStatus.running and step.department == "发展和改革局"


@pytest.mark.parametrize(("changes", "field"), [
    ({"project_code": "2611-44190-04-01-12345"}, "project_code"),
    ({"project_code": "2613-441900-04-01-123456"}, "project_code"),
    ({"building_area_m2": "0"}, "building_area_m2"),
    ({"contractor": ""}, "contractor"),
])
def test_bad_fields_are_refused_by_name(session, changes, field):
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as error:
        case_input(make_project(session), **changes)
    assert field in {e["loc"][0] for e in error.value.errors()}


def test_the_case_needs_the_signed_risk_commitment_and_writes_nothing_otherwise(session):
    project = make_project(session)
    user = get_by_username(session, "enterprise")
    before = session.exec(select(func.count()).select_from(Application)).one()
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as error:
        case_input(project, risk_agreed=False, funds_committed=False)
    assert {e["loc"][0] for e in error.value.errors()} == {"risk_agreed", "funds_committed"}
    with pytest.raises(lts.LandToStartError, match="企业账户"):
        lts.submit(session, get_by_username(session, "reviewer"), case_input(project), "staff")
    assert session.exec(select(func.count()).select_from(Application)).one() == before
    first, created = lts.submit(session, user, case_input(project), "twice")
    again, created_again = lts.submit(session, user, case_input(project), "twice")
    assert created and not created_again and first.id == again.id
    with pytest.raises(lts.LandToStartError, match="已有办理中"):
        lts.submit(session, user, case_input(project), "another-key")


def test_an_agent_opens_the_case_under_a_mandate_for_the_whole_package(session):
    project = make_project(session)
    enterprise, agent = get_by_username(session, "enterprise"), get_by_username(session, "agent2")
    mandate, _ = agency.sign(session, enterprise, agency.MandateInput(
        project_id=project.id, item_codes=["DB00"], valid_from=clock.today(),
        valid_until=clock.today() + timedelta(days=300), signed_by_name="林晓", agree=True), uuid.uuid4().hex)
    with pytest.raises(lts.LandToStartError):
        lts.submit(session, agent, case_input(project), "agent-early")  # not yet assigned to this agent
    agency.assign(session, get_by_username(session, "supervisor"), mandate, agent.id)
    application, _ = lts.submit(session, agent, case_input(project), "agent-case")
    event = session.exec(select(AuditEvent).where(AuditEvent.application_id == application.id,
                                                  AuditEvent.action == "application.submitted")).one()
    assert (event.actor_id, event.on_behalf_of_enterprise_id) == (agent.id, project.enterprise_id)
