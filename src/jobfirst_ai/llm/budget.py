"""Budgets: daily and monthly limits in tokens and in money, global and per user, that concurrent
requests cannot overspend.

How a call is charged (`BudgetedProvider`): before it, the most it can cost — an over-estimate of the
prompt plus its `max_tokens` (`DEFAULT_RESERVED_OUTPUT` when unset), priced at the dearest provider of the
chain with every prompt token a cache miss — is *reserved* on every counter that applies, atomically and
only if every limited counter stays within its limit. After it, the reservation is *settled* to what the
provider reported (or refunded when the call failed before answering). So the counters can exceed a limit
only by what a call used beyond its reservation (a `max_tokens` the vendor ignored), never by how many
calls ran at once. Past a limit the call raises `BudgetExceeded`, a ProviderError: features degrade to the
built-in engine and say so, and the bill stops.

Counters are integers (tokens; money in 1e-12 CNY, the usage table's unit) keyed by period (UTC day or
month, like the usage report), scope (`global` or a user's opaque tag) and unit. They live in a `Ledger`:
`MemoryLedger` (one process) or `RedisLedger` (shared by every instance; one Lua script reserves on all
counters at once). A counter this process has not touched yet is first seeded from the usage table, so a
restart does not forget the month's spend. Crossing `warning_ratio` of a limit logs a warning once per
counter and period (once across instances with Redis), and calls the webhook if configured.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from jobfirst_ai.errors import ProviderError
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.ledger import MONTH_TTL_SECONDS, Charge, Ledger, MemoryLedger, RedisLedger
from jobfirst_ai.llm.metering import estimated_usage
from jobfirst_ai.llm.pricing import PriceTable
from jobfirst_ai.llm.types import ChatRequest, ChatResult, StreamChunk, Usage

if TYPE_CHECKING:
    from jobfirst_ai.config import Settings

__all__ = [
    "DEFAULT_RESERVED_OUTPUT",
    "PICO",
    "BudgetExceeded",
    "BudgetGuard",
    "BudgetLimits",
    "BudgetLine",
    "BudgetedProvider",
    "Charge",
    "Ledger",
    "MemoryLedger",
    "RedisLedger",
    "Reservation",
    "Webhook",
    "reserve_tokens",
]

logger = logging.getLogger(__name__)

PICO = Decimal("1e12")
DEFAULT_RESERVED_OUTPUT = 4096
MAX_REMEMBERED_WARNINGS = 10_000
"""Output tokens reserved for a request without `max_tokens` (every shipped prompt sets one)."""

Period = Literal["day", "month"]
Unit = Literal["tokens", "cny"]
DAY_TTL_SECONDS = 3 * 86_400


class BudgetExceeded(ProviderError):
    """A budget limit would be passed: the call was not made (features degrade to the built-in engine)."""

    code = "budget_exceeded"
    status = 429


@dataclass(frozen=True)
class BudgetLimits:
    """The configured limits; 0 is no limit. Money in CNY."""

    daily_tokens: int = 0
    monthly_tokens: int = 0
    daily_cny: Decimal = Decimal(0)
    monthly_cny: Decimal = Decimal(0)
    user_daily_tokens: int = 0
    user_monthly_tokens: int = 0
    user_daily_cny: Decimal = Decimal(0)
    user_monthly_cny: Decimal = Decimal(0)
    warning_ratio: float = 0.8
    track_user_daily_tokens: bool = False  # kept even without a limit (the per-user tokens-a-day rate limit)

    @classmethod
    def from_settings(cls, settings: Settings) -> BudgetLimits:
        """The limits of MAX_* and USER_MAX_* settings."""
        return cls(
            daily_tokens=settings.max_daily_tokens,
            monthly_tokens=settings.max_monthly_tokens,
            daily_cny=settings.max_daily_cost_cny,
            monthly_cny=settings.max_monthly_cost_cny,
            user_daily_tokens=settings.user_max_daily_tokens,
            user_monthly_tokens=settings.user_max_monthly_tokens,
            user_daily_cny=settings.user_max_daily_cost_cny,
            user_monthly_cny=settings.user_max_monthly_cost_cny,
            warning_ratio=settings.budget_warning_ratio,
            track_user_daily_tokens=settings.rate_limit_user_tokens_per_day > 0,
        )

    @property
    def is_active(self) -> bool:
        """Some counter is kept."""
        return bool(self.lines("any")) or self.track_user_daily_tokens

    def limit_of(self, scope: str, period: Period, unit: Unit) -> int:
        """The limit of a counter of `scope` (`global` or `user:<tag>`), in counter units; 0 if none."""
        kind = "global" if scope == "global" else _user_scope("any")
        for line_scope, line_period, line_unit, limit in self.lines("any"):
            if (line_scope, line_period, line_unit) == (kind, period, unit):
                return limit
        return 0

    def lines(self, user: str | None) -> list[tuple[str, Period, Unit, int]]:
        """(scope, period, unit, limit in counter units) for each limited counter that applies to `user`
        (its scope is `user:<tag>`; None: the global counters only)."""
        wanted: list[tuple[str, Period, Unit, int]] = [
            ("global", "day", "tokens", self.daily_tokens),
            ("global", "month", "tokens", self.monthly_tokens),
            ("global", "day", "cny", _pico(self.daily_cny)),
            ("global", "month", "cny", _pico(self.monthly_cny)),
        ]
        if user is not None:
            scope_user = _user_scope(user)
            wanted += [
                (scope_user, "day", "tokens", self.user_daily_tokens),
                (scope_user, "month", "tokens", self.user_monthly_tokens),
                (scope_user, "day", "cny", _pico(self.user_daily_cny)),
                (scope_user, "month", "cny", _pico(self.user_monthly_cny)),
            ]
        return [line for line in wanted if line[3] > 0]


@dataclass(frozen=True)
class BudgetLine:
    """One limited counter as reported: used and remaining of its limit in its period."""

    scope: str
    period: Period
    unit: Unit
    limit: Decimal
    used: Decimal
    remaining: Decimal
    ratio: float


@dataclass
class Reservation:
    """What one call reserved, on which counters (their periods are fixed at reservation)."""

    token_keys: list[tuple[str, int]] = field(default_factory=list)  # (key, ttl)
    cost_keys: list[tuple[str, int]] = field(default_factory=list)
    tokens: int = 0
    cost_pico: int = 0


Baseline = Callable[[datetime, str | None], Awaitable[tuple[int, int]]]
"""(period start, user tag or None) -> (tokens, cost in 1e-12 CNY) already used since then."""

Webhook = Callable[[dict[str, object]], Awaitable[None]]


class BudgetGuard:
    """Reserves, settles and refunds against the ledger; reports lines; warns once per threshold."""

    def __init__(  # noqa: PLR0913 - configuration, each its own concern
        self,
        limits: BudgetLimits,
        ledger: Ledger,
        prices: PriceTable,
        price_points: Sequence[tuple[str, str]] = (),
        *,
        baseline: Baseline | None = None,
        webhook: Webhook | None = None,
        wall_clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.limits = limits
        self.ledger = ledger
        self.prices = prices
        self.price_points = list(price_points)  # build_chain sets the chain's (provider, model) pairs
        self.baseline = baseline
        self.webhook = webhook
        self._now = wall_clock
        self._seeded: set[str] = set()
        self._warned: set[str] = set()  # counters whose warning fired (here or, via the ledger, elsewhere)
        self._seed_lock = asyncio.Lock()
        self.global_ratios: dict[tuple[Period, Unit], float] = {}
        self.warnings = 0

    async def reserve(self, request: ChatRequest) -> Reservation:
        """Reserve the most `request` can cost, or raise BudgetExceeded (nothing reserved then)."""
        now = self._now()
        tokens = reserve_tokens(request)
        cost = self._reserve_cost(request, tokens, now)
        reservation, charges = self._charges(request.user, now, tokens, cost)
        await self._seed(charges, now)
        admission = await self.ledger.try_add(charges)
        if not admission.ok:
            raise BudgetExceeded(_refusal_message(admission.refused or ""), provider="budget")
        await self._after(admission.values, charges)
        return reservation

    async def settle(self, reservation: Reservation, usage: Usage, provider: str, model: str) -> None:
        """Replace the reservation by what the call used."""
        cost = self.prices.cost(provider, model, usage, at=self._now(), currency="CNY")
        actual_cost = _pico(cost.amount) if cost else 0
        await self._adjust(
            reservation, usage.total_tokens - reservation.tokens, actual_cost - reservation.cost_pico
        )

    async def refund(self, reservation: Reservation) -> None:
        """Give the whole reservation back (the call failed before answering)."""
        await self._adjust(reservation, -reservation.tokens, -reservation.cost_pico)

    async def lines(self, user: str | None) -> list[BudgetLine]:
        """Every limited counter that applies to `user` (None: the global ones), with used and remaining."""
        now = self._now()
        specs = self.limits.lines(user)
        keys = [_key(scope, period, unit, now) for scope, period, unit, _ in specs]
        await self._seed(
            [Charge(key, 0, 0, _ttl(spec[1])) for key, spec in zip(keys, specs, strict=True)], now
        )
        values = await self.ledger.values(keys)
        out = []
        for key, (scope, period, unit, limit) in zip(keys, specs, strict=True):
            used = max(values.get(key, 0), 0)
            out.append(
                BudgetLine(
                    scope="global" if scope == "global" else "user",
                    period=period,
                    unit=unit,
                    limit=_display(limit, unit),
                    used=_display(used, unit),
                    remaining=_display(max(limit - used, 0), unit),
                    ratio=round(used / limit, 4),
                )
            )
        return out

    async def user_day_tokens(self, user: str) -> int:
        """Tokens `user` used (and has reserved) today: the rate limiter's tokens-a-day figure."""
        now = self._now()
        key = _key(_user_scope(user), "day", "tokens", now)
        await self._seed([Charge(key, 0, 0, DAY_TTL_SECONDS)], now)
        return max((await self.ledger.values([key])).get(key, 0), 0)

    def _charges(
        self, user: str | None, now: datetime, tokens: int, cost: int
    ) -> tuple[Reservation, list[Charge]]:
        reservation = Reservation(tokens=tokens, cost_pico=cost)
        charges: list[Charge] = []
        scope_user = _user_scope(user) if user else ""
        specs = self.limits.lines(user)
        tracked = user is not None and self.limits.track_user_daily_tokens
        if tracked and not any(s == scope_user and p == "day" and u == "tokens" for s, p, u, _ in specs):
            specs.append((scope_user, "day", "tokens", 0))
        for scope, period, unit, limit in specs:
            key, ttl = _key(scope, period, unit, now), _ttl(period)
            if unit == "tokens":
                reservation.token_keys.append((key, ttl))
                charges.append(Charge(key, tokens, limit, ttl))
            else:
                reservation.cost_keys.append((key, ttl))
                charges.append(Charge(key, cost, limit, ttl))
        return reservation, charges

    def _reserve_cost(self, request: ChatRequest, tokens: int, now: datetime) -> int:
        output = request.max_tokens or DEFAULT_RESERVED_OUTPUT
        usage = Usage(
            prompt_tokens=tokens - output, cache_miss_tokens=tokens - output, completion_tokens=output
        )
        costs = [
            self.prices.cost(provider, request.model or model, usage, at=now, currency="CNY")
            for provider, model in self.price_points
        ]
        return max((_pico(cost.amount) for cost in costs if cost is not None), default=0)

    async def _adjust(self, reservation: Reservation, tokens: int, cost: int) -> None:
        charges = [Charge(key, tokens, 0, ttl) for key, ttl in reservation.token_keys if tokens]
        charges += [Charge(key, cost, 0, ttl) for key, ttl in reservation.cost_keys if cost]
        if charges:
            values = await self.ledger.add(charges)
            await self._after(values, charges)

    async def _seed(self, charges: Sequence[Charge], now: datetime) -> None:
        """Seed counters this process has not touched from the usage table (once per key)."""
        fresh = [charge for charge in charges if charge.key not in self._seeded]
        if not fresh or self.baseline is None:
            self._seeded.update(charge.key for charge in fresh)
            return
        sums: dict[tuple[Period, str], tuple[int, int]] = {}  # one query serves the tokens and CNY counters
        async with self._seed_lock:
            for charge in fresh:
                if charge.key in self._seeded:
                    continue
                period, _, scope, unit = _parse(charge.key)
                if (period, scope) not in sums:
                    user = None if scope == "global" else scope.removeprefix("user:")
                    sums[period, scope] = await self.baseline(_period_start(period, now), user)
                tokens, cost = sums[period, scope]
                await self.ledger.seed(charge.key, tokens if unit == "tokens" else cost, charge.ttl_seconds)
                self._seeded.add(charge.key)

    async def _after(self, values: Mapping[str, int], charges: Sequence[Charge]) -> None:
        limits = {charge.key: charge.limit for charge in charges}
        for key, value in values.items():
            period, _, scope, unit = _parse(key)
            limit = limits.get(key) or self.limits.limit_of(scope, period, unit)
            if limit <= 0:
                continue
            ratio = value / limit
            if scope == "global":
                self.global_ratios[(period, unit)] = round(ratio, 4)
            if ratio < self.limits.warning_ratio or key in self._warned:
                continue
            if len(self._warned) >= MAX_REMEMBERED_WARNINGS:  # bounded: a forgotten key asks the ledger again
                self._warned.clear()
            self._warned.add(key)  # asked once per process: every later call would ask the ledger again
            if await self.ledger.mark_once(f"warned:{key}", _ttl(period)):
                await self._warn(key, scope, period, unit, value, limit)

    async def _warn(self, key: str, scope: str, period: Period, unit: Unit, value: int, limit: int) -> None:
        self.warnings += 1
        who = "global" if scope == "global" else "user"
        logger.warning(
            "model budget warning: %s %s %s at %.0f%% (%s of %s)",
            who,
            period,
            unit,
            100 * value / limit,
            _display(value, unit),
            _display(limit, unit),
        )
        if self.webhook is None:
            return
        event: dict[str, object] = {
            "event": "budget_warning",
            "scope": who,
            "user": None if who == "global" else scope.removeprefix("user:"),
            "period": period,
            "unit": unit,
            "used": str(_display(value, unit)),
            "limit": str(_display(limit, unit)),
            "ratio": round(value / limit, 4),
            "counter": key,
        }
        try:
            await self.webhook(event)
        except Exception as error:  # a webhook must never fail a user's request
            logger.warning("budget webhook failed: %s", type(error).__name__)


