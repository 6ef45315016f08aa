"""Redis and PostgreSQL going away under a running service, and coming back: the service is reached through
TCP relays the test cuts and resumes (the shared servers themselves are never stopped).

Redis down: every request still succeeds on the in-process fallbacks, and the shared state is used again
once Redis answers. PostgreSQL down: 503 `database_unavailable` (never 500), no accepted task lost, ready
again without a restart. Start-up waits for a database that comes up late, and gives up on one that
does not, naming its host but never its password.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal, TypeVar
from urllib.parse import urlparse

import httpx
import pytest
import redis

from jobfirst_ai.features.resume.enrich import user_tag
from tests.support.api import FIXTURES, SECRET, bearer, make_token
from tests.support.db import snapshot
from tests.support.postgres import POSTGRES_URL, reset_postgres
from tests.support.redis import REDIS_URL, redis_prefix
from tests.support.relay import Relay, relay_to
from tests.support.server import ServiceProcess, free_port

__all__ = ["redis_prefix"]

pytestmark = pytest.mark.slow

T = TypeVar("T")

ANALYZE = "/api/v1/ai/resume/analyze"
START = "/api/v1/ai/start-analysis"
LIMIT = 3
TASKS = 30
RESUME = (FIXTURES / "resume_en_software.md").read_text(encoding="utf-8")


def _wait_for(probe: Callable[[], T | None], timeout: float, what: str) -> T:
    """Poll `probe` until it returns something (not None) or the deadline passes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = probe()
        if result is not None:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def _running(env: dict[str, str], folder: Path) -> Iterator[ServiceProcess]:
    service = ServiceProcess({"DATA_DIR": str(folder), "LOG_LEVEL": "INFO", **env}, folder)
    try:
        service.start()
        yield service
    finally:
        service.stop()


