"""Intake (申请受理前): validate an application and store it in one transaction.

The web form and the JSON API both use ``StandardLandApplicationInput``: the same rules, the same
Chinese messages, each naming its field. ``submit_application`` writes the enterprise update, the
project, the application, its planned steps with deadlines and the audit event — all or nothing —
and returns the existing application when the same idempotency key is posted again. Handing the
stored application to Prefect is ``services.cases.handoff``'s (the same for every process).
"""

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.agency import service as agency
from services.calendar.schedules import work_calendar
from services.cases.processes import get_definition
from services.cases.steps import finish_step, plan_steps, schedule_deadlines
from services.core import audit, clock, industry, numbering, text, uscc
from services.core.errors import DomainError
from services.core.formatting import mu_of_m2
from services.core.ids import Id
from services.core.units import m2_to_mu
from services.models import Application, Enterprise, Parcel, ParcelIndicator, Project, Role, StepStatus, User
from services.standard_land import per_mu

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")

FIELD_LABELS = {
    "enterprise_name": "企业名称", "uscc": "统一社会信用代码", "legal_representative": "法定代表人",
    "contact_name": "联系人", "contact_phone": "联系电话", "project_name": "项目名称",
    "industry_code": "行业代码", "total_investment_wan": "总投资", "land_area_mu": "用地面积",
    "parcel_id": "意向地块", "expected_annual_output_wan": "预计年产值", "expected_annual_tax_wan": "预计年税收",
    "annual_energy_tce": "年综合能源消费量", "annual_electricity_kwh": "年电力消费量",
    "planned_start_on": "计划开工日期", "planned_completion_on": "计划竣工日期",
    "planned_production_on": "计划投产日期", "planned_indicators": "控制指标计划值",
}

Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
IndicatorCode = Annotated[str, Field(max_length=32)]  # parcel_indicator.code


PROCESS_KEY = "standard_land"


class IntakeError(DomainError):
    """Business-rule failures, each with a Chinese message for its form field (the first is ``field``)."""

    def __init__(self, field: str, message: str, more: dict[str, str] | None = None, status: int | None = None):
        super().__init__(message, field=field, errors={field: message} | (more or {}), status=status)


