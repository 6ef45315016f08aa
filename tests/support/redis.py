"""The real Redis server for tests: reachable or, with CI=true, a failure (never a silent skip).

Each test gets its own key prefix and its keys are deleted afterwards, so tests can share one database.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest

if TYPE_CHECKING:
    from jobfirst_ai.redis_link import RedisLink

REDIS_URL = os.environ.get("JOBFIRST_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def require_redis() -> str:
    """The test Redis URL; skip (or fail under CI) when nothing answers there."""
    parsed = urlparse(REDIS_URL)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            pass
    except OSError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis at {REDIS_URL} is unreachable under CI=true: {error}")
        pytest.skip(f"Redis unreachable: {error}")
    return REDIS_URL


def delete_prefixed(prefix: str) -> None:
    """Delete every key under `prefix` (synchronous client: usable from any fixture)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=prefix + "*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test alone, on the test Redis; its keys are removed afterwards."""
    require_redis()
    prefix = f"jobfirst-test:{uuid.uuid4().hex[:12]}:"
    yield prefix
    delete_prefixed(prefix)


@pytest.fixture
async def make_link() -> AsyncIterator[Callable[..., RedisLink]]:
    """Links to Redis (each its own connection pool), closed after the test."""
    from jobfirst_ai.redis_link import connect_redis

    links: list[RedisLink] = []

    def build(url: str = REDIS_URL, prefix: str = "jobfirst-test:unused:") -> RedisLink:
        link = connect_redis(url, prefix=prefix, timeout_seconds=0.3)
        links.append(link)
        return link

    yield build
    for link in links:
        await link.aclose()
