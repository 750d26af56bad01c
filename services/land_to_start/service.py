"""拿地即开工 (start construction the day the land is acquired): the case from the risk commitment to
the four certificates issued together (DOMAIN §1.3).

The enterprise (or its agent) opens the case for a project on a 标准地 parcel and signs the 风险承诺书
(pre-acquisition risk commitment) with it. Pre-reviews then run in parallel (并联审批) — project filing,
design scheme, and after filing the regional-assessment reuse, EIA and energy review; drawings after the
scheme — each waiting on its own department. The land is listed for a statutory calendar-day period;
the trading centre confirms the deal. If another bidder wins, the case closes: the pre-review results
are withheld (never handed to the winner) and the risk commitment applies. Otherwise contract and
payment are confirmed and the four certificates are issued in one batch.

Everything here is an idempotent step of the case's state in the database: ``plan_work`` says what can
be done now (apply a stored decision, end a listing period, run an automatic step, open a step), the
flow does each item in segments, and a later segment (after a decision, or queued again by the repair)
only does what is left. The department decisions use the shared mechanism of ``services.cases.human_actions``.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Annotated, Any

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.agency import service as agency
from services.calendar.schedules import work_calendar
from services.cases import decisions, human_actions, transitions
from services.cases.case_context import common_context, parcel_view
from services.cases.processes import get_definition
from services.cases.steps import (
    finish_step,
    get_step,
    plan_steps,
    ready_steps,
    schedule_deadlines,
    start_step,
    steps_of,
)
from services.core import audit, clock, numbering, text
from services.core.errors import DomainError
from services.core.ids import Id, stored_id
from services.documents import issue as documents
from services.land_to_start import certificates, design_scheme_decisions
from services.land_to_start.design_scheme_models import DesignScheme
from services.models import (
    ActionKind,
    Application,
    ApplicationStatus,
    Document,
    Enterprise,
    Parcel,
    Project,
    Role,
    Step,
    StepAction,
    StepStatus,
    User,
)
from services.standard_land import rules as land_rules
from services.standard_land.service import assessments_for

PROCESS_KEY = "land_to_start"
PROJECT_CODE = re.compile(r"^\d{2}(0[1-9]|1[0-2])-\d{6}-\d{2}-\d{2}-[0-9A-Z]{6}$")
CLOSED = (ApplicationStatus.rejected, ApplicationStatus.lost, ApplicationStatus.started)
PRE_REVIEWS = ("project_filing", "design_review", "assessment_reuse", "eia", "energy_review", "drawing_review")
CERTIFICATES = tuple(get_definition(PROCESS_KEY).issued_by("certificates"))  # 四证联发, in issuing order
LAND_TERM_YEARS = 50  # 工业用地出让最高年限（《城镇国有土地使用权出让和转让暂行条例》第十二条）
FIELD_LABELS = {"project_id": "建设项目", "project_code": "项目代码", "building_area_m2": "总建筑面积",
                "design_unit": "设计单位", "contractor": "施工单位", "supervisor_unit": "监理单位",
                "contract_price_wan": "施工合同价", "funds_committed": "建设资金落实承诺",
                "risk_signed_by": "风险承诺签署人", "risk_agreed": "风险承诺书确认"}


class LandToStartError(DomainError):
    """A request refused, with a Chinese message for the named form field (and all others found)."""

    def __init__(self, field: str, message: str, errors: dict[str, str] | None = None):
        super().__init__(message, field=field, errors=errors)


# ------------------------------------------------------------------------------------------- intake

class LandToStartInput(BaseModel):
    """The 拿地即开工 application: the project, what the construction permit needs, the risk commitment."""

    project_id: Id
    project_code: str = Field(min_length=1, max_length=24)
    building_area_m2: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    design_unit: Annotated[str, text.Checked(128, min_length=2)]
    contractor: Annotated[str, text.Checked(128, min_length=2)]
    supervisor_unit: Annotated[str, text.Checked(128, min_length=2)]
    contract_price_wan: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    funds_committed: bool = False
    risk_signed_by: Annotated[str, text.Checked(64)]
    risk_agreed: bool = False

    @field_validator("funds_committed")
    @classmethod
    def _funds(cls, value: bool) -> bool:
        if not value:
            raise ValueError("请承诺建设资金已经落实（施工许可条件）")
        return value

    @field_validator("risk_agreed")
    @classmethod
    def _risk(cls, value: bool) -> bool:
        if not value:
            raise ValueError("须阅读并签署风险承诺书后，各部门才能开始预审")
        return value

    @field_validator("project_code")
    @classmethod
    def _code(cls, value: str) -> str:
        value = value.strip().upper()
        if not PROJECT_CODE.match(value):
            raise ValueError("项目代码为24位，格式如2611-441900-04-01-123456（年月-行政区划-部门-类型-6位码）")
        return value


def submit(session: Session, user: User, data: LandToStartInput, idempotency_key: str) -> tuple[Application, bool]:
    """Open the case in one transaction (steps, deadlines, audit); the same key returns the same case."""
    try:
        text.check_key(idempotency_key)
    except text.TextError as error:
        raise LandToStartError("idempotency_key", error.message) from None
    existing = session.exec(select(Application).where(Application.created_by_id == user.id,
                                                      Application.idempotency_key == idempotency_key)).first()
    if existing:
        return existing, False
    project = _check(session, user, data)
    try:
        with session.begin_nested():  # all or nothing, also where the savepoint is the transaction (SQLite)
            application = _create(session, user, project, data, idempotency_key)
    except IntegrityError:
        return session.exec(select(Application).where(Application.created_by_id == user.id,
                                                      Application.idempotency_key == idempotency_key)).one(), False
    return application, True


def projects_for(session: Session, user: User) -> list[Project]:
    """Projects a 拿地即开工 case can be opened for: on a parcel, the enterprise's own or an agent's mandates'."""
    if user.role == Role.agent:
        mandates = agency.agent_mandates(session, user)
        stmt = select(Project).where(col(Project.enterprise_id).in_({m.enterprise_id for m in mandates}))
        candidates = [p for p in session.exec(stmt) if any(m.project_id == p.id or m.project_name == p.name
                                                            for m in mandates)]
    elif user.enterprise_id:
        candidates = list(session.exec(select(Project).where(Project.enterprise_id == user.enterprise_id)))
    else:
        candidates = []
    return sorted((p for p in candidates if p.parcel_id is not None), key=lambda p: -stored_id(p))


