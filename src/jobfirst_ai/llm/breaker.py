"""Circuit breaker: stop calling a provider that keeps failing, then probe it once before trusting it."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from typing import Literal

from jobfirst_ai.errors import (
    CircuitOpen,
    ProviderBusy,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.types import ChatRequest, ChatResult, StreamChunk

__all__ = ["BREAKER_FAILURES", "NO_VERDICT", "BreakerProvider", "BreakerState", "CircuitBreaker"]

BreakerState = Literal["closed", "open", "half_open"]

BREAKER_FAILURES: tuple[type[ProviderError], ...] = (ProviderUnavailable, RateLimited, ProviderTimeout)
"""Provider-side failures. Any other ProviderError (400, 401, 402, bad output) proves the vendor answered."""

NO_VERDICT: tuple[type[ProviderError], ...] = (ProviderBusy,)
"""Raised before any request reached the vendor (no free concurrency slot): says nothing of its health."""


class CircuitBreaker:
    """closed → open after `failure_threshold` consecutive failures; open fails fast for `cooldown`
    seconds; then half_open lets ONE probe through: its success closes, its failure re-opens.
    """

    def __init__(
        self,
        *,
        name: str = "",
        failure_threshold: int = 5,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.failure_threshold = failure_threshold
        self.cooldown = cooldown
        self._clock = clock
        self._state: BreakerState = "closed"
        self._failures = 0
        self._opened_at = 0.0
        self._is_probing = False

    @property
    def state(self) -> BreakerState:
        """The state as callers see it now: an open breaker past its cooldown reads half_open."""
        if self._state == "open" and self._clock() - self._opened_at >= self.cooldown:
            return "half_open"
        return self._state

    @property
    def consecutive_failures(self) -> int:
        """Provider-side failures since the last success (for metrics)."""
        return self._failures

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Admit one call or raise CircuitOpen; the call's outcome inside the block moves the state."""
        is_probe = self._admit()
        try:
            yield
        except BREAKER_FAILURES:
            self._on_failure(is_probe=is_probe)
            raise
        except NO_VERDICT:
            if is_probe:  # nothing reached the vendor: the probe slot is free again, the state unchanged
                self._is_probing = False
            raise
        except ProviderError:
            self._on_success(is_probe=is_probe)
            raise
        except BaseException:
            # Cancelled or a bug: no verdict on the provider, but free the probe slot.
            if is_probe:
                self._is_probing = False
            raise
        else:
            self._on_success(is_probe=is_probe)

    def _admit(self) -> bool:
        """True when this call is the half-open probe."""
        state = self.state
        if state == "closed":
            return False
        if state == "half_open" and not self._is_probing:
            self._state = "half_open"
            self._is_probing = True
            return True
        wait = max(0.0, self._opened_at + self.cooldown - self._clock())
        raise CircuitOpen(
            f"{self.name or 'provider'} is resting after repeated failures",
            provider=self.name,
            retry_after=wait or None,
        )

    def _on_success(self, *, is_probe: bool) -> None:
        if is_probe or self._state == "closed":
            self._state = "closed"
            self._failures = 0
            self._is_probing = False

    def _on_failure(self, *, is_probe: bool) -> None:
        if is_probe:
            self._open()
        elif self._state == "closed":
            self._failures += 1
            if self._failures >= self.failure_threshold:
                self._open()

    def _open(self) -> None:
        self._state = "open"
        self._opened_at = self._clock()
        self._is_probing = False


class BreakerProvider:
    """Wraps a Provider with a CircuitBreaker; while open, calls fail fast without reaching `inner`."""

    def __init__(self, inner: Provider, breaker: CircuitBreaker | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.breaker = breaker or CircuitBreaker(name=inner.name)

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        """The inner answer, if the breaker admits the call."""
        with self.breaker.guard():
            return await self.inner.complete(request, deadline=deadline)

    async def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        """The inner stream, if admitted; a cut stream counts as a failure, a finished one as success."""
        with self.breaker.guard():
            async for chunk in self.inner.stream(request, deadline=deadline):
                yield chunk

    async def aclose(self) -> None:
        """Close the inner provider."""
        await self.inner.aclose()
