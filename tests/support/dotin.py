"""Six real English resumes from the dotin dataset (CC0 1.0; see tests/fixtures/README.md), by file name."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "dotin_sample.jsonl"


@cache
def dotin_resumes() -> dict[str, str]:
    """{"1.xml": text, …} for the sampled resumes."""
    rows = (json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line)
    return {row["file"].rsplit("/", 1)[-1]: row["text"] for row in rows}
