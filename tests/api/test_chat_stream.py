"""Chat streaming over real HTTP: the service in a subprocess, the stand-in model trickling its answer.

The first `delta` must reach the client while the stand-in is still sending, and a client that hangs up
mid-stream must end the service's request to the stand-in (the stand-in sees its caller disconnect).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from jobfirst_ai.llm.standin import ThreadedStandin
from jobfirst_ai.llm.standin.exchanges import Exchange
from tests.support.server import ServiceProcess
from tests.support.sse import Event, parse_events, reply_of
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]

pytestmark = pytest.mark.slow

T = TypeVar("T")

CHAT = "/api/v1/ai/chat"
# Messages no FAQ entry answers with confidence, so the model is asked; answers of 12 stream frames.
CASES = {
    "zh": ("帮我写一段求职信的开头，我想申请数据分析师。", "您好！我是一名热爱数据的分析师，" * 12),
    "en": ("Help me write the opening of a cover letter for a data analyst job.", "Dear hiring team, " * 16),
}


@pytest.fixture(scope="module")
def service(standin_server: ThreadedStandin, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("chat-stream")
    env = {
        "DATA_DIR": str(folder),
        "EXTERNAL_AI_PROVIDER": "deepseek",
        "EXTERNAL_AI_API_KEY": "sk-chat-stream",
        "EXTERNAL_AI_BASE_URL": standin_server.url,
        "AI_TIMEOUT_SECONDS": "30",
        "LOG_LEVEL": "WARNING",
    }
    process = ServiceProcess(env, folder)
    process.start()
    try:
        yield process.url
    finally:
        process.stop()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_first_delta_arrives_while_the_model_is_still_streaming(
    service: str, standin: ThreadedStandin, language: str
) -> None:
    message, answer = CASES[language]
    standin.script([{"answer": answer, "frame_interval": 0.1}])

    with httpx.stream(
        "POST", service + CHAT, json={"message": message, "stream": True}, timeout=30
    ) as response:
        events = parse_events(response.iter_lines())
        first = next(events)
        first_at = time.time()
        rest = list(events)

    model_call = _model_exchange(standin)
    assert response.headers["content-type"].startswith("text/event-stream")
    assert first.name == "delta"
    assert model_call.outcome == "completed"
    assert first_at < model_call.ended_at - 0.5  # 12 frames 0.1 s apart: the first left ~1.1 s before the end
    assert reply_of([first, *rest]) == answer
    assert rest[-1].name == "done"
    assert rest[-1].data["source"] == "model"
    assert rest[-1].data["usage"]["completion_tokens"] > 0


@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_client_that_hangs_up_ends_the_model_call_and_keeps_what_it_saw(
    service: str, standin: ThreadedStandin, language: str
) -> None:
    message, answer = CASES[language]
    session_id = httpx.post(service + CHAT, json={"message": "你能帮我做什么？"}).json()["session_id"]
    standin.script([{"answer": answer, "frame_interval": 0.5}])  # 12 frames: ~5.5 s to the end

    body = {"message": message, "session_id": session_id, "stream": True}
    with httpx.stream("POST", service + CHAT, json=body, timeout=30) as response:
        seen = next(parse_events(response.iter_lines()))
    hung_up_at = time.time()

    model_call = _poll(lambda: _model_exchange(standin, finished=True))
    assert seen.name == "delta"
    assert model_call.outcome == "disconnected"
    assert model_call.ended_at - hung_up_at < 1.5
    stored = _poll(lambda: _last_reply(service, session_id, is_complete=False))
    assert answer.startswith(stored["content"])
    assert seen.data["text"] in stored["content"]


def test_a_client_that_hangs_up_before_the_first_word_also_ends_the_model_call(
    service: str, standin: ThreadedStandin
) -> None:
    message, answer = CASES["en"]
    standin.script([{"answer": answer, "delay": 5}])  # DeepSeek sends keep-alive comments while it waits

    with (
        pytest.raises(httpx.ReadTimeout),
        httpx.stream(
            "POST", service + CHAT, json={"message": message, "stream": True}, timeout=1
        ) as response,
    ):
        list(response.iter_lines())
    hung_up_at = time.time()

    model_call = _poll(lambda: _model_exchange(standin, finished=True))
    assert model_call.outcome == "disconnected"
    assert model_call.ended_at - hung_up_at < 1.5


def _model_exchange(standin: ThreadedStandin, *, finished: bool = False) -> Exchange | None:
    calls = [call for call in standin.exchanges() if call.path.endswith("chat/completions")]
    if finished and not calls:
        return None
    assert len(calls) == 1, calls
    return calls[0]


def _last_reply(service: str, session_id: str, *, is_complete: bool) -> dict[str, Any] | None:
    messages = httpx.get(f"{service}{CHAT}/sessions/{session_id}").json()["messages"]
    last: dict[str, Any] = messages[-1]
    return last if last["role"] == "assistant" and last["is_complete"] is is_complete else None


def _poll(read: Callable[[], T | None], timeout: float = 10.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()
        if value is not None:
            return value
        time.sleep(0.02)
    raise AssertionError(f"nothing within {timeout} s")


def test_events_parse_as_they_arrive() -> None:
    lines = ["event: delta", 'data: {"text": "a"}', "", ": ping", "event: done", 'data: {"x": 1}', ""]

    assert list(parse_events(lines)) == [Event("delta", {"text": "a"}), Event("done", {"x": 1})]
