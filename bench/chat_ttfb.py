"""Chat streaming: time to the first streamed content the service adds over the stand-in model's own, one
stream at a time and at 50 concurrent streams.

The stand-in runs in its own process and trickles every answer (`frame_interval`), as a real model does.
(a) is `POST /api/v1/ai/chat` with `stream: true` on the service (its own process, SQLite, DeepSeek
pointed at the stand-in): the clock stops at the first `delta` event. (b) is the request the service made
for that message — captured from the stand-in — sent straight to the stand-in: the clock stops at the first
chunk with content. A message no FAQ entry answers, a new session per request (no history).

At 50 concurrent streams the stand-in's own time is also read inside the stand-in, for the very calls the
service made under that load (`GET /_standin/exchanges`: request arrival to its first body bytes, the role
chunk, plus the one frame interval before the first content chunk).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from common import ROOT, write_result
from model_overhead import StandinProcess, cpu_seconds, difference, percentiles

sys.path.insert(0, str(ROOT))  # the service runner is shared with the tests
from tests.support.server import ServiceProcess

CHAT = "/api/v1/ai/chat"
MESSAGE = "帮我写一段求职信的开头，我想申请数据分析师，有三年 Python 和 SQL 经验。"
ANSWER = "您好！我是一名有三年经验的数据分析师，擅长用 Python 和 SQL 把数据变成决策。" * 3
FRAME_INTERVAL = 0.01  # 10 ms between the stand-in's stream frames
Probe = Callable[[httpx.AsyncClient], Awaitable[float]]


def service_probe(url: str) -> Probe:
    """Milliseconds to the first `delta` event of a streamed chat reply."""

    async def probe(client: httpx.AsyncClient) -> float:
        started = time.perf_counter()
        body = {"message": MESSAGE, "stream": True}
        first = None
        async with client.stream("POST", url + CHAT, json=body) as response:
            async for line in response.aiter_lines():  # read to the end, as a client would
                if first is None and line == "event: delta":
                    first = time.perf_counter()
        if first is None:
            raise RuntimeError(f"no delta event (HTTP {response.status_code})")
        return (first - started) * 1000

    return probe


def standin_probe(url: str, body: dict[str, Any]) -> Probe:
    """Milliseconds to the first chunk with content of the same request sent to the stand-in directly."""

    async def probe(client: httpx.AsyncClient) -> float:
        started = time.perf_counter()
        first = None
        async with client.stream("POST", url + "/chat/completions", json=body) as response:
            async for line in response.aiter_lines():
                if first is None and line.startswith("data: {") and _has_content(line):
                    first = time.perf_counter()
        if first is None:
            raise RuntimeError(f"no content chunk (HTTP {response.status_code})")
        return (first - started) * 1000

    return probe


def _has_content(line: str) -> bool:
    choices = json.loads(line[6:]).get("choices") or [{}]
    return bool((choices[0].get("delta") or {}).get("content"))


async def sequential(probes: dict[str, Probe], count: int, warmup: int) -> dict[str, list[float]]:
    """Each probe in turn, round-robin, `count` rounds after `warmup`."""
    samples: dict[str, list[float]] = {name: [] for name in probes}
    async with httpx.AsyncClient(timeout=60) as client:
        for round_number in range(warmup + count):
            for name, probe in probes.items():
                elapsed = await probe(client)
                if round_number >= warmup:
                    samples[name].append(elapsed)
    return samples


async def concurrent(probe: Probe, streams: int, per_stream: int) -> tuple[list[float], float]:
    """`streams` clients, each running `per_stream` probes back to back; every stream opened at once.
    Also returns the wall-clock time the measured part began (after the warm-up)."""
    pool = httpx.Limits(max_connections=streams, max_keepalive_connections=streams)
    async with httpx.AsyncClient(timeout=120, limits=pool) as client:
        await asyncio.gather(*(probe(client) for _ in range(streams)))  # warm the connections
        began = time.time()

        async def worker() -> list[float]:
            return [await probe(client) for _ in range(per_stream)]

        results = await asyncio.gather(*(worker() for _ in range(streams)))
    return [elapsed for result in results for elapsed in result], began


def standin_own(standin: StandinProcess, since: float) -> list[float]:
    """The stand-in's own time to first content for the chat calls that arrived after `since`, in ms."""
    exchanges = httpx.get(f"{standin.url}/_standin/exchanges", timeout=30).json()
    return [
        (exchange["first_body_at"] - exchange["started_at"] + FRAME_INTERVAL) * 1000
        for exchange in exchanges
        if exchange["path"].endswith("chat/completions") and exchange["started_at"] >= since
    ]


