"""`jobfirst-ai check`: the database and Redis, the configured chain, and one tiny call to each provider."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import typer
from rich.console import Console
from rich.table import Table

from jobfirst_ai.config import Settings
from jobfirst_ai.errors import ProviderAuthError, ProviderError
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.types import ChatRequest, Message

_PING = ChatRequest(
    messages=(Message(role="user", content="Reply with the single word: ok"),),
    max_tokens=5,
    thinking=False,
    temperature=0,
    feature="check",
)


@dataclass(frozen=True)
class ProbeResult:
    """What one tiny call to one provider showed."""

    name: str
    model: str
    is_reachable: bool
    key: str
    latency_ms: float | None
    balance: str
    detail: str


async def probe(provider: Provider, timeout: float) -> ProbeResult:
    """One tiny completion (and the balance, for DeepSeek); never raises."""
    started = time.perf_counter()
    try:
        await provider.complete(_PING, deadline=time.monotonic() + timeout)
    except ProviderError as error:
        key = "rejected" if isinstance(error, ProviderAuthError) else "unknown"
        reachable = error.status_code is not None
        return ProbeResult(
            provider.name, provider.model, reachable, key, None, "-", f"{error.code}: {error.message}"
        )
    latency = round((time.perf_counter() - started) * 1000, 1)
    return ProbeResult(
        provider.name, provider.model, True, "valid", latency, await _balance(provider, timeout), "ok"
    )


async def _balance(provider: Provider, timeout: float) -> str:
    from jobfirst_ai.llm.providers.deepseek import DeepSeekProvider

    if not isinstance(provider, DeepSeekProvider):
        return "-"
    try:
        balances = await provider.balance(deadline=time.monotonic() + timeout)
    except ProviderError as error:
        return f"unavailable ({error.code})"
    return ", ".join(f"{item.total_balance} {item.currency}" for item in balances) or "none"


def check_command() -> None:
    """Show the provider chain and probe each provider: reachability, key, latency, DeepSeek balance."""
    from jobfirst_ai.cli.main import settings_or_exit
    from jobfirst_ai.llm.router import build_chain  # httpx and the vendors only when this command runs

    settings = settings_or_exit()
    chain = build_chain(settings)
    console = Console()
    stores = asyncio.run(check_stores(settings))
    for line in stores:
        console.print(line, soft_wrap=True)
    if chain is None:
        console.print("No model provider configured: the built-in engine answers every request.")
        return
    console.print("Chain: " + " → ".join(backend.name for backend in chain.backends) + " → built-in engine")
    results = asyncio.run(_probe_all(chain.backends, settings.ai_timeout_seconds))
    console.print(_table(results))
    if not any(result.detail == "ok" for result in results) or any("unreachable" in line for line in stores):
        raise typer.Exit(1)


async def check_stores(settings: Settings) -> list[str]:
    """One line each for the database (reachable, schema current) and Redis (PING), when configured."""
    from jobfirst_ai.db.migrate import is_schema_current
    from jobfirst_ai.db.session import create_engine, database_address

    lines = []
    database = create_engine(settings.resolved_database_url())
    try:
        started = time.perf_counter()
        current = await asyncio.wait_for(is_schema_current(database), timeout=10)
        took = (time.perf_counter() - started) * 1000
        state = "schema current" if current else "schema behind: run `jobfirst-ai db upgrade`"
        lines.append(f"Database {database_address(database)}: reachable in {took:.0f} ms, {state}")
    except Exception as error:
        lines.append(f"Database {database_address(database)}: unreachable ({type(error).__name__})")
    finally:
        await database.dispose()
    from jobfirst_ai.redis_link import RedisDown, redis_from_settings

    link = redis_from_settings(settings)
    if link is not None:
        try:
            started = time.perf_counter()
            await link.run(lambda client: client.ping())
            lines.append(f"Redis: reachable in {(time.perf_counter() - started) * 1000:.0f} ms")
        except RedisDown as error:
            lines.append(f"Redis: unreachable ({type(error.__cause__ or error).__name__})")
        finally:
            await link.aclose()
    return lines


async def _probe_all(backends: list[Provider], timeout: float) -> list[ProbeResult]:
    try:
        return list(await asyncio.gather(*(probe(backend, timeout) for backend in backends)))
    finally:
        for backend in backends:
            await backend.aclose()


def _table(results: list[ProbeResult]) -> Table:
    table = Table("provider", "model", "reachable", "key", "latency", "balance", "detail")
    for result in results:
        latency = f"{result.latency_ms} ms" if result.latency_ms is not None else "-"
        table.add_row(
            result.name,
            result.model,
            "yes" if result.is_reachable else "no",
            result.key,
            latency,
            result.balance,
            result.detail[:80],
        )
    return table
