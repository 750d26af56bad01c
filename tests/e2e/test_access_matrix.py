"""Who sees what, route by route: every page and API route of the app — read from its routers, so a new
route cannot escape — asked as every demo role for the records of another enterprise, another department
and another agent's mandate, on the running stack. The answer must match the access table
(``services.core.access``): refused (403/404, nothing of the record in the answer) unless the role reaches
every record of that kind; lists never show a record the role does not reach.

The "elsewhere" records are written straight into the database (an enterprise, project, case, step,
document, attachment, mandate and message that belong to nobody the demo accounts are); their owners — the
other enterprise, a reviewer of their department and the agent of their mandate — are the positive controls.
"""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from sqlmodel import select

from forms.app import create_app
from services.cases.processes import get_definition
from services.core import clock
from services.core.access import Action, Reach, Resource, reach
from services.core.db import session_scope
from services.core.ids import stored_id
from services.core.users import get_by_username
from services.demo import DEMO_PASSWORD
from services.models import AgencyItem as AgencyItemRow
from services.models import (
    Application,
    ApplicationStatus,
    Attachment,
    Document,
    Escalation,
    EscalationReply,
    Mandate,
    Notification,
    Parcel,
    Project,
    RegionalAssessment,
    Role,
    SignInSession,
    Step,
    StepStatus,
    User,
)
from tests import factories
from tests.app_routes import api_routes
from tests.samples import SAMPLE

ROLES = ("enterprise", "agent", "reviewer", "eia_reviewer", "supervisor")
PUBLIC, SIGNED_IN = "public", "signed in"  # routes for anyone / for any signed-in account about itself

