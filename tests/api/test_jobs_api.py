"""Job postings over HTTP: create one or many, page, read, replace, delete, bulk import, and who may write."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.support.api import FIXTURES, SECRET, bearer, make_token

JOBS = "/api/v1/ai/jobs"
POSTINGS = [json.loads(line) for line in (FIXTURES / "jobs.jsonl").read_text(encoding="utf-8").splitlines()]


def _posting(job_id: str) -> dict[str, Any]:
    return next(dict(posting) for posting in POSTINGS if posting["id"] == job_id)


@pytest.fixture
def stocked(make_client: ClientFactory, database_url: str) -> TestClient:
    """The service on each database, with the thirteen fixture postings stored."""
    client = make_client(database_url=database_url)
    response = client.post(JOBS, json={"items": POSTINGS})
    assert response.status_code == 201, response.text
    return client


def test_a_chinese_posting_is_read_by_the_engine(client: TestClient) -> None:
    response = client.post(JOBS, json=_posting("zh-backend-java"))

    assert response.status_code == 201, response.text
    job = response.json()
    assert job["id"] == "zh-backend-java"
    assert job["language"] == "zh"
    assert {"Java", "Spring Boot", "MySQL"} <= set(job["required_skills"])
    assert "Kubernetes" in job["preferred_skills"]
    assert job["years_min"] == 3
    assert job["education"] == "bachelor"


def test_given_skills_win_over_the_text(client: TestClient) -> None:
    posting = {**_posting("en-frontend"), "required_skills": ["k8s", "Go"], "preferred_skills": ["figma"]}

    job = client.post(JOBS, json=posting).json()

    assert job["required_skills"] == ["Kubernetes", "Go"]
    assert job["preferred_skills"] == ["Figma"]


def test_postings_page_read_replace_and_delete(stocked: TestClient) -> None:
    page = stocked.get(JOBS, params={"limit": 5}).json()
    assert page["total"] == 13 and len(page["items"]) == 5
    assert stocked.get(JOBS, params={"location": "上海"}).json()["total"] == 2

    changed = {**_posting("zh-sales"), "title": "大客户销售经理"}
    assert stocked.put(f"{JOBS}/zh-sales", json=changed).json()["title"] == "大客户销售经理"
    assert stocked.get(f"{JOBS}/zh-sales").json()["title"] == "大客户销售经理"

    assert stocked.delete(f"{JOBS}/zh-sales").status_code == 204
    assert stocked.get(f"{JOBS}/zh-sales").status_code == 404
    assert stocked.delete(f"{JOBS}/zh-sales").status_code == 404
    assert stocked.get(JOBS).json()["total"] == 12


def test_a_batch_with_one_bad_posting_stores_nothing(client: TestClient) -> None:
    bad = {"title": "", "description": "x"}

    response = client.post(JOBS, json={"items": [_posting("zh-nurse"), bad]})

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert client.get(JOBS).json()["total"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"title": "x"},
        {"title": "x", "description": "y", "salary_min": 10, "salary_max": 5},
        {"title": "x", "description": "y", "id": "has space"},
        {"title": "x", "description": "y", "unknown": 1},
    ],
    ids=["no-description", "salary-upside-down", "bad-id", "unknown-field"],
)
def test_invalid_postings_are_422(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post(JOBS, json=body)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_a_jsonl_import_stores_every_row(client: TestClient) -> None:
    data = (FIXTURES / "jobs.jsonl").read_bytes()

    response = client.post(f"{JOBS}/import", files={"file": ("jobs.jsonl", data, "application/x-ndjson")})

    assert response.status_code == 200, response.text
    report = response.json()
    assert report["imported"] == 13 and report["rejected"] == [] and report["stored"]
    assert client.get(JOBS).json()["total"] == 13


def test_a_csv_import_reports_rejected_rows_with_reasons(client: TestClient) -> None:
    data = (FIXTURES / "jobs_bad.csv").read_bytes()

    report = client.post(f"{JOBS}/import", files={"file": ("jobs.csv", data, "text/csv")}).json()

    assert report["imported"] == 2
    assert [row["row"] for row in report["rejected"]] == [3, 4, 5]
    assert "title" in report["rejected"][0]["reason"]
    assert "salary_max" in report["rejected"][1]["reason"]
    assert "education" in report["rejected"][2]["reason"]
    pm = client.get(f"{JOBS}/csv-pm").json()
    assert pm["required_skills"][:2] == ["Product Management", "Agile"]
    assert client.get(f"{JOBS}/csv-ops").json()["tags"] == ["全职", "电商"]


def test_a_strict_import_with_a_bad_row_stores_nothing(client: TestClient) -> None:
    data = (FIXTURES / "jobs_bad.csv").read_bytes()

    report = client.post(f"{JOBS}/import?strict=true", files={"file": ("jobs.csv", data, "text/csv")}).json()

    assert report["stored"] is False and report["imported"] == 0
    assert client.get(JOBS).json()["total"] == 0


@pytest.mark.parametrize(
    ("name", "data", "status"),
    [("jobs.xlsx", b"PK\x03\x04", 415), ("jobs.jsonl", "岗位职责：销售".encode("gbk"), 422)],
    ids=["wrong-type", "not-utf8"],
)
def test_unreadable_imports_are_4xx(client: TestClient, name: str, data: bytes, status: int) -> None:
    response = client.post(f"{JOBS}/import", files={"file": (name, data)})

    assert response.status_code == status


def test_broken_jsonl_lines_are_rejected_one_by_one(client: TestClient) -> None:
    lines = [json.dumps(_posting("zh-nurse"), ensure_ascii=False), "{not json", "[1, 2]", ""]
    data = "\n".join(lines).encode("utf-8")

    report = client.post(f"{JOBS}/import", files={"file": ("jobs.jsonl", data)}).json()

    assert report["imported"] == 1
    assert [(row["row"], row["reason"][:12]) for row in report["rejected"]] == [
        (2, "not valid JS"),
        (3, "a row must b"),
    ]


def test_only_admins_write_postings_and_every_user_reads(make_client: ClientFactory) -> None:
    client = make_client(jwt_secret=SECRET)
    admin, user = bearer(make_token("ops", roles=["admin"])), bearer(make_token("seeker"))

    assert client.post(JOBS, json=_posting("zh-teacher"), headers=user).status_code == 403
    assert client.post(JOBS, json=_posting("zh-teacher"), headers=admin).status_code == 201
    assert client.get(f"{JOBS}/zh-teacher", headers=user).status_code == 200
    assert client.delete(f"{JOBS}/zh-teacher", headers=user).status_code == 403
    assert client.get(JOBS).status_code == 401
