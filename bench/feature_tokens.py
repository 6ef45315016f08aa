"""Tokens per model call of each feature, with the shipped prompts on real resumes (English and Chinese),
through the service's HTTP API against the stand-in model server; cost per call at DeepSeek's prices.

The service runs with DeepSeek pointed at the stand-in and the response cache off (AI_CACHE_TTL_SECONDS=0), so
every user action that needs the model reaches it. Each user action is measured alone: the stand-in's
recorded requests and the service's usage report (`GET /api/v1/ai/usage?period=day`) are read before and
after it, and the differences are that action's model calls and tokens.

Token counts: the stand-in does not tokenise. It *estimates* one token per CJK character plus one per four
other characters (`jobfirst_ai.llm.standin.cache.estimate_tokens`), over the prompt serialised as
`<|role|>text\\n` per message; that is what it reports as usage and what the service records. Beside it this
script computes a DeepSeek-like estimate from DeepSeek's documented ratios (api-docs.deepseek.com/quick_start/
token_usage: 1 English character ≈ 0.3 token, 1 Chinese character ≈ 0.6 token) over the message texts.
Completion tokens are those of the stand-in's synthetic answer (JSON filled from the schema, or a short
echo): they say nothing about what a real model would write; the `max_tokens` cap each feature sends is
given as the worst case. The stand-in's answer is rebuilt offline from the recorded request
(`compose_turn` is deterministic) so that both estimates can be taken of it too.

Run: `.venv/bin/python bench/feature_tokens.py` (~30 s); writes bench/results/feature_tokens.json.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from common import ROOT, code, shared_data, write_result

sys.path.insert(0, str(ROOT))  # the service runner is shared with the tests
from jobfirst_ai.llm.pricing import load_price_table
from jobfirst_ai.llm.providers.deepseek import DEFAULT_MODEL
from jobfirst_ai.llm.standin.cache import PrefixCache, estimate_tokens
from jobfirst_ai.llm.standin.openai_wire import read_ask
from jobfirst_ai.llm.standin.prompts import message_text, turn_unit
from jobfirst_ai.llm.standin.turns import compose_turn
from jobfirst_ai.llm.types import Usage
from model_overhead import StandinProcess
from tests.support.server import ServiceProcess

API = "/api/v1/ai"
FIXTURES = ROOT / "tests" / "fixtures"
# A Wednesday: 10:00 and 20:00 Beijing time (peak is 09–12 and 14–18 Beijing, Monday–Friday).
PEAK_AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
OFF_PEAK_AT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# The seed's per-call token ranges (jobfirst-ai-deployment-guide.zh.md, 使用场景分析).
SEED_RANGES = {
    "resume_analysis": (500, 1000),
    "job_match": (300, 800),
    "interview": (800, 1500),
    "chat": (200, 500),
}
CHAT_MESSAGES = {
    "en": [
        "How should I describe a gap year on my resume for a backend developer role?",
        "I have five years in retail sales. Which skills transfer to a customer success manager job?",
        "What salary range should I ask for as a junior data analyst in Shanghai?",
    ],
    "zh": [
        "我做了五年财务，想转行做数据分析，应该先补哪些技能？",
        "护士转行做医疗器械销售，简历上应该突出哪些经历？",
        "应届生没有实习经历，简历的项目部分怎么写才有说服力？",
    ],
}
CHAT_FOLLOW_UP = {"en": "Could you shorten that to three bullet points?", "zh": "能不能压缩成三条要点？"}
INTERVIEW_ANSWER = {
    "en": "I would start from the slow query log, check the plan with EXPLAIN, add a composite index on the "
    "filter columns, and cache the hot reads in Redis; in my last job that cut p95 latency by 40 percent.",
    "zh": "我会先看慢查询日志，用 EXPLAIN 看执行计划，给过滤条件加联合索引，再把热点数据放进 Redis 缓存；"
    "上一份工作里这样把 p95 延迟降低了 40%。",
}


def is_cjk(character: str) -> bool:
    """The stand-in's notion of a CJK character (CJK punctuation and ideographs, Hangul)."""
    return "\u3000" <= character <= "\u9fff" or "\uac00" <= character <= "\ud7af"


def deepseek_estimate(text: str) -> float:
    """DeepSeek's documented rule of thumb: 0.6 token per Chinese character, 0.3 per other character."""
    cjk = sum(1 for character in text if is_cjk(character))
    return 0.6 * cjk + 0.3 * (len(text) - cjk)


