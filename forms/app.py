"""The FastAPI application: pages (Jinja2, zh-CN), the JSON API v1, health check, error pages."""

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from forms.api.agency import router as agency_api_router
from forms.api.eia import router as eia_api_router
from forms.api.land_to_start import router as land_to_start_api_router
from forms.api.parcels import router as parcels_api_router
from forms.api.records import router as records_api_router
from forms.api.v1 import router as api_router
from forms.deps import LoginRequired, PasswordChangeRequired
from forms.errors import FRAMEWORK_DETAILS_ZH, field_errors
from forms.headers import SecurityHeaders, tile_source
from forms.health import router as health_router
from forms.openapi import install as install_openapi
from forms.outage import install as install_outage_handlers
from forms.refusals import install as install_refusal_handler
from forms.routes.accounts import router as accounts_router
from forms.routes.agency import router as agency_router
from forms.routes.audit import router as audit_router
from forms.routes.case_list import router as case_list_router
from forms.routes.catalogue import router as catalogue_router
from forms.routes.compliance import router as compliance_router
from forms.routes.document_checks import router as document_checks_router
from forms.routes.eia import router as eia_router
from forms.routes.escalations import router as escalations_router
from forms.routes.inbox import router as inbox_router
from forms.routes.integrations import router as integrations_router
from forms.routes.land_to_start import router as land_to_start_router
from forms.routes.materials import router as materials_router
from forms.routes.pages import router as pages_router
from forms.routes.projects import router as projects_router
from forms.routes.public_parcels import router as public_parcels_router
from forms.routes.registration import router as registration_router
from forms.routes.reports import router as reports_router
from forms.routes.review import router as review_router
from forms.routes.sso import router as sso_router
from forms.routes.statistics import router as statistics_router
from forms.routes.verification import router as verification_router
from forms.upload_limit import UploadLimit
from forms.web import page
from services.core.settings import REPO_ROOT, get_settings


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(title="Green Channel 绿色通道 API", version="1", docs_url="/docs",
                  description="标准地预评估、环评告知承诺、拿地即开工与代办服务的审批流程。")
    app.add_middleware(SessionMiddleware, secret_key=settings.effective_secret_key, session_cookie="gc_session",
                       max_age=8 * 3600, same_site="lax", https_only=settings.secure_cookies)
    app.add_middleware(UploadLimit)  # 413 before a too-large body is read (forms/upload_limit.py)
    app.add_middleware(SecurityHeaders, templates=REPO_ROOT / "templates" / "web", hsts=settings.secure_cookies,
                       image_sources=tile_source(settings.map_tile_url))
    app.mount("/static", StaticFiles(directory=str(REPO_ROOT / "templates" / "web" / "static")), name="static")
    app.include_router(health_router)
    app.include_router(pages_router)
    app.include_router(document_checks_router)
    app.include_router(public_parcels_router)
    app.include_router(projects_router)
    app.include_router(materials_router)
    app.include_router(case_list_router)
    app.include_router(integrations_router)
    app.include_router(sso_router)
    app.include_router(review_router)
    app.include_router(statistics_router)
    app.include_router(reports_router)
    app.include_router(eia_router)
    app.include_router(verification_router)
    app.include_router(compliance_router)
    app.include_router(escalations_router)
    app.include_router(inbox_router)
    app.include_router(api_router)
    app.include_router(land_to_start_api_router)
    app.include_router(catalogue_router)
    app.include_router(agency_router)
    app.include_router(accounts_router)
    app.include_router(registration_router)
    app.include_router(audit_router)
    app.include_router(land_to_start_router)
    app.include_router(parcels_api_router)
    app.include_router(records_api_router)
    app.include_router(agency_api_router)
    app.include_router(eia_api_router)

    @app.exception_handler(LoginRequired)
    def _login(request: Request, _exc: LoginRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")  # e.g. a prefilled form
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    def _change_password(request: Request, _exc: PasswordChangeRequired):
        return RedirectResponse("/account/password", status_code=303)

    @app.exception_handler(RequestValidationError)
    def _invalid(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": "参数校验失败", "errors": field_errors(exc.errors())}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    def _http_error(request: Request, exc: StarletteHTTPException):
        path = request.url.path
        if path.startswith("/api/") or path in ("/healthz", "/readyz", "/docs", "/openapi.json"):
            return JSONResponse({"detail": FRAMEWORK_DETAILS_ZH.get(exc.detail, exc.detail)},
                                status_code=exc.status_code, headers=exc.headers)
        return page(request, "error.html", status_code=exc.status_code, status=exc.status_code,
                    message=FRAMEWORK_DETAILS_ZH.get(exc.detail, exc.detail))

    install_refusal_handler(app)  # any DomainError: its status, its Chinese message, its fields
    install_outage_handlers(app)
    install_openapi(app)  # errors documented as they are answered: {detail, errors}
    return app