#: every route of the app → what it does in the access table's words
ROUTES: dict[str, tuple[Resource, Action] | str] = {
    "GET /": PUBLIC, "GET /healthz": PUBLIC, "GET /readyz": PUBLIC, "GET /verify": PUBLIC, "POST /verify": PUBLIC,
    "GET /login": PUBLIC, "POST /login": PUBLIC,
    "GET /login/sso": PUBLIC, "GET /login/sso/callback": PUBLIC, "GET /login/code": PUBLIC, "POST /login/code": PUBLIC,
    "POST /logout": PUBLIC, "GET /register": PUBLIC, "POST /register": PUBLIC, "GET /register/confirm": PUBLIC,
    "GET /register/resend": PUBLIC, "POST /register/resend": PUBLIC, "GET /password/forgot": PUBLIC,
    "POST /password/forgot": PUBLIC, "GET /password/reset": PUBLIC, "POST /password/reset": PUBLIC,
    "POST /api/v1/auth/token": PUBLIC, "GET /api/v1/calendar/due": PUBLIC, "GET /api/v1/uscc/{code}": PUBLIC,
    "GET /materials": SIGNED_IN,
    "GET /parcels": PUBLIC, "GET /parcels/{parcel_id}": PUBLIC, "GET /parcels/{parcel_id}/check": PUBLIC,
    "GET /api/v1/public/parcels": PUBLIC,
    "POST /api/v1/auth/logout": SIGNED_IN, "GET /account/password": SIGNED_IN, "POST /account/password": SIGNED_IN,
    "GET /account/second-factor": SIGNED_IN, "POST /account/second-factor": SIGNED_IN,
    "GET /inbox": SIGNED_IN, "POST /inbox/read-all": SIGNED_IN,
    "POST /api/v1/eia/classify": SIGNED_IN, "GET /api/v1/eia/questions": SIGNED_IN,
    "POST /inbox/{notification_id}/read": (Resource.notification, Action.read),
    # cases
    "GET /applications": (Resource.application, Action.read),
    "GET /applications.xlsx": (Resource.application, Action.read),
    "GET /api/v1/applications": (Resource.application, Action.read),
    "GET /applications/{application_id}": (Resource.application, Action.read),
    "GET /api/v1/applications/{application_id}": (Resource.application, Action.read),
    "POST /applications/{application_id}/progress-report": (Resource.application, Action.read),
    "GET /documents/{document_id}.{fmt}": (Resource.application, Action.read),
    "GET /api/v1/documents/{document_id}.{fmt}": (Resource.application, Action.read),
    "POST /documents/{document_id}/revoke": (Resource.document, Action.manage),
    "GET /attachments/{attachment_id}": (Resource.application, Action.read),
    "GET /applications/new": (Resource.application, Action.create),
    "POST /applications/new": (Resource.application, Action.create),
    "POST /api/v1/applications": (Resource.application, Action.create),
    "GET /eia/new": (Resource.application, Action.create), "POST /eia/new": (Resource.application, Action.create),
    "POST /api/v1/eia/applications": (Resource.application, Action.create),
    "POST /api/v1/eia/assessment": (Resource.application, Action.create),
    "GET /land-to-start/new": (Resource.application, Action.create),
    "POST /land-to-start/new": (Resource.application, Action.create),
    "POST /api/v1/land-to-start/applications": (Resource.application, Action.create),
    "POST /applications/{application_id}/start-report": (Resource.step, Action.supplement),
    "POST /api/v1/land-to-start/applications/{application_id}/start": (Resource.step, Action.supplement),
    "GET /api/v1/land-to-start/applications/{application_id}/design-schemes": (Resource.application, Action.read),
    "POST /api/v1/land-to-start/applications/{application_id}/design-schemes": (Resource.step, Action.supplement),
    "POST /applications/{application_id}/design-schemes": (Resource.step, Action.supplement),
    "POST /api/v1/land-to-start/applications/{application_id}/design-schemes/{scheme_id}/decision": (
        Resource.step, Action.decide),
    "GET /applications/{application_id}/steps/{step_key}/decision": (Resource.step, Action.decide),
    "POST /applications/{application_id}/steps/{step_key}/decision": (Resource.step, Action.decide),
    "POST /api/v1/applications/{application_id}/steps/{step_key}/actions": (Resource.application, Action.read),
    "POST /applications/{application_id}/steps/{step_key}/files": (Resource.step, Action.supplement),
    "POST /applications/{application_id}/steps/{step_key}/supplement": (Resource.step, Action.supplement),
    "GET /applications/{application_id}/verification": (Resource.application, Action.verify),
    "POST /applications/{application_id}/verification": (Resource.application, Action.verify),
    "GET /compliance": (Resource.application, Action.verify),
    "GET /compliance/credit.csv": (Resource.application, Action.verify),
    "GET /compliance/ranking": (Resource.application, Action.verify),
    "POST /compliance/ranking/import": (Resource.application, Action.verify),
    "GET /compliance/ranking/{year}.csv": (Resource.application, Action.verify),
    "GET /reviews": (Resource.review_queue, Action.read),
    # 代办
    "GET /mandates": (Resource.mandate, Action.read),
    "GET /mandates/{mandate_id}": (Resource.mandate, Action.read),
    "GET /mandates/new": (Resource.mandate, Action.create), "POST /mandates/new": (Resource.mandate, Action.create),
    "POST /mandates/{mandate_id}/assign": (Resource.mandate, Action.read),
    "POST /mandates/{mandate_id}/contact": (Resource.mandate, Action.read),
    "POST /mandates/{mandate_id}/extend": (Resource.mandate, Action.read),
    "POST /mandates/{mandate_id}/terminate": (Resource.mandate, Action.read),
    "POST /mandates/{mandate_id}/complete": (Resource.mandate, Action.read),
    "POST /mandates/{mandate_id}/project-tier": (Resource.mandate, Action.read),
    "GET /workbench": (Resource.workbench, Action.read),
    "GET /agency/catalogue": (Resource.agency_catalogue, Action.read),
    "GET /agency/catalogue/new": (Resource.agency_catalogue, Action.write),
    "POST /agency/catalogue/new": (Resource.agency_catalogue, Action.write),
    "GET /agency/catalogue/{item_id}": (Resource.agency_catalogue, Action.write),
    "POST /agency/catalogue/{item_id}": (Resource.agency_catalogue, Action.write),
    # 标准地 catalogue
    "GET /api/v1/parcels": (Resource.parcel, Action.read),
    "GET /api/v1/projects": (Resource.application, Action.read),
    "GET /projects": (Resource.application, Action.read),
    "GET /projects/{project_id}": (Resource.application, Action.read),
    "GET /api/v1/projects/{project_id}": (Resource.application, Action.read),
    "GET /api/v1/mandates": (Resource.mandate, Action.read),
    "GET /api/v1/mandates/{mandate_id}": (Resource.mandate, Action.read),
    "GET /api/v1/lights": (Resource.application, Action.read),
    "GET /api/v1/escalations": (Resource.application, Action.read),
    "GET /api/v1/notifications": SIGNED_IN,
    "POST /api/v1/notifications/{notification_id}/read": (Resource.notification, Action.read),
    "GET /api/v1/parcels/{parcel_id}": (Resource.parcel, Action.read),
    "POST /api/v1/parcels": (Resource.catalogue, Action.write),
    "PUT /api/v1/parcels/{parcel_id}": (Resource.catalogue, Action.write),
    "GET /api/v1/assessments": (Resource.parcel, Action.read),
    "GET /api/v1/assessments/{assessment_id}": (Resource.parcel, Action.read),
    "POST /api/v1/assessments": (Resource.catalogue, Action.write),
    "PUT /api/v1/assessments/{assessment_id}": (Resource.catalogue, Action.write),
    "GET /api/v1/agency/items": (Resource.agency_catalogue, Action.read),
    "POST /api/v1/agency/items": (Resource.agency_catalogue, Action.write),
    "PUT /api/v1/agency/items/{item_id}": (Resource.agency_catalogue, Action.write),
    "GET /catalogue": (Resource.catalogue, Action.read),
    "GET /catalogue/import/samples/{kind}.{suffix}": (Resource.catalogue, Action.read),
    "POST /catalogue/import/outlines": (Resource.catalogue, Action.write),
    **{f"{method} {path}": (Resource.catalogue, Action.write) for method in ("GET", "POST") for path in (
        "/catalogue/parcels/new", "/catalogue/parcels/{parcel_id}", "/catalogue/assessments/new",
        "/catalogue/assessments/{assessment_id}", "/catalogue/import")},
    # supervision and administration
    "GET /api/v1/escalations/{escalation_id}": (Resource.escalation, Action.read),
    "POST /api/v1/escalations/{escalation_id}/replies": (Resource.escalation, Action.write),
    "POST /api/v1/escalations/{escalation_id}/replies/{reply_id}/verdict": (Resource.escalation, Action.decide),
    "GET /applications/{application_id}/escalations/{escalation_id}": (Resource.escalation, Action.read),
    "POST /applications/{application_id}/escalations/{escalation_id}/reply": (Resource.escalation, Action.write),
    "POST /applications/{application_id}/escalations/{escalation_id}/replies/{reply_id}/verdict":
        (Resource.escalation, Action.decide),
    "GET /statistics": (Resource.statistics, Action.read),
    "GET /statistics/{name}.csv": (Resource.statistics, Action.read),
    "POST /statistics/bulletins": (Resource.statistics, Action.write),
    "GET /audit": (Resource.audit, Action.read), "GET /audit.csv": (Resource.audit, Action.read),
    **{route: (Resource.accounts, Action.manage) for route in (
        "GET /admin/users", "GET /admin/users/new", "POST /admin/users/new", "GET /admin/users/{user_id}",
        "POST /admin/users/{user_id}", "POST /admin/users/{user_id}/active", "POST /admin/users/{user_id}/password",
        "POST /admin/users/{user_id}/second-factor", "POST /admin/users/{user_id}/sign-ins/{sign_in_id}/end",
        "GET /admin/tokens", "POST /admin/tokens/new", "POST /admin/tokens/{token_id}/revoke")},
}

