"""One chat completion against the stand-in (own process) three ways: raw httpx, our DeepSeekProvider, and the
official openai SDK — latency one at a time, CPU per call under concurrency, import time and memory."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

import httpx

from common import write_result
from model_overhead import RESUME, StandinProcess, interleaved_async, percentiles

Call = Callable[[], Awaitable[object]]

# Each runs in a fresh interpreter: seconds to import, and VmRSS (MiB) after the import.
IMPORTS = {
    "bare interpreter": "pass",
    "httpx": "import httpx",
    "DeepSeekProvider (httpx + pydantic + our layer)": (
        "from jobfirst_ai.llm.providers.deepseek import DeepSeekProvider"
    ),
    "openai SDK (AsyncOpenAI)": "from openai import AsyncOpenAI",
}
_PROBE = """
import time
started = time.perf_counter()
{statement}
elapsed = time.perf_counter() - started
rss = next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmRSS:'))
print(elapsed, rss / 1024)
"""


def import_costs(repeats: int) -> dict[str, dict[str, float]]:
    """Median import time and RSS after import, each in `repeats` fresh interpreters."""
    figures: dict[str, dict[str, float]] = {}
    for name, statement in IMPORTS.items():
        runs = [_probe(statement) for _ in range(repeats)]
        figures[name] = {
            "import_ms": round(statistics.median(run[0] for run in runs) * 1000, 1),
            "rss_mb": round(statistics.median(run[1] for run in runs), 1),
        }
    return figures


def _probe(statement: str) -> tuple[float, float]:
    output = subprocess.run(
        [sys.executable, "-c", _PROBE.format(statement=statement)], capture_output=True, text=True, check=True
    ).stdout.split()
    return float(output[0]), float(output[1])


def analysis_body() -> dict[str, Any]:
    """A DeepSeek body like the service's resume analysis sends (engine facts + the resume)."""
    from jobfirst_ai.engine.skills import load_skill_dictionary
    from jobfirst_ai.features.resume.analysis import ResumeAnalyzer
    from jobfirst_ai.features.resume.prompts import analysis_request
    from jobfirst_ai.features.resume.schemas import ModelAnalysis
    from jobfirst_ai.llm.providers.deepseek import DeepSeekProvider

    text = RESUME.read_text(encoding="utf-8")
    result = ResumeAnalyzer(load_skill_dictionary()).analyze(text, today=date.today())
    facts = {"language": result.language, "skills": result.skills[:40], "jobs": result.experience[:8]}
    request = analysis_request(ModelAnalysis, facts, text, result.language, user="bench-user")
    provider = DeepSeekProvider(api_key="bench-key", base_url="http://127.0.0.1")
    return provider.build_body(request, stream=False)


def candidates(url: str, body: dict[str, Any]) -> tuple[dict[str, Call], Callable[[], Awaitable[None]]]:
    """The three clients' one-call coroutines, and how to close them all."""
    from openai import AsyncOpenAI

    from jobfirst_ai.llm.providers.deepseek import DeepSeekProvider
    from jobfirst_ai.llm.types import ChatRequest, Message

    raw_client = httpx.AsyncClient(
        base_url=url, timeout=30, limits=httpx.Limits(max_connections=100, max_keepalive_connections=30)
    )
    headers = {"authorization": "Bearer bench-key"}
    provider = DeepSeekProvider(api_key="bench-key", base_url=url)
    request = ChatRequest(
        messages=tuple(Message(**message) for message in body["messages"]),
        json_mode=True,
        thinking=False,
        temperature=body["temperature"],
        max_tokens=body["max_tokens"],
        user=body["user_id"],
    )
    sdk = AsyncOpenAI(base_url=url, api_key="bench-key")
    extra = {"thinking": body["thinking"], "user_id": body["user_id"]}

    async def raw() -> object:
        response = await raw_client.post("/chat/completions", json=body, headers=headers)
        response.raise_for_status()
        return json.loads(response.text)["choices"][0]["message"]["content"]

    async def ours() -> object:
        return (await provider.complete(request, deadline=time.monotonic() + 30)).text

    async def official() -> object:
        completion = await sdk.chat.completions.create(
            model=body["model"],
            messages=body["messages"],
            temperature=body["temperature"],
            max_tokens=body["max_tokens"],
            response_format={"type": "json_object"},
            extra_body=extra,
        )
        return completion.choices[0].message.content

    async def close() -> None:
        await raw_client.aclose()
        await provider.aclose()
        await sdk.close()

    return {"raw httpx": raw, "DeepSeekProvider": ours, "openai SDK": official}, close


async def concurrent_cpu(call: Call, *, concurrency: int, calls: int) -> dict[str, float]:
    """`calls` calls from `concurrency` tasks: CPU ms per call in this process, and calls per second."""
    remaining = calls

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    cpu_started, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - started
    return {
        "cpu_ms_per_call": round((time.process_time() - cpu_started) * 1000 / calls, 3),
        "calls_per_second": round(calls / wall, 1),
    }


async def measure(url: str, arguments: argparse.Namespace) -> dict[str, Any]:
    """Sequential latency (interleaved), then CPU under concurrency, per client."""
    calls, close = candidates(url, analysis_body())
    try:
        samples = await interleaved_async(calls, arguments.requests, warmup=30)
        sequential_cpu: dict[str, float] = {}
        for name, call in calls.items():
            started = time.process_time()
            for _ in range(arguments.requests):
                await call()
            sequential_cpu[name] = round((time.process_time() - started) * 1000 / arguments.requests, 3)
        concurrent = {
            name: await concurrent_cpu(
                call, concurrency=arguments.concurrency, calls=arguments.concurrent_calls
            )
            for name, call in calls.items()
        }
    finally:
        await close()
    return {
        "sequential_latency_ms": {name: percentiles(values) for name, values in samples.items()},
        "sequential_cpu_ms_per_call": sequential_cpu,
        f"concurrent ({arguments.concurrency} tasks, {arguments.concurrent_calls} calls)": concurrent,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="sequential calls per client")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--concurrent-calls", type=int, default=1500)
    parser.add_argument("--import-repeats", type=int, default=5)
    arguments = parser.parse_args()
    started = time.monotonic()
    import openai

    result: dict[str, Any] = {
        "versions": {"openai": openai.__version__, "httpx": httpx.__version__},
        "imports": import_costs(arguments.import_repeats),
    }
    standin = StandinProcess()
    standin.start()
    try:
        result |= asyncio.run(measure(standin.url, arguments))
    finally:
        standin.stop()
    result["pinning"] = "none: this process and the stand-in share the 2 cores"
    result["run_seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print("written", write_result("sdk_vs_httpx", result))


if __name__ == "__main__":
    main()
