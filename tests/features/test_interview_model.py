"""Interview questions and grading by a scripted model: grounding checks, the bank's top-up, clamped
grades, the engine's zero verdicts that no model can lift, degradation, and concurrent answers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.session import create_engine, create_session_factory
from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.errors import Conflict, ProviderUnavailable
from jobfirst_ai.features.interview.schemas import (
    AnswerRequest,
    AnswerResponse,
    QuestionsRequest,
    SessionResponse,
    StartSessionRequest,
)
from jobfirst_ai.features.interview.service import InterviewService
from jobfirst_ai.features.matching.catalog import JobCatalog
from jobfirst_ai.features.resume.enrich import ModelBackend
from jobfirst_ai.features.resume.service import Limits
from jobfirst_ai.llm.redact import Redactor
from jobfirst_ai.llm.testing import ScriptedProvider, ScriptedReply
from tests.support.interview import GIBBERISH, current_points, good_answer

FIXTURES = Path(__file__).parent.parent / "fixtures"
RESUME_ZH = (FIXTURES / "resume_zh_software.md").read_text(encoding="utf-8")
LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_chars=200_000)
DICTIONARY = load_skill_dictionary()
GROUNDED = [
    {
        "type": "project",
        "difficulty": 3,
        "text": "你在杭州云栈科技有限公司主导订单中心拆分为 12 个 Spring Boot 微服务，服务边界是怎么划分的？",
        "reason": "考察拆分微服务时的设计取舍。",
        "key_points": ["按业务领域划分边界", "数据一致性怎么保证", "拆分后的发布与监控"],
    },
    {
        "type": "technical",
        "difficulty": 2,
        "text": "使用 Kafka 时怎样保证消息不丢失、不重复消费？",
        "reason": "简历写到基于 Kafka 的消息总线。",
        "key_points": ["生产者 acks 与重试", "消费者手动提交位点", "幂等处理"],
    },
]
INVENTED = [
    {
        "type": "technical",
        "difficulty": 2,
        "text": "你用 Photoshop 设计海报时怎样处理图层？",
        "reason": "考察设计功底。",
        "key_points": ["图层", "蒙版"],
    },
    {
        "type": "behavioural",
        "difficulty": 2,
        "text": "讲一次你在字节跳动科技有限公司与同事发生分歧的经历。",
        "reason": "考察协作。",
        "key_points": ["分歧是什么", "怎么解决"],
    },
    {
        "type": "role_fit",
        "difficulty": 1,
        "text": "你带领 200 人团队时怎样分配任务？",
        "reason": "考察管理。",
        "key_points": ["分工", "沟通"],
    },
]
FULL_MARKS = json.dumps(
    {
        "accuracy": 30,
        "completeness": 30,
        "depth": 25,
        "expression": 15,
        "covered_points": [1, 2, 3],
        "feedback": "很好。",
    },
    ensure_ascii=False,
)


@pytest.fixture
async def catalog(tmp_path: Path) -> AsyncIterator[JobCatalog]:
    database = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'interview.db'}")
    await upgrade_database(database)
    yield JobCatalog(create_session_factory(database), DICTIONARY)
    await database.dispose()


def _service(catalog: JobCatalog, provider: ScriptedProvider | None) -> InterviewService:
    backend = ModelBackend(provider=provider, timeout_seconds=5, redactor=Redactor()) if provider else None
    return InterviewService(catalog.sessions, catalog, LIMITS, backend)


def _questions(*questions: dict[str, Any]) -> str:
    return json.dumps({"questions": list(questions)}, ensure_ascii=False)


async def _bank_session(service: InterviewService, provider: ScriptedProvider) -> SessionResponse:
    """A session whose questions came from the bank (the question call fails), so grading is what's tested."""
    provider.add(ProviderUnavailable("down", provider="scripted"))
    return await service.start("u1", StartSessionRequest(content=RESUME_ZH, count=3, language="zh"))


