"""JSON API v1: the 代办事项目录清单 (agency catalogue) — read by any signed-in user, maintained by those the access
table lets write it (督办管理员), with the catalogue page's rules."""

from typing import Annotated

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from forms.deps import ApiUser, SessionDep, api_permission
from forms.params import Id
from services.agency import service as agency
from services.core.access import Action, Resource, allowed
from services.core.clock import ChinaDateTime
from services.core.ids import stored_id
from services.models import AgencyItem, AgencyMode, User

router = APIRouter(prefix="/api/v1/agency", tags=["agency"])
CatalogueWriter = Annotated[User, api_permission(Resource.agency_catalogue, Action.write,
                                                 "只有督办管理员可以维护代办事项目录。")]


class AgencyItemOut(BaseModel):
    id: int
    code: str
    name: str
    stage: str
    department: str
    limit_text: str
    mode: str
    mode_label: str
    processes: list[str]
    position: int
    active: bool
    updated_at: ChinaDateTime


@router.get("/items", response_model=list[AgencyItemOut])
def list_items(session: SessionDep, user: ApiUser):
    """The published catalogue in order; those who maintain it also get the withdrawn rows (``active`` false)."""
    write = allowed(user, Resource.agency_catalogue, Action.write)
    return [_out(item) for item in agency.catalogue(session, active_only=not write)]


@router.post("/items", status_code=201, response_model=AgencyItemOut, responses={
    403: {"description": "not one who maintains the catalogue"},
    422: {"description": "{detail, errors: {field: 中文}}: a field, a code in use or an unknown process"}})
def create_item(session: SessionDep, user: CatalogueWriter, body: agency.AgencyItemInput):
    item = agency.save_item(session, user, body)  # refusals: 422
    session.commit()
    return JSONResponse(_out(item).model_dump(mode="json"), status_code=201)


@router.put("/items/{item_id}", response_model=AgencyItemOut, responses={
    403: {"description": "not one who maintains the catalogue"}, 404: {"description": "no such item"},
    422: {"description": "{detail, errors: {field: 中文}}: a field, a code in use or an unknown process"}})
def update_item(session: SessionDep, user: CatalogueWriter, item_id: Id, body: agency.AgencyItemInput):
    if session.get(AgencyItem, item_id) is None:
        raise HTTPException(404, detail="未找到该代办事项")
    item = agency.save_item(session, user, body, item_id)
    session.commit()
    return _out(item)


def _out(item: AgencyItem) -> AgencyItemOut:
    mode = AgencyMode(item.mode)
    return AgencyItemOut(id=stored_id(item), code=item.code, name=item.name, stage=item.stage,
                         department=item.department, limit_text=item.limit_text, mode=mode.value,
                         mode_label=mode.label_zh, processes=list(item.processes), position=item.position,
                         active=item.active, updated_at=item.updated_at)