#: path parameters naming a record that belongs to someone (the others name shared things: parcels, accounts …)
SCOPED = ("application_id", "document_id", "attachment_id", "mandate_id", "notification_id", "project_id",
          "escalation_id")


def app_routes() -> list[str]:
    """"METHOD path" of every route the app serves, from its routers (the docs pages aside)."""
    docs = ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")
    return sorted(f"{method} {path}" for path, route in api_routes(create_app().routes) if path not in docs
                  for method in (route.methods or set()) - {"HEAD"})


@dataclass
class Elsewhere:
    """Records of another enterprise, department and mandate, and the accounts they belong to."""

    ids: dict[str, str]
    case_no: str
    mandate_number: str
    owner: str  # the other enterprise's account
    their_reviewer: str  # a reviewer of the case's department
    their_agent: str  # the agent of the mandate


@pytest.fixture(scope="module")
def elsewhere(stack) -> Elsewhere:
    tag = uuid.uuid4().hex[:8]
    now = clock.now()
    with session_scope() as session:
        owner = factories.other_enterprise_user(session)
        reviewer = factories.user(session, Role.reviewer, department=f"外区测试局{tag}")
        agent = factories.user(session, Role.agent)
        owner_id, enterprise_id, agent_id = stored_id(owner), owner.enterprise_id, stored_id(agent)
        assert enterprise_id is not None
        project = Project(enterprise_id=enterprise_id, name=f"外企项目{tag}", industry_code="3599",
                          total_investment_wan=Decimal(5000), land_area_mu=Decimal(20),
                          expected_annual_output_wan=Decimal(0), expected_annual_tax_wan=Decimal(0), created_at=now)
        session.add(project)
        session.flush()
        project_id = stored_id(project)
        case = Application(case_no=f"GCX{tag}", process_key="standard_land", process_version=2, title="外企的申请",
                           enterprise_id=enterprise_id, project_id=project_id,
                           status=ApplicationStatus.approved, submitted_at=now, accepted_at=now,
                           created_by_id=owner_id, idempotency_key=tag, dispatched_at=now, form_data=dict(SAMPLE))
        session.add(case)
        session.flush()
        case_id = stored_id(case)
        for sequence, step in enumerate(get_definition("standard_land", 2).steps, start=1):  # every step, done
            session.add(Step(application_id=case_id, key=step.key, name=step.name, kind=step.kind,
                             department=f"外区测试局{tag}", sequence=sequence, status=StepStatus.completed,
                             sla_working_days=step.sla_working_days, started_at=now, finished_at=now))
        document = Document(application_id=case_id, step_key="acceptance", issue_key=f"x-{tag}", kind="acceptance",
                            title="受理通知书", number=f"外受字{tag}", verification_code=f"X{tag}", issued_at=now,
                            pdf_path="nowhere.pdf", docx_path="nowhere.docx", pdf_sha256="0" * 64,
                            docx_sha256="0" * 64)
        attachment = Attachment(application_id=case_id, item_index=0, filename="外企材料.pdf",
                                content_type="application/pdf", size=1, sha256="0" * 64, path="nowhere",
                                uploaded_by_id=owner_id, uploaded_at=now)
        mandate = Mandate(number=f"外代字{tag}", enterprise_id=enterprise_id, project_id=project_id,
                          project_name=project.name, all_items=True, valid_from=clock.today(),
                          valid_until=clock.today() + timedelta(days=365), agent_id=agent_id, assigned_at=now,
                          contact_due_on=clock.today(), contacted_at=now,
                          signed_by_id=owner_id, signed_by_name="王五", signed_at=now, idempotency_key=tag)
        message = Notification(user_id=agent_id, application_id=case_id, kind="light_yellow", title="外区消息",
                               body="只给外区代办专员", dedupe_key=tag, created_at=now)
        session.add_all([document, attachment, mandate, message])
        session.flush()
        review = session.exec(select(Step).where(Step.application_id == case_id, Step.key == "land_review")).one()
        escalation = Escalation(step_id=stored_id(review), application_id=case_id, level=1, issued_on=clock.today(),
                                reply_due_on=clock.today() + timedelta(days=3), issued_at=now)
        session.add(escalation)
        session.flush()
        reply = EscalationReply(escalation_id=stored_id(escalation), application_id=case_id, round=1,
                                department=review.department, reason="外区回复", measures="外区措施",
                                promised_on=clock.today(), filed_by_id=stored_id(reviewer), filed_at=now)
        session.add(reply)
        session.flush()
        sign_in = SignInSession(user_id=owner_id, token_hash=uuid.uuid4().hex, kind="page", created_at=now,
                                last_seen_at=now)
        session.add(sign_in)
        session.flush()
        ids = {"application_id": case.id, "project_id": project_id, "document_id": document.id,
               "attachment_id": attachment.id,
               "mandate_id": mandate.id, "notification_id": message.id, "user_id": stored_id(reviewer),
               "sign_in_id": sign_in.id, "parcel_id": _first_id(session, Parcel),
               "assessment_id": _first_id(session, RegionalAssessment),
               "item_id": _first_id(session, AgencyItemRow), "escalation_id": escalation.id, "reply_id": reply.id}
        result = Elsewhere({k: str(v) for k, v in ids.items()} | {"step_key": "land_review", "fmt": "pdf",
                                                                   "kind": "parcels", "name": "open_by_light",
                                                                   "suffix": "csv", "year": "2025", "scheme_id": "1",
                                                                   "code": "91350100M000100Y43", "token_id": "1"},
                           case.case_no, mandate.number, owner.username, reviewer.username, agent.username)
    return result