def _check(session: Session, user: User, data: LandToStartInput) -> Project:
    if user.role not in (Role.enterprise, Role.agent):
        raise LandToStartError("project_id", "只有企业账户或受托的代办专员可以申请拿地即开工")
    project = session.get(Project, data.project_id)
    errors: dict[str, str] = {}
    if project is None or project not in projects_for(session, user):
        errors["project_id"] = "请选择本企业（或您受托代办）位于标准地地块上的建设项目"
    elif user.role == Role.agent and agency.mandate_for_new_case(session, user, project.enterprise_id, project.name,
                                                                 PROCESS_KEY) is None:
        errors["project_id"] = "您受托的代办事项不含拿地即开工，不能代为申请"
    elif session.exec(select(Application).where(Application.project_id == project.id,
                                                Application.process_key == PROCESS_KEY,
                                                col(Application.status).not_in(CLOSED))).first():
        errors["project_id"] = "该项目已有办理中的拿地即开工申请"
    elif session.get_one(Parcel, project.parcel_id).status != "available":
        errors["project_id"] = "项目地块已出让或已预留，不能再申请拿地即开工"
    if not data.risk_signed_by.strip():
        errors["risk_signed_by"] = "请填写风险承诺书签署人"
    if errors:
        field_name, message = next(iter(errors.items()))
        raise LandToStartError(field_name, message, errors)
    assert project is not None, "a missing project is an error above"
    return project


def _create(session: Session, user: User, project: Project, data: LandToStartInput, key: str) -> Application:
    now = clock.now()
    definition = get_definition(PROCESS_KEY)
    application = Application(
        case_no=numbering.provisional_case_number(), process_key=definition.key,
        process_version=definition.version, title=definition.document_title, enterprise_id=project.enterprise_id,
        project_id=stored_id(project), submitted_at=now, created_by_id=stored_id(user), idempotency_key=key,
        form_data=data.model_dump(mode="json") | {"risk_signed_at": now.isoformat()})
    session.add(application)
    session.flush()
    plan_steps(session, application, definition)
    agency.link_project(session, application)
    finish_step(session, stored_id(application), "submission", status=StepStatus.completed,
                outcome={"by": user.username}, actor_label=user.username)
    schedule_deadlines(session, application, work_calendar(session))
    application.case_no = numbering.case_number(session, now.year)  # last: its counter stays locked until commit
    audit.record(session, "application.submitted", actor=user, entity="application",
                 entity_id=stored_id(application), application_id=application.id,
                 on_behalf_of_enterprise_id=project.enterprise_id,
                 detail={"case_no": application.case_no, "process": f"{definition.key}@{definition.version}",
                         "risk_signed_by": data.risk_signed_by})
    return application


