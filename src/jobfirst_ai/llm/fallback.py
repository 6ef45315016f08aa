"""FallbackProvider: try providers in order until one answers, within the caller's one deadline."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence

from jobfirst_ai.errors import ProviderError
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.retry import OpenedStream, open_stream, relay
from jobfirst_ai.llm.types import ChatRequest, ChatResult, StreamChunk

__all__ = ["FallbackProvider"]


class FallbackProvider:
    """Asks each provider in turn on any ProviderError; the first answer wins (its `provider` says whose).

    Stops early when the deadline has passed. When every provider failed, the last error is raised with
    the earlier ones chained as its causes and summarised in a note. Streams fall back only before their
    first chunk: once text has reached the caller, switching models would splice two answers.
    """

    def __init__(
        self,
        providers: Sequence[Provider],
        *,
        name: str = "fallback",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not providers:
            raise ValueError("FallbackProvider needs at least one provider")
        self.providers = tuple(providers)
        self.name = name
        self.model = self.providers[0].model
        self._clock = clock

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        """The first provider's answer that succeeds; `attempts` also counts the providers that failed."""
        errors: list[tuple[str, ProviderError]] = []
        for provider in self._remaining(deadline):
            try:
                result = await provider.complete(request, deadline=deadline)
            except ProviderError as error:
                errors.append((provider.name, error))
                continue
            return result.model_copy(update={"attempts": result.attempts + len(errors)})
        raise self._exhausted(errors)

    async def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        """The first provider's stream that delivers a first chunk."""
        async for chunk in relay(await self._open(request, deadline)):
            yield chunk

    async def aclose(self) -> None:
        """Close every provider, even when one of them fails to close."""
        failures: list[BaseException] = []
        for provider in self.providers:
            try:
                await provider.aclose()
            except Exception as error:
                failures.append(error)
        if failures:
            raise failures[0]

    async def _open(self, request: ChatRequest, deadline: float) -> OpenedStream:
        errors: list[tuple[str, ProviderError]] = []
        for provider in self._remaining(deadline):
            try:
                return await open_stream(provider, request, deadline)
            except ProviderError as error:
                errors.append((provider.name, error))
        raise self._exhausted(errors)

    def _remaining(self, deadline: float) -> Iterator[Provider]:
        """Providers still to try: the first always, the others only while the deadline holds."""
        for index, provider in enumerate(self.providers):
            if index and self._clock() >= deadline:
                return
            yield provider

    @staticmethod
    def _exhausted(failures: list[tuple[str, ProviderError]]) -> ProviderError:
        """The last error, with the earlier ones as its causes (unless it already has one) and a summary."""
        errors = [error for _, error in failures]
        for earlier, later in itertools.pairwise(errors):
            if earlier is not later and later.__cause__ is None:
                later.__cause__ = earlier
        summary = "; ".join(f"{name}: {type(error).__name__}: {error}" for name, error in failures)
        errors[-1].add_note(f"fallback chain: {summary}")
        return errors[-1]
