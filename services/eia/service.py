"""环评 (EIA) applications: classification at intake, the route, decisions and the post-approval check.

The enterprise answers the classification wizard for one of its projects; ``classify`` runs the
catalogue rules (``services.eia.rules``) and the commitment-route eligibility
(``services.eia.eligibility``, plan EIA taken from the regional assessments of the project's
parcel). The level and the chosen route pick the process definition:

=====================  ====================  ===========================================
level                  route                 process
=====================  ====================  ===========================================
report_form / _book    commitment (eligible)  eia_commitment: 承诺书 → 审查 → 当日审批决定 → 核查
report_form / _book    normal                eia_normal(_book): 公示 (calendar timer) → 审查 → 决定
registration           —                     eia_filing: 备案回执 at once
not_managed            —                     eia_not_managed: 不纳入环评管理告知书
=====================  ====================  ===========================================

The classification, the eligibility and the versions of both configurations are stored with the
application (an ``Evaluation``), so the documents print what was decided then.
"""

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.agency import service as agency
from services.calendar.schedules import work_calendar
from services.cases import decisions, human_actions, transitions
from services.cases.case_context import common_context, parcel_view
from services.cases.processes import get_definition
from services.cases.steps import finish_step, get_step, plan_steps, schedule_deadlines, start_step
from services.core import audit, clock, industry, numbering, text, uploads
from services.core.ids import Id
from services.core.settings import get_settings
from services.documents import issue as documents
from services.eia import eligibility as eia_eligibility
from services.eia import exemption as eia_exemption
from services.eia import rules as eia_rules
from services.eia import simplified as eia_simplified
from services.models import (
    ActionKind,
    Application,
    ApplicationStatus,
    Document,
    Enterprise,
    Evaluation,
    Parcel,
    Project,
    Role,
    Step,
    StepAction,
    StepStatus,
    User,
)
from services.standard_land import rules as land_rules
from services.standard_land.intake import IntakeError, check_idempotency_key
from services.standard_land.service import assessments_for

EVALUATION_KIND = "eia_classification"
AUTHORITY = "东莞市生态环境局"
PROCESS_BY_LEVEL = {"registration": "eia_filing", "not_managed": "eia_not_managed"}
Route = Literal["commitment", "normal"]


class EiaApplicationInput(BaseModel):
    """环评申请: which project, what it does (the wizard's facts), and the route chosen."""

    model_config = ConfigDict(str_strip_whitespace=True)
    project_id: Id
    scale: Annotated[text.Text(200, min_length=2), Field(description="建设规模，如年产智能传感器500万件")]
    eia_organisation: text.Text(128, min_length=0) = ""
    facts: eia_rules.EiaFacts
    route: Route | None = None
    commitment_confirmed: StrictBool = False


FIELD_LABELS = {"project_id": "建设项目", "scale": "建设规模", "eia_organisation": "环评文件编制单位",
                "route": "审批方式", "commitment_confirmed": "告知承诺书确认"}


def projects_of(session: Session, user: User) -> list[Project]:
    """The projects an EIA application can be made for (newest first): the enterprise's own, or for an
    agent the projects of the mandates assigned to them."""
    if user.role == Role.agent:
        mandates = agency.agent_mandates(session, user)
        stmt = select(Project).where(Project.enterprise_id.in_({m.enterprise_id for m in mandates}))
        return [p for p in session.exec(stmt.order_by(Project.id.desc()))
                if any(m.project_id == p.id or m.project_name == p.name for m in mandates)]
    if not user.enterprise_id:
        return []
    stmt = select(Project).where(Project.enterprise_id == user.enterprise_id).order_by(Project.id.desc())
    return list(session.exec(stmt))


def has_plan_eia(session: Session, parcel: Parcel | None, industry_code: str, on: date) -> tuple[bool, str]:
    """Is a valid 规划环评 in force for the parcel and the industry? With the reason, for the trail."""
    if parcel is None:
        return False, "项目未落在已登记的地块上，无法确认园区规划环评"
    for spec in assessments_for(session, parcel):
        if spec.kind == "plan_eia":
            reuse = land_rules.assessment_reuse(spec, parcel.id, industry_code, on)
            if reuse.reusable:
                return True, f"{spec.name}（{spec.code}）：" + "；".join(reuse.reasons)
    return False, f"地块{parcel.number}没有有效且覆盖本行业的规划环评"


