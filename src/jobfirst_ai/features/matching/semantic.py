"""The optional semantic part of the match score: cosine similarity of embeddings, when an embedder is set.

Postings are embedded lazily: the first time one is among a request's candidates its embedding is made and
cached on its row (a replaced posting loses it), so an import never waits on, or pays for, an embeddings
API, and a posting nobody's resume retrieves is never embedded. Each match embeds the resume once (private
details masked first). If the embedder fails, the whole request scores without the semantic part, so the
numbers of one response always come from the same formula.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jobfirst_ai.config import Settings
from jobfirst_ai.db import jobs as queries
from jobfirst_ai.db.session import SessionFactory
from jobfirst_ai.llm.embeddings import Embedder
from jobfirst_ai.llm.redact import Redactor
from jobfirst_ai.llm.types import Usage

# Embedding models read a few thousand tokens at most; the start of a resume or posting carries the most.
MAX_CHARS = 4000


@dataclass(frozen=True)
class Similarities:
    """Semantic similarity per posting key, in [0, 1], and the tokens the embeddings cost."""

    by_key: dict[str, float]
    usage: Usage | None


def semantic_scorer(settings: Settings, sessions: SessionFactory) -> SemanticScorer | None:
    """The scorer for MATCH_EMBEDDINGS_PROVIDER, or None when it is `none` (ConfigError when unusable)."""
    from jobfirst_ai.llm.router import build_embedder  # httpx only when embeddings are configured

    embedder = build_embedder(settings)
    if embedder is None:
        return None
    redactor = Redactor() if settings.redact_pii else None
    return SemanticScorer(embedder, sessions, redactor=redactor, timeout_seconds=settings.ai_timeout_seconds)


class SemanticScorer:
    """Embeds resumes and (once, cached) postings, and compares them."""

    def __init__(
        self,
        embedder: Embedder,
        sessions: SessionFactory,
        *,
        redactor: Redactor | None,
        timeout_seconds: float,
    ) -> None:
        self._embedder = embedder
        self._sessions = sessions
        self._redactor = redactor
        self._timeout = timeout_seconds

    @property
    def model(self) -> str:
        """The embedding model, as `provider/model`."""
        return f"{self._embedder.name}/{self._embedder.model}"

    async def similarities(self, resume: str, keys: Sequence[str]) -> Similarities:
        """Similarity of the resume to each posting (raises ProviderError when the embedder fails)."""
        deadline = time.monotonic() + self._timeout
        async with self._sessions() as session:
            stored = await queries.load_embeddings(session, keys, self.model)
            missing = [key for key in keys if key not in stored]
            texts = await queries.posting_texts(session, missing) if missing else {}
        missing = [key for key in missing if key in texts]
        inputs = [self._masked(resume), *(texts[key][:MAX_CHARS] for key in missing)]
        result = await self._embedder.embed(inputs, deadline=deadline)
        fresh = {key: _packed(vector) for key, vector in zip(missing, result.vectors[1:], strict=True)}
        if fresh:
            async with self._sessions.begin() as session:
                await queries.store_embeddings(session, fresh, self.model)
        query = _unpacked(_packed(result.vectors[0]))
        vectors = {**stored, **fresh}
        by_key = {
            key: max(0.0, min(1.0, float(np.dot(query, _unpacked(vector)))))
            for key, vector in vectors.items()
        }
        return Similarities(by_key, result.usage)

    async def similarity_to_text(self, resume: str, text: str) -> Similarities:
        """Similarity of the resume to a posting that is not stored (keyed by ""; nothing is cached)."""
        inputs = [self._masked(resume), text[:MAX_CHARS]]
        result = await self._embedder.embed(inputs, deadline=time.monotonic() + self._timeout)
        query, posting = (_unpacked(_packed(vector)) for vector in result.vectors)
        return Similarities({"": max(0.0, min(1.0, float(np.dot(query, posting))))}, result.usage)

    async def aclose(self) -> None:
        """Close the embedder's connections."""
        await self._embedder.aclose()

    def _masked(self, text: str) -> str:
        clipped = text[:MAX_CHARS]
        return self._redactor.mask(clipped)[0] if self._redactor is not None else clipped


def _packed(vector: Sequence[float]) -> bytes:
    """Unit-length float32, little-endian."""
    array = np.asarray(vector, dtype="<f4")
    norm = float(np.linalg.norm(array))
    return (array / norm if norm else array).astype("<f4").tobytes()


def _unpacked(data: bytes) -> np.ndarray[tuple[int], np.dtype[np.float32]]:
    return np.frombuffer(data, dtype="<f4")
