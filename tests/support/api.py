"""Builders for API tests: tokens, polling a task to its end, reading fixtures."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from fastapi.testclient import TestClient

FIXTURES = Path(__file__).parent.parent / "fixtures"
SECRET = "test-secret-that-is-long-enough-for-hs256"
SEED_KEYS = {"skills", "experience", "education", "summary", "score", "suggestions"}


def make_token(
    subject: str = "user-1", *, secret: str = SECRET, expires_in: float = 3600, **claims: Any
) -> str:
    """An HS256 token like the JobFirst backend issues."""
    payload = {"sub": subject, "exp": datetime.now(UTC) + timedelta(seconds=expires_in), **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


def bearer(token: str) -> dict[str, str]:
    """Authorization header for `token`."""
    return {"Authorization": f"Bearer {token}"}


def wait_for_task(
    client: TestClient, task_id: str, headers: dict[str, str] | None = None, timeout: float = 20.0
) -> dict[str, Any]:
    """Poll the task until it succeeds or fails, within a deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get(f"/api/v1/ai/analyses/{task_id}", headers=headers or {})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["status"] in ("succeeded", "failed"):
            return body
        time.sleep(0.02)
    raise AssertionError(f"task {task_id} did not finish within {timeout}s")


def fixture_bytes(name: str) -> bytes:
    """A file from tests/fixtures."""
    return (FIXTURES / name).read_bytes()


def has_han(text: str) -> bool:
    """True when `text` contains Chinese characters."""
    return any("\u4e00" <= char <= "\u9fff" for char in text)