# --------------------------------------------------------------------------------------- planning

@dataclass(frozen=True)
class Work:
    """One thing the case's flow can do now, on one step (shown in Prefect as that step's child run)."""

    kind: str  # apply | period_end | automatic | open
    step_key: str
    action_id: int | None = None


@dataclass
class Plan:
    closed: bool
    items: list[Work] = field(default_factory=list)


def plan_work(session: Session, application_id: int, today: date) -> Plan:
    """What can be done now, in a safe order: stored decisions first, then ended periods, then new steps."""
    application = session.get_one(Application, application_id)
    steps = {s.key: s for s in steps_of(session, application_id)}
    if application.status in CLOSED or application.status == ApplicationStatus.permitted:
        return Plan(closed=True)
    items = []
    for step in steps.values():
        if step.kind == "human" and step.status in (StepStatus.running, StepStatus.suspended):
            pending = human_actions.unapplied(session, stored_id(step))
            if pending:
                items.append(Work("apply", step.key, stored_id(pending)))
        if step.kind == "statutory" and step.status == StepStatus.running and step.due_on and step.due_on < today:
            items.append(Work("period_end", step.key))
    if items:
        return Plan(closed=False, items=items)
    kinds = {d.key: d.kind for d in get_definition(application.process_key, application.process_version).steps}
    return Plan(closed=False, items=[Work("automatic" if kinds[key] == "automatic" else "open", key)
                                     for key in ready_steps(session, application_id)])


def do(session: Session, application_id: int, work: Work, flow_run_id: str) -> dict[str, Any]:
    """Do one planned item; every branch is guarded, so doing it twice changes nothing the second time."""
    if work.kind == "apply":
        assert work.action_id is not None, "an apply item names its action"
        result = human_actions.apply_action(session, work.action_id, EFFECTS)
    elif work.kind == "period_end":
        finish_step(session, application_id, work.step_key, status=StepStatus.completed,
                    outcome={"period_ended_on": clock.today().isoformat()})
        result = {"ended": work.step_key}
    elif work.kind == "automatic":
        result = AUTOMATIC[work.step_key](session, application_id)
    else:
        result = _open(session, application_id, work.step_key, flow_run_id)
    schedule_deadlines(session, session.get_one(Application, application_id), work_calendar(session))
    return result


def _open(session: Session, application_id: int, key: str, flow_run_id: str) -> dict[str, Any]:
    """Start a department or statutory step; some need no department at all (energy below thresholds,
    an EIA already approved in its own case)."""
    application = session.get_one(Application, application_id)
    if key == "energy_review":
        project = session.get_one(Project, application.project_id)
        energy = land_rules.energy_review(project.annual_energy_tce, project.annual_electricity_kwh)
        if not energy.needed:
            finish_step(session, application_id, key, status=StepStatus.cancelled,
                        outcome={"skipped": True, "reason": energy.reason, "level": energy.level_zh})
            return {"skipped": key}
    if key == "eia":
        approved = _approved_eia(session, application)
        if approved:
            finish_step(session, application_id, key, status=StepStatus.completed,
                        outcome={"reused_case": approved.case_no, "decision": "approve",
                                 "reasons": f"沿用环评审批案件{approved.case_no}的审批结论"})
            return {"reused": approved.case_no}
    if get_definition(application.process_key, application.process_version).step(key).kind == "human":
        decisions.open_human_step(session, application_id, key, flow_run_id)
    else:  # a statutory period (挂牌): the timer sweep queues the next segment once it has ended
        start_step(session, application_id, key)
        session.exec(update(Step).where(col(Step.application_id) == application_id, col(Step.key) == key)
                     .values(flow_run_id=flow_run_id).execution_options(synchronize_session=False))
    transitions.move_application(session, application_id, ApplicationStatus.accepted,  # the first step opened
                                 expected=[ApplicationStatus.submitted], values={"accepted_at": clock.now()},
                                 strict=False)
    return {"opened": key}


