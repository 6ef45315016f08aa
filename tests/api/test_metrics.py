"""GET /metrics, the request-id and Server-Timing headers, and bounded label sets."""

from __future__ import annotations

import logging
import time

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample
from starlette.types import Receive, Scope, Send

from jobfirst_ai.api.metrics import AppMetrics, MetricsMiddleware, _cache_counts
from jobfirst_ai.errors import ProviderUnavailable
from jobfirst_ai.llm.cache import CachingProvider, MemoryCache
from jobfirst_ai.llm.metering import MeteredProvider
from jobfirst_ai.llm.standin import ThreadedStandin
from jobfirst_ai.llm.testing import ScriptedProvider
from jobfirst_ai.llm.types import ChatRequest, Message
from jobfirst_ai.logs import JsonFormatter, RequestIdFilter, TextFormatter
from jobfirst_ai.telemetry import add_model_wait, request_context
from tests.conftest import ClientFactory, SettingsFactory
from tests.support.api import SECRET, bearer, make_token
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]


def _samples(client: TestClient, name: str) -> list[Sample]:
    response = client.get("/metrics")
    assert response.status_code == 200
    families = {family.name: family for family in text_string_to_metric_families(response.text)}
    return list(families[name].samples) if name in families else []


def _series(client: TestClient) -> int:
    text = client.get("/metrics").text
    return sum(len(family.samples) for family in text_string_to_metric_families(text))


def test_the_page_parses_and_names_every_metric(client: TestClient) -> None:
    response = client.get("/metrics")

    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert response.headers["content-type"].startswith("text/plain; version=")
    assert {
        "jobfirst_http_requests",
        "jobfirst_http_request_seconds",
        "jobfirst_http_in_flight",
        "jobfirst_model_call_seconds",
        "jobfirst_model_tokens",
        "jobfirst_model_cost",
        "jobfirst_budget_used_ratio",
        "jobfirst_breaker_open",
        "jobfirst_cache_requests",
        "jobfirst_task_queue_depth",
    } <= names


def test_routes_are_counted_by_template_not_raw_path(client: TestClient) -> None:
    client.get("/api/v1/ai/jobs/x1")
    client.get("/api/v1/ai/jobs/x2")
    client.get("/no/such/page")

    routes = {s.labels["route"]: s.value for s in _samples(client, "jobfirst_http_requests") if s.value}
    assert routes["/api/v1/ai/jobs/{job_id}"] == 2
    assert routes["unmatched"] == 1
    assert not any("x1" in route for route in routes)


def test_series_stay_bounded_after_10000_requests_from_1000_users(make_client: ClientFactory) -> None:
    client = make_client(jwt_secret=SECRET)
    users = [bearer(make_token(f"user-{index}")) for index in range(1000)]
    client.get("/metrics")
    before = _series(client)
    started = time.perf_counter()
    for index in range(10_000):
        client.get(f"/api/v1/ai/jobs/job-{index}", headers=users[index % 1000])

    after = _series(client)
    # One route x 404 plus the /metrics route: two counter series, two histograms of 17 samples each.
    assert after - before <= 40, f"{after - before} new series"
    assert time.perf_counter() - started < 120


def test_every_response_carries_its_request_id_and_server_timing(client: TestClient) -> None:
    given = client.get("/health", headers={"X-Request-ID": "abc-123"})
    made = client.get("/health")

    assert given.headers["x-request-id"] == "abc-123"
    assert len(made.headers["x-request-id"]) == 32
    assert given.headers["server-timing"].startswith("app;dur=")
    assert ", model;dur=0.0" in given.headers["server-timing"]


def test_in_flight_returns_to_zero(client: TestClient) -> None:
    for _ in range(3):
        client.get("/health")

    (sample,) = _samples(client, "jobfirst_http_in_flight")
    assert sample.value == 1  # the scrape itself


def test_metrics_can_be_turned_off(make_client: ClientFactory) -> None:
    assert make_client(metrics_enabled=False).get("/metrics").status_code == 404


