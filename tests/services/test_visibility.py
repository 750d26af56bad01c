"""Row visibility (``services.core.visibility``), per role, as the access table (``services.core.access``) says.

An enterprise sees its own cases and mandates; an agent the cases of projects under its mandates and of key
projects it leads; a reviewer its department's cases (a joint step counts for each department) and the cases
it decided; a supervisor every case. Documents follow their case or mandate.
"""

import uuid
from datetime import timedelta

from sqlmodel import col, select

from services.agency import service as agency
from services.cases import human_actions
from services.core import access, clock, visibility
from services.models import ActionKind, Application, Document, Mandate, Project, Role, Step
from tests import factories


def _visible_ids(session, user) -> set[int]:
    return set(session.exec(visibility.readable_applications(user).with_only_columns(col(Application.id))))


def _mandate_ids(session, user) -> set[int]:
    return set(session.exec(visibility.readable_mandates(user).with_only_columns(col(Mandate.id))))


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


def test_a_supervisor_sees_every_case_and_mandate(session):
    application = factories.accepted_case(session)
    supervisor = factories.demo_user(session, "supervisor")
    every = set(session.exec(select(Application.id)))
    assert application.id in every and _visible_ids(session, supervisor) == every
    assert _mandate_ids(session, supervisor) == set(session.exec(select(Mandate.id)))


def test_a_reviewer_sees_its_departments_cases_and_those_it_decided_not_another_departments(session):
    application, step = factories.case_in_review(session)  # its human step is 自然资源局's
    land = factories.user(session, Role.reviewer, department="自然资源局")
    tax = factories.user(session, Role.reviewer, department="税务局")
    nobody = factories.user(session, Role.reviewer)  # no department yet
    assert application.id in _visible_ids(session, land)
    assert application.id not in _visible_ids(session, tax)
    assert _visible_ids(session, nobody) == set()
    notice = session.exec(select(Document).where(Document.application_id == application.id)).first()
    assert visibility.get_readable_document(session, land, notice.id) is not None
    assert visibility.get_readable_document(session, tax, notice.id) is None
    assert _mandate_ids(session, land) == set()  # mandates are between the enterprise and the agency centre

    human_actions.record_action(session, land, step, ActionKind.approve, reasons="符合地块控制指标")
    land.department = "税务局"  # moved to another department: the case it decided stays in its view
    assert application.id in _visible_ids(session, land)
    assert application.id not in _visible_ids(session, tax)


def test_a_joint_step_counts_for_each_of_its_departments_and_no_name_that_merely_contains_one(session):
    application, step = factories.case_in_review(session)
    row = session.get_one(Step, step.id)
    row.department = "自然资源局、住房和城乡建设局"  # 拿地即开工's joint review, as its definition names it
    session.flush()
    seen = {name: application.id in _visible_ids(session, factories.user(session, Role.reviewer, department=name))
            for name in ("住房和城乡建设局", "城乡建设局", "税务局")}
    assert seen == {"住房和城乡建设局": True, "城乡建设局": False, "税务局": False}


def test_an_agent_sees_the_cases_and_mandates_assigned_to_it_and_the_key_projects_it_leads(session):
    enterprise, supervisor = factories.demo_user(session, "enterprise"), factories.demo_user(session, "supervisor")
    agent, other_agent = factories.user(session, Role.agent), factories.user(session, Role.agent)
    name = f"可见性测试项目-{uuid.uuid4().hex[:8]}"
    mandate, _ = agency.sign(session, enterprise, agency.MandateInput.model_validate(
        {"project_name": name, "item_codes": ["DB02", "DB04"], "valid_from": clock.today(),
         "valid_until": clock.today() + timedelta(days=365), "signed_by_name": "林晓", "agree": True}),
        uuid.uuid4().hex)
    assert mandate.id not in _mandate_ids(session, agent)  # not assigned yet
    agency.assign(session, supervisor, mandate, agent.id)
    application = factories.submitted_case(session, project_name=name)
    agency.link_project(session, application)
    elsewhere = factories.submitted_case(session)  # the same enterprise's other project
    letter = session.exec(select(Document).where(Document.mandate_id == mandate.id)).first()

    assert application.id in _visible_ids(session, agent) and elsewhere.id not in _visible_ids(session, agent)
    assert mandate.id in _mandate_ids(session, agent)
    assert visibility.get_readable_document(session, agent, letter.id) is not None
    assert application.id not in _visible_ids(session, other_agent)
    assert mandate.id not in _mandate_ids(session, other_agent)
    assert visibility.get_readable_document(session, other_agent, letter.id) is None

    agency.set_project_tier(session, supervisor, session.get_one(Project, application.project_id), "key",
                            other_agent.id)  # 重点项目 led by the other agent as 首席代办专员
    assert application.id in _visible_ids(session, other_agent)
    assert mandate.id in _mandate_ids(session, other_agent)


def test_a_mandate_linked_to_a_project_covers_no_other_project_of_the_same_name(session):
    """Two projects of one enterprise may share a name (a second phase, a re-filed project): a mandate signed
    for one lists, shows and notifies about that project's cases only; one that only names its project (no
    case linked it yet) covers the project of that name."""
    enterprise, supervisor = factories.demo_user(session, "enterprise"), factories.demo_user(session, "supervisor")
    agent = factories.user(session, Role.agent)
    name = f"同名项目-{uuid.uuid4().hex[:8]}"
    mandate, _ = agency.sign(session, enterprise, agency.MandateInput.model_validate(
        {"project_name": name, "item_codes": ["DB02", "DB04"], "valid_from": clock.today(),
         "valid_until": clock.today() + timedelta(days=365), "signed_by_name": "林晓", "agree": True}),
        uuid.uuid4().hex)
    agency.assign(session, supervisor, mandate, agent.id)
    first = factories.submitted_case(session, project_name=name)
    assert agency.covered_applications(session, mandate) == [first]  # named only: the project of that name
    agency.link_project(session, first)
    assert mandate.project_id == first.project_id
    second = factories.submitted_case(session, project_name=name)  # another project, the same name
    assert second.project_id != first.project_id

    assert agency.covered_applications(session, mandate) == [first]
    assert mandate in agency.mandates_covering(session, first)
    assert agency.mandates_covering(session, second) == []
    assert agent not in agency.agents_for(session, second)
    assert first.id in _visible_ids(session, agent) and second.id not in _visible_ids(session, agent)


def test_the_access_table_names_a_reach_for_every_role_it_lists_and_admins_reach_only_accounts_and_audit(session):
    admin_reviewer = factories.user(session, Role.reviewer, department="税务局")
    admin_reviewer.is_admin = True
    assert access.allowed(admin_reviewer, access.Resource.accounts, access.Action.manage)
    assert access.allowed(admin_reviewer, access.Resource.audit, access.Action.read)
    assert not access.allowed(admin_reviewer, access.Resource.statistics, access.Action.read)
    assert access.reach(admin_reviewer, access.Resource.application, access.Action.read) is access.Reach.department
    enterprise_admin = factories.other_enterprise_user(session)
    enterprise_admin.is_admin = True  # never set on an enterprise account; even so it grants nothing
    assert not access.allowed(enterprise_admin, access.Resource.accounts, access.Action.manage)
