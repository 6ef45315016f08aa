"""Response-cache hit latency through the HTTP API: a first call (miss, the model answers) against identical
repeats (hits), for resume analysis, interview questions and a chat message; the stand-in called directly is
the baseline.

The service runs with DeepSeek pointed at the stand-in and the response cache on (AI_CACHE_TTL_SECONDS=3600,
in memory). Every model call the stand-in answers first waits `--model-delay` seconds (scripted steps with
`delay`; DeepSeek-style keep-alive lines meanwhile), so a miss costs at least that much. Misses: `--misses`
distinct inputs per endpoint (the same text with a numbered line appended), one call each. Hits: one input
repeated `--repeats` times after its first call. That the repeats were cache hits is checked three ways:
the stand-in received no chat request during them, `jobfirst_cache_requests_total{result="hit"}` of
`/metrics` rose by the number of repeats (times the model calls per request), and the usage report's
`cache_hits` rose by the same. A resume analysis of text already analysed is answered from the stored
analysis (`reused: true`) before the model layer, so neither counter moves for it; only the first two
checks and the `reused` field apply there.

Run: `.venv/bin/python bench/cache_hit_latency.py` (~60 s); writes bench/results/cache_hit_latency.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from common import ROOT, code, write_result

sys.path.insert(0, str(ROOT))  # the service runner is shared with the tests
from model_overhead import StandinProcess, percentiles
from tests.support.server import ServiceProcess

API = "/api/v1/ai"
RESUME = (ROOT / "tests/fixtures/resume_en_software.md").read_text(encoding="utf-8")
CHAT = "How should I describe a gap year on my resume for a backend developer role?"
TARGETS: dict[str, tuple[str, Callable[[int | None], dict[str, Any]]]] = {
    "resume analysis": (
        "/resume/analyze",
        lambda n: {"content": RESUME if n is None else f"{RESUME}\nReference number {n}\n"},
    ),
    "interview questions": (
        "/interview/questions",
        lambda n: {"content": RESUME if n is None else f"{RESUME}\nReference number {n}\n", "count": 10},
    ),
    "chat message": (
        "/chat",
        lambda n: {"message": CHAT if n is None else f"{CHAT} (case {n})"},
    ),
}


def cache_hits_metric(client: httpx.Client) -> float:
    """`jobfirst_cache_requests_total{result="hit"}` from /metrics."""
    text = client.get("/metrics").text
    found = re.search(r'^jobfirst_cache_requests_total\{result="hit"\} ([0-9.e+]+)$', text, re.MULTILINE)
    return float(found.group(1)) if found else float("nan")


def standin_chats(standin: StandinProcess) -> list[dict[str, Any]]:
    """The chat requests the stand-in has recorded."""
    records = httpx.get(f"{standin.url}/_standin/requests", timeout=10).json()
    return [record for record in records if record["path"].endswith("chat/completions")]


def timed(call: Callable[[], httpx.Response]) -> tuple[float, httpx.Response]:
    """Milliseconds of one call, which must succeed."""
    started = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code not in (200, 201):
        raise RuntimeError(f"HTTP {response.status_code}: {response.text[:300]}")
    return elapsed, response


def measure(
    client: httpx.Client, standin: StandinProcess, name: str, arguments: argparse.Namespace
) -> dict[str, Any]:
    """Misses on distinct inputs, then one input's first call and its identical repeats."""
    path, body = TARGETS[name]
    url = API + path
    misses = [timed(lambda n=n: client.post(url, json=body(n)))[0] for n in range(arguments.misses)]
    calls_before = len(standin_chats(standin))
    first, response = timed(lambda: client.post(url, json=body(None)))
    model_calls_first = len(standin_chats(standin)) - calls_before
    payload = response.json()
    metric_before = cache_hits_metric(client)
    usage_before = client.get(f"{API}/usage", params={"period": "day"}).json()["cache_hits"]
    calls_before = len(standin_chats(standin))
    repeats = [timed(lambda: client.post(url, json=body(None))) for _ in range(arguments.repeats)]
    hits = [elapsed for elapsed, _ in repeats]
    last = repeats[-1][1].json()
    return {
        "endpoint": f"POST {url}",
        "answered_by": payload.get("source") or payload.get("engine"),
        "model_calls_per_first_call": model_calls_first,
        "miss_ms (distinct inputs, first calls)": percentiles(misses),
        "first_call_of_repeated_input_ms": round(first, 3),
        "hit_ms (identical repeats)": percentiles(hits),
        "check": {
            "standin_chat_requests_during_repeats": len(standin_chats(standin)) - calls_before,
            "metric_cache_hits_added": cache_hits_metric(client) - metric_before,
            "usage_report_cache_hits_added": client.get(f"{API}/usage", params={"period": "day"}).json()[
                "cache_hits"
            ]
            - usage_before,
            "repeats": arguments.repeats,
            "reused_field_of_last_repeat": last.get("reused"),
            "same_analysis_id_as_first": last.get("analysis_id") == payload.get("analysis_id")
            if "analysis_id" in payload
            else None,
        },
    }


