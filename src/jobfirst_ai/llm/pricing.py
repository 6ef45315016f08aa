"""Model prices: the shipped table (`data/prices.toml`), an operator's overrides, and the cost of a call."""

from __future__ import annotations

import functools
import tomllib
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from jobfirst_ai.llm.types import Usage

Currency = Literal["CNY", "USD"]
Window = Literal["standard", "peak", "off_peak"]

ANY_MODEL = "*"
PER_TOKENS = Decimal(1_000_000)
# Table prices have at most 6 decimals per 1M tokens, so 1e-12 keeps every per-call cost exact and sums
# over many cheap calls (a DeepSeek cache hit is ~6e-9 USD a token) free of rounding drift.
QUANTUM = Decimal("1e-12")

__all__ = [
    "Cost",
    "Currency",
    "ModelPrice",
    "PriceSet",
    "PriceTable",
    "Schedule",
    "Window",
    "load_price_table",
    "merge_price_tables",
    "parse_price_table",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class PriceSet(_Frozen):
    """Prices per 1M tokens in one currency."""

    input_cache_hit: Decimal = Field(ge=0)
    input_cache_miss: Decimal = Field(ge=0)
    output: Decimal = Field(ge=0, description="Completion tokens, reasoning included")


class Schedule(_Frozen):
    """Peak hours on working days in a fixed-offset local time (DeepSeek: Beijing, UTC+8, no DST)."""

    utc_offset_hours: int = Field(ge=-12, le=14)
    weekdays: frozenset[int] = Field(description="ISO weekdays with peak hours: Monday = 1")
    peak_hours: tuple[tuple[time, time], ...] = Field(description="Half-open [start, end) local intervals")
    holidays: frozenset[date] = Field(default=frozenset(), description="Local dates that are off-peak")

    def window_at(self, at: datetime) -> Window:
        """`peak` or `off_peak` at the instant `at`."""
        local = at.astimezone(UTC) + timedelta(hours=self.utc_offset_hours)
        if local.isoweekday() not in self.weekdays or local.date() in self.holidays:
            return "off_peak"
        clock = local.time()
        return "peak" if any(start <= clock < end for start, end in self.peak_hours) else "off_peak"


class ModelPrice(_Frozen):
    """One table entry: the models billed alike over one period, per window and currency."""

    provider: str
    models: tuple[str, ...] = Field(min_length=1)
    source: str = Field(min_length=1)
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    schedule: str | None = None
    price: dict[Window, dict[Currency, PriceSet]]

    @model_validator(mode="after")
    def _check_windows(self) -> ModelPrice:
        expected = {"peak", "off_peak"} if self.schedule else {"standard"}
        if set(self.price) != expected:
            raise ValueError(f"{self.provider} {self.models}: windows must be {sorted(expected)}")
        if len({frozenset(prices) for prices in self.price.values()}) != 1:
            raise ValueError(f"{self.provider} {self.models}: every window needs the same currencies")
        if self.valid_from and self.valid_until and self.valid_from >= self.valid_until:
            raise ValueError(f"{self.provider} {self.models}: valid_from is not before valid_until")
        return self

    def is_valid_at(self, at: datetime) -> bool:
        """Whether `at` falls in [valid_from, valid_until)."""
        return (self.valid_from is None or self.valid_from <= at) and (
            self.valid_until is None or at < self.valid_until
        )


class Cost(_Frozen):
    """What one call cost, with its parts; `amount` is their sum."""

    amount: Decimal
    currency: Currency
    input_cache_hit: Decimal
    input_cache_miss: Decimal
    output: Decimal
    window: Window


class PriceTable(_Frozen):
    """Every known price; look-ups by provider, model id and instant."""

    models: tuple[ModelPrice, ...] = Field(alias="model")
    schedules: dict[str, Schedule] = Field(default_factory=dict, alias="schedule")

    @model_validator(mode="after")
    def _check_schedules(self) -> PriceTable:
        missing = {entry.schedule for entry in self.models if entry.schedule} - set(self.schedules)
        if missing:
            raise ValueError(f"unknown schedules: {sorted(missing)}")
        return self

    @functools.cached_property
    def _by_provider(self) -> dict[str, tuple[ModelPrice, ...]]:
        # Several look-ups a model call (metering in two currencies, the budget's reserve and settle).
        grouped: dict[str, list[ModelPrice]] = {}
        for entry in self.models:
            grouped.setdefault(entry.provider, []).append(entry)
        return {provider: tuple(entries) for provider, entries in grouped.items()}

    def entry(self, provider: str, model: str, at: datetime) -> ModelPrice | None:
        """The entry billing `model` at `at`: an exact id before `*`, the latest `valid_from` first."""
        candidates = [entry for entry in self._by_provider.get(provider, ()) if entry.is_valid_at(at)]
        for wanted in (model, ANY_MODEL):
            named = [entry for entry in candidates if wanted in entry.models]
            if named:
                return max(named, key=lambda entry: entry.valid_from or datetime.min.replace(tzinfo=UTC))
        return None

    def cost(
        self, provider: str, model: str, usage: Usage, *, at: datetime, currency: Currency
    ) -> Cost | None:
        """The cost of `usage`, or None when the model (or this currency of it) has no price at `at`."""
        if at.tzinfo is None:
            raise ValueError("`at` must carry a time zone")
        entry = self.entry(provider, model, at)
        if entry is None:
            return None
        window: Window = self.schedules[entry.schedule].window_at(at) if entry.schedule else "standard"
        prices = entry.price[window].get(currency)
        return None if prices is None else _priced(usage, prices, currency, window)


def _priced(usage: Usage, prices: PriceSet, currency: Currency, window: Window) -> Cost:
    hit = usage.cache_hit_tokens
    # No cache split reported (or a partial one): what is not a reported hit is billed as a miss.
    miss = max(usage.cache_miss_tokens, usage.prompt_tokens - hit)
    # completion_tokens already includes reasoning (providers normalise it, Gemini included).
    output = max(usage.completion_tokens, usage.reasoning_tokens)
    parts = [_part(hit, prices.input_cache_hit), _part(miss, prices.input_cache_miss)]
    parts.append(_part(output, prices.output))
    return Cost(
        amount=sum(parts, Decimal(0)),
        currency=currency,
        input_cache_hit=parts[0],
        input_cache_miss=parts[1],
        output=parts[2],
        window=window,
    )


def _part(tokens: int, per_million: Decimal) -> Decimal:
    return (Decimal(tokens) * per_million / PER_TOKENS).quantize(QUANTUM, rounding=ROUND_HALF_EVEN)


def parse_price_table(text: str) -> PriceTable:
    """A price table from TOML text in the format of `data/prices.toml`."""
    return PriceTable.model_validate(tomllib.loads(text, parse_float=Decimal))


def merge_price_tables(shipped: PriceTable, extra: PriceTable) -> PriceTable:
    """`shipped` with every provider + model and schedule named in `extra` replaced by `extra`'s."""
    overridden = {(entry.provider, model) for entry in extra.models for model in entry.models}
    kept = [_without(entry, overridden) for entry in shipped.models]
    return PriceTable.model_validate(
        {
            "model": (*(entry for entry in kept if entry), *extra.models),
            "schedule": {**shipped.schedules, **extra.schedules},
        }
    )


def _without(entry: ModelPrice, overridden: set[tuple[str, str]]) -> ModelPrice | None:
    """`entry` minus the models an override names; None when none is left."""
    models = tuple(model for model in entry.models if (entry.provider, model) not in overridden)
    if models == entry.models:
        return entry
    return entry.model_copy(update={"models": models}) if models else None


@functools.cache
def _shipped_table() -> PriceTable:
    text = (resources.files("jobfirst_ai") / "data" / "prices.toml").read_text(encoding="utf-8")
    return parse_price_table(text)


def load_price_table(extra: Path | None = None) -> PriceTable:
    """The shipped table (read once), with an operator's file (`AI_PRICES_FILE`) merged over it."""
    if extra is None:
        return _shipped_table()
    return merge_price_tables(_shipped_table(), parse_price_table(extra.read_text(encoding="utf-8")))
