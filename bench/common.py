"""Shared helpers of the benchmarks: where the shared data lives, the machine, writing results."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def shared_data() -> Path:
    """The shared data folder: $JOBFIRST_SHARED_DATA or ../shared/data beside the repository."""
    return Path(os.environ.get("JOBFIRST_SHARED_DATA", ROOT.parent / "shared" / "data"))


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def write_result(name: str, payload: dict[str, Any]) -> Path:
    """Save a JSON result under bench/results/ and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({**payload, "machine": machine()}, ensure_ascii=False, indent=2) + "\n")
    return path


def code() -> dict[str, Any]:
    """Which code was measured: where `jobfirst_ai` was imported from, the repository's HEAD, and whether
    the working tree's engine or matching code differed from HEAD (a snapshot: `git archive HEAD src`)."""
    import jobfirst_ai

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)

    package = Path(jobfirst_ai.__file__).resolve().parent
    changed = git("status", "--porcelain", "src/jobfirst_ai/engine", "src/jobfirst_ai/features/matching")
    return {
        "jobfirst_ai": str(package.relative_to(ROOT))
        if package.is_relative_to(ROOT)
        else "outside the repository",
        "git_head": git("rev-parse", "HEAD").stdout.strip(),
        "from_working_tree": package.is_relative_to(ROOT),
        "working_tree_matching_or_engine_changed": bool(changed.stdout.strip()),
    }


def normalise(text: str) -> str:
    """The shared skill metric's normalisation (../shared/data/README.md): NFKC, lower case, white space
    collapsed, surrounding punctuation (Unicode P*) stripped."""
    text = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    start, end = 0, len(text)
    while start < end and (unicodedata.category(text[start]).startswith("P") or text[start].isspace()):
        start += 1
    while end > start and (unicodedata.category(text[end - 1]).startswith("P") or text[end - 1].isspace()):
        end -= 1
    return text[start:end]


def contains(outer: str, inner: str) -> bool:
    """`inner` occurs in `outer` on word boundaries."""
    return inner in outer and re.search(rf"(?<!\w){re.escape(inner)}(?!\w)", outer) is not None
