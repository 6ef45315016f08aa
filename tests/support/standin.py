"""The stand-in model server on a free loopback port: a context manager and pytest fixtures.

`standin` (per test) is a session-wide server reset before each test, so starting uvicorn is paid once;
import both fixtures into a test module: `from tests.support.standin import standin, standin_server`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from jobfirst_ai.llm.standin import StandinConfig, ThreadedStandin


@contextmanager
def running_standin(config: StandinConfig | None = None) -> Iterator[ThreadedStandin]:
    """A stand-in server in a background thread for the `with` block; `.url`, `.script()`, `.requests()`."""
    with ThreadedStandin(config) as server:
        yield server


@pytest.fixture(scope="session")
def standin_server() -> Iterator[ThreadedStandin]:
    """One stand-in server for the whole test session."""
    with running_standin() as server:
        yield server


@pytest.fixture
def standin(standin_server: ThreadedStandin) -> ThreadedStandin:
    """The session's stand-in with no steps, requests, cache or changed settings left from other tests."""
    standin_server.reset()
    return standin_server


def model_settings(standin: ThreadedStandin, **overrides: Any) -> dict[str, Any]:
    """Settings of a service whose model is DeepSeek at `standin` (5 s deadline), plus `overrides`."""
    return {
        "external_ai_provider": "deepseek",
        "external_ai_api_key": "sk-test-key-for-the-standin",
        "external_ai_base_url": standin.url,
        "ai_timeout_seconds": 5,
        **overrides,
    }