def test_breaker_state_is_read_at_scrape_time(make_client: ClientFactory, standin: ThreadedStandin) -> None:
    client = make_client(
        external_ai_provider="deepseek",
        external_ai_api_key="sk-test-key-for-the-standin",
        external_ai_base_url=standin.url,
        ai_breaker_failures=1,
    )
    assert [(s.labels, s.value) for s in _samples(client, "jobfirst_breaker_open")] == [
        ({"provider": "deepseek"}, 0.0)
    ]
    (breaker,) = client.app.state.services.chain.breakers  # type: ignore[attr-defined]
    with pytest.raises(ProviderUnavailable), breaker.guard():
        raise ProviderUnavailable("down", provider="deepseek")

    assert [s.value for s in _samples(client, "jobfirst_breaker_open")] == [1.0]
    assert {s.labels["result"] for s in _samples(client, "jobfirst_cache_requests")} == {"hit", "miss"}


def test_model_calls_use_configured_labels_and_warn_when_slow(
    make_settings: SettingsFactory, caplog: pytest.LogCaptureFixture
) -> None:
    from fastapi import FastAPI

    metrics = AppMetrics(FastAPI(), make_settings(external_ai_model="deepseek-chat"))
    with caplog.at_level(logging.WARNING, logger="jobfirst_ai.api.metrics"):
        metrics.model.observe(provider="deepseek", model="deepseek-chat", outcome="ok", seconds=6.0)
        metrics.model.observe(
            provider="acme", model="user-42-model", outcome="weird", seconds=1.0, cache_hit_tokens=5, cost=0.1
        )

    series = _model_series(metrics)
    assert ("deepseek", "deepseek-chat", "ok") in series
    assert series == {("deepseek", "deepseek-chat", "ok"), ("other", "other", "other")}
    assert [record.levelname for record in caplog.records] == ["WARNING"]
    assert "slow model call" in caplog.records[0].getMessage()


def _model_series(metrics: AppMetrics) -> set[tuple[str, str, str]]:
    return {
        (s.labels["provider"], s.labels["model"], s.labels["outcome"])
        for family in metrics.registry.collect()
        if family.name == "jobfirst_model_call_seconds"
        for s in family.samples
        if s.name.endswith("_count")
    }


async def test_server_timing_subtracts_model_wait(make_settings: SettingsFactory) -> None:
    from fastapi import FastAPI

    async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        add_model_wait(2.0)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[dict[str, object]] = []

    async def capture(message: dict[str, object]) -> None:  # type: ignore[misc]
        sent.append(message)

    middleware = MetricsMiddleware(endpoint, AppMetrics(FastAPI(), make_settings()).http)
    with request_context("r-1"):
        await middleware({"type": "http", "method": "GET", "path": "/x"}, _no_body, capture)  # type: ignore[arg-type]

    headers = dict(sent[0]["headers"])  # type: ignore[call-overload]
    app_ms, model_ms = (part.split("=")[1] for part in headers[b"server-timing"].decode().split(", "))
    assert float(model_ms) == 2000.0
    assert float(app_ms) < 100


async def test_metered_calls_feed_model_metrics_and_the_cache_counts(make_settings: SettingsFactory) -> None:
    from fastapi import FastAPI

    metrics = AppMetrics(FastAPI(), make_settings(external_ai_model="deepseek-flash"))
    cached = CachingProvider(ScriptedProvider(["hi"], name="deepseek", model="deepseek-flash"), MemoryCache())
    metered = MeteredProvider(cached, metrics.model)
    request = ChatRequest(messages=(Message(role="user", content="hello"),))
    with request_context("r-2") as timing:
        for _ in range(2):
            await metered.complete(request, deadline=time.monotonic() + 5)

    assert _model_series(metrics) == {("deepseek", "deepseek-flash", "ok")}
    assert _cache_counts(metered) == (1, 1)
    assert timing.model_wait_seconds > 0


async def _no_body() -> dict[str, object]:
    return {"type": "http.request", "body": b""}


@pytest.mark.parametrize("formatter", [JsonFormatter(), TextFormatter()], ids=["json", "text"])
def test_log_lines_during_a_request_carry_its_id(formatter: logging.Formatter) -> None:
    record = logging.LogRecord("jobfirst_ai.x", logging.INFO, __file__, 1, "hello", None, None)
    with request_context("req-77"):
        RequestIdFilter().filter(record)

    assert "req-77" in formatter.format(record)


def test_the_page_has_the_process_memory_and_cpu(client: TestClient) -> None:
    names = {family.name for family in text_string_to_metric_families(client.get("/metrics").text)}
    assert {"process_resident_memory_bytes", "process_cpu_seconds"} <= names
