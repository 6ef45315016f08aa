"""The price table: shipped figures (hand computed from providers.md), DeepSeek's windows and overrides."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from jobfirst_ai.llm.pricing import Currency, PriceTable, load_price_table, parse_price_table
from jobfirst_ai.llm.types import Usage

# Wednesday 2026-11-25: 02:30 UTC = 10:30 Beijing (peak); 05:00 UTC = 13:00 Beijing (lunch, off-peak).
PEAK = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)
OFF_PEAK = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)
# The standard usage of the per-model table: 1,000 cache-hit + 2,000 cache-miss input, 500 output
# (100 of them reasoning, already inside completion_tokens), so cost = (1000·hit + 2000·miss + 500·out) / 1e6.
STANDARD = Usage(
    prompt_tokens=3000,
    completion_tokens=500,
    cache_hit_tokens=1000,
    cache_miss_tokens=2000,
    reasoning_tokens=100,
)
# providers.md §1.4's DeepSeek response: 1,290 prompt tokens (1,152 hits, 138 misses), 48 completion (37 CoT).
DEEPSEEK_REPLY = Usage(
    prompt_tokens=1290,
    completion_tokens=48,
    cache_hit_tokens=1152,
    cache_miss_tokens=138,
    reasoning_tokens=37,
)


@pytest.fixture(scope="module")
def table() -> PriceTable:
    return load_price_table()


Row = tuple[str, str, datetime, Currency, str, str]

# (provider, model, at, currency, hand computation: 1000·hit + 2000·miss + 500·output = total per 1M → cost)
PRICED: list[Row] = [
    ("deepseek", "deepseek-flash", PEAK, "USD", "6 + 600 + 600 = 1206", "0.001206"),
    ("deepseek", "deepseek-flash", OFF_PEAK, "USD", "3 + 300 + 300 = 603", "0.000603"),
    ("deepseek", "deepseek-flash", PEAK, "CNY", "40 + 4000 + 4000 = 8040", "0.00804"),
    ("deepseek", "deepseek-flash", OFF_PEAK, "CNY", "20 + 2000 + 2000 = 4020", "0.00402"),
    ("deepseek", "deepseek-v4-flash", PEAK, "USD", "Flash price since 2026-09-10", "0.001206"),
    ("deepseek", "deepseek-v4-flash-vision-exp", OFF_PEAK, "CNY", "Flash price", "0.00402"),
    # Wednesday 2026-08-26 02:30 UTC: the 2026-08-16 v4-flash price, peak.
    (
        "deepseek",
        "deepseek-v4-flash",
        datetime(2026, 8, 26, 2, 30, tzinfo=UTC),
        "USD",
        "14+880+660",
        "0.001554",
    ),
    (
        "deepseek",
        "deepseek-v4-flash",
        datetime(2026, 8, 26, 2, 30, tzinfo=UTC),
        "CNY",
        "100+6000+4500",
        "0.0106",
    ),
    ("deepseek", "deepseek-v4-pro", PEAK, "USD", "44 + 2640 + 1980 = 4664", "0.004664"),
    ("deepseek", "deepseek-v4-pro", OFF_PEAK, "USD", "22 + 1320 + 990 = 2332", "0.002332"),
    ("deepseek", "deepseek-v4-pro", PEAK, "CNY", "300 + 18000 + 13500 = 31800", "0.0318"),
    ("deepseek", "deepseek-v4-pro", OFF_PEAK, "CNY", "150 + 9000 + 6750 = 15900", "0.0159"),
    ("openai", "gpt-5-nano", PEAK, "USD", "5 + 100 + 200 = 305", "0.000305"),
    ("openai", "gpt-5.4-nano", PEAK, "USD", "20 + 400 + 625 = 1045", "0.001045"),
    ("openai", "gpt-5.6-luna", PEAK, "USD", "20 + 400 + 600 = 1020", "0.00102"),
    ("openai", "gpt-5.4-mini", PEAK, "USD", "75 + 1500 + 2250 = 3825", "0.003825"),
    ("openai", "gpt-4o-mini", PEAK, "USD", "75 + 300 + 300 = 675", "0.000675"),
    ("openai", "text-embedding-3-small", PEAK, "USD", "20 + 40 + 0 = 60", "0.00006"),
    ("openai", "text-embedding-3-large", PEAK, "USD", "130 + 260 + 0 = 390", "0.00039"),
    ("openai", "text-embedding-ada-002", PEAK, "USD", "100 + 200 + 0 = 300", "0.0003"),
    ("gemini", "gemini-3.8-flash", PEAK, "USD", "75 + 1500 + 1875 = 3450", "0.00345"),
    ("gemini", "gemini-3.8-flash", datetime(2027, 1, 1, tzinfo=UTC), "USD", "75 + 3000 + 3750", "0.006825"),
    ("gemini", "gemini-3.5-flash", PEAK, "USD", "1500 + 3000 + 4500 = 9000", "0.009"),
    ("gemini", "gemini-3.5-flash-lite", PEAK, "USD", "300 + 600 + 1250 = 2150", "0.00215"),
    ("gemini", "gemini-2.5-flash", PEAK, "USD", "300 + 600 + 1250 = 2150", "0.00215"),
    ("gemini", "gemini-2.5-flash-lite", PEAK, "USD", "100 + 200 + 200 = 500", "0.0005"),
    ("gemini", "gemini-embedding-2", PEAK, "USD", "200 + 400 + 0 = 600", "0.0006"),
]


@pytest.mark.parametrize("row", PRICED, ids=[f"{row[1]}-{row[3]}-{row[2]:%Y%m%dT%H%M}" for row in PRICED])
def test_every_priced_model_costs_its_hand_computation(table: PriceTable, row: Row) -> None:
    provider, model, at, currency, working, expected = row

    cost = table.cost(provider, model, STANDARD, at=at, currency=currency)

    assert cost is not None, working
    assert cost.amount == Decimal(expected), working
    assert cost.currency == currency


def test_a_deepseek_reply_with_cache_hits_at_peak_matches_the_hand_computation(table: PriceTable) -> None:
    cost = table.cost("deepseek", "deepseek-flash", DEEPSEEK_REPLY, at=PEAK, currency="USD")

    # Peak USD per 1M: hit 0.006, miss 0.30, output 1.20.
    # 1152 × 0.006 = 6.912; 138 × 0.30 = 41.4; 48 × 1.20 = 57.6 (the 37 CoT tokens are inside the 48).
    assert cost is not None
    assert cost.window == "peak"
    assert cost.input_cache_hit == Decimal("0.000006912")
    assert cost.input_cache_miss == Decimal("0.0000414")
    assert cost.output == Decimal("0.0000576")
    assert cost.amount == Decimal("0.000105912")  # (6.912 + 41.4 + 57.6) / 1e6


def test_the_same_reply_off_peak_costs_half(table: PriceTable) -> None:
    cost = table.cost("deepseek", "deepseek-flash", DEEPSEEK_REPLY, at=OFF_PEAK, currency="USD")

    # Off-peak USD per 1M: hit 0.003, miss 0.15, output 0.60.
    # 1152 × 0.003 = 3.456; 138 × 0.15 = 20.7; 48 × 0.60 = 28.8; sum 52.956.
    assert cost is not None
    assert cost.window == "off_peak"
    assert (cost.input_cache_hit, cost.input_cache_miss, cost.output) == (
        Decimal("0.000003456"),
        Decimal("0.0000207"),
        Decimal("0.0000288"),
    )
    assert cost.amount == Decimal("0.000052956")


def test_the_same_reply_in_yuan_at_peak(table: PriceTable) -> None:
    cost = table.cost("deepseek", "deepseek-flash", DEEPSEEK_REPLY, at=PEAK, currency="CNY")

    # ¥ per 1M: hit 0.04, miss 2, output 8. 1152 × 0.04 = 46.08; 138 × 2 = 276; 48 × 8 = 384; sum 706.08.
    assert cost is not None
    assert cost.amount == Decimal("0.00070608")


@pytest.mark.parametrize(
    ("at", "window"),
    [
        (datetime(2026, 11, 25, 1, 0, tzinfo=UTC), "peak"),  # 09:00 Beijing: the window opens
        (datetime(2026, 11, 25, 3, 59, tzinfo=UTC), "peak"),
        (datetime(2026, 11, 25, 4, 0, tzinfo=UTC), "off_peak"),  # 12:00 Beijing: lunch
        (datetime(2026, 11, 25, 6, 0, tzinfo=UTC), "peak"),  # 14:00 Beijing
        (datetime(2026, 11, 25, 10, 0, tzinfo=UTC), "off_peak"),  # 18:00 Beijing: closed
        (datetime(2026, 11, 25, 0, 59, tzinfo=UTC), "off_peak"),
        (datetime(2026, 11, 28, 2, 30, tzinfo=UTC), "off_peak"),  # Saturday
        (datetime(2026, 11, 25, 10, 30, tzinfo=timezone(timedelta(hours=8))), "peak"),  # an offset instant
    ],
)
def test_deepseek_peak_hours_are_weekday_beijing_office_hours(
    table: PriceTable, at: datetime, window: str
) -> None:
    cost = table.cost("deepseek", "deepseek-flash", DEEPSEEK_REPLY, at=at, currency="USD")

    assert cost is not None
    assert cost.window == window


def test_usage_without_a_cache_split_is_billed_as_cache_misses(table: PriceTable) -> None:
    usage = Usage(prompt_tokens=1000, completion_tokens=10)

    cost = table.cost("deepseek", "deepseek-flash", usage, at=PEAK, currency="USD")

    # 1000 × 0.30 = 300; 10 × 1.20 = 12 → 312 / 1e6.
    assert cost is not None
    assert (cost.input_cache_hit, cost.input_cache_miss) == (Decimal(0), Decimal("0.0003"))
    assert cost.amount == Decimal("0.000312")


def test_an_unknown_model_or_provider_has_no_price(table: PriceTable) -> None:
    assert table.cost("deepseek", "deepseek-chat", STANDARD, at=PEAK, currency="USD") is None
    assert table.cost("openai_compatible", "qwen3", STANDARD, at=PEAK, currency="USD") is None


def test_a_price_before_its_model_was_priced_is_unknown(table: PriceTable) -> None:
    early = datetime(2026, 9, 1, 2, 30, tzinfo=UTC)

    assert table.cost("deepseek", "deepseek-flash", STANDARD, at=early, currency="USD") is None


def test_a_currency_the_source_does_not_give_is_unknown(table: PriceTable) -> None:
    assert table.cost("openai", "gpt-5.4-nano", STANDARD, at=PEAK, currency="CNY") is None


@pytest.mark.parametrize("currency", ["USD", "CNY"])
def test_ollama_models_cost_nothing(table: PriceTable, currency: Currency) -> None:
    cost = table.cost("ollama", "gemma3:4b", STANDARD, at=PEAK, currency=currency)

    assert cost is not None
    assert cost.amount == 0
    assert cost.window == "standard"


def test_a_naive_instant_is_refused(table: PriceTable) -> None:
    with pytest.raises(ValueError, match="time zone"):
        table.cost("deepseek", "deepseek-flash", STANDARD, at=datetime(2026, 11, 25, 2), currency="USD")


OVERRIDE = """
[schedule.deepseek]
utc_offset_hours = 8
weekdays = [1, 2, 3, 4, 5]
peak_hours = [[09:00:00, 12:00:00], [14:00:00, 18:00:00]]
holidays = [2026-10-01]

