"""The stand-in model server over real HTTP: vendor wire shapes, scripted faults, default answers."""

from __future__ import annotations

import json
from typing import Any, Literal

import httpx
import pytest
from pydantic import BaseModel, Field

from jobfirst_ai.llm.standin import Step, ThreadedStandin
from jobfirst_ai.llm.standin.cache import DEEPSEEK_CACHE, PrefixCache
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]  # fixtures, imported for pytest

RESUME = (
    "Jane Doe\n"
    "Senior backend engineer, 7 years building payment APIs.\n"
    "Skills: Python, FastAPI, PostgreSQL, Kubernetes, Redis\n"
    "jane.doe@example.com"
)


class Job(BaseModel):
    company: str
    title: str
    years: int = Field(ge=0, le=60)


class ResumeSummary(BaseModel):
    name: str
    skills: list[str] = Field(min_length=2, max_length=5)
    level: Literal["junior", "mid", "senior"]
    jobs: list[Job]
    remote: bool
    email: str | None = None


def _messages(
    system: str = "You summarise resumes as JSON.", user: str = f"<resume>{RESUME}</resume>"
) -> list[Any]:
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _body(**fields: Any) -> dict[str, Any]:
    return {"model": "deepseek-flash", "messages": _messages(), **fields}


def _post(
    server: ThreadedStandin, body: Any, path: str = "/chat/completions", **options: Any
) -> httpx.Response:
    return httpx.post(server.url + path, json=body, timeout=options.pop("timeout", 5), **options)


def _events(text: str) -> list[Any]:
    datas = [line[len("data: ") :] for line in text.split("\n\n") if line.startswith("data: ")]
    return [data if data == "[DONE]" else json.loads(data) for data in datas]


def _read_stream(client: httpx.Client, url: str, body: Any, received: list[str]) -> None:
    with client.stream("POST", url, json=body) as reply:
        received.extend(line for line in reply.iter_lines() if line)


def _schema_prompt() -> list[Any]:
    schema = json.dumps(ResumeSummary.model_json_schema())
    return _messages(system=f"Answer in JSON.\n<json_schema>{schema}</json_schema>")


