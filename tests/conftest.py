"""Shared test set-up: no real keys or hosts from the environment, settings and app builders."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Tests never see a developer's real keys, databases or secrets; each test configures what it needs.
for _name in list(os.environ):
    if (
        _name.endswith("_API_KEY")
        or _name.startswith(("POSTGRES_", "JWT_", "EXTERNAL_AI_", "OLLAMA_"))
        or _name
        in {
            "DATABASE_URL",
            "REDIS_URL",
            "DATA_DIR",
            "AI_SERVICE_HOST",
            "AI_SERVICE_PORT",
            "ALLOW_INSECURE_BIND",
        }
    ):
        del os.environ[_name]
os.environ["EXTERNAL_AI_PROVIDER"] = "builtin"
# The shared HTTP client refuses every host but loopback: no test can reach a real model provider.
os.environ["JOBFIRST_NETWORK"] = "off"

from fastapi.testclient import TestClient  # noqa: E402

from jobfirst_ai.api.app import create_app  # noqa: E402
from jobfirst_ai.config import Settings, load_settings  # noqa: E402
from tests.support.postgres import POSTGRES_URL, reset_postgres  # noqa: E402
from tests.support.redis import make_link, redis_prefix  # noqa: E402, F401  (fixtures)

FIXTURES = Path(__file__).parent / "fixtures"

SettingsFactory = Callable[..., Settings]
ClientFactory = Callable[..., TestClient]


@pytest.fixture
def make_settings(tmp_path: Path) -> SettingsFactory:
    """Settings isolated in a temporary data directory, ignoring any `.env`."""

    def build(**overrides: object) -> Settings:
        values: dict[str, object] = {"data_dir": tmp_path / "data", "task_poll_seconds": 0.05}
        values.update(overrides)
        return load_settings(_env_file=None, **values)

    return build


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each database the service supports: a SQLite file, and the real PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'jobfirst_ai.db'}"
    reset_postgres()
    return POSTGRES_URL


@pytest.fixture
def make_client(make_settings: SettingsFactory) -> Iterator[ClientFactory]:
    """Start the app (lifespan, migrations, workers) with the given settings; closed after the test."""
    clients: list[TestClient] = []

    def build(**overrides: object) -> TestClient:
        client = TestClient(create_app(make_settings(**overrides)), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: ClientFactory) -> TestClient:
    """The app with embedded defaults: SQLite, built-in engine, auth off."""
    return make_client()
