"""Interview questions and grading against the stand-in model server over HTTP: who answered, privacy,
bounded grades, zero verdicts that never reach the model, and degradation when the provider fails."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jobfirst_ai.llm.standin import ThreadedStandin
from tests.conftest import ClientFactory
from tests.support.api import FIXTURES
from tests.support.interview import good_answer
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]

QUESTIONS = "/api/v1/ai/interview/questions"
SESSIONS = "/api/v1/ai/interview/sessions"
RESUME = (FIXTURES / "resume_zh_software.md").read_text(encoding="utf-8")


@pytest.fixture
def model_client(make_client: ClientFactory, standin: ThreadedStandin) -> TestClient:
    return make_client(
        external_ai_provider="deepseek",
        external_ai_api_key="sk-test-key-for-the-standin",
        external_ai_base_url=standin.url,
        ai_timeout_seconds=5,
        ai_retry_attempts=1,
    )


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def test_model_questions_come_back_checked_and_topped_up_from_the_bank(
    model_client: TestClient, standin: ThreadedStandin
) -> None:
    body = _ok(model_client.post(QUESTIONS, json={"content": RESUME, "count": 6}))

    assert (body["engine"], body["model"], body["degraded"]) == ("deepseek", "deepseek-flash", False)
    assert len(body["questions"]) == 6 and body["usage"]["prompt_tokens"] > 0
    sources = {question["source"] for question in body["questions"]}
    assert sources == {"model", "bank"}  # the stand-in writes three; the bank fills the rest
    sent = json.dumps(standin.requests()[-1].body, ensure_ascii=False)
    assert "13800138000" not in sent and "zhangwei.dev@example.com" not in sent
    assert "<resume>" in sent


def test_a_session_is_graded_by_the_model_within_the_rubric_and_never_for_worthless_answers(
    model_client: TestClient, standin: ThreadedStandin
) -> None:
    session = _ok(model_client.post(SESSIONS, json={"content": RESUME, "count": 2}), 201)
    current = session["current"]
    answer = good_answer([current["text"], current["reason"]], current["type"], "zh")

    graded = _ok(model_client.post(f"{SESSIONS}/{session['id']}/answers", json={"answer": answer}))
    asked = len(standin.requests())
    empty = _ok(model_client.post(f"{SESSIONS}/{session['id']}/answers", json={"answer": ""}))

    grade = graded["grade"]
    assert (grade["grader"], grade["model"]) == ("model", "deepseek-flash")
    assert all(0 <= part["score"] <= part["max_score"] for part in grade["parts"])
    assert grade["score"] == sum(part["score"] for part in grade["parts"])
    assert set(grade["covered_points"]) <= set(grade["reference_points"])
    assert (empty["grade"]["score"], empty["grade"]["grader"]) == (0, "engine")
    assert len(standin.requests()) == asked  # the empty answer never reached the model
    sent = standin.requests()[-1].body
    assert "<answer>" in json.dumps(sent, ensure_ascii=False)


def test_a_failing_provider_degrades_questions_and_grades_to_the_engine(
    model_client: TestClient, standin: ThreadedStandin
) -> None:
    standin.script([{"error": "overloaded", "times": 20}])

    questions = _ok(model_client.post(QUESTIONS, json={"content": RESUME, "count": 3}))
    session = _ok(model_client.post(SESSIONS, json={"content": RESUME, "count": 1}), 201)
    current = session["current"]
    answer = good_answer([current["text"], current["reason"]], current["type"], "zh")
    graded = _ok(model_client.post(f"{SESSIONS}/{session['id']}/answers", json={"answer": answer}))

    assert questions["degraded"] and questions["engine"] == "builtin" and questions["degraded_reason"]
    assert {question["source"] for question in questions["questions"]} == {"bank"}
    assert session["questions_by"]["degraded"]
    assert graded["degraded"] and graded["grade"]["grader"] == "engine"
