"""What a probe sends at the edge — invisible characters, endless text, ids ≥ 2³¹, long keys — is a
Chinese 422 (or a 404), never a 500, on SQLite and PostgreSQL alike.

The id check walks the app's own routes, so a route added later with a bare ``int`` fails here.
"""

import time
import uuid
from contextlib import contextmanager
from typing import Annotated

import pytest
from fastapi.routing import APIRoute
from pydantic import TypeAdapter, ValidationError

from forms.app import create_app
from services.core.ids import MAX_ID
from services.core.text import KEY_MAX_LENGTH
from tests.samples import DEMO_PASSWORD

TOO_BIG = str(MAX_ID + 1)


def _routes(routes=None):
    """Every APIRoute of the app, also those inside included routers."""
    for route in create_app().routes if routes is None else routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI ≥ 0.150 includes routers lazily
            yield from _routes(route.original_router.routes)


def _params(dependant):
    yield from dependant.path_params + dependant.query_params + dependant.header_params
    for sub in dependant.dependencies:
        yield from _params(sub)


def _accepts(param, value) -> bool:
    annotation = param.field_info.annotation
    for constraint in param.field_info.metadata:
        annotation = Annotated[annotation, constraint]
    try:
        return TypeAdapter(annotation).validate_python(value) is not None
    except ValidationError:
        return False


def _id_routes():
    """(methods, path, names of its id parameters in the path, in the query) for every route taking an id."""
    found = []
    for route in _routes():
        in_path = [p.name for p in route.dependant.path_params if isinstance(_coerced(p), int)]
        in_query = [p.alias for p in route.dependant.query_params if isinstance(_coerced(p), int)]
        if in_path or in_query:
            found.append((route.methods, route.path, in_path, in_query))
    return found


def _coerced(param):
    try:
        return TypeAdapter(param.field_info.annotation).validate_python("7")
    except ValidationError:
        return None


def test_no_route_accepts_an_id_beyond_the_column_or_an_unbounded_key():
    routes = list(_routes())
    assert len(routes) > 60 and _id_routes()
    escaped = []
    for route in routes:
        for param in _params(route.dependant):
            if isinstance(_coerced(param), int) and _accepts(param, TOO_BIG):
                escaped.append(f"{route.path} {param.name} accepts {TOO_BIG}")
            if param.alias.lower() == "idempotency-key" and _accepts(param, "k" * (KEY_MAX_LENGTH + 1)):
                escaped.append(f"{route.path} Idempotency-Key accepts {KEY_MAX_LENGTH + 1} characters")
    assert escaped == []