def classify(session: Session, project: Project, facts: eia_rules.EiaFacts) -> dict[str, Any]:
    """Classification + exemption + eligibility + simplified content for the project, JSON-able (what the
    wizard shows and the case stores). Each list's provenance travels with it (``…["list"]``,
    ``eligibility.positive_list``) so pages and documents say whether it is the park's or the example.

    Unanswered questions that could change the level are listed in ``classification.questions_unanswered``
    (the wizard shows them; ``submit`` refuses until they are answered)."""
    config = eia_eligibility.current_config()
    classification = eia_rules.classify(facts)
    main = next((c.code for c in facts.industry_codes if c.role == "main"), project.industry_code)
    parcel = session.get(Parcel, project.parcel_id) if project.parcel_id else None
    plan_eia, plan_reason = has_plan_eia(session, parcel, main, clock.today())
    eligibility = eia_eligibility.check_commitment_route(classification, facts, plan_eia, config)
    exemption = eia_exemption.check_exemption(
        classification, facts, eia_exemption.load_exemption_list(config.exemption_file or None))
    contents = eia_simplified.load_simplified_list(config.simplified_file or None)
    simplified = eia_simplified.check_simplified(classification.level, plan_eia, plan_reason, contents)
    return {"classification": classification.to_dict() | {"exemption": exemption.to_dict()},
            "eligibility": eligibility.to_dict(), "simplified": simplified,
            "plan_eia": {"done": plan_eia, "reason": plan_reason},
            "versions": {"catalogue": classification.catalogue_version, "eligibility": eligibility.config_version,
                         "exemption": exemption.version, "simplified": simplified["version"]}}


def process_for(level: str, route: Route | None, eligible: bool) -> str:
    """The process definition for a level and route; raises IntakeError when the route is not allowed."""
    if level in PROCESS_BY_LEVEL:
        return PROCESS_BY_LEVEL[level]
    if route is None:
        raise IntakeError("route", "请选择审批方式：告知承诺制或一般程序")
    if route == "commitment" and not eligible:
        raise IntakeError("route", "本项目不符合告知承诺制条件（见上方说明），请选择一般程序")
    if route == "commitment":
        return "eia_commitment"
    return "eia_normal_book" if level == "report_book" else "eia_normal"


class UploadedFile(BaseModel):
    """A file handed in with the application: name, type and content."""

    filename: str
    content_type: str = "application/octet-stream"
    data: bytes


def submit(session: Session, user: User, data: EiaApplicationInput, idempotency_key: str,
           document: UploadedFile | None = None) -> tuple[Application, bool]:
    """Create the EIA application once per idempotency key; classification is recomputed here.

    The normal route needs the 环境影响报告表（书） itself (``document``); it is stored with the case."""
    check_idempotency_key(idempotency_key)
    existing = session.exec(select(Application).where(Application.created_by_id == user.id,
                                                      Application.idempotency_key == idempotency_key)).first()
    if existing:
        return existing, False
    if user.role not in (Role.enterprise, Role.agent) or user.role == Role.enterprise and not user.enterprise_id:
        raise IntakeError("project_id", "只有企业账户或受托的代办专员可以提交环评申请")
    project = session.get(Project, data.project_id)
    if project is None or project not in projects_of(session, user):
        raise IntakeError("project_id", "请选择本企业（或您受托代办）的建设项目")
    decided = classify(session, project, data.facts)
    unanswered = decided["classification"]["questions_unanswered"]
    if unanswered:
        questions = {q.key: q.question for q in eia_rules.questions_for([c.code for c in data.facts.industry_codes])}
        raise IntakeError("facts", "以下问题会影响环评类别，请先回答："
                          + "；".join(questions.get(k, k) for k in unanswered),
                          {f"q_{k}": "请回答此问题" for k in unanswered})
    level, eligible = decided["classification"]["level"], decided["eligibility"]["eligible"]
    process_key = process_for(level, data.route, eligible)
    if user.role == Role.agent and agency.mandate_for_new_case(session, user, project.enterprise_id, project.name,
                                                                process_key) is None:
        raise IntakeError("project_id", "您受托的代办事项不含本项目的环境影响评价，不能代为提交")
    if process_key == "eia_commitment" and not data.commitment_confirmed:
        raise IntakeError("commitment_confirmed", "请阅读并确认《建设项目环境影响评价告知承诺书》")
    if process_key.startswith("eia_normal") and document is None:
        raise IntakeError("document", f"一般程序须上传{decided['classification']['level_zh']}（PDF等电子件）")
    try:
        with session.begin_nested():
            application = _create(session, user, project, data, decided, process_key, idempotency_key)
            if document is not None and process_key.startswith("eia_normal"):
                try:
                    uploads.save_application_file(session, user, application, "eia_document", document.filename,
                                                  document.content_type, document.data)
                except human_actions.ActionError as error:
                    raise IntakeError("document", error.message) from None
    except IntegrityError:
        return session.exec(select(Application).where(Application.created_by_id == user.id,
                                                      Application.idempotency_key == idempotency_key)).one(), False
    return application, True


