"""Staff pages of the 标准地 parcel catalogue (地块目录): list, parcel and assessment forms, CSV import.

Every staff user may read the catalogue; only supervisors (督办管理员) may change it. Bad input
re-renders the form with a Chinese message next to each field and what was typed, and writes
nothing. No business rules here: validation and writes are ``services.standard_land.catalogue`` and
``services.standard_land.catalogue_csv``.
"""

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import ValidationError

from forms.deps import SessionDep, StaffUser, permit
from forms.params import Id
from forms.security import CSRF_FIELD, verify_csrf
from forms.web import page
from services.core.access import Action, Resource
from services.core.ids import parse_id, stored_id
from services.core.industry import division_name
from services.core.settings import REPO_ROOT
from services.land_to_start import design_scheme_decisions
from services.models import Comparator, MeasuredAt, Parcel, RegionalAssessment, Role, User
from services.standard_land import catalogue, catalogue_csv, outlines

router = APIRouter(include_in_schema=False)
Csrf = Depends(verify_csrf)

SAMPLES = REPO_ROOT / "services" / "standard_land" / "data" / "samples"
SAMPLE_FILES = {"parcels": "parcels.csv", "assessments": "regional_assessments.csv",
                "outlines": "parcel_outlines.geojson"}
MAX_UPLOAD_BYTES = 2 * 1024 * 1024
BLANK_ROWS = 2  # extra empty indicator rows, so the form works without JavaScript
INDICATOR_FIELDS = ("code", "name_zh", "unit", "comparator", "threshold", "threshold_high", "measured_at")
#: display helpers the catalogue templates share
HELPERS: dict[str, Any] = {"plain": catalogue.plain, "indicator_text": catalogue.indicator_text,
                           "division_name": division_name, "measured_short": catalogue.MEASURED_SHORT}
MEASURED_OPTIONS = {"completion": "竣工验收时", "ramp_up_end": "运行期满（达产）", "annual": "每年度"}
NEW_PARCEL_INDICATORS = ("investment_intensity", "floor_area_ratio", "building_coefficient", "output_per_mu",
                         "tax_per_mu")


def supervisor_user(user: StaffUser) -> User:
    permit(user, Resource.catalogue, Action.write, "只有督办管理员可以修改地块目录；如需调整，请联系督办管理员。")
    return user


Supervisor = Annotated[User, Depends(supervisor_user)]


async def posted_lists(request: Request) -> dict[str, list[str]]:
    """Every posted field as a list of texts (indicator rows and scope checkboxes repeat their names)."""
    form = await request.form()
    values: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if key != CSRF_FIELD and isinstance(value, str):
            values.setdefault(key, []).append(value)
    return values


Posted = Annotated[dict[str, list[str]], Depends(posted_lists)]


# --- list ------------------------------------------------------------------------------------------

@router.get("/catalogue")
def catalogue_list(request: Request, session: SessionDep, user: StaffUser, saved_parcel: str = "",
                   saved_assessment: str = ""):
    saved = None  # the confirmation after a save (post/redirect/get); a bad id shows none
    if (parcel_id := parse_id(saved_parcel)) and (parcel := session.get(Parcel, parcel_id)):
        saved = f"已保存地块 {parcel.number}。"
    elif (assessment_id := parse_id(saved_assessment)) and (
            assessment := session.get(RegionalAssessment, assessment_id)):
        saved = f"已保存区域评估 {assessment.code}。"
    return page(request, "catalogue.html", user=user, groups=catalogue.parcels_by_base(session),
                assessments=catalogue.list_assessments(session), can_edit=user.role == Role.supervisor,
                saved=saved, **HELPERS)


# --- parcels ---------------------------------------------------------------------------------------