def resumes() -> dict[str, list[tuple[str, str]]]:
    """(name, text) per language: the project's fixtures, plus two dotin resumes of median-ish length."""
    english = [
        (name, (FIXTURES / name).read_text(encoding="utf-8"))
        for name in ("resume_en_software.md", "resume_en_sales.txt", "resume_en_nurse.txt")
    ]
    dotin = shared_data() / "dotin-resume-en" / "train_spans.jsonl"
    if dotin.exists():
        picked = 0
        for line in dotin.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if 3000 <= len(record["text"]) <= 6000 and picked < 2:
                english.append((f"dotin {record['file']}", record["text"]))
                picked += 1
    chinese = [
        (name, (FIXTURES / name).read_text(encoding="utf-8"))
        for name in (
            "resume_zh_software.md",
            "resume_zh_finance.txt",
            "resume_zh_teacher.txt",
            "resume_zh_nurse.txt",
            "resume_zh_designer.txt",
        )
    ]
    return {"en": english, "zh": chinese}


def postings() -> list[dict[str, Any]]:
    """The 13 test postings plus 40 generated by bench/match_data.py (seed 7): 53 in all."""
    rows = [json.loads(line) for line in (FIXTURES / "jobs.jsonl").read_text(encoding="utf-8").splitlines()]
    try:
        from match_data import generate_postings, import_row

        rows += [import_row(posting) for posting in generate_postings(40)]
    except (OSError, ValueError) as error:  # the English generator needs ../shared/data
        print("generated postings skipped:", error)
    return rows


@dataclass
class Call:
    """One model call as the stand-in received it, with both token estimates of its parts."""

    feature: str
    max_tokens: int | None
    system_chars: int
    variable_chars: int
    standin_prompt: int
    standin_system: int
    standin_completion: int
    deepseek_prompt: float
    deepseek_system: float
    deepseek_completion: float
    system_hash: int = 0


@dataclass
class Action:
    """One user action: its model calls and the usage the service recorded for it."""

    kind: str
    language: str
    resume: str
    status: int
    calls: list[Call] = field(default_factory=list)
    usage: dict[str, int] = field(default_factory=dict)
    by_feature: dict[str, int] = field(default_factory=dict)
    source: str | None = None


def calls_of(records: list[dict[str, Any]]) -> list[Call]:
    """Both token estimates of each recorded chat request, and of the answer the stand-in gave."""
    calls = []
    for record in records:
        if not record["path"].endswith("chat/completions"):
            continue
        body = record["body"]
        messages = body["messages"]
        system = "".join(message_text(m) for m in messages if m.get("role") == "system")
        variable = "".join(message_text(m) for m in messages if m.get("role") != "system")
        system_units = "".join(
            turn_unit("system", message_text(m)) for m in messages if m["role"] == "system"
        )
        ask = read_ask("deepseek", body)
        turn = compose_turn(ask, None, PrefixCache())  # deterministic: the answer the stand-in sent
        calls.append(
            Call(
                feature="?",
                max_tokens=body.get("max_tokens"),
                system_chars=len(system),
                variable_chars=len(variable),
                standin_prompt=max(1, estimate_tokens(ask.prompt.serialised)),
                standin_system=estimate_tokens(system_units),
                standin_completion=turn.completion_tokens,
                deepseek_prompt=deepseek_estimate(system) + deepseek_estimate(variable),
                deepseek_system=deepseek_estimate(system),
                deepseek_completion=deepseek_estimate(turn.content),
                system_hash=hash(system),
            )
        )
    return calls


class Meter:
    """Runs one action at a time and takes the differences of the stand-in's records and the usage report."""

    def __init__(self, service: httpx.Client, standin_url: str) -> None:
        self.service = service
        self.standin_url = standin_url

    def _state(self) -> tuple[int, dict[str, Any]]:
        records = httpx.get(f"{self.standin_url}/_standin/requests", timeout=10).json()
        report = self.service.get(f"{API}/usage", params={"period": "day"}).json()
        return len(records), report

    def run(self, kind: str, language: str, resume: str, send: Any) -> tuple[Action, httpx.Response]:
        count, before = self._state()
        response = send()
        records = httpx.get(f"{self.standin_url}/_standin/requests", timeout=10).json()[count:]
        _, after = self._state()
        action = Action(kind, language, resume, response.status_code, calls_of(records))
        action.usage = {name: after["tokens"][name] - before["tokens"][name] for name in after["tokens"]} | {
            "requests": after["requests"] - before["requests"]
        }
        old = {group["key"]: group["requests"] for group in before["by_feature"]}
        action.by_feature = {
            group["key"]: group["requests"] - old.get(group["key"], 0)
            for group in after["by_feature"]
            if group["requests"] != old.get(group["key"], 0)
        }
        features = [name for name, number in action.by_feature.items() for _ in range(number)]
        for call, feature in zip(action.calls, features, strict=False):
            call.feature = feature
        if response.headers.get("content-type", "").startswith("application/json"):
            payload = response.json()
            action.source = payload.get("source") or payload.get("engine")
        return action, response