def _create(session: Session, user: User, project: Project, data: EiaApplicationInput, decided: dict[str, Any],
            process_key: str, idempotency_key: str) -> Application:
    now = clock.now()
    definition = get_definition(process_key)
    application = Application(
        case_no=numbering.provisional_case_number(), process_key=definition.key,
        process_version=definition.version, title=definition.document_title, enterprise_id=project.enterprise_id,
        project_id=project.id, submitted_at=now, created_by_id=user.id, idempotency_key=idempotency_key,
        form_data=data.model_dump(mode="json"))
    session.add(application)
    session.flush()
    session.add(Evaluation(application_id=application.id, kind=EVALUATION_KIND,
                           rules_version=f"{decided['versions']['catalogue']}+{decided['versions']['eligibility']}",
                           evaluated_at=now, inputs=data.model_dump(mode="json"), result=decided))
    plan_steps(session, application, definition)
    agency.link_project(session, application)
    finish_step(session, application.id, "submission", status=StepStatus.completed,
                outcome={"by": user.username, "route": data.route, "level": decided["classification"]["level"]},
                actor_label=user.username)
    schedule_deadlines(session, application, work_calendar(session))
    application.case_no = numbering.case_number(session, now.year)  # last: its counter stays locked until commit
    audit.record(session, "application.submitted", actor=user, entity="application", entity_id=application.id,
                 application_id=application.id, on_behalf_of_enterprise_id=project.enterprise_id,
                 detail={"case_no": application.case_no, "process": f"{definition.key}@{definition.version}",
                         "level": decided["classification"]["level"], "versions": decided["versions"]})
    return application


def evaluation_of(session: Session, application_id: int) -> Evaluation:
    return session.exec(select(Evaluation).where(Evaluation.application_id == application_id,
                                                 Evaluation.kind == EVALUATION_KIND)).one()


def input_error_messages(error: ValidationError) -> dict[str, str]:
    """Pydantic errors of the EIA input → {field: 中文}, naming the field (facts.* from the rules' labels)."""
    messages: dict[str, str] = {}
    for item in error.errors():
        loc = [str(x) for x in item["loc"]]
        field = ".".join(loc) if loc else "__all__"
        label = FIELD_LABELS.get(loc[0], "") if loc else ""
        detail = str((item.get("ctx") or {}).get("error", "")) or item["msg"]
        known = text.message_zh(label, item) if label else None
        messages.setdefault(field, known or (f"{label}：{detail}" if label and item["type"] != "value_error"
                                             else detail))
    return messages


# -- steps the flow calls ------------------------------------------------------------------------

def issue_document(session: Session, application_id: int, step_key: str, kind: str) -> int:
    """Issue one automatic document of the EIA process (idempotent) and close its step."""
    application = session.get(Application, application_id)
    build = CONTEXTS[kind]
    start_step(session, application_id, step_key)
    schedule_deadlines(session, application, work_calendar(session))
    document = documents.issue(session, application, kind=kind, step_key=step_key, issue_key=kind,
                               build_context=lambda number, issued_at: build(session, application, number,
                                                                             issued_at))
    finish_step(session, application_id, step_key, status=StepStatus.completed,
                outcome={"document_id": document.id, "number": document.number})
    schedule_deadlines(session, application, work_calendar(session))
    return document.id


