"""The one answer to a domain refusal (``services.core.errors.DomainError``) no route answered itself.

API requests get ``{"detail": 中文, "errors": {field: 中文}}`` with the error's own status (422 what the
person can correct, 403 what they may not do, 409 the case moved on under them); pages get the error
page with that status and message. The request's transaction was rolled back by the session
dependency before this runs. Pages that re-show a filled-in form catch the error themselves (they
need the form's values); everything else lets it rise to here.
"""

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from forms.web import page
from services.core.errors import DomainError


def answer(request: Request, error: DomainError) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": error.message, "errors": error.errors}, status_code=error.status)
    return page(request, "error.html", status_code=error.status, status=error.status, message=error.message)


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    def _refused(request: Request, error: DomainError) -> Response:
        return answer(request, error)
