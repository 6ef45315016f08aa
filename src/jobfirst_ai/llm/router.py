"""The one place that composes the provider stack from settings.

Per provider: `BreakerProvider(RetryingProvider(LimitedProvider(backend)))` — retries stay on one provider,
and the breaker sees the outcome after retries, so an outage costs one fast failure per request once it
opens; each HTTP attempt holds one of the provider's AI_PROVIDER_CONCURRENCY slots (shared through Redis
when configured), never across a backoff sleep. Across the chain: `FallbackProvider([...])` in the
configured order. Then, when some budget limit is set, `BudgetedProvider` (reserve, settle, refund; past a
limit it raises BudgetExceeded and features degrade to the engine). Outermost, unless AI_CACHE_TTL_SECONDS
is 0: `CachingProvider` (exact-match answers per user, single flight; a hit costs no tokens). Its store is a
`MemoryCache` per process, or, given a Redis link (REDIS_URL), a `RedisCache` shared by every instance with a
`MemoryCache` as its fallback while Redis is down. The built-in engine is the last resort at the feature
level (features degrade to it), not a Provider here.

Metering, when a usage sink is given: `MeteredProvider` outside everything, cache included — so the
record is one per feature call, a cache hit is recorded as one (attempts=0, zero tokens and cost), and
provider and model are the ones that answered (a fallback's answer names its own).

Embeddings (optional, for job matching): `BatchingEmbedder(BreakerEmbedder(RetryingEmbedder(backend)))`
— each batch is retried on its own, and the breaker counts batches after their retries.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from jobfirst_ai.config import Settings, is_loopback
from jobfirst_ai.errors import ConfigError
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.breaker import BreakerProvider, CircuitBreaker
from jobfirst_ai.llm.budget import BudgetedProvider, BudgetGuard
from jobfirst_ai.llm.cache import CachingProvider, MemoryCache, ResponseCache
from jobfirst_ai.llm.cache_redis import RedisCache
from jobfirst_ai.llm.concurrency import LimitedProvider, MemorySlots, RedisSlots, Slots
from jobfirst_ai.llm.embeddings import BatchingEmbedder, BreakerEmbedder, Embedder, RetryingEmbedder
from jobfirst_ai.llm.fallback import FallbackProvider
from jobfirst_ai.llm.metering import MeteredProvider, UsageSink
from jobfirst_ai.llm.pricing import load_price_table
from jobfirst_ai.llm.providers.embeddings import EMBEDDERS, build_embedder_backend
from jobfirst_ai.llm.providers.http import HttpLimits
from jobfirst_ai.llm.providers.registry import build_provider
from jobfirst_ai.llm.redact import Redactor
from jobfirst_ai.llm.retry import RetryingProvider, RetryPolicy
from jobfirst_ai.redis_link import RedisLink


@dataclass(frozen=True)
class Chain:
    """The composed provider, its per-provider breakers (for metrics and `check`), and the raw backends."""

    provider: Provider
    backends: list[Provider]
    breakers: list[CircuitBreaker]
    redactor: Redactor | None
    budget: BudgetGuard | None = None


def build_chain(
    settings: Settings,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    sink: UsageSink | None = None,
    redis: RedisLink | None = None,
    budget: BudgetGuard | None = None,
) -> Chain | None:
    """The configured chain, or None when no provider is usable (the built-in engine answers alone).
    With a `sink`, every call is metered into it; with `redis`, cached answers are shared through it."""
    names = settings.provider_chain()
    if not names:
        return None
    limits = _limits(settings)
    backends = [_backend(settings, name, limits, transport) for name in names]
    breakers = [_breaker(settings, backend.name) for backend in backends]
    slots = _slots(settings, redis)
    wrapped: list[Provider] = [
        BreakerProvider(
            RetryingProvider(_limited(backend, slots, settings), attempts=settings.ai_retry_attempts), breaker
        )
        for backend, breaker in zip(backends, breakers, strict=True)
    ]
    provider = wrapped[0] if len(wrapped) == 1 else FallbackProvider(wrapped)
    if budget is not None and budget.limits.is_active:  # inside the cache: a cached answer costs nothing
        budget.price_points = [(backend.name, backend.model) for backend in backends]
        provider = BudgetedProvider(provider, budget)
    if settings.ai_cache_ttl_seconds > 0:  # outermost: a hit costs no retry, breaker or upstream call
        cache = _cache(settings, redis)
        provider = CachingProvider(provider, cache, ttl_seconds=settings.ai_cache_ttl_seconds)
    if sink is not None:
        provider = MeteredProvider(provider, sink, prices=load_price_table(settings.ai_prices_file))
    redactor = Redactor() if settings.redact_pii and not _all_local(settings, names) else None
    return Chain(provider, backends, breakers, redactor, budget)


def build_embedder(
    settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None
) -> Embedder | None:
    """The configured embedder, wrapped, or None when MATCH_EMBEDDINGS_PROVIDER=none (matching then
    scores without dense similarity). A hosted provider without its key stops start-up."""
    name = settings.match_embeddings_provider
    if name == "none":
        return None
    api_key = settings.api_key_for(name)
    if api_key == "":
        raise ConfigError(
            f"MATCH_EMBEDDINGS_PROVIDER={name} needs {name.upper()}_API_KEY "
            f"(or EXTERNAL_AI_API_KEY with EXTERNAL_AI_PROVIDER={name})"
        )
    base_url = settings.match_embeddings_base_url
    if name == "ollama":
        base_url = base_url or settings.ollama_host
    backend = build_embedder_backend(
        name,
        api_key=api_key,
        base_url=base_url,
        model=settings.match_embeddings_model,
        limits=_limits(settings),
        transport=transport,
    )
    retrying = RetryingEmbedder(backend, RetryPolicy(attempts=settings.ai_retry_attempts))
    guarded = BreakerEmbedder(retrying, _breaker(settings, backend.name))
    return BatchingEmbedder(guarded, batch_size=EMBEDDERS[name].max_batch)


def _cache(settings: Settings, redis: RedisLink | None) -> ResponseCache:
    """The in-process LRU, or Redis with that LRU as its fallback while Redis is down."""
    memory = MemoryCache(max_entries=settings.ai_cache_max_entries, ttl_seconds=settings.ai_cache_ttl_seconds)
    if redis is None:
        return memory
    return RedisCache(redis, ttl_seconds=settings.ai_cache_ttl_seconds, fallback=memory)


def _slots(settings: Settings, redis: RedisLink | None) -> Slots | None:
    """AI_PROVIDER_CONCURRENCY slots per provider: shared through Redis when there is one (0 = no limit)."""
    limit = settings.ai_provider_concurrency
    if limit <= 0:
        return None
    if redis is None:
        return MemorySlots(limit)
    return RedisSlots(redis, limit, lease_seconds=settings.ai_timeout_seconds + 30)


def _limited(backend: Provider, slots: Slots | None, settings: Settings) -> Provider:
    if slots is None:
        return backend
    return LimitedProvider(backend, slots, wait_seconds=settings.ai_concurrency_wait_seconds)


def _limits(settings: Settings) -> HttpLimits:
    return HttpLimits(
        max_connections=settings.ai_max_connections,
        max_connections_per_host=settings.ai_max_connections_per_host,
        connect_timeout=settings.ai_connect_timeout_seconds,
        total_timeout=settings.ai_timeout_seconds,
    )


def _breaker(settings: Settings, name: str) -> CircuitBreaker:
    return CircuitBreaker(
        name=name,
        failure_threshold=settings.ai_breaker_failures,
        cooldown=settings.ai_breaker_cooldown_seconds,
    )


def _backend(
    settings: Settings, name: str, limits: HttpLimits, transport: httpx.AsyncBaseTransport | None
) -> Provider:
    is_primary = name == settings.external_ai_provider
    base_url, model = _endpoint(settings, name, is_primary)
    return build_provider(
        name,
        api_key=settings.api_key_for(name),
        base_url=base_url,
        model=model,
        limits=limits,
        transport=transport,
    )


def _endpoint(settings: Settings, name: str, is_primary: bool) -> tuple[str | None, str | None]:
    if name == "ollama":
        return settings.ollama_host, settings.ollama_model
    if is_primary:
        return settings.external_ai_base_url, settings.external_ai_model
    return None, None


def _all_local(settings: Settings, names: list[str]) -> bool:
    """Every provider runs on this machine: nothing leaves it, so nothing needs masking."""
    return all(name == "ollama" and is_loopback(httpx.URL(settings.ollama_host).host) for name in names)