def _approved_eia(session: Session, application: Application) -> Application | None:
    stmt = select(Application).where(Application.project_id == application.project_id,
                                     col(Application.process_key).startswith("eia_"),
                                     Application.status == ApplicationStatus.approved)
    return session.exec(stmt.order_by(col(Application.id))).first()


# -------------------------------------------------------------------------------------- automatic

def _risk_commitment(session: Session, application_id: int) -> dict[str, Any]:
    application = session.get_one(Application, application_id)
    document = documents.issue(session, application, kind="risk_commitment", step_key="risk_commitment",
                               issue_key="risk_commitment",
                               build_context=lambda number, at: risk_context(session, application, number, at))
    finish_step(session, application_id, "risk_commitment", status=StepStatus.completed,
                outcome={"document": document.number, "signed_by": application.form_data["risk_signed_by"]})
    return {"document": document.number}


def _assessment_reuse(session: Session, application_id: int) -> dict[str, Any]:
    application = session.get_one(Application, application_id)
    project = session.get_one(Project, application.project_id)
    parcel = session.get_one(Parcel, project.parcel_id)
    reuse = [land_rules.assessment_reuse(spec, stored_id(parcel), project.industry_code, clock.today()).to_dict()
             for spec in assessments_for(session, parcel)]
    finish_step(session, application_id, "assessment_reuse", status=StepStatus.completed,
                outcome={"assessments": reuse, "reused": [r["code"] for r in reuse if r["reusable"]]})
    return {"reused": [r["code"] for r in reuse if r["reusable"]]}


def _certificates(session: Session, application_id: int) -> dict[str, Any]:
    """四证联发: the four certificates in one batch — all four or none (one transaction), once each."""
    application = session.get_one(Application, application_id)
    batch = f"{application.case_no}-SZLF"
    issued: dict[str, Document] = {}
    for kind in CERTIFICATES:
        issued[kind] = documents.issue(
            session, application, kind=kind, step_key="certificates", issue_key=f"certificate-{kind}",
            build_context=partial(certificate_context, session, application, kind, batch=batch, issued=issued))
    finish_step(session, application_id, "certificates", status=StepStatus.completed,
                outcome={"batch": batch, "documents": {k: d.number for k, d in issued.items()}})
    start_step(session, application_id, "construction_start")
    transitions.move_application(session, application_id, ApplicationStatus.permitted, strict=False)  # a rerun
    parcel_id = session.get_one(Project, application.project_id).parcel_id
    session.exec(update(Parcel).where(col(Parcel.id) == parcel_id).values(status="sold")
                 .execution_options(synchronize_session=False))
    session.expire_all()
    return {"batch": batch, "documents": [d.number for d in issued.values()]}


AUTOMATIC = {"risk_commitment": _risk_commitment, "assessment_reuse": _assessment_reuse,
             "certificates": _certificates}


# -------------------------------------------------------------------------------------- decisions

def _approve(session: Session, application: Application, step: Step, action: StepAction) -> dict[str, Any]:
    outcome: dict[str, Any] = {"decision": "approve", "action_id": action.id, "reasons": action.reasons}
    if step.key == "deal_confirmation":
        outcome["won"] = True
    scheme = design_scheme_decisions.decided(session, action.id)
    if scheme is not None:  # 设计方案预审: the version approved, as the case page shows it
        outcome["design_scheme"] = {"id": scheme.id, "version": scheme.version, "digest": scheme.digest}
    finish_step(session, stored_id(application), step.key, status=StepStatus.completed, outcome=outcome)
    return {"decision": "approve", "step": step.key}


def _reject(session: Session, application: Application, step: Step, action: StepAction) -> dict[str, Any]:
    """退回: the item is refused and the case ends; for the deal, another bidder won (the case closes
    cleanly: the pre-review results are withheld and the risk commitment applies)."""
    lost, application_id = step.key == "deal_confirmation", stored_id(application)
    if finish_step(session, application_id, step.key, status=StepStatus.completed,  # the claim
                   outcome={"decision": "lost" if lost else "reject", "won": False if lost else None,
                            "action_id": action.id, "reasons": action.reasons}):
        transitions.cancel_open_steps(session, application_id)
        transitions.move_application(session, application_id,
                                     ApplicationStatus.lost if lost else ApplicationStatus.rejected)
    if lost:
        withheld = [s.key for s in steps_of(session, application_id) if s.key in PRE_REVIEWS
                    and s.status == StepStatus.completed]
        audit.record(session, "prereview.withheld", actor=None, actor_label="flow", entity="application",
                     entity_id=application_id, application_id=application_id,
                     on_behalf_of_enterprise_id=application.enterprise_id,
                     detail={"steps": withheld, "reason": "未竞得土地：预审成果不移交其他竞得人，按风险承诺书处理"})
    session.expire_all()
    return {"decision": "lost" if lost else "reject", "step": step.key}


