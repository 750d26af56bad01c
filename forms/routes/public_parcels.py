"""标准地信息公开: the parcels on offer, their map and "check my project" — for anyone, without signing in.

No business rules here: reading and checking are ``services.standard_land.public_catalogue``.
"""

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request

from forms.deps import SessionDep
from forms.params import Id
from forms.web import page
from services.standard_land import catalogue, public_catalogue
from services.standard_land.public_catalogue import PUBLIC_STATUSES

router = APIRouter(include_in_schema=False)
HELPERS: dict[str, Any] = {"indicator_text": catalogue.indicator_text, "measured_short": catalogue.MEASURED_SHORT,
           "plain": catalogue.plain}


@router.get("/parcels")
def parcel_list(request: Request, session: SessionDep, status: str = ""):
    status = status if status in PUBLIC_STATUSES else ""
    parcels = public_catalogue.list_parcels(session, status)
    return page(request, "public_parcels.html", parcels=parcels, status=status, statuses=PUBLIC_STATUSES,
                features=public_catalogue.feature_collection(parcels),
                map_settings=public_catalogue.map_settings(parcels), **HELPERS)


@router.get("/parcels/{parcel_id}")
def parcel_detail(request: Request, session: SessionDep, parcel_id: Id):
    item = _parcel_or_404(session, parcel_id)
    return _detail_page(request, item, public_catalogue.ProjectCheck(values={}))


@router.get("/parcels/{parcel_id}/check")
def check_project(request: Request, session: SessionDep, parcel_id: Id):
    """The visitor's figures come as query parameters: the result can be bookmarked and nothing is stored."""
    item = _parcel_or_404(session, parcel_id)
    check = public_catalogue.check_project(item, dict(request.query_params))
    return _detail_page(request, item, check, status_code=422 if check.errors else 200)


def _parcel_or_404(session, parcel_id: int) -> public_catalogue.PublicParcel:
    item = public_catalogue.get_parcel(session, parcel_id)
    if item is None:
        raise HTTPException(status_code=404, detail="未找到该地块")
    return item


def _detail_page(request, item, check, status_code=200):
    query = check.apply_query(item.id, item.view.area_mu) if check.evaluation else None
    apply_url = "/applications/new?" + urlencode(query) if query else ""
    return page(request, "public_parcel.html", status_code=status_code, item=item, check=check, apply_url=apply_url,
                features=public_catalogue.feature_collection([item]),
                map_settings=public_catalogue.map_settings([item]), **HELPERS)
