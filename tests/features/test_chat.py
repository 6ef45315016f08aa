"""The chat assistant with a scripted model, and with none: FAQ first, grounded model second, degrading."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.session import SessionFactory, create_engine, create_session_factory
from jobfirst_ai.errors import EmptyInput, NotFound, PayloadTooLarge, ProviderUnavailable
from jobfirst_ai.features.chat.history import estimate_tokens, window_start
from jobfirst_ai.features.chat.prompts import SYSTEM_PROMPT
from jobfirst_ai.features.chat.schemas import ChatDelta, ChatDone, ChatError, ChatEvent, ChatRequest
from jobfirst_ai.features.chat.service import ChatLimits, ChatService
from jobfirst_ai.features.resume.enrich import ModelBackend
from jobfirst_ai.llm.redact import Redactor
from jobfirst_ai.llm.testing import ScriptedProvider, ScriptedReply
from jobfirst_ai.llm.types import ChatRequest as ModelRequest
from jobfirst_ai.llm.types import StreamChunk

COVER_LETTER = {
    "zh": "帮我写一段求职信的开头，我想申请数据分析师。",
    "en": "Help me write the opening of a cover letter for a data analyst job.",
}
FAQ_QUESTION = {"zh": "简历支持哪些文件格式？", "en": "Which file formats can I upload for my resume?"}


@pytest.fixture
async def sessions(tmp_path: Path) -> AsyncIterator[SessionFactory]:
    database = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}")
    await upgrade_database(database)
    yield create_session_factory(database)
    await database.dispose()


def _service(
    sessions: SessionFactory, provider: ScriptedProvider | None = None, *, history_tokens: int = 2000
) -> ChatService:
    backend = ModelBackend(provider, timeout_seconds=5, redactor=Redactor()) if provider else None
    return ChatService(sessions, backend, ChatLimits(max_message_chars=4000, history_tokens=history_tokens))


async def _events(service: ChatService, message: str, session_id: str | None = None) -> list[ChatEvent]:
    turn = await service.start("u1", ChatRequest(message=message, session_id=session_id))
    return [event async for event in turn.events()]


def _text(events: list[ChatEvent]) -> str:
    return "".join(event.text for event in events if isinstance(event, ChatDelta))


def _done(events: list[ChatEvent]) -> ChatDone:
    last = events[-1]
    assert isinstance(last, ChatDone), last
    return last


async def test_a_streamed_model_reply_comes_in_deltas_then_done_with_usage(sessions: SessionFactory) -> None:
    provider = ScriptedProvider(
        ["建议开头先点明应聘的职位，再用一句话概括你最相关的数据分析经历。"], chunk_size=6
    )

    events = await _events(_service(sessions, provider), COVER_LETTER["zh"])

    done = _done(events)
    deltas = [event for event in events if isinstance(event, ChatDelta)]
    assert len(deltas) > 3
    assert _text(events) == "建议开头先点明应聘的职位，再用一句话概括你最相关的数据分析经历。"
    assert (done.source, done.engine, done.model, done.degraded) == (
        "model",
        "scripted",
        "scripted-model",
        False,
    )
    assert done.usage is not None
    assert done.usage.completion_tokens > 0


async def test_the_model_is_asked_with_the_fixed_prompt_first_and_the_message_last(
    sessions: SessionFactory,
) -> None:
    provider = ScriptedProvider(default="OK")
    message = "我做了三年销售，想转行做产品经理，简历该突出什么？"

    turn = await _service(sessions, provider).start("u1", ChatRequest(message=message))
    await turn.answer()

    asked = provider.requests[-1]
    assert asked.messages[0].content == SYSTEM_PROMPT
    assert asked.messages[-1].content.endswith(message)
    assert "简体中文" in asked.messages[-1].content
    assert (asked.thinking, asked.feature) == (False, "chat")
    assert asked.user is not None
    assert asked.user != "u1"


async def test_faq_excerpts_ground_the_model_in_the_last_message(sessions: SessionFactory) -> None:
    provider = ScriptedProvider(default="OK")
    question = "我的简历是扫描的PDF图片，还有旧的doc文件，怎么处理比较好"

    turn = await _service(sessions, provider).start("u1", ChatRequest(message=question))
    await turn.answer()

    latest = provider.requests[0].messages[-1].content
    assert "<faq>" in latest
    assert "Q: " in latest
    assert "(none)" not in latest


async def test_private_details_are_masked_for_the_model_and_restored_across_split_chunks(
    sessions: SessionFactory,
) -> None:
    provider = ScriptedProvider(
        ["可以在开头写：联系电话 [PHONE_1]，邮箱 【EMAIL_1】。"], chunk_size=3
    )  # "[PHONE_1]" spans several chunks
    message = "帮我写求职信开头，我的电话 13812345678，邮箱 li.lei@example.com"

    events = await _events(_service(sessions, provider), message)

    sent = provider.requests[0].messages[-1].content
    assert "13812345678" not in sent
    assert "li.lei@example.com" not in sent
    assert "[PHONE_1]" in sent
    assert _text(events) == "可以在开头写：联系电话 13812345678，邮箱 li.lei@example.com。"
    assert not any(
        "PHONE" in event.text or "EMAIL" in event.text for event in events if isinstance(event, ChatDelta)
    )


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_a_confident_faq_hit_answers_without_a_model(sessions: SessionFactory, language: str) -> None:
    events = await _events(_service(sessions), FAQ_QUESTION[language])

    done = _done(events)
    assert (done.source, done.faq_id, done.engine, done.language) == (
        "faq",
        "upload_formats",
        "builtin",
        language,
    )
    assert "PDF" in _text(events)
    assert ("支持" in _text(events)) == (language == "zh")


async def test_a_confident_faq_hit_spends_no_model_call_even_with_a_model(sessions: SessionFactory) -> None:
    provider = ScriptedProvider()

    turn = await _service(sessions, provider).start("u1", ChatRequest(message=FAQ_QUESTION["en"]))
    answer = await turn.answer()

    assert answer.source == "faq"
    assert provider.requests == []


@pytest.mark.parametrize("language", ["zh", "en"])
async def test_without_a_model_other_questions_get_three_faq_suggestions(
    sessions: SessionFactory, language: str
) -> None:
    turn = await _service(sessions).start("u1", ChatRequest(message=COVER_LETTER[language]))
    answer = await turn.answer()

    assert (answer.source, answer.degraded) == ("engine", False)
    assert len(answer.suggestions) == 3
    assert all(question in answer.reply for question in answer.suggestions)
    assert ("没有接入大模型" in answer.reply) == (language == "zh")
    assert ("without a language model" in answer.reply) == (language == "en")


async def test_a_model_failing_before_its_first_word_leaves_the_reply_to_the_engine(
    sessions: SessionFactory,
) -> None:
    provider = ScriptedProvider([ProviderUnavailable("down", provider="scripted")])

    events = await _events(_service(sessions, provider), COVER_LETTER["en"])

    done = _done(events)
    assert (done.source, done.degraded) == ("engine", True)
    assert done.degraded_reason is not None
    assert done.degraded_reason.startswith("provider_unavailable")
    assert "language model is unavailable" in _text(events)


async def test_a_blank_model_reply_counts_as_a_failure(sessions: SessionFactory) -> None:
    provider = ScriptedProvider(["   "])

    turn = await _service(sessions, provider).start("u1", ChatRequest(message=COVER_LETTER["zh"]))
    answer = await turn.answer()

    assert (answer.source, answer.degraded) == ("engine", True)


async def test_a_mid_stream_failure_ends_with_an_error_and_keeps_the_part_sent(
    sessions: SessionFactory,
) -> None:
    provider = ScriptedProvider(
        [ScriptedReply("第一部分。第二部分。第三部分。", break_after=2)], chunk_size=5
    )
    service = _service(sessions, provider)

    events = await _events(service, COVER_LETTER["zh"])

    error = events[-1]
    assert isinstance(error, ChatError)
    assert error.code == "provider_unavailable"
    assert _text(events) == "第一部分。第二部分。"
    stored = (await service.session("u1", error.session_id)).messages
    assert [(message.role, message.is_complete) for message in stored] == [
        ("user", True),
        ("assistant", False),
    ]
    assert stored[-1].id == error.message_id
    assert stored[-1].content == "第一部分。第二部分。"


async def test_a_client_that_stops_reading_closes_the_model_stream_and_keeps_what_it_saw(
    sessions: SessionFactory,
) -> None:
    closed: list[bool] = []

    class Watched(ScriptedProvider):
        async def stream(self, request: ModelRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
            try:
                async for chunk in super().stream(request, deadline=deadline):
                    yield chunk
            finally:
                closed.append(True)

    service = _service(sessions, Watched(["一二三四五六七八九十" * 5], chunk_size=4))
    turn = await service.start("u1", ChatRequest(message=COVER_LETTER["zh"]))
    events = turn.events()
    first = await anext(events)

    await events.aclose()  # what the server does when the client disconnects

    assert closed == [True]
    assert isinstance(first, ChatDelta)
    stored = (await service.session("u1", turn.session_id)).messages
    assert (stored[-1].content, stored[-1].is_complete) == (first.text, False)


async def test_a_session_remembers_its_turns_and_sends_them_as_history(sessions: SessionFactory) -> None:
    provider = ScriptedProvider(["第一次回答", "第二次回答"])
    service = _service(sessions, provider)

    first = _done(await _events(service, COVER_LETTER["zh"]))
    await _events(service, "再短一点", first.session_id)

    roles = [message.role for message in provider.requests[1].messages]
    assert roles == ["system", "user", "assistant", "user"]
    # Resent exactly as first sent (reply language and FAQ excerpts included): the prefix cache hits it.
    assert provider.requests[1].messages[1] == provider.requests[0].messages[1]
    assert provider.requests[1].messages[1].content.endswith(COVER_LETTER["zh"])
    assert provider.requests[1].messages[2].content == "第一次回答"
    detail = await service.session("u1", first.session_id)
    assert [message.content for message in detail.messages][-1] == "第二次回答"
    assert detail.title == COVER_LETTER["zh"]


async def test_a_long_session_sends_a_bounded_history_of_its_newest_turns(sessions: SessionFactory) -> None:
    budget = 1200  # a turn is ~400 tokens as resent: ~330 for the message with its FAQ excerpts, ~70 reply
    provider = ScriptedProvider(default="This is a fairly long answer about resumes and jobs. " * 4)
    service = _service(sessions, provider, history_tokens=budget)
    session_id = None
    for number in range(30):
        done = _done(
            await _events(service, f"Question {number}: how should I describe project {number}?", session_id)
        )
        session_id = done.session_id

    sizes = [sum(estimate_tokens(m.content) for m in request.messages[1:-1]) for request in provider.requests]
    last = provider.requests[-1].messages
    assert max(sizes) <= budget
    assert min(sizes[10:]) >= budget // 4  # not emptied either: the newest turns stay
    assert "Question 28" in last[-3].content  # the previous turn is always there
    assert all("Question 0:" not in message.content for message in last)


def test_the_history_window_moves_in_steps_so_the_prompt_prefix_repeats() -> None:
    turns = [("user", 50), ("assistant", 50)] * 20
    starts = [window_start(turns[: 2 * count], budget=400) for count in range(1, 21)]

    assert starts[:4] == [0, 0, 0, 0]
    assert len(set(starts)) < len(starts) / 2  # it stays put for several turns at a time
    assert all(turns[start][0] == "user" for start in starts)
    assert all(
        sum(tokens for _, tokens in turns[start : 2 * count]) <= 400 for count, start in enumerate(starts, 1)
    )


def test_token_estimates_follow_deepseeks_rule_of_thumb() -> None:
    assert estimate_tokens("你好" * 50) == 4 + 60
    assert estimate_tokens("a" * 100) == 4 + 30


async def test_another_users_session_is_not_found(sessions: SessionFactory) -> None:
    service = _service(sessions)
    done = _done(await _events(service, FAQ_QUESTION["zh"]))

    with pytest.raises(NotFound):
        await service.start("u2", ChatRequest(message="hi", session_id=done.session_id))
    with pytest.raises(NotFound):
        await service.session("u2", done.session_id)
    with pytest.raises(NotFound):
        await service.delete("u2", done.session_id)
    assert (await service.sessions("u2")).total == 0
    assert (await service.sessions("u1")).total == 1


async def test_messages_over_the_limit_or_empty_are_refused(sessions: SessionFactory) -> None:
    service = ChatService(sessions, None, ChatLimits(max_message_chars=10))

    with pytest.raises(PayloadTooLarge) as too_long:
        await service.start("u1", ChatRequest(message="这是一条超过十个字符的消息。"))
    with pytest.raises(EmptyInput):
        await service.start("u1", ChatRequest(message=" \n\x00 "))
    assert too_long.value.code == "message_too_long"
