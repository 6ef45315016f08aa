"""Budgets through the HTTP API: past a limit the platform keeps answering with the built-in engine and
says so; the usage report shows used and remaining; the metrics page shows the platform's share used."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from jobfirst_ai.llm.standin import ThreadedStandin
from tests.conftest import ClientFactory
from tests.support.api import SECRET, bearer, fixture_bytes, make_token
from tests.support.standin import model_settings, standin, standin_server

__all__ = ["standin", "standin_server"]

RESUMES = {
    "zh": fixture_bytes("resume_zh_software.md").decode("utf-8"),
    "en": fixture_bytes("resume_en_software.md").decode("utf-8"),
}
ALICE, BOB = bearer(make_token("alice")), bearer(make_token("bob"))
ADMIN = bearer(make_token("root", roles=["admin"]))


def _client(make_client: ClientFactory, standin: ThreadedStandin, **overrides: Any) -> TestClient:
    return make_client(**model_settings(standin, ai_cache_ttl_seconds=0, jwt_secret=SECRET, **overrides))


def _analyze(client: TestClient, headers: dict[str, str], language: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/ai/resume/analyze",
        json={"content": RESUMES[language]},
        headers=headers,
        params={"refresh": "true"},
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _budgets(client: TestClient, headers: dict[str, str], period: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/ai/usage", params={"period": period}, headers=headers)
    assert response.status_code == 200, response.text
    budgets: list[dict[str, Any]] = response.json()["budgets"]
    return budgets


@pytest.mark.parametrize("language", ["zh", "en"])
def test_past_the_monthly_limit_analyses_degrade_to_the_engine_and_say_why(
    make_client: ClientFactory, standin: ThreadedStandin, language: str, caplog: pytest.LogCaptureFixture
) -> None:
    # One analysis uses ~1,400 tokens and reserves more (its prompt over-estimated, plus 1,500 of output):
    # a 12,000-token month admits a few, then every later one is answered by the engine.
    client = _client(make_client, standin, max_monthly_tokens=12_000)
    with caplog.at_level(logging.WARNING, logger="jobfirst_ai.llm.budget"):
        results = [_analyze(client, ALICE, language) for _ in range(12)]
    calls = len(standin.exchanges())
    [line] = _budgets(client, ADMIN, "month")

    engines = [result["engine"] for result in results]
    answered = engines.count("deepseek")
    assert answered >= 2 and engines == ["deepseek"] * answered + ["builtin"] * (12 - answered)
    for result in results[answered:]:
        assert result["degraded"] and result["degraded_reason"].startswith("budget_exceeded")
        assert "预算" in result["degraded_reason"] and "budget" in result["degraded_reason"]
        assert result["score"] == results[0]["score"]  # the engine's score either way
    assert calls == answered  # the bill stopped: no call was made past the limit
    assert (line["scope"], line["period"], line["unit"]) == ("global", "month", "tokens")
    assert Decimal(line["limit"]) == 12_000 and 0 < Decimal(line["used"]) <= 12_000
    assert Decimal(line["remaining"]) == 12_000 - Decimal(line["used"])
    warnings = [record for record in caplog.records if "budget warning" in record.getMessage()]
    assert len(warnings) == 1


def test_a_users_daily_limit_stops_that_user_only_and_each_sees_their_own_line(
    make_client: ClientFactory, standin: ThreadedStandin
) -> None:
    client = _client(make_client, standin, max_monthly_tokens=0, user_max_daily_tokens=4_000)
    assert not _analyze(client, ALICE, "en")["degraded"]
    assert _analyze(client, ALICE, "en")["degraded"]
    assert not _analyze(client, BOB, "zh")["degraded"]
    alice, admin = _budgets(client, ALICE, "day"), _budgets(client, ADMIN, "day")

    assert [(line["scope"], line["period"], line["unit"]) for line in alice] == [("user", "day", "tokens")]
    assert Decimal(alice[0]["used"]) > 0 and alice[0]["used_ratio"] > 0
    assert admin == []  # no platform-wide daily limit is set


def test_money_limit_in_cny_and_the_metrics_page_shows_the_share_used(
    make_client: ClientFactory, standin: ThreadedStandin
) -> None:
    client = _client(make_client, standin, max_monthly_tokens=0, max_monthly_cost_cny="0.5")
    _analyze(client, ALICE, "zh")
    [line] = _budgets(client, ADMIN, "month")
    page = client.get("/metrics").text

    assert (line["unit"], Decimal(line["limit"])) == ("cny", Decimal("0.5"))
    assert Decimal(0) < Decimal(line["used"]) < Decimal("0.01")
    ratios = {
        (sample.labels["period"], sample.labels["unit"]): sample.value
        for family in text_string_to_metric_families(page)
        if family.name == "jobfirst_budget_used_ratio"
        for sample in family.samples
    }
    assert 0 < ratios["month", "cny"] < 0.02


def test_no_model_means_no_budget_lines(make_client: ClientFactory) -> None:
    assert _budgets(make_client(jwt_secret=SECRET), ADMIN, "month") == []
