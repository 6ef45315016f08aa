"""`/api/v1/ai/chat`: JSON and Server-Sent Events, sessions per user, limits, and the stand-in model."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from jobfirst_ai.llm.standin import ThreadedStandin
from tests.conftest import ClientFactory
from tests.support.api import SECRET, bearer, make_token
from tests.support.sse import Event, events_of, reply_of
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]

CHAT = "/api/v1/ai/chat"
FAQ = {"zh": "简历支持哪些文件格式？", "en": "Which file formats can I upload for my resume?"}
OPEN = {
    "zh": "帮我写一段求职信的开头，我想申请数据分析师。",
    "en": "Help me write the opening of a cover letter for a data analyst job.",
}


@pytest.fixture
def model_client(make_client: ClientFactory, standin: ThreadedStandin) -> TestClient:
    return make_client(
        external_ai_provider="deepseek",
        external_ai_api_key="sk-test-key-for-the-standin",
        external_ai_base_url=standin.url,
        ai_timeout_seconds=5,
        ai_retry_attempts=1,
    )


def _stream(client: TestClient, body: dict[str, object], **kwargs: object) -> list[Event]:
    response = client.post(CHAT, json={**body, "stream": True}, **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["cache-control"] == "no-cache"
    return events_of(response.text)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_faq_question_is_answered_as_json_without_a_model(client: TestClient, language: str) -> None:
    response = client.post(CHAT, json={"message": FAQ[language]})

    body = response.json()
    assert response.status_code == 200, response.text
    assert (body["source"], body["faq_id"], body["language"], body["engine"]) == (
        "faq",
        "upload_formats",
        language,
        "builtin",
    )
    assert "PDF" in body["reply"]
    assert body["session_id"]
    assert body["message_id"]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_streamed_reply_is_deltas_then_done(client: TestClient, language: str) -> None:
    events = _stream(client, {"message": OPEN[language]})

    assert {event.name for event in events[:-1]} == {"delta"}
    assert events[-1].name == "done"
    assert events[-1].data["source"] == "engine"
    assert "reply" not in events[-1].data
    assert len(events[-1].data["suggestions"]) == 3
    assert all(question in reply_of(events) for question in events[-1].data["suggestions"])


def test_accept_text_event_stream_asks_for_a_stream_and_stream_false_for_json(client: TestClient) -> None:
    accepting = {"Accept": "text/event-stream"}

    streamed = client.post(CHAT, json={"message": FAQ["en"]}, headers=accepting)
    plain = client.post(CHAT, json={"message": FAQ["en"], "stream": False}, headers=accepting)

    assert streamed.headers["content-type"].startswith("text/event-stream")
    assert events_of(streamed.text)[-1].data["faq_id"] == "upload_formats"
    assert plain.json()["faq_id"] == "upload_formats"


def test_a_session_lists_its_messages_and_can_be_deleted(client: TestClient) -> None:
    first = client.post(CHAT, json={"message": FAQ["zh"]}).json()
    client.post(CHAT, json={"message": OPEN["zh"], "session_id": first["session_id"]})

    detail = client.get(f"{CHAT}/sessions/{first['session_id']}").json()
    listed = client.get(f"{CHAT}/sessions").json()
    deleted = client.delete(f"{CHAT}/sessions/{first['session_id']}")

    assert [message["role"] for message in detail["messages"]] == ["user", "assistant"] * 2
    assert [message["source"] for message in detail["messages"]][1::2] == ["faq", "engine"]
    assert detail["title"] == FAQ["zh"]
    assert [item["id"] for item in listed["items"]] == [first["session_id"]]
    assert deleted.status_code == 204
    assert client.get(f"{CHAT}/sessions/{first['session_id']}").status_code == 404


def test_sessions_keep_their_order_and_delete_with_their_messages_on_each_database(
    make_client: ClientFactory, database_url: str
) -> None:
    client = make_client(database_url=database_url)
    session_id = client.post(CHAT, json={"message": FAQ["en"]}).json()["session_id"]
    for message in (OPEN["en"], FAQ["zh"], OPEN["zh"]):
        client.post(CHAT, json={"message": message, "session_id": session_id})
    other = client.post(CHAT, json={"message": OPEN["en"]}).json()["session_id"]

    detail = client.get(f"{CHAT}/sessions/{session_id}").json()
    page = client.get(f"{CHAT}/sessions", params={"limit": 1}).json()
    client.delete(f"{CHAT}/sessions/{session_id}")

    users = [message["content"] for message in detail["messages"] if message["role"] == "user"]
    assert users == [FAQ["en"], OPEN["en"], FAQ["zh"], OPEN["zh"]]
    assert (page["total"], [item["id"] for item in page["items"]]) == (2, [other])
    assert client.get(f"{CHAT}/sessions").json()["total"] == 1


def test_users_see_only_their_own_sessions(make_client: ClientFactory) -> None:
    secured = make_client(jwt_secret=SECRET)
    alice, bob = bearer(make_token("alice")), bearer(make_token("bob"))
    session_id = secured.post(CHAT, json={"message": FAQ["en"]}, headers=alice).json()["session_id"]

    continued = secured.post(CHAT, json={"message": "hi", "session_id": session_id}, headers=bob)
    streamed = secured.post(
        CHAT, json={"message": "hi", "session_id": session_id, "stream": True}, headers=bob
    )
    read = secured.get(f"{CHAT}/sessions/{session_id}", headers=bob)
    deleted = secured.delete(f"{CHAT}/sessions/{session_id}", headers=bob)
    listed = secured.get(f"{CHAT}/sessions", headers=bob).json()

    assert [continued.status_code, streamed.status_code, read.status_code, deleted.status_code] == [404] * 4
    assert streamed.json()["error"]["code"] == "not_found"
    assert listed["total"] == 0
    assert secured.get(f"{CHAT}/sessions/{session_id}", headers=alice).status_code == 200
    assert secured.post(CHAT, json={"message": "hi"}).status_code == 401


def test_a_message_over_the_limit_is_413_and_an_empty_one_422(make_client: ClientFactory) -> None:
    client = make_client(chat_max_message_chars=100)

    too_long = client.post(CHAT, json={"message": "字" * 101})
    empty = client.post(CHAT, json={"message": "   "})
    streamed_too_long = client.post(CHAT, json={"message": "a" * 101, "stream": True})

    assert (too_long.status_code, too_long.json()["error"]["code"]) == (413, "message_too_long")
    assert "100" in too_long.json()["error"]["message"]
    assert (streamed_too_long.status_code, streamed_too_long.json()["error"]["code"]) == (
        413,
        "message_too_long",
    )
    assert (empty.status_code, empty.json()["error"]["code"]) == (422, "empty_input")


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"text": "hi"}',
        b'{"message": "hi", "extra": 1}',
        b'{"message": "hi", "session_id": "../x"}',
    ],
    ids=["not-json", "no-message", "unknown-field", "bad-session-id"],
)
def test_malformed_requests_are_422(client: TestClient, body: bytes) -> None:
    response = client.post(CHAT, content=body, headers={"Content-Type": "application/json"})

    assert (response.status_code, response.json()["error"]["code"]) == (422, "validation_error")


def test_a_huge_body_is_refused_before_it_is_read(make_client: ClientFactory) -> None:
    client = make_client(chat_max_message_chars=10)

    response = client.post(CHAT, content=json.dumps({"message": "a" * 300_000}))

    assert response.status_code == 413


def test_an_unknown_session_is_404(client: TestClient) -> None:
    response = client.post(CHAT, json={"message": "hi", "session_id": "0f8fad5b-d9cb-469f-a165-70867728950e"})

    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_found")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_stand_in_model_streams_a_reply_with_private_details_masked(
    model_client: TestClient, standin: ThreadedStandin, language: str
) -> None:
    message = f"{OPEN[language]} 13812345678"
    standin.script([{"answer": f"{'电话' if language == 'zh' else 'Phone'}: [PHONE_1]. " * 4}])

    events = _stream(model_client, {"message": message})

    sent = json.dumps(standin.requests()[-1].body, ensure_ascii=False)
    assert "13812345678" not in sent
    assert "[PHONE_1]" in sent
    assert reply_of(events).count("13812345678") == 4
    assert len([event for event in events if event.name == "delta"]) > 1
    done = events[-1].data
    assert (done["source"], done["engine"], done["model"]) == ("model", "deepseek", "deepseek-flash")
    assert done["usage"]["prompt_tokens"] > 0


def test_the_stand_in_model_answers_as_json_with_history(
    model_client: TestClient, standin: ThreadedStandin
) -> None:
    standin.script([{"answer": "First answer."}, {"answer": "Second answer."}])
    first = model_client.post(CHAT, json={"message": OPEN["en"]}).json()

    second = model_client.post(
        CHAT, json={"message": "Make it shorter.", "session_id": first["session_id"]}
    ).json()

    messages = standin.requests()[-1].body["messages"]  # type: ignore[index]
    assert (first["reply"], second["reply"]) == ("First answer.", "Second answer.")
    assert [message["role"] for message in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == "First answer."


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("stream", [False, True])
def test_later_turns_resend_earlier_ones_verbatim_so_the_prefix_cache_hits(
    model_client: TestClient, standin: ThreadedStandin, language: str, stream: bool
) -> None:
    follow_up = {"zh": "能再简短一些吗？", "en": "Could you make that shorter?"}[language]
    first = model_client.post(CHAT, json={"message": OPEN[language], "stream": False}).json()
    ask = {"message": follow_up, "session_id": first["session_id"]}
    second = _stream(model_client, ask)[-1].data if stream else model_client.post(CHAT, json=ask).json()

    before, after = (request.body["messages"] for request in standin.requests()[-2:])  # type: ignore[index]
    assert after[: len(before)] == before  # the first request, byte for byte, then the reply
    assert after[len(before)] == {"role": "assistant", "content": first["reply"]}
    assert "<faq>" in after[1]["content"]  # the FAQ excerpts as they were sent, not the bare message
    # The stand-in keeps DeepSeek's prefix units per user: the second turn hits the whole first request.
    assert second["usage"]["cache_hit_tokens"] > first["usage"]["cache_hit_tokens"]
    assert second["usage"]["cache_hit_tokens"] >= first["usage"]["prompt_tokens"] - 64
    listed = model_client.get(f"{CHAT}/sessions/{first['session_id']}").json()
    assert listed["messages"][0]["content"] == OPEN[language]  # the user still sees what they wrote


def test_a_failing_model_degrades_the_stream_to_the_engine(
    model_client: TestClient, standin: ThreadedStandin
) -> None:
    standin.script([{"error": "server"}])

    events = _stream(model_client, {"message": OPEN["zh"]})

    done = events[-1]
    assert (done.name, done.data["source"], done.data["degraded"]) == ("done", "engine", True)
    assert "大模型暂时无法回答" in reply_of(events)


def test_a_stream_cut_mid_way_ends_with_an_error_event_and_an_incomplete_message(
    model_client: TestClient, standin: ThreadedStandin
) -> None:
    standin.script([{"answer": "Part one of the answer. " * 6, "cut_after": 3, "cut": "drop"}])

    events = _stream(model_client, {"message": OPEN["en"]})

    error = events[-1]
    assert error.name == "error"
    assert error.data["code"] == "provider_unavailable"
    assert reply_of(events)
    stored = model_client.get(f"{CHAT}/sessions/{error.data['session_id']}").json()["messages"][-1]
    assert (stored["id"], stored["content"], stored["is_complete"]) == (
        error.data["message_id"],
        reply_of(events),
        False,
    )
