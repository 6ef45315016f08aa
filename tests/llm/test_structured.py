"""complete_structured: JSON mode, fences, repair, validation, one corrective retry, then failure."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from jobfirst_ai.errors import InvalidModelOutput, RateLimited
from jobfirst_ai.llm.structured import complete_structured
from jobfirst_ai.llm.testing import Reply, ScriptedProvider
from jobfirst_ai.llm.types import ChatRequest, ChatResult, Message, Usage

ASK = ChatRequest(messages=(Message(role="user", content="Return the skill as JSON."),))
GOOD = '{"name": "Python", "years": 5}'


class Skill(BaseModel):
    name: str
    years: int


async def _structured(*replies: Reply) -> tuple[Skill, ScriptedProvider, bool, bool]:
    provider = ScriptedProvider(replies, name="model-a")
    result = await complete_structured(provider, ASK, Skill, deadline=float("inf"))
    return result.value, provider, result.is_repaired, result.is_corrected


async def test_plain_json_is_validated_in_one_call() -> None:
    skill, provider, is_repaired, is_corrected = await _structured(GOOD)

    assert skill == Skill(name="Python", years=5)
    assert (is_repaired, is_corrected) == (False, False)
    assert provider.requests[0].json_mode is True
    assert provider.requests[0].thinking is False


async def test_an_explicit_thinking_choice_is_kept() -> None:
    provider = ScriptedProvider([GOOD])

    await complete_structured(provider, ASK.model_copy(update={"thinking": True}), Skill, deadline=1e9)

    assert provider.requests[0].thinking is True


@pytest.mark.parametrize(
    "text",
    [f"```json\n{GOOD}\n```", f"```\n{GOOD}\n```", f"Here you are:\n```json\n{GOOD}\n```\nAnything else?"],
)
async def test_code_fences_are_stripped(text: str) -> None:
    skill, provider, is_repaired, _ = await _structured(text)

    assert skill.name == "Python"
    assert not is_repaired
    assert len(provider.requests) == 1


@pytest.mark.parametrize(
    "text",
    ['{"name": "Python", "years": 5,}', "{'name': 'Python', 'years': 5}", '{"name": "Python", "years": 5'],
    ids=["trailing comma", "single quotes", "missing brace"],
)
async def test_repairable_json_is_repaired_without_asking_again(text: str) -> None:
    skill, provider, is_repaired, is_corrected = await _structured(text)

    assert skill == Skill(name="Python", years=5)
    assert (is_repaired, is_corrected) == (True, False)
    assert len(provider.requests) == 1


async def test_blank_answer_gets_one_corrective_retry() -> None:
    skill, provider, _, is_corrected = await _structured("  ", GOOD)

    assert skill.years == 5
    assert is_corrected
    retry = provider.requests[1]
    assert retry.messages[: len(ASK.messages)] == ASK.messages
    assert [message.role for message in retry.messages[-2:]] == ["assistant", "user"]
    assert retry.messages[-1].content == (
        "Your previous answer was not valid: the answer was empty. Return only JSON matching the schema."
    )
    assert retry.json_mode is True


async def test_the_correction_quotes_the_bad_answer_and_the_validation_error() -> None:
    bad = '{"name": "Python", "years": "many"}'

    _, provider, _, _ = await _structured(bad, GOOD)

    assistant, user = provider.requests[1].messages[-2:]
    assert assistant.content == bad
    assert "years" in user.content
    assert "valid integer" in user.content


@pytest.mark.parametrize("text", ["[1, 2, 3]", "I cannot help with that.", '"just a string"'])
async def test_non_objects_are_corrected(text: str) -> None:
    skill, provider, _, is_corrected = await _structured(text, GOOD)

    assert skill.name == "Python"
    assert is_corrected
    assert "not a JSON object" in provider.requests[1].messages[-1].content


async def test_invalid_twice_raises_invalid_model_output() -> None:
    provider = ScriptedProvider(['{"name": "Python"}', '{"years": 3}'], name="model-a")

    with pytest.raises(InvalidModelOutput, match="name") as raised:
        await complete_structured(provider, ASK, Skill, deadline=float("inf"))

    assert raised.value.provider == "model-a"
    assert len(provider.requests) == 2


async def test_usage_and_attempts_cover_both_calls() -> None:
    first = ChatResult(text="", provider="a", model="m", usage=Usage(prompt_tokens=10, completion_tokens=1))
    second = ChatResult(
        text=GOOD, provider="a", model="m", usage=Usage(prompt_tokens=20, completion_tokens=9), attempts=2
    )
    provider = ScriptedProvider([first, second])

    result = await complete_structured(provider, ASK, Skill, deadline=float("inf"))

    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (30, 10)
    assert (result.provider, result.model, result.attempts) == ("a", "m", 3)


async def test_a_repaired_answer_cut_at_the_token_limit_is_not_trusted() -> None:
    cut = ChatResult(text='{"name": "Python", "years": 5', provider="a", model="m", finish_reason="length")
    provider = ScriptedProvider([cut, GOOD])

    result = await complete_structured(provider, ASK, Skill, deadline=float("inf"))

    assert result.is_corrected
    assert "cut off" in provider.requests[1].messages[-1].content


async def test_provider_errors_pass_through_untouched() -> None:
    provider = ScriptedProvider([RateLimited("429")])

    with pytest.raises(RateLimited):
        await complete_structured(provider, ASK, Skill, deadline=float("inf"))
    assert len(provider.requests) == 1
