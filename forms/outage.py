"""What a user sees when something behind the web app fails: a clear 503 in Chinese, never a traceback.

A database that drops connections or restarts answers 503 with ``Retry-After`` (the request's transaction
was rolled back; an API client retries with the same ``Idempotency-Key`` and gets its application once).
Anything else unexpected is logged with its traceback and answered 500 with a Chinese message.
"""

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from forms.web import page

log = logging.getLogger("greenchannel.web")

DATABASE_DOWN_ZH = "系统数据库暂时不可用，请稍后重试。若提交后未看到成功提示，请原样重新提交，不会重复登记。"
INTERNAL_ERROR_ZH = "系统内部错误，已记录，请稍后重试或联系绿色通道服务中心。"
RETRY_AFTER_SECONDS = "5"


def _is_outage(error: Exception) -> bool:
    if isinstance(error, OperationalError | DisconnectionError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def _answer(request: Request, status: int, message: str):
    headers = {"Retry-After": RETRY_AFTER_SECONDS} if status == 503 else {}
    if request.url.path.startswith("/api/") or request.url.path in ("/healthz", "/readyz"):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    response = page(request, "error.html", status_code=status, status=status, message=message)
    response.headers.update(headers)
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(DBAPIError)
    def _database_error(request: Request, error: DBAPIError):
        if _is_outage(error):
            log.warning("database unavailable during %s %s: %s", request.method, request.url.path, error.orig)
            return _answer(request, 503, DATABASE_DOWN_ZH)
        log.exception("database error during %s %s", request.method, request.url.path, exc_info=error)
        return _answer(request, 500, INTERNAL_ERROR_ZH)

    @app.exception_handler(PoolTimeout)
    def _pool_timeout(request: Request, error: PoolTimeout):
        return _answer(request, 503, DATABASE_DOWN_ZH)

    @app.exception_handler(Exception)
    def _unexpected(request: Request, error: Exception):
        log.error("unexpected error during %s %s", request.method, request.url.path, exc_info=error)
        return _answer(request, 500, INTERNAL_ERROR_ZH)