def commitment_letter_missing(session: Session, application_id: int) -> bool:
    """No 环评告知承诺书 on record for the case yet (whether its process needs one is the stages' to say)."""
    return documents.find(session, application_id, "eia_commitment_letter") is None


def issue_commitment_letter(session: Session, application_id: int) -> int:
    """Issue the 环评告知承诺书 the enterprise confirmed, on the acceptance step (once: its issue key)."""
    application = session.get(Application, application_id)
    document = documents.issue(session, application, kind="eia_commitment_letter", step_key="acceptance",
                               issue_key="eia_commitment_letter",
                               build_context=lambda number, issued_at: commitment_letter_context(
                                   session, application, number, issued_at))
    return document.id


def _check(outcome: str):
    def effect(session: Session, application: Application, step: Step, action: StepAction) -> dict[str, Any]:
        document = documents.issue(
            session, application, kind="eia_post_check_record", step_key=step.key, issue_key=f"check-{action.id}",
            build_context=lambda number, issued_at: post_check_context(session, application, action, outcome,
                                                                       number, issued_at))
        action.document_id = document.id
        session.add(action)
        closed = finish_step(session, application.id, step.key, status=StepStatus.completed,
                             outcome={"check": outcome, "action_id": action.id, "document": document.number})
        if outcome == "revoke" and closed:
            transitions.move_application(session, application.id, ApplicationStatus.rejected)
        return {"check": outcome, "document": document.number}
    return effect


CHECK_EFFECTS = {ActionKind.check_pass: _check("pass"), ActionKind.check_rectify: _check("rectify"),
                 ActionKind.check_revoke: _check("revoke")}


def apply_action(session: Session, action_id: int) -> dict[str, Any]:
    action = session.get(StepAction, action_id)
    step = session.get(Step, action.step_id)
    effects = CHECK_EFFECTS if step.key == "post_check" else decisions.DECISION_EFFECTS
    return human_actions.apply_action(session, action_id, effects)


# -- document contexts ----------------------------------------------------------------------------

def _codes(result: dict[str, Any], inputs: dict[str, Any]) -> list[dict[str, str]]:
    return [{"code": c["code"], "name": industry.division_name(c["code"]), "role": c.get("role", "main")}
            for c in inputs["facts"]["industry_codes"]]


def _rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The catalogue rows that applied to the project (in trail order, once each)."""
    rows, seen = [], set()
    for entry in result["classification"]["trail"]:
        no = entry.get("row")
        if entry.get("step") == "row" and entry.get("applies") and no not in seen:
            seen.add(no)
            rows.append({"no": no, "category": entry["category"]})
    return rows


def _site(session: Session, project: Project) -> str:
    parcel = session.get(Parcel, project.parcel_id) if project.parcel_id else None
    if parcel is None:
        return "（未登记地块）"
    view = parcel_view(session, parcel)
    return f"{view['base_name']} {view['number']}（{view['location']}）"


def _basics(session: Session, application: Application) -> tuple[Project, Evaluation]:
    return session.get(Project, application.project_id), evaluation_of(session, application.id)


def commitment_letter_context(session: Session, application: Application, number: str,
                              issued_at: datetime) -> dict[str, Any]:
    project, evaluation = _basics(session, application)
    enterprise = session.get(Enterprise, application.enterprise_id)
    return common_context(session, application, number, issued_at) | {
        "legal_representative": enterprise.legal_representative, "authority": AUTHORITY,
        "site": _site(session, project), "project_code": "",
        "industry_codes": _codes(evaluation.result, evaluation.inputs), "catalogue_rows": _rows(evaluation.result),
        "level_zh": evaluation.result["classification"]["level_zh"],
        "eligibility": [{"explanation_zh": c["explanation_zh"], "met": c["met"]}
                        for c in evaluation.result["eligibility"]["conditions"]],
        "eia_organisation": evaluation.inputs.get("eia_organisation", ""),
        "positive_list_note": positive_list_note(evaluation.result),
    }


def positive_list_note(result: dict[str, Any]) -> str:
    """The positive list's provenance sentence as decided; evaluations stored before it was recorded get the
    current configuration's (the bundled list was then the only one, and illustrative)."""
    recorded = (result.get("eligibility") or {}).get("positive_list")
    if recorded:
        return recorded["note_zh"]
    provenance = eia_eligibility.current_config().provenance
    return provenance.note_zh if provenance else ""