class BudgetedProvider:
    """Wraps a Provider: reserve before each call, settle after, refund on failure (see module doc)."""

    def __init__(self, inner: Provider, guard: BudgetGuard) -> None:
        self.inner = inner
        self.name = inner.name
        self.model = inner.model
        self.guard = guard

    async def complete(self, request: ChatRequest, *, deadline: float) -> ChatResult:
        """The inner answer, charged."""
        reservation = await self.guard.reserve(request)
        try:
            result = await self.inner.complete(request, deadline=deadline)
        except BaseException:
            await _shielded(self.guard.refund(reservation))
            raise
        await _shielded(self.guard.settle(reservation, result.usage, result.provider, result.model))
        return result

    async def stream(self, request: ChatRequest, *, deadline: float) -> AsyncIterator[StreamChunk]:
        """The inner stream, charged when it ends: its usage, an estimate if it was cut after some text,
        or a refund if it produced nothing."""
        reservation = await self.guard.reserve(request)
        pieces: list[str] = []
        usage: Usage | None = None
        try:
            async for chunk in self.inner.stream(request, deadline=deadline):
                pieces.append(chunk.text)
                usage = chunk.usage or usage
                yield chunk
        finally:
            text = "".join(pieces)
            if usage is None and text:
                usage = estimated_usage(request, text)
            if usage is None:
                await _shielded(self.guard.refund(reservation))
            else:
                await _shielded(self.guard.settle(reservation, usage, self.name, request.model or self.model))

    async def aclose(self) -> None:
        """Close the inner provider."""
        await self.inner.aclose()