def _first_id(session, model) -> int:
    row = session.exec(select(model).order_by(model.id).limit(1)).first()
    assert row is not None, f"the demo data has no {model.__name__}"
    return row.id


@contextmanager
def signed_in(stack, username: str, password: str) -> Iterator[tuple[httpx.Client, str, dict[str, str]]]:
    """A page session (with its CSRF token) and API bearer headers of one account."""
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        r = client.post("/login", data={"username": username, "password": password,
                                        "csrf_token": _csrf(client.get("/login").text)})
        assert r.status_code == 303, r.text[:300]
        yield client, _csrf(client.get("/account/password").text), stack.token(username, password)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def _user(username: str) -> User:
    with session_scope() as session:
        user = get_by_username(session, username)
        assert user is not None
        session.expunge(user)
        return user


def _ask(client: httpx.Client, csrf: str, bearer: dict, route: str, ids: dict[str, str]) -> httpx.Response:
    method, template = route.split(" ", 1)
    path = re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], template)
    if path.startswith("/api/"):
        body = API_BODIES.get(template)
        return client.request(method, path, headers=bearer | {"Idempotency-Key": uuid.uuid4().hex},
                              json=body if method == "POST" else None)
    if method == "POST":
        return client.post(path, data={"csrf_token": csrf})
    return client.get(path)


