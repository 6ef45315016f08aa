"""The one Redis connection of a process, shared by the response cache, budgets, rate limits and the
provider-concurrency limit, with one rule for when Redis is down.

The rule: Redis is an accelerator of shared state, never a single point of failure. A command that fails
(refused connection, timeout, a Redis error) marks the link down for `retry_seconds`; while it is down,
every user of the link falls back to its in-process twin without trying Redis again (so an outage costs
one short timeout per `retry_seconds`, not one per request). The first failure logs a warning, the
recovery logs once too, and `is_up` feeds the `jobfirst_redis_up` gauge. `redis` is imported only when
REDIS_URL is set.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from jobfirst_ai.config import Settings

__all__ = ["RedisDown", "RedisLink", "connect_redis", "redis_from_settings"]

T = TypeVar("T")

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 0.5
DEFAULT_RETRY_SECONDS = 5.0


class RedisDown(Exception):
    """Redis could not serve a command (now, or recently): use the in-process fallback."""


class RedisLink:
    """A Redis client, its key prefix, and the outage rule above."""

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = "jobfirst:",
        retry_seconds: float = DEFAULT_RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._down_until = 0.0
        self._is_down = False
        self._scripts: dict[str, Any] = {}

    @property
    def is_up(self) -> bool:
        """False from a failed command until a later command succeeds."""
        return not self._is_down

    def key(self, *parts: str) -> str:
        """A namespaced key: `prefix` + parts joined by ':'."""
        return self.prefix + ":".join(parts)

    async def run(self, command: Callable[[Redis], Awaitable[T]]) -> T:
        """`command(client)`, or RedisDown if Redis fails now or failed less than `retry_seconds` ago."""
        if self._is_down and self._clock() < self._down_until:
            raise RedisDown("redis is down")
        from redis.exceptions import RedisError

        try:
            result = await command(self.client)
        except (RedisError, OSError, TimeoutError) as error:
            self._mark_down(error)
            raise RedisDown(str(error)) from error
        if self._is_down:
            self._is_down = False
            logger.warning("redis is reachable again: shared cache, budgets and limits resume")
        return result

    async def script(self, lua: str, keys: Sequence[str], args: Sequence[str | int | float]) -> Any:
        """Run a Lua script atomically (EVALSHA, loading it once), under the same outage rule."""
        registered = self._scripts.get(lua)
        if registered is None:
            registered = self._scripts[lua] = self.client.register_script(lua)
        return await self.run(lambda _client: registered(keys=list(keys), args=list(args)))

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()

    def _mark_down(self, error: BaseException) -> None:
        self._down_until = self._clock() + self.retry_seconds
        if not self._is_down:
            self._is_down = True
            logger.warning(
                "redis is unreachable (%s): falling back to in-process cache, budgets and limits; "
                "retrying every %.0f s",
                type(error).__name__,
                self.retry_seconds,
            )


def connect_redis(
    url: str, *, prefix: str = "jobfirst:", timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
) -> RedisLink:
    """A link to the Redis at `url` (no command is sent yet: start-up never waits on Redis)."""
    from redis.asyncio import Redis

    client = Redis.from_url(
        url,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
        health_check_interval=30,
    )
    return RedisLink(client, prefix=prefix)


def redis_from_settings(settings: Settings) -> RedisLink | None:
    """The link to REDIS_URL under REDIS_KEY_PREFIX; None without REDIS_URL (then `redis` never loads)."""
    if settings.redis_url is None:
        return None
    return connect_redis(settings.redis_url.get_secret_value(), prefix=settings.redis_key_prefix)
