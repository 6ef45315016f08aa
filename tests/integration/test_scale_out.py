"""Scale-out: several service processes share one PostgreSQL queue and one Redis.

Three instances take 300 analyses between them; one is SIGKILLed with tasks in flight and every accepted
task still completes exactly once (the killed instance's leases expire and the others re-run those tasks;
the attempt number fences completion). A SIGTERMed instance drains: it finishes what it started, leaves
the rest queued for the others, and exits, its usage records written.

Each test gets a PostgreSQL database of its own (other tests empty the shared one whenever they start).
The last test checks that a dead instance's tasks come back while the queue is still busy (they used to
wait until it was empty: expired leases were swept only by idle workers).
"""

from __future__ import annotations

import json
import signal
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from jobfirst_ai.llm.standin import ThreadedStandin
from tests.support.cluster import Instance, private_database, query, start_cluster, stop_cluster
from tests.support.redis import REDIS_URL
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

database = pytest.fixture(private_database)

FIXTURES = Path(__file__).parent.parent / "fixtures"
START = "/api/v1/ai/start-analysis"

# The built-in engine takes a few ms on one resume; repeated, each of these takes ~10-15 ms in a worker
# thread, so a worker is nearly always inside a task when an instance is killed. Chinese and English mixed.
RESUMES = [
    ("resume_en_software.md", 5),
    ("resume_zh_software.md", 4),
    ("resume_en_nurse.txt", 10),
    ("resume_zh_teacher.txt", 7),
]


def _texts(count: int, scale: int = 1) -> list[str]:
    """`count` distinct resumes (one unique line each, so none is answered by reusing another)."""
    bases = [
        "\n".join([(FIXTURES / name).read_text(encoding="utf-8")] * times * scale) for name, times in RESUMES
    ]
    run = uuid.uuid4().hex[:8]
    return [f"{bases[index % len(bases)]}\n备注 / Note: {run}-{index}" for index in range(count)]


def _env(database: str, redis_prefix: str, *, lease_seconds: float) -> dict[str, str]:
    return {
        "DATABASE_URL": database,
        "REDIS_URL": REDIS_URL,
        "REDIS_KEY_PREFIX": redis_prefix,
        "EXTERNAL_AI_PROVIDER": "builtin",
        "TASK_WORKERS": "2",
        "TASK_LEASE_SECONDS": str(lease_seconds),
        "TASK_POLL_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
    }


class Submitter:
    """Sends each resume to its round-robin instance; a transport error means "not accepted", so the
    resume goes to the next instance. Only a 202 counts: task id -> instance that accepted it."""

    def __init__(self, instances: list[Instance]) -> None:
        self._instances = instances
        self._client = httpx.Client(timeout=30)
        self.accepted: dict[str, str] = {}
        self.resent = 0

    def submit(self, index: int, text: str) -> None:
        for offset in range(len(self._instances)):
            instance = self._instances[(index + offset) % len(self._instances)]
            try:
                response = self._client.post(f"{instance.url}{START}", json={"content": text})
            except httpx.TransportError:
                self.resent += 1
                continue
            assert response.status_code == 202, response.text
            body = response.json()
            assert body["status"] == "queued" and body["reused"] is False, body
            self.accepted[body["task_id"]] = instance.name
            return
        raise AssertionError(f"no instance accepted resume #{index}")

    def submit_all(self, texts: dict[int, str]) -> None:
        with ThreadPoolExecutor(max_workers=6) as pool:
            for outcome in [pool.submit(self.submit, index, text) for index, text in texts.items()]:
                outcome.result()

    def close(self) -> None:
        self._client.close()


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.02)


def _busy(database: str, instance: Instance) -> bool:
    """`instance` has a task running and more are queued (so a kill or SIGTERM lands mid-work)."""
    row = query(
        database,
        "SELECT count(*) FILTER (WHERE status = 'running' AND worker_id LIKE $1) AS running, "
        "count(*) FILTER (WHERE status = 'queued') AS queued FROM analyses",
        f"%{instance.worker_tag}%",
    )[0]
    return row["running"] > 0 and row["queued"] > 0


def _stranded(database: str, instance: Instance) -> dict[str, int]:
    """Tasks left running under `instance`'s name, and tasks queued."""
    return query(
        database,
        "SELECT count(*) FILTER (WHERE status = 'running' AND worker_id LIKE $1) AS stranded, "
        "count(*) FILTER (WHERE status = 'queued') AS queued FROM analyses",
        f"%{instance.worker_tag}%",
    )[0]


def _rows(database: str) -> dict[str, dict[str, Any]]:
    rows = query(
        database,
        "SELECT id, resume_id, status, attempts, worker_id, result, error, created_at, finished_at "
        "FROM analyses",
    )
    return {str(row["id"]): row for row in rows}


