"""What budgets, rate limits and provider slots add to a model-backed request, kept in this process or in
Redis (issue 6), and what each wrapper costs on its own.

Part 1, over HTTP: three `serve` processes against one stand-in model process, auth on, the response cache
off, `POST /resume/analyze?refresh=true` one request at a time, round-robin across the variants:
  a  bare            no budget, no slots, no rate limiter (metering is always on)
  b  limits in-process   budgets, per-user rate limits and provider slots, in memory
  c  limits in Redis     the same, shared through Redis
Part 2, in this process, no HTTP: each wrapper around a fake provider that answers at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from common import ROOT, code, write_result

sys.path.insert(0, str(ROOT))  # the service runner is shared with the tests
from model_overhead import (
    ANALYZE,
    RESUME,
    StandinProcess,
    chat_request_of,
    cpu_seconds,
    difference,
    percentiles,
)
from tests.support.server import ServiceProcess

REDIS_URL = "redis://127.0.0.1:6379/14"
PREFIX = f"bench-{secrets.token_hex(4)}:"
SECRET = secrets.token_hex(32)
STRIPPED = (  # settings of the calling shell that would change a variant
    "REDIS_URL",
    "REDIS_KEY_PREFIX",
    "DATABASE_URL",
    "AI_FALLBACK_CHAIN",
    "MAX_DAILY_TOKENS",
    "MAX_DAILY_COST_CNY",
    "USER_MAX_MONTHLY_TOKENS",
    "USER_MAX_DAILY_COST_CNY",
    "USER_MAX_MONTHLY_COST_CNY",
)

BARE = {
    "MAX_MONTHLY_TOKENS": "0",
    "AI_PROVIDER_CONCURRENCY": "0",
    "RATE_LIMIT_USER_RPM": "0",
    "RATE_LIMIT_USER_TOKENS_PER_DAY": "0",
}
LIMITS = {
    "MAX_MONTHLY_TOKENS": "100000000",
    "USER_MAX_DAILY_TOKENS": "10000000",
    "MAX_MONTHLY_COST_CNY": "1000",
    "RATE_LIMIT_USER_RPM": "100000",
    "RATE_LIMIT_USER_TOKENS_PER_DAY": "100000000",
    "AI_PROVIDER_CONCURRENCY": "16",
}
VARIANTS = {
    "a: bare (metering only)": BARE,
    "b: limits in-process": LIMITS,
    "c: limits in Redis": LIMITS | {"REDIS_URL": REDIS_URL, "REDIS_KEY_PREFIX": PREFIX},
}


def service_env(standin_url: str, folder: str, extra: dict[str, str]) -> dict[str, str]:
    """DeepSeek pointed at the stand-in, response cache off, JWT auth on, SQLite in `folder`."""
    return {
        "DATA_DIR": folder,
        "LOG_LEVEL": "WARNING",
        "EXTERNAL_AI_PROVIDER": "deepseek",
        "EXTERNAL_AI_API_KEY": "bench-key",
        "EXTERNAL_AI_BASE_URL": standin_url,
        "AI_CACHE_TTL_SECONDS": "0",
        "JWT_SECRET": SECRET,
    } | extra


def bearer() -> dict[str, str]:
    """A token like the backend's: HS256, `sub` and `exp`."""
    import jwt

    token = jwt.encode({"sub": "bench-user-1", "exp": int(time.time()) + 3600}, SECRET, algorithm="HS256")
    return {"authorization": f"Bearer {token}"}


def checked(response: httpx.Response) -> None:
    """200, answered with the model, not degraded."""
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code} {response.text[:300]}")
    body = response.json()
    if body.get("engine") != "deepseek" or body.get("degraded"):
        raise RuntimeError(f"the model did not answer: {body.get('engine')} {body.get('degraded_reason')}")


def redis_calls() -> dict[str, int]:
    """Calls per command since the server started (INFO commandstats: server-wide, every client)."""
    import redis

    with redis.Redis.from_url(REDIS_URL) as client:
        stats = client.info("commandstats")
    return {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}


