"""Analysing the same resume again answers with the stored analysis, unless the caller asks to refresh.

Reuse is per owner, per fingerprint (the analysed text, the options, the engine version and the model
configured); degraded and failed analyses are never reused, so a later request can get the model's answer.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jobfirst_ai.db import repositories
from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.models import Analysis, Resume
from jobfirst_ai.db.session import create_engine, create_session_factory
from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.features.resume.analysis import ResumeAnalyzer
from jobfirst_ai.features.resume.service import Limits, ResumeService
from jobfirst_ai.llm.standin import ThreadedStandin
from tests.conftest import ClientFactory
from tests.support.api import SECRET, bearer, fixture_bytes, make_token, wait_for_task
from tests.support.db import snapshot
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]

ANALYZE = "/api/v1/ai/resume/analyze"
RESUMES = {"en": "resume_en_software.md", "zh": "resume_zh_software.md"}


def _text(language: str) -> str:
    return fixture_bytes(RESUMES[language]).decode("utf-8")


def _without_reused(body: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key != "reused"}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_a_repeated_analysis_is_reused_until_refresh(
    make_client: ClientFactory, database_url: str, language: str
) -> None:
    client = make_client(database_url=database_url)
    content = {"content": _text(language)}

    first = client.post(ANALYZE, json=content).json()
    again = client.post(ANALYZE, json=content)
    assert len(snapshot(database_url)) == 1
    fresh = client.post(ANALYZE, params={"refresh": "true"}, json=content).json()
    latest = client.post(ANALYZE, json=content).json()

    assert (first["reused"], first["language"]) == (False, language)
    assert again.status_code == 200
    assert again.json()["reused"] is True
    assert _without_reused(again.json()) == _without_reused(first)
    assert again.headers["location"] == f"/api/v1/ai/analyses/{first['analysis_id']}"
    assert fresh["reused"] is False
    assert fresh["analysis_id"] != first["analysis_id"]
    assert fresh["score"] == first["score"]
    assert (latest["reused"], latest["analysis_id"]) == (True, fresh["analysis_id"])
    assert len(snapshot(database_url)) == 2
    assert "jobfirst_analyses_reused_total 2.0" in client.get("/metrics").text


def test_an_upload_and_pasted_text_reuse_each_other(client: TestClient) -> None:
    name = RESUMES["zh"]
    files = {"file": (name, fixture_bytes(name), "text/markdown")}

    uploaded = client.post(ANALYZE, files=files).json()
    pasted = client.post(ANALYZE, json={"content": _text("zh")}).json()
    uploaded_again = client.post(ANALYZE, files=files).json()

    assert uploaded["reused"] is False
    assert (pasted["reused"], pasted["analysis_id"]) == (True, uploaded["analysis_id"])
    assert (uploaded_again["reused"], uploaded_again["analysis_id"]) == (True, uploaded["analysis_id"])
    refreshed = client.post(ANALYZE, params={"refresh": "true"}, files=files).json()
    assert refreshed["reused"] is False


def test_different_text_or_options_are_analysed_anew(client: TestClient) -> None:
    first = client.post(ANALYZE, json={"content": _text("en")}).json()
    edited = client.post(ANALYZE, json={"content": _text("en") + "\nAwards: Hackathon winner 2021"}).json()
    other_language = client.post(ANALYZE, json={"content": _text("en"), "language": "zh"}).json()

    assert edited["reused"] is False
    assert other_language["reused"] is False
    assert len({first["analysis_id"], edited["analysis_id"], other_language["analysis_id"]}) == 3


def test_one_owner_never_gets_another_owners_analysis(make_client: ClientFactory, database_url: str) -> None:
    client = make_client(database_url=database_url, jwt_secret=SECRET)
    alice, bob = bearer(make_token("alice")), bearer(make_token("bob"))
    content = {"content": _text("zh")}

    mine = client.post(ANALYZE, json=content, headers=alice).json()
    theirs = client.post(ANALYZE, json=content, headers=bob).json()
    mine_again = client.post(ANALYZE, json=content, headers=alice).json()
    theirs_again = client.post(ANALYZE, json=content, headers=bob).json()

    assert theirs["reused"] is False
    assert theirs["analysis_id"] != mine["analysis_id"]
    assert (mine_again["reused"], mine_again["analysis_id"]) == (True, mine["analysis_id"])
    assert (theirs_again["reused"], theirs_again["analysis_id"]) == (True, theirs["analysis_id"])
    accepted = client.post("/api/v1/ai/start-analysis", json=content, headers=bearer(make_token("carol")))
    assert accepted.json()["reused"] is False


def test_start_analysis_answers_with_the_finished_task(make_client: ClientFactory, database_url: str) -> None:
    client = make_client(database_url=database_url)
    content = {"content": _text("en")}

    queued = client.post("/api/v1/ai/start-analysis", json=content).json()
    done = wait_for_task(client, queued["task_id"])
    reused = client.post("/api/v1/ai/start-analysis", json=content)
    synchronous = client.post(ANALYZE, json=content).json()
    refreshed = client.post("/api/v1/ai/start-analysis", params={"refresh": "true"}, json=content).json()

    assert (queued["status"], queued["reused"]) == ("queued", False)
    assert done["status"] == "succeeded"
    assert reused.status_code == 202
    assert reused.json() == {
        "task_id": queued["task_id"],
        "status": "succeeded",
        "resume_id": queued["resume_id"],
        "reused": True,
    }
    assert reused.headers["location"] == f"/api/v1/ai/analyses/{queued['task_id']}"
    assert (synchronous["reused"], synchronous["analysis_id"]) == (True, queued["task_id"])
    assert synchronous["score"] == done["result"]["score"]
    assert (refreshed["status"], refreshed["reused"]) == ("queued", False)
    assert refreshed["task_id"] != queued["task_id"]


def test_a_batch_reuses_per_item(client: TestClient) -> None:
    english, chinese = _text("en"), _text("zh")
    first = client.post("/api/v1/ai/resume/analyze/batch", json={"items": [{"id": "a", "content": english}]})
    items = [{"id": "a", "content": english}, {"id": "b", "content": chinese}]

    second = client.post("/api/v1/ai/resume/analyze/batch", json={"items": items}).json()["results"]
    refreshed = client.post(
        "/api/v1/ai/resume/analyze/batch", params={"refresh": "true"}, json={"items": items}
    ).json()["results"]

    earlier = first.json()["results"][0]
    assert earlier["reused"] is False
    assert [(outcome["id"], outcome["reused"]) for outcome in second] == [("a", True), ("b", False)]
    assert second[0]["analysis_id"] == earlier["analysis_id"]
    assert second[0]["result"] == earlier["result"]
    assert [outcome["reused"] for outcome in refreshed] == [False, False]


def _model_client(make_client: ClientFactory, standin: ThreadedStandin, database_url: str) -> TestClient:
    return make_client(
        database_url=database_url,
        external_ai_provider="deepseek",
        external_ai_api_key="sk-test-key-for-the-standin",
        external_ai_base_url=standin.url,
        ai_timeout_seconds=5,
    )


def test_a_model_answer_is_reused_without_asking_the_model(
    make_client: ClientFactory, standin: ThreadedStandin, database_url: str
) -> None:
    builtin = make_client(database_url=database_url).post(ANALYZE, json={"content": _text("zh")}).json()
    client = _model_client(make_client, standin, database_url)

    first = client.post(ANALYZE, json={"content": _text("zh")}).json()
    calls = len(standin.requests())
    again = client.post(ANALYZE, json={"content": _text("zh")}).json()

    assert (first["engine"], first["degraded"], first["reused"]) == ("deepseek", False, False)
    assert first["analysis_id"] != builtin["analysis_id"]  # another configuration answered
    assert (again["reused"], again["analysis_id"], again["engine"]) == (
        True,
        first["analysis_id"],
        "deepseek",
    )
    assert len(standin.requests()) == calls


def test_a_degraded_analysis_is_not_reused(
    make_client: ClientFactory, standin: ThreadedStandin, database_url: str
) -> None:
    standin.script([{"error": "overloaded", "times": 1000}])
    client = _model_client(make_client, standin, database_url)

    first = client.post(ANALYZE, json={"content": _text("en")}).json()
    second = client.post(ANALYZE, json={"content": _text("en")}).json()

    assert first["degraded"] is True
    assert (second["degraded"], second["reused"]) == (True, False)
    assert second["analysis_id"] != first["analysis_id"]


def test_only_a_succeeded_non_degraded_analysis_of_the_owner_is_reusable(database_url: str) -> None:
    async def scenario() -> list[str | None]:
        engine = create_engine(database_url)
        await upgrade_database(engine)
        sessions = create_session_factory(engine)
        service = ResumeService(
            sessions,
            ResumeAnalyzer(load_skill_dictionary()),
            Limits(10**6, 10**6),
            today=lambda: date(2026, 11, 1),
        )
        key = service.fingerprint("张三，软件工程师，5年Java开发经验", None)
        found: list[str | None] = []
        try:
            for status, degraded in [
                ("failed", None),
                ("queued", None),
                ("running", None),
                ("succeeded", True),
            ]:
                await _store(sessions, status, degraded, key, status)
                async with sessions() as session:
                    found.append(_id(await repositories.find_reusable_analysis(session, "u", key)))
            await _store(sessions, "succeeded", False, key, "good")
            async with sessions() as session:
                found.append(_id(await repositories.find_reusable_analysis(session, "u", key)))
                found.append(_id(await repositories.find_reusable_analysis(session, "someone-else", key)))
        finally:
            await engine.dispose()
        return found

    assert asyncio.run(scenario()) == [None, None, None, None, "good", None]


async def _store(sessions: Any, status: str, degraded: bool | None, key: str, analysis_id: str) -> None:
    resume = Resume(
        id=repositories.new_id(),
        owner="u",
        source_format="text",
        size_bytes=1,
        text="x",
        text_sha256="0" * 64,
    )
    result = None if degraded is None else {"degraded": degraded, "score": 1}
    analysis = Analysis(
        id=analysis_id,
        resume_id=resume.id,
        owner="u",
        status=status,
        options={},
        result=result,
        attempts=1,
        fingerprint=key,
    )
    async with sessions.begin() as session:
        await repositories.add_resume(session, resume)
        await repositories.add_analysis(session, analysis)


def _id(analysis: Analysis | None) -> str | None:
    return analysis.id if analysis else None


def test_the_fingerprint_covers_text_options_configuration_and_month() -> None:
    analyzer = ResumeAnalyzer(load_skill_dictionary())
    november = ResumeService(None, analyzer, Limits(1, 1), today=lambda: date(2026, 11, 30))  # type: ignore[arg-type]
    december = ResumeService(None, analyzer, Limits(1, 1), today=lambda: date(2026, 12, 1))  # type: ignore[arg-type]
    text = _text("en")

    key = november.fingerprint(text, None)

    assert len(key) == 64
    assert key == november.fingerprint(text, None)
    assert key != november.fingerprint(text + " ", None)
    assert key != november.fingerprint(text, "zh")
    assert key != december.fingerprint(text, None)  # "present" reads as another month
    assert "builtin" in analyzer.configuration