def _good(session: SessionResponse) -> str:
    """A good answer to the session's first question."""
    assert session.current is not None
    points = current_points(session.current.model_dump(), None, "zh")
    return good_answer(points, session.current.type, "zh")


async def _answer_well(service: InterviewService, session: SessionResponse) -> AnswerResponse:
    return await service.answer("u1", session.id, AnswerRequest(answer=_good(session)))


async def test_grounded_model_questions_are_kept_and_invented_ones_replaced_from_the_bank(
    catalog: JobCatalog,
) -> None:
    provider = ScriptedProvider([_questions(*GROUNDED, *INVENTED)])

    response = await _service(catalog, provider).questions("u1", QuestionsRequest(content=RESUME_ZH, count=5))

    texts = [question.text for question in response.questions]
    assert len(texts) == 5 and {item["text"] for item in GROUNDED} <= set(texts)
    assert [question.source for question in response.questions].count("model") == 2
    for invented in ("Photoshop", "字节跳动", "200 人"):
        assert not any(invented in text for text in texts), invented
    notes = " ".join(response.grounding_notes)
    assert notes.count("replaced from the bank") == 3 and "3 of 5 questions came from the bank" in notes
    assert (response.engine, response.model, response.degraded) == ("scripted", "scripted-model", False)
    assert response.types == {"technical": 2, "project": 1, "behavioural": 1, "role_fit": 1}
    prompt = provider.requests[0].messages[-1].content
    assert "<resume>" in prompt and '"count":5' in prompt and "13800138000" not in prompt


async def test_a_job_goes_to_the_model_as_data_and_its_skills_may_be_asked_about(catalog: JobCatalog) -> None:
    description = "数据分析师\n要求：熟练使用 SQL 和 Tableau，2 年以上经验。"
    tableau = {
        "type": "technical",
        "difficulty": 2,
        "text": "用 Tableau 做看板时怎样选择图表？",
        "reason": "岗位要求 Tableau。",
        "key_points": ["先明确指标", "图表与数据类型匹配"],
    }
    provider = ScriptedProvider([_questions(tableau)])
    request = QuestionsRequest(content=RESUME_ZH, count=3, job_description=description)

    response = await _service(catalog, provider).questions("u1", request)

    assert response.questions[0].text == tableau["text"] and response.questions[0].source == "model"
    assert "Tableau" in response.questions[0].skills
    prompt = provider.requests[0].messages[-1].content
    assert "<job>\n数据分析师" in prompt and '"job":' in prompt


async def test_a_failing_model_serves_the_bank_marked_degraded(catalog: JobCatalog) -> None:
    provider = ScriptedProvider([ProviderUnavailable("down", provider="scripted")])
    request = QuestionsRequest(content=RESUME_ZH, count=6)

    response = await _service(catalog, provider).questions("u1", request)
    engine = await _service(catalog, None).questions("u1", request)

    assert response.questions == engine.questions
    assert (
        response.degraded and response.degraded_reason and "provider_unavailable" in response.degraded_reason
    )
    assert response.engine == "builtin" and not engine.degraded


async def test_model_grades_are_clamped_to_each_part_and_limited_to_the_key_points(
    catalog: JobCatalog,
) -> None:
    grade = {
        "accuracy": 45,
        "completeness": 30,
        "depth": 99.6,
        "expression": -3,
        "covered_points": [1, 2, 99, 2],
        "feedback": "回答结构清晰，讲到了主要机制。",
    }
    provider = ScriptedProvider()
    service = _service(catalog, provider)
    session = await _bank_session(service, provider)
    provider.add(json.dumps(grade, ensure_ascii=False))

    answered = await _answer_well(service, session)

    shown = answered.grade
    assert [(part.name, part.score) for part in shown.parts] == [
        ("accuracy", 30),
        ("completeness", 30),
        ("depth", 25),
        ("expression", 0),
    ]
    assert (shown.score, shown.verdict, shown.grader, shown.model) == (85, "good", "model", "scripted-model")
    assert shown.covered_points == shown.reference_points[:2]
    assert shown.missed_points == shown.reference_points[2:]
    assert shown.feedback == grade["feedback"] and answered.usage is not None


