"""CPU per model call of four HTTP client stacks against the stand-in (its own process), 10 at a time:
httpx with its own transport (httpcore, h11), httpx over aiohttp's transport (httpx-aiohttp), the
service's `HttpChannel` (that transport, called directly), and aiohttp alone.

    .venv/bin/python bench/http_clients.py [--calls 3000] [--concurrency 10] [--rounds 3]

Each stack sends the same chat-completions body and parses the JSON answer; CPU is this process's
(`time.process_time`), so the stand-in's own work is not counted. Results: bench/results/http_clients.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import httpx
import uvloop
from httpx_aiohttp import AiohttpTransport

from common import write_result
from jobfirst_ai.llm.providers.http import HttpChannel, HttpLimits
from model_overhead import StandinProcess

PATH = "/chat/completions"
HEADERS = {"authorization": "Bearer sk-bench"}


def body(number: int) -> dict[str, Any]:
    return {
        "model": "deepseek-flash",
        "messages": [
            {"role": "system", "content": "You are JobFirst's career assistant. " * 12},
            {"role": "user", "content": "Could you help me write a cover letter opening?"},
        ],
        "stream": False,
        "user_id": f"u{number % 1000}",
    }


async def measure(call: Callable[[int], Awaitable[None]], calls: int, concurrency: int) -> float:
    """ms of this process's CPU per call, after a warm-up."""

    async def worker(count: int, start: int) -> None:
        for number in range(start, start + count):
            await call(number)

    await asyncio.gather(*(worker(20, index * 20) for index in range(concurrency)))
    began = time.process_time()
    share = calls // concurrency
    await asyncio.gather(*(worker(share, index * share) for index in range(concurrency)))
    return (time.process_time() - began) * 1000 / (share * concurrency)


async def one_round(url: str, calls: int, concurrency: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:

        async def plain(number: int) -> None:
            response = await client.post(PATH, json=body(number), headers=HEADERS)
            json.loads(response.raise_for_status().text)

        figures["httpx (its own transport)"] = await measure(plain, calls, concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, transport=AiohttpTransport()) as client:

        async def over_aiohttp(number: int) -> None:
            response = await client.post(PATH, json=body(number), headers=HEADERS)
            json.loads(response.raise_for_status().text)

        figures["httpx over aiohttp's transport"] = await measure(over_aiohttp, calls, concurrency)
    channel = HttpChannel(provider="deepseek", base_url=url, api_key=None, limits=HttpLimits())
    try:

        async def ours(number: int) -> None:
            text = await channel.request_text("POST", PATH, deadline=time.monotonic() + 30, body=body(number))
            json.loads(text)

        figures["the service's HttpChannel"] = await measure(ours, calls, concurrency)
    finally:
        await channel.aclose()
    async with aiohttp.ClientSession(base_url=url) as session:

        async def bare(number: int) -> None:
            async with session.post(PATH, json=body(number), headers=HEADERS) as response:
                response.raise_for_status()
                json.loads(await response.text())

        figures["aiohttp alone"] = await measure(bare, calls, concurrency)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    standin = StandinProcess()
    standin.start()
    try:
        rounds = [
            uvloop.run(one_round(standin.url, arguments.calls, arguments.concurrency))
            for _ in range(arguments.rounds)
        ]
    finally:
        standin.stop()
    medians = {name: round(statistics.median(run[name] for run in rounds), 3) for name in rounds[0]}
    for name, value in medians.items():
        print(f"{value:7.3f} ms CPU per call  {name}")
    write_result("http_clients", {"settings": vars(arguments), "cpu_ms_per_call": medians, "rounds": rounds})


if __name__ == "__main__":
    main()
