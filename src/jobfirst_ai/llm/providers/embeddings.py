"""Embedding backends: OpenAI-style `POST /embeddings` (OpenAI, Gemini compat, any compatible server) and
Ollama's `POST /api/embed`, plus their table. DeepSeek has no embeddings endpoint (providers.md §1.11).
"""

from __future__ import annotations

import base64
import struct
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import ClassVar

import httpx
from pydantic import BaseModel, SecretStr

from jobfirst_ai.errors import ConfigError, ProviderUnavailable
from jobfirst_ai.llm.embeddings import Embedder, EmbeddingResult
from jobfirst_ai.llm.providers import gemini, ollama, openai
from jobfirst_ai.llm.providers.http import HttpChannel, HttpLimits, JsonObject, as_secret, decode
from jobfirst_ai.llm.types import Usage

__all__ = [
    "EMBEDDERS",
    "EmbedderSpec",
    "GeminiEmbedder",
    "OllamaEmbedder",
    "OpenAICompatibleEmbedder",
    "OpenAIEmbedder",
    "build_embedder_backend",
    "decode_base64_vector",
]


class _WireUsage(BaseModel):
    prompt_tokens: int = 0
    total_tokens: int | None = None


class _Item(BaseModel):
    index: int = 0
    # A list of floats, or base64 little-endian float32 when the server picks `encoding_format: base64`.
    embedding: list[float] | str


class _ListReply(BaseModel):
    """The OpenAI list shape (providers.md §2.6), which Gemini's compat endpoint also returns (§3.4)."""

    data: list[_Item]
    model: str | None = None
    usage: _WireUsage | None = None


class _OllamaReply(BaseModel):
    """`/api/embed` (providers.md §4.4); counters are `omitempty`: absent means zero."""

    embeddings: list[list[float]]
    model: str | None = None
    prompt_eval_count: int = 0


def decode_base64_vector(value: str, provider: str) -> list[float]:
    """A base64 string of little-endian float32 values as floats; malformed is a vendor fault."""
    try:
        raw = base64.b64decode(value, validate=True)  # binascii.Error is a ValueError
        if len(raw) % 4:
            raise ValueError("not a whole number of float32 values")
    except ValueError:
        raise ProviderUnavailable(f"{provider}: malformed base64 embedding", provider=provider) from None
    return list(struct.unpack(f"<{len(raw) // 4}f", raw))