def captured_body(standin: StandinProcess) -> dict[str, Any]:
    """The body of the service's last model call, as the stand-in recorded it."""
    body: dict[str, Any] = standin.last_chat_request()["body"]
    return body


def script_trickle(standin: StandinProcess, times: int) -> None:
    """Every answer trickles: one stream frame every FRAME_INTERVAL seconds."""
    step = {"answer": ANSWER, "frame_interval": FRAME_INTERVAL, "times": times}
    httpx.post(f"{standin.url}/_standin/script", json=[step], timeout=10).raise_for_status()


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    """Start the stand-in and the service, measure, stop both."""
    standin = StandinProcess()
    standin.start()
    with tempfile.TemporaryDirectory(prefix="jobfirst-chat-ttfb-") as folder:
        env = {
            "DATA_DIR": folder,
            "EXTERNAL_AI_PROVIDER": "deepseek",
            "EXTERNAL_AI_API_KEY": "sk-bench",
            "EXTERNAL_AI_BASE_URL": standin.url,
            "LOG_LEVEL": "WARNING",
        }
        service = ServiceProcess(env, Path(folder))
        service.start()
        try:
            return measure(arguments, standin, service)
        finally:
            service.stop()
            standin.stop()


def measure(
    arguments: argparse.Namespace, standin: StandinProcess, service: ServiceProcess
) -> dict[str, Any]:
    """The sequential and the concurrent runs."""
    script_trickle(standin, 1_000_000)
    via_service = service_probe(service.url)
    asyncio.run(sequential({"service": via_service}, count=1, warmup=0))
    direct = standin_probe(standin.url, captured_body(standin))
    one = asyncio.run(
        sequential({"service": via_service, "standin": direct}, arguments.count, arguments.warmup)
    )
    standin.reset()
    script_trickle(standin, 1_000_000)
    cpu_before = cpu_seconds(service.pid)
    through_service, began = asyncio.run(concurrent(via_service, arguments.streams, arguments.per_stream))
    requests = arguments.streams * (arguments.per_stream + 1)  # the warm-up round included
    cpu_ms = (cpu_seconds(service.pid) - cpu_before) * 1000 / requests
    own = standin_own(standin, began)
    alone, _ = asyncio.run(concurrent(direct, arguments.streams, arguments.per_stream))
    return {
        "frame_interval_ms": FRAME_INTERVAL * 1000,
        "one_at_a_time": _figures(one),
        f"concurrent_{arguments.streams}": _figures({"service": through_service, "standin": own}),
        f"concurrent_{arguments.streams}_standin_alone": percentiles(alone),
        "service_cpu_ms_per_stream": round(cpu_ms, 2),
        "settings": vars(arguments),
    }


def _figures(samples: dict[str, list[float]]) -> dict[str, Any]:
    service, standin = percentiles(samples["service"]), percentiles(samples["standin"])
    return {"service": service, "standin": standin, "added": difference(service, standin)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=300, help="sequential rounds measured")
    parser.add_argument("--warmup", type=int, default=30, help="sequential rounds not measured")
    parser.add_argument("--streams", type=int, default=50, help="concurrent streams")
    parser.add_argument("--per-stream", type=int, default=10, help="requests per concurrent stream")
    arguments = parser.parse_args()
    result = run(arguments)
    print(json.dumps({key: value for key, value in result.items() if key != "settings"}, indent=2))
    print("written", write_result("chat_ttfb", result))


if __name__ == "__main__":
    main()