@router.get("/catalogue/parcels/new")
def new_parcel(request: Request, session: SessionDep, user: Supervisor):
    rows = []
    for code in NEW_PARCEL_INDICATORS:
        name_zh, unit, comparator, measured_at = catalogue.STANDARD_INDICATORS[code]
        rows.append({"code": code, "name_zh": name_zh, "unit": unit, "comparator": comparator.value,
                     "threshold": "", "threshold_high": "", "measured_at": measured_at.value})
    values = {"land_use": "工业用地（M1）", "area_unit": "m2", "status": "available", "initial_operating_years": "3",
              "rectification_months": "6", "damages_rate": "1", "credit_record": "是"}
    return _parcel_page(request, session, user, None, values, rows, {})


@router.get("/catalogue/parcels/{parcel_id}")
def edit_parcel(request: Request, session: SessionDep, user: Supervisor, parcel_id: Id):
    view = _parcel_or_404(session, parcel_id)
    p = view.parcel
    values = {"base_code": view.base.code, "number": p.number, "location": p.location,
              "area": catalogue.plain(p.area_m2), "area_unit": "m2", "land_use": p.land_use, "status": p.status,
              "allowed_industry_codes": "; ".join(p.allowed_industry_codes),
              "land_price_wan": catalogue.plain(p.land_price_wan),
              "initial_operating_years": str(p.initial_operating_years),
              "rectification_months": str(p.rectification_months), "damages_rate": catalogue.plain(p.damages_rate),
              "credit_record": "是" if p.credit_record else "否",
              "outline": json.dumps(p.outline, ensure_ascii=False) if p.outline else ""}
    rows = [{"code": i.code, "name_zh": i.name_zh, "unit": i.unit, "comparator": Comparator(i.comparator).value,
             "threshold": catalogue.plain(i.threshold), "threshold_high": catalogue.plain(i.threshold_high),
             "measured_at": MeasuredAt(i.measured_at).value} for i in view.indicators]
    return _parcel_page(request, session, user, view, values, rows, {})


@router.post("/catalogue/parcels/new", dependencies=[Csrf])
def create_parcel(request: Request, session: SessionDep, user: Supervisor, posted: Posted):
    return _save_parcel(request, session, user, None, posted)


@router.post("/catalogue/parcels/{parcel_id}", dependencies=[Csrf])
def update_parcel(request: Request, session: SessionDep, user: Supervisor, posted: Posted, parcel_id: Id):
    return _save_parcel(request, session, user, _parcel_or_404(session, parcel_id), posted)


def _save_parcel(request, session, user, view, posted: dict[str, list[str]]):
    values = {k: v[0] for k, v in posted.items() if not k.startswith("ind_")}
    rows = _indicator_rows(posted)
    raw = {k: v for k, v in values.items() if v.strip()} | {
        "id": view.parcel.id if view else None,
        "indicators": [{k: v for k, v in row.items() if v.strip()} for row in rows]}
    if "outline" in values:  # the form always posts it: emptied means the outline is removed
        raw["outline"] = values["outline"]
    try:
        data = catalogue.ParcelInput.model_validate(raw)
        parcel, _ = catalogue.save_parcel(session, user, data)
    except ValidationError as error:
        return _parcel_page(request, session, user, view, values, rows, catalogue.error_messages(error), 422)
    except catalogue.CatalogueError as error:
        session.rollback()
        return _parcel_page(request, session, user, view, values, rows, error.errors, 422)
    session.commit()
    return RedirectResponse(f"/catalogue?saved_parcel={parcel.id}#parcel-{parcel.id}", status_code=303)


def _indicator_rows(posted: dict[str, list[str]]) -> list[dict[str, str]]:
    """The indicator table as posted, without the rows left entirely blank."""
    columns = [posted.get(f"ind_{name}", []) for name in INDICATOR_FIELDS]
    count = max((len(c) for c in columns), default=0)
    rows = [{name: (col[i] if i < len(col) else "") for name, col in zip(INDICATOR_FIELDS, columns, strict=True)}
            for i in range(count)]
    return [_standard_defaults(row) for row in rows if any(v.strip() for v in row.values())]


