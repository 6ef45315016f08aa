"""GET /api/v1/ai/usage: metered model calls of the caller (or, for an admin, everyone's by user)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jobfirst_ai.features.resume.enrich import user_tag
from jobfirst_ai.llm.standin import ThreadedStandin
from tests.conftest import ClientFactory
from tests.support.api import SECRET, bearer, fixture_bytes, make_token
from tests.support.standin import model_settings, standin, standin_server

__all__ = ["standin", "standin_server"]

RESUME = fixture_bytes("resume_zh_software.md").decode("utf-8")
ALICE, BOB = bearer(make_token("alice")), bearer(make_token("bob"))
ADMIN = bearer(make_token("root", roles=["admin"]))


def _client(make_client: ClientFactory, standin: ThreadedStandin, **overrides: Any) -> TestClient:
    return make_client(**model_settings(standin, jwt_secret=SECRET, **overrides))


def _analyze(client: TestClient, headers: dict[str, str], content: str = RESUME) -> None:
    # refresh: analyse anew each time (a repeat would reuse the stored analysis and make no model call)
    response = client.post(
        "/api/v1/ai/resume/analyze", json={"content": content}, headers=headers, params={"refresh": "true"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["engine"] == "deepseek"


def _usage(client: TestClient, headers: dict[str, str], period: str = "day") -> dict[str, Any]:
    response = client.get("/api/v1/ai/usage", params={"period": period}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_two_analyses_show_two_model_calls_with_tokens_and_cost(
    make_client: ClientFactory, standin: ThreadedStandin, database_url: str
) -> None:
    client = _client(make_client, standin, database_url=database_url)
    _analyze(client, ALICE)
    _analyze(client, ALICE, RESUME + "\n熟悉 Redis。")

    usage = _usage(client, ALICE)

    assert (usage["scope"], usage["requests"], usage["errors"], usage["cache_hits"]) == ("own", 2, 0, 0)
    assert usage["tokens"]["prompt"] > 0 and usage["tokens"]["completion"] > 0
    assert usage["tokens"]["total"] == usage["tokens"]["prompt"] + usage["tokens"]["completion"]
    assert Decimal(usage["estimated_cost_usd"]) > 0 and Decimal(usage["estimated_cost_cny"]) > 0
    assert usage["avg_response_ms"] > 0 and usage["p95_response_ms"] >= usage["avg_response_ms"] * 0.5
    assert [(group["key"], group["requests"]) for group in usage["by_feature"]] == [("resume_analysis", 2)]
    assert [(group["key"], group["requests"]) for group in usage["by_model"]] == [("deepseek-flash", 2)]
    assert usage["by_user"] is None
    assert [(line["scope"], line["period"], line["unit"]) for line in usage["budgets"]] == []  # no user limit


def test_a_repeated_analysis_is_a_cache_hit_that_costs_nothing(
    make_client: ClientFactory, standin: ThreadedStandin
) -> None:
    client = _client(make_client, standin)
    _analyze(client, ALICE)
    _analyze(client, ALICE)

    usage = _usage(client, ALICE)

    assert (usage["requests"], usage["cache_hits"], usage["cache_hit_rate"]) == (2, 1, 0.5)


def test_a_user_sees_their_own_and_an_admin_sees_everyone_by_user(
    make_client: ClientFactory, standin: ThreadedStandin
) -> None:
    client = _client(make_client, standin)
    _analyze(client, ALICE)
    _analyze(client, BOB, RESUME + "\n熟悉 Redis。")

    alice, bob, admin = _usage(client, ALICE), _usage(client, BOB), _usage(client, ADMIN)

    assert (alice["requests"], bob["requests"]) == (1, 1)
    assert (admin["scope"], admin["requests"]) == ("all", 2)
    by_user = {group["key"]: group["requests"] for group in admin["by_user"]}
    assert by_user == {user_tag("alice"): 1, user_tag("bob"): 1}


@pytest.mark.parametrize("period", ["day", "month"])
def test_both_periods_report_the_calls_of_today(
    make_client: ClientFactory, standin: ThreadedStandin, period: str
) -> None:
    client = _client(make_client, standin)
    _analyze(client, ALICE)

    usage = _usage(client, ALICE, period)

    assert (usage["period"], usage["requests"]) == (period, 1)
    assert usage["daily"][-1]["requests"] == 1
    assert len(usage["daily"]) == 1 if period == "day" else len(usage["daily"]) >= 1


def test_usage_needs_a_token_and_a_known_period(make_client: ClientFactory, standin: ThreadedStandin) -> None:
    client = _client(make_client, standin)

    assert client.get("/api/v1/ai/usage").status_code == 401
    assert client.get("/api/v1/ai/usage", params={"period": "year"}, headers=ALICE).status_code == 422


def test_without_a_model_usage_is_empty(client: TestClient) -> None:
    usage = _usage(client, {})

    assert (usage["requests"], usage["estimated_cost_usd"], usage["p95_response_ms"]) == (0, "0", 0.0)


def test_model_calls_through_the_service_show_on_the_metrics_page(
    make_client: ClientFactory, standin: ThreadedStandin
) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    client = _client(make_client, standin)
    _analyze(client, ALICE)

    page = client.get("/metrics").text
    samples = {
        (sample.name, sample.labels.get("kind")): sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
    }
    assert samples[("jobfirst_model_tokens_total", "cache_miss")] > 0
    assert samples[("jobfirst_model_call_seconds_count", None)] >= 1
