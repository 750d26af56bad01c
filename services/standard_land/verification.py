"""对标验收 / 达产复核: staff record actual values later, the system compares them with the commitment.

The indicators and committed values come from the stored evaluation (what the enterprise committed
to), not from today's catalogue, and the liability terms are copied into the record's inputs: the
verification report can be printed again from the record alone.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.cases.case_context import common_context, parcel_view
from services.core import audit, clock, text
from services.core.access import Action, Resource, allowed
from services.core.errors import DomainError
from services.core.ids import stored_id
from services.documents import issue as documents
from services.models import (
    Application,
    ApplicationStatus,
    Parcel,
    Project,
    User,
    VerificationRecord,
)
from services.standard_land import compliance, rules
from services.standard_land.service import evaluation_of

CHECKPOINTS = {"completion": "对标验收（竣工时）", "ramp_up_end": "达产复核（投产初始运行期满）",
               "annual": "年度核验（达产后每年度）"}


class VerificationError(DomainError):
    """A verification that cannot be recorded, with a Chinese message for the named form field."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


class VerificationInput(BaseModel):
    """Actual values measured at one checkpoint, with the evidence they come from."""

    model_config = ConfigDict(str_strip_whitespace=True)
    checkpoint: Literal["completion", "ramp_up_end", "annual"]
    measured_on: date
    actual: dict[Annotated[str, Field(max_length=32)], Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=4)]]
    evidence: list[Annotated[str, text.Checked(200)]] = Field(min_length=1, max_length=20)


def checked_indicators(session: Session, application_id: int, checkpoint: str) -> list[dict[str, Any]]:
    """The committed indicators measured at this checkpoint (as stored in the evaluation)."""
    evaluation = evaluation_of(session, application_id)
    if evaluation is None:
        return []
    wanted = {m.value for m in rules.CHECKPOINT_MEASURED_AT[checkpoint]}
    return [i for i in evaluation.result["indicators"] if i["measured_at"] in wanted]


def may_verify(user: User) -> bool:
    return allowed(user, Resource.application, Action.verify)


def record_verification(session: Session, user: User, application_id: int, data: VerificationInput,
                        idempotency_key: str) -> VerificationRecord:
    """Compare, store and issue the 对标核验报告 once per idempotency key (a re-post returns the same)."""
    try:
        text.check_key(idempotency_key)
    except text.TextError as error:
        raise VerificationError("idempotency_key", error.message) from None
    existing = session.exec(select(VerificationRecord).where(
        VerificationRecord.recorded_by_id == user.id, VerificationRecord.idempotency_key == idempotency_key)).first()
    if existing:
        return existing
    if not may_verify(user):
        raise VerificationError("checkpoint", "只有园区管委会（监管方）工作人员可以录入核验结果")
    application = session.get_one(Application, application_id)
    if application.status != ApplicationStatus.approved:
        raise VerificationError("checkpoint", "该申请尚未通过预评估，没有可核验的承诺")
    if data.measured_on > clock.today():
        raise VerificationError("measured_on", "核验日期不能晚于今天")
    indicators = checked_indicators(session, application_id, data.checkpoint)
    missing = [i for i in indicators if i["code"] not in data.actual]
    if missing:
        raise VerificationError(f"actual.{missing[0]['code']}", f"请填写{missing[0]['name_zh']}的实际值")
    project = session.get_one(Project, application.project_id)
    parcel = session.get_one(Parcel, project.parcel_id)
    liability = rules.Liability.from_row(parcel)
    specs = [rules.IndicatorSpec(code=i["code"], name_zh=i["name_zh"], unit=i["unit"], comparator=i["comparator"],
                                 threshold=Decimal(i["threshold"]),
                                 threshold_high=Decimal(i["threshold_high"]) if i["threshold_high"] else None,
                                 measured_at=i["measured_at"]) for i in indicators]
    committed = {i["code"]: Decimal(i["planned"]) for i in indicators}
    actual = {i["code"]: data.actual[i["code"]] for i in indicators}
    result = rules.verify(specs, committed, actual, data.checkpoint, data.measured_on, liability).to_dict()
    inputs = {"checkpoint": data.checkpoint, "measured_on": data.measured_on.isoformat(),
              "actual": {k: f"{v:f}" for k, v in actual.items()},
              "committed": {k: f"{v:f}" for k, v in committed.items()}, "evidence": data.evidence,
              "liability": {"land_price_wan": _str(liability.land_price_wan),
                            "damages_rate": f"{liability.damages_rate:f}",
                            "rectification_months": liability.rectification_months,
                            "credit_record": liability.credit_record}}
    record = VerificationRecord(application_id=application_id, checkpoint=data.checkpoint,
                                measured_on=data.measured_on, inputs=inputs, result=result,
                                recorded_by_id=stored_id(user), recorded_at=clock.now(),
                                idempotency_key=idempotency_key)
    try:
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        return session.exec(select(VerificationRecord).where(
            VerificationRecord.recorded_by_id == user.id,
            VerificationRecord.idempotency_key == idempotency_key)).one()
    compliance.carry_out(session, record)  # the scheduled check is done; a shortfall schedules its 整改复核
    document = documents.issue(
        session, application, kind="verification_report", step_key="verification",
        issue_key=f"verification-{record.id}",
        build_context=lambda number, issued_at: verification_context(session, application, record, number, issued_at))
    record.document_id = document.id
    session.add(record)
    audit.record(session, "verification.recorded", actor=user, entity="verification_record",
                 entity_id=stored_id(record), application_id=application_id,
                 detail={"checkpoint": data.checkpoint, "all_met": result["all_met"], "document": document.number})
    return record


def _str(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def verification_context(session: Session, application: Application, record: VerificationRecord, number: str,
                         issued_at: datetime) -> dict[str, Any]:
    project = session.get_one(Project, application.project_id)
    return common_context(session, application, number, issued_at) | {
        "checkpoint": record.checkpoint, "measured_on": record.measured_on,
        "recorded_by": session.get_one(User, record.recorded_by_id).display_name,
        "evidence": list(record.inputs["evidence"]),
        "parcel": parcel_view(session, session.get_one(Parcel, project.parcel_id)),
        "verification": record.result,
    }