def busy_core_seconds() -> float:
    """CPU time the whole machine has spent busy (all cores, /proc/stat; iowait counted as idle)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


class OtherLoad:
    """How many cores the rest of the machine kept busy while a part ran (everything but `pids` and this
    process): other people's tests and benchmarks on a shared machine."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self._start = self._sample()

    def _sample(self) -> tuple[float, float, float]:
        times = os.times()
        own = sum(cpu_seconds(pid) for pid in self.pids) + times.user + times.system
        return time.monotonic(), busy_core_seconds(), own

    def cores(self) -> float:
        """Cores busy with other work since construction."""
        now, busy, own = self._sample()
        return round(((busy - self._start[1]) - (own - self._start[2])) / (now - self._start[0]), 2)


def sequential_part(
    services: dict[str, ServiceProcess], payload: dict[str, str], count: int, warmup: int
) -> dict[str, Any]:
    """Round-robin over the variants, one request at a time; latency, and service CPU per request."""
    params = {"refresh": "true"}
    samples: dict[str, list[float]] = {name: [] for name in services}
    with httpx.Client(timeout=30, headers=bearer()) as client:
        for service in services.values():
            checked(client.post(service.url + ANALYZE, params=params, json=payload))
        before = {name: cpu_seconds(service.pid) for name, service in services.items()}
        for round_number in range(warmup + count):
            for name, service in services.items():
                started = time.perf_counter()
                response = client.post(service.url + ANALYZE, params=params, json=payload)
                elapsed = (time.perf_counter() - started) * 1000
                checked(response)
                if round_number >= warmup:
                    samples[name].append(elapsed)
        cpu = {
            name: round((cpu_seconds(service.pid) - before[name]) * 1000 / (warmup + count), 3)
            for name, service in services.items()
        }
    latency = {name: percentiles(values) for name, values in samples.items()}
    a, b, c = latency.values()
    return {
        "requests_each": count,
        "warmup_rounds": warmup,
        "resume": {"file": RESUME.name, "characters": len(payload["content"])},
        "latency_ms": latency,
        "added_ms": {
            "b - a: limits in-process": difference(b, a),
            "c - a: limits in Redis": difference(c, a),
            "c - b: Redis over in-process": difference(c, b),
        },
        "service_cpu_ms_per_request_interleaved": cpu,
    }


def cpu_part(services: dict[str, ServiceProcess], payload: dict[str, str], count: int) -> dict[str, Any]:
    """Each service alone, one request at a time: CPU per request of that process; for (c) also the
    Redis commands the server saw meanwhile."""
    params = {"refresh": "true"}
    out: dict[str, Any] = {"requests_each": count}
    with httpx.Client(timeout=30, headers=bearer()) as client:
        for name, service in services.items():
            calls = redis_calls()
            before, started = cpu_seconds(service.pid), time.perf_counter()
            for _ in range(count):
                checked(client.post(service.url + ANALYZE, params=params, json=payload))
            wall = time.perf_counter() - started
            cpu = cpu_seconds(service.pid) - before
            after = redis_calls()
            seen = {
                command: round((after[command] - calls.get(command, 0)) / count, 2)
                for command in after
                if after[command] - calls.get(command, 0) >= count // 2
            }
            out[name] = {
                "cpu_ms_per_request": round(cpu * 1000 / count, 3),
                "wall_ms_per_request": round(wall * 1000 / count, 3),
                "redis_commands_per_request (server-wide INFO commandstats)": seen,
            }
    return out


# ---------------------------------------------------------------------------------------------------------
# Part 2: the wrappers in this process


class FakeProvider:
    """Answers at once with a fixed result (the stand-in's usage for the analysis call)."""

    name = "deepseek"
    model = "deepseek-flash"

    def __init__(self) -> None:
        from jobfirst_ai.llm.types import ChatResult, Usage

        usage = Usage(prompt_tokens=1200, cache_miss_tokens=1200, completion_tokens=175)
        self.result = ChatResult(text="{}", provider=self.name, model=self.model, usage=usage)

    async def complete(self, request: Any, *, deadline: float) -> Any:
        """The fixed result."""
        return self.result

    async def stream(self, request: Any, *, deadline: float) -> Any:
        """Not used."""
        raise NotImplementedError
        yield

    async def aclose(self) -> None:
        """Nothing to close."""


