"""The stand-in's slow streams and its record of how each response ended (read to the end, or hung up on)."""

from __future__ import annotations

import time

import httpx

from jobfirst_ai.llm.standin import ThreadedStandin
from jobfirst_ai.llm.standin.exchanges import Exchange
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]

BODY = {
    "model": "deepseek-flash",
    "messages": [{"role": "user", "content": "hi"}],
    "stream": True,
    "thinking": {"type": "disabled"},
}


def _content_lines(standin: ThreadedStandin, interval: float) -> list[float]:
    standin.script([{"answer": "x" * 24 * 5, "frame_interval": interval}])
    arrivals = []
    with httpx.stream("POST", f"{standin.url}/chat/completions", json=BODY, timeout=10) as response:
        for line in response.iter_lines():
            if line.startswith("data:"):
                arrivals.append(time.monotonic())
    return arrivals


def _wait_for_exchange(standin: ThreadedStandin, timeout: float = 5.0) -> Exchange:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if standin.exchanges():
            return standin.exchanges()[-1]
        time.sleep(0.01)
    raise AssertionError("no exchange recorded")


def test_frame_interval_spaces_the_stream_frames(standin: ThreadedStandin) -> None:
    arrivals = _content_lines(standin, 0.05)

    assert len(arrivals) == 8  # role chunk, 5 pieces, finish chunk with usage, [DONE]
    assert arrivals[-1] - arrivals[0] >= 7 * 0.05 * 0.9


def test_a_stream_read_to_the_end_is_recorded_as_completed(standin: ThreadedStandin) -> None:
    _content_lines(standin, 0.0)

    exchange = _wait_for_exchange(standin)
    assert (exchange.path, exchange.status, exchange.outcome) == ("/chat/completions", 200, "completed")
    assert exchange.body_bytes > 0
    assert exchange.first_body_at is not None
    assert exchange.started_at <= exchange.first_body_at <= exchange.ended_at


def test_a_caller_hanging_up_mid_stream_is_recorded_as_disconnected(standin: ThreadedStandin) -> None:
    standin.script([{"answer": "x" * 24 * 20, "frame_interval": 0.2}])

    with httpx.stream("POST", f"{standin.url}/chat/completions", json=BODY, timeout=10) as response:
        next(response.iter_lines())
    hung_up = time.time()

    exchange = _wait_for_exchange(standin)
    assert exchange.outcome == "disconnected"
    assert exchange.ended_at - hung_up < 1.0  # 20 frames would have taken 4 s


def test_control_routes_are_not_recorded(standin: ThreadedStandin) -> None:
    httpx.get(f"{standin.url}/_standin/requests")

    assert httpx.get(f"{standin.url}/_standin/exchanges").json() == []
