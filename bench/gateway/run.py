"""The service beside LiteLLM's proxy: one stand-in upstream, the same load generator, interleaved runs.

`make bench-gateway` (or `.venv/bin/python bench/gateway/run.py --scenarios ...`). Starts the stand-in model
server, the service (one worker; JWT auth, metering, budgets, response cache on) and LiteLLM's proxy (one
worker, its own virtual environment under bench/gateway/, pinned), then measures each scenario for three
targets in turn — the stand-in directly, the service, LiteLLM — so drift on the machine hits all alike.
Throughput scenarios use wrk (Debian's package) with bench/gateway/chat.lua; the one-at-a-time and
streaming scenarios use httpx and aiohttp in this process. Writes bench/results/gateway.json, PNG plots under
bench/gateway/ and the tables between the gateway markers at the end of bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import jwt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/: common, model_overhead
from common import ROOT, machine, write_result
from model_overhead import StandinProcess, percentiles

sys.path.insert(0, str(ROOT))  # the service runner is shared with the tests
from tests.support.relay import Relay
from tests.support.server import ServiceProcess, free_port

HERE = Path(__file__).resolve().parent
LITELLM_VERSION = "1.81.13"  # pinned: a release from before the 2026 supply-chain incidents
MATPLOTLIB_VERSION = "3.9.2"
VENV = HERE / ".venv-litellm"
LUA = HERE / "chat.lua"
CONFIG = HERE / "litellm_config.yaml"
README = ROOT / "bench" / "README.md"
BEGIN, END = "<!-- gateway:begin -->", "<!-- gateway:end -->"
CHAT = "/api/v1/ai/chat"
MESSAGE = "Could you help me write a cover letter opening for a data analyst role? (ref {{N}})"
SECRET = "bench-gateway-secret-0123456789abcdef0123"
UPSTREAM_KEY = "sk-bench-upstream"
MASTER_KEY = "sk-bench-litellm-master"
USERS = 1000  # the service's requests come from this many users (JWT subjects), taken in turn
TARGETS = ("direct", "service", "litellm")
SCENARIOS = ("unloaded", "peak", "realistic", "streaming", "cache", "failure", "soak")
DEFAULT_SCENARIOS = "unloaded,peak,realistic,streaming,cache,failure"


# --- tools -------------------------------------------------------------------------------------------


def ensure_tools() -> None:
    """LiteLLM's proxy and matplotlib in bench/gateway/.venv-litellm (pinned), wrk from Debian."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    probe = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('litellm'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.stdout.strip() != LITELLM_VERSION:
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run(
            [*pip, f"litellm[proxy]=={LITELLM_VERSION}", f"matplotlib=={MATPLOTLIB_VERSION}"], check=True
        )
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