def _wait_all_succeeded(survivors: list[Instance], task_ids: list[str], timeout: float) -> dict[str, dict]:
    """Poll the surviving instances' API until every task has succeeded; the last answer of each."""
    seen: dict[str, dict] = {}
    pending = list(task_ids)
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=10) as client, ThreadPoolExecutor(max_workers=4) as pool:

        def fetch(item: tuple[int, str]) -> dict:
            index, task_id = item
            instance = survivors[index % len(survivors)]
            response = client.get(f"{instance.url}/api/v1/ai/analyses/{task_id}")
            assert response.status_code == 200, response.text
            return response.json()

        while pending:
            if time.monotonic() > deadline:
                states = {task_id: seen.get(task_id, {}).get("status") for task_id in pending[:10]}
                raise AssertionError(f"{len(pending)} task(s) not succeeded in {timeout} s, e.g. {states}")
            for task in pool.map(fetch, enumerate(pending)):
                seen[task["task_id"]] = task
                assert task["status"] in ("queued", "running", "succeeded"), task
            pending = [task_id for task_id in pending if seen[task_id]["status"] != "succeeded"]
            if pending:
                time.sleep(0.2)
    return seen


def _assert_done_exactly_once(
    database: str, accepted: dict[str, str], api: dict[str, dict]
) -> dict[str, dict[str, Any]]:
    """Every accepted task is one succeeded row with a result, over its own resume; nothing else."""
    rows = _rows(database)
    assert set(rows) == set(accepted), "exactly the accepted tasks are stored, none twice, none lost"
    resumes = query(database, "SELECT count(*) AS n, count(DISTINCT id) AS ids FROM resumes")[0]
    assert resumes["n"] == resumes["ids"] == len(accepted), resumes
    assert len({row["resume_id"] for row in rows.values()}) == len(accepted), "one analysis per resume"
    for task_id, row in rows.items():
        assert row["status"] == "succeeded", row
        assert row["result"] is not None and row["error"] is None, task_id
        assert row["finished_at"] is not None, task_id
        assert api[task_id]["attempts"] == row["attempts"], task_id
        assert api[task_id]["result"]["score"] > 0, task_id
    return rows


def _errors(instance: Instance) -> list[str]:
    return [line for line in instance.log_text().splitlines() if " ERROR " in line or "Traceback" in line]


def test_three_instances_share_300_analyses_and_a_killed_one_loses_nothing(
    tmp_path: Path, database: str, redis_prefix: str
) -> None:
    # The first 100 twice as long: the victim is then inside a ~30 ms task whenever it is killed.
    texts = _texts(100, scale=2) + _texts(200)
    # A 2 s lease brings the killed instance's tasks back quickly; a task takes ~15 ms, far inside it.
    instances = start_cluster(3, _env(database, redis_prefix, lease_seconds=2), tmp_path)
    first, victim, third = instances
    submitter = Submitter(instances)
    try:
        submitter.submit_all({index: texts[index] for index in range(100)})
        # The queue is shared, so the victim's two workers take tasks whichever instance accepted them;
        # kill it between requests (no submission is half-answered) while it is running some.
        _wait_until(
            lambda: _busy(database, victim), timeout=10, what="instance-2 runs tasks with more queued"
        )
        victim.kill()
        time.sleep(0.2)  # let PostgreSQL finish with the dead connections
        at_kill = _rows(database)
        in_flight = {
            task_id: row
            for task_id, row in at_kill.items()
            if row["status"] == "running" and victim.worker_tag in str(row["worker_id"])
        }
        assert in_flight, "the kill should catch the victim with tasks running"

        submitter.submit_all({index: texts[index] for index in range(100, 300)})
        assert len(submitter.accepted) == 300
        assert submitter.resent > 0, "submissions meant for the killed instance were refused and resent"
        api = _wait_all_succeeded([first, third], list(submitter.accepted), timeout=60)
    finally:
        submitter.close()
        stop_cluster(instances)

    rows = _assert_done_exactly_once(database, submitter.accepted, api)
    for task_id, row in rows.items():
        if task_id in in_flight:
            # Running on the victim at the kill: run exactly once more, by a survivor.
            assert row["attempts"] == in_flight[task_id]["attempts"] + 1, (task_id, row["attempts"])
            assert victim.worker_tag not in str(row["worker_id"]), task_id
        else:
            # Finished, queued or not yet submitted at the kill: run once (no live instance lost a lease).
            assert row["attempts"] == 1, (task_id, row["attempts"], row["worker_id"])
    for instance in instances:
        done_by = sum(1 for row in rows.values() if instance.worker_tag in str(row["worker_id"]))
        assert done_by > 0, f"{instance.name} completed no task"
    for instance in (first, third):
        assert not _errors(instance), _errors(instance)


