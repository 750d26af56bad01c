"""Completeness check and acceptance, run directly through the services (the flow calls these)."""

from sqlmodel import select

from services.cases import acceptance
from services.core import file_store
from services.core.users import get_by_username
from services.models import Application, ApplicationStatus, Document, Step, StepStatus
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from tests.samples import SAMPLE


def _submit(session, key):
    user = get_by_username(session, "enterprise")
    return submit_application(session, user, StandardLandApplicationInput.model_validate(SAMPLE), key)[0]


def test_accepting_twice_issues_one_notice_with_one_number(session):
    application = _submit(session, "accept-1")
    assert acceptance.check_completeness(session, application.id)["complete"]
    first = acceptance.accept(session, application.id)
    second = acceptance.accept(session, application.id)
    assert first == second
    docs = session.exec(select(Document).where(Document.application_id == application.id)).all()
    assert len(docs) == 1 and "受〔" in docs[0].number and docs[0].number.endswith("号")
    assert session.get(Application, application.id).status == ApplicationStatus.accepted
    assert file_store.store(session, "documents").get(docs[0].pdf_path).startswith(b"%PDF")
    assert docs[0].context["case_no"] == application.case_no


def test_acceptance_moves_later_deadlines_to_count_from_acceptance(session):
    application = _submit(session, "accept-2")
    acceptance.check_completeness(session, application.id)
    acceptance.accept(session, application.id)
    steps = {s.key: s for s in session.exec(select(Step).where(Step.application_id == application.id))}
    assert steps["acceptance"].status == StepStatus.completed
    assert steps["indicator_evaluation"].due_on > steps["acceptance"].finished_at.date()


def test_incomplete_application_is_not_accepted(session):
    application = _submit(session, "accept-3")
    from services.models import Enterprise

    enterprise = session.get(Enterprise, application.enterprise_id)
    enterprise.legal_representative = ""
    session.add(enterprise)
    session.flush()
    outcome = acceptance.check_completeness(session, application.id)
    assert not outcome["complete"] and "缺少法定代表人" in outcome["missing"]
    assert acceptance.accept(session, application.id) is None
    assert session.get(Application, application.id).status == ApplicationStatus.incomplete