# --- processes ---------------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    """`pid` and all its descendants (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        queue.extend(parents.get(current, []))
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for member in children(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def tree_rss_mb(pid: int) -> float:
    """Resident memory (VmRSS) of a process and its descendants, MiB."""
    total = 0
    for member in children(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1)


class LitellmProcess:
    """`litellm --config bench/gateway/litellm_config.yaml --num_workers 1` from its own venv."""

    def __init__(self, standin_url: str, folder: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._standin_url = standin_url
        self._log = folder / "litellm.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> None:
        env = {
            **os.environ,
            "STANDIN_URL": self._standin_url,
            "STANDIN_KEY": UPSTREAM_KEY,
            "LITELLM_MASTER_KEY": MASTER_KEY,
            "LITELLM_LOG": "ERROR",
            "LITELLM_MODE": "PRODUCTION",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",  # no fetch of the price map at start
            "LITELLM_TELEMETRY": "False",
            "DISABLE_ADMIN_UI": "True",
            "NO_DOCS": "True",
        }
        env.pop("DATABASE_URL", None)
        command = [str(VENV / "bin" / "litellm"), "--config", str(CONFIG), "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--num_workers", "1", "--telemetry", "False"]
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"litellm exited: {self._log.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/health/liveliness", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise RuntimeError("litellm did not start")

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)


def as_letters(marker: str) -> str:
    """Each digit of `marker` as a letter (0 -> a ... 9 -> j); other characters kept."""
    return marker.translate(str.maketrans("0123456789", "abcdefghij"))


@dataclass
class Target:
    """One thing to load: where to POST, which body (with {{N}}), how to tell a good answer."""

    name: str
    url: str
    body: str
    authorization: str
    expect: str
    pid: int | None
    users: tuple[str, ...] = ()  # Authorization values taken in turn (the service: one JWT per user)

    def body_for(self, number: str, *, stream: bool = False) -> bytes:
        # Letters, not digits: a run of digits can read as a phone number, which the service masks before
        # its cache key is made, so "different" messages would share a cache entry.
        text = self.body.replace("{{N}}", as_letters(number))
        if stream:
            text = text.replace('"stream": false', '"stream": true').replace(
                '"stream":false', '"stream":true'
            )
        return text.encode()

    def headers_for(self, number: int) -> dict[str, str]:
        authorization = self.users[number % len(self.users)] if self.users else self.authorization
        return {"authorization": authorization, "content-type": "application/json"}

    def wrk_authorization(self, folder: Path) -> str:
        """chat.lua's AUTHORIZATION argument: the one value, or @file of the users' values."""
        if not self.users:
            return self.authorization
        path = folder / f"{self.name}-users.txt"
        path.write_text("\n".join(self.users) + "\n")
        return f"@{path}"


@dataclass
class Stand:
    """The three running targets and the stand-in behind them."""

    standin: StandinProcess
    service: ServiceProcess
    litellm: LitellmProcess
    targets: dict[str, Target]
    arguments: argparse.Namespace
    folder: Path
    idle_rss: dict[str, float] = field(default_factory=dict)
    relay: Relay | None = None  # between a restarted service and Redis (the soak)

    def restart(self, extra_env: dict[str, str]) -> None:
        """Both gateways stopped and started afresh (the service with `extra_env`); targets follow."""
        for process in (self.service, self.litellm):
            process.stop()
        env = service_env(self.standin.url, str(self.folder), self.arguments) | extra_env
        self.service = ServiceProcess(env, self.folder)
        self.litellm = LitellmProcess(self.standin.url, self.folder)
        self.service.start()
        self.litellm.start()
        service, litellm = self.targets["service"], self.targets["litellm"]
        self.targets["service"] = replace(service, url=self.service.url + CHAT, pid=self.service.pid)
        self.targets["litellm"] = replace(
            litellm, url=self.litellm.url + "/chat/completions", pid=self.litellm.pid
        )

    def script(self, steps: list[dict[str, Any]]) -> None:
        self.standin.reset()
        if steps:
            httpx.post(f"{self.standin.url}/_standin/script", json=steps, timeout=30).raise_for_status()

    def upstream_calls(self) -> int:
        records = httpx.get(f"{self.standin.url}/_standin/requests", timeout=30).json()
        return sum(1 for record in records if record["path"].endswith("chat/completions"))

    def rss(self) -> dict[str, float]:
        return {
            "service": tree_rss_mb(self.service.pid),
            "litellm": tree_rss_mb(self.litellm.pid),
            "stand-in": tree_rss_mb(self.standin.pid),
        }


def service_env(standin_url: str, folder: str, arguments: argparse.Namespace) -> dict[str, str]:
    """Production-like: auth (JWT_SECRET), metering (always on), budgets (a monthly limit set: on, but so
    high that the bench's millions of tokens never reach it), response cache (default TTL), one worker."""
    env = {
        "DATA_DIR": folder,
        "EXTERNAL_AI_PROVIDER": "deepseek",
        "EXTERNAL_AI_API_KEY": UPSTREAM_KEY,
        "EXTERNAL_AI_BASE_URL": standin_url,
        "JWT_SECRET": SECRET,
        "MAX_MONTHLY_TOKENS": "10000000000",
        "LOG_LEVEL": "WARNING",
    }
    # Sized for the bench's 1,000 concurrent requests, as LiteLLM is unbounded: the service's defaults
    # (16 provider slots, 100 connections, 30 to one host) would cap the realistic scenarios by design.
    env["AI_PROVIDER_CONCURRENCY"] = str(arguments.provider_concurrency)
    env["AI_MAX_CONNECTIONS"] = env["AI_MAX_CONNECTIONS_PER_HOST"] = str(arguments.upstream_connections)
    return env


def token(user: int = 0) -> str:
    return "Bearer " + jwt.encode(
        {"sub": f"bench-gateway-user-{user}", "exp": int(time.time()) + 24 * 3600}, SECRET, algorithm="HS256"
    )


def build_targets(
    standin: StandinProcess, service: ServiceProcess, litellm: LitellmProcess
) -> dict[str, Target]:
    """The service's body; the model call it made for it (captured) for the stand-in directly; the same
    messages as an OpenAI request for LiteLLM."""
    authorization = token()
    service_body = json.dumps({"message": MESSAGE.replace("{{N}}", "capture-0"), "stream": False})
    answer = httpx.post(
        service.url + CHAT, content=service_body, headers={"authorization": authorization}, timeout=30
    ).json()
    if answer.get("source") != "model":
        raise RuntimeError(f"the service did not ask the model: {answer}")
    captured = standin.last_chat_request()
    recorded = captured["body"]
    # A user per request for the stand-in's prompt-cache simulation, which scans all of a user's stored
    # prompts on every call (CPU that grows with the user's history): the service's calls come from
    # USERS users, the direct and LiteLLM calls each from their own.
    direct_text = captured["text"].replace("capture-0", "{{N}}").replace(recorded["user_id"], "u-{{N}}")
    openai = {
        "model": recorded["model"],
        "messages": recorded["messages"],
        "stream": False,
        "temperature": recorded.get("temperature"),
        "max_tokens": recorded.get("max_tokens"),
        "user_id": "u-{{N}}",  # LiteLLM passes provider-specific parameters through
    }
    litellm_text = json.dumps(openai, ensure_ascii=False).replace("capture-0", "{{N}}")
    return {
        "direct": Target(
            "direct",
            standin.url + "/chat/completions",
            direct_text,
            f"Bearer {UPSTREAM_KEY}",
            '"choices"',
            None,
        ),
        "service": Target(
            "service",
            service.url + CHAT,
            json.dumps({"message": MESSAGE, "stream": False}),
            authorization,
            '"source":"model"',
            service.pid,
            tuple(token(user) for user in range(USERS)),
        ),
        "litellm": Target(
            "litellm",
            litellm.url + "/chat/completions",
            litellm_text,
            f"Bearer {MASTER_KEY}",
            '"choices"',
            litellm.pid,
        ),
    }


@contextmanager
def running(arguments: argparse.Namespace) -> Iterator[Stand]:
    """The stand-in, the service and LiteLLM, started and stopped."""
    standin = StandinProcess()
    standin.start()
    with tempfile.TemporaryDirectory(prefix="jobfirst-gateway-") as folder:
        service = ServiceProcess(service_env(standin.url, folder, arguments), Path(folder))
        litellm = LitellmProcess(standin.url, Path(folder))
        stand = Stand(standin, service, litellm, {}, arguments, Path(folder))
        try:
            service.start()
            litellm.start()
            time.sleep(1.0)
            stand.idle_rss = stand.rss()  # before any request
            stand.targets = build_targets(standin, service, litellm)
            yield stand
        finally:
            for process in (stand.litellm, stand.service, standin):
                process.stop()
            if stand.relay is not None:
                stand.relay.close()


# --- the load generators ----------------------------------------------------------------------------


def wrk(
    stand: Stand, target: Target, *, connections: int, seconds: float, unique: bool = True
) -> dict[str, Any]:
    """One closed-loop wrk run; throughput, latency, good answers, and CPU per request of the target's
    process, the stand-in and wrk itself."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        handle.write(target.body)
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
    ]
    command += [
        target.url,
        "--",
        handle.name,
        target.expect,
        target.wrk_authorization(Path(tempfile.gettempdir())),
        "1" if unique else "0",
        uuid.uuid4().hex[:10],  # RUN: a new prefix per wrk run, so no run repeats an earlier one's messages
    ]
    pids = {"stand-in": stand.standin.pid} | ({"gateway": target.pid} if target.pid else {})
    before = {name: tree_cpu(pid) for name, pid in pids.items()}
    calls_before = stand.upstream_calls()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = process.communicate()
    usage = _wrk_rusage()
    after = {name: tree_cpu(pid) for name, pid in pids.items()}
    upstream = stand.upstream_calls() - calls_before
    os.unlink(handle.name)
    line = next((row for row in out.decode().splitlines() if row.startswith("GATEWAY_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk: {err.decode()[-500:]} {out.decode()[-500:]}")
    raw = json.loads(line.split(" ", 1)[1])
    wall = raw["duration_us"] / 1e6
    done = max(raw["good"], 1)
    cpu = {name: round((after[name] - before[name]) * 1000 / done, 3) for name in pids}
    return {
        "connections": connections,
        "seconds": round(wall, 2),
        "good": raw["good"],
        "bad": raw["bad"] + raw["connect_errors"] + raw["read_errors"] + raw["timeouts"],
        "sample_bad": raw["sample_bad"],
        "per_second": round(raw["good"] / wall, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p90_ms": round(raw["p90_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "cpu_ms_per_request": cpu | {"wrk": round(usage * 1000 / done, 3)},
        "cores_busy": {name: round((after[name] - before[name]) / wall, 2) for name in pids}
        | {"wrk": round(usage / wall, 2)},
        "upstream_calls": upstream,
    }


_RUSAGE_SEEN = [0.0]


def _wrk_rusage() -> float:
    """CPU seconds of the wrk run just reaped (children's rusage grows by it)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _RUSAGE_SEEN[0] = total - _RUSAGE_SEEN[0], total
    return spent


def rotated(round_number: int) -> list[str]:
    """The targets in a different order every round."""
    shift = round_number % len(TARGETS)
    return list(TARGETS[shift:] + TARGETS[:shift])


def merged(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Several wrk runs of one target: totals, and the median run's latency figures."""
    good = sum(run["good"] for run in runs)
    seconds = sum(run["seconds"] for run in runs)
    middle = sorted(runs, key=lambda run: run["p50_ms"])[len(runs) // 2]
    cpu_names = runs[0]["cpu_ms_per_request"].keys()
    return {
        "good": good,
        "bad": sum(run["bad"] for run in runs),
        "sample_bad": next((run["sample_bad"] for run in runs if run["sample_bad"]), ""),
        "seconds": round(seconds, 1),
        "per_second": round(good / seconds, 1),
        "p50_ms": middle["p50_ms"],
        "p99_ms": max(run["p99_ms"] for run in runs),
        "cpu_ms_per_request": {
            name: round(sum(run["cpu_ms_per_request"][name] * run["good"] for run in runs) / max(good, 1), 3)
            for name in cpu_names
        },
        "cores_busy_max": {
            name: max(run["cores_busy"][name] for run in runs) for name in runs[0]["cores_busy"]
        },
        "upstream_calls": sum(run["upstream_calls"] for run in runs),
        "runs": runs,
    }


def closed_loop(
    stand: Stand,
    *,
    connections: int,
    seconds: float,
    rounds: int,
    steps: list[dict[str, Any]],
    unique: bool = True,
) -> dict[str, Any]:
    """Each target in turn for `rounds` rounds (order rotated), after a short warm-up of each."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in TARGETS}
    for name in TARGETS:  # warm-up: connections, caches of code paths
        stand.script(steps)
        wrk(stand, stand.targets[name], connections=connections, seconds=min(2.0, seconds), unique=unique)
    for round_number in range(rounds):
        for name in rotated(round_number):
            stand.script(steps)
            runs[name].append(
                wrk(stand, stand.targets[name], connections=connections, seconds=seconds, unique=unique)
            )
    stand.script([])
    return {name: merged(values) for name, values in runs.items()}


# --- scenarios ---------------------------------------------------------------------------------------


def unloaded(stand: Stand, arguments: argparse.Namespace) -> dict[str, Any]:
    """One request at a time, round-robin over the targets; added latency = target − direct."""
    stand.script([])
    samples: dict[str, list[float]] = {name: [] for name in TARGETS}
    wrong = 0
    with httpx.Client(timeout=30) as client:
        for number in range(arguments.warmup + arguments.count):
            for name in rotated(number):
                target = stand.targets[name]
                body = target.body_for(f"u{number}")
                started = time.perf_counter()
                response = client.post(target.url, content=body, headers=target.headers_for(number))
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200 or target.expect not in response.text.replace(": ", ":"):
                    wrong += 1
                if number >= arguments.warmup:
                    samples[name].append(elapsed)
    latency = {name: percentiles(values) for name, values in samples.items()}
    added = {
        name: {
            key: round(latency[name][key] - latency["direct"][key], 3)
            for key in ("p50", "p90", "p99", "mean")
        }
        for name in ("service", "litellm")
    }
    stand.script([])
    return {
        "requests_each": arguments.count,
        "wrong_answers": wrong,
        "latency_ms": latency,
        "added_ms": added,
    }


def peak(stand: Stand, arguments: argparse.Namespace) -> dict[str, Any]:
    """Closed loop at 10 and 50 concurrent, 0 ms upstream."""
    return {
        str(connections): closed_loop(
            stand, connections=connections, seconds=arguments.seconds, rounds=arguments.rounds, steps=[]
        )
        for connections in arguments.peak
    }


def realistic(stand: Stand, arguments: argparse.Namespace) -> dict[str, Any]:
    """Closed loop with a slow upstream; throughput as a share of Little's-law bound connections/latency."""
    result = {}
    for case in arguments.realistic:
        connections, delay = case.split("x")
        step = {"delay": float(delay), "keep_alive": False, "times": 1_000_000}
        seconds = max(arguments.seconds, 5 * float(delay))
        figures = closed_loop(stand, connections=int(connections), seconds=seconds, rounds=1, steps=[step])
        bound = int(connections) / float(delay)
        for values in figures.values():
            values["little_bound_per_second"] = round(bound, 1)
            values["share_of_bound"] = round(values["per_second"] / bound, 3)
        result[case] = figures
    return result


def cache_hit(stand: Stand, arguments: argparse.Namespace) -> dict[str, Any]:
    """The same message again and again: the service's and LiteLLM's caches answer (direct has none).
    Closed loop at `cache_connections`, then one at a time (the latency a user waits for a hit)."""
    figures = closed_loop(
        stand,
        connections=arguments.cache_connections,
        seconds=arguments.seconds,
        rounds=arguments.rounds,
        steps=[],
        unique=False,
    )
    # One connection, wrk as the client (a C client adds far less than httpx would to a ~2 ms answer).
    single = {
        name: wrk(stand, stand.targets[name], connections=1, seconds=arguments.seconds, unique=False)
        for name in TARGETS
    }
    figures["one_at_a_time_ms"] = {
        name: {"p50": run["p50_ms"], "p99": run["p99_ms"], "per_second": run["per_second"]}
        for name, run in single.items()
    }
    return figures


def _is_content(line: str) -> bool:
    """A service `delta` event, or an OpenAI chunk with non-empty content."""
    compact = line.replace(": ", ":")
    if line == "event: delta":
        return True
    return line.startswith("data: {") and '"content":"' in compact and '"content":""' not in compact


async def _stream_once(
    session: aiohttp.ClientSession, target: Target, number: str
) -> tuple[float, list[float]]:
    """Milliseconds to the first content, and the gaps between content pieces."""
    started = time.perf_counter()
    marks: list[float] = []
    body = target.body_for(number, stream=True)
    headers = target.headers_for(hash(number))
    async with session.post(target.url, data=body, headers=headers) as response:
        if response.status != 200:
            raise RuntimeError(f"{target.name}: HTTP {response.status}")
        async for raw in response.content:
            if _is_content(raw.decode().rstrip("\r\n")):
                marks.append(time.perf_counter())
    if not marks:
        raise RuntimeError(f"{target.name}: no content")
    gaps = [(later - earlier) * 1000 for earlier, later in itertools.pairwise(marks)]
    return (marks[0] - started) * 1000, gaps


async def _streams(target: Target, streams: int, per_stream: int) -> dict[str, Any]:
    """aiohttp as the load generator (a seventh of httpx's CPU per request); its keep-alive (2 s) is
    shorter than the servers' (uvicorn: 5 s), so it never reuses a connection they are closing."""
    first: list[float] = []
    gaps: list[float] = []
    errors: list[str] = []
    connector = aiohttp.TCPConnector(limit=streams, keepalive_timeout=2)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def once(number: str) -> None:
            try:
                ttfb, pieces = await _stream_once(session, target, number)
            except (aiohttp.ClientError, RuntimeError, TimeoutError) as error:
                errors.append(f"{type(error).__name__}: {error}"[:200])
                return
            first.append(ttfb)
            gaps.extend(pieces)

        await asyncio.gather(*(once(f"w{index}") for index in range(streams)))  # warm-up
        first.clear(), gaps.clear(), errors.clear()
        cpu, started = time.process_time(), time.perf_counter()

        async def worker(index: int) -> None:
            for round_number in range(per_stream):
                await once(f"s{index}-{round_number}")

        await asyncio.gather(*(worker(index) for index in range(streams)))
        wall = time.perf_counter() - started
        own = time.process_time() - cpu
    return {
        "ttfb_ms": percentiles(first) if first else {},
        "gap_ms": percentiles(gaps) if gaps else {},
        "streams_ok": len(first),
        "errors": len(errors),
        "sample_error": errors[0] if errors else "",
        "load_generator_cores_busy": round(own / wall, 2),
    }


def streaming(stand: Stand, arguments: argparse.Namespace) -> dict[str, Any]:
    """`streams` concurrent streams, the stand-in trickling one frame every 10 ms."""
    step = {"frame_interval": 0.01, "times": 1_000_000, "answer": "A steady stream of advice. " * 12}
    figures: dict[str, Any] = {}
    for name in TARGETS:
        stand.script([step])
        figures[name] = asyncio.run(_streams(stand.targets[name], arguments.streams, arguments.per_stream))
    stand.script([])
    for name in ("service", "litellm"):
        if not (figures[name]["ttfb_ms"] and figures["direct"]["ttfb_ms"]):
            continue
        figures[name]["added_ttfb_ms"] = {
            key: round(figures[name]["ttfb_ms"][key] - figures["direct"]["ttfb_ms"][key], 2)
            for key in ("p50", "p99")
        }
        figures[name]["added_gap_ms"] = {
            key: round(figures[name]["gap_ms"][key] - figures["direct"]["gap_ms"][key], 2)
            for key in ("p50", "p99")
        }
    return {
        "streams": arguments.streams,
        "per_stream": arguments.per_stream,
        "frame_interval_ms": 10,
        **figures,
    }


def failure(stand: Stand, arguments: argparse.Namespace) -> dict[str, Any]:
    """The upstream answers 503: the service's breaker opens and the engine answers (degraded); LiteLLM
    and the stand-in answer with an error. Latency of what the caller gets, after `failure_warmup`
    requests one at a time. LiteLLM's go 10 at a time, warm-up included (each spends ~4.6 s in its
    retries; one at a time they took two minutes of the run), the others' one at a time."""
    stand.script([{"status": 503, "times": 1_000_000}])
    result: dict[str, Any] = {}
    for name in TARGETS:
        target = stand.targets[name]
        with ThreadPoolExecutor(10 if name == "litellm" else 1) as pool:
            list(
                pool.map(
                    lambda number, t=target: _timed_post(t, f"fw{number}"), range(arguments.failure_warmup)
                )
            )
            numbers = range(arguments.failure_count)
            answers = list(pool.map(lambda number, t=target: _timed_post(t, f"f{number}"), numbers))
        statuses: dict[int, int] = {}
        for _, status, _ in answers:
            statuses[status] = statuses.get(status, 0) + 1
        result[name] = {"latency_ms": percentiles([ms for ms, _, _ in answers]), "statuses": statuses}
        if name == "service":
            result[name]["degraded_answers"] = sum(1 for _, _, is_degraded in answers if is_degraded)
    stand.script([])
    return result


def _timed_post(target: Target, number: str) -> tuple[float, int, bool]:
    """Milliseconds, status, and whether the service said it degraded."""
    with httpx.Client(timeout=60) as client:
        started = time.perf_counter()
        response = client.post(target.url, content=target.body_for(number), headers=target.headers_for(0))
        elapsed = (time.perf_counter() - started) * 1000
    degraded = response.status_code == 200 and bool(response.json().get("degraded"))
    return elapsed, response.status_code, degraded


SOAK_STEADY = {"delay": 0.05, "keep_alive": False, "times": 10_000_000}
SOAK_FAILING = {"status": 503, "times": 10_000_000}


def soak(stand: Stand, arguments: argparse.Namespace) -> dict[str, Any]:
    """Both gateways restarted (so earlier bursts' memory is not counted) and loaded at once, 20
    connections each, for `soak_seconds` in three phases: a 50 ms upstream (60%), the upstream answering
    503 (20%), Redis unreachable (20%: the service's REDIS_URL goes through a relay that is cut; without a
    Redis on REDIS_URL / 127.0.0.1:6379 that phase is steady load too). RSS every ~15 s."""
    redis = _redis_address()
    extra: dict[str, str] = {}
    if redis is not None:
        stand.relay = Relay(*redis).start()
        prefix = f"bench-soak-{uuid.uuid4().hex[:8]}:"
        extra = {"REDIS_URL": f"redis://127.0.0.1:{stand.relay.port}/15", "REDIS_KEY_PREFIX": prefix}
    stand.restart(extra)
    stand.script([SOAK_STEADY])
    for name in ("service", "litellm"):  # warm-up, outside the figures
        wrk(stand, stand.targets[name], connections=20, seconds=3)
    phases = [("steady", 0.6, [SOAK_STEADY]), ("upstream failing", 0.2, [SOAK_FAILING])]
    phases.append(("redis unreachable" if redis else "steady (no Redis)", 0.2, [SOAK_STEADY]))
    started = time.monotonic()
    samples = [{"t": 0.0, "phase": "start", **stand.rss()}]
    figures = []
    for phase, share, steps in phases:
        stand.script(steps)
        if phase == "redis unreachable" and stand.relay is not None:
            stand.relay.cut("refuse")
        seconds = arguments.soak_seconds * share
        processes = [_soak_wrk(stand.targets[name], seconds) for name in ("service", "litellm")]
        while any(process.poll() is None for process in processes):
            time.sleep(min(15.0, max(1.0, arguments.soak_seconds / 40)))
            samples.append({"t": round(time.monotonic() - started, 1), "phase": phase, **stand.rss()})
            stand.script(steps)  # records stay small
        results = [_wrk_result(process.communicate()[0].decode()) for process in processes]
        figure: dict[str, Any] = {"phase": phase, "seconds": round(seconds)}
        for name, result in zip(("service", "litellm"), results, strict=True):
            figure |= {f"{name}_good": result["good"], f"{name}_bad": result["bad"]}
        figures.append(figure)
    if stand.relay is not None:
        stand.relay.resume()
    stand.script([])
    return {"seconds": arguments.soak_seconds, "rss_mb": samples, "phases": figures}


def _redis_address() -> tuple[str, int] | None:
    """host, port of REDIS_URL (default 127.0.0.1:6379) when something answers PING there."""
    import redis as redis_client

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        client = redis_client.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis_client.RedisError:
        return None
    options = client.connection_pool.connection_kwargs
    return str(options.get("host", "127.0.0.1")), int(options.get("port", 6379))


def _soak_wrk(target: Target, seconds: float) -> subprocess.Popen[bytes]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        handle.write(target.body)
    command = ["wrk", "-t1", "-c20", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", str(LUA)]
    command += [target.url, "--", handle.name, '"' if target.name == "litellm" else '"reply"']
    command += [target.wrk_authorization(Path(tempfile.gettempdir())), "1", "soak" + uuid.uuid4().hex[:6]]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def _wrk_result(out: str) -> dict[str, Any]:
    line = next((row for row in out.splitlines() if row.startswith("GATEWAY_RESULT ")), None)
    if line is None:
        return {"good": 0, "bad": 0}
    raw = json.loads(line.split(" ", 1)[1])
    return {"good": raw["good"], "bad": raw["bad"] + raw["connect_errors"] + raw["read_errors"]}


RUNNERS = {
    "unloaded": unloaded,
    "peak": peak,
    "realistic": realistic,
    "streaming": streaming,
    "cache": cache_hit,
    "failure": failure,
    "soak": soak,
}


# --- main --------------------------------------------------------------------------------------------


def run(arguments: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    result: dict[str, Any] = {"settings": vars(arguments), "litellm_version": LITELLM_VERSION}
    with running(arguments) as stand:
        memory = [{"after": "start (no request yet)", **stand.idle_rss}]
        memory.append({"after": "the first request", **stand.rss()})
        for name in arguments.scenarios:
            began = time.monotonic()
            print(f"[gateway] {name} ...", flush=True)
            result[name] = RUNNERS[name](stand, arguments)
            result[name + "_seconds"] = round(time.monotonic() - began, 1)
            memory.append({"after": name, **stand.rss()})
        result["memory_rss_mb"] = memory
    wrk_version = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    result["wrk"] = (wrk_version.stdout or wrk_version.stderr).splitlines()[0]
    result["run_seconds"] = round(time.monotonic() - started, 1)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scenarios", default=DEFAULT_SCENARIOS, help=f"comma list of {', '.join(SCENARIOS)} or all"
    )
    parser.add_argument("--count", type=int, default=300, help="unloaded: measured requests per target")
    parser.add_argument("--warmup", type=int, default=30, help="unloaded: warm-up requests per target")
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk seconds per target per round")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds (peak, cache)")
    parser.add_argument("--peak", default="10,50", help="peak: concurrencies")
    parser.add_argument("--realistic", default="200x0.5,1000x2", help="CONNECTIONSxSECONDS,...")
    parser.add_argument("--streams", type=int, default=200, help="streaming: concurrent streams")
    parser.add_argument("--per-stream", type=int, default=3, help="streaming: requests per stream")
    parser.add_argument("--cache-connections", type=int, default=10)
    parser.add_argument("--failure-count", type=int, default=20)
    parser.add_argument("--failure-warmup", type=int, default=5, help="failure: requests before measuring")
    parser.add_argument("--soak-seconds", type=float, default=600.0)
    parser.add_argument(
        "--provider-concurrency",
        type=int,
        default=0,
        help="AI_PROVIDER_CONCURRENCY of the service (0: no limit, like LiteLLM's; the service's own is 16)",
    )
    parser.add_argument(
        "--upstream-connections",
        type=int,
        default=2000,
        help="AI_MAX_CONNECTIONS and AI_MAX_CONNECTIONS_PER_HOST of the service (its own: 100 / 30)",
    )
    parser.add_argument(
        "--no-readme", action="store_true", help="do not rewrite the section of bench/README.md"
    )
    arguments = parser.parse_args()
    chosen = SCENARIOS if arguments.scenarios == "all" else tuple(arguments.scenarios.split(","))
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    arguments.scenarios = list(chosen)
    arguments.peak = [int(value) for value in arguments.peak.split(",")]
    arguments.realistic = arguments.realistic.split(",")
    ensure_tools()
    result = run(arguments)
    path = write_result("gateway", result)
    print("written", path)
    subprocess.run([str(VENV / "bin" / "python"), str(HERE / "plot.py"), str(path), str(HERE)], check=True)
    if not arguments.no_readme:
        from report import render

        section = render(result, machine())
        text = README.read_text(encoding="utf-8")
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            README.write_text(
                head + BEGIN + "\n" + section + "\n" + END + rest.split(END, 1)[1], encoding="utf-8"
            )
            print("README section rewritten")


if __name__ == "__main__":
    main()
