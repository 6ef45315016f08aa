"""Prometheus metrics page (mounted only when METRICS_ENABLED)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from jobfirst_ai.api.deps import ServicesDep
from jobfirst_ai.api.metrics import AppMetrics

router = APIRouter(tags=["health"])


@router.get("/metrics", summary="Prometheus metrics (text exposition; no auth: scrape on a private network)")
async def metrics(request: Request, services: ServicesDep) -> Response:
    """The app's metrics; the task queue depth is counted now, breakers and cache are read now."""
    app_metrics: AppMetrics = request.app.state.metrics
    app_metrics.service.queue_depth = await services.runner.queue_depth()
    return Response(generate_latest(app_metrics.registry), media_type=CONTENT_TYPE_LATEST)
