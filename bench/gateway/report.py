"""The tables of bench/README.md's gateway section, from bench/results/gateway.json."""

from __future__ import annotations

from typing import Any

NAMES = {"direct": "stand-in directly", "service": "the service", "litellm": "LiteLLM proxy"}


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _loaded_rows(figures: dict[str, Any], *, with_share: bool = False) -> list[list[Any]]:
    rows = []
    for name in ("direct", "service", "litellm"):
        values = figures[name]
        cpu = values["cpu_ms_per_request"]
        row: list[Any] = [NAMES[name], values["per_second"]]
        if with_share:
            row.append(f"{values['share_of_bound']:.0%}")
        row += [
            values["p50_ms"],
            values["p99_ms"],
            cpu.get("gateway", "–"),
            cpu["stand-in"],
            f"{values['cores_busy_max']['wrk']:.2f}",
            f"{values['good']} / {values['bad']}",
            values["upstream_calls"],
        ]
        rows.append(row)
    return rows


def _loaded(figures: dict[str, Any], *, with_share: bool = False) -> list[str]:
    header = ["target", "req/s"] + (["share of bound"] if with_share else [])
    header += ["p50 ms", "p99 ms", "gateway CPU ms/req", "stand-in CPU ms/req", "wrk cores", "good / bad"]
    header.append("upstream calls")
    return _table(header, _loaded_rows(figures, with_share=with_share))


def _cache(result: dict[str, Any]) -> list[str]:
    if "cache" not in result:
        return []
    out: list[str] = []
    connections = result["settings"]["cache_connections"]
    out += [f"**Cache hit**, one repeated message, {connections} concurrent:", ""]
    out += [*_loaded(result["cache"]), ""]
    single = result["cache"].get("one_at_a_time_ms")
    if single:
        out += ["The same cached message one at a time (what a user waits for a hit):", ""]
        rows = [[NAMES[name], single[name]["p50"], single[name]["p99"]] for name in NAMES]
        out += [*_table(["target", "p50 ms", "p99 ms"], rows), ""]
    return out


def _streaming(result: dict[str, Any]) -> list[str]:
    if "streaming" not in result:
        return []
    out: list[str] = []
    stream = result["streaming"]
    out += [f"**Streaming**, {stream['streams']} concurrent streams, a frame every 10 ms:", ""]
    rows = []
    for name in ("direct", "service", "litellm"):
        values = stream[name]
        ttfb, gap = values["ttfb_ms"], values["gap_ms"]
        rows.append(
            [
                NAMES[name],
                ttfb.get("p50", "–"),
                ttfb.get("p99", "–"),
                gap.get("p50", "–"),
                gap.get("p99", "–"),
                f"{values.get('streams_ok', '?')} / {values.get('errors', 0)}",
                values["load_generator_cores_busy"],
            ]
        )
    header = ["target", "TTFB p50", "TTFB p99", "gap p50", "gap p99", "streams ok / failed"]
    header.append("load generator cores")
    out += [*_table(header, rows), ""]
    return out


def _soak(result: dict[str, Any]) -> list[str]:
    if "soak" not in result:
        return []
    soak = result["soak"]
    if "phases" not in soak:
        return []
    out = [
        f"**Soak**, {soak['seconds']:.0f} s, both gateways restarted, then loaded at once "
        "(20 connections each):",
        "",
    ]
    samples = soak["rss_mb"]
    rows = []
    for phase in soak["phases"]:
        inside = [sample for sample in samples if sample["phase"] == phase["phase"]]
        row: list[Any] = [phase["phase"], phase["seconds"]]
        for name in ("service", "litellm"):
            growth = _growth_per_10k(
                inside, name, phase[f"{name}_good"] + phase[f"{name}_bad"], phase["seconds"]
            )
            row += [
                f"{phase[f'{name}_good']} / {phase[f'{name}_bad']}",
                f"{inside[0][name]} → {inside[-1][name]}" if inside else "–",
                growth,
            ]
        rows.append(row)
    header = ["phase", "s", "service good / bad", "service RSS MiB", "service MiB per 10k req"]
    header += ["LiteLLM good / bad", "LiteLLM RSS MiB", "LiteLLM MiB per 10k req"]
    out += [*_table(header, rows), ""]
    out += [
        f"RSS at the soak's start: service {samples[0]['service']} MiB, LiteLLM {samples[0]['litellm']} MiB; "
        f"at its end: service {samples[-1]['service']} MiB, LiteLLM {samples[-1]['litellm']} MiB.",
        "",
    ]
    return out


