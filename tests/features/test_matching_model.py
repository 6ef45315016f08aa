"""Match explanations by a scripted model: one call, grounding, a bounded adjustment, fallback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.session import create_engine, create_session_factory
from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.errors import ProviderUnavailable
from jobfirst_ai.features.matching.catalog import JobCatalog
from jobfirst_ai.features.matching.schemas import JobIn, MatchRequest
from jobfirst_ai.features.matching.service import MatchService
from jobfirst_ai.features.resume.enrich import ModelBackend
from jobfirst_ai.features.resume.service import Limits
from jobfirst_ai.llm.redact import Redactor
from jobfirst_ai.llm.testing import ScriptedProvider

FIXTURES = Path(__file__).parent.parent / "fixtures"
POSTINGS = [json.loads(line) for line in (FIXTURES / "jobs.jsonl").read_text(encoding="utf-8").splitlines()]
RESUME_ZH = (FIXTURES / "resume_zh_software.md").read_text(encoding="utf-8")
LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_chars=200_000)
DICTIONARY = load_skill_dictionary()


@pytest.fixture
async def catalog(tmp_path: Path) -> AsyncIterator[JobCatalog]:
    database = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'jobs.db'}")
    await upgrade_database(database)
    catalog = JobCatalog(create_session_factory(database), DICTIONARY)
    await catalog.create([JobIn.model_validate(posting) for posting in POSTINGS])
    yield catalog
    await database.dispose()


def _service(catalog: JobCatalog, provider: ScriptedProvider) -> MatchService:
    backend = ModelBackend(provider=provider, timeout_seconds=5, redactor=Redactor())
    return MatchService(catalog, LIMITS, backend, explain_top=3)


def _answer(*entries: dict[str, Any]) -> str:
    return json.dumps({"results": list(entries)}, ensure_ascii=False)


async def test_one_call_explains_the_top_results_and_the_rest_keep_the_engine_text(
    catalog: JobCatalog,
) -> None:
    provider = ScriptedProvider(
        [_answer({"job_id": "zh-backend-java", "explanation": "Java 与 Spring Boot 经验匹配该岗位。"})]
    )

    response = await _service(catalog, provider).match("u1", MatchRequest(content=RESUME_ZH, top_k=5))

    assert len(provider.requests) == 1
    prompt = provider.requests[0].messages[-1].content
    assert prompt.count('"job_id"') == 3
    assert "13800138000" not in prompt  # private details are masked before the call
    first = response.results[0]
    assert first.job.id == "zh-backend-java" and first.explanation_source == "model"
    assert all(match.explanation_source == "engine" for match in response.results[1:])
    assert response.engine == "scripted" and response.usage is not None


async def test_an_explanation_that_claims_a_missing_skill_is_replaced(catalog: JobCatalog) -> None:
    request = MatchRequest(content=RESUME_ZH, top_k=3)
    engine = await MatchService(catalog, LIMITS).match("u1", request)
    gap = next(match for match in engine.results if match.missing_skills)
    claim = f"候选人精通 {gap.missing_skills[0]}，非常合适。"
    provider = ScriptedProvider([_answer({"job_id": gap.job.id, "explanation": claim})])

    response = await _service(catalog, provider).match("u1", request)

    shown = next(match for match in response.results if match.job.id == gap.job.id)
    assert shown.explanation_source == "engine"
    assert shown.explanation == gap.explanation
    assert any("missing skill" in note for note in response.grounding_notes)


async def test_invented_numbers_and_skills_never_reach_the_explanation(catalog: JobCatalog) -> None:
    entries = (
        {"job_id": "zh-backend-java", "explanation": "候选人有 47 年 Java 经验。"},
        {"job_id": "zh-frontend", "explanation": "候选人熟练使用 Photoshop。"},
    )
    provider = ScriptedProvider([_answer(*entries)])

    response = await _service(catalog, provider).match("u1", MatchRequest(content=RESUME_ZH, top_k=3))

    texts = " ".join(match.explanation for match in response.results)
    assert "47" not in texts and "Photoshop" not in texts
    assert len(response.grounding_notes) >= 2


async def test_the_model_adjustment_is_clamped_and_reorders_only_the_top_results(catalog: JobCatalog) -> None:
    plain = await MatchService(catalog, LIMITS).match("u1", MatchRequest(content=RESUME_ZH, top_k=3))
    last = plain.results[-1]
    entry = {
        "job_id": last.job.id,
        "explanation": "有相关经验。",
        "adjustment": 10,
        "adjustment_reason": "相关经验",
    }
    provider = ScriptedProvider([_answer(entry)])

    response = await _service(catalog, provider).match("u1", MatchRequest(content=RESUME_ZH, top_k=3))

    adjusted = next(match for match in response.results if match.job.id == last.job.id)
    assert adjusted.adjustment is not None and adjusted.adjustment.points == 5
    assert adjusted.score == min(100, adjusted.engine_score + 5)
    assert {match.job.id for match in response.results} == {match.job.id for match in plain.results}


async def test_a_failing_model_degrades_to_the_engine_explanations(catalog: JobCatalog) -> None:
    provider = ScriptedProvider([ProviderUnavailable("down", provider="scripted")])

    response = await _service(catalog, provider).match("u1", MatchRequest(content=RESUME_ZH, top_k=3))

    assert response.degraded and response.degraded_reason
    assert response.engine == "builtin"
    assert all(match.explanation_source == "engine" and match.explanation for match in response.results)
