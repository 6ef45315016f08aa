"""The app factory: services are built once in the lifespan; routes are wired here."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from jobfirst_ai import __version__
from jobfirst_ai.api.deps import enforce_rate_limits
from jobfirst_ai.api.errors import install_error_handlers
from jobfirst_ai.api.metrics import AppMetrics, MetricsMiddleware
from jobfirst_ai.api.middleware import RequestIdMiddleware
from jobfirst_ai.api.routes import chat, health, interview, jobs, matching, resume, usage
from jobfirst_ai.api.routes import metrics as metrics_page
from jobfirst_ai.api.state import start_services, stop_services
from jobfirst_ai.config import Settings, load_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """The ASGI application; settings are read from the environment when not given."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Model calls feed the usage records and, synchronously within the request, the metrics.
        app.state.services = await start_services(settings, app.state.metrics.model)
        app.state.metrics.use_services(app.state.services)
        # What start-up built (the skill dictionary alone is ~150,000 objects) lives as long as the app:
        # kept out of the cyclic collector's scans, a full collection every ~1,000 requests takes ~1 ms
        # instead of ~50 ms. Thawed at shutdown so that an app's objects can still be collected.
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            await stop_services(app.state.services)

    app = FastAPI(
        title="JobFirst AI",
        version=__version__,
        description="Resume analysis and job matching for JobFirst, with a built-in offline engine.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.state.metrics = AppMetrics(app, settings)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics.http)  # inside: sees the request id
    app.add_middleware(RequestIdMiddleware)
    if settings.metrics_enabled:
        app.include_router(metrics_page.router)
    app.include_router(health.router)
    limited = [Depends(enforce_rate_limits)]  # per-user rate limits on the AI work (not postings or usage)
    app.include_router(resume.router, prefix="/api/v1/ai", dependencies=limited)
    app.include_router(jobs.router, prefix="/api/v1/ai")
    app.include_router(matching.router, prefix="/api/v1/ai", dependencies=limited)
    app.include_router(interview.router, prefix="/api/v1/ai", dependencies=limited)
    app.include_router(chat.router, prefix="/api/v1/ai", dependencies=limited)
    app.include_router(usage.router, prefix="/api/v1/ai")
    return app
