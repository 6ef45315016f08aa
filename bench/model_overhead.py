"""The model path's cost: latency the service adds to a model call, one request at a time, and CPU per request
at saturation, against the stand-in model server running in its own process."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx

from common import ROOT, write_result

sys.path.insert(0, str(ROOT))  # the service runner is shared with the tests
from tests.support.server import ServiceProcess, free_port

ANALYZE = "/api/v1/ai/resume/analyze?refresh=true"  # a repeat would reuse the stored analysis
RESUME = ROOT / "tests/fixtures/resume_en_software.md"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class StandinProcess:
    """`python -m jobfirst_ai.llm.standin --port P` in its own process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 20.0) -> None:
        """Start and wait until it answers."""
        self._process = subprocess.Popen(
            [sys.executable, "-m", "jobfirst_ai.llm.standin", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/_standin/config", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("stand-in did not start")

    @property
    def pid(self) -> int:
        """The stand-in's process id."""
        assert self._process is not None
        return self._process.pid

    def reset(self) -> None:
        """Forget recorded requests (they pile up in memory)."""
        httpx.post(f"{self.url}/_standin/reset", timeout=5).raise_for_status()

    def last_chat_request(self) -> dict[str, Any]:
        """The last chat request it received, as recorded (headers, body, raw text)."""
        records = httpx.get(f"{self.url}/_standin/requests", timeout=5).json()
        chats = [record for record in records if record["path"].endswith("chat/completions")]
        return dict(chats[-1])

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self._process and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=10)


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p90, p99 and mean of millisecond samples, rounded to µs."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    figures = {"p50": cuts[49], "p90": cuts[89], "p99": cuts[98], "mean": statistics.fmean(samples)}
    return {name: round(value, 3) for name, value in figures.items()} | {"n": len(samples)}


def difference(left: dict[str, float], right: dict[str, float]) -> dict[str, float]:
    """left − right per percentile (a difference of percentiles, not a percentile of differences)."""
    return {key: round(left[key] - right[key], 3) for key in ("p50", "p90", "p99", "mean")}


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, all threads, from /proc (resolution 1/CLK_TCK s)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def interleaved(targets: dict[str, Callable[[], object]], count: int, warmup: int) -> dict[str, list[float]]:
    """Call each target in turn, `count` rounds after `warmup` rounds; milliseconds per call per target.
    Round-robin so that drift on the machine hits every target alike."""
    samples: dict[str, list[float]] = {name: [] for name in targets}
    for round_number in range(warmup + count):
        for name, call in targets.items():
            started = time.perf_counter()
            call()
            elapsed = (time.perf_counter() - started) * 1000
            if round_number >= warmup:
                samples[name].append(elapsed)
    return samples


async def interleaved_async(
    targets: dict[str, Callable[[], Awaitable[object]]], count: int, warmup: int
) -> dict[str, list[float]]:
    """`interleaved` for coroutine functions."""
    samples: dict[str, list[float]] = {name: [] for name in targets}
    for round_number in range(warmup + count):
        for name, call in targets.items():
            started = time.perf_counter()
            await call()
            elapsed = (time.perf_counter() - started) * 1000
            if round_number >= warmup:
                samples[name].append(elapsed)
    return samples


def posting(client: httpx.Client, url: str, **kwargs: Any) -> Callable[[], object]:
    """A call that POSTs and insists on 200."""

    def call() -> object:
        response = client.post(url, **kwargs)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: HTTP {response.status_code} {response.text[:200]}")
        return response

    return call


async def saturate(
    url: str, send: dict[str, Any], *, concurrency: int, seconds: float, limit: int, pids: dict[str, int]
) -> dict[str, Any]:
    """`concurrency` clients POSTing for `seconds` (at most `limit` requests); throughput, latency, and CPU
    milliseconds per request of each process in `pids` and of this load generator."""
    latencies: list[float] = []
    failures = 0
    pool = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=pool) as client:
        for _ in range(concurrency):  # open the connections before the clock starts
            (await client.post(url, **send)).raise_for_status()
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        own_before, started = time.process_time(), time.perf_counter()
        deadline = time.monotonic() + seconds

        async def worker() -> None:
            nonlocal failures
            while time.monotonic() < deadline and len(latencies) + failures < limit:
                began = time.perf_counter()
                response = await client.post(url, **send)
                if response.status_code == 200:
                    latencies.append((time.perf_counter() - began) * 1000)
                else:
                    failures += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
        own = time.process_time() - own_before
        after = {name: cpu_seconds(pid) for name, pid in pids.items()}
    done = len(latencies)
    cpu = {name: round((after[name] - before[name]) * 1000 / done, 3) for name in pids}
    return {
        "requests": done,
        "failures": failures,
        "seconds": round(wall, 2),
        "per_second": round(done / wall, 1),
        "latency_ms": percentiles(latencies),
        "cpu_ms_per_request": cpu | {"load generator": round(own * 1000 / done, 3)},
        "cpu_cores_busy": {name: round((after[name] - before[name]) / wall, 2) for name in pids},
    }


