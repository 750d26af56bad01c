"""Jinja2 page rendering with the shared zh-CN formatting filters."""

from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.datastructures import UploadFile

from forms.health import orchestration_problem
from forms.security import csrf_token
from services.core import clock
from services.core.access import Action, Resource, allowed
from services.core.formatting import JINJA_FILTERS
from services.core.settings import REPO_ROOT, get_settings
from services.standard_land import compliance

templates = Jinja2Templates(directory=str(Path(REPO_ROOT) / "templates" / "web"))
templates.env.filters.update(JINJA_FILTERS)
templates.env.globals["prefect_ui"] = lambda: get_settings().prefect_ui_base()
templates.env.globals["may"] = lambda user, resource, action: allowed(user, Resource(resource), Action(action))
templates.env.globals["park"] = get_settings  # the park's names and phone in every page (settings, not templates)
templates.env.globals["compliance_light"] = lambda check: compliance.light_of(check, clock.today())
templates.env.globals["compliance_kind_zh"] = compliance.KIND_ZH


def page(request: Request, name: str, status_code: int = 200, **context):
    context.setdefault("user", getattr(request.state, "user", None))
    context.setdefault("unread", getattr(request.state, "unread", 0))
    context["csrf_token"] = csrf_token(request)
    user = context["user"]
    if user is not None and user.role.is_staff:  # staff learn at once when cases cannot move
        context.setdefault("orchestration_problem", orchestration_problem())
    return templates.TemplateResponse(request, name, context, status_code=status_code)


async def posted_form(request: Request) -> dict[str, str]:
    """The posted fields as text (read in an async dependency so handlers can stay synchronous)."""
    form = await request.form()
    return {k: str(v) for k, v in form.items() if k != "csrf_token" and not isinstance(v, UploadFile)}


async def posted_lists(request: Request) -> dict[str, list[str]]:
    """Every posted field with all its values (checkbox groups), as text."""
    form = await request.form()
    return {key: [str(v) for v in form.getlist(key)] for key in form if key != "csrf_token"}


async def posted_files(request: Request) -> dict[str, tuple[str, str, bytes]]:
    """Files posted with a multipart form: {field: (file name, content type, bytes)}; empty inputs skipped."""
    form = await request.form()
    files = {}
    for key, value in form.multi_items():
        if isinstance(value, UploadFile) and value.filename:
            files[key] = (value.filename, value.content_type or "application/octet-stream", await value.read())
    return files
