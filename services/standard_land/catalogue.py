"""The 标准地 parcel catalogue (地块目录): parcels with their control indicators, and regional assessments.

Two layers, as in intake: the pydantic inputs (``ParcelInput``, ``AssessmentInput``) check each field
and carry Chinese messages naming it; ``check_parcel`` / ``check_assessment`` add the rules that need
the database (base exists, numbers unique, scope parcels exist, indicator codes unique). ``save_parcel``
and ``save_assessment`` run both, then write one parcel with its whole indicator list (or one assessment
with its whole scope) in the caller's transaction: committed together or, after a ``CatalogueError``,
rolled back together by the caller. (No savepoint: with pysqlite a SAVEPOINT opened before any write
commits on release, which would defeat the caller's rollback.) Every change is audited; an unchanged
save writes nothing.

Parcels are never deleted here: applications (``Project.parcel_id``) may point at them.
Used by the staff pages, the CSV import (``services.standard_land.catalogue_csv``), the JSON API and the demo seed.
This module must not import FastAPI or Prefect.
"""

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from geojson_pydantic import MultiPolygon, Polygon
from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from services.core import audit, clock, industry, text
from services.core.db import id_column
from services.core.errors import DomainError
from services.core.ids import stored_id
from services.core.text import Checked, message_zh
from services.core.units import m2_to_mu, mu_to_m2
from services.models import (
    Comparator,
    IndustrialBase,
    MeasuredAt,
    Parcel,
    ParcelIndicator,
    Project,
    RegionalAssessment,
    RegionalAssessmentParcel,
    User,
)
from services.standard_land import outlines

# --- vocabulary --------------------------------------------------------------------------------

#: The indicators of DOMAIN §2.2 with their usual name, unit, comparator and measuring point.
#: Parcels may use other codes too; these prefill the form and name the demo data.
STANDARD_INDICATORS: dict[str, tuple[str, str, Comparator, MeasuredAt]] = {
    "investment_intensity": ("固定资产投资强度", "万元/亩", Comparator.ge, MeasuredAt.completion),
    "floor_area_ratio": ("容积率", "", Comparator.between, MeasuredAt.completion),
    "building_coefficient": ("建筑系数", "%", Comparator.between, MeasuredAt.completion),
    "office_share": ("行政办公及生活服务设施用地所占比重", "%", Comparator.le, MeasuredAt.completion),
    "green_ratio": ("绿地率", "%", Comparator.le, MeasuredAt.completion),
    "output_per_mu": ("亩均产值", "万元/亩·年", Comparator.ge, MeasuredAt.ramp_up_end),
    "tax_per_mu": ("亩均税收", "万元/亩·年", Comparator.ge, MeasuredAt.ramp_up_end),
    "rd_ratio": ("研发经费支出与主营业务收入之比", "%", Comparator.ge, MeasuredAt.annual),
    "energy_value_added": ("单位能耗增加值", "万元/吨标煤", Comparator.ge, MeasuredAt.ramp_up_end),
    "emission_value_added": ("单位排放增加值", "万元/吨", Comparator.ge, MeasuredAt.ramp_up_end),
}

#: Regional-assessment kinds (DOMAIN §2.3) → Chinese name.
ASSESSMENT_KINDS: dict[str, str] = {
    "plan_eia": "规划环境影响评价", "energy": "区域节能评价", "flood": "防洪影响评价",
    "soil_water": "水土保持方案", "water_resources": "水资源论证", "geology": "地质灾害危险性评估",
    "minerals": "压覆重要矿产资源评估", "seismic": "地震安全性评价", "relics": "文物影响评估",
    "climate": "气候可行性论证", "traffic": "交通影响评价", "lightning": "雷电灾害风险评估",
}

MEASURED_SHORT: dict[str, str] = {"completion": "竣工", "ramp_up_end": "达产", "annual": "年度"}
PARCEL_STATUSES: dict[str, str] = {"planned": "拟供应", "available": "可供应", "reserved": "已预留", "sold": "已出让"}
AREA_UNITS: dict[str, str] = {"m2": "平方米", "mu": "亩"}

