"""The OpenAPI document tells the truth about errors: one ``ErrorOut`` body for every error of the API.

FastAPI documents a 422 as its own ``HTTPValidationError`` (``{detail: [{loc, msg, type}]}``), but this app
answers a validation error as ``{"detail": "参数校验失败", "errors": {field: 中文}}`` (``forms.app``,
``forms.errors``) and every other error as ``{"detail": "…"}``. ``install`` post-processes the generated
document once: each ``/api/`` operation lists the error statuses it can answer — the ones its route declares
(403, 409, 429 …) and the ones that follow from its shape:

- 401 when it needs a bearer token (``forms.deps.api_user``);
- 404 when its path has parameters (a row that does not exist, or that the user may not see);
- 400 when it takes a body that cannot be decoded at all (not UTF-8 JSON, a broken form);
- 413 when it takes a body (``forms.upload_limit``), 422 when it takes parameters or a body;
- 503 with ``Retry-After`` always (the database is unavailable, ``forms.outage``);

and each of them has the ``ErrorOut`` schema. A 500 is never documented: it is a bug
(``tests/api/test_api_contract.py`` runs Schemathesis against the running app to keep all of this true).
This module changes what the document says, never what the app answers.
"""

from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

ERROR_REF = "#/components/schemas/ErrorOut"
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before retrying", "required": True,
                               "schema": {"type": "string", "pattern": "^[0-9]+$"}}}
GENERIC = {
    "400": "the body cannot be decoded (not UTF-8 JSON, or a broken form)",
    "401": "not signed in, or the token expired or was revoked (未登录或令牌已过期)",
    "404": "no such row, or the user may not see it (未找到，或您无权查看)",
    "413": "request body over the upload limit (上传内容过大)",
    "422": "invalid parameter or body: `errors` maps each field to a Chinese message",
    "503": "database temporarily unavailable: retry after `Retry-After` seconds with the same Idempotency-Key",
}


class ErrorOut(BaseModel):
    """Every error answer of the API."""

    detail: str = Field(description="中文说明", examples=["参数校验失败"])
    errors: dict[str, str] | None = Field(None, description="字段 → 中文说明（参数校验失败时）",
                                          examples=[{"land_area_mu": "用地面积（亩）必须大于0"}])


def install(app: FastAPI) -> None:
    """Make ``app.openapi()`` (and so ``/openapi.json`` and ``/docs``) describe the real error answers."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_errors(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema


def describe_errors(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["ErrorOut"] = ErrorOut.model_json_schema()
    for path, operations in document.get("paths", {}).items():
        if path.startswith("/api/"):
            for operation in operations.values():
                _describe_operation(operation)
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused not in str(document["paths"]):
            schemas.pop(unused, None)
    return document


def _describe_operation(operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    parameters = operation.get("parameters", [])
    body = "requestBody" in operation
    implied = {"400": body, "401": bool(operation.get("security")), "404": any(p["in"] == "path" for p in parameters),
               "413": body, "422": bool(parameters) or body, "503": True}
    for status, applies in implied.items():
        if applies:
            responses.setdefault(status, {"description": GENERIC[status]})
    for status, response in responses.items():
        if status[0] in "45":
            if response.get("description") in (None, "", "Validation Error"):
                response["description"] = GENERIC.get(status, "error")
            media = response.setdefault("content", {}).setdefault("application/json", {})
            media["schema"] = {"$ref": ERROR_REF}
            if status in ("429", "503"):
                response.setdefault("headers", {}).update(RETRY_AFTER)