# bodies that pass the API's schema, so the answer is about access and not about the body
API_BODIES = {
    "/api/v1/applications/{application_id}/steps/{step_key}/actions": {"kind": "approve", "reasons": "矩阵测试"},
    "/api/v1/land-to-start/applications/{application_id}/start": {"started_on": "2026-12-01"},
    "/api/v1/land-to-start/applications/{application_id}/design-schemes/{scheme_id}/decision": {
        "kind": "approve", "reasons": "矩阵测试"},
    "/api/v1/escalations/{escalation_id}/replies": {"reason": "矩阵测试", "measures": "矩阵测试",
                                                    "promised_on": "2027-12-31"},
    "/api/v1/escalations/{escalation_id}/replies/{reply_id}/verdict": {"accept": True},
}


def test_every_route_of_the_app_is_in_the_matrix():
    served = set(app_routes())
    assert served - set(ROUTES) == set(), "routes the access matrix does not cover: add them to ROUTES"
    assert set(ROUTES) - served == set(), "ROUTES names routes the app no longer serves"


@pytest.mark.parametrize("username", ROLES)
def test_no_role_reaches_another_enterprises_departments_or_mandates_records_unless_it_reaches_all(
        stack, elsewhere, username):
    user = _user(username)
    wrong: list[str] = []
    with signed_in(stack, username, DEMO_PASSWORD) as (client, csrf, bearer):
        for route in app_routes():
            rule = ROUTES[route]
            method, template = route.split(" ", 1)
            if isinstance(rule, str):
                continue  # public or about the account itself
            scope = reach(user, *rule)
            scoped = any("{" + name + "}" in template for name in SCOPED)
            if scope is Reach.all and (method == "POST" or template.endswith(".{fmt}") or "attachments" in template):
                continue  # allowed: not posted (it would act) and the elsewhere files do not exist
            r = _ask(client, csrf, bearer, route, elsewhere.ids)
            leaked = elsewhere.case_no in r.text or elsewhere.mandate_number in r.text
            if r.status_code >= 500:
                wrong.append(f"{route}: {r.status_code}")
            elif scoped and scope is not Reach.all:
                if r.status_code not in (403, 404) or leaked:
                    wrong.append(f"{route}: {r.status_code} for a record it does not reach ({scope})")
            elif scope is Reach.none:
                if r.status_code != 403:
                    wrong.append(f"{route}: {r.status_code}, not 403, though the table gives {username} nothing")
            elif method == "GET" and r.status_code not in (200, 303) and not (
                    scope is Reach.mandated and r.status_code == 403 and "代办委托" in r.text):
                # 303: sent on to where it starts; an agent files only from a mandate, and the form says so
                wrong.append(f"{route}: {r.status_code} though the table lets {username} in ({scope})")
            elif scope is not Reach.all and leaked:
                wrong.append(f"{route}: lists a record of elsewhere ({scope})")
            elif "csrf" in r.text.lower() and "页面已过期" in r.text:
                wrong.append(f"{route}: refused by its CSRF check, not by access")
    assert wrong == [], "\n".join(wrong)