class StandardLandApplicationInput(BaseModel):
    """标准地预评估申请: enterprise data and project data."""

    model_config = ConfigDict(str_strip_whitespace=True, json_schema_extra={"examples": [{
        "enterprise_name": "东莞松湖智造科技有限公司", "uscc": "91441900MA4UJ2K317",
        "legal_representative": "陈立新", "contact_name": "林晓", "contact_phone": "13800138000",
        "project_name": "智能传感器生产基地项目", "industry_code": "3983", "total_investment_wan": "36000",
        "land_area_mu": "45", "parcel_id": 1, "expected_annual_output_wan": "60000",
        "expected_annual_tax_wan": "2400", "annual_energy_tce": "800", "annual_electricity_kwh": "4000000",
        "planned_start_on": "2027-03-01", "planned_completion_on": "2028-06-30", "planned_production_on": "2028-09-30",
        "planned_indicators": {"investment_intensity": "800", "floor_area_ratio": "2.0"}}]})

    enterprise_name: text.Text(128)
    uscc: uscc.Checked
    legal_representative: text.Text(64)
    contact_name: text.Text(64)
    contact_phone: Annotated[str, Field(max_length=32)]
    project_name: text.Text(128)
    industry_code: Annotated[str, Field(max_length=16)]
    total_investment_wan: Annotated[Money, Field(gt=0)]
    land_area_mu: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=4)]
    parcel_id: Id
    expected_annual_output_wan: Annotated[Money, Field(ge=0)]
    expected_annual_tax_wan: Annotated[Money, Field(ge=0)]
    annual_energy_tce: Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2)]
    annual_electricity_kwh: Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=0)]
    planned_start_on: date
    planned_completion_on: date
    planned_production_on: date
    planned_indicators: dict[IndicatorCode, Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=4)]] = Field(
        default_factory=dict, description=(
            "planned value per indicator code of the chosen parcel (计划指标值). investment_intensity, output_per_mu "
            "and tax_per_mu are total ÷ land_area_mu: left out, they are derived (2 decimals); given, they must "
            "agree within the larger of 0.5 and 1 % (else 422 on planned_indicators.<code>)"))

    @field_validator("contact_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        value = value.replace(" ", "")
        if not PHONE.match(value):
            raise ValueError("请填写11位手机号码或带区号的固定电话，如0769-22830000")
        return value

    @field_validator("industry_code")
    @classmethod
    def _industry(cls, value: str) -> str:
        error = industry.check_class_code(value)
        if error:
            raise ValueError(error)
        return value.strip()


#: the same fields, each optional: what is left of a submission once the fields that failed are left out
_PartialInput = create_model(  # type: ignore[call-overload]
    "_PartialInput", __base__=StandardLandApplicationInput,
    **{name: (Optional[field.rebuild_annotation()], None)  # noqa: UP045 (a runtime type, not an annotation)
       for name, field in StandardLandApplicationInput.model_fields.items()})


def submit_application(
    session: Session, user: User, data: StandardLandApplicationInput, idempotency_key: str
) -> tuple[Application, bool]:
    """Create the application (or return the one already made with this key); True when new."""
    check_idempotency_key(idempotency_key)
    existing = _by_key(session, user, idempotency_key)
    if existing:
        return existing, False
    enterprise, parcel, errors = _checked(session, user, data)
    if errors:
        field, message = next(iter(errors.items()))
        raise IntakeError(field, message, errors)
    assert enterprise is not None and parcel is not None  # a whole input: both are found when nothing is wrong
    data = with_derived_per_mu(session, parcel, data)
    try:
        with session.begin_nested():
            application = _create(session, user, data, enterprise, parcel, idempotency_key)
    except IntegrityError:
        existing = _by_key(session, user, idempotency_key)
        if existing is None:
            raise
        return existing, False
    return application, True


def check_idempotency_key(key: str) -> None:
    """A key longer than its column (or with invisible characters) is refused before it is looked up."""
    try:
        text.check_key(key)
    except text.TextError as error:
        raise IntakeError("idempotency_key", error.message) from None


def _by_key(session: Session, user: User, key: str) -> Application | None:
    stmt = select(Application).where(Application.created_by_id == user.id, Application.idempotency_key == key)
    return session.exec(stmt).first()


def rule_errors(session: Session, user: User, data: StandardLandApplicationInput) -> dict[str, str]:
    """Every business-rule problem at once (one message per field), so a person fixes them in one go.

    ``data`` may be ``valid_part`` of a submission whose other fields failed: a rule whose inputs are
    missing is skipped. Who may not apply at all is refused at once (``IntakeError``, 403)."""
    return _checked(session, user, data)[2]


def valid_part(raw: dict[str, Any]) -> StandardLandApplicationInput:
    """The fields of a submission that pass field validation (the others left out as None), so that the
    cross-field rules are checked, and reported, together with the field errors."""
    kept = dict(raw)
    for _ in range(len(raw) + 1):
        try:
            return _PartialInput.model_validate(kept)
        except ValidationError as error:
            for item in error.errors():
                _drop(kept, item["loc"])
    return _PartialInput.model_validate({})


def _drop(values: dict[str, Any], loc: tuple) -> None:
    """Leave out what failed: one planned indicator, or the whole field."""
    indicators = values.get("planned_indicators")
    if loc[:1] == ("planned_indicators",) and len(loc) > 1 and isinstance(indicators, dict):
        values["planned_indicators"] = {k: v for k, v in indicators.items() if k != loc[1]}
    elif loc:
        values.pop(str(loc[0]), None)


def _checked(session: Session, user: User, data: StandardLandApplicationInput
             ) -> tuple[Enterprise | None, Parcel | None, dict[str, str]]:
    """The applicant, the parcel and every rule broken, in the form's order."""
    enterprise, errors = _applicant(session, user, data)
    parcel = session.get(Parcel, data.parcel_id) if data.parcel_id is not None else None
    if data.parcel_id is not None and parcel is None:
        errors["parcel_id"] = "所选地块不存在，请重新选择"
    if parcel is not None:
        errors.update(_parcel_errors(parcel, data))
    errors.update(_date_errors(data))
    if parcel is not None:
        errors.update(_indicator_errors(session, parcel, data))
    return enterprise, parcel, errors


def _parcel_errors(parcel: Parcel, data: StandardLandApplicationInput) -> dict[str, str]:
    """What the chosen parcel (地块) decides: still available, large enough, the industries it admits."""
    errors: dict[str, str] = {}
    if parcel.status != "available":
        state = {"planned": "尚未挂牌供应", "reserved": "已预留", "sold": "已出让"}.get(parcel.status, "不在供应中")
        errors["parcel_id"] = f"地块{parcel.number}{state}，当前不可申请"
    parcel_mu = m2_to_mu(parcel.area_m2)
    if data.land_area_mu is not None and data.land_area_mu > parcel_mu:
        # the parcel's figure as the form and the catalogue print it (rounded down, so it is itself accepted)
        errors["land_area_mu"] = f"用地面积不得超过所选地块面积{mu_of_m2(parcel.area_m2)}亩"
    allowed = parcel.allowed_industry_codes
    if data.industry_code and allowed and not any(data.industry_code.startswith(prefix) for prefix in allowed):
        errors["industry_code"] = (f"地块{parcel.number}只准入以下行业（国民经济行业分类代码开头）："
                                   + "、".join(allowed))
    return errors


def _date_errors(data: StandardLandApplicationInput) -> dict[str, str]:
    """开工 → 竣工 → 投产, each checked against the one before it whenever both are valid dates."""
    errors: dict[str, str] = {}
    if data.planned_start_on is not None and data.planned_start_on < clock.today():
        errors["planned_start_on"] = "计划开工日期不能早于今天"
    if None not in (data.planned_start_on, data.planned_completion_on) \
            and data.planned_completion_on < data.planned_start_on:
        errors["planned_completion_on"] = "计划竣工日期不能早于计划开工日期"
    if None not in (data.planned_completion_on, data.planned_production_on) \
            and data.planned_production_on < data.planned_completion_on:
        errors["planned_production_on"] = "计划投产日期不能早于计划竣工日期"
    return errors


def _applicant(session: Session, user: User, data: StandardLandApplicationInput) -> tuple[Enterprise | None,
                                                                                          dict[str, str]]:
    """The enterprise's own clerk, or an agent holding its mandate for this project's 标准地 item."""
    if user.role == Role.agent:
        if data.uscc is None or data.project_name is None:
            return None, {}  # the field errors say what to fix first
        enterprise = session.exec(select(Enterprise).where(Enterprise.uscc == data.uscc)).first()
        if enterprise is None or agency.mandate_for_new_case(session, user, enterprise.id, data.project_name,
                                                             PROCESS_KEY) is None:
            raise IntakeError("uscc", "代办专员须持有该企业此项目（含标准地预评估事项）的有效代办委托，才能代为提交",
                              status=403)
        return enterprise, {}
    if user.role != Role.enterprise or not user.enterprise_id:
        raise IntakeError("uscc", "只有企业账户或受托的代办专员可以提交申请", status=403)
    enterprise = session.get_one(Enterprise, user.enterprise_id)
    if data.uscc is not None and enterprise.uscc != data.uscc:
        return enterprise, {"uscc": f"统一社会信用代码与本账户所属企业（{enterprise.uscc}）不一致"}
    return enterprise, {}


def _indicator_errors(session: Session, parcel: Parcel, data: StandardLandApplicationInput) -> dict[str, str]:
    """Every indicator of the parcel needs a planned value, nothing else may be sent, and a per-亩 value
    (投资强度, 亩均产值, 亩均税收) must agree with its total ÷ 用地面积 (``per_mu``). A per-亩 value left out
    is derived from the totals; when a total or the area failed its own check, only that field is reported."""
    planned = data.planned_indicators or {}
    indicators = _parcel_indicators(session, parcel)
    codes = {i.code for i in indicators}
    errors = {f"planned_indicators.{i.code}": f"请填写{i.name_zh}的计划值{with_unit(i.unit)}"
              for i in indicators if i.code not in planned and i.code not in per_mu.BY_CODE}
    errors |= {f"planned_indicators.{code}": f"地块{parcel.number}没有控制指标“{code}”" for code in planned
               if code not in codes}
    area = data.land_area_mu
    for indicator in indicators:
        spec = per_mu.BY_CODE.get(indicator.code)
        value = planned.get(indicator.code)
        total = getattr(data, spec.total_field) if spec else None
        if spec is None or value is None or total is None or area is None or area <= 0:
            continue
        message = per_mu.disagreement(spec.code, value, total, area, indicator.name_zh, indicator.unit)
        if message:
            errors[f"planned_indicators.{indicator.code}"] = message
    return errors


def _parcel_indicators(session: Session, parcel: Parcel) -> list[ParcelIndicator]:
    return list(session.exec(select(ParcelIndicator).where(ParcelIndicator.parcel_id == parcel.id)).all())


def with_derived_per_mu(session: Session, parcel: Parcel,
                        data: StandardLandApplicationInput) -> StandardLandApplicationInput:
    """The input with each per-亩 indicator of the parcel that was left out set to total ÷ 用地面积."""
    codes = {i.code for i in _parcel_indicators(session, parcel)}
    totals = {p.total_field: getattr(data, p.total_field) for p in per_mu.PER_MU}
    derived = {code: value for code, value in per_mu.derivable(totals, data.land_area_mu).items()
               if code in codes and code not in data.planned_indicators}
    if not derived:
        return data
    return data.model_copy(update={"planned_indicators": data.planned_indicators | derived})


def with_unit(unit: str | None) -> str:
    """（万元/亩） after a value's name, or nothing for a pure number (容积率): never empty brackets."""
    return f"（{unit}）" if unit else ""


def _create(session: Session, user: User, data: StandardLandApplicationInput, enterprise: Enterprise,
            parcel: Parcel, idempotency_key: str) -> Application:
    now = clock.now()
    definition = get_definition(PROCESS_KEY)
    project = Project(
        enterprise_id=enterprise.id, name=data.project_name, industry_code=data.industry_code,
        total_investment_wan=data.total_investment_wan, land_area_mu=data.land_area_mu, parcel_id=parcel.id,
        expected_annual_output_wan=data.expected_annual_output_wan,
        expected_annual_tax_wan=data.expected_annual_tax_wan, created_at=now,
        planned_indicators={code: f"{value:f}" for code, value in data.planned_indicators.items()},
        annual_energy_tce=data.annual_energy_tce, annual_electricity_kwh=data.annual_electricity_kwh,
        planned_start_on=data.planned_start_on, planned_completion_on=data.planned_completion_on,
        planned_production_on=data.planned_production_on)
    session.add(project)
    session.flush()
    application = Application(
        case_no=numbering.provisional_case_number(), process_key=definition.key,
        process_version=definition.version, title=definition.document_title, enterprise_id=enterprise.id,
        project_id=project.id, submitted_at=now, created_by_id=user.id, idempotency_key=idempotency_key,
        form_data=data.model_dump(mode="json"))
    session.add(application)
    session.flush()
    plan_steps(session, application, definition)
    agency.link_project(session, application)
    finish_step(session, application.id, "submission", status=StepStatus.completed,
                outcome={"by": user.username}, actor_label=user.username)
    schedule_deadlines(session, application, work_calendar(session))
    # last, so that the rows other submissions wait for are locked only from here to the commit
    _update_contact(session, enterprise, data, now)
    application.case_no = numbering.case_number(session, now.year)
    audit.record(session, "application.submitted", actor=user, entity="application", entity_id=application.id,
                 application_id=application.id, on_behalf_of_enterprise_id=enterprise.id,
                 detail={"case_no": application.case_no, "process": f"{definition.key}@{definition.version}"})
    return application


def _update_contact(session: Session, enterprise: Enterprise, data: StandardLandApplicationInput,
                    now: datetime) -> None:
    """The enterprise's name and contact as this application gives them; the row is written only when one
    differs (most submissions repeat them, and an update locks the row until commit)."""
    given = {"name": data.enterprise_name, "legal_representative": data.legal_representative,
             "contact_name": data.contact_name, "contact_phone": data.contact_phone}
    if any(getattr(enterprise, field) != value for field, value in given.items()):
        for field, value in given.items():
            setattr(enterprise, field, value)
        enterprise.updated_at = now
        session.add(enterprise)