def run_actions(service: ServiceProcess, standin: StandinProcess) -> tuple[list[Action], int]:
    """Every feature on every resume (chat: three messages per language and a follow-up)."""
    actions: list[Action] = []
    with httpx.Client(base_url=service.url, timeout=120) as client:
        imported = client.post(f"{API}/jobs", json={"items": postings()})
        imported.raise_for_status()
        jobs = len(imported.json()["items"])
        meter = Meter(client, standin.url)
        for language, items in resumes().items():
            for name, text in items:
                body = {"content": text}
                for kind, path, payload in (
                    ("resume analysis", "/resume/analyze", body),
                    ("resume optimize", "/resume/optimize", body),
                    ("job match (top 10, explained)", "/job-match", body),
                    ("interview questions (10)", "/interview/questions", body),
                    ("interview session start (5)", "/interview/sessions", body | {"count": 5}),
                ):
                    action, response = meter.run(kind, language, name, post_json(client, path, payload))
                    actions.append(action)
                    if kind.startswith("interview session") and response.status_code == 201:
                        session = response.json()
                        answer = {"answer": INTERVIEW_ANSWER[language], "version": session["version"]}
                        answers = f"/interview/sessions/{session['id']}/answers"
                        actions.append(
                            meter.run(
                                "interview answer graded", language, name, post_json(client, answers, answer)
                            )[0]
                        )
        for language, messages in CHAT_MESSAGES.items():
            for message in messages:
                action, response = meter.run(
                    "chat message", language, message[:30], post_json(client, "/chat", {"message": message})
                )
                actions.append(action)
            session_id = response.json()["session_id"]
            follow = {"message": CHAT_FOLLOW_UP[language], "session_id": session_id}
            actions.append(
                meter.run("chat follow-up (2nd turn)", language, "", post_json(client, "/chat", follow))[0]
            )
    return actions, jobs


def post_json(client: httpx.Client, path: str, payload: dict[str, Any]) -> Any:
    """A call that POSTs JSON to the service."""
    return lambda: client.post(f"{API}{path}", json=payload)


def mean(values: list[float]) -> float:
    """Arithmetic mean, 0 for none."""
    return statistics.fmean(values) if values else 0.0


def cost(prompt: float, hit: float, completion: float, at: datetime, currency: str) -> float:
    """One call's price with the shipped price table (hit tokens at the cache-hit price)."""
    usage = Usage(
        prompt_tokens=round(prompt),
        completion_tokens=round(completion),
        cache_hit_tokens=round(hit),
        cache_miss_tokens=round(prompt) - round(hit),
    )
    priced = load_price_table().cost("deepseek", DEFAULT_MODEL, usage, at=at, currency=currency)  # type: ignore[arg-type]
    assert priced is not None
    return float(priced.amount)


def per_call_costs(prompt: float, system: float, completion: float) -> dict[str, float]:
    """CNY per call: peak and off-peak, with no prefix-cache hit and with the system prompt a hit."""
    figures = {}
    for window, at in (("peak", PEAK_AT), ("off_peak", OFF_PEAK_AT)):
        figures[f"{window}_no_cache_cny"] = cost(prompt, 0, completion, at, "CNY")
        figures[f"{window}_system_cached_cny"] = cost(prompt, system, completion, at, "CNY")
        figures[f"{window}_no_cache_usd"] = cost(prompt, 0, completion, at, "USD")
        figures[f"{window}_system_cached_usd"] = cost(prompt, system, completion, at, "USD")
    return {name: round(value, 7) for name, value in figures.items()}


def summarise_features(actions: list[Action]) -> dict[str, Any]:
    """Per model feature (as the service labels calls): tokens per call, both estimates, costs."""
    by_feature: dict[str, list[Call]] = {}
    for action in actions:
        for call in action.calls:
            by_feature.setdefault(call.feature, []).append(call)
    summary = {}
    for feature, calls in sorted(by_feature.items()):
        standin = {
            "prompt": mean([c.standin_prompt for c in calls]),
            "system_fixed": mean([c.standin_system for c in calls]),
            "completion": mean([c.standin_completion for c in calls]),
        }
        standin["variable"] = standin["prompt"] - standin["system_fixed"]
        deepseek = {
            "prompt": mean([c.deepseek_prompt for c in calls]),
            "system_fixed": mean([c.deepseek_system for c in calls]),
            "completion": mean([c.deepseek_completion for c in calls]),
        }
        deepseek["variable"] = deepseek["prompt"] - deepseek["system_fixed"]
        summary[feature] = {
            "calls": len(calls),
            "distinct_system_prompts": len({c.system_hash for c in calls}),
            "system_chars": round(mean([c.system_chars for c in calls])),
            "variable_chars": round(mean([c.variable_chars for c in calls])),
            "max_tokens": sorted({c.max_tokens for c in calls if c.max_tokens is not None}),
            "standin_tokens": {name: round(value, 1) for name, value in standin.items()},
            "standin_tokens_by_language": {
                language: round(mean([c.standin_prompt for c in lang_calls]), 1)
                for language, lang_calls in _by_language(actions, feature).items()
            },
            "deepseek_estimate_tokens": {name: round(value, 1) for name, value in deepseek.items()},
            "fixed_share_standin": round(standin["system_fixed"] / standin["prompt"], 3),
            "fixed_share_deepseek_estimate": round(deepseek["system_fixed"] / deepseek["prompt"], 3),
            "cost_per_call_standin_tokens": per_call_costs(
                standin["prompt"], standin["system_fixed"], standin["completion"]
            ),
            "cost_per_call_deepseek_estimate": per_call_costs(
                deepseek["prompt"], deepseek["system_fixed"], deepseek["completion"]
            ),
            "cost_per_call_at_max_tokens_peak_cny": round(
                cost(standin["prompt"], 0, max(c.max_tokens or 0 for c in calls), PEAK_AT, "CNY"), 7
            ),
            "seed_range_tokens": SEED_RANGES.get(feature),
        }
    return summary