def _standard_defaults(row: dict[str, str]) -> dict[str, str]:
    """A chosen standard indicator's name, unit, comparator and checkpoint where left blank (the page's script
    fills them in; without it the choice alone is enough)."""
    spec = catalogue.STANDARD_INDICATORS.get(row.get("code", "").strip())
    if spec is None:
        return row
    defaults = dict(zip(("name_zh", "unit", "comparator", "measured_at"),
                        (spec[0], spec[1], spec[2].value, spec[3].value), strict=True))
    return row | {k: v for k, v in defaults.items() if not row.get(k, "").strip()}


def _parcel_or_404(session, parcel_id: int) -> catalogue.ParcelView:
    view = catalogue.get_parcel(session, parcel_id)
    if view is None:
        raise HTTPException(status_code=404, detail="未找到该地块")
    return view


def _parcel_page(request, session, user, view, values, rows, errors, status_code=200):
    blanks = [dict.fromkeys(INDICATOR_FIELDS, "") for _ in range(BLANK_ROWS)]
    bases = [(b.code, f"{b.name}（{b.code}）") for b in catalogue.list_bases(session)]
    listing = design_scheme_decisions.listing_attachments(session, stored_id(view.parcel)) if view else []
    return page(request, "catalogue_parcel.html", status_code=status_code, user=user, view=view, values=values,
                listing_attachments=listing,
                rows=rows + blanks, errors=errors, statuses=catalogue.PARCEL_STATUSES, units=catalogue.AREA_UNITS,
                base_options=[("", "请选择"), *bases],
                comparators=[(c.value, c.symbol) for c in Comparator],
                measured=list(MEASURED_OPTIONS.items()), standard=catalogue.STANDARD_INDICATORS,
                indicator_options=[(code, spec[0]) for code, spec in catalogue.STANDARD_INDICATORS.items()],
                standard_js={code: [name, unit, c.value, m.value]
                             for code, (name, unit, c, m) in catalogue.STANDARD_INDICATORS.items()})


# --- regional assessments --------------------------------------------------------------------------

@router.get("/catalogue/assessments/new")
def new_assessment(request: Request, session: SessionDep, user: Supervisor):
    return _assessment_page(request, session, user, None, {"kind": "plan_eia"}, [], {})


@router.get("/catalogue/assessments/{assessment_id}")
def edit_assessment(request: Request, session: SessionDep, user: Supervisor, assessment_id: Id):
    view = _assessment_or_404(session, assessment_id)
    a = view.assessment
    values = {"code": a.code, "kind": a.kind, "name": a.name, "authority": a.authority,
              "valid_from": a.valid_from.isoformat(), "valid_until": a.valid_until.isoformat() if a.valid_until else "",
              "allowed_industry_codes": "; ".join(a.allowed_industry_codes), "conditions": a.conditions}
    return _assessment_page(request, session, user, view, values, view.parcel_numbers, {})


@router.post("/catalogue/assessments/new", dependencies=[Csrf])
def create_assessment(request: Request, session: SessionDep, user: Supervisor, posted: Posted):
    return _save_assessment(request, session, user, None, posted)


@router.post("/catalogue/assessments/{assessment_id}", dependencies=[Csrf])
def update_assessment(request: Request, session: SessionDep, user: Supervisor, posted: Posted, assessment_id: Id):
    return _save_assessment(request, session, user, _assessment_or_404(session, assessment_id), posted)


def _save_assessment(request, session, user, view, posted: dict[str, list[str]]):
    values = {k: v[0] for k, v in posted.items() if k != "parcel_numbers"}
    scope = posted.get("parcel_numbers", [])
    raw = {k: v for k, v in values.items() if v.strip()} | {
        "id": view.assessment.id if view else None, "parcel_numbers": scope}
    try:
        data = catalogue.AssessmentInput.model_validate(raw)
        assessment, _ = catalogue.save_assessment(session, user, data)
    except ValidationError as error:
        return _assessment_page(request, session, user, view, values, scope, catalogue.error_messages(error), 422)
    except catalogue.CatalogueError as error:
        session.rollback()
        return _assessment_page(request, session, user, view, values, scope, error.errors, 422)
    session.commit()
    return RedirectResponse(f"/catalogue?saved_assessment={assessment.id}#assessments", status_code=303)