def chat_request_of(body: dict[str, Any]) -> Any:
    """Our ChatRequest for a recorded DeepSeek body (what the service's feature asked for)."""
    from jobfirst_ai.llm.types import ChatRequest, Message

    thinking = body.get("thinking")
    return ChatRequest(
        messages=tuple(Message(**message) for message in body["messages"]),
        json_mode=body.get("response_format", {}).get("type") == "json_object",
        thinking=None if thinking is None else thinking["type"] == "enabled",
        user=body.get("user_id"),
        temperature=body.get("temperature"),
        max_tokens=body.get("max_tokens"),
    )


async def provider_layer(
    standin_url: str, recorded: dict[str, Any], count: int, cpu_calls: int
) -> dict[str, Any]:
    """Our client stack in this process, no service HTTP: raw httpx vs DeepSeekProvider vs the composed
    chain vs `complete_structured` (chain + JSON parse and validation), against the stand-in process."""
    from jobfirst_ai.config import load_settings
    from jobfirst_ai.features.resume.schemas import ModelAnalysis
    from jobfirst_ai.llm.router import build_chain
    from jobfirst_ai.llm.structured import complete_structured

    settings = load_settings(
        _env_file=None,
        external_ai_provider="deepseek",
        external_ai_api_key="bench-key",
        external_ai_base_url=standin_url,
        ai_cache_ttl_seconds=0,  # every call reaches the stand-in: the same request would hit the cache
    )
    chain = build_chain(settings)
    assert chain is not None
    request = chat_request_of(recorded["body"])
    headers = {"authorization": "Bearer bench-key", "content-type": "application/json"}
    raw_client = httpx.AsyncClient(base_url=standin_url, timeout=30)

    async def raw() -> object:
        response = await raw_client.post("/chat/completions", content=recorded["text"], headers=headers)
        response.raise_for_status()
        return json.loads(response.text)["choices"][0]["message"]["content"]

    def deadline() -> float:
        return time.monotonic() + 30

    targets: dict[str, Callable[[], Awaitable[object]]] = {
        "raw httpx.AsyncClient.post + json.loads": raw,
        "DeepSeekProvider.complete": lambda: chain.backends[0].complete(request, deadline=deadline()),
        "chain.provider.complete (breaker + retry + provider)": lambda: chain.provider.complete(
            request, deadline=deadline()
        ),
        "complete_structured (chain + JSON parse + validate)": lambda: complete_structured(
            chain.provider, request, ModelAnalysis, deadline=deadline()
        ),
    }
    samples = await interleaved_async(targets, count, warmup=30)
    cpu: dict[str, float] = {}
    for name, call in targets.items():
        started = time.process_time()
        for _ in range(cpu_calls):
            await call()
        cpu[name] = round((time.process_time() - started) * 1000 / cpu_calls, 3)
    await raw_client.aclose()
    for backend in chain.backends:
        await backend.aclose()  # type: ignore[attr-defined]
    latency = {name: percentiles(values) for name, values in samples.items()}
    baseline = latency["raw httpx.AsyncClient.post + json.loads"]
    return {
        "calls": count,
        "latency_ms": latency,
        "added_over_raw_httpx_ms": {name: difference(value, baseline) for name, value in latency.items()},
        "cpu_ms_per_call_sequential": cpu,
        "cpu_calls": cpu_calls,
    }


def service_env(standin_url: str, folder: str, *, with_model: bool) -> dict[str, str]:
    """The service's environment: DeepSeek pointed at the stand-in, or the built-in engine alone."""
    # The response cache off: the bench repeats one resume, whose model call would otherwise be a cache
    # hit from the second round on. Budgets and provider slots keep their defaults (both on).
    env = {
        "DATA_DIR": folder,
        "LOG_LEVEL": "WARNING",
        "EXTERNAL_AI_API_KEY": "bench-key",
        "AI_CACHE_TTL_SECONDS": "0",
    }
    if with_model:
        return env | {"EXTERNAL_AI_PROVIDER": "deepseek", "EXTERNAL_AI_BASE_URL": standin_url}
    return env | {"EXTERNAL_AI_PROVIDER": "builtin"}