PARCEL_LABELS = {
    "id": "地块", "base_code": "所属基地", "number": "宗地编号", "location": "坐落", "area_unit": "面积单位",
    "area": "面积", "land_use": "用地性质", "status": "供应状态", "allowed_industry_codes": "允许行业代码",
    "land_price_wan": "出让起始价", "initial_operating_years": "初始运行期", "rectification_months": "整改期限",
    "damages_rate": "违约金系数", "credit_record": "纳入信用记录", "indicators": "控制指标", "outline": "宗地范围",
}
INDICATOR_LABELS = {
    "code": "指标代码", "name_zh": "指标名称", "unit": "单位", "comparator": "比较方式", "threshold": "阈值",
    "threshold_high": "阈值上限", "measured_at": "考核节点",
}
ASSESSMENT_LABELS = {
    "id": "区域评估", "code": "评估编号", "kind": "评估类型", "name": "评估名称", "authority": "审查部门",
    "valid_from": "生效日期", "valid_until": "失效日期", "allowed_industry_codes": "适用行业",
    "parcel_numbers": "适用宗地", "conditions": "使用条件",
}

_COMPARATORS = {"ge": "ge", "≥": "ge", ">=": "ge", "＞＝": "ge", "不低于": "ge", "le": "le", "≤": "le", "<=": "le",
                "＜＝": "le", "不高于": "le", "between": "between", "介于": "between", "区间": "between"}
_MEASURED_AT = {m.value: m.value for m in MeasuredAt} | {m.label_zh: m.value for m in MeasuredAt} | {
    "竣工": "completion", "竣工验收": "completion", "对标验收": "completion",
    "达产": "ramp_up_end", "达产复核": "ramp_up_end", "投产初始运行期满": "ramp_up_end",
    "年度": "annual", "每年": "annual"}