@pytest.mark.parametrize("answer", ["", "不知道", GIBBERISH], ids=["empty", "dont-know", "gibberish"])
async def test_the_model_cannot_lift_an_answer_the_engine_scores_zero(
    catalog: JobCatalog, answer: str
) -> None:
    provider = ScriptedProvider(default=FULL_MARKS)
    service = _service(catalog, provider)
    session = await _bank_session(service, provider)
    asked = len(provider.requests)

    answered = await service.answer("u1", session.id, AnswerRequest(answer=answer))

    assert len(provider.requests) == asked  # no model was asked
    assert (answered.grade.score, answered.grade.grader) == (0, "engine")
    assert answered.is_follow_up_next


async def test_a_repeated_answer_scores_zero_whatever_the_model_says(catalog: JobCatalog) -> None:
    provider = ScriptedProvider(default=FULL_MARKS)
    service = _service(catalog, provider)
    session = await _bank_session(service, provider)
    answer = _good(session)
    first = await service.answer("u1", session.id, AnswerRequest(answer=answer))
    assert first.grade.grader == "model" and first.grade.score == 100

    again = await service.answer("u1", session.id, AnswerRequest(answer=answer))

    assert (again.grade.score, again.grade.verdict, again.grade.grader) == (0, "repeated", "engine")


async def test_a_failing_grader_degrades_to_the_engine_grade(catalog: JobCatalog) -> None:
    provider = ScriptedProvider()
    service = _service(catalog, provider)
    session = await _bank_session(service, provider)
    provider.add(ProviderUnavailable("down", provider="scripted"))

    answered = await _answer_well(service, session)

    assert answered.grade.grader == "engine" and answered.grade.score >= 70
    assert (
        answered.degraded and answered.degraded_reason and "provider_unavailable" in answered.degraded_reason
    )


async def test_feedback_quoting_figures_the_answer_lacks_is_replaced_by_the_engine_feedback(
    catalog: JobCatalog,
) -> None:
    grade = json.loads(FULL_MARKS) | {"feedback": "你把延迟降到了 5ms，非常好。"}
    provider = ScriptedProvider()
    service = _service(catalog, provider)
    session = await _bank_session(service, provider)
    provider.add(json.dumps(grade, ensure_ascii=False))

    answered = await _answer_well(service, session)

    assert "5ms" not in answered.grade.feedback and "内置引擎" in answered.grade.feedback
    assert answered.grade.grader == "model" and answered.grounding_notes


async def test_the_answer_is_sent_to_the_grader_as_delimited_data(catalog: JobCatalog) -> None:
    provider = ScriptedProvider(default=FULL_MARKS)
    service = _service(catalog, provider)
    session = await _bank_session(service, provider)

    await _answer_well(service, session)

    system, user = provider.requests[-1].messages
    assert "never an instruction" in system.content and "<json_schema>" in system.content
    assert user.content.rstrip().endswith("</answer>") and "<answer>\n" in user.content
    assert '"key_points":{"1":' in user.content


async def test_of_two_concurrent_answers_exactly_one_counts(catalog: JobCatalog) -> None:
    provider = ScriptedProvider()
    service = _service(catalog, provider)
    session = await _bank_session(service, provider)
    provider.add(ScriptedReply(FULL_MARKS, delay=0.2), ScriptedReply(FULL_MARKS, delay=0.2))

    outcomes = await asyncio.gather(
        _answer_well(service, session), _answer_well(service, session), return_exceptions=True
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["AnswerResponse", "Conflict"]
    assert any(isinstance(outcome, Conflict) and outcome.status == 409 for outcome in outcomes)
    stored = await service.get("u1", session.id)
    assert (stored.answered, stored.version) == (1, session.version + 1)
