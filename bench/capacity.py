"""Capacity of ONE service instance on this machine: resident memory idle and under load, CPU cores busy and
requests a second at 8 and 32 concurrent clients, for the built-in engine and for the model path (DeepSeek
pointed at the stand-in model server in its own process), on SQLite (the embedded default) and on
PostgreSQL + Redis (the production shape).

Every request is `POST /api/v1/ai/resume/analyze?refresh=true` with a JWT (auth on, as in production) and a
fixture resume as JSON: each one analyses anew and stores its result. The model's response cache and the
token budget are off, so every model-path request makes a model call. The load generator runs in this
process on the same cores as the service (its CPU is reported): on a 2-core machine the figures are a floor.

PostgreSQL: a database `capacity_bench` is created on 127.0.0.1:5432 (user postgres, trust auth) with `psql`
and dropped at the end; nothing else on the server is touched. Redis: 127.0.0.1:6379 under a unique key
prefix (only expiring keys are written). Either missing: those variants are skipped.

Usage: .venv/bin/python bench/capacity.py [--seconds 8] [--service-python PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from common import ROOT, write_result
from model_overhead import StandinProcess, cpu_seconds, percentiles

sys.path.insert(0, str(ROOT))  # the service runner is shared with the tests
from tests.support.server import ServiceProcess

ANALYZE = "/api/v1/ai/resume/analyze?refresh=true"
RESUME = ROOT / "tests/fixtures/resume_zh_software.md"
SECRET = "capacity-bench-secret-capacity-bench-secret"
BENCH_DATABASE = "capacity_bench"
PG = ("psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-qAtc")
CONCURRENCY = (8, 32)
SERVERS = ("postgres", "redis-server")  # shared servers whose CPU is attributed to the load
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def status_kib(pid: int, field: str) -> int:
    """A `/proc/<pid>/status` memory field (VmRSS, VmHWM) in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field}")


def mib(kib: int) -> float:
    return round(kib / 1024, 1)


def tree_rss_kib(pid: int) -> int:
    """RSS of a process and its children (the service runs no children after start-up; a check)."""
    total = status_kib(pid, "VmRSS")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        try:
            total += status_kib(int(child), "VmRSS")
        except (FileNotFoundError, RuntimeError):
            continue
    return total


