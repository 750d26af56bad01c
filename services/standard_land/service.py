"""标准地预评估 after acceptance: evaluation, the department's decision, and the approval documents.

Each function is one idempotent step the flow calls (``flows/standard_land.py``); the rules
themselves are plain functions in ``services.standard_land.rules``. Every evaluation is stored
with the inputs it used, and every document is built from stored rows only, so a report can be
printed again from the data and say the same thing.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from services.calendar.schedules import work_calendar
from services.cases import decisions, human_actions
from services.cases.case_context import common_context, parcel_view
from services.cases.processes import ProcessDefinition, get_definition
from services.cases.steps import finish_step, get_step, schedule_deadlines, start_step
from services.core import clock, industry
from services.core.ids import stored_id
from services.core.settings import get_settings
from services.documents import issue as documents
from services.models import (
    ActionKind,
    Application,
    ApplicationStatus,
    Enterprise,
    Evaluation,
    Parcel,
    ParcelIndicator,
    Project,
    RegionalAssessment,
    RegionalAssessmentParcel,
    Step,
    StepAction,
    StepStatus,
    User,
)
from services.standard_land import rules

EVALUATION_KIND = "standard_land"
REVIEW_STEP = "land_review"


# -- evaluation -----------------------------------------------------------------------------------

def indicators_of(session: Session, parcel_id: int) -> list[ParcelIndicator]:
    stmt = (select(ParcelIndicator).where(ParcelIndicator.parcel_id == parcel_id)
            .order_by(col(ParcelIndicator.sequence), col(ParcelIndicator.id)))
    return list(session.exec(stmt))


def assessments_for(session: Session, parcel: Parcel) -> list[rules.AssessmentSpec]:
    """The regional assessments done for the parcel's base (covering any of its parcels), with scope.

    Assessments of other bases are not listed: only those a reader could expect to apply are, with
    the reason when they do not (expired, parcel out of scope, industry not on the list).
    """
    in_base = select(Parcel.id).where(Parcel.base_id == parcel.base_id)
    relevant = (select(RegionalAssessmentParcel.assessment_id)
                .where(col(RegionalAssessmentParcel.parcel_id).in_(in_base)))
    scope: dict[int, set[int]] = {}
    for link in session.exec(select(RegionalAssessmentParcel).where(
            col(RegionalAssessmentParcel.assessment_id).in_(relevant))):
        scope.setdefault(link.assessment_id, set()).add(link.parcel_id)
    rows = session.exec(select(RegionalAssessment).where(col(RegionalAssessment.id).in_(relevant))
                        .order_by(RegionalAssessment.kind, RegionalAssessment.code))
    return [rules.AssessmentSpec(
        code=a.code, kind=a.kind, name=a.name, authority=a.authority, valid_from=a.valid_from,
        valid_until=a.valid_until, parcel_ids=frozenset(scope.get(stored_id(a), ())),
        allowed_industry_codes=tuple(a.allowed_industry_codes), conditions=a.conditions) for a in rows]


def evaluation_of(session: Session, application_id: int) -> Evaluation | None:
    stmt = select(Evaluation).where(Evaluation.application_id == application_id,
                                    Evaluation.kind == EVALUATION_KIND)
    return session.exec(stmt).first()


def evaluate(session: Session, application_id: int) -> Evaluation:
    """Evaluate the project against its parcel once (控制指标预评估) and close the evaluation step."""
    existing = evaluation_of(session, application_id)
    if existing:
        return existing
    application = session.get_one(Application, application_id)
    project = session.get_one(Project, application.project_id)
    parcel = session.get_one(Parcel, project.parcel_id)
    start_step(session, application_id, "indicator_evaluation")
    inputs = {
        "parcel_id": parcel.id, "parcel_number": parcel.number, "industry_code": project.industry_code,
        "planned": project.planned_indicators, "on_date": clock.today().isoformat(),
        "margin": f"{get_settings().indicator_margin:f}", "annual_energy_tce": _str(project.annual_energy_tce),
        "annual_electricity_kwh": _str(project.annual_electricity_kwh),
        "indicators": [_indicator_snapshot(row) for row in indicators_of(session, stored_id(parcel))],
        "assessments": [_assessment_snapshot(a) for a in assessments_for(session, parcel)],
    }
    result = evaluate_inputs(inputs)
    evaluation = Evaluation(application_id=application_id, kind=EVALUATION_KIND,
                            rules_version=result["rules_version"], evaluated_at=clock.now(), inputs=inputs,
                            result=result)
    session.add(evaluation)
    session.flush()
    finish_step(session, application_id, "indicator_evaluation", status=StepStatus.completed,
                outcome={"evaluation_id": evaluation.id, "proposal": result["proposal"]["result"]})
    schedule_deadlines(session, application, work_calendar(session))
    return evaluation


def evaluate_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """Run the rules on stored inputs only: the stored result can be reproduced from its inputs."""
    specs = [rules.IndicatorSpec(**{**i, "threshold": Decimal(i["threshold"]),
                                    "threshold_high": _decimal(i["threshold_high"])}) for i in inputs["indicators"]]
    assessments = [rules.AssessmentSpec(**{**a, "valid_from": date.fromisoformat(a["valid_from"]),
                                           "valid_until": a["valid_until"] and date.fromisoformat(a["valid_until"]),
                                           "parcel_ids": frozenset(a["parcel_ids"]),
                                           "allowed_industry_codes": tuple(a["allowed_industry_codes"])})
                   for a in inputs["assessments"]]
    return rules.evaluate(
        specs, {code: Decimal(v) for code, v in inputs["planned"].items()}, assessments, inputs["parcel_id"],
        inputs["industry_code"], date.fromisoformat(inputs["on_date"]), _decimal(inputs["annual_energy_tce"]),
        _decimal(inputs["annual_electricity_kwh"]), margin=Decimal(inputs["margin"])).to_dict()


def _indicator_snapshot(row: ParcelIndicator) -> dict[str, Any]:
    return {"code": row.code, "name_zh": row.name_zh, "unit": row.unit, "comparator": row.comparator.value,
            "threshold": f"{row.threshold:f}", "threshold_high": _str(row.threshold_high),
            "measured_at": row.measured_at.value}


def _assessment_snapshot(spec: rules.AssessmentSpec) -> dict[str, Any]:
    return {"code": spec.code, "kind": spec.kind, "name": spec.name, "authority": spec.authority,
            "valid_from": spec.valid_from.isoformat(), "valid_until": spec.valid_until and spec.valid_until.isoformat(),
            "parcel_ids": sorted(spec.parcel_ids), "allowed_industry_codes": list(spec.allowed_industry_codes),
            "conditions": spec.conditions}


def _str(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


# -- the department's decision --------------------------------------------------------------------

def open_review(session: Session, application_id: int, flow_run_id: str) -> Step:
    """Start the 自然资源局 review on the evaluated case (evaluated first if the intake was lost before it) and
    remember which flow run opened it (the step's Prefect link)."""
    evaluate(session, application_id)
    return decisions.open_human_step(session, application_id, REVIEW_STEP, flow_run_id)


def apply_review_action(session: Session, action_id: int) -> dict[str, Any]:
    return human_actions.apply_action(session, action_id, decisions.DECISION_EFFECTS)


def decision_of(session: Session, application_id: int) -> StepAction | None:
    """The approve/reject action that closed the review, once applied."""
    step = get_step(session, application_id, REVIEW_STEP)
    stmt = (select(StepAction).where(StepAction.step_id == step.id, col(StepAction.applied_at).is_not(None),
                                     col(StepAction.kind).in_([ActionKind.approve, ActionKind.reject]))
            .order_by(col(StepAction.sequence).desc()))
    return session.exec(stmt).first()


def review_decision(session: Session, application_id: int) -> str | None:
    """The decision that closed the review (``approve`` / ``reject``), as the review run reports it."""
    return (get_step(session, application_id, REVIEW_STEP).outcome or {}).get("decision")


def approval_steps_due(session: Session, application_id: int) -> list[str]:
    """The steps whose documents are issued now: every approval document once approved, none otherwise."""
    approved = session.get_one(Application, application_id).status == ApplicationStatus.approved
    return [key for key, _kind in APPROVAL_DOCUMENTS] if approved else []


# -- approval documents ----------------------------------------------------------------------------

def approval_documents(definition: ProcessDefinition) -> tuple[tuple[str, str], ...]:
    """``(step key, kind)`` of the documents issued on approval: what the steps after the review issue."""
    review = [step.key for step in definition.steps].index(REVIEW_STEP)
    after = {step.key for step in definition.steps[review + 1:]}
    return tuple((key, kind) for key, kind in definition.issuing_steps() if key in after)


APPROVAL_DOCUMENTS = approval_documents(get_definition("standard_land"))  # the newest version's


def issue_approval_document(session: Session, application_id: int, step_key: str) -> int:
    """Issue the document of one approval step (report, commitment letter, draft agreement) and close it."""
    application = session.get_one(Application, application_id)
    [kind] = get_definition(application.process_key, application.process_version).issued_by(step_key)
    if application.status != ApplicationStatus.approved:
        raise RuntimeError(f"application {application_id} is not approved")
    start_step(session, application_id, step_key)
    build = {"assessment_report": assessment_report_context, "investment_commitment": commitment_context,
             "supervision_agreement": agreement_context}[kind]
    document = documents.issue(session, application, kind=kind, step_key=step_key, issue_key=kind,
                               build_context=lambda number, issued_at: build(session, application, number,
                                                                             issued_at))
    finish_step(session, application_id, step_key, status=StepStatus.completed,
                outcome={"document_id": document.id, "number": document.number})
    schedule_deadlines(session, application, work_calendar(session))
    return stored_id(document)


# -- document contexts (all from stored rows) ------------------------------------------------------

def assessment_report_context(session: Session, application: Application, number: str,
                              issued_at: datetime) -> dict[str, Any]:
    project = session.get_one(Project, application.project_id)
    evaluation = _evaluation_decided_on(session, application)
    decision = decision_of(session, stored_id(application))
    assert decision is not None, "the report is issued after the review's decision"
    reviewer = session.get_one(User, decision.actor_id)
    step = session.get_one(Step, decision.step_id)
    return common_context(session, application, number, issued_at) | {
        "application_title": application.title,
        "parcel": parcel_view(session, session.get_one(Parcel, project.parcel_id)),
        "industry_code": project.industry_code, "industry_name": industry.division_name(project.industry_code),
        "total_investment_wan": f"{project.total_investment_wan:f}", "land_area_mu": f"{project.land_area_mu:f}",
        "evaluation": evaluation.result, "evaluated_at": evaluation.evaluated_at,
        "decision": {"kind": decision.kind.value, "reviewer": reviewer.display_name, "department": step.department,
                     "decided_at": decision.acted_at, "reasons": decision.reasons},
    }


def _evaluation_decided_on(session: Session, application: Application) -> Evaluation:
    """The evaluation the review decided on; the approval documents are issued only after both."""
    evaluation = evaluation_of(session, stored_id(application))
    if evaluation is None:
        raise RuntimeError(f"application {application.id} has no {EVALUATION_KIND} evaluation")
    return evaluation


def _commitment_terms(session: Session, application: Application) -> dict[str, Any]:
    project = session.get_one(Project, application.project_id)
    parcel = session.get_one(Parcel, project.parcel_id)
    enterprise = session.get_one(Enterprise, application.enterprise_id)
    evaluation = _evaluation_decided_on(session, application)
    commitments = [{"name_zh": r["name_zh"], "unit": r["unit"], "committed_text": committed_text(r),
                    "measured_at_zh": r["measured_at_zh"]} for r in evaluation.result["indicators"]]
    return {
        "legal_representative": enterprise.legal_representative, "supervisor": get_settings().supervisor_name,
        "parcel": parcel_view(session, parcel), "industry_code": project.industry_code,
        "industry_name": industry.division_name(project.industry_code),
        "total_investment_wan": f"{project.total_investment_wan:f}", "commitments": commitments,
        "milestones": {"start_on": project.planned_start_on, "completion_on": project.planned_completion_on,
                       "production_on": project.planned_production_on},
        "initial_operating_years": parcel.initial_operating_years,
        "liability": {"rectification_months": parcel.rectification_months, "damages_rate": f"{parcel.damages_rate:f}",
                      "land_price_wan": None if parcel.land_price_wan is None else f"{parcel.land_price_wan:f}",
                      "credit_record": parcel.credit_record},
    }


def committed_text(indicator: dict[str, Any]) -> str:
    """What the enterprise commits to: its planned value for ≥/≤ indicators, the band for 介于."""
    unit = f" {indicator['unit']}" if indicator["unit"] else ""
    if indicator["comparator"] == "between":
        return f"{indicator['threshold']}～{indicator['threshold_high']}{unit}（计划 {indicator['planned']}）"
    symbol = "≥" if indicator["comparator"] == "ge" else "≤"
    return f"{symbol} {indicator['planned']}{unit}"


def commitment_context(session: Session, application: Application, number: str,
                       issued_at: datetime) -> dict[str, Any]:
    return common_context(session, application, number, issued_at) | _commitment_terms(session, application)


def agreement_context(session: Session, application: Application, number: str,
                      issued_at: datetime) -> dict[str, Any]:
    return common_context(session, application, number, issued_at) | _commitment_terms(session, application) | {
        "land_contract_no": "", "project_code": ""}
