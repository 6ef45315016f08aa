"""Plots of bench/results/gateway.json (run with the LiteLLM venv's Python, which has matplotlib)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

COLOURS = {"direct": "#999999", "service": "#1f77b4", "litellm": "#d62728"}


def bars(axis: Any, groups: dict[str, dict[str, float]], title: str, unit: str) -> None:
    """Grouped bars: one group per case, one bar per target."""
    names = ["direct", "service", "litellm"]
    width = 0.8 / len(names)
    for index, name in enumerate(names):
        xs = [position + index * width for position in range(len(groups))]
        ys = [values.get(name, 0.0) for values in groups.values()]
        axis.bar(xs, ys, width, label=name, color=COLOURS[name])
    axis.set_xticks([position + width for position in range(len(groups))], list(groups))
    axis.set_title(title)
    axis.set_ylabel(unit)


def main(path: Path, out: Path) -> None:
    result = json.loads(path.read_text())
    panels: list[tuple[dict[str, dict[str, float]], str, str]] = []
    if "unloaded" in result:
        latency = result["unloaded"]["latency_ms"]
        panels.append(
            ({q: {n: latency[n][q] for n in latency} for q in ("p50", "p99")}, "1 at a time: latency", "ms")
        )
    if "peak" in result:
        peak = result["peak"]
        panels.append(
            ({f"c={c}": {n: peak[c][n]["per_second"] for n in peak[c]} for c in peak}, "peak", "req/s")
        )
        panels.append(
            (
                {
                    f"c={c}": {n: peak[c][n]["cpu_ms_per_request"].get("gateway", 0.0) for n in peak[c]}
                    for c in peak
                },
                "peak: gateway CPU per request",
                "CPU ms",
            )
        )
    if "realistic" in result:
        real = result["realistic"]
        panels.append(
            (
                {case: {n: real[case][n]["share_of_bound"] for n in real[case]} for case in real},
                "realistic",
                "share",
            )
        )
    if "cache" in result:
        cache = result["cache"]
        per_second = {name: cache[name]["per_second"] for name in ("direct", "service", "litellm")}
        panels.append(({"req/s": per_second}, "cache hit", "req/s"))
    if "memory_rss_mb" in result:
        rows = result["memory_rss_mb"]
        panels.append(
            (
                {row["after"]: {"service": row["service"], "litellm": row["litellm"]} for row in rows},
                "RSS",
                "MiB",
            )
        )
    figure, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6))
    for axis, (groups, title, unit) in zip(axes if len(panels) > 1 else [axes], panels, strict=True):
        bars(axis, groups, title, unit)
        axis.tick_params(axis="x", labelsize=7, rotation=20)
    axes_list = axes if len(panels) > 1 else [axes]
    axes_list[0].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out / "gateway.png", dpi=90)
    print("plot", out / "gateway.png")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