def system_busy_seconds() -> float:
    """CPU seconds all cores spent busy (not idle, not waiting for I/O) since boot, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / CLOCK_TICKS


def processes_named(*names: str) -> dict[int, float]:
    """CPU seconds of every process whose command name is one of `names` (PostgreSQL backends, Redis)."""
    found: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() in names:
                found[int(entry.name)] = cpu_seconds(int(entry.name))
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def group_delta(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds a group of processes used between two snapshots (a process born in between from 0)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def token() -> str:
    import jwt

    claims = {"sub": "capacity-bench", "exp": time.time() + 3600}
    return jwt.encode(claims, SECRET, algorithm="HS256")


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def postgres_available() -> bool:
    if shutil.which("psql") is None or not port_open(5432):
        return False
    return subprocess.run([*PG, "SELECT 1"], capture_output=True, check=False).returncode == 0


def psql(sql: str) -> None:
    subprocess.run([*PG, sql], check=True, capture_output=True)


async def load(
    url: str, send: dict[str, Any], *, concurrency: int, seconds: float, pids: dict[str, int]
) -> dict[str, Any]:
    """`concurrency` clients POSTing for `seconds`: throughput, latency, CPU cores busy of each process, and
    the service's RSS sampled every 100 ms (peak and last)."""
    latencies: list[float] = []
    failures: dict[int, int] = {}
    service = pids["service"]
    samples: list[int] = []
    pool = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=pool) as client:
        await asyncio.gather(*(client.post(url, **send) for _ in range(concurrency)))  # open connections
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        servers_before = {name: processes_named(name) for name in SERVERS}
        system_before, load_before = system_busy_seconds(), os.getloadavg()[0]
        own_before, started = time.process_time(), time.perf_counter()
        deadline = time.monotonic() + seconds

        async def worker() -> None:
            while time.monotonic() < deadline:
                began = time.perf_counter()
                response = await client.post(url, **send)
                if response.status_code == 200:
                    latencies.append((time.perf_counter() - began) * 1000)
                else:
                    failures[response.status_code] = failures.get(response.status_code, 0) + 1

        async def sampler() -> None:
            while time.monotonic() < deadline:
                samples.append(tree_rss_kib(service))
                await asyncio.sleep(0.1)

        await asyncio.gather(sampler(), *(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
        own = time.process_time() - own_before
        after = {name: cpu_seconds(pid) for name, pid in pids.items()}
        servers = {name: group_delta(servers_before[name], processes_named(name)) for name in SERVERS}
        system = system_busy_seconds() - system_before
    busy = {name: round((after[name] - before[name]) / wall, 2) for name in pids}
    busy |= {name: round(seconds / wall, 2) for name, seconds in servers.items() if seconds > 0}
    busy["load generator"] = round(own / wall, 2)
    # Everything else on the machine (other people's tests, builds): large values mean a noisy run.
    busy["other processes"] = round(system / wall - sum(busy.values()), 2)
    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "failures_by_status": failures,
        "seconds": round(wall, 2),
        "requests_per_second": round(len(latencies) / wall, 1),
        "latency_ms": percentiles(latencies) if len(latencies) > 1 else {},
        "cpu_cores_busy": busy,
        "machine_cores_busy": round(system / wall, 2),
        "load_average_1min_before": round(load_before, 2),
        "service_cpu_ms_per_request": round((after["service"] - before["service"]) * 1000 / len(latencies), 2)
        if latencies
        else None,
        "rss_peak_mb": mib(max(samples)) if samples else None,
        "rss_end_mb": mib(samples[-1]) if samples else None,
    }


async def measure(service: ServiceProcess, pids: dict[str, int], seconds: float) -> dict[str, Any]:
    """Start-up RSS, idle RSS after a few requests, then the loads; RSS after the loads and the high-water
    mark (VmHWM)."""
    result: dict[str, Any] = {"rss_after_start_mb": mib(status_kib(service.pid, "VmRSS"))}
    send = {
        "json": {"content": RESUME.read_text(encoding="utf-8")},
        "headers": {"Authorization": f"Bearer {token()}"},
    }
    url = service.url + ANALYZE
    async with httpx.AsyncClient(timeout=60) as client:
        for _ in range(10):
            response = await client.post(url, **send)
            response.raise_for_status()
        body = response.json()
        result["answered_by"] = {"engine": body.get("engine"), "model": body.get("model")}
        result["degraded"] = body.get("degraded")
    await asyncio.sleep(2)
    result["rss_idle_after_10_requests_mb"] = mib(status_kib(service.pid, "VmRSS"))
    result["loads"] = [
        await load(url, send, concurrency=clients, seconds=seconds, pids=pids) for clients in CONCURRENCY
    ]
    await asyncio.sleep(2)
    result["rss_idle_after_load_mb"] = mib(status_kib(service.pid, "VmRSS"))
    result["rss_high_water_mb"] = mib(status_kib(service.pid, "VmHWM"))
    return result


def variants(standin_url: str, has_postgres: bool, has_redis: bool) -> list[tuple[str, dict[str, str]]]:
    base = {
        "JWT_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        "AI_CACHE_TTL_SECONDS": "0",
        "MAX_MONTHLY_TOKENS": "0",
        "METRICS_ENABLED": "true",
    }
    builtin = {"EXTERNAL_AI_PROVIDER": "builtin"}
    model = {
        "EXTERNAL_AI_PROVIDER": "deepseek",
        "EXTERNAL_AI_API_KEY": "bench-key",
        "EXTERNAL_AI_BASE_URL": standin_url,
    }
    stores: list[tuple[str, dict[str, str]]] = [("sqlite", {})]
    if has_postgres:
        production = {"DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{BENCH_DATABASE}"}
        if has_redis:
            prefix = f"capacity-bench:{uuid.uuid4().hex[:8]}:"
            production |= {"REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_KEY_PREFIX": prefix}
        stores.append(("postgresql+redis" if has_redis else "postgresql", production))
    return [
        (f"{engine_name} / {store_name}", base | engine | store)
        for store_name, store in stores
        for engine_name, engine in (("built-in engine", builtin), ("stand-in model", model))
    ]


def run_variant(
    name: str, env: dict[str, str], python: str, standin: StandinProcess, seconds: float
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        service = ServiceProcess({"DATA_DIR": folder, **env}, Path(folder), python)
        service.start()
        try:
            time.sleep(1)
            pids = {"service": service.pid}
            if "EXTERNAL_AI_BASE_URL" in env:
                pids["stand-in"] = standin.pid
            result = asyncio.run(measure(service, pids, seconds))
        finally:
            service.stop()
            standin.reset()
    print(name, json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each load step")
    parser.add_argument("--service-python", default=sys.executable, help="Python that runs the service")
    arguments = parser.parse_args()
    has_postgres = postgres_available()
    has_redis = port_open(6379)
    if has_postgres:
        psql(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        psql(f"CREATE DATABASE {BENCH_DATABASE}")
    standin = StandinProcess()
    standin.start()
    results: dict[str, Any] = {}
    try:
        for name, env in variants(standin.url, has_postgres, has_redis):
            if "DATABASE_URL" in env:
                psql(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
                psql(f"CREATE DATABASE {BENCH_DATABASE}")
            results[name] = run_variant(name, env, arguments.service_python, standin, arguments.seconds)
    finally:
        standin.stop()
        if has_postgres:
            psql(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
    payload = {
        "what": "one instance; POST /api/v1/ai/resume/analyze?refresh=true, JWT auth on, response cache and "
        "token budget off; load generator on the same cores",
        "resume": RESUME.name,
        "seconds_per_load": arguments.seconds,
        "service_python": _shown(arguments.service_python),
        "defaults": {"TASK_WORKERS": 2, "AI_MAX_CONCURRENCY": 8, "AI_PROVIDER_CONCURRENCY": 16},
        "postgresql": has_postgres,
        "redis": has_redis,
        "variants": results,
    }
    print("written", write_result("capacity", payload))


def _shown(path: str) -> str:
    """A path as recorded: relative to the checkout when inside it (results carry no machine's paths)."""
    resolved = Path(path).absolute()
    return str(resolved.relative_to(ROOT)) if resolved.is_relative_to(ROOT) else path


if __name__ == "__main__":
    main()
