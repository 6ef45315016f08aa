"""Job matching over HTTP: bilingual ranking, filters, determinism, stored resumes, uploads, gap analysis."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.support.api import FIXTURES

MATCH = "/api/v1/ai/job-match"
GAP = "/api/v1/ai/job-match/gap"
POSTINGS = [json.loads(line) for line in (FIXTURES / "jobs.jsonl").read_text(encoding="utf-8").splitlines()]
RESUME_ZH = (FIXTURES / "resume_zh_software.md").read_text(encoding="utf-8")
RESUME_EN_NURSE = (FIXTURES / "resume_en_nurse.txt").read_text(encoding="utf-8")


@pytest.fixture
def stocked(make_client: ClientFactory, database_url: str) -> TestClient:
    client = make_client(database_url=database_url)
    assert client.post("/api/v1/ai/jobs", json={"items": POSTINGS}).status_code == 201
    return client


def _match(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post(MATCH, json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_chinese_java_resume_ranks_the_chinese_java_posting_first(stocked: TestClient) -> None:
    body = _match(stocked, content=RESUME_ZH, top_k=5)

    first = body["results"][0]
    assert first["job"]["id"] == "zh-backend-java"
    assert {"Java", "Spring Boot", "MySQL"} <= set(first["matched_skills"])
    assert first["explanation_source"] == "engine"
    assert any("\u4e00" <= char <= "\u9fff" for char in first["explanation"])
    assert sum(part["score"] for part in first["parts"]) == pytest.approx(first["engine_score"], abs=0.51)
    assert body["language"] == "zh" and body["engine"] == "builtin"
    assert [match["score"] for match in body["results"]] == sorted(
        (match["score"] for match in body["results"]), reverse=True
    )


def test_an_english_nurse_resume_ranks_the_icu_nurse_posting_first(stocked: TestClient) -> None:
    body = _match(stocked, content=RESUME_EN_NURSE, top_k=3)

    first = body["results"][0]
    assert first["job"]["id"] == "en-nurse"
    assert body["language"] == "en"
    assert first["explanation"] and first["explanation"].isascii()
    assert first["missing_skills"] == first["missing_required"] + first["missing_preferred"]


def test_matching_is_deterministic(stocked: TestClient) -> None:
    first = _match(stocked, content=RESUME_ZH, top_k=10)
    second = _match(stocked, content=RESUME_ZH, top_k=10)

    def ranking(body: dict[str, Any]) -> list[tuple[str, int, list[Any]]]:
        return [(match["job"]["id"], match["score"], match["parts"]) for match in body["results"]]

    assert ranking(first) == ranking(second)


def test_filters_limit_the_results(stocked: TestClient) -> None:
    body = _match(stocked, content=RESUME_ZH, filters={"locations": ["上海"]})

    assert body["results"] and {match["job"]["location"] for match in body["results"]} == {"上海"}
    paid = _match(stocked, content=RESUME_ZH, filters={"salary_min": 30000, "tags": ["全职"]})
    assert all(match["job"]["salary_max"] >= 30000 for match in paid["results"])
    assert all("全职" in match["job"]["tags"] for match in paid["results"])


def test_a_deleted_posting_is_never_matched(stocked: TestClient) -> None:
    assert stocked.delete("/api/v1/ai/jobs/zh-backend-java").status_code == 204

    body = _match(stocked, content=RESUME_ZH)

    assert "zh-backend-java" not in [match["job"]["id"] for match in body["results"]]


def test_a_stored_resume_and_an_analysis_can_be_matched_by_id(stocked: TestClient) -> None:
    analysis = stocked.post("/api/v1/ai/resume/analyze", json={"content": RESUME_ZH}).json()

    by_resume = _match(stocked, resume_id=analysis["resume_id"], top_k=1)
    by_analysis = _match(stocked, analysis_id=analysis["analysis_id"], top_k=1)

    assert by_resume["results"][0]["job"]["id"] == by_analysis["results"][0]["job"]["id"] == "zh-backend-java"
    missing = stocked.post(MATCH, json={"resume_id": "no-such-resume"})
    assert missing.status_code == 404


def test_an_uploaded_resume_file_is_matched(stocked: TestClient) -> None:
    data = (FIXTURES / "resume_zh.pdf").read_bytes()

    response = stocked.post(
        MATCH, files={"file": ("resume.pdf", data)}, data={"top_k": "2", "locations": "杭州"}
    )

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert len(results) <= 2 and all(match["job"]["location"] == "杭州" for match in results)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"content": "x", "resume_id": "y"},
        {"content": "简历", "top_k": 0},
        {"content": "简历", "top_k": 51},
    ],
    ids=["no-resume", "two-resumes", "top-k-0", "top-k-51"],
)
def test_bad_match_requests_are_422(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post(MATCH, json=body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_matching_with_no_postings_returns_nothing(client: TestClient) -> None:
    body = _match(client, content=RESUME_ZH)

    assert body["results"] == [] and body["postings"] == 0


def test_a_gap_analysis_against_a_stored_posting_lists_what_is_missing(stocked: TestClient) -> None:
    response = stocked.post(GAP, json={"content": RESUME_EN_NURSE, "job_id": "en-backend-python"})

    assert response.status_code == 200, response.text
    gap = response.json()
    assert "Python" in gap["match"]["missing_required"]
    assert gap["advice"] and gap["language"] == "en"
    assert gap["years_asked"] == 4


def test_a_gap_analysis_against_a_pasted_description(client: TestClient) -> None:
    description = "Java开发工程师\n任职要求：精通Java和Spring Boot，熟悉Go语言，5年以上经验，硕士学历。"

    gap = client.post(GAP, json={"content": RESUME_ZH, "job_description": description}).json()

    assert gap["match"]["job"]["id"] == "draft"
    assert "Java" in gap["match"]["matched_skills"]
    assert gap["years_asked"] == 5 and gap["education_asked"] == "master"
    assert any("\u4e00" <= char <= "\u9fff" for char in gap["match"]["explanation"])


def test_a_gap_for_an_unknown_posting_is_404(client: TestClient) -> None:
    response = client.post(GAP, json={"content": RESUME_ZH, "job_id": "nope"})

    assert response.status_code == 404