def test_deepseek_json_response_has_the_documented_shape_and_usage_identity(standin: ThreadedStandin) -> None:
    reply = _post(standin, _body(response_format={"type": "json_object"}, user_id="tenant_42"))

    payload = reply.json()
    usage = payload["usage"]
    assert reply.status_code == 200
    assert payload["object"] == "chat.completion"
    assert payload["model"] == "deepseek-flash"
    assert payload["system_fingerprint"]
    assert payload["choices"][0]["finish_reason"] == "stop"
    assert usage["prompt_tokens"] == usage["prompt_cache_hit_tokens"] + usage["prompt_cache_miss_tokens"]
    assert usage["prompt_tokens_details"]["cached_tokens"] == usage["prompt_cache_hit_tokens"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_deepseek_json_mode_without_the_word_json_answers_whitespace(standin: ThreadedStandin) -> None:
    body = _body(
        messages=[{"role": "user", "content": "Which city?"}], response_format={"type": "json_object"}
    )

    choice = _post(standin, body).json()["choices"][0]

    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"].strip() == ""


def test_prefix_cache_hits_a_repeated_prompt_of_the_same_user_only(standin: ThreadedStandin) -> None:
    long_prompt = _messages(user=f"<resume>{RESUME * 20}</resume>")

    def hits(user_id: str) -> int:
        body = _body(messages=long_prompt, user_id=user_id)
        return int(_post(standin, body).json()["usage"]["prompt_cache_hit_tokens"])

    first, repeat, other_user = hits("a"), hits("a"), hits("b")

    assert (first, other_user) == (0, 0)
    assert repeat > 0
    assert repeat % 64 == 0


def test_sse_stream_has_keep_alives_usage_on_the_last_content_chunk_and_done(
    standin: ThreadedStandin,
) -> None:
    standin.script([Step(delay=0.15, keep_alive_every=0.05)])

    reply = _post(standin, _body(stream=True))

    assert reply.headers["content-type"].startswith("text/event-stream")
    assert reply.text.startswith(": keep-alive\n\n")
    events = _events(reply.text)
    chunks = events[:-1]
    assert events[-1] == "[DONE]"
    assert {chunk["id"] for chunk in chunks} == {chunks[0]["id"]}
    assert all(len(chunk["choices"]) == 1 for chunk in chunks)
    assert chunks[-1]["choices"][0]["finish_reason"] == "stop"
    assert chunks[-1]["usage"]["prompt_cache_miss_tokens"] > 0
    assert all("usage" not in chunk for chunk in chunks[:-1])


def test_include_usage_puts_null_usage_on_every_earlier_deepseek_chunk(standin: ThreadedStandin) -> None:
    reply = _post(standin, _body(stream=True, stream_options={"include_usage": True}))

    chunks = _events(reply.text)[:-1]

    assert all(chunk["usage"] is None for chunk in chunks[:-1])
    assert chunks[-1]["usage"]["total_tokens"] > 0


def test_non_stream_delay_sends_blank_lines_before_the_json(standin: ThreadedStandin) -> None:
    standin.script([{"delay": 0.12, "keep_alive_every": 0.04}])

    reply = _post(standin, _body())

    assert reply.text.startswith("\n")
    assert json.loads(reply.text.lstrip("\n"))["object"] == "chat.completion"


def test_thinking_is_on_by_default_and_off_when_disabled(standin: ThreadedStandin) -> None:
    thinking = _post(standin, _body()).json()
    plain = _post(standin, _body(thinking={"type": "disabled"})).json()

    assert thinking["choices"][0]["message"]["reasoning_content"]
    assert thinking["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
    assert "reasoning_content" not in plain["choices"][0]["message"]
    assert plain["usage"]["completion_tokens_details"]["reasoning_tokens"] == 0


def test_thinking_stream_sends_reasoning_before_content(standin: ThreadedStandin) -> None:
    chunks = _events(_post(standin, _body(stream=True)).text)[:-1]

    deltas = [chunk["choices"][0]["delta"] for chunk in chunks]
    kinds = ["reasoning" if delta.get("reasoning_content") else "content" for delta in deltas[1:-1]]
    assert deltas[0] == {"role": "assistant", "content": None, "reasoning_content": ""}
    assert kinds == sorted(kinds, key=lambda kind: kind == "content")
    assert "reasoning" in kinds


def test_retired_model_gets_the_observed_400_unless_allowed(standin: ThreadedStandin) -> None:
    refused = _post(standin, _body(model="deepseek-chat"))
    standin.configure(reject_retired_models=False)
    allowed = _post(standin, _body(model="deepseek-chat"))

    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "message": "The supported API model names are deepseek-v4-pro or deepseek-v4-flash, "
        "but you passed deepseek-chat.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_request_error",
    }
    assert allowed.status_code == 200


def test_deepseek_rejects_developer_role_and_json_schema(standin: ThreadedStandin) -> None:
    developer = _post(standin, _body(messages=[{"role": "developer", "content": "hi"}]))
    schema_format = {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}}
    json_schema = _post(standin, _body(response_format=schema_format))

    assert developer.status_code == 400
    assert "unknown variant `developer`" in developer.json()["error"]["message"]
    assert json_schema.status_code == 422


def test_scripted_402_sends_deepseek_verbatim_body(standin: ThreadedStandin) -> None:
    standin.script([Step(error="balance")])

    reply = _post(standin, _body())

    assert reply.status_code == 402
    assert reply.text == (
        '{"error": {"message": "Insufficient Balance", "type": "unknown_error", "param": null, '
        '"code": "invalid_request_error"}}'
    )


def test_scripted_429_carries_retry_after_and_steps_run_in_order(standin: ThreadedStandin) -> None:
    standin.script([Step(error="rate_limit", retry_after=2, times=2)])

    first, second, third = (_post(standin, _body()) for _ in range(3))

    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert first.headers["retry-after"] == "2"


def test_scripted_422_is_a_plain_text_body(standin: ThreadedStandin) -> None:
    standin.script([Step(error="serde")])

    reply = _post(standin, _body())

    assert reply.status_code == 422
    assert reply.headers["content-type"].startswith("text/plain")
    assert reply.text.startswith("Failed to deserialize the JSON body")


def test_gemini_errors_are_json_arrays(standin: ThreadedStandin) -> None:
    standin.script([Step(status=503)])

    reply = _post(standin, _body(model="gemini-3.8-flash"), "/v1beta/openai/chat/completions")

    assert reply.status_code == 503
    assert reply.json()[0]["error"]["status"] == "UNAVAILABLE"