def test_sigterm_hands_back_in_flight_tasks_and_flushes(
    tmp_path: Path, database: str, redis_prefix: str, standin: ThreadedStandin
) -> None:
    texts = _texts(50)
    # A model (the stand-in) answers each analysis, so every task leaves a metered call to flush.
    env = {
        **_env(database, redis_prefix, lease_seconds=5),
        "EXTERNAL_AI_PROVIDER": "deepseek",
        "EXTERNAL_AI_API_KEY": "sk-test-key-for-the-standin",
        "EXTERNAL_AI_BASE_URL": standin.url,
    }
    instances = start_cluster(2, env, tmp_path)
    leaving, staying = instances
    submitter = Submitter(instances)
    try:
        submitter.submit_all({index: texts[index] for index in range(40)})
        _wait_until(
            lambda: _busy(database, leaving), timeout=10, what="instance-1 runs tasks with more queued"
        )
        terminated_at = time.monotonic()
        leaving.terminate()
        code = leaving.wait(timeout=20)
        exit_seconds = time.monotonic() - terminated_at
        # Drained: nothing it claimed is left running under its name (a SIGKILL would leave some), and
        # what it had not claimed is still queued for the other instance.
        at_exit = _rows(database)
        abandoned = [
            task_id
            for task_id, row in at_exit.items()
            if row["status"] == "running" and leaving.worker_tag in str(row["worker_id"])
        ]
        assert not abandoned, f"tasks left running by the SIGTERMed instance: {abandoned}"
        left_queued = sum(1 for row in at_exit.values() if row["status"] == "queued")
        assert left_queued > 0, "the SIGTERM should land with tasks still queued"
        # uvicorn re-raises the signal after its graceful shutdown, so -SIGTERM is a clean exit too.
        assert code in (0, -signal.SIGTERM), (code, leaving.log_text()[-2000:])
        assert exit_seconds < 15, exit_seconds

        # Only the remaining instance is up now; it takes new work and finishes the queue.
        submitter.submit_all({index: texts[index] for index in range(40, 50)})
        assert len(submitter.accepted) == 50
        api = _wait_all_succeeded([staying], list(submitter.accepted), timeout=40)
        staying.terminate()  # gracefully too, so its usage records are written before they are counted
        staying.wait(timeout=20)
    finally:
        submitter.close()
        stop_cluster(instances)

    rows = _assert_done_exactly_once(database, submitter.accepted, api)
    # Nothing was run twice: what the leaving instance started, it finished; the rest it never claimed.
    assert all(row["attempts"] == 1 for row in rows.values()), sorted(
        (row["attempts"], task_id) for task_id, row in rows.items() if row["attempts"] != 1
    )
    for instance in instances:
        assert any(instance.worker_tag in str(row["worker_id"]) for row in rows.values()), instance.name
    assert not _errors(leaving), _errors(leaving)
    # Flushed: every model call either instance made is in the usage table (the recorder writes once a
    # second, so a shutdown that skipped its final flush would lose the last calls of the leaving one).
    assert not any(json.loads(row["result"])["degraded"] for row in rows.values()), "the model answered"
    calls = query(database, "SELECT count(*) AS n FROM model_calls")[0]["n"]
    assert calls == len(standin.requests()) >= len(rows), (calls, len(standin.requests()), len(rows))


def test_a_killed_instances_tasks_come_back_while_the_queue_is_still_busy(
    tmp_path: Path, database: str, redis_prefix: str
) -> None:
    lease = 1.0
    texts = _texts(100, scale=3)  # ~0.1-0.4 s each: seconds of backlog for the one instance left
    instances = start_cluster(2, _env(database, redis_prefix, lease_seconds=lease), tmp_path)
    victim = instances[1]
    submitter = Submitter(instances)
    try:
        submitter.submit_all(dict(enumerate(texts)))
        _wait_until(
            lambda: _busy(database, victim), timeout=10, what="instance-2 runs tasks with more queued"
        )
        victim.kill()
        deadline = time.monotonic() + lease + 2.0  # the lease, then a few polls of the survivor
        if _stranded(database, victim)["stranded"] == 0:  # not the bug: nothing to wait for
            raise RuntimeError("the kill caught no task running on instance-2")
        while time.monotonic() < deadline:
            counts = _stranded(database, victim)
            if counts["stranded"] == 0:
                return  # re-queued (or taken over) within the lease, with the queue still busy
            time.sleep(0.1)
        if counts["queued"] == 0:  # not the bug: the backlog ran out, so nothing could be concluded
            raise RuntimeError("the queue drained before the lease expired; make the backlog longer")
        raise AssertionError(
            f"{counts['stranded']} task(s) of the killed instance still 'running' {lease + 2.0:.0f} s after "
            f"the kill, {lease:.0f} s past their lease, while {counts['queued']} task(s) were queued"
        )
    finally:
        submitter.close()
        stop_cluster(instances)
