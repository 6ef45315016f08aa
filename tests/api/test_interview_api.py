"""Interview preparation over HTTP with the built-in engine only: questions, sessions, grades, follow-ups,
reports, owner isolation, concurrent answers, limits and persistence across a restart; Chinese and English."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jobfirst_ai.engine.types import Language
from tests.conftest import ClientFactory
from tests.support.api import FIXTURES, SECRET, bearer, has_han, make_token
from tests.support.interview import (
    GIBBERISH,
    OFF_TOPIC,
    current_points,
    good_answer,
    thin_answer,
)

QUESTIONS = "/api/v1/ai/interview/questions"
SESSIONS = "/api/v1/ai/interview/sessions"
RESUMES: dict[Language, str] = {
    "zh": (FIXTURES / "resume_zh_software.md").read_text(encoding="utf-8"),
    "en": (FIXTURES / "resume_en_nurse.txt").read_text(encoding="utf-8"),
}
POSTINGS = [json.loads(line) for line in (FIXTURES / "jobs.jsonl").read_text(encoding="utf-8").splitlines()]
CANDIDATES = ("good", "thin", "empty", "gibberish", "off_topic", "repeated")
ZERO = {"empty": "empty", "gibberish": "gibberish", "off_topic": "off_topic", "repeated": "repeated"}


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    return body


def _start(client: TestClient, language: Language, count: int, **headers: str) -> dict[str, Any]:
    return _ok(
        client.post(SESSIONS, json={"content": RESUMES[language], "count": count}, headers=headers), 201
    )


def _answer(client: TestClient, session_id: str, answer: str, **extra: Any) -> Any:
    return client.post(f"{SESSIONS}/{session_id}/answers", json={"answer": answer, **extra})


def _interview(client: TestClient, language: Language) -> list[tuple[str, dict[str, Any]]]:
    """One session with a simulated candidate per main question; follow-ups get good answers."""
    session = _start(client, language, len(CANDIDATES))
    current, last, first_good = session["current"], None, ""
    kinds = iter(CANDIDATES)
    outcomes = []
    while current is not None:
        points = current_points(current, last, language)
        kind = "follow_up" if current["is_follow_up"] else next(kinds)
        answer = {
            "good": good_answer(points, current["type"], language),
            "follow_up": good_answer(points, current["type"], language),
            "thin": thin_answer(points, language),
            "empty": "",
            "gibberish": GIBBERISH,
            "off_topic": OFF_TOPIC[language],
            "repeated": first_good,
        }[kind]
        first_good = first_good or answer
        body = _ok(_answer(client, session["id"], answer))
        outcomes.append((kind, body))
        current, last = body["next_question"], body["grade"]
    return outcomes


@pytest.mark.parametrize("language", ["zh", "en"])
def test_questions_are_typed_with_a_difficulty_mix_reasons_and_key_points(
    client: TestClient, language: Language
) -> None:
    body = _ok(client.post(QUESTIONS, json={"content": RESUMES[language], "count": 10}))

    questions = body["questions"]
    assert len(questions) == 10
    assert body["types"] == {"technical": 4, "project": 3, "behavioural": 2, "role_fit": 1}
    assert sum(body["difficulties"].values()) == 10 and all(body["difficulties"].values())
    assert all(question["reason"] and len(question["key_points"]) >= 3 for question in questions)
    assert all(has_han(question["text"]) == (language == "zh") for question in questions)
    assert (body["engine"], body["degraded"], body["language"]) == ("builtin", False, language)
    projects = [question["text"] for question in questions if question["type"] == "project"]
    assert any(role in text for text in projects for role in ("杭州云栈科技", "Riverside Memorial"))


def test_questions_for_a_stored_job_ask_about_the_job_and_its_gaps(make_client: ClientFactory) -> None:
    client = make_client()
    assert client.post("/api/v1/ai/jobs", json={"items": POSTINGS}).status_code == 201

    body = _ok(client.post(QUESTIONS, json={"content": RESUMES["en"], "job_id": "en-backend-python"}))

    assert body["job"]["id"] == "en-backend-python" and "Python" in body["job"]["required_skills"]
    role_fit = [question for question in body["questions"] if question["type"] == "role_fit"]
    assert any("Python" in question["skills"] for question in role_fit)
    assert client.post(QUESTIONS, json={"content": RESUMES["en"], "job_id": "nope"}).status_code == 404


def test_questions_for_a_pasted_job_description_name_its_title(client: TestClient) -> None:
    description = (
        "数据分析师\n职位要求：熟练使用 SQL 和 Python，有 Tableau 可视化经验，2 年以上数据分析经验。"
    )

    body = _ok(client.post(QUESTIONS, json={"content": RESUMES["zh"], "job_description": description}))

    assert body["job"]["title"] == "数据分析师" and "SQL" in body["job"]["required_skills"]
    technical = [question for question in body["questions"] if question["type"] == "technical"]
    assert any("SQL" in question["text"] for question in technical)  # the job's field, not the resume's
    role_fit = [question for question in body["questions"] if question["type"] == "role_fit"]
    assert any(set(question["skills"]) & set(body["job"]["required_skills"]) for question in role_fit)


def test_questions_for_a_stored_resume_and_for_an_uploaded_file(client: TestClient) -> None:
    analysis = _ok(client.post("/api/v1/ai/resume/analyze", json={"content": RESUMES["zh"]}))

    by_id = _ok(client.post(QUESTIONS, json={"resume_id": analysis["resume_id"], "count": 3}))
    uploaded = _ok(
        client.post(
            QUESTIONS,
            files={"file": ("resume.pdf", (FIXTURES / "resume_en.pdf").read_bytes())},
            data={"count": "4", "language": "zh"},
        )
    )

    assert len(by_id["questions"]) == 3 and by_id["language"] == "zh"
    assert len(uploaded["questions"]) == 4 and uploaded["language"] == "zh"
    assert client.post(QUESTIONS, json={"resume_id": "no-such-resume"}).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"content": "简历", "count": 0},
        {"content": "简历", "count": 21},
        {"count": 3},
        {"content": "简历", "job_id": "a", "job_description": "b"},
    ],
    ids=["count-0", "count-21", "no-resume", "two-jobs"],
)
def test_bad_question_requests_are_422(client: TestClient, body: dict[str, Any]) -> None:
    for path in (QUESTIONS, SESSIONS):
        response = client.post(path, json=body)

        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("language", ["zh", "en"])
def test_simulated_candidates_are_graded_in_a_sensible_order_with_follow_ups_after_weak_answers(
    make_client: ClientFactory, database_url: str, language: Language
) -> None:
    outcomes = _interview(make_client(database_url=database_url), language)

    main = {kind: body for kind, body in outcomes if kind != "follow_up"}
    good, thin = main["good"]["grade"], main["thin"]["grade"]
    assert good["score"] >= 70 and good["verdict"] == "good" and not main["good"]["is_follow_up_next"]
    assert 0 < thin["score"] < good["score"] and main["thin"]["is_follow_up_next"] == thin["is_weak"]
    for kind, verdict in ZERO.items():
        assert (main[kind]["grade"]["score"], main[kind]["grade"]["verdict"]) == (0, verdict), kind
        assert main[kind]["is_follow_up_next"], kind
        assert main[kind]["grade"]["reference_points"] and main[kind]["grade"]["feedback"]
    follow_ups = [body for kind, body in outcomes if kind == "follow_up"]
    assert len(follow_ups) == 5 and all(body["grade"]["score"] >= 45 for body in follow_ups)
    assert all(body["grade"]["grader"] == "engine" for _, body in outcomes)
    assert outcomes[-1][1]["finished"] and outcomes[-1][1]["next_question"] is None


def test_a_thin_answer_gets_a_follow_up_that_names_what_it_covered(client: TestClient) -> None:
    session = _start(client, "en", 1)
    points = current_points(session["current"], None, "en")

    body = _ok(_answer(client, session["id"], thin_answer(points, "en")))

    follow_up = body["next_question"]
    assert body["is_follow_up_next"] and follow_up["is_follow_up"] and follow_up["source"] == "follow_up"
    assert follow_up["number"] == 2 and points[0] in follow_up["text"] and points[1] in follow_up["text"]
    assert not body["finished"]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_transcript_and_the_report_after_the_last_answer(client: TestClient, language: Language) -> None:
    outcomes = _interview(client, language)
    session_id = outcomes[0][1]["session_id"]

    session = _ok(client.get(f"{SESSIONS}/{session_id}"))

    report = session["report"]
    assert session["status"] == "finished" and session["current"] is None
    assert [turn["grade"]["score"] for turn in session["turns"]] == [
        body["grade"]["score"] for _, body in outcomes
    ]
    assert session["turns"][1]["answer"] == thin_answer(
        session["turns"][1]["grade"]["reference_points"], language
    )
    assert report == outcomes[-1][1]["report"]
    scores = [item["score"] for item in report["per_question"]]
    assert report["overall"] == round(sum(scores) / len(scores)) and report["answered"] == len(scores)
    assert report["strengths"] and report["practise"] and report["unanswered"] == 0
    assert any(line.startswith(("有 4 题", "4 answers")) for line in report["practise"])
    assert all(has_han(line) == (language == "zh") for line in [*report["strengths"], *report["practise"]])


def test_finishing_early_reports_the_unanswered_questions_and_refuses_more_answers(
    client: TestClient,
) -> None:
    session = _start(client, "en", 4)
    points = current_points(session["current"], None, "en")
    _ok(_answer(client, session["id"], good_answer(points, session["current"]["type"], "en")))

    finished = _ok(client.post(f"{SESSIONS}/{session['id']}/finish"))

    assert finished["status"] == "finished" and finished["current"] is None
    assert (finished["report"]["answered"], finished["report"]["unanswered"]) == (1, 3)
    again = _ok(client.post(f"{SESSIONS}/{session['id']}/finish"))
    assert again["report"] == finished["report"]
    refused = _answer(client, session["id"], "more")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "session_finished"


def test_a_user_sees_only_their_own_sessions(make_client: ClientFactory) -> None:
    client = make_client(jwt_secret=SECRET)
    alice, bob = bearer(make_token("alice")), bearer(make_token("bob"))
    session = _start(client, "zh", 2, **alice)
    path = f"{SESSIONS}/{session['id']}"

    assert client.get(path, headers=alice).status_code == 200
    for response in (
        client.get(path, headers=bob),
        client.post(f"{path}/answers", json={"answer": "x"}, headers=bob),
        client.post(f"{path}/finish", headers=bob),
    ):
        assert response.status_code == 404
    assert client.get(path).status_code == 401
    assert _ok(client.get(path, headers=alice))["answered"] == 0


def test_an_answer_to_a_stale_version_is_409_and_changes_nothing(client: TestClient) -> None:
    session = _start(client, "zh", 3)
    first = _ok(_answer(client, session["id"], "", version=session["version"]))

    stale = _answer(client, session["id"], "另一个回答", version=session["version"])

    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"
    after = _ok(client.get(f"{SESSIONS}/{session['id']}"))
    assert after["version"] == first["version"] == session["version"] + 1 and after["answered"] == 1


def test_answer_limits_have_clear_errors(client: TestClient) -> None:
    session = _start(client, "en", 1)

    too_long = _answer(client, session["id"], "a" * 5001)
    huge = client.post(f"{SESSIONS}/{session['id']}/answers", content=b'{"answer": "' + b"a" * 40000 + b'"}')
    not_json = client.post(f"{SESSIONS}/{session['id']}/answers", content=b"answer")

    for response in (too_long, huge):
        assert response.status_code == 413 and response.json()["error"]["code"] == "answer_too_long"
        assert "5000" in response.json()["error"]["message"]
    assert not_json.status_code == 422
    assert client.get(f"{SESSIONS}/no-such-session").status_code == 404
    assert _ok(client.get(f"{SESSIONS}/{session['id']}"))["answered"] == 0


def test_sessions_persist_across_a_restart(make_client: ClientFactory, database_url: str) -> None:
    first = make_client(database_url=database_url)
    session = _start(first, "zh", 2)
    answered = _ok(_answer(first, session["id"], "不知道"))
    first.__exit__(None, None, None)

    second = make_client(database_url=database_url)
    restored = _ok(second.get(f"{SESSIONS}/{session['id']}"))

    assert restored["answered"] == 1 and restored["turns"][0]["grade"]["verdict"] == "dont_know"
    assert restored["current"] == answered["next_question"]
    assert restored["questions_by"]["engine"] == "builtin"
    assert _ok(_answer(second, session["id"], OFF_TOPIC["zh"]))["number"] == 2