def sequential_part(
    model: ServiceProcess,
    builtin: ServiceProcess,
    standin: StandinProcess,
    payload: dict[str, str],
    count: int,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(a) service with the model, (b) service without, (c) the stand-in directly with the service's body."""
    with httpx.Client(timeout=30) as client:
        first = client.post(model.url + ANALYZE, json=payload).json()
        if first.get("degraded") or first.get("engine") != "deepseek":
            raise RuntimeError(
                f"the model path did not run: {first.get('engine')} {first.get('degraded_reason')}"
            )
        recorded = standin.last_chat_request()
        direct_headers = {key: recorded["headers"][key] for key in ("authorization", "content-type")}
        targets = {
            "a: service, model configured": posting(client, model.url + ANALYZE, json=payload),
            "b: service, built-in only": posting(client, builtin.url + ANALYZE, json=payload),
            "c: stand-in directly (httpx, same body)": posting(
                client, standin.url + recorded["path"], content=recorded["text"], headers=direct_headers
            ),
        }
        pids = {"a": model.pid, "b": builtin.pid}
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        samples = interleaved(targets, count, warmup=30)
        cpu = {name: (cpu_seconds(pid) - before[name]) * 1000 / (count + 30) for name, pid in pids.items()}
    latency = {name: percentiles(values) for name, values in samples.items()}
    a, b, c = latency.values()
    return {
        "requests_each": count,
        "resume": {"file": RESUME.name, "characters": len(payload["content"])},
        "model_request_body_bytes": len(recorded["text"].encode("utf-8")),
        "latency_ms": latency,
        "added_latency_ms (a - c): the target figure": difference(a, c),
        "model_path_only_ms (a - b - c)": {
            key: round(a[key] - b[key] - c[key], 3) for key in ("p50", "p90", "p99", "mean")
        },
        "engine_http_db_ms (b)": {key: b[key] for key in ("p50", "p90", "p99", "mean")},
        "service_cpu_ms_per_request": {
            "a: model configured": round(cpu["a"], 3),
            "b: built-in only": round(cpu["b"], 3),
            "a - b: the model path": round(cpu["a"] - cpu["b"], 3),
        },
    }, recorded


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    """Start the stand-in and two services, measure, stop them."""
    payload = {"content": RESUME.read_text(encoding="utf-8")}
    standin = StandinProcess()
    standin.start()
    services: list[ServiceProcess] = []
    try:
        with tempfile.TemporaryDirectory() as model_dir, tempfile.TemporaryDirectory() as builtin_dir:
            model = ServiceProcess(service_env(standin.url, model_dir, with_model=True), Path(model_dir))
            builtin = ServiceProcess(
                service_env(standin.url, builtin_dir, with_model=False), Path(builtin_dir)
            )
            for service in (model, builtin):
                service.start()
                services.append(service)
            sequential, recorded = sequential_part(model, builtin, standin, payload, arguments.requests)
            result: dict[str, Any] = {"sequential": sequential}
            standin.reset()
            result["saturation"] = asyncio.run(
                _saturation(model, builtin, standin, payload, recorded, arguments)
            )
            standin.reset()
            result["provider_layer_in_process"] = asyncio.run(
                provider_layer(standin.url, recorded, arguments.requests, arguments.cpu_calls)
            )
    finally:
        for service in services:
            service.stop()
        standin.stop()
    return result


async def _saturation(
    model: ServiceProcess,
    builtin: ServiceProcess,
    standin: StandinProcess,
    payload: dict[str, str],
    recorded: dict[str, Any],
    arguments: argparse.Namespace,
) -> dict[str, Any]:
    common = {"concurrency": arguments.concurrency, "seconds": arguments.seconds, "limit": 20_000}
    send = {"json": payload}
    direct = {
        "content": recorded["text"],
        "headers": {"content-type": "application/json", "authorization": "Bearer bench-key"},
    }
    figures = {
        "service, model configured": await saturate(
            model.url + ANALYZE, send, pids={"service": model.pid, "stand-in": standin.pid}, **common
        ),
        "service, built-in only": await saturate(
            builtin.url + ANALYZE, send, pids={"service": builtin.pid}, **common
        ),
        "stand-in directly": await saturate(
            standin.url + recorded["path"], direct, pids={"stand-in": standin.pid}, **common
        ),
    }
    model_cpu = figures["service, model configured"]["cpu_ms_per_request"]["service"]
    builtin_cpu = figures["service, built-in only"]["cpu_ms_per_request"]["service"]
    return {
        "concurrency": arguments.concurrency,
        "seconds_each": arguments.seconds,
        **figures,
        "service_cpu_ms_per_request_model_path (model - built-in)": round(model_cpu - builtin_cpu, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="sequential requests per target")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=8.0, help="saturation time per target")
    parser.add_argument("--cpu-calls", type=int, default=400, help="calls per target for in-process CPU time")
    started = time.monotonic()
    result = run(parser.parse_args())
    result["pinning"] = "none: bench client, stand-in and service share the 2 cores"
    result["run_seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print("written", write_result("model_overhead", result))


if __name__ == "__main__":
    main()
