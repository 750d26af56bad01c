"""Test data built through the services, as a person or the flow would build it (never by hand-written SQL).

Each factory returns rows in the caller's session and commits nothing: the ``session`` fixture rolls them
back after the test. Tests that need other sessions to see the rows (races) commit them themselves.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlmodel import Session, col, select

from services.cases import acceptance
from services.core import clock
from services.core.ids import stored_id
from services.core.users import create_user, get_by_username
from services.models import (
    Application,
    Attachment,
    Document,
    Enterprise,
    Escalation,
    Parcel,
    Project,
    Role,
    Step,
    User,
)
from services.standard_land import service as standard_land
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from tests.samples import SAMPLE

PASSWORD = "Factory-Password-1"


def demo_user(session: Session, username: str) -> User:
    """One of the demo accounts (``services.demo``): enterprise, agent, reviewer, supervisor …"""
    user = get_by_username(session, username)
    assert user is not None, f"no demo user {username}"
    return user


def user(session: Session, role: Role, *, enterprise_id: int | None = None, department: str | None = None) -> User:
    """A new account with a unique name."""
    return create_user(session, username=f"f-{role.value}-{uuid.uuid4().hex[:8]}", password=PASSWORD,
                       display_name=f"测试{role.value}", role=role, enterprise_id=enterprise_id, department=department)


def other_enterprise_user(session: Session) -> User:
    """An enterprise account of an enterprise other than the demo one.

    No service registers an enterprise on its own (intake reuses the account's; the demo loads one), so the
    enterprise row is added here directly; the account is made by ``create_user``."""
    enterprise = Enterprise(name=f"另一家测试企业{uuid.uuid4().hex[:6]}", uscc=f"TEST{uuid.uuid4().hex[:14]}",
                            legal_representative="王五", contact_name="赵六", contact_phone="13900139000",
                            created_at=clock.now(), updated_at=clock.now())
    session.add(enterprise)
    session.flush()
    return user(session, Role.enterprise, enterprise_id=enterprise.id)


def submitted_case(session: Session, *, project_name: str | None = None, key: str | None = None) -> Application:
    """A 标准地预评估 application submitted by the demo enterprise (steps planned, submission done)."""
    data = dict(SAMPLE, project_name=project_name or f"工厂测试项目{uuid.uuid4().hex[:6]}")
    application, _ = submit_application(session, demo_user(session, "enterprise"),
                                        StandardLandApplicationInput.model_validate(data),
                                        key or f"factory-{uuid.uuid4().hex}")
    return application


def accepted_case(session: Session, **kwargs: str) -> Application:
    """A submitted case whose completeness check passed and which was accepted (受理, clock running)."""
    application = submitted_case(session, **kwargs)
    acceptance.check_completeness(session, application.id)
    acceptance.accept(session, application.id)
    return application


def case_in_review(session: Session, **kwargs: str) -> tuple[Application, Step]:
    """An accepted case evaluated by the rules, its 自然资源局 review open and waiting on the department."""
    application = accepted_case(session, **kwargs)
    standard_land.evaluate(session, application.id)
    step = standard_land.open_review(session, application.id, f"factory-run-{uuid.uuid4()}")
    return application, step


def escalated_case(session: Session, reply_days: int = 3) -> tuple[Application, Escalation]:
    """A case in review whose 自然资源局 step is past its deadline, with the 督办通知 the sweep would have issued
    (written reply due in ``reply_days`` days); marked handed over, so the stack's sweeps start no flow for it."""
    case, step = case_in_review(session, project_name=f"督办回复{uuid.uuid4().hex[:6]}")
    case.dispatched_at, case.dispatch_task_run_id = clock.now(), str(uuid.uuid4())
    step.due_on = clock.today() - timedelta(days=7)
    escalation = Escalation(step_id=stored_id(step), application_id=stored_id(case), level=1,
                            issued_on=clock.today(), reply_due_on=clock.today() + timedelta(days=reply_days),
                            issued_at=clock.now())
    session.add_all([case, step, escalation])
    session.flush()
    return case, escalation


def make_project(session: Session, *, energy_tce: str = "800", name: str | None = None) -> Project:
    """A project of the demo enterprise on a free parcel (one of the last ones: the others are used by
    the 标准地 tests), for a 拿地即开工 case.

    Written directly: no service creates a bare project (projects come from 标准地 intake, which would also
    open a 标准地 case that a running stack then carries on)."""
    enterprise_id = demo_user(session, "enterprise").enterprise_id
    assert enterprise_id is not None, "the demo enterprise account has no enterprise"
    parcel = session.exec(select(Parcel).where(Parcel.status == "available").order_by(col(Parcel.id).desc())).first()
    assert parcel is not None, "no available parcel left"
    project = Project(enterprise_id=enterprise_id, name=name or f"拿地即开工项目-{uuid.uuid4().hex[:6]}",
                      industry_code=(parcel.allowed_industry_codes or ["3983"])[0].ljust(4, "1")[:4],
                      total_investment_wan=Decimal(30000), land_area_mu=Decimal(40), parcel_id=parcel.id,
                      expected_annual_output_wan=Decimal(50000), expected_annual_tax_wan=Decimal(2000),
                      created_at=clock.now(), annual_energy_tce=Decimal(energy_tce),
                      annual_electricity_kwh=Decimal(3_000_000), planned_start_on=clock.today() + timedelta(days=90),
                      planned_completion_on=clock.today() + timedelta(days=540))
    session.add(project)
    session.flush()
    return project


def issued_document(session: Session) -> Document:
    """A real issued document: the 受理通知书 of a newly accepted case (rendered, signed and stored)."""
    application = accepted_case(session)
    return session.exec(select(Document).where(Document.application_id == application.id,
                                               Document.kind == "acceptance_notice")).one()


def demo_parcel_id(number: str) -> int:
    """The id of a demo parcel by its 宗地编号 (ids differ between databases and runs)."""
    from services.core.db import session_scope

    with session_scope() as session:
        return session.exec(select(Parcel.id).where(Parcel.number == number)).one()


def case_awaiting_supplement(session: Session, *, item: str = "营业执照副本",
                             **kwargs: str) -> tuple[Application, Step]:
    """A case in review whose 自然资源局 reviewer asked for one item (一次性告知书 issued, clock stopped)."""
    from services.cases import decisions, human_actions
    from services.models import ActionKind

    application, step = case_in_review(session, **kwargs)
    action = human_actions.record_action(session, demo_user(session, "reviewer"), step, ActionKind.request_supplement,
                                         items=[{"name": item, "reason": "请提供最新版本", "form": ""}])
    human_actions.apply_action(session, action.id, decisions.DECISION_EFFECTS)
    return application, step


def foreign_attachment(session: Session) -> Attachment:
    """A file another enterprise uploaded for a case of its own (rows written directly, as the access matrix
    does: no service files a case for an enterprise other than the account's)."""
    from services.models import ApplicationStatus

    owner = other_enterprise_user(session)
    tag, now = uuid.uuid4().hex[:8], clock.now()
    project = Project(enterprise_id=owner.enterprise_id, name=f"外企项目{tag}", industry_code="3599",
                      total_investment_wan=Decimal(5000), land_area_mu=Decimal(20),
                      expected_annual_output_wan=Decimal(0), expected_annual_tax_wan=Decimal(0), created_at=now)
    session.add(project)
    session.flush()
    case = Application(case_no=f"GCF{tag}", process_key="standard_land", process_version=2, title="外企的申请",
                       enterprise_id=owner.enterprise_id, project_id=stored_id(project),
                       status=ApplicationStatus.approved, submitted_at=now, created_by_id=stored_id(owner),
                       idempotency_key=tag, form_data=dict(SAMPLE))
    session.add(case)
    session.flush()
    attachment = Attachment(application_id=stored_id(case), item_index=0, filename="外企材料.pdf",
                            content_type="application/pdf", size=1, sha256="f" * 64, path="nowhere",
                            uploaded_by_id=stored_id(owner), uploaded_at=now)
    session.add(attachment)
    session.flush()
    return attachment


SCHEME_PDF = b"%PDF-1.4\n% site plan, design scheme\n%%EOF\n"


def design_scheme(session: Session, application_id: int, *, name: str = "总平面图.pdf", data: bytes = SCHEME_PDF):
    """A 设计方案 version uploaded by the demo enterprise for its 拿地即开工 case (the next 第N版)."""
    from services.land_to_start import design_schemes

    application = session.get_one(Application, application_id)
    return design_schemes.upload(session, demo_user(session, "enterprise"), application,
                                 [design_schemes.UploadedFile(name, "application/pdf", data)], [],
                                 uuid.uuid4().hex)[0]
