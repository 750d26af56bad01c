"""JSON API v1: the 标准地 parcel catalogue — read by any signed-in user, written by those the access table lets
maintain the catalogue (督办管理员), with the same rules as the catalogue pages (OpenAPI at /docs)."""

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, overload

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from geojson_pydantic import MultiPolygon, Polygon
from pydantic import BaseModel, Field

from forms.deps import ApiUser, SessionDep, api_permission
from forms.params import Id
from services.core.access import Action, Resource
from services.core.ids import stored_id
from services.core.units import m2_to_mu
from services.models import Comparator, MeasuredAt, User
from services.standard_land import catalogue, outlines, public_catalogue

router = APIRouter(prefix="/api/v1", tags=["parcels"])
CatalogueWriter = Annotated[User, api_permission(Resource.catalogue, Action.write,
                                                 "只有督办管理员可以修改地块目录；如需调整，请联系督办管理员。")]


class IndicatorOut(BaseModel):
    code: str
    name_zh: str
    unit: str
    comparator: Comparator
    threshold: Decimal
    threshold_high: Decimal | None
    measured_at: MeasuredAt
    measured_at_zh: str


class ParcelSummary(BaseModel):
    id: int
    number: str
    base_code: str
    base_name: str
    location: str
    area_m2: Decimal
    area_mu: Decimal
    land_use: str
    status: str
    allowed_industry_codes: list[str]
    land_price_wan: Decimal | None


class ParcelOut(ParcelSummary):
    initial_operating_years: int
    rectification_months: int
    damages_rate: Decimal
    credit_record: bool
    indicators: list[IndicatorOut]
    outline: Polygon | MultiPolygon | None = Field(description="宗地范围 (GeoJSON, lon/lat); null when not surveyed")


class PublicIndicator(BaseModel):
    code: str
    name_zh: str
    text: str = Field(description="the requirement as printed, e.g. ≥400万元/亩")


class PublicParcelProperties(BaseModel):
    id: int
    number: str
    location: str
    base: str
    area_m2: str
    area_mu: str
    land_use: str
    status: Literal["planned", "available", "reserved", "sold"]
    status_zh: str
    allowed_industry_codes: list[str]
    indicators: list[PublicIndicator]
    url: str = Field(description="the parcel's public page")


class PublicParcelFeature(BaseModel):
    type: Literal["Feature"]
    id: int
    geometry: Polygon | MultiPolygon
    properties: PublicParcelProperties


class PublicParcelCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[PublicParcelFeature]


@overload
def _plain(value: Decimal) -> Decimal: ...
@overload
def _plain(value: Decimal | None) -> Decimal | None: ...
def _plain(value: Decimal | None) -> Decimal | None:
    """Stored scale dropped: 400.0000 → 400 (never exponent notation)."""
    return None if value is None else Decimal(catalogue.plain(value))


def _summary(view: catalogue.ParcelView) -> dict:
    p = view.parcel
    return {"id": p.id, "number": p.number, "base_code": view.base.code, "base_name": view.base.name,
            "location": p.location, "area_m2": p.area_m2, "area_mu": _plain(m2_to_mu(p.area_m2)),
            "land_use": p.land_use, "status": p.status, "allowed_industry_codes": list(p.allowed_industry_codes),
            "land_price_wan": p.land_price_wan}


@router.get("/public/parcels", response_model=PublicParcelCollection, tags=["public"])
def public_parcels(session: SessionDep, status: Literal["planned", "available", "reserved", "sold"] | None = None):
    """标准地信息公开, without signing in: the parcels with an outline as GeoJSON (lon/lat), with their supply
    status, admitted industries and control indicators (no prices or liability terms)."""
    return public_catalogue.feature_collection(public_catalogue.list_parcels(session, status or ""))


@router.get("/parcels", response_model=list[ParcelSummary])
def list_parcels(session: SessionDep, user: ApiUser):
    """Every parcel of the catalogue with its base (area in m² and 亩, 4 decimals)."""
    return [ParcelSummary(**_summary(view)) for view in catalogue.list_parcels(session)]


@router.post("/parcels", status_code=201, response_model=ParcelOut, responses={
    403: {"description": "not one who maintains the catalogue"},
    422: {"description": "{detail, errors: {field: 中文}}: a field or a catalogue rule (e.g. the number exists)"}})
def create_parcel(session: SessionDep, user: CatalogueWriter, body: catalogue.ParcelInput):
    """Add a parcel with its control indicators (``id`` in the body is ignored)."""
    parcel, _ = catalogue.save_parcel(session, user, body.model_copy(update={"id": None}))  # refusals: 422
    session.commit()
    return JSONResponse(read_parcel(session, user, stored_id(parcel)).model_dump(mode="json"), status_code=201)