[[model]]
provider = "deepseek"
models = ["deepseek-flash"]
schedule = "deepseek"
source = "operator's negotiated price"
price.peak.USD = { input_cache_hit = 0.01, input_cache_miss = 0.5, output = 2 }
price.off_peak.USD = { input_cache_hit = 0.005, input_cache_miss = 0.25, output = 1 }
"""


@pytest.fixture
def overridden(tmp_path: Path) -> PriceTable:
    path = tmp_path / "prices.toml"
    path.write_text(OVERRIDE, encoding="utf-8")
    return load_price_table(path)


def test_an_override_file_changes_a_price(overridden: PriceTable) -> None:
    cost = overridden.cost("deepseek", "deepseek-flash", STANDARD, at=PEAK, currency="USD")

    # 1000 × 0.01 + 2000 × 0.5 + 500 × 2 = 10 + 1000 + 1000 = 2010.
    assert cost is not None
    assert cost.amount == Decimal("0.00201")


def test_an_override_leaves_the_other_models_of_an_entry_priced(overridden: PriceTable) -> None:
    cost = overridden.cost("deepseek", "deepseek-v4-flash", STANDARD, at=PEAK, currency="USD")

    assert cost is not None
    assert cost.amount == Decimal("0.001206")  # the shipped Flash price


def test_an_override_schedule_adds_a_holiday(overridden: PriceTable) -> None:
    national_day = datetime(2026, 10, 1, 2, 30, tzinfo=UTC)  # a Thursday, 10:30 Beijing

    cost = overridden.cost("deepseek", "deepseek-v4-pro", STANDARD, at=national_day, currency="USD")

    assert cost is not None
    assert cost.window == "off_peak"


def test_an_entry_missing_a_window_is_refused() -> None:
    broken = OVERRIDE.replace("price.off_peak.USD", "price.standard.USD")

    with pytest.raises(ValueError, match="windows must be"):
        parse_price_table(broken)


def test_the_shipped_table_is_read_once(table: PriceTable) -> None:
    assert load_price_table() is table


def test_every_shipped_entry_is_complete_and_non_negative(table: PriceTable) -> None:
    for entry in table.models:
        windows = {"peak", "off_peak"} if entry.schedule else {"standard"}
        assert set(entry.price) == windows, entry.models
        assert entry.source
        for prices in entry.price.values():
            assert prices, entry.models
            for price in prices.values():
                parts = (price.input_cache_hit, price.input_cache_miss, price.output)
                assert all(part >= 0 for part in parts), entry.models
                assert price.input_cache_hit <= price.input_cache_miss, entry.models


def test_deepseek_off_peak_is_half_of_peak_in_the_shipped_table(table: PriceTable) -> None:
    for entry in (entry for entry in table.models if entry.schedule):
        for currency, peak in entry.price["peak"].items():
            off_peak = entry.price["off_peak"][currency]
            assert off_peak.input_cache_hit * 2 == peak.input_cache_hit, entry.models
            assert off_peak.input_cache_miss * 2 == peak.input_cache_miss, entry.models
            assert off_peak.output * 2 == peak.output, entry.models