def decision_context(session: Session, application: Application, number: str, issued_at: datetime) -> dict:
    project, evaluation = _basics(session, application)
    commitment = application.process_key == "eia_commitment"
    post_check = get_step(session, application.id, "post_check") if commitment else None
    return common_context(session, application, number, issued_at) | {
        "authority": AUTHORITY, "route": "commitment" if commitment else "normal",
        "level_zh": evaluation.result["classification"]["level_zh"], "site": _site(session, project),
        "scale": evaluation.inputs["scale"], "decided_on": issued_at.date(),
        "conditions": [
            "严格落实环境影响评价文件提出的各项污染防治和生态保护措施，污染物排放须符合国家和地方排放标准。",
            "落实环境保护设施与主体工程同时设计、同时施工、同时投产使用的“三同时”制度。",
            "项目投入生产或使用前，依法申领排污许可证或进行排污登记，并按规定开展竣工环境保护验收。",
        ],
        "post_check_due": _post_check_due(session, post_check, issued_at.date()) if post_check else None,
        "revocation": commitment,
        "positive_list_note": positive_list_note(evaluation.result) if commitment else "",
    }


def _post_check_due(session: Session, step: Step, decided_on: date) -> date:
    """When the post-approval check is due (the step's own rule, counted from the decision day)."""
    if step.due_on and step.due_on >= decided_on:
        return step.due_on
    end = decided_on + timedelta(days=step.sla_working_days)
    calendar = work_calendar(session)
    while not calendar.is_workday(end):
        end += timedelta(days=1)
    return end


def filing_receipt_context(session: Session, application: Application, number: str, issued_at: datetime) -> dict:
    project, evaluation = _basics(session, application)
    return common_context(session, application, number, issued_at) | {
        "authority": AUTHORITY, "site": _site(session, project), "catalogue_rows": _rows(evaluation.result),
        "filed_at": application.submitted_at}


def not_managed_context(session: Session, application: Application, number: str, issued_at: datetime) -> dict:
    project, evaluation = _basics(session, application)
    reasons = [e.get("explanation_zh", "") for e in evaluation.result["classification"]["trail"]]
    return common_context(session, application, number, issued_at) | {
        "authority": AUTHORITY, "site": _site(session, project),
        "industry_codes": _codes(evaluation.result, evaluation.inputs), "reasons": [r for r in reasons if r],
        "catalogue_version": evaluation.result["versions"]["catalogue"]}


def post_check_context(session: Session, application: Application, action: StepAction, outcome: str, number: str,
                       issued_at: datetime) -> dict[str, Any]:
    decided = session.exec(select(Document).where(Document.application_id == application.id,
                                                  Document.kind == "eia_decision")).one()
    checker = session.get(User, action.actor_id)
    deadline = None
    if outcome == "rectify":
        deadline = work_calendar(session).add_working_days(action.acted_at.date(),
                                                            get_settings().supplement_working_days * 3).due
    return common_context(session, application, number, issued_at) | {
        "authority": AUTHORITY, "decision_number": decided.number, "decided_on": decided.issued_at.date(),
        "checker": checker.display_name, "checked_on": action.acted_at.date(), "findings": action.reasons,
        "outcome": outcome, "rectification_deadline": deadline,
        "items": [{"item": i["name"], "result": i["reason"]} for i in action.items]
        or [{"item": "环评文件及承诺事项落实情况", "result": action.reasons}],
    }


CONTEXTS = {"eia_commitment_letter": commitment_letter_context, "eia_decision": decision_context,
            "eia_filing_receipt": filing_receipt_context, "eia_not_managed_statement": not_managed_context}