def _address(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 0


# --- Redis ------------------------------------------------------------------------------------------------


@pytest.fixture
def redis_relay() -> Iterator[Relay]:
    with relay_to(*_address(REDIS_URL)) as relay:
        yield relay


def _redis_up(client: httpx.Client) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("jobfirst_redis_up "):
            return float(line.split()[1])
    raise AssertionError("jobfirst_redis_up missing from /metrics")


def _analyze_as(client: httpx.Client, user: str) -> httpx.Response:
    return client.post(ANALYZE, json={"content": RESUME}, headers=bearer(make_token(user)))


def _rate_window(prefix: str, user: str) -> int:
    with redis.Redis.from_url(REDIS_URL) as client:
        return int(client.zcard(f"{prefix}rate:{user_tag(user)}"))


@pytest.mark.parametrize("how", ["refuse", "blackhole"])
def test_redis_cut_keeps_the_service_answering_and_shared_state_returns(
    redis_relay: Relay, redis_prefix: str, tmp_path: Path, how: Literal["refuse", "blackhole"]
) -> None:
    env = {
        "REDIS_URL": f"redis://127.0.0.1:{redis_relay.port}{urlparse(REDIS_URL).path}",
        "REDIS_KEY_PREFIX": redis_prefix,
        "RATE_LIMIT_USER_RPM": str(LIMIT),
        "JWT_SECRET": SECRET,
    }
    with _running(env, tmp_path) as service, httpx.Client(base_url=service.url, timeout=30) as client:
        assert _analyze_as(client, "before").status_code == 200
        assert _rate_window(redis_prefix, "before") == 1  # shared state in use
        assert _redis_up(client) == 1

        redis_relay.cut(how)
        statuses = [_analyze_as(client, "alice").status_code for _ in range(LIMIT + 1)]
        queued = client.post(START, json={"content": RESUME}, headers=bearer(make_token("alice-task")))

        assert statuses == [200] * LIMIT + [429]  # the in-process window still limits
        assert queued.status_code == 202
        assert _redis_up(client) == 0
        assert _rate_window(redis_prefix, "alice") == 0  # counted in this process, not in Redis

        redis_relay.resume()
        # The link retries Redis 5 s after the last failure: poll with fresh users until one is shared.
        users = iter(f"after-{index}" for index in range(1000))

        def shared_user() -> str | None:
            user = next(users)
            assert _analyze_as(client, user).status_code == 200
            return user if _rate_window(redis_prefix, user) == 1 else None

        _wait_for(shared_user, timeout=15, what="the rate window to be kept in Redis again")
        assert _redis_up(client) == 1


# --- PostgreSQL -------------------------------------------------------------------------------------------


@pytest.fixture
def postgres_relay() -> Iterator[Relay]:
    reset_postgres()
    with relay_to(*_address(POSTGRES_URL)) as relay:
        yield relay


def _through(relay: Relay, password: str = "") -> str:
    parsed = urlparse(POSTGRES_URL)
    credentials = f"{parsed.username}:{password}" if password else str(parsed.username)
    return f"{parsed.scheme}://{credentials}@127.0.0.1:{relay.port}{parsed.path}"


def _assert_database_unavailable(response: httpx.Response) -> None:
    error = response.json()["error"]
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == "5"
    assert error["code"] == "database_unavailable"
    assert "数据库" in error["message"] and "database" in error["message"]


def _statuses(client: httpx.Client, task_ids: list[str]) -> list[str]:
    return [client.get(f"/api/v1/ai/analyses/{task_id}").json()["status"] for task_id in task_ids]


def test_postgres_cut_is_503_and_every_accepted_task_completes_after_it(
    postgres_relay: Relay, tmp_path: Path
) -> None:
    # One worker and a long resume keep tasks queued when the cut lands; a short lease re-queues the one
    # whose result could not be written during the cut.
    env = {
        "DATABASE_URL": _through(postgres_relay),
        "TASK_WORKERS": "1",
        "TASK_POLL_SECONDS": "0.1",
        "TASK_LEASE_SECONDS": "2",
    }
    with _running(env, tmp_path) as service, httpx.Client(base_url=service.url, timeout=30) as client:
        task_ids = [
            client.post(START, json={"content": f"{RESUME * 6}\n#{index}"}).json()["task_id"]
            for index in range(TASKS)
        ]
        postgres_relay.cut("refuse")
        outstanding = [status for status, _ in snapshot(POSTGRES_URL).values() if status != "succeeded"]

        assert outstanding, "the cut should land with tasks still queued"
        assert client.get("/health").status_code == 200
        assert client.get("/ready").status_code == 503
        _assert_database_unavailable(client.post(START, json={"content": RESUME}))
        _assert_database_unavailable(client.post(ANALYZE, json={"content": RESUME}))

        time.sleep(3)  # an outage of a few seconds, on purpose
        postgres_relay.resume()
        _wait_for(lambda: client.get("/ready").status_code == 200 or None, timeout=5, what="/ready")
        assert client.post(START, json={"content": RESUME}).status_code == 202
        assert client.post(ANALYZE, json={"content": RESUME}).status_code == 200
        done = _wait_for(
            lambda: set(_statuses(client, task_ids)) == {"succeeded"} or None, timeout=20, what="the tasks"
        )
    assert done
    log = (tmp_path / "service.log").read_text(encoding="utf-8")
    assert log.count("task workers cannot reach the database") == 1  # once per outage, not per poll
    assert "task workers reached the database again" in log


def test_startup_waits_for_a_database_that_comes_up_late(postgres_relay: Relay, tmp_path: Path) -> None:
    postgres_relay.cut("refuse")
    threading.Timer(2.0, postgres_relay.resume).start()
    started = time.monotonic()

    with _running({"DATABASE_URL": _through(postgres_relay)}, tmp_path) as service:
        assert time.monotonic() - started >= 2.0
        assert httpx.post(service.url + ANALYZE, json={"content": RESUME}, timeout=30).status_code == 200


def test_startup_gives_up_naming_the_host_never_the_password(postgres_relay: Relay, tmp_path: Path) -> None:
    postgres_relay.cut("refuse")
    env = {
        "DATABASE_URL": _through(postgres_relay, password="pw-never-shown"),
        "DATABASE_STARTUP_WAIT_SECONDS": "1",
        "DATA_DIR": str(tmp_path),
        "AI_SERVICE_PORT": str(free_port()),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "jobfirst_ai", "serve"],
        env={**os.environ, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert completed.returncode != 0
    assert f"127.0.0.1:{postgres_relay.port}" in completed.stderr
    assert "DATABASE_STARTUP_WAIT_SECONDS" in completed.stderr
    assert "pw-never-shown" not in completed.stderr