def _assessment_or_404(session, assessment_id: int) -> catalogue.AssessmentView:
    view = catalogue.get_assessment(session, assessment_id)
    if view is None:
        raise HTTPException(status_code=404, detail="未找到该区域评估")
    return view


def _assessment_page(request, session, user, view, values, scope, errors, status_code=200):
    return page(request, "catalogue_assessment.html", status_code=status_code, user=user, view=view,
                values=values, scope=set(scope), errors=errors, groups=catalogue.parcels_by_base(session),
                kinds=catalogue.ASSESSMENT_KINDS)


# --- CSV import ------------------------------------------------------------------------------------

@router.get("/catalogue/import")
def import_form(request: Request, user: Supervisor):
    return _import_page(request, user, "parcels", None, None)


@router.post("/catalogue/import", dependencies=[Csrf])
def import_upload(request: Request, session: SessionDep, user: Supervisor, kind: Annotated[str, Form()] = "",
                  file: Annotated[UploadFile | None, File()] = None):
    if not catalogue_csv.is_kind(kind):
        return _import_page(request, user, "parcels", "请选择导入内容（地块及控制指标，或区域评估）", None, 400)
    if file is None or not file.filename:
        return _import_page(request, user, kind, "请选择要上传的CSV文件", None, 400)
    content = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        return _import_page(request, user, kind, "文件超过2 MB，请分批导入", None, 400)
    report = catalogue_csv.import_csv(session, user, kind, content)
    if not report.ok:
        session.rollback()
        return _import_page(request, user, kind, None, report, 422, filename=file.filename)
    session.commit()
    return _import_page(request, user, kind, None, report, filename=file.filename)


@router.post("/catalogue/import/outlines", dependencies=[Csrf])
def import_outlines(request: Request, session: SessionDep, user: Supervisor,
                    file: Annotated[UploadFile | None, File()] = None):
    """宗地范围 from a GeoJSON FeatureCollection (features named by 宗地编号): all or nothing."""
    if file is None or not file.filename:
        return _import_page(request, user, "parcels", None, None, 400, outline_error="请选择要上传的GeoJSON文件")
    content = file.file.read(outlines.MAX_IMPORT_BYTES + 1)
    try:
        result = outlines.import_outlines(session, user, content)
    except outlines.OutlineError as error:
        session.rollback()
        return _import_page(request, user, "parcels", None, None, 422, outline_error=f"未导入任何宗地范围：{error}")
    session.commit()
    return _import_page(request, user, "parcels", None, None, outline_result=result)


@router.get("/catalogue/import/samples/{kind}.{suffix}")
def sample_file(user: StaffUser, kind: str, suffix: str):
    if kind not in SAMPLE_FILES or not SAMPLE_FILES[kind].endswith(f".{suffix}"):
        raise HTTPException(status_code=404, detail="未找到该示例文件")
    path = Path(SAMPLES / SAMPLE_FILES[kind])
    media = "text/csv; charset=utf-8" if suffix == "csv" else "application/geo+json"
    return FileResponse(path, media_type=media, filename=SAMPLE_FILES[kind])


def _import_page(request, user, kind, error, report, status_code=200, filename="", outline_error=None,
                 outline_result=None):
    return page(request, "catalogue_import.html", status_code=status_code, user=user, kind=kind, error=error,
                report=report, filename=filename, layouts=catalogue_csv.LAYOUTS, kind_labels=catalogue_csv.KIND_LABELS,
                outline_error=outline_error, outline_result=outline_result)
