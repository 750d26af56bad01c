"""标准地信息公开 (the public 标准地 platform): what anyone may read before signing in, and "check my project".

The park publishes its parcels with area, land use, admitted industries, every control indicator (控制指标),
the regional assessments (区域评估) that come with them and where each stands in the supply cycle
(拟供应 → 挂牌中 → 已预留 → 已出让). Land prices, liability terms and who applied stay with staff.

``check_project`` runs the same indicator rules as the pre-assessment (``rules.evaluate``) on what an
anonymous visitor typed, and keeps nothing: the result page shows pass / 临界 / fail with the arithmetic
and offers to apply with the same values. This module must not import FastAPI or Prefect.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session

from services.core import clock, industry, text
from services.core.ids import stored_id
from services.core.settings import get_settings
from services.core.units import m2_to_mu
from services.standard_land import catalogue, per_mu, rules
from services.standard_land.catalogue import ParcelView
from services.standard_land.outlines import bounds
from services.standard_land.service import assessments_for

#: supply status (供应状态) as the public reads it; the staff catalogue says 可供应 for ``available``
PUBLIC_STATUSES: dict[str, str] = {"planned": "拟供应", "available": "挂牌中（可申请）", "reserved": "已预留",
                                   "sold": "已出让"}
OPEN_FOR_APPLICATION = "available"
MAX_NUMBER_TEXT = 24  # a typed figure longer than this is not a figure
MAX_VALUE = Decimal(10) ** 12  # no planned value of a parcel reaches a trillion in its unit


@dataclass(frozen=True)
class PublicParcel:
    """One parcel as the public platform shows it."""

    view: ParcelView
    assessments: tuple[rules.AssessmentSpec, ...]

    @property
    def id(self) -> int:
        return stored_id(self.view.parcel)

    @property
    def status_label(self) -> str:
        return PUBLIC_STATUSES.get(self.view.parcel.status, self.view.parcel.status)

    @property
    def open_for_application(self) -> bool:
        return self.view.parcel.status == OPEN_FOR_APPLICATION

    @property
    def industries_text(self) -> str:
        codes = self.view.parcel.allowed_industry_codes
        if not codes:
            return "制造业（不限细分行业）"
        return "、".join(f"{code}（{industry.division_name(code)}）" if industry.division_name(code) else code
                        for code in codes)

    def assessment_status(self, spec: rules.AssessmentSpec) -> str:
        """有效 / 已过期 / 未生效, and whether this parcel is in the assessment's scope."""
        state = catalogue.ASSESSMENT_STATUS_LABELS[catalogue.assessment_status(spec.valid_from, spec.valid_until,
                                                                               clock.today())]
        return state if self.id in spec.parcel_ids else f"{state}（本地块不在评估范围内）"


def list_parcels(session: Session, status: str = "") -> list[PublicParcel]:
    """Every parcel of the catalogue (or those in one supply status), in base and number order."""
    views = [v for v in catalogue.list_parcels(session) if not status or v.parcel.status == status]
    by_base: dict[int, list[rules.AssessmentSpec]] = {}
    parcels = []
    for view in views:
        base_id = stored_id(view.base)
        if base_id not in by_base:
            by_base[base_id] = assessments_for(session, view.parcel)
        parcels.append(PublicParcel(view, tuple(by_base[base_id])))
    return parcels


def get_parcel(session: Session, parcel_id: int) -> PublicParcel | None:
    view = catalogue.get_parcel(session, parcel_id)
    return None if view is None else PublicParcel(view, tuple(assessments_for(session, view.parcel)))


def feature_collection(parcels: list[PublicParcel]) -> dict[str, Any]:
    """The parcels that have an outline, as GeoJSON for the map (and for integrators)."""
    features = []
    for item in parcels:
        p = item.view.parcel
        if p.outline is None:
            continue
        features.append({"type": "Feature", "id": item.id, "geometry": p.outline, "properties": {
            "id": item.id, "number": p.number, "location": p.location, "base": item.view.base.name,
            "area_m2": catalogue.plain(p.area_m2), "area_mu": catalogue.plain(m2_to_mu(p.area_m2, places=2)),
            "land_use": p.land_use, "status": p.status, "status_zh": item.status_label,
            "allowed_industry_codes": list(p.allowed_industry_codes),
            "indicators": [{"code": i.code, "name_zh": i.name_zh, "text": catalogue.indicator_text(i)}
                           for i in item.view.indicators],
            "url": f"/parcels/{item.id}"}})
    return {"type": "FeatureCollection", "features": features}