EFFECTS: dict[ActionKind, human_actions.Effect] = {ActionKind.approve: _approve, ActionKind.reject: _reject,
           ActionKind.request_supplement: decisions.request_supplement}


# ------------------------------------------------------------------------------- applicant: 开工

def report_start(session: Session, user: User, application: Application, started_on: date) -> None:
    """The enterprise (or its agent) reports the start of construction once the permits are issued."""
    if not agency.may_act_for(session, user, application):
        raise LandToStartError("started_on", "只有申请企业或受托的代办专员可以报告开工")
    if application.status != ApplicationStatus.permitted:
        raise LandToStartError("started_on", "四证核发后才能报告开工")
    if started_on > clock.today():
        raise LandToStartError("started_on", "开工日期不能晚于今天")
    application_id = stored_id(application)
    certificates = get_step(session, application_id, "certificates")
    assert certificates.finished_at is not None, "a permitted case has its certificates issued"
    if started_on < certificates.finished_at.date():
        raise LandToStartError("started_on", "开工日期不能早于四证核发日期")
    if not finish_step(session, application_id, "construction_start", status=StepStatus.completed,
                       outcome={"started_on": started_on.isoformat(), "by": user.username}, actor_label=user.username):
        raise LandToStartError("started_on", "已报告开工")
    transitions.move_application(session, application_id, ApplicationStatus.started)
    audit.record(session, "construction.started", actor=user, entity="application", entity_id=application_id,
                 application_id=application_id, on_behalf_of_enterprise_id=application.enterprise_id,
                 detail={"started_on": started_on.isoformat()})
    session.expire_all()


def contract_to_permits_days(session: Session, application: Application) -> int | None:
    """Working days from the signed contract to the four certificates (the goal is 0)."""
    contract, certificates = (get_step(session, stored_id(application), k) for k in ("contract", "certificates"))
    if contract.finished_at is None or certificates.finished_at is None \
            or contract.status != StepStatus.completed or certificates.status != StepStatus.completed:
        return None
    return work_calendar(session).working_days_between(contract.finished_at.date(), certificates.finished_at.date())


# -------------------------------------------------------------------------------------- documents

def risk_context(session: Session, application: Application, number: str, issued_at: datetime) -> dict[str, Any]:
    project = session.get_one(Project, application.project_id)
    enterprise = session.get_one(Enterprise, application.enterprise_id)
    listing = get_definition(PROCESS_KEY, application.process_version).step("land_listing")
    return common_context(session, application, number, issued_at) | {
        "legal_representative": enterprise.legal_representative,
        "parcel": parcel_view(session, session.get_one(Parcel, project.parcel_id)),
        "signed_by": application.form_data["risk_signed_by"],
        "signed_at": datetime.fromisoformat(application.form_data["risk_signed_at"]),
        "prereview_items": ["项目赋码备案", "设计方案预审", "施工图预审（含消防、人防）", "环境影响评价",
                            "节能审查（按需）"],
        "listing_text": f"挂牌出让：公告期及挂牌期共{listing.sla_working_days}日（日历日）",
    }


