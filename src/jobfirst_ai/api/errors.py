"""The one place that maps errors to HTTP: every error body is {"error": {code, message, request_id}}."""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sql_errors
from starlette.exceptions import HTTPException

from jobfirst_ai.db.session import is_database_unavailable
from jobfirst_ai.errors import AuthError, DatabaseUnavailable, JobFirstError, TooManyRequests

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "file_too_large",
    415: "unsupported_media_type",
}


def error_response(
    request: Request, status: int, code: str, message: str, details: list[Any] | None = None
) -> JSONResponse:
    """The shared error shape."""
    body: dict[str, Any] = {"code": code, "message": message, "request_id": request_id_of(request)}
    if details:
        body["details"] = details
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def request_id_of(request: Request) -> str | None:
    """The request id the middleware assigned."""
    return getattr(request.state, "request_id", None)


async def _on_service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JobFirstError)
    if isinstance(exc, AuthError):
        logger.info("rejected token: %s", exc.code)
    response = error_response(request, exc.status, exc.code, exc.message)
    if isinstance(exc, TooManyRequests | DatabaseUnavailable):
        response.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    return response


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    """A database outage is 503 (nothing was stored; retry), never 500; other database errors are bugs."""
    if not is_database_unavailable(exc):
        return await _on_unexpected(request, exc)
    logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, type(exc).__name__)
    message = "数据库暂时不可用，请稍后重试 / The database is temporarily unavailable; please retry shortly."
    return await _on_service_error(request, DatabaseUnavailable(message))


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [{"loc": list(error.get("loc", ())), "msg": error.get("msg", "")} for error in exc.errors()]
    return error_response(
        request, 422, "validation_error", "请求格式不正确 / The request is invalid.", details
    )


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    return error_response(request, exc.status_code, code, str(exc.detail))


async def _on_unexpected(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "internal_error", "服务内部错误 / Internal error; please retry.")


def install_error_handlers(app: FastAPI) -> None:
    """Register the mapping on `app`."""
    app.add_exception_handler(JobFirstError, _on_service_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(HTTPException, _on_http_error)
    # The driver's socket errors (OSError) reach here unwrapped; the handler tells them from other ones.
    for database_error in (sql_errors.DBAPIError, sql_errors.TimeoutError, OSError):
        app.add_exception_handler(database_error, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected)