def test_the_records_owners_do_reach_them(stack, elsewhere):
    """The positive controls: the other enterprise, a reviewer of the department and the mandate's agent see
    the case (and the agent the mandate); the supervisor sees both in its lists."""
    ids = elsewhere.ids
    for username in (elsewhere.owner, elsewhere.their_reviewer, elsewhere.their_agent):
        with signed_in(stack, username, factories.PASSWORD) as (client, _, bearer):
            assert elsewhere.case_no in client.get(f"/applications/{ids['application_id']}").text, username
            assert elsewhere.case_no in client.get("/applications").text, username
            assert client.get(f"/api/v1/applications/{ids['application_id']}", headers=bearer).status_code == 200
            escalation = client.get(f"/api/v1/escalations/{ids['escalation_id']}", headers=bearer)
            if username == elsewhere.owner:  # 督办 is between the departments, supervisors and agents
                assert escalation.status_code == 403
            else:
                assert escalation.json()["replies"][0]["reason"] == "外区回复", username
                assert "外区措施" in client.get(f"/applications/{ids['application_id']}/escalations/"
                                            f"{ids['escalation_id']}").text
            if username != elsewhere.their_reviewer:
                assert client.get(f"/mandates/{ids['mandate_id']}").status_code == 200, username
            else:
                assert client.get(f"/mandates/{ids['mandate_id']}").status_code == 404
    with signed_in(stack, "supervisor", DEMO_PASSWORD) as (client, _, bearer):
        assert elsewhere.case_no in client.get("/applications").text
        assert elsewhere.mandate_number in client.get("/mandates").text
        assert any(row["case_no"] == elsewhere.case_no for row in client.get(
            "/api/v1/applications", headers=bearer).json())