class _HttpEmbedder:
    """What both wire shapes share: the pooled channel, the call, the result; subclasses read the reply."""

    name: str = "embedder"
    default_base_url: ClassVar[str | None] = None
    default_model: ClassVar[str | None] = None
    path: ClassVar[str] = "embeddings"

    def __init__(
        self,
        *,
        api_key: SecretStr | str | None = None,
        base_url: str | None = None,
        model: str | None = None,
        limits: HttpLimits | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        resolved_base_url = self.normalise_base_url(base_url or self.default_base_url)
        resolved_model = model or self.default_model
        if not resolved_base_url or not resolved_model:
            raise ConfigError(
                f"{self.name}: MATCH_EMBEDDINGS_BASE_URL and MATCH_EMBEDDINGS_MODEL are required"
            )
        self.model: str = resolved_model
        self.base_url = resolved_base_url
        self._http = HttpChannel(
            provider=self.name,
            base_url=resolved_base_url,
            api_key=as_secret(api_key),
            limits=limits or HttpLimits(),
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, model={self.model!r}, base_url={self.base_url!r})"

    def normalise_base_url(self, base_url: str | None) -> str | None:
        """The base URL as the client needs it (a hook: Ollama strips a trailing `/api`)."""
        return base_url

    def build_body(self, texts: Sequence[str]) -> JsonObject:
        """The JSON body of one call."""
        return {"model": self.model, "input": list(texts)}

    def read(self, text: str) -> tuple[list[list[float]], str | None, Usage | None]:
        """Vectors (in input order), the model the vendor names, and usage, from a reply body."""
        raise NotImplementedError

    async def embed(self, texts: Sequence[str], *, deadline: float) -> EmbeddingResult:
        """One call for all `texts` (batching is `BatchingEmbedder`'s job); none for no texts."""
        if not texts:
            return EmbeddingResult(vectors=[], model=self.model, provider=self.name)
        started = time.monotonic()
        body = self.build_body(texts)
        text = await self._http.request_text("POST", self.path, deadline=deadline, body=body)
        vectors, model, usage = self.read(text)
        if len(vectors) != len(texts):
            raise ProviderUnavailable(
                f"{self.name}: {len(vectors)} vectors for {len(texts)} texts", provider=self.name
            )
        return EmbeddingResult(
            vectors=vectors,
            model=model or self.model,
            provider=self.name,
            usage=usage,
            latency_ms=(time.monotonic() - started) * 1000,
        )

    async def aclose(self) -> None:
        """Release pooled connections."""
        await self._http.aclose()


class OpenAICompatibleEmbedder(_HttpEmbedder):
    """Any OpenAI-style `POST {base}/embeddings` server; base URL and model are required."""

    name = "openai_compatible"

    def build_body(self, texts: Sequence[str]) -> JsonObject:
        return {**super().build_body(texts), "encoding_format": "float"}

    def read(self, text: str) -> tuple[list[list[float]], str | None, Usage | None]:
        reply = decode(text, _ListReply, self.name)
        items = sorted(reply.data, key=lambda item: item.index)
        vectors = [
            decode_base64_vector(item.embedding, self.name)
            if isinstance(item.embedding, str)
            else item.embedding
            for item in items
        ]
        return vectors, reply.model, _usage(reply.usage.prompt_tokens) if reply.usage else None


class OpenAIEmbedder(OpenAICompatibleEmbedder):
    """OpenAI's `/v1/embeddings` (providers.md §2.6)."""

    name = "openai"
    default_base_url = openai.DEFAULT_BASE_URL
    default_model = "text-embedding-3-small"


class GeminiEmbedder(OpenAICompatibleEmbedder):
    """Gemini's OpenAI-compatible `/v1beta/openai/embeddings` (providers.md §3.4)."""

    name = "gemini"
    default_base_url = gemini.DEFAULT_BASE_URL
    default_model = "gemini-embedding-001"


class OllamaEmbedder(_HttpEmbedder):
    """Ollama's `POST /api/embed` (providers.md §4.4); no key locally, a key for Ollama's cloud."""

    name = "ollama"
    default_base_url = ollama.DEFAULT_HOST
    default_model = "embeddinggemma"
    path = "api/embed"

    def normalise_base_url(self, base_url: str | None) -> str | None:
        return ollama.server_root(base_url) if base_url else None

    def read(self, text: str) -> tuple[list[list[float]], str | None, Usage | None]:
        reply = decode(text, _OllamaReply, self.name)
        return reply.embeddings, reply.model, _usage(reply.prompt_eval_count)


def _usage(prompt_tokens: int) -> Usage:
    # Embedding input has no cache split: every token is billed at the full input price.
    return Usage(prompt_tokens=prompt_tokens, cache_miss_tokens=prompt_tokens)


@dataclass(frozen=True)
class EmbedderSpec:
    """One table row: the backend class, whether it needs a key, and the most inputs it takes per call."""

    factory: type[_HttpEmbedder]
    needs_key: bool
    max_batch: int


EMBEDDERS: Mapping[str, EmbedderSpec] = MappingProxyType(
    {
        # OpenAI takes up to 2048 inputs a call; 96 keeps each request small and retries cheap.
        "openai": EmbedderSpec(OpenAIEmbedder, needs_key=True, max_batch=96),
        # Gemini's batch embedding refuses more than 100 requests in one call.
        "gemini": EmbedderSpec(GeminiEmbedder, needs_key=True, max_batch=96),
        "ollama": EmbedderSpec(OllamaEmbedder, needs_key=False, max_batch=96),
        "openai_compatible": EmbedderSpec(OpenAICompatibleEmbedder, needs_key=False, max_batch=96),
    }
)


def build_embedder_backend(
    name: str,
    *,
    api_key: SecretStr | str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    limits: HttpLimits | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Embedder:
    """The unwrapped backend called `name`, with its class defaults for what is not given."""
    spec = EMBEDDERS.get(name)
    if spec is None:
        known = ", ".join(EMBEDDERS)
        raise ConfigError(f"MATCH_EMBEDDINGS_PROVIDER={name!r} has no embeddings backend; known: {known}")
    secret = as_secret(api_key)
    if spec.needs_key and (secret is None or not secret.get_secret_value()):
        raise ConfigError(f"MATCH_EMBEDDINGS_PROVIDER={name} needs an API key")
    return spec.factory(api_key=secret, base_url=base_url, model=model, limits=limits, transport=transport)