_AREA_UNITS = {"m2": "m2", "m²": "m2", "㎡": "m2", "平方米": "m2", "mu": "mu", "亩": "mu"}
_YES_NO = {"是": True, "否": False, "true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
_SPLIT = re.compile(r"[;；,，、\s]+")
_NUMBER_TEXT = re.compile(r"^[^\s;；,，、]+$")
_INDICATOR_CODE = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
_INDUSTRY_PREFIX = re.compile(r"^\d{2,4}$")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
MAX_AREA_M2 = Decimal("1e12")


class CatalogueError(DomainError):
    """Rule failures found against the database, keyed like the input fields (``indicators.2.code``)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()), field=next(iter(errors), None), errors=errors)


# --- inputs ------------------------------------------------------------------------------------

def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _number_text(value: Any) -> Any:
    """Spreadsheet numbers: thousands separators and surrounding spaces are dropped."""
    value = _blank_to_none(value)
    return value.replace(",", "").replace(" ", "") if isinstance(value, str) else value


def _industry_codes(value: Any, label: str) -> list[str]:
    items = _SPLIT.split(value.strip()) if isinstance(value, str) else list(value or [])
    codes: list[str] = []
    for item in (str(x).strip() for x in items):
        if not item:
            continue
        if not _INDUSTRY_PREFIX.match(item):
            raise ValueError(f"{label}“{item}”应为2–4位数字（国民经济行业分类的大类、中类或小类代码，如27或3983）")
        if item[:2] not in industry.divisions():
            raise ValueError(f"{label}“{item}”所属行业大类{item[:2]}不在园区受理范围内")
        if item not in codes:
            codes.append(item)
    return codes


def parse_date(value: Any, label: str) -> Any:
    """``2026-03-01``, ``2026/3/1``, ``2026.3.1`` or ``2026年3月1日``; blank is None."""
    value = _blank_to_none(value)
    if not isinstance(value, str):
        return value
    match = _DATE.match(value.strip())
    try:
        if match:
            return date(*map(int, match.groups()))
    except ValueError:
        pass
    raise ValueError(f"{label}“{value.strip()}”不是有效日期，请按2026-03-01的格式填写")


class IndicatorInput(BaseModel):
    """One control indicator. ``comparator`` and ``measured_at`` also accept their Chinese forms."""

    model_config = ConfigDict(str_strip_whitespace=True)

    code: Annotated[str, Checked(32)]
    name_zh: Annotated[str, Checked(64)]
    unit: Annotated[str, Checked(32, min_length=0)] = ""
    comparator: Comparator
    threshold: Annotated[Decimal, Field(max_digits=14, decimal_places=4)]
    threshold_high: Annotated[Decimal | None, Field(max_digits=14, decimal_places=4, validate_default=True)] = None
    measured_at: MeasuredAt

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() and not _INDICATOR_CODE.match(value.strip().lower()):
            raise ValueError("指标代码应为小写英文字母开头，由字母、数字和下划线组成（如tax_per_mu）")
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("comparator", mode="before")
    @classmethod
    def _comparator(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            key = value.strip()
            if key.lower() not in _COMPARATORS and key not in _COMPARATORS:
                raise ValueError("比较方式应为“≥”“≤”或“介于”")
            return _COMPARATORS.get(key.lower(), _COMPARATORS.get(key))
        return _blank_to_none(value)

    @field_validator("measured_at", mode="before")
    @classmethod
    def _measured_at(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            key = value.strip()
            if key not in _MEASURED_AT and key.lower() not in _MEASURED_AT:
                raise ValueError("考核节点应为“竣工”“达产”或“年度”")
            return _MEASURED_AT.get(key, _MEASURED_AT.get(key.lower()))
        return _blank_to_none(value)

    @field_validator("threshold", "threshold_high", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        return _number_text(value)

    @field_validator("threshold_high")
    @classmethod
    def _high(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        comparator, low = info.data.get("comparator"), info.data.get("threshold")
        if comparator is None:
            return value
        if comparator != Comparator.between:
            if value is not None:
                raise ValueError("比较方式为“≥”或“≤”时不填阈值上限")
            return None
        if value is None:
            raise ValueError("比较方式为“介于”时请填写阈值上限")
        if low is not None and value <= low:
            raise ValueError(f"阈值上限应大于阈值（下限）{plain(low)}")
        return value


class ParcelInput(BaseModel):
    """A parcel as entered on the form or in one CSV group; ``id`` set means update that parcel.

    The area is given in 平方米 or 亩 (``area_unit``) and stored in m², converted exactly.
    ``status`` None keeps a parcel's status (``available`` when new).
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    id: int | None = None
    base_code: Annotated[str, Checked(32)]
    number: Annotated[str, Checked(64)]
    location: Annotated[str, Checked(128)]
    area_unit: Literal["m2", "mu"] = "m2"
    area: Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=4)]
    land_use: Annotated[str, Checked(32)] = "工业用地（M1）"
    status: Literal["planned", "available", "reserved", "sold"] | None = None
    allowed_industry_codes: list[str] = Field(default_factory=list)
    land_price_wan: Annotated[Decimal | None, Field(gt=0, max_digits=14, decimal_places=2)] = None
    initial_operating_years: Annotated[int, Field(ge=1, le=10)] = 3
    rectification_months: Annotated[int, Field(ge=1, le=36)] = 6
    damages_rate: Annotated[Decimal, Field(ge=0, le=10, max_digits=6, decimal_places=4)] = Decimal("1")
    credit_record: bool = True
    indicators: Annotated[list[IndicatorInput], Field(min_length=1)]
    outline: Polygon | MultiPolygon | None = Field(
        default=None, description="宗地范围 (GeoJSON Polygon/MultiPolygon, lon/lat); not given keeps the stored one, "
                                  "given empty clears it")

    @field_validator("number", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() and not _NUMBER_TEXT.match(value.strip()):
            raise ValueError("宗地编号不能包含空格、逗号、顿号或分号")
        return value

    @field_validator("area_unit", mode="before")
    @classmethod
    def _unit(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            if value.strip().lower() not in _AREA_UNITS:
                raise ValueError("面积单位应为“平方米”或“亩”")
            return _AREA_UNITS[value.strip().lower()]
        return "m2" if _blank_to_none(value) is None else value

    @field_validator("status", mode="before")
    @classmethod
    def _status(cls, value: Any) -> Any:
        value = _blank_to_none(value)
        by_label = {label: key for key, label in PARCEL_STATUSES.items()}
        return by_label.get(value.strip(), value.strip()) if isinstance(value, str) else value

    @field_validator("area", "land_price_wan", "damages_rate", "initial_operating_years", "rectification_months",
                     mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        return _number_text(value)

    @field_validator("area")
    @classmethod
    def _area(cls, value: Decimal, info: ValidationInfo) -> Decimal:
        unit = info.data.get("area_unit")
        if unit is None:  # the unit itself is wrong: its message says so
            return value
        exponent = value.as_tuple().exponent  # an int: the value is a finite number (NaN and ∞ are refused)
        if unit == "m2" and isinstance(exponent, int) and -exponent > 2:
            raise ValueError("面积以平方米填写时最多保留2位小数")
        if (value if unit == "m2" else mu_to_m2(value)) >= MAX_AREA_M2:
            raise ValueError("面积数值过大，请核对面积和面积单位")
        if unit == "mu" and mu_to_m2(value) <= 0:
            raise ValueError("面积过小，折合不足0.01平方米")
        return value

    @field_validator("allowed_industry_codes", mode="before")
    @classmethod
    def _industries(cls, value: Any) -> list[str]:
        return _industry_codes(value, "允许行业代码")

    @field_validator("outline", mode="before")
    @classmethod
    def _outline(cls, value: Any) -> Any:
        try:
            return outlines.parse_outline(value)
        except outlines.OutlineError as error:
            raise ValueError(str(error)) from None

    @field_validator("credit_record", mode="before")
    @classmethod
    def _yes_no(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.strip().lower() not in _YES_NO:
                raise ValueError("纳入信用记录请填写“是”或“否”")
            return _YES_NO[value.strip().lower()]
        return value

    @property
    def area_m2(self) -> Decimal:
        return self.area.quantize(Decimal("0.01")) if self.area_unit == "m2" else mu_to_m2(self.area)


class AssessmentInput(BaseModel):
    """A regional assessment; its scope is a list of parcel numbers (宗地编号)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    id: int | None = None
    code: Annotated[str, Checked(64)]
    kind: Annotated[str, Field(max_length=32)]
    name: Annotated[str, Checked(128)]
    authority: Annotated[str, Checked(64, min_length=0)] = ""
    valid_from: date
    valid_until: date | None = None
    allowed_industry_codes: list[str] = Field(default_factory=list)
    parcel_numbers: list[Annotated[str, Checked(64)]] = Field(default_factory=list)
    conditions: Annotated[str, Checked(2000, min_length=0, multiline=True)] = ""

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip() and not _NUMBER_TEXT.match(value.strip()):
            raise ValueError("评估编号不能包含空格、逗号、顿号或分号")
        return value

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip():
            key = value.strip()
            by_label = {label: code for code, label in ASSESSMENT_KINDS.items()}
            if key not in ASSESSMENT_KINDS and key not in by_label:
                raise ValueError("评估类型应为以下之一：" + "、".join(ASSESSMENT_KINDS.values()))
            return by_label.get(key, key)
        return _blank_to_none(value)

    @field_validator("valid_from", mode="before")
    @classmethod
    def _from(cls, value: Any) -> Any:
        return parse_date(value, "生效日期")

    @field_validator("valid_until", mode="before")
    @classmethod
    def _until_text(cls, value: Any) -> Any:
        return parse_date(value, "失效日期")

    @field_validator("valid_until")
    @classmethod
    def _until(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("valid_from")
        if value is not None and start is not None and value < start:
            raise ValueError(f"失效日期不能早于生效日期（{start.isoformat()}）")
        return value

    @field_validator("allowed_industry_codes", mode="before")
    @classmethod
    def _industries(cls, value: Any) -> list[str]:
        return _industry_codes(value, "适用行业代码")

    @field_validator("parcel_numbers", mode="before")
    @classmethod
    def _scope(cls, value: Any) -> list[str]:
        items = _SPLIT.split(value.strip()) if isinstance(value, str) else list(value or [])
        return list(dict.fromkeys(str(x).strip() for x in items if str(x).strip()))


def error_messages(error: ValidationError) -> dict[str, str]:
    """One Chinese message per field, naming it; indicator fields are keyed ``indicators.<i>.<field>``."""
    messages: dict[str, str] = {}
    for item in error.errors():
        loc = [str(x) for x in item["loc"]]
        if len(loc) == 2 and loc[1].isdigit():  # one entry of a list field (a parcel number): on the field
            loc = loc[:1]
        key = ".".join(loc) if loc else "__all__"
        last = loc[-1] if loc else ""
        in_indicator = len(loc) >= 3 and loc[0] == "indicators"
        label = (INDICATOR_LABELS if in_indicator else PARCEL_LABELS | ASSESSMENT_LABELS).get(last, last)
        messages.setdefault(key, _message(label, item))
    return messages


def _message(label: str, item: Mapping[str, Any]) -> str:
    kind, ctx = item["type"], item.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", item["msg"]))
    if message := message_zh(label, item):  # invisible characters, lengths
        return message
    if kind in ("missing", "string_too_short"):
        return f"请填写{label}"
    if kind == "too_short":
        return f"请至少填写一项{label}"
    if kind == "string_too_long":
        return f"{label}不能超过{ctx.get('max_length')}个字"
    if kind == "greater_than":
        return f"{label}必须大于{ctx.get('gt')}"
    if kind == "greater_than_equal":
        return f"{label}不能小于{ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"{label}不能大于{ctx.get('le')}"
    if kind in ("decimal_parsing", "decimal_type", "float_parsing", "finite_number"):
        return f"{label}请填写数字"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"{label}请填写整数"
    if kind == "decimal_max_places":
        return f"{label}最多保留{ctx.get('decimal_places')}位小数"
    if kind in ("decimal_max_digits", "decimal_whole_digits"):
        return f"{label}数值过大"
    if kind in ("bool_parsing", "bool_type"):
        return f"{label}请填写“是”或“否”"
    if kind in ("date_parsing", "date_from_datetime_parsing", "date_type"):
        return f"{label}请按2026-03-01的格式填写"
    if kind in ("literal_error", "enum"):
        return f"{label}请从列表中选择"
    return f"{label}填写有误"


# --- read models -------------------------------------------------------------------------------

def plain(value: Decimal | None) -> str:
    """``Decimal("400.0000")`` → ``"400"``; ``Decimal("1.50")`` → ``"1.5"`` (never exponent notation)."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def indicator_text(indicator: ParcelIndicator) -> str:
    """``≥400万元/亩``, ``≤7%``, ``1.2–3.5`` — the threshold as a listing table prints it."""
    unit = indicator.unit or ""
    if indicator.comparator == Comparator.between:
        return f"{plain(indicator.threshold)}–{plain(indicator.threshold_high)}{unit}"
    return f"{Comparator(indicator.comparator).symbol}{plain(indicator.threshold)}{unit}"


@dataclass
class ParcelView:
    parcel: Parcel
    base: IndustrialBase
    indicators: list[ParcelIndicator] = field(default_factory=list)
    application_count: int = 0

    @property
    def area_mu(self) -> Decimal:
        return m2_to_mu(self.parcel.area_m2, places=2)

    @property
    def status_label(self) -> str:
        return PARCEL_STATUSES.get(self.parcel.status, self.parcel.status)


@dataclass
class AssessmentView:
    assessment: RegionalAssessment
    parcel_numbers: list[str]
    today: date

    @property
    def kind_label(self) -> str:
        return ASSESSMENT_KINDS.get(self.assessment.kind, self.assessment.kind)

    @property
    def status(self) -> str:
        """``valid``, ``expired`` (valid_until passed) or ``pending`` (not yet in force)."""
        return assessment_status(self.assessment.valid_from, self.assessment.valid_until, self.today)

    @property
    def status_label(self) -> str:
        return ASSESSMENT_STATUS_LABELS[self.status]


ASSESSMENT_STATUS_LABELS = {"valid": "有效", "expired": "已过期", "pending": "未生效"}


def assessment_status(valid_from: date, valid_until: date | None, today: date) -> str:
    """A regional assessment's (区域评估) state on ``today``: ``pending`` before it takes effect, ``expired`` after
    its last day, else ``valid``; shared by the staff catalogue and the public platform."""
    if valid_from > today:
        return "pending"
    return "expired" if valid_until is not None and valid_until < today else "valid"


BASE_CODE = re.compile(r"[A-Z][A-Z0-9]{1,15}(-[A-Z0-9]{1,15})?")


def add_base(session: Session, actor: User | None, code: str, name: str, district: str = "") -> IndustrialBase:
    """A new industrial base (产业基地), the first thing a park's catalogue needs: parcels belong to one.
    ``CatalogueError`` names each wrong field; a code is used once."""
    errors: dict[str, str] = {}
    code = code.strip().upper()
    if not BASE_CODE.fullmatch(code):
        errors["code"] = "基地编码须为2至32位大写英文字母或数字，可用一个“-”分段，如 EAST-IM"
    elif session.exec(select(IndustrialBase.id).where(IndustrialBase.code == code)).first() is not None:
        errors["code"] = f"基地编码“{code}”已存在"
    try:
        name = text.clean(name, label="基地名称", max_length=64, min_length=2)
    except text.TextError as error:
        errors["name"] = error.message
    try:
        district = text.clean(district, label="所在片区", max_length=64)
    except text.TextError as error:
        errors["district"] = error.message
    if errors:
        raise CatalogueError(errors)
    base = IndustrialBase(code=code, name=name, district=district)
    session.add(base)
    session.flush()
    audit.record(session, "catalogue.base_added", actor=actor, entity="industrial_base", entity_id=stored_id(base),
                 actor_label=None if actor else "command line", detail={"code": code, "name": name})
    return base


def list_bases(session: Session) -> list[IndustrialBase]:
    return list(session.exec(select(IndustrialBase).order_by(col(IndustrialBase.id))).all())


def list_parcels(session: Session) -> list[ParcelView]:
    """Every parcel with its base, indicators (in order) and how many applications point at it."""
    rows = session.exec(select(Parcel, IndustrialBase).join(IndustrialBase, col(Parcel.base_id) == IndustrialBase.id)
                        .order_by(col(IndustrialBase.id), col(Parcel.number))).all()
    indicators: dict[int, list[ParcelIndicator]] = {}
    for ind in session.exec(select(ParcelIndicator).order_by(col(ParcelIndicator.parcel_id),
                                                             col(ParcelIndicator.sequence), col(ParcelIndicator.id))):
        indicators.setdefault(ind.parcel_id, []).append(ind)
    counts = dict(session.exec(select(Project.parcel_id, func.count()).where(col(Project.parcel_id).is_not(None))
                               .group_by(col(Project.parcel_id))).all())
    return [ParcelView(p, b, indicators.get(stored_id(p), []), counts.get(p.id, 0)) for p, b in rows]


def parcels_by_base(session: Session) -> list[tuple[IndustrialBase, list[ParcelView]]]:
    """The catalogue page's grouping: every base (also those without parcels), in order."""
    views = list_parcels(session)
    return [(base, [v for v in views if v.base.id == base.id]) for base in list_bases(session)]


def get_parcel(session: Session, parcel_id: int) -> ParcelView | None:
    parcel = session.get(Parcel, parcel_id)
    if parcel is None:
        return None
    indicators = session.exec(select(ParcelIndicator).where(ParcelIndicator.parcel_id == parcel_id)
                              .order_by(col(ParcelIndicator.sequence), col(ParcelIndicator.id))).all()
    count = session.exec(select(func.count()).select_from(Project).where(Project.parcel_id == parcel_id)).one()
    return ParcelView(parcel, session.get_one(IndustrialBase, parcel.base_id), list(indicators), count)


def list_assessments(session: Session, today: date | None = None) -> list[AssessmentView]:
    today = today or clock.today()
    scope = _scope_numbers(session)
    rows = session.exec(select(RegionalAssessment).order_by(RegionalAssessment.code)).all()
    return [AssessmentView(a, scope.get(stored_id(a), []), today) for a in rows]


def get_assessment(session: Session, assessment_id: int, today: date | None = None) -> AssessmentView | None:
    assessment = session.get(RegionalAssessment, assessment_id)
    if assessment is None:
        return None
    return AssessmentView(assessment, _scope_numbers(session, assessment_id).get(assessment_id, []),
                          today or clock.today())


def _scope_numbers(session: Session, assessment_id: int | None = None) -> dict[int, list[str]]:
    stmt = (select(RegionalAssessmentParcel.assessment_id, Parcel.number)
            .join(Parcel, col(Parcel.id) == RegionalAssessmentParcel.parcel_id).order_by(Parcel.number))
    if assessment_id is not None:
        stmt = stmt.where(RegionalAssessmentParcel.assessment_id == assessment_id)
    scope: dict[int, list[str]] = {}
    for aid, number in session.exec(stmt):
        scope.setdefault(aid, []).append(number)
    return scope


# --- rules that need the database --------------------------------------------------------------

def duplicate_codes(codes: list[str]) -> dict[int, str]:
    """Index → message for each indicator code that repeats an earlier one."""
    first: dict[str, int] = {}
    errors: dict[int, str] = {}
    for i, code in enumerate(codes):
        if code in first:
            errors[i] = f"指标代码“{code}”与第{first[code] + 1}项指标重复，同一地块每个指标只能填写一次"
        else:
            first.setdefault(code, i)
    return errors


def check_parcel(session: Session, data: ParcelInput) -> dict[str, str]:
    """The rules ``ParcelInput`` cannot check alone; empty when the parcel may be saved."""
    errors: dict[str, str] = {}
    if data.id is not None and session.get(Parcel, data.id) is None:
        errors["id"] = "要修改的地块不存在"
    if session.exec(select(IndustrialBase.id).where(IndustrialBase.code == data.base_code)).first() is None:
        errors["base_code"] = f"所属基地编码“{data.base_code}”不存在"
    other = session.exec(select(Parcel.id).where(Parcel.number == data.number)).first()
    if other is not None and other != data.id:
        errors["number"] = f"宗地编号“{data.number}”已存在，请勿重复登记"
    for i, message in duplicate_codes([ind.code for ind in data.indicators]).items():
        errors[f"indicators.{i}.code"] = message
    return errors


def check_assessment(session: Session, data: AssessmentInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.id is not None and session.get(RegionalAssessment, data.id) is None:
        errors["id"] = "要修改的区域评估不存在"
    other = session.exec(select(RegionalAssessment.id).where(RegionalAssessment.code == data.code)).first()
    if other is not None and other != data.id:
        errors["code"] = f"评估编号“{data.code}”已存在，请勿重复登记"
    unknown = unknown_parcel_numbers(session, data.parcel_numbers)
    if unknown:
        errors["parcel_numbers"] = f"适用宗地“{'、'.join(unknown)}”不在地块目录中"
    return errors


def unknown_parcel_numbers(session: Session, numbers: list[str]) -> list[str]:
    known = set(session.exec(select(Parcel.number).where(col(Parcel.number).in_(numbers))).all()) if numbers else set()
    return [n for n in numbers if n not in known]


# --- writes ------------------------------------------------------------------------------------

def save_parcel(session: Session, actor: User | None, data: ParcelInput) -> tuple[Parcel, str]:
    """Create or update a parcel and replace its indicator list; returns the parcel and
    ``created``, ``updated`` or ``unchanged``. Raises ``CatalogueError`` and writes nothing on a rule failure.
    """
    errors = check_parcel(session, data)
    if errors:
        raise CatalogueError(errors)
    base = session.exec(select(IndustrialBase).where(IndustrialBase.code == data.base_code)).one()
    try:
        return _write_parcel(session, actor, data, base)
    except IntegrityError as error:  # a concurrent save took the number first
        raise CatalogueError({"number": f"宗地编号“{data.number}”已存在，请勿重复登记"}) from error


def _write_parcel(session: Session, actor: User | None, data: ParcelInput,
                  base: IndustrialBase) -> tuple[Parcel, str]:
    parcel = session.get(Parcel, data.id) if data.id is not None else None
    existing = {i.code: i for i in session.exec(select(ParcelIndicator).where(ParcelIndicator.parcel_id == parcel.id))
                } if parcel else {}
    before = _parcel_snapshot(parcel, base_code=_base_code(session, parcel.base_id),
                              indicators=sorted(existing.values(), key=lambda i: i.sequence)) if parcel else None
    parcel = parcel or Parcel(base_id=stored_id(base), number=data.number, location=data.location,
                              area_m2=data.area_m2)
    parcel.base_id, parcel.number, parcel.location = stored_id(base), data.number, data.location
    parcel.area_m2 = data.area_m2
    parcel.land_use, parcel.allowed_industry_codes = data.land_use, list(data.allowed_industry_codes)
    parcel.status = data.status or parcel.status or "available"
    parcel.land_price_wan, parcel.initial_operating_years = data.land_price_wan, data.initial_operating_years
    parcel.rectification_months, parcel.damages_rate = data.rectification_months, data.damages_rate
    parcel.credit_record = data.credit_record
    if "outline" in data.model_fields_set:  # an import without outlines keeps those drawn before
        parcel.outline = None if data.outline is None else outlines.as_json(data.outline)
    session.add(parcel)
    session.flush()
    rows = []
    for sequence, ind in enumerate(data.indicators):
        row = existing.pop(ind.code, None) or ParcelIndicator(parcel_id=stored_id(parcel), code=ind.code, name_zh="",
                                                              unit="", comparator=ind.comparator,
                                                              threshold=ind.threshold, measured_at=ind.measured_at)
        row.name_zh, row.unit, row.comparator = ind.name_zh, ind.unit, ind.comparator
        row.threshold, row.threshold_high, row.measured_at = ind.threshold, ind.threshold_high, ind.measured_at
        row.sequence = sequence
        session.add(row)
        rows.append(row)
    for removed in existing.values():
        session.delete(removed)
    session.flush()
    after = _parcel_snapshot(parcel, base_code=base.code, indicators=rows)
    if before is None:
        audit.record(session, "parcel.created", actor=actor, entity="parcel", entity_id=stored_id(parcel),
                     detail=after)
        return parcel, "created"
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if not changes:
        return parcel, "unchanged"
    audit.record(session, "parcel.updated", actor=actor, entity="parcel", entity_id=stored_id(parcel),
                 detail={"number": parcel.number, "changes": changes})
    return parcel, "updated"


def save_assessment(session: Session, actor: User | None, data: AssessmentInput) -> tuple[RegionalAssessment, str]:
    """Create or update a regional assessment and replace its scope; like ``save_parcel``."""
    errors = check_assessment(session, data)
    if errors:
        raise CatalogueError(errors)
    try:
        return _write_assessment(session, actor, data)
    except IntegrityError as error:
        raise CatalogueError({"code": f"评估编号“{data.code}”已存在，请勿重复登记"}) from error


def _write_assessment(session: Session, actor: User | None, data: AssessmentInput) -> tuple[RegionalAssessment, str]:
    assessment = session.get(RegionalAssessment, data.id) if data.id is not None else None
    before = _assessment_snapshot(assessment, _scope_numbers(session, assessment.id).get(stored_id(assessment), [])
                                  ) if assessment else None
    assessment = assessment or RegionalAssessment(code=data.code, kind=data.kind, name=data.name,
                                                  valid_from=data.valid_from)
    for name in ("code", "kind", "name", "authority", "valid_from", "valid_until", "conditions"):
        setattr(assessment, name, getattr(data, name))
    assessment.allowed_industry_codes = list(data.allowed_industry_codes)
    session.add(assessment)
    session.flush()
    wanted = dict(session.exec(select(id_column(Parcel), Parcel.number)
                               .where(col(Parcel.number).in_(data.parcel_numbers))).all()
                  ) if data.parcel_numbers else {}
    current = {row.parcel_id: row for row in session.exec(
        select(RegionalAssessmentParcel).where(RegionalAssessmentParcel.assessment_id == assessment.id))}
    for parcel_id, row in current.items():
        if parcel_id not in wanted:
            session.delete(row)
    for parcel_id in wanted:
        if parcel_id not in current:
            session.add(RegionalAssessmentParcel(assessment_id=stored_id(assessment), parcel_id=parcel_id))
    session.flush()
    after = _assessment_snapshot(assessment, sorted(wanted.values()))
    if before is None:
        audit.record(session, "regional_assessment.created", actor=actor, entity="regional_assessment",
                     entity_id=stored_id(assessment), detail=after)
        return assessment, "created"
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if not changes:
        return assessment, "unchanged"
    audit.record(session, "regional_assessment.updated", actor=actor, entity="regional_assessment",
                 entity_id=stored_id(assessment), detail={"code": assessment.code, "changes": changes})
    return assessment, "updated"


def _base_code(session: Session, base_id: int) -> str:
    base = session.get(IndustrialBase, base_id)
    return base.code if base else ""


def _text(value: Any) -> Any:
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _parcel_snapshot(parcel: Parcel, *, base_code: str, indicators: list[ParcelIndicator]) -> dict[str, Any]:
    """The audited picture of a parcel: plain JSON values, indicators as readable lines."""
    snap = {name: _text(getattr(parcel, name)) for name in (
        "number", "location", "area_m2", "land_use", "status", "land_price_wan", "initial_operating_years",
        "rectification_months", "damages_rate", "credit_record")}
    snap["base_code"] = base_code
    snap["outline"] = "" if parcel.outline is None else hashlib.sha256(
        json.dumps(parcel.outline, sort_keys=True).encode()).hexdigest()[:16]  # changed or not, without the polygon
    snap["allowed_industry_codes"] = list(parcel.allowed_industry_codes)
    snap["indicators"] = [f"{i.code} {i.name_zh} {indicator_text(i)} @{MeasuredAt(i.measured_at).value}"
                          for i in indicators]
    return snap


def _assessment_snapshot(assessment: RegionalAssessment, numbers: list[str]) -> dict[str, Any]:
    snap = {name: _text(getattr(assessment, name)) for name in (
        "code", "kind", "name", "authority", "valid_from", "valid_until", "conditions")}
    snap["allowed_industry_codes"] = list(assessment.allowed_industry_codes)
    snap["parcel_numbers"] = sorted(numbers)
    return snap