def test_gemini_completion_tokens_exclude_thinking_but_total_includes_it(standin: ThreadedStandin) -> None:
    body = _body(model="gemini-3.8-flash", stream=True, stream_options={"include_usage": True})

    chunks = _events(_post(standin, body, "/v1beta/openai/chat/completions").text)[:-1]

    usage = chunks[-1]["usage"]
    assert all("usage" in chunk for chunk in chunks)
    assert usage["total_tokens"] > usage["prompt_tokens"] + usage["completion_tokens"]


def test_openai_sends_a_usage_only_chunk_only_when_asked(standin: ThreadedStandin) -> None:
    body = _body(model="gpt-5.4-nano", stream=True)

    without = _events(_post(standin, body).text)[:-1]
    with_usage = _events(_post(standin, {**body, "stream_options": {"include_usage": True}}).text)[:-1]

    assert all(chunk["choices"] for chunk in without)
    assert with_usage[-1]["choices"] == []
    assert with_usage[-1]["usage"]["prompt_tokens"] > 0


def test_ollama_streams_ndjson_with_metrics_on_the_final_object(standin: ThreadedStandin) -> None:
    reply = _post(standin, {"model": "llama3.2", "messages": _messages()}, "/api/chat")

    lines = [json.loads(line) for line in reply.text.splitlines()]
    final = lines[-1]
    assert reply.headers["content-type"].startswith("application/x-ndjson")
    assert [line["done"] for line in lines] == [False] * (len(lines) - 1) + [True]
    assert final["done_reason"] == "stop"
    assert final["prompt_eval_count"] > 0
    assert final["eval_count"] > 0
    assert final["total_duration"] > final["eval_duration"] > 0


def test_ollama_unknown_model_is_404_and_no_stream_is_one_object(standin: ThreadedStandin) -> None:
    missing = _post(standin, {"model": "llama9", "messages": _messages()}, "/api/chat")
    single = _post(standin, {"model": "qwen3:8b", "messages": _messages(), "stream": False}, "/api/chat")

    assert (missing.status_code, missing.json()) == (404, {"error": "model 'llama9' not found"})
    assert single.json()["done"] is True
    assert single.json()["message"]["content"]


def test_ollama_mid_stream_error_arrives_as_a_last_line(standin: ThreadedStandin) -> None:
    standin.script([Step(cut_after=1, cut="error")])

    reply = _post(standin, {"model": "llama3.2", "messages": _messages()}, "/api/chat")

    lines = [json.loads(line) for line in reply.text.splitlines()]
    assert reply.status_code == 200
    assert lines[-1] == {"error": "an error was encountered while running the model"}
    assert len(lines) == 2


def test_scripted_stall_lets_the_client_time_out_mid_stream(standin: ThreadedStandin) -> None:
    standin.script([Step(cut_after=2, hang=5)])
    received: list[str] = []

    with pytest.raises(httpx.ReadTimeout), httpx.Client(timeout=httpx.Timeout(5, read=0.3)) as client:
        _read_stream(client, standin.url + "/chat/completions", _body(stream=True), received)

    assert len(received) == 2


def test_scripted_drop_cuts_the_connection_without_done(standin: ThreadedStandin) -> None:
    standin.script([Step(cut_after=3, cut="drop")])
    received: list[str] = []

    with pytest.raises(httpx.RemoteProtocolError), httpx.Client(timeout=5) as client:
        _read_stream(client, standin.url + "/chat/completions", _body(stream=True), received)

    assert "data: [DONE]" not in received


def test_default_json_answer_validates_against_the_prompt_schema(standin: ThreadedStandin) -> None:
    body = _body(messages=_schema_prompt(), response_format={"type": "json_object"})

    content = _post(standin, body).json()["choices"][0]["message"]["content"]

    summary = ResumeSummary.model_validate_json(content)
    assert summary.name == "Jane Doe"
    assert all(skill in RESUME for skill in summary.skills)
    assert set(summary.skills) & {"Python", "FastAPI", "PostgreSQL", "Kubernetes", "Redis"}
    assert summary.email == "jane.doe@example.com"


def test_default_answer_is_deterministic(standin: ThreadedStandin) -> None:
    body = _body(messages=_schema_prompt(), thinking={"type": "disabled"})

    first, second = (_post(standin, body).json()["choices"][0]["message"]["content"] for _ in range(2))

    assert first == second