def direct_baseline(standin: StandinProcess, recorded: dict[str, Any], count: int) -> dict[str, float]:
    """The recorded analysis request sent straight to the stand-in (httpx, same body and headers)."""
    headers = {key: recorded["headers"][key] for key in ("authorization", "content-type")}
    with httpx.Client(base_url=standin.url, timeout=60) as client:
        samples = [
            timed(lambda: client.post(recorded["path"], content=recorded["text"], headers=headers))[0]
            for _ in range(count)
        ]
    return percentiles(samples)


def script_delay(standin: StandinProcess, seconds: float, times: int) -> None:
    """Queue `times` steps that each make one chat answer wait `seconds`."""
    steps = [{"delay": seconds, "times": times}] if seconds > 0 else []
    httpx.post(f"{standin.url}/_standin/script", json=steps, timeout=10).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--model-delay", type=float, default=0.2, help="seconds the stand-in waits per answer"
    )
    parser.add_argument("--misses", type=int, default=15, help="distinct inputs per endpoint")
    parser.add_argument("--repeats", type=int, default=300, help="identical repeats per endpoint")
    parser.add_argument("--direct", type=int, default=30, help="direct stand-in calls per baseline")
    arguments = parser.parse_args()
    started = time.monotonic()
    standin = StandinProcess()
    standin.start()
    result: dict[str, Any] = {"date": "2026-11-25", "model_delay_s": arguments.model_delay}
    try:
        with tempfile.TemporaryDirectory() as folder:
            env = {
                "DATA_DIR": folder,
                "LOG_LEVEL": "WARNING",
                "EXTERNAL_AI_PROVIDER": "deepseek",
                "EXTERNAL_AI_API_KEY": "bench-key",
                "EXTERNAL_AI_BASE_URL": standin.url,
                "AI_CACHE_TTL_SECONDS": "3600",
            }
            service = ServiceProcess(env, Path(folder))
            service.start()
            try:
                script_delay(standin, arguments.model_delay, 10_000)
                with httpx.Client(base_url=service.url, timeout=60) as client:
                    for _ in range(3):  # warm the connection and the service's first-call paths
                        client.post(f"{API}/chat", json={"message": "Hello, warm-up question number one?"})
                    result["targets"] = {name: measure(client, standin, name, arguments) for name in TARGETS}
                analysis = next(
                    record
                    for record in standin_chats(standin)
                    if "Northwind Analytics" in record["text"] and record["body"].get("max_tokens") == 1500
                )
                result["standin_direct_ms"] = {
                    f"with the {arguments.model_delay:g} s delay": direct_baseline(
                        standin, analysis, arguments.direct
                    ),
                }
                httpx.post(f"{standin.url}/_standin/reset", timeout=10).raise_for_status()
                result["standin_direct_ms"]["no delay"] = direct_baseline(
                    standin, analysis, arguments.direct * 3
                )
            finally:
                service.stop()
    finally:
        standin.stop()
    result["pinning"] = "none: bench client, stand-in and service share the 2 cores"
    result["code"] = code()
    result["run_seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print("written", write_result("cache_hit_latency", result))


if __name__ == "__main__":
    main()
