"""Several service processes on one PostgreSQL and Redis, for scale-out tests; and a look at the task rows.

The instances use a PostgreSQL database of their own, created on the test server and dropped afterwards:
other tests empty the shared test database (`reset_postgres`) whenever they start, which would drop the
tables under a running cluster.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.support.postgres import POSTGRES_URL
from tests.support.server import ServiceProcess


class Instance(ServiceProcess):
    """A `ServiceProcess` in its own directory (DATA_DIR and service.log) that can also be sent SIGTERM."""

    def __init__(self, name: str, env: Mapping[str, str], root: Path) -> None:
        directory = root / name
        directory.mkdir(parents=True, exist_ok=True)
        super().__init__({**env, "DATA_DIR": str(directory)}, directory)
        self.name = name
        self.log = directory / "service.log"

    @property
    def is_alive(self) -> bool:
        """True until the process has exited."""
        return self._process is not None and self._process.poll() is None

    @property
    def worker_tag(self) -> str:
        """The part of the runner's worker id (`host:pid:random`) that names this process."""
        return f":{self.pid}:"

    def terminate(self) -> None:
        """SIGTERM without waiting: the service shuts down gracefully in its own time."""
        os.kill(self.pid, signal.SIGTERM)

    def wait(self, timeout: float) -> int:
        """Wait for the process to exit; its return code (negative: the signal that ended it)."""
        assert self._process is not None
        return self._process.wait(timeout=timeout)

    def log_text(self) -> str:
        """Everything the service wrote to stderr."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_cluster(count: int, env: Mapping[str, str], root: Path) -> list[Instance]:
    """Start `count` instances: the first alone (it migrates the database), the rest side by side."""
    instances = [Instance(f"instance-{index + 1}", env, root) for index in range(count)]
    instances[0].start()
    errors: list[BaseException] = []

    def start(instance: Instance) -> None:
        try:
            instance.start()
        except BaseException as error:  # reported in the test's thread below
            errors.append(error)

    threads = [threading.Thread(target=start, args=(instance,)) for instance in instances[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        stop_cluster(instances)
        raise errors[0]
    return instances


def stop_cluster(instances: list[Instance]) -> None:
    """SIGKILL whatever is still running (teardown: nothing is checked any more)."""
    for instance in instances:
        if instance.is_alive:
            instance.kill()


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_dsn(POSTGRES_URL), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def private_database() -> Iterator[str]:
    """A new, empty database on the test PostgreSQL server (its SQLAlchemy URL), dropped afterwards;
    skipped (or failed under CI=true) like `reset_postgres` when the server is not there."""
    name = f"jobfirst_scale_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, TimeoutError) as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable under CI=true: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    try:
        yield _with_database(POSTGRES_URL, name)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def query(url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Rows of one query on the PostgreSQL database at `url`, as dicts."""
    import asyncpg

    async def run() -> list[dict[str, Any]]:
        connection = await asyncpg.connect(_dsn(url), timeout=5)
        try:
            return [dict(row) for row in await connection.fetch(sql, *args)]
        finally:
            await connection.close()

    return asyncio.run(run())