@contextmanager
def _signed_in(stack, username):
    """A browser-like client signed in through the sign-in page."""
    with stack.client() as client:
        token = client.get("/login").text.split('name="csrf_token" value="')[1].split('"')[0]
        response = client.post("/login", data={"csrf_token": token, "username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 303, response.text
        yield client


def test_ids_beyond_the_column_are_refused_on_every_get_route(stack):
    """Pages as a supervisor (a 422 or 404 page), the API with a token — never a 500."""
    headers = stack.token("supervisor")
    with _signed_in(stack, "supervisor") as pages:
        for methods, path, in_path, in_query in _id_routes():
            if "GET" not in methods:
                continue
            url = path.replace("{fmt}", "pdf")
            for name in in_path:
                url = url.replace("{" + name + "}", TOO_BIG)
            query = {name: TOO_BIG for name in in_query}
            client_headers = headers if path.startswith("/api/") else {}
            response = pages.get(url, params=query, headers=client_headers)
            assert response.status_code in (404, 422), f"GET {url} {query}: {response.status_code}"
        assert pages.get("/catalogue", params={"saved_parcel": TOO_BIG}).status_code == 200
        assert pages.get("/applications/1/steps/%00/decision").status_code == 422


def test_the_api_refuses_big_ids_in_posts_and_bad_step_keys(stack):
    headers = stack.token("reviewer")
    with stack.client() as c:
        for url in (f"/api/v1/applications/{TOO_BIG}/steps/land_review/actions",
                    "/api/v1/applications/1/steps/%00/actions", f"/api/v1/applications/1/steps/{'a' * 65}/actions"):
            response = c.post(url, json={"kind": "approve"}, headers=headers)
            assert response.status_code == 422, (url, response.text)
        response = c.post(f"/api/v1/land-to-start/applications/{TOO_BIG}/start", json={"started_on": "2027-01-04"},
                          headers=stack.token("enterprise"))
        assert response.status_code == 422
        response = c.get(f"/api/v1/applications/{TOO_BIG}", headers=headers)
        assert response.json()["errors"] == {"application_id": f"申请编号不能大于{MAX_ID}"}


@pytest.mark.parametrize("name", ["项目\u000b名称", "项目\x01名称", "项目\x00名称", "项目名称\uffff\ufffe"])
def test_an_application_with_invisible_characters_is_a_chinese_422(stack, sample_application, name):
    headers = stack.token("enterprise") | {"Idempotency-Key": str(uuid.uuid4())}
    with stack.client() as c:
        response = c.post("/api/v1/applications", json=sample_application | {"project_name": name}, headers=headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"]["project_name"] in (
        "项目名称含有不可见的控制字符，请删除后重新提交", "项目名称含有无法识别的字符（如U+FFFF），请删除后重新提交")


def test_decisions_with_invisible_or_endless_text_are_a_chinese_422(stack):
    headers = stack.token("reviewer")
    url = "/api/v1/applications/1/steps/land_review/actions"
    with stack.client() as c:
        bad_item = {"name": "投资\u000b估算表", "reason": "缺少明细"}
        response = c.post(url, json={"kind": "request_supplement", "items": [bad_item]}, headers=headers)
        assert response.status_code == 422 and "补正材料含有不可见的控制字符" in response.json()["errors"]["items"]
        started = time.monotonic()
        response = c.post(url, json={"kind": "reject", "reasons": "长" * 200_000}, headers=headers)
        assert response.status_code == 422 and response.json()["errors"] == {"reasons": "理由不能超过4000个字"}
        assert time.monotonic() - started < 5


def test_idempotency_keys_longer_than_their_column_are_a_chinese_422(stack, sample_application):
    headers = stack.token("enterprise") | {"Idempotency-Key": "k" * 100}
    with stack.client() as c:
        for url, body in (("/api/v1/applications", sample_application),
                          ("/api/v1/land-to-start/applications", {"project_id": 1}),
                          ("/api/v1/eia/applications", {"project_id": 1, "scale": "年产传感器500万件",
                                                        "facts": {"industry_codes": [{"code": "3983"}]}})):
            response = c.post(url, json=body, headers=headers)
            assert response.status_code == 422, (url, response.text)
            assert "Idempotency-Key" in str(response.json()["errors"]) and "64" in str(response.json()["errors"])


def test_the_application_page_shows_the_message_next_to_the_field(stack, sample_application):
    with _signed_in(stack, "enterprise") as c:
        form = c.get("/applications/new").text
        csrf = form.split('name="csrf_token" value="')[1].split('"')[0]
        fields = {k: v for k, v in sample_application.items() if k != "planned_indicators"}
        fields |= {f"ind_1_{code}": value for code, value in sample_application["planned_indicators"].items()}
        response = c.post("/applications/new", data=fields | {"csrf_token": csrf, "project_name": "项目\u000b名称",
                                                              "idempotency_key": str(uuid.uuid4())})
        assert response.status_code == 422
        assert "项目名称含有不可见的控制字符，请删除后重新提交" in response.text
        response = c.post("/applications/new", data=fields | {"csrf_token": csrf, "idempotency_key": "k" * 100})
        assert response.status_code == 422  # a key the page did not issue: nothing is written