def _by_language(actions: list[Action], feature: str) -> dict[str, list[Call]]:
    grouped: dict[str, list[Call]] = {}
    for action in actions:
        for call in action.calls:
            if call.feature == feature:
                grouped.setdefault(action.language, []).append(call)
    return grouped


def summarise_actions(actions: list[Action]) -> dict[str, Any]:
    """Per user action: model calls, and tokens as the service's usage report recorded them."""
    kinds: dict[str, list[Action]] = {}
    for action in actions:
        kinds.setdefault(action.kind, []).append(action)
    summary = {}
    for kind, group in kinds.items():
        summary[kind] = {
            "actions": len(group),
            "http_statuses": sorted({a.status for a in group}),
            "model_calls_per_action": round(mean([len(a.calls) for a in group]), 2),
            "features_called": sorted({f for a in group for f in a.by_feature}),
            "answered_by": sorted({str(a.source) for a in group}),
            "usage_report_per_action": {
                name: round(mean([a.usage.get(name, 0) for a in group]), 1)
                for name in ("requests", "prompt", "cache_hit", "cache_miss", "completion", "total")
            },
            "usage_matches_standin_estimate": all(
                a.usage.get("prompt", 0) == sum(c.standin_prompt for c in a.calls)
                and a.usage.get("completion", 0) == sum(c.standin_completion for c in a.calls)
                for a in group
            ),
            "by_language_total_tokens": {
                language: round(mean([a.usage.get("total", 0) for a in group if a.language == language]), 1)
                for language in sorted({a.language for a in group})
            },
        }
    return summary


def main() -> None:
    started = time.monotonic()
    standin = StandinProcess()
    standin.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            env = {
                "DATA_DIR": folder,
                "LOG_LEVEL": "WARNING",
                "EXTERNAL_AI_PROVIDER": "deepseek",
                "EXTERNAL_AI_API_KEY": "bench-key",
                "EXTERNAL_AI_BASE_URL": standin.url,
                "AI_CACHE_TTL_SECONDS": "0",
            }
            service = ServiceProcess(env, Path(folder))
            service.start()
            try:
                actions, jobs = run_actions(service, standin)
            finally:
                service.stop()
    finally:
        standin.stop()
    result = {
        "date": "2026-11-25",
        "model": DEFAULT_MODEL,
        "prices_at": {"peak": PEAK_AT.isoformat(), "off_peak": OFF_PEAK_AT.isoformat()},
        "postings_imported": jobs,
        "token_counting": {
            "standin": "estimate: 1 per CJK character + 1 per 4 other characters, over '<|role|>text\\n' per "
            "message (jobfirst_ai.llm.standin.cache.estimate_tokens); this is what the service records",
            "deepseek_estimate": "0.6 per Chinese character + 0.3 per other character over the message texts "
            "(api-docs.deepseek.com/quick_start/token_usage), computed by this script",
            "completion": "the stand-in's synthetic answer, not a real model's; max_tokens is the cap",
        },
        "by_feature": summarise_features(actions),
        "by_action": summarise_actions(actions),
        "actions": [
            {
                "kind": a.kind,
                "language": a.language,
                "input": a.resume,
                "status": a.status,
                "answered_by": a.source,
                "usage_report": a.usage,
                "calls": [vars(c) | {"system_hash": None} for c in a.calls],
            }
            for a in actions
        ],
        "code": code(),
        "run_seconds": round(time.monotonic() - started, 1),
    }
    print(json.dumps({k: result[k] for k in ("by_feature", "by_action")}, indent=2, ensure_ascii=False))
    print("written", write_result("feature_tokens", result))


if __name__ == "__main__":
    main()