def map_settings(parcels: list[PublicParcel]) -> dict[str, Any]:
    """What the map script needs besides the features: the tile source (may be empty) and the extent."""
    settings = get_settings()
    outlines = [bounds(p.view.parcel.outline) for p in parcels if p.view.parcel.outline is not None]
    extent = None
    if outlines:
        extent = [[min(b[1] for b in outlines), min(b[0] for b in outlines)],
                  [max(b[3] for b in outlines), max(b[2] for b in outlines)]]
    return {"tiles": settings.map_tile_url, "subdomains": settings.map_tile_subdomains,
            "attribution": settings.map_tile_attribution, "extent": extent}


# --- check my project (anonymous) ---------------------------------------------------------------

CHECK_LABELS = {"industry_code": "行业代码", "annual_energy_tce": "年综合能耗",
                "annual_electricity_kwh": "年用电量"}


@dataclass
class ProjectCheck:
    """A visitor's figures for one parcel: what was typed, what is wrong, and the result when nothing is."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    evaluation: rules.StandardLandEvaluation | None = None

    def apply_query(self, parcel_id: int, area_mu: Decimal | None = None) -> dict[str, str]:
        """The application form's field names for the same values (``ind_<parcel>_<code>`` for indicators).

        With the parcel's area, the form also gets 用地面积 and the totals that agree with the per-亩 values
        typed (总投资 = 投资强度 × 亩 …), so the enterprise is not refused for totals it never typed."""
        query = {"parcel_id": str(parcel_id)}
        for key, value in self.values.items():
            if not value:
                continue
            query[f"ind_{parcel_id}_{key[4:]}" if key.startswith("ind_") else key] = value
        if area_mu:
            query["land_area_mu"] = f"{area_mu.normalize():f}"
            for item in per_mu.PER_MU:
                per = _number(self.values.get(f"ind_{item.code}", ""), "", required=False, errors={}, key="")
                if per is not None:
                    query[item.total_field] = f"{(per * area_mu).quantize(Decimal('0.01')).normalize():f}"
        return query


def check_project(item: PublicParcel, raw: dict[str, str]) -> ProjectCheck:
    """Hold the visitor's planned values against the parcel's indicators; each wrong field named in Chinese."""
    indicators = item.view.indicators
    keys = ["industry_code", *(f"ind_{i.code}" for i in indicators), "annual_energy_tce", "annual_electricity_kwh"]
    values = {k: (raw.get(k) or "").strip()[:64] for k in keys}
    check = ProjectCheck(values=values)
    for key, value in values.items():  # NUL and the like are refused and not shown back in the page
        if text.problem(value):
            check.errors[key] = f"{_label(item, key)}：含有不可见的控制字符，请删除后重新填写"
            values[key] = ""
    code = values["industry_code"]
    if "industry_code" in check.errors:
        pass
    elif error := industry.check_class_code(code):
        check.errors["industry_code"] = f"行业代码：{error}"
    elif (allowed := item.view.parcel.allowed_industry_codes) and not any(code.startswith(p) for p in allowed):
        check.errors["industry_code"] = (f"行业代码：地块{item.view.parcel.number}只准入以下行业"
                                         f"（国民经济行业分类代码开头）：{'、'.join(allowed)}")
    planned: dict[str, Decimal] = {}
    for indicator in indicators:
        key = f"ind_{indicator.code}"
        number = None if key in check.errors else _number(values[key], indicator.name_zh, required=True,
                                                           errors=check.errors, key=key)
        if number is not None:
            planned[indicator.code] = number
    energy = {k: None if k in check.errors else _number(values[k], CHECK_LABELS[k], required=False,
                                                        errors=check.errors, key=k)
              for k in ("annual_energy_tce", "annual_electricity_kwh")}
    if check.errors:
        return check
    specs = [rules.IndicatorSpec.from_row(i) for i in indicators]
    check.evaluation = rules.evaluate(specs, planned, item.assessments, item.id, code, clock.today(),
                                      energy["annual_energy_tce"], energy["annual_electricity_kwh"],
                                      margin=get_settings().indicator_margin)
    return check


def _label(item: PublicParcel, key: str) -> str:
    names = {f"ind_{i.code}": i.name_zh for i in item.view.indicators}
    return CHECK_LABELS.get(key) or names.get(key, key)


def _number(typed: str, label: str, *, required: bool, errors: dict[str, str], key: str) -> Decimal | None:
    if not typed:
        if required:
            errors[key] = f"{label}：请填写计划值"
        return None
    try:
        value = Decimal(typed.replace(",", "").replace("，", "")) if len(typed) <= MAX_NUMBER_TEXT else None
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        errors[key] = f"{label}：请填写数字，如 12.5"
        return None
    if value < 0:
        errors[key] = f"{label}：不能为负数"
        return None
    if value >= MAX_VALUE:
        errors[key] = f"{label}：数值过大，请核对单位"
        return None
    return value
