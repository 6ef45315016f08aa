"""Durable tasks: SIGKILL the service with tasks queued and running; after a restart each completes once."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.support.api import FIXTURES
from tests.support.db import snapshot
from tests.support.server import ServiceProcess

pytestmark = pytest.mark.slow

TASKS = 60


def _statuses(url: str, task_ids: list[str]) -> dict[str, dict[str, object]]:
    with httpx.Client(base_url=url, timeout=10) as client:
        return {task_id: client.get(f"/api/v1/ai/analyses/{task_id}").json() for task_id in task_ids}


def _submit_all(url: str, content: str) -> list[str]:
    with httpx.Client(base_url=url, timeout=10) as client:
        return [
            client.post("/api/v1/ai/start-analysis", json={"content": f"{content}\n#{index}"}).json()[
                "task_id"
            ]
            for index in range(TASKS)
        ]


def _wait_all_finished(url: str, task_ids: list[str], timeout: float = 60) -> dict[str, dict[str, object]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        tasks = _statuses(url, task_ids)
        if all(task["status"] in ("succeeded", "failed") for task in tasks.values()):
            return tasks
        time.sleep(0.1)
    raise AssertionError("tasks did not finish after the restart")


def test_tasks_survive_sigkill_and_complete_exactly_once(tmp_path: Path, database_url: str) -> None:
    # A long resume and one worker keep tasks queued and running when the kill lands.
    content = (FIXTURES / "resume_en_software.md").read_text(encoding="utf-8") * 6
    env = {
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path),
        "TASK_WORKERS": "1",
        "TASK_POLL_SECONDS": "0.05",
        "TASK_LEASE_SECONDS": "1",
    }
    service = ServiceProcess(env, tmp_path)
    service.start()
    task_ids = _submit_all(service.url, content)
    service.kill()
    before = snapshot(database_url)

    service.start()
    finished = _wait_all_finished(service.url, task_ids)
    service.stop()

    statuses = {status for status, _ in before.values()}
    assert statuses & {"queued", "running"}, "the kill should land with work outstanding"
    assert all(task["status"] == "succeeded" and task["result"]["score"] > 0 for task in finished.values())
    for task_id, task in finished.items():
        status, attempts = before[task_id]
        # Finished before the kill: never run again. Running at the kill: run once more. Queued: once.
        expected = {"succeeded": attempts, "running": attempts + 1, "queued": 1}[status]
        assert task["attempts"] == expected, (task_id, status, attempts, task["attempts"])
