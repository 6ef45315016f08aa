"""Prometheus metrics of one app: HTTP traffic, model calls, and service state read at scrape time.

Every label is bounded: routes are matched templates (`/api/v1/ai/jobs/{job_id}`, never the raw path;
`unmatched` otherwise), providers and models come from configuration (anything else reads `other`), and
no label carries a user. Each app owns its `CollectorRegistry`, so many apps in one process never clash.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jobfirst_ai.config import Settings
from jobfirst_ai.telemetry import add_model_wait, current_timing

if TYPE_CHECKING:
    from fastapi import FastAPI

    from jobfirst_ai.api.state import Services
    from jobfirst_ai.llm.metering import CallRecord

__all__ = ["AppMetrics", "HttpMetrics", "MetricsMiddleware", "ModelMetrics", "route_template"]

logger = logging.getLogger(__name__)

OTHER = "other"
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
PROVIDERS = frozenset({"deepseek", "openai", "gemini", "ollama", "openai_compatible"})
OUTCOMES = frozenset(
    {
        "ok",
        "error",
        "timeout",
        "rate_limited",
        "unavailable",
        "circuit_open",
        "cancelled",
        "busy",
        "budget_exceeded",
        "auth_failed",
        "insufficient_balance",
        "bad_request",
    }
)
CURRENCIES = frozenset({"USD", "CNY"})
# Model calls run from ~0.1 s (cache-warm local model) to the 30 s default timeout and beyond.
MODEL_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0)


class HttpMetrics:
    """Request count, latency and in-flight requests, by method and route template."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "jobfirst_http_requests",
            "HTTP requests answered, by method, route template and status code",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "jobfirst_http_request_seconds",
            "Time from request to the end of the response, by method and route template",
            ["method", "route"],
            registry=registry,
        )
        self.in_flight = Gauge("jobfirst_http_in_flight", "HTTP requests being served", registry=registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one finished request."""
        method = method if method in METHODS else OTHER
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


class ModelMetrics:
    """Model-call latency, tokens, cost and the budget; fed by the metering layer, one call per model call.

    `observe` also counts the call's wait against the current request (the `Server-Timing` overhead) and
    logs a warning when the call took longer than AI_SLOW_CALL_SECONDS.
    """

    def __init__(self, registry: CollectorRegistry, settings: Settings) -> None:
        self.slow_seconds = settings.ai_slow_call_seconds
        self.providers = set(PROVIDERS)
        self.models = {name for name in (settings.external_ai_model, settings.ollama_model) if name}
        labels = ["provider", "model"]
        self.latency = Histogram(
            "jobfirst_model_call_seconds",
            "Model call latency (retries included), by provider, model and outcome",
            [*labels, "outcome"],
            buckets=MODEL_BUCKETS,
            registry=registry,
        )
        self.tokens = Counter(
            "jobfirst_model_tokens",
            "Tokens by kind: cache_hit and cache_miss (prompt), completion (reasoning included), reasoning",
            [*labels, "kind"],
            registry=registry,
        )
        self.cost = Counter(
            "jobfirst_model_cost", "Model spend by currency", [*labels, "currency"], registry=registry
        )

    def allow_models(self, names: Iterable[str | None]) -> None:
        """Admit these model names as label values (the configured chain's; others read `other`)."""
        self.models.update(name for name in names if name)

    def observe(  # noqa: PLR0913 - one flat record, field by field, so no layer needs another's types
        self,
        *,
        provider: str,
        model: str,
        outcome: str,
        seconds: float,
        cache_hit_tokens: int = 0,
        cache_miss_tokens: int = 0,
        completion_tokens: int = 0,
        reasoning_tokens: int = 0,
        cost: float = 0.0,
        currency: str = "USD",
    ) -> None:
        """Record one real model call (not a response-cache hit: that cost no call)."""
        add_model_wait(seconds)
        if seconds >= self.slow_seconds:
            logger.warning("slow model call: %s/%s took %.1fs (%s)", provider, model, seconds, outcome)
        labels = (
            provider if provider in self.providers else OTHER,
            model if model in self.models else OTHER,
        )
        outcome = outcome.removeprefix("provider_")  # error codes: provider_timeout, provider_busy, ...
        self.latency.labels(*labels, outcome if outcome in OUTCOMES else OTHER).observe(seconds)
        kinds = {
            "cache_hit": cache_hit_tokens,
            "cache_miss": cache_miss_tokens,
            "completion": completion_tokens,
            "reasoning": reasoning_tokens,
        }
        for kind, count in kinds.items():
            if count > 0:
                self.tokens.labels(*labels, kind).inc(count)
        if cost > 0:
            self.cost.labels(*labels, currency if currency in CURRENCIES else OTHER).inc(cost)

    def record(self, call: CallRecord) -> None:
        """A `UsageSink`: observe one metered call. A response-cache hit is skipped here (it cost no call
        and no wait); `jobfirst_cache_requests` counts it."""
        if call.is_cache_hit:
            return
        cost, currency = (call.cost_usd, "USD") if call.cost_usd is not None else (call.cost_cny, "CNY")
        self.observe(
            provider=call.provider,
            model=call.model,
            outcome=call.outcome,
            seconds=call.latency_ms / 1000,
            cache_hit_tokens=call.cache_hit_tokens,
            cache_miss_tokens=call.cache_miss_tokens,
            completion_tokens=call.completion_tokens,
            reasoning_tokens=call.reasoning_tokens,
            cost=float(cost or 0),
            currency=currency,
        )


class ServiceCollector(Collector):
    """State read at scrape time: breakers, the response cache, and the task queue depth."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self.queue_depth = 0

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        services: Services | None = getattr(self.app.state, "services", None)
        yield GaugeMetricFamily(
            "jobfirst_task_queue_depth", "Analyses queued and not yet claimed", value=self.queue_depth
        )
        breakers = GaugeMetricFamily(
            "jobfirst_breaker_open", "1 while a provider's circuit is open or half open", labels=["provider"]
        )
        cache = CounterMetricFamily(
            "jobfirst_cache_requests", "Response-cache lookups by result", labels=["result"]
        )
        chain = services.chain if services is not None else None
        if chain is not None:
            for breaker in chain.breakers:
                breakers.add_metric([breaker.name], 0.0 if breaker.state == "closed" else 1.0)
            hits, misses = _cache_counts(chain.provider)
            cache.add_metric(["hit"], hits)
            cache.add_metric(["miss"], misses)
        yield breakers
        yield cache
        yield CounterMetricFamily(
            "jobfirst_analyses_reused",
            "Analyses answered from the caller's stored analysis of the same text (no engine, no model call)",
            value=services.resumes.reused if services is not None else 0,
        )
        budget = GaugeMetricFamily(
            "jobfirst_budget_used_ratio",
            "Share of each platform-wide budget limit used (1 = exhausted: calls degrade to the engine)",
            labels=["period", "unit"],
        )
        if services is not None and services.budget is not None:
            for (period, unit), ratio in sorted(services.budget.global_ratios.items()):
                budget.add_metric([period, unit], ratio)
        yield budget
        if services is not None and services.redis is not None:
            yield GaugeMetricFamily(
                "jobfirst_redis_up",
                "1 while Redis answers; 0 while cache, budgets and limits fall back to this process",
                value=1.0 if services.redis.is_up else 0.0,
            )


class AppMetrics:
    """The registry of one app and everything in it."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        # process_resident_memory_bytes, process_cpu_seconds_total, open fds (Linux /proc): for capacity
        ProcessCollector(registry=self.registry)
        self.http = HttpMetrics(self.registry)
        self.model = ModelMetrics(self.registry, settings)
        self.service = ServiceCollector(app)
        self.registry.register(self.service)

    def use_services(self, services: Services) -> None:
        """Admit the configured chain's model names as label values, once services have started."""
        if services.chain is not None:
            self.model.allow_models(backend.model for backend in services.chain.backends)


def route_template(scope: Scope) -> str:
    """The matched route's path template with its router prefix, or `unmatched`.

    Newer FastAPI keeps an included route's own path (`/jobs/{job_id}`) on `scope["route"]`; the prefix
    is what the raw path has before the part that route matched, and router prefixes are literal.
    """
    route = scope.get("route")
    template = getattr(route, "path_format", None)
    pattern = getattr(route, "path_regex", None)
    if not isinstance(template, str) or not isinstance(pattern, re.Pattern):
        return "unmatched"
    path: str = scope.get("path", "")
    match = re.search(pattern.pattern.removeprefix("^"), path)
    prefix = path[: match.start()] if match else ""
    return prefix + template


def _cache_counts(provider: object) -> tuple[int, int]:
    """Hits and upstream calls of the CachingProvider in the stack (wrappers keep theirs in `inner`)."""
    from jobfirst_ai.llm.cache import CachingProvider

    while provider is not None and not isinstance(provider, CachingProvider):
        provider = getattr(provider, "inner", None)
    if isinstance(provider, CachingProvider):
        return provider.hits, provider.upstream_calls
    return 0, 0


class MetricsMiddleware:
    """Counts each request by route template, tracks in-flight requests, and sends `Server-Timing`.

    `Server-Timing: app;dur=<ms>, model;dur=<ms>`: `app` is the service's own time up to the response
    head minus the model wait the metering layer reported (`model`). A streamed answer's head goes out
    before its model finishes, so there it covers the time to the first byte.
    """

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_timing(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"server-timing", _server_timing(started)))
            await send(message)

        self.metrics.in_flight.inc()
        try:
            await self.app(scope, receive, send_with_timing)
        finally:
            self.metrics.in_flight.dec()
            elapsed = time.perf_counter() - started
            self.metrics.observe(scope["method"], route_template(scope), status, elapsed)


def _server_timing(started: float) -> bytes:
    timing = current_timing()
    model_ms = timing.model_wait_seconds * 1000 if timing is not None else 0.0
    total_ms = (time.perf_counter() - started) * 1000
    app_ms = max(0.0, total_ms - model_ms)
    return f"app;dur={app_ms:.1f}, model;dur={model_ms:.1f}".encode()
