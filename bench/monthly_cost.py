"""Monthly model cost of the seed's traffic at today's DeepSeek prices, and of the same user actions with the
tokens per call we measured (bench/results/feature_tokens.json, written by bench/feature_tokens.py).

Pure computation, no service. The seed (jobfirst-ai-deployment-guide.zh.md, 使用场景分析 and 成本分析) gives
per-call token ranges (analysis 500–1,000, matching 300–800, interview 800–1,500, chat 200–500), "about
34,750 tokens a day", "about 1,042,500 a month" (= 30 days) and "about ¥18 a month"; it gives no request
counts and no input/output split. Assumptions, all explicit here:

- The seed's mix: the same number of calls of each of its four features, each at the middle of its range;
  34,750 / (750 + 550 + 1,150 + 350) = 12.41 calls of each a day (49.6 calls a day in all).
- Input/output split of the seed's tokens: bounded by all-input and all-output, and in between the
  prompt/completion split we measured per feature (whose completion side is the stand-in's synthetic answer).
- Prefix cache: the fixed system-prompt share of each feature's prompt we measured, billed at the hit price;
  everything else a miss. (DeepSeek caches best-effort; the first calls after a cache eviction miss.)
- Windows: all calls at peak, all off-peak, and spread evenly over the week (peak is 7 of 24 hours on 5 of 7
  days, 35/168 = 20.8% of the time).
- 30 days a month, the seed's own factor.
- Our completions are the stand-in's synthetic answers (short); as a worst case every call also runs to its
  `max_tokens` cap.

Run: `.venv/bin/python bench/monthly_cost.py`; writes bench/results/monthly_cost.json.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from common import RESULTS, write_result
from jobfirst_ai.llm.pricing import load_price_table
from jobfirst_ai.llm.types import Usage

DAYS = 30
SEED_DAILY_TOKENS = 34_750
SEED_MONTHLY_PLAN_CNY = 18.0
SEED_PRICE_CNY_PER_TOKEN = 0.000017  # the seed's UsageMonitor.estimated_cost: ¥1 input + ¥16 output per 1M
SEED_RANGES = {
    "resume_analysis": (500, 1000),
    "job_match": (300, 800),
    "interview": (800, 1500),
    "chat": (200, 500),
}
PEAK_AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 10:00 Beijing
OFF_PEAK_AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # Wednesday 20:00 Beijing
PEAK_SHARE_UNIFORM = 35 / 168
MODEL = "deepseek-flash"


def price(prompt: float, hit: float, completion: float, window: str, currency: str) -> float:
    """Cost of these tokens in one window, from the shipped price table."""
    table = load_price_table()
    usage = Usage(
        prompt_tokens=round(prompt),
        cache_hit_tokens=round(hit),
        cache_miss_tokens=round(prompt) - round(hit),
        completion_tokens=round(completion),
    )
    if window == "uniform week":
        peak = price(prompt, hit, completion, "peak", currency)
        off = price(prompt, hit, completion, "off-peak", currency)
        return PEAK_SHARE_UNIFORM * peak + (1 - PEAK_SHARE_UNIFORM) * off
    at = PEAK_AT if window == "peak" else OFF_PEAK_AT
    cost = table.cost("deepseek", MODEL, usage, at=at, currency=currency)  # type: ignore[arg-type]
    assert cost is not None
    return float(cost.amount)


def monthly(parts: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Sum over features of monthly tokens {prompt, hit, completion}; per window and currency, both caches."""
    table: dict[str, dict[str, float]] = {}
    for window in ("peak", "off-peak", "uniform week"):
        row = {}
        for currency in ("CNY", "USD"):
            for cached in (False, True):
                total = sum(
                    price(p["prompt"], p["hit"] if cached else 0, p["completion"], window, currency)
                    for p in parts.values()
                )
                row[f"{currency}{' system cached' if cached else ''}"] = round(total, 3)
        table[window] = row
    return table


def main() -> None:
    measured = json.loads((RESULTS / "feature_tokens.json").read_text(encoding="utf-8"))["by_feature"]
    midpoint_sum = sum((low + high) / 2 for low, high in SEED_RANGES.values())
    calls_per_day = SEED_DAILY_TOKENS / midpoint_sum
    monthly_tokens = SEED_DAILY_TOKENS * DAYS

    def seed_parts(split: str) -> dict[str, dict[str, float]]:
        parts = {}
        for feature, (low, high) in SEED_RANGES.items():
            tokens = calls_per_day * (low + high) / 2 * DAYS
            ours = measured[feature]["standin_tokens"]
            share_out = {
                "all input": 0.0,
                "all output": 1.0,
                "measured split": ours["completion"] / (ours["prompt"] + ours["completion"]),
            }[split]
            prompt = tokens * (1 - share_out)
            parts[feature] = {
                "prompt": prompt,
                "hit": prompt * measured[feature]["fixed_share_standin"],
                "completion": tokens * share_out,
            }
        return parts

    def our_parts(estimate: str, *, at_cap: bool = False) -> dict[str, dict[str, float]]:
        parts = {}
        for feature in SEED_RANGES:
            tokens = measured[feature][estimate]
            calls = calls_per_day * DAYS
            completion = max(measured[feature]["max_tokens"]) if at_cap else tokens["completion"]
            parts[feature] = {
                "prompt": tokens["prompt"] * calls,
                "hit": tokens["system_fixed"] * calls,
                "completion": completion * calls,
            }
        return parts

    ours_standin = our_parts("standin_tokens")
    ours_deepseek = our_parts("deepseek_estimate_tokens")
    result: dict[str, Any] = {
        "date": "2026-11-25",
        "model": MODEL,
        "assumptions": {
            "seed_calls_per_day_each_feature": round(calls_per_day, 2),
            "seed_calls_per_day_total": round(calls_per_day * len(SEED_RANGES), 1),
            "days_per_month": DAYS,
            "peak_share_uniform_week": round(PEAK_SHARE_UNIFORM, 4),
            "resume_optimize": "not in the seed's mix: left out",
        },
        "seed_monthly_tokens": monthly_tokens,
        "seed_own_arithmetic_cny": round(monthly_tokens * SEED_PRICE_CNY_PER_TOKEN, 2),
        "seed_plan_cny": SEED_MONTHLY_PLAN_CNY,
        "seed_traffic_today": {
            split: monthly(seed_parts(split)) for split in ("all input", "measured split", "all output")
        },
        "our_tokens_monthly_tokens": {
            "standin_estimate": round(sum(p["prompt"] + p["completion"] for p in ours_standin.values())),
            "deepseek_estimate": round(sum(p["prompt"] + p["completion"] for p in ours_deepseek.values())),
        },
        "our_tokens_per_call": {
            feature: {
                "standin": measured[feature]["standin_tokens"],
                "deepseek_estimate": measured[feature]["deepseek_estimate_tokens"],
            }
            for feature in SEED_RANGES
        },
        "our_tokens_today": {
            "standin_estimate": monthly(ours_standin),
            "deepseek_estimate": monthly(ours_deepseek),
            "standin_prompts_completion_at_max_tokens_cap": monthly(our_parts("standin_tokens", at_cap=True)),
        },
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print("written", write_result("monthly_cost", result))


if __name__ == "__main__":
    main()