def reserve_tokens(request: ChatRequest) -> int:
    """An over-estimate of the call's tokens: a non-ASCII character (CJK and the like) as one token, three
    ASCII characters as one (real tokenizers give ~0.6 and ~0.25–0.3), plus the most it may write. Counted
    in C (an encode), not per character in Python: this runs before every budgeted call."""
    chars = "".join(message.content for message in request.messages)
    wide = len(chars) - len(chars.encode("ascii", "ignore"))
    prompt = wide + math.ceil((len(chars) - wide) / 3) + 8 * len(request.messages)
    return prompt + (request.max_tokens or DEFAULT_RESERVED_OUTPUT)


async def _shielded(work: Awaitable[None]) -> None:
    """Run bookkeeping to its end even when the request is being cancelled."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await task
        raise


def _user_scope(user: str | None) -> str:
    return f"user:{user}"


def _key(scope: str, period: Period, unit: Unit, now: datetime) -> str:
    stamp = now.astimezone(UTC).strftime("%Y-%m-%d" if period == "day" else "%Y-%m")
    return f"{period}:{stamp}:{scope}:{unit}"


def _parse(key: str) -> tuple[Period, str, str, Unit]:
    """(period, stamp, scope, unit) of a counter key (the scope may contain one ':')."""
    if key.startswith("warned:"):
        key = key.removeprefix("warned:")
    period, stamp, rest = key.split(":", 2)
    scope, unit = rest.rsplit(":", 1)
    return period, stamp, scope, unit  # type: ignore[return-value]


def _period_start(period: Period, now: datetime) -> datetime:
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day if period == "day" else day.replace(day=1)


def _ttl(period: Period) -> int:
    return DAY_TTL_SECONDS if period == "day" else MONTH_TTL_SECONDS


def _pico(amount: Decimal) -> int:
    return int(amount * PICO)


def _display(value: int, unit: Unit) -> Decimal:
    return Decimal(value) if unit == "tokens" else (Decimal(value) / PICO).quantize(Decimal("0.000001"))


def _refusal_message(key: str) -> str:
    period, _, scope, unit = _parse(key) if key else ("month", "", "global", "tokens")
    who_zh, who_en = ("平台", "The platform's") if scope == "global" else ("您的", "Your")
    period_zh, period_en = ("今日", "daily") if period == "day" else ("本月", "monthly")
    unit_en = "token" if unit == "tokens" else "spending"
    return (
        f"{who_zh}{period_zh}模型预算已用完，已由内置引擎回答 / "
        f"{who_en} {period_en} model {unit_en} budget is used up; the built-in engine answered."
    )