@router.put("/parcels/{parcel_id}", response_model=ParcelOut, responses={
    403: {"description": "not one who maintains the catalogue"}, 404: {"description": "no such parcel"},
    422: {"description": "{detail, errors: {field: 中文}}: a field or a catalogue rule"}})
def update_parcel(session: SessionDep, user: CatalogueWriter, parcel_id: Id, body: catalogue.ParcelInput):
    """Replace a parcel's fields and its indicator list (``id`` in the body is ignored: the path names it)."""
    if catalogue.get_parcel(session, parcel_id) is None:
        raise HTTPException(404, detail="未找到该地块")
    catalogue.save_parcel(session, user, body.model_copy(update={"id": parcel_id}))
    session.commit()
    return read_parcel(session, user, parcel_id)


@router.get("/parcels/{parcel_id}", response_model=ParcelOut)
def read_parcel(session: SessionDep, user: ApiUser, parcel_id: Id):
    """One parcel with its control indicators (in order) and liability terms."""
    view = catalogue.get_parcel(session, parcel_id)
    if view is None:
        raise HTTPException(404, detail="未找到该地块")
    p = view.parcel
    indicators = [IndicatorOut(code=i.code, name_zh=i.name_zh, unit=i.unit, comparator=i.comparator,
                               threshold=_plain(i.threshold), threshold_high=_plain(i.threshold_high),
                               measured_at=i.measured_at, measured_at_zh=MeasuredAt(i.measured_at).label_zh)
                  for i in view.indicators]
    return ParcelOut(**_summary(view), initial_operating_years=p.initial_operating_years,
                     rectification_months=p.rectification_months, damages_rate=_plain(p.damages_rate),
                     credit_record=p.credit_record, indicators=indicators,
                     outline=outlines.as_geometry(p.outline))


# --- 区域评估 (regional assessments) -----------------------------------------------------------------

class AssessmentOut(BaseModel):
    id: int
    code: str
    kind: str
    kind_label: str
    name: str
    authority: str
    valid_from: date
    valid_until: date | None
    status: str
    status_label: str
    allowed_industry_codes: list[str]
    parcel_numbers: list[str]
    conditions: str


@router.get("/assessments", response_model=list[AssessmentOut])
def list_assessments(session: SessionDep, user: ApiUser):
    """Every regional assessment with the parcels it covers and whether it is in force today."""
    return [_assessment_out(view) for view in catalogue.list_assessments(session)]


@router.get("/assessments/{assessment_id}", response_model=AssessmentOut, responses={404: {"description": "none"}})
def read_assessment(session: SessionDep, user: ApiUser, assessment_id: Id):
    view = catalogue.get_assessment(session, assessment_id)
    if view is None:
        raise HTTPException(404, detail="未找到该区域评估")
    return _assessment_out(view)


@router.post("/assessments", status_code=201, response_model=AssessmentOut, responses={
    403: {"description": "not one who maintains the catalogue"},
    422: {"description": "{detail, errors: {field: 中文}}: a field or a catalogue rule (e.g. an unknown parcel)"}})
def create_assessment(session: SessionDep, user: CatalogueWriter, body: catalogue.AssessmentInput):
    """Add a regional assessment and the parcels it covers (``id`` in the body is ignored)."""
    assessment, _ = catalogue.save_assessment(session, user, body.model_copy(update={"id": None}))
    session.commit()
    return JSONResponse(read_assessment(session, user, stored_id(assessment)).model_dump(mode="json"),
                        status_code=201)


@router.put("/assessments/{assessment_id}", response_model=AssessmentOut, responses={
    403: {"description": "not one who maintains the catalogue"}, 404: {"description": "no such assessment"},
    422: {"description": "{detail, errors: {field: 中文}}: a field or a catalogue rule"}})
def update_assessment(session: SessionDep, user: CatalogueWriter, assessment_id: Id,
                      body: catalogue.AssessmentInput):
    """Replace an assessment's fields and the parcels it covers (the path names it)."""
    if catalogue.get_assessment(session, assessment_id) is None:
        raise HTTPException(404, detail="未找到该区域评估")
    catalogue.save_assessment(session, user, body.model_copy(update={"id": assessment_id}))
    session.commit()
    return read_assessment(session, user, assessment_id)


def _assessment_out(view: catalogue.AssessmentView) -> AssessmentOut:
    a = view.assessment
    return AssessmentOut(id=stored_id(a), code=a.code, kind=a.kind, kind_label=view.kind_label, name=a.name,
                         authority=a.authority, valid_from=a.valid_from, valid_until=a.valid_until,
                         status=view.status, status_label=view.status_label,
                         allowed_industry_codes=list(a.allowed_industry_codes), parcel_numbers=view.parcel_numbers,
                         conditions=a.conditions)