def counting_link(prefix: str) -> Any:
    """A RedisLink like `connect_redis` makes, counting every command it sends (one script = one)."""
    from redis.asyncio import Redis

    from jobfirst_ai.redis_link import RedisLink

    class CountingLink(RedisLink):
        commands = 0

        async def run(self, command: Any) -> Any:
            self.commands += 1
            return await super().run(command)

    client = Redis.from_url(
        REDIS_URL, socket_timeout=0.5, socket_connect_timeout=0.5, health_check_interval=30
    )
    return CountingLink(client, prefix=prefix)


def micro_stats(samples: list[int]) -> dict[str, float]:
    """Mean, p50, p99 of nanosecond samples, in µs."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "mean": round(statistics.fmean(samples) / 1000, 2),
        "p50": round(cuts[49] / 1000, 2),
        "p99": round(cuts[98] / 1000, 2),
    }


def _stack_targets(
    base: Any, users: int, link: Any, recorder: Any, fake: FakeProvider
) -> dict[str, Callable[[int], Awaitable[object]]]:
    """Each wrapper around `fake`, the rate limiter alone, and the whole set of (b) and of (c)."""
    from jobfirst_ai.features.resume.enrich import user_tag
    from jobfirst_ai.llm.budget import BudgetedProvider, BudgetGuard, BudgetLimits
    from jobfirst_ai.llm.concurrency import LimitedProvider, MemorySlots, RedisSlots
    from jobfirst_ai.llm.ledger import MemoryLedger, RedisLedger
    from jobfirst_ai.llm.metering import MeteredProvider
    from jobfirst_ai.llm.pricing import load_price_table
    from jobfirst_ai.ratelimit import MemoryWindow, RateLimiter, RedisWindow

    tags = [user_tag(f"bench-user-{n}") for n in range(users)]
    requests = [base.model_copy(update={"user": tag}) for tag in tags]
    prices = load_price_table()
    limits = BudgetLimits(  # variant (b)'s settings
        monthly_tokens=100_000_000,
        monthly_cny=Decimal(1000),
        user_daily_tokens=10_000_000,
        track_user_daily_tokens=True,
    )
    points = [(fake.name, fake.model)]
    memory_guard = BudgetGuard(limits, MemoryLedger(), prices, points)
    redis_guard = BudgetGuard(limits, RedisLedger(link), prices, points)
    rates = {"Memory": (MemoryWindow(), memory_guard), "Redis": (RedisWindow(link), redis_guard)}
    limiters = {
        kind: RateLimiter(
            requests_per_minute=100_000, tokens_per_day=100_000_000, window=window, budget=guard
        )
        for kind, (window, guard) in rates.items()
    }
    slots = {"Memory": MemorySlots(16), "Redis": RedisSlots(link, 16, lease_seconds=90)}
    providers = {
        "provider alone (answers at once)": fake,
        "MeteredProvider (UsageRecorder queue)": MeteredProvider(fake, recorder, prices=prices),
        "BudgetedProvider, MemoryLedger": BudgetedProvider(fake, memory_guard),
        "BudgetedProvider, RedisLedger": BudgetedProvider(fake, redis_guard),
        "LimitedProvider, MemorySlots": LimitedProvider(fake, slots["Memory"], wait_seconds=10),
        "LimitedProvider, RedisSlots": LimitedProvider(fake, slots["Redis"], wait_seconds=10),
    }
    targets: dict[str, Callable[[int], Awaitable[object]]] = {}
    for name, provider in providers.items():
        targets[name] = lambda n, p=provider: p.complete(requests[n], deadline=time.monotonic() + 30)
    for kind in ("Memory", "Redis"):
        targets[f"RateLimiter.check, {kind}Window (RPM + tokens/day)"] = lambda n, r=limiters[kind]: r.check(
            tags[n]
        )
    for name, kind, guard in (
        ("b: rate limit + Metered(Budgeted(Limited)), in-process", "Memory", memory_guard),
        ("c: the same in Redis", "Redis", redis_guard),
    ):
        limited = LimitedProvider(fake, slots[kind], wait_seconds=10)
        whole = MeteredProvider(BudgetedProvider(limited, guard), recorder, prices=prices)

        async def stack(n: int, rate: Any = limiters[kind], provider: Any = whole) -> object:
            await rate.check(tags[n])
            return await provider.complete(requests[n], deadline=time.monotonic() + 30)

        targets[name] = stack
    return targets


async def wrappers(
    recorded: dict[str, Any], rounds: int, warmup: int, users: int, redis_every: int
) -> dict[str, Any]:
    """Each target of `_stack_targets`, round-robin per call (the Redis ones every `redis_every`-th round
    only, to keep the run short); µs per call and Redis commands per call."""
    from jobfirst_ai.features.usage.recorder import UsageRecorder
    from jobfirst_ai.llm.budget import reserve_tokens
    from jobfirst_ai.llm.metering import MeteredProvider

    base = chat_request_of(recorded["body"])
    written = 0

    async def write(rows: Any) -> None:
        nonlocal written
        written += len(rows)

    recorder = UsageRecorder(write)  # not started: flushed between rounds, outside the timed calls
    fake = FakeProvider()
    link = counting_link(PREFIX + "micro:")
    targets = _stack_targets(base, users, link, recorder, fake)
    samples: dict[str, list[int]] = {name: [] for name in targets}
    commands: dict[str, int] = dict.fromkeys(targets, 0)
    for round_number in range(warmup + rounds):
        n = round_number % users
        for name, call in targets.items():
            if "Redis" in name and round_number % redis_every:
                continue
            sent = link.commands
            started = time.perf_counter_ns()
            await call(n)
            elapsed = time.perf_counter_ns() - started
            if round_number >= warmup:
                samples[name].append(elapsed)
                commands[name] += link.commands - sent
        if round_number % 100 == 99:
            await recorder.flush()
    await link.aclose()
    metered = MeteredProvider(fake, recorder)
    for _ in range(5000):
        metered._record(base, time.monotonic(), _outcome(fake))
    flush_started = time.perf_counter_ns()
    await recorder.flush()
    flush_us = (time.perf_counter_ns() - flush_started) / 5000 / 1000
    estimate_started = time.perf_counter_ns()
    for _ in range(2000):
        reserve_tokens(base)
    estimate_us = (time.perf_counter_ns() - estimate_started) / 2000 / 1000

    stats = {name: micro_stats(values) for name, values in samples.items()}
    alone = stats["provider alone (answers at once)"]
    return {
        "calls_each": {name: len(values) for name, values in samples.items()},
        "warmup_rounds": warmup,
        "users_rotated": users,
        "request": {
            "messages": len(base.messages),
            "characters": sum(len(message.content) for message in base.messages),
            "max_tokens": base.max_tokens,
        },
        "us_per_call": stats,
        "added_us_over_provider_alone": {
            name: {key: round(value[key] - alone[key], 2) for key in ("mean", "p50", "p99")}
            for name, value in stats.items()
            if not name.startswith("RateLimiter") and name != "provider alone (answers at once)"
        },
        "redis_commands_per_call (counted at RedisLink.run)": {
            name: round(count / len(samples[name]), 2) for name, count in commands.items() if count
        },
        "budget reserve_tokens(request) us (the prompt estimate, part of every reserve)": round(
            estimate_us, 2
        ),
        "usage_recorder_background_write_us_per_record (as_row, no-op writer)": round(flush_us, 2),
        "records_written": written,
    }


def _outcome(fake: FakeProvider) -> Any:
    from jobfirst_ai.llm.metering import _Outcome

    return _Outcome(fake.name, fake.model, fake.result.usage)


async def ledger_scaling(sizes: tuple[int, ...], calls: int) -> dict[str, float]:
    """MemoryLedger.try_add (3 counters) with `size` other counters present: µs per call, mean."""
    from jobfirst_ai.llm.ledger import Charge, MemoryLedger

    out: dict[str, float] = {}
    for size in sizes:
        ledger = MemoryLedger()
        for n in range(size):
            await ledger.seed(f"day:2026-11-25:user:{n:032x}:tokens", 1000, 86_400)
        charges = [Charge(f"k{n}", 10, 10**12) for n in range(3)]
        started = time.perf_counter_ns()
        for _ in range(calls):
            await ledger.try_add(charges)
        out[f"{size} counters"] = round((time.perf_counter_ns() - started) / calls / 1000, 2)
    return out


def delete_keys() -> int:
    """Remove every key this run made in db 14."""
    import redis

    with redis.Redis.from_url(REDIS_URL) as client:
        keys = list(client.scan_iter(match=PREFIX + "*", count=1000))
        if keys:
            client.delete(*keys)
    return len(keys)


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    """Start the stand-in and three services, measure over HTTP, then the wrappers in this process."""
    for name in STRIPPED:
        os.environ.pop(name, None)
    payload = {"content": RESUME.read_text(encoding="utf-8")}
    standin = StandinProcess()
    standin.start()
    started: list[ServiceProcess] = []
    result: dict[str, Any] = {"redis": {"url": REDIS_URL, "key_prefix": PREFIX}}
    try:
        with tempfile.TemporaryDirectory() as folder:
            services: dict[str, ServiceProcess] = {}
            for index, (name, extra) in enumerate(VARIANTS.items()):
                data = Path(folder) / f"v{index}"
                data.mkdir()
                services[name] = ServiceProcess(service_env(standin.url, str(data), extra), data)
                services[name].start()
                started.append(services[name])
            pids = [standin.pid, *(service.pid for service in started)]
            load = OtherLoad(pids)
            result["sequential"] = sequential_part(services, payload, arguments.requests, arguments.warmup)
            result["sequential"]["other_work_on_the_machine_cores"] = load.cores()
            standin.reset()
            load = OtherLoad(pids)
            result["cpu_one_service_at_a_time"] = cpu_part(services, payload, arguments.cpu_requests)
            result["cpu_one_service_at_a_time"]["other_work_on_the_machine_cores"] = load.cores()
            recorded = standin.last_chat_request()
            standin.reset()
            for service in started:
                service.stop()
            logs = {
                name: (service._log.read_text(errors="replace")[-1500:]) for name, service in services.items()
            }
            result["service_stderr_tail"] = {name: text for name, text in logs.items() if text.strip()}
    finally:
        for service in started:
            service.stop()
        standin.stop()
    load = OtherLoad([])
    result["in_process"] = asyncio.run(
        wrappers(recorded, arguments.rounds, 500, arguments.users, arguments.redis_every)
    )
    result["in_process"]["other_work_on_the_machine_cores (Redis server included)"] = load.cores()
    result["memory_ledger_try_add_us_by_counters_present"] = asyncio.run(
        ledger_scaling((10, 1_000, 10_000, 100_000), 2000)
    )
    result["redis_keys_deleted"] = delete_keys()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300, help="measured rounds of the three services")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--cpu-requests", type=int, default=200, help="requests per service for CPU alone")
    parser.add_argument("--rounds", type=int, default=20_000, help="in-process calls per wrapper")
    parser.add_argument("--redis-every", type=int, default=4, help="Redis targets run every Nth round")
    parser.add_argument("--users", type=int, default=100, help="user tags rotated in-process")
    started = time.monotonic()
    try:
        result = run(parser.parse_args())
    finally:
        delete_keys()
    result["pinning"] = "none: bench client, stand-in and the three services share the 2 cores"
    result["code"] = code()
    result["run_seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print("written", write_result("limits_overhead", result))


if __name__ == "__main__":
    main()
