"""Resume analysis over HTTP: the seed's request, files in both languages, and every kind of bad input."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import ClientFactory
from tests.support.api import SEED_KEYS, fixture_bytes, has_han, wait_for_task

SEED_CONTENT = "张三，软件工程师，5年Java开发经验"
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def test_seed_request_completes_with_the_six_keys(client: TestClient) -> None:
    response = client.post("/api/v1/ai/start-analysis", json={"content": SEED_CONTENT})

    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert response.headers["location"] == f"/api/v1/ai/analyses/{body['task_id']}"
    task = wait_for_task(client, body["task_id"])
    assert task["status"] == "succeeded"
    result = task["result"]
    assert result.keys() >= SEED_KEYS
    assert "Java" in result["skills"]
    assert result["years_of_experience"] == 5
    assert result["language"] == "zh"
    assert 0 <= result["score"] <= 100


@pytest.mark.parametrize(
    ("name", "language"),
    [("resume_zh.pdf", "zh"), ("resume_zh.docx", "zh"), ("resume_en.pdf", "en"), ("resume_en.docx", "en")],
)
def test_two_page_files_are_analysed_in_their_own_language(
    client: TestClient, name: str, language: str
) -> None:
    files = {"file": (name, fixture_bytes(name), MIME[name.rsplit(".", 1)[1]])}

    response = client.post("/api/v1/ai/resume/analyze", files=files)

    assert response.status_code == 200, response.text
    result = response.json()
    kinds = {section["kind"] for section in result["sections"]}
    assert {"experience", "education", "skills"} <= kinds
    assert result["language"] == language
    assert len(result["skills"]) >= 5
    assert len(result["experience_entries"]) >= 2
    assert result["education_entries"]
    assert result["total_years"] >= 4
    assert result["suggestions"]
    assert all(has_han(line) == (language == "zh") for line in result["suggestions"])
    assert has_han(result["summary"]) == (language == "zh")


def test_a_synchronous_analysis_is_stored_under_its_location(client: TestClient) -> None:
    response = client.post("/api/v1/ai/resume/analyze", json={"content": SEED_CONTENT})

    stored = client.get(response.headers["location"]).json()
    assert stored["status"] == "succeeded"
    assert stored["result"]["score"] == response.json()["score"]


def test_the_caller_may_ask_for_the_other_language(client: TestClient) -> None:
    response = client.post("/api/v1/ai/resume/analyze", json={"content": SEED_CONTENT, "language": "en"})

    result = response.json()
    assert result["language"] == "en"
    assert not has_han(result["summary"].replace("张三", ""))


def test_the_score_is_deterministic(client: TestClient) -> None:
    files = {"file": ("r.pdf", fixture_bytes("resume_en.pdf"), "application/pdf")}
    first = client.post("/api/v1/ai/resume/analyze", files=files).json()
    second = client.post("/api/v1/ai/resume/analyze", files=files).json()

    assert first["score"] == second["score"]
    assert first["sub_scores"] == second["sub_scores"]


@pytest.mark.parametrize(
    ("name", "mime", "status", "code"),
    [
        ("scanned.pdf", "application/pdf", 422, "scanned_document"),
        ("encrypted.pdf", "application/pdf", 422, "encrypted_document"),
        ("corrupt.pdf", "application/pdf", 422, "corrupt_document"),
        ("empty.pdf", "application/pdf", 422, "empty_document"),
    ],
)
def test_unreadable_files_get_a_clear_4xx(
    client: TestClient, name: str, mime: str, status: int, code: str
) -> None:
    response = client.post("/api/v1/ai/start-analysis", files={"file": (name, fixture_bytes(name), mime)})

    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    assert error["request_id"] == response.headers["x-request-id"]


def test_an_image_is_not_a_resume(client: TestClient) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)

    response = client.post("/api/v1/ai/start-analysis", files={"file": ("cv.png", png, "image/png")})

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_file_type"


def test_a_file_over_the_limit_gets_413(make_client: ClientFactory) -> None:
    client = make_client(max_upload_mb=0.01)

    response = client.post(
        "/api/v1/ai/start-analysis", files={"file": ("big.txt", b"Python developer\n" * 2000, "text/plain")}
    )

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"json": {"content": "   "}}, 422, "empty_input"),
        ({"json": {"content": "\x00\x01\x02 ..."}}, 422, "empty_input"),
        ({"json": {"content": ""}}, 422, "validation_error"),
        ({"json": {"text": "no content key"}}, 422, "validation_error"),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 422, "validation_error"),
        (
            {"content": b"<cv/>", "headers": {"content-type": "application/xml"}},
            415,
            "unsupported_media_type",
        ),
        ({"files": {"other": ("a.txt", b"x", "text/plain")}}, 422, "missing_file"),
    ],
)
def test_malformed_requests_get_a_4xx_in_the_shared_shape(
    client: TestClient, kwargs: dict[str, object], status: int, code: str
) -> None:
    response = client.post("/api/v1/ai/start-analysis", **kwargs)  # type: ignore[arg-type]

    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_plain_text_bodies_are_accepted(client: TestClient) -> None:
    text = fixture_bytes("resume_en_software.md")

    response = client.post("/api/v1/ai/resume/analyze", content=text, headers={"content-type": "text/plain"})

    assert response.status_code == 200
    assert response.json()["language"] == "en"


def test_an_unknown_task_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/ai/analyses/does-not-exist")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_health_ready_and_openapi(client: TestClient) -> None:
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/ready").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "/api/v1/ai/start-analysis" in schema["paths"]
    assert {"AnalysisResult", "AnalysisTask", "SkillMatch"} <= schema["components"]["schemas"].keys()


def test_optimize_returns_rewrites_in_the_resume_language(client: TestClient) -> None:
    text = fixture_bytes("resume_zh_software.md").decode("utf-8")

    response = client.post(
        "/api/v1/ai/resume/optimize", json={"content": text, "target_job": "高级Java工程师"}
    )

    assert response.status_code == 200, response.text
    result = response.json()
    assert result["engine"] == "builtin"
    assert result["rewrites"]
    assert all(rewrite["original"] in text for rewrite in result["rewrites"])
    assert all(has_han(rewrite["improved"]) for rewrite in result["rewrites"])


def test_a_batch_answers_each_item_and_isolates_bad_ones(client: TestClient) -> None:
    items = [
        {"id": "zh", "content": SEED_CONTENT},
        {"id": "empty", "content": "   "},
        {"id": "en", "content": fixture_bytes("resume_en_sales.txt").decode("utf-8")},
    ]

    response = client.post("/api/v1/ai/resume/analyze/batch", json={"items": items})

    assert response.status_code == 200, response.text
    body = response.json()
    assert [outcome["id"] for outcome in body["results"]] == ["zh", "empty", "en"]
    assert body["results"][0]["result"]["skills"] == ["Java"]
    assert body["results"][1]["error"]["code"] == "empty_input"
    assert body["results"][2]["result"]["language"] == "en"
    assert (body["succeeded"], body["failed"]) == (2, 1)


def test_a_batch_over_fifty_items_is_refused(client: TestClient) -> None:
    response = client.post("/api/v1/ai/resume/analyze/batch", json={"items": [{"content": "x"}] * 51})

    assert response.status_code == 422
