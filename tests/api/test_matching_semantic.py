"""The optional semantic score part, with the stand-in's embeddings over real HTTP: cached, masked."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jobfirst_ai.llm.standin import ThreadedStandin
from tests.conftest import ClientFactory
from tests.support.api import FIXTURES
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]

MATCH = "/api/v1/ai/job-match"
POSTINGS = [json.loads(line) for line in (FIXTURES / "jobs.jsonl").read_text(encoding="utf-8").splitlines()]
RESUME_ZH = (FIXTURES / "resume_zh_software.md").read_text(encoding="utf-8")


@pytest.fixture
def semantic_client(make_client: ClientFactory, standin: ThreadedStandin) -> TestClient:
    client = make_client(
        match_embeddings_provider="openai_compatible",
        match_embeddings_base_url=f"{standin.url}/v1",
        match_embeddings_model="text-embedding-3-small",
        external_ai_api_key="sk-test-key-for-the-standin",
        ai_timeout_seconds=5,
    )
    assert client.post("/api/v1/ai/jobs", json={"items": POSTINGS}).status_code == 201
    return client


def _embedding_calls(standin: ThreadedStandin) -> list[Any]:
    return [request.body for request in standin.requests() if request.path.endswith("/embeddings")]


def test_every_result_gets_a_semantic_part_and_the_parts_still_sum_to_the_score(
    semantic_client: TestClient, standin: ThreadedStandin
) -> None:
    response = semantic_client.post(MATCH, json={"content": RESUME_ZH, "top_k": 5})

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["results"][0]["job"]["id"] == "zh-backend-java"
    for match in body["results"]:
        parts = {part["name"]: part for part in match["parts"]}
        assert parts["semantic"]["max_score"] >= 10 and parts["text"]["max_score"] >= 5
        assert parts["semantic"]["max_score"] == pytest.approx(2 * parts["text"]["max_score"], abs=0.02)
        assert sum(part["score"] for part in match["parts"]) == pytest.approx(match["engine_score"], abs=0.51)
    assert body["usage"]["prompt_tokens"] > 0 and not body["degraded"]


def test_postings_are_embedded_once_and_the_resume_is_masked(
    semantic_client: TestClient, standin: ThreadedStandin
) -> None:
    semantic_client.post(MATCH, json={"content": RESUME_ZH})
    semantic_client.post(MATCH, json={"content": RESUME_ZH})

    first, second = _embedding_calls(standin)
    assert len(first["input"]) > 1 and len(second["input"]) == 1
    assert "13800138000" not in json.dumps(first, ensure_ascii=False)


def test_a_replaced_posting_is_embedded_again(semantic_client: TestClient, standin: ThreadedStandin) -> None:
    semantic_client.post(MATCH, json={"content": RESUME_ZH})
    changed = {**POSTINGS[0], "description": POSTINGS[0]["description"] + "\n熟悉Kafka。"}
    assert semantic_client.put(f"/api/v1/ai/jobs/{POSTINGS[0]['id']}", json=changed).status_code == 200

    semantic_client.post(MATCH, json={"content": RESUME_ZH})

    assert len(_embedding_calls(standin)[-1]["input"]) == 2


def test_failing_embeddings_leave_the_part_out_of_every_result(
    semantic_client: TestClient, standin: ThreadedStandin
) -> None:
    standin.script([{"status": 401}])

    body = semantic_client.post(MATCH, json={"content": RESUME_ZH}).json()

    assert body["degraded"] and "embeddings" in body["degraded_reason"]
    assert all("semantic" not in {part["name"] for part in match["parts"]} for match in body["results"])
    assert body["results"][0]["job"]["id"] == "zh-backend-java"


def test_a_gap_for_a_pasted_posting_uses_the_semantic_part_too(semantic_client: TestClient) -> None:
    body = {
        "content": RESUME_ZH,
        "job_description": "Java后端工程师\n要求：精通Java、Spring Boot，熟悉Redis。",
    }

    gap = semantic_client.post("/api/v1/ai/job-match/gap", json=body).json()

    assert "semantic" in {part["name"] for part in gap["match"]["parts"]}