def _growth_per_10k(samples: list[dict[str, Any]], name: str, requests: int, seconds: float) -> str:
    """Least-squares slope of RSS over time within a phase, per 10,000 requests at the phase's rate."""
    if len(samples) < 3 or not requests:
        return "–"
    times = [sample["t"] for sample in samples]
    values = [sample[name] for sample in samples]
    mean_t, mean_v = sum(times) / len(times), sum(values) / len(values)
    spread = sum((t - mean_t) ** 2 for t in times)
    if not spread:
        return "–"
    slope = sum((t - mean_t) * (v - mean_v) for t, v in zip(times, values, strict=True)) / spread
    return f"{slope * seconds / requests * 10_000:+.2f}"


def render(result: dict[str, Any], machine: dict[str, Any]) -> str:
    """Markdown for the figures of one run."""
    out = [
        f"Measured on {machine['cpu']}, {machine['cores']} cores, Python {machine['python']}, "
        f"{machine['system']}; LiteLLM {result['litellm_version']}; {result.get('wrk', 'wrk')}. "
        f"Scenarios run: {', '.join(result['settings']['scenarios'])}; the whole run took "
        f"{result['run_seconds']:.0f} s.",
        "",
    ]
    if "unloaded" in result:
        unloaded = result["unloaded"]
        latency, added = unloaded["latency_ms"], unloaded["added_ms"]
        out += [f"**Unloaded** (1 at a time, {unloaded['requests_each']} requests each, round-robin):", ""]
        rows = [
            [
                NAMES[name],
                latency[name]["p50"],
                latency[name]["p99"],
                added[name]["p50"] if name in added else "–",
                added[name]["p99"] if name in added else "–",
            ]
            for name in ("direct", "service", "litellm")
        ]
        out += _table(["target", "p50 ms", "p99 ms", "added p50 ms", "added p99 ms"], rows)
        out += ["", f"Wrong answers: {unloaded['wrong_answers']}.", ""]
    for connections, figures in result.get("peak", {}).items():
        out += [f"**Peak**, closed loop, {connections} concurrent, 0 ms upstream:", ""]
        out += [*_loaded(figures), ""]
    for case, figures in result.get("realistic", {}).items():
        connections, delay = case.split("x")
        bound = figures["direct"]["little_bound_per_second"]
        out += [f"**Realistic**, {connections} concurrent, {delay} s upstream (bound {bound:g} req/s):", ""]
        out += [*_loaded(figures, with_share=True), ""]
    out += _cache(result) + _streaming(result)
    if "failure" in result:
        failure = result["failure"]
        warmup = result["settings"]["failure_warmup"]
        out += [
            f"**Failure path**, upstream 503 on every call (after {warmup} warm-up requests):",
            "",
        ]
        rows = [
            [
                NAMES[name],
                failure[name]["latency_ms"]["p50"],
                failure[name]["latency_ms"]["p99"],
                ", ".join(f"{code}×{count}" for code, count in failure[name]["statuses"].items()),
                failure[name].get("degraded_answers", "–"),
            ]
            for name in ("direct", "service", "litellm")
        ]
        out += [*_table(["target", "p50 ms", "p99 ms", "statuses", "degraded answers"], rows), ""]
    if "memory_rss_mb" in result:
        out += ["**Memory**, RSS in MiB after each scenario:", ""]
        rows = [
            [row["after"], row["service"], row["litellm"], row["stand-in"]] for row in result["memory_rss_mb"]
        ]
        out += [*_table(["after", "service", "LiteLLM", "stand-in"], rows), ""]
    out += _soak(result)
    out.append("![gateway plots](gateway/gateway.png)")
    return "\n".join(out)
