"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from jobfirst_ai import __version__
from jobfirst_ai.api.deps import ServicesDep

router = APIRouter(tags=["health"])


@router.get("/health", summary="Liveness: the process answers")
async def health() -> dict[str, str]:
    """Always 200 while the process runs."""
    return {"status": "ok", "version": __version__}


@router.get("/ready", summary="Readiness: the database answers and workers run", response_model=None)
async def ready(services: ServicesDep) -> JSONResponse:
    """200 when the service can take work, 503 otherwise (a load balancer stops sending traffic)."""
    checks: dict[str, str] = {}
    try:
        async with services.database.connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {type(error).__name__}"
    checks["workers"] = "ok" if services.runner.is_running else "stopped"
    is_ready = all(value == "ok" for value in checks.values())
    body = {"status": "ready" if is_ready else "not_ready", "checks": checks}
    return JSONResponse(body, status_code=200 if is_ready else 503)
