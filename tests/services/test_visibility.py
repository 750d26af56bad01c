"""Row visibility (``services.core.visibility``), per role: the one place pages, API and exports ask.

An enterprise account sees its own enterprise's cases and documents and nothing of another's; an
enterprise account without an enterprise sees nothing; staff (agents, reviewers, supervisors) see every case.
"""

import pytest
from sqlmodel import col, select

from services.core import visibility
from services.models import Application, Document, Role
from tests import factories

STAFF = ("agent", "reviewer", "eia_reviewer", "supervisor")


def _visible_ids(session, user) -> set[int]:
    return set(session.exec(visibility.readable_applications(user).with_only_columns(col(Application.id))))


def test_an_enterprise_sees_its_own_cases_and_documents_and_not_another_enterprises(session):
    application = factories.accepted_case(session)
    own, other = factories.demo_user(session, "enterprise"), factories.other_enterprise_user(session)
    notice = session.exec(select(Document).where(Document.application_id == application.id)).first()
    assert notice is not None  # the 受理通知书
    assert application.id in _visible_ids(session, own)
    assert visibility.get_readable_application(session, own, application.id).id == application.id
    assert visibility.get_readable_document(session, own, notice.id).id == notice.id
    assert application.id not in _visible_ids(session, other)
    assert visibility.get_readable_application(session, other, application.id) is None
    assert visibility.get_readable_document(session, other, notice.id) is None


def test_an_enterprise_account_without_an_enterprise_sees_nothing(session):
    factories.accepted_case(session)
    orphan = factories.user(session, Role.enterprise)
    assert _visible_ids(session, orphan) == set()
    assert session.exec(visibility.readable_mandates(orphan)).first() is None


@pytest.mark.parametrize("username", STAFF)
def test_staff_see_every_case(session, username):
    application = factories.accepted_case(session)
    other_case_ids = _visible_ids(session, factories.demo_user(session, "enterprise"))
    staff = factories.demo_user(session, username)
    assert other_case_ids | {application.id} <= _visible_ids(session, staff)
    assert visibility.get_readable_application(session, staff, application.id) is not None


def test_an_enterprise_sees_only_its_own_mandates(session):
    own, other = factories.demo_user(session, "enterprise"), factories.other_enterprise_user(session)
    assert all(m.enterprise_id == own.enterprise_id for m in session.exec(visibility.readable_mandates(own)))
    assert session.exec(visibility.readable_mandates(other)).first() is None