def certificate_context(session: Session, application: Application, kind: str, number: str, issued_at: datetime,
                        batch: str, issued: dict[str, Document]) -> dict[str, Any]:
    """One certificate of the batch; its authority, seal text and 证号 come from the park's certificates data
    (``certificates.load``), the 证号 from the serial of the platform 文号 ``number``."""
    project = session.get_one(Project, application.project_id)
    enterprise = session.get_one(Enterprise, application.enterprise_id)
    parcel = session.get_one(Parcel, project.parcel_id)
    view = parcel_view(session, parcel)
    form = application.form_data
    steps = {s.key: s for s in steps_of(session, stored_id(application))}
    contract_no = f"{application.case_no}-CR"
    data, issued_on = certificates.load(), issued_at.date()
    issuer = data.issuer(kind)
    base = common_context(session, application, number, issued_at) | {
        "legal_representative": enterprise.legal_representative, "parcel": view, "batch_no": batch,
        "certificate_number": data.certificate_number(kind, number, issued_on), "seal_text": issuer.seal_text}
    if kind == "land_title_certificate":
        contract_signed_at = steps["contract"].finished_at
        assert contract_signed_at is not None, "the certificates follow the signed contract"
        signed = contract_signed_at.date()
        registered = certificates.registered_unit_number(form)
        return base | {"right_holder": enterprise.name,
                       "unit_number": registered or data.provisional_unit_number(stored_id(parcel)),
                       "unit_number_provisional": registered is None,
                       "right_type": "国有建设用地使用权", "right_nature": "出让", "land_use": parcel.land_use,
                       "area_m2": view["area_m2"], "term_from": signed,
                       "term_until": signed.replace(year=signed.year + LAND_TERM_YEARS) - timedelta(days=1),
                       "contract_no": contract_no, "registration_body": issuer.authority}
    if kind == "land_use_planning_permit":
        return base | {"project_code": form["project_code"], "land_use": parcel.land_use, "area_m2": view["area_m2"],
                       "planning_conditions": _planning_conditions(session, parcel), "contract_no": contract_no,
                       "issuing_authority": issuer.authority}
    if kind == "construction_planning_permit":
        return base | {"project_code": form["project_code"], "building_area_m2": form["building_area_m2"],
                       **_approved_scheme(session, application, steps["design_review"]),
                       "issuing_authority": issuer.authority}
    return base | {
        "project_code": form["project_code"], "building_area_m2": form["building_area_m2"],
        "contract_price_wan": form.get("contract_price_wan") or "", "contractor": form["contractor"],
        "supervisor_unit": form["supervisor_unit"], "design_unit": form["design_unit"],
        "planned_start": project.planned_start_on or clock.today(),
        "planned_completion": project.planned_completion_on or clock.today(),
        "land_title_number": _certificate_number(issued["land_title_certificate"]),
        "land_planning_number": _certificate_number(issued["land_use_planning_permit"]),
        "construction_planning_number": _certificate_number(issued["construction_planning_permit"]),
        "drawing_review_ref": _opinion(steps["drawing_review"], "施工图预审意见"), "funds_committed": True,
        "issuing_authority": issuer.authority}


def _certificate_number(document: Document) -> str:
    """The 证号 a certificate of the batch printed (its 文号 for one issued before the park's series)."""
    return document.context.get("certificate_number") or document.number


def _opinion(step: Step, what: str, scheme: DesignScheme | None = None) -> str:
    day = step.finished_at.date() if step.finished_at else clock.today()
    cited = f"（{design_scheme_decisions.reference(scheme)}）" if scheme else ""
    reasons = step.outcome.get("reasons") or "同意"
    return f"{step.department}{day.year}年{day.month}月{day.day}日{what}（{reasons}）{cited}"


def _approved_scheme(session: Session, application: Application, step: Step) -> dict[str, Any]:
    """The 建设工程规划许可证's opinion and attachments cite the 设计方案 version the pre-review approved
    (带设计方案出让); a case decided before versions were kept cites the opinion alone."""
    approved = design_scheme_decisions.approved(session, stored_id(application))
    if approved is None:
        return {"scheme_opinion": _opinion(step, "设计方案预审意见"), "attachments": ["经预审的设计方案总平面图"]}
    scheme = approved.scheme
    files = [a.filename for a in design_scheme_decisions.files_of(session, scheme)]
    return {"scheme_opinion": _opinion(step, "设计方案预审意见", scheme),
            "design_scheme": {"version": scheme.version, "approved_on": approved.approved_at.date(),
                              "short_hash": approved.short_hash, "files": files},
            "attachments": [f"经预审的设计方案（第{scheme.version}版）：{name}" for name in files]}


def _planning_conditions(session: Session, parcel: Parcel) -> list[str]:
    from services.standard_land.catalogue import indicator_text
    from services.standard_land.service import indicators_of

    return [f"{i.name_zh}：{indicator_text(i)}" for i in indicators_of(session, stored_id(parcel))] \
        or ["按出让规划条件执行"]


def withheld_notice(session: Session, application: Application) -> str | None:
    """What the case page says after a lost listing."""
    if application.status != ApplicationStatus.lost:
        return None
    return ("本企业未竞得该地块，拿地即开工申请已关闭。各项预审成果仅对本企业有效，不移交其他竞得人；"
            "按《拿地前预审风险承诺书》，前期设计、评估等费用由本企业自行承担。")
