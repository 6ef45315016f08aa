"""The text-embedding contract (`Embedder`), its result, and the wrappers that compose around it.

Embeddings are optional: a feature that has an `Embedder` may add a dense-similarity score part, and
one without it works the same minus that part. Backends live in `providers/embeddings.py`; `router.py`
composes `BatchingEmbedder(BreakerEmbedder(RetryingEmbedder(backend)))`, so each batch is retried on
its own and the breaker sees every batch's outcome after retries.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, Field

from jobfirst_ai.llm.breaker import CircuitBreaker
from jobfirst_ai.llm.retry import RetryPolicy
from jobfirst_ai.llm.types import Usage

__all__ = [
    "BatchingEmbedder",
    "BreakerEmbedder",
    "Embedder",
    "EmbeddingResult",
    "RetryingEmbedder",
]


class EmbeddingResult(BaseModel):
    """One vector per input text, in the inputs' order."""

    vectors: list[list[float]]
    model: str
    provider: str
    usage: Usage | None = Field(default=None, description="Input tokens, when the vendor reports them")
    latency_ms: float = 0.0


@runtime_checkable
class Embedder(Protocol):
    """A text-embedding model. `deadline` is an absolute `time.monotonic()` value, as for `Provider`;
    errors are `jobfirst_ai.errors.ProviderError` subclasses.
    """

    name: str
    model: str

    async def embed(self, texts: Sequence[str], *, deadline: float) -> EmbeddingResult:
        """One vector per text, same order."""
        ...

    async def aclose(self) -> None:
        """Release pooled connections."""
        ...


class RetryingEmbedder:
    """Wraps an Embedder with the shared `RetryPolicy` (retryable errors only, Retry-After honoured)."""

    def __init__(self, inner: Embedder, policy: RetryPolicy | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.policy = policy or RetryPolicy()

    async def embed(self, texts: Sequence[str], *, deadline: float) -> EmbeddingResult:
        """The inner vectors, retried under the policy within `deadline`."""

        async def attempt() -> EmbeddingResult:
            return await self.inner.embed(texts, deadline=deadline)

        return await self.policy.run(attempt, deadline, name=self.name)

    async def aclose(self) -> None:
        """Close the inner embedder."""
        await self.inner.aclose()


class BreakerEmbedder:
    """Wraps an Embedder with a CircuitBreaker; while open, calls fail fast with CircuitOpen."""

    def __init__(self, inner: Embedder, breaker: CircuitBreaker | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.breaker = breaker or CircuitBreaker(name=inner.name)

    async def embed(self, texts: Sequence[str], *, deadline: float) -> EmbeddingResult:
        """The inner vectors, if the breaker admits the call."""
        with self.breaker.guard():
            return await self.inner.embed(texts, deadline=deadline)

    async def aclose(self) -> None:
        """Close the inner embedder."""
        await self.inner.aclose()


class BatchingEmbedder:
    """Splits the texts into batches of at most `batch_size` (vendors cap inputs per call: Gemini at
    100, OpenAI at 2048), embeds them one after another under the one deadline, and joins the results.
    """

    def __init__(self, inner: Embedder, *, batch_size: int = 96) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.batch_size = batch_size

    async def embed(self, texts: Sequence[str], *, deadline: float) -> EmbeddingResult:
        """All vectors in input order; no call at all for no texts."""
        started = time.monotonic()
        vectors: list[list[float]] = []
        usage: Usage | None = None
        model = self.model
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start : start + self.batch_size]
            part = await self.inner.embed(batch, deadline=deadline)
            vectors.extend(part.vectors)
            usage = _add(usage, part.usage)
            model = part.model
        latency_ms = (time.monotonic() - started) * 1000
        return EmbeddingResult(
            vectors=vectors, model=model, provider=self.name, usage=usage, latency_ms=latency_ms
        )

    async def aclose(self) -> None:
        """Close the inner embedder."""
        await self.inner.aclose()


def _add(total: Usage | None, part: Usage | None) -> Usage | None:
    if part is None:
        return total
    return part if total is None else total + part