def test_a_json_example_in_the_prompt_shapes_the_answer(standin: ThreadedStandin) -> None:
    system = 'Return JSON: {"city": "...", "tags": ["..."], "stars": 3}'
    body = _body(messages=_messages(system=system, user="I flew into Lisbon yesterday."))

    answer = json.loads(_post(standin, body).json()["choices"][0]["message"]["content"])

    assert set(answer) == {"city", "tags", "stars"}
    assert "Lisbon" in answer["tags"]
    assert isinstance(answer["stars"], int)


@pytest.mark.parametrize(
    ("shape", "finish_reason"),
    [("fenced", "stop"), ("blank", "stop"), ("truncated", "length"), ("malformed", "stop")],
)
def test_content_shapes_spoil_the_answer(standin: ThreadedStandin, shape: str, finish_reason: str) -> None:
    standin.script([{"shape": shape}])

    choice = _post(standin, _body(messages=_schema_prompt())).json()["choices"][0]

    assert choice["finish_reason"] == finish_reason
    if shape == "fenced":
        assert choice["message"]["content"].startswith("```json\n")
    elif shape == "blank":
        assert not choice["message"]["content"].strip()
    else:
        with pytest.raises(ValueError):
            json.loads(choice["message"]["content"])


def test_requests_are_recorded_and_scriptable_over_http(standin: ThreadedStandin) -> None:
    scripted = httpx.post(standin.url + "/_standin/script", json=[{"answer": "Knows COBOL, 40 years."}])
    reply = _post(standin, _body(), headers={"Authorization": "Bearer sk-test"})

    recorded = httpx.get(standin.url + "/_standin/requests").json()
    assert scripted.json() == {"pending": 1}
    assert reply.json()["choices"][0]["message"]["content"] == "Knows COBOL, 40 years."
    assert recorded[-1]["body"]["model"] == "deepseek-flash"
    assert recorded[-1]["headers"]["authorization"] == "Bearer sk-test"
    assert standin.requests()[-1].path == "/chat/completions"


def test_reset_over_http_forgets_steps_and_requests(standin: ThreadedStandin) -> None:
    standin.script([Step(error="server")])
    _post(standin, {"model": "deepseek-flash"})

    httpx.post(standin.url + "/_standin/reset")

    assert _post(standin, _body()).status_code == 200
    assert len(standin.requests()) == 1


def test_balance_models_and_tags_answer_in_vendor_shape(standin: ThreadedStandin) -> None:
    balance = httpx.get(standin.url + "/user/balance").json()
    models = httpx.get(standin.url + "/models").json()
    tags = httpx.get(standin.url + "/api/tags").json()

    assert balance["balance_infos"][0]["currency"] == "CNY"
    assert "deepseek-flash" in {model["id"] for model in models["data"]}
    assert "llama3.2:latest" in {model["name"] for model in tags["models"]}


def test_prefix_cache_shares_a_document_from_the_third_request() -> None:
    cache, document = PrefixCache(), "<|user|>" + RESUME * 20
    questions = [document + f"\nQuestion {number}: which skills?" for number in range(3)]

    hits = [cache.lookup("deepseek:u", question, "", DEEPSEEK_CACHE) for question in questions]

    assert hits[:2] == [0, 0]
    assert hits[2] >= 64


def test_a_configured_api_key_is_required(standin: ThreadedStandin) -> None:
    standin.configure(api_key="sk-right")

    wrong = _post(standin, _body(), headers={"Authorization": "Bearer sk-wrong-abcd"})
    right = _post(standin, _body(), headers={"Authorization": "Bearer sk-right"})

    assert wrong.status_code == 401
    assert wrong.json()["error"]["message"] == "Authentication Fails, Your api key: ****abcd is invalid"
    assert right.status_code == 200


def test_openai_json_schema_response_format_drives_the_answer(standin: ThreadedStandin) -> None:
    schema_format = {
        "type": "json_schema",
        "json_schema": {"name": "s", "schema": ResumeSummary.model_json_schema()},
    }
    body = _body(model="gpt-5.4-nano", response_format=schema_format)

    reply = _post(standin, body, "/openai/v1/chat/completions").json()

    assert ResumeSummary.model_validate_json(reply["choices"][0]["message"]["content"]).name == "Jane Doe"
    assert reply["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0
