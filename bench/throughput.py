"""Built-in engine throughput on one core: resumes per second from text, and from PDF and DOCX files."""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import date

from common import ROOT, shared_data, write_result
from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.features.resume.analysis import ResumeAnalyzer
from jobfirst_ai.features.resume.service import Limits, ResumeInput, prepare_resume

FIXTURES = ROOT / "tests" / "fixtures"
LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_chars=200_000)


def _texts() -> list[str]:
    lines = (shared_data() / "dotin-resume-en" / "train_spans.jsonl").read_text(encoding="utf-8").splitlines()
    english = [json.loads(line)["text"] for line in lines]
    chinese = [
        path.read_text(encoding="utf-8")
        for path in sorted(FIXTURES.glob("resume_zh_*.*"))
        if path.suffix in (".md", ".txt")
        and "gbk" not in path.name
        and "utf16" not in path.name
        and "gb18030" not in path.name
    ]
    return english + chinese


def _rate(work: list[object], run: object, rounds: int) -> dict[str, float]:
    per_item: list[float] = []
    started = time.perf_counter()
    for _ in range(rounds):
        for item in work:
            begun = time.perf_counter()
            run(item)  # type: ignore[operator]
            per_item.append((time.perf_counter() - begun) * 1000)
    elapsed = time.perf_counter() - started
    per_item.sort()
    return {
        "items": len(per_item),
        "per_second": round(len(per_item) / elapsed, 1),
        "p50_ms": round(statistics.median(per_item), 2),
        "p95_ms": round(per_item[int(len(per_item) * 0.95) - 1], 2),
        "max_ms": round(per_item[-1], 2),
    }


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, as the target says
    analyzer = ResumeAnalyzer(load_skill_dictionary())
    today = date(2026, 11, 24)
    texts = _texts()
    files = [
        (path.name, path.read_bytes())
        for path in sorted(FIXTURES.glob("resume_*.*"))
        if path.suffix in (".pdf", ".docx")
    ]
    analyze_text = lambda text: analyzer.analyze(text, today=today)  # noqa: E731

    def analyze_file(item: tuple[str, bytes]) -> None:
        prepared = prepare_resume(ResumeInput(data=item[1], filename=item[0]), LIMITS)
        analyzer.analyze(prepared.text, today=today)

    analyze_text(texts[0])  # warm-up: first-call imports
    analyze_file(files[0])
    result = {
        "text": _rate(texts, analyze_text, rounds=3),
        "text_average_chars": round(statistics.mean(len(text) for text in texts)),
        "files": _rate(files, analyze_file, rounds=20),
        "file_names": [name for name, _ in files],
    }
    print(json.dumps(result, indent=2))
    print("written", write_result("throughput", result))


if __name__ == "__main__":
    main()
