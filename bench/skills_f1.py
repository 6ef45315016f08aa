"""Skill-extraction precision, recall and F1 of the built-in engine on the dotin resumes (shared metric).

The metric is the one in ../shared/data/README.md: gold = spans labelled Tech Tools, Job Specific Skills or
Soft Skills; predicted = the strings in the top-level `skills` list of the full built-in analysis. Both
are normalised (NFKC, lower case, white space collapsed, surrounding punctuation stripped); a predicted
skill hits a gold span when one equals the other or is contained in it on word boundaries. Precision and
recall are computed per resume and macro-averaged over every resume in the file. Where a ratio is 0/0 (a
resume with no gold skills, or no predictions) it counts as 1 only when both sides are empty, else 0.

Run: `.venv/bin/python bench/skills_f1.py [--diagnose]`; data from ../shared/data or JOBFIRST_SHARED_DATA.
Writes bench/results/skills_f1.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from common import contains, normalise
from jobfirst_ai.engine.skills import SkillDictionary, load_skill_dictionary
from jobfirst_ai.features.resume.analysis import ResumeAnalyzer

REPO = Path(__file__).resolve().parents[1]
RESULT = REPO / "bench" / "results" / "skills_f1.json"
GOLD_LABELS = frozenset({"Tech Tools", "Job Specific Skills", "Soft Skills"})
TODAY = date(2026, 11, 24)  # fixed, so "Present" reads the same on every run


@dataclass(frozen=True)
class Score:
    """Precision and recall of one resume, and the strings behind them (for --diagnose)."""

    precision: float
    recall: float
    false_positives: tuple[str, ...]
    missed: tuple[str, ...]

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 0.0 if total == 0 else 2 * self.precision * self.recall / total


def is_hit(predicted: str, gold: str) -> bool:
    """Equal, or one contained in the other on word boundaries ("python" hits "python and batch")."""
    return predicted == gold or contains(gold, predicted) or contains(predicted, gold)


def _ratio(hits: int, total: int, other_total: int) -> float:
    if total == 0:
        return 1.0 if other_total == 0 else 0.0
    return hits / total


def score_resume(predicted: Sequence[str], gold: Sequence[str]) -> Score:
    """Score one resume; `gold` keeps one entry per labelled span (repeats count)."""
    names = [n for n in dict.fromkeys(normalise(p) for p in predicted) if n]
    spans = [g for g in (normalise(s) for s in gold) if g]
    wrong = tuple(n for n in names if not any(is_hit(n, g) for g in spans))
    missed = tuple(g for g in spans if not any(is_hit(n, g) for n in names))
    return Score(
        precision=_ratio(len(names) - len(wrong), len(names), len(spans)),
        recall=_ratio(len(spans) - len(missed), len(spans), len(names)),
        false_positives=wrong,
        missed=missed,
    )


def shared_data() -> Path:
    return Path(os.environ.get("JOBFIRST_SHARED_DATA", REPO.parent / "shared" / "data"))


def run(dictionary: SkillDictionary, resumes: list[dict[str, object]]) -> tuple[list[Score], float]:
    analyzer = ResumeAnalyzer(dictionary)
    scores = []
    elapsed = 0.0
    for resume in resumes:
        text = str(resume["text"])
        started = time.perf_counter()
        predicted = analyzer.analyze(text, today=TODAY).skills
        elapsed += time.perf_counter() - started
        spans = resume["spans"]
        assert isinstance(spans, list)
        scores.append(score_resume(predicted, [s["text"] for s in spans if s["label"] in GOLD_LABELS]))
    return scores, elapsed


def summarise(scores: list[Score]) -> dict[str, float]:
    return {
        "precision": round(statistics.fmean(s.precision for s in scores), 4),
        "recall": round(statistics.fmean(s.recall for s in scores), 4),
        "f1": round(statistics.fmean(s.f1 for s in scores), 4),
    }


def diagnose(scores: list[Score]) -> None:
    wrong = Counter(w for s in scores for w in s.false_positives)
    missed = Counter(m for s in scores for m in s.missed)
    print("most frequent false positives:", wrong.most_common(60))
    print("most frequent missed gold spans:", missed.most_common(100))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--diagnose", action="store_true", help="print frequent misses and false positives")
    args = parser.parse_args()
    path = shared_data() / "dotin-resume-en" / "train_spans.jsonl"
    resumes = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    started = time.perf_counter()
    dictionary = load_skill_dictionary()
    load_seconds = time.perf_counter() - started
    scores, match_seconds = run(dictionary, resumes)
    annotated = [
        s for s, r in zip(scores, resumes, strict=True) if any(x["label"] in GOLD_LABELS for x in r["spans"])
    ]
    result = {
        "dataset": "dotin-resume-en/train_spans.jsonl",
        "resumes": len(scores),
        **summarise(scores),
        "annotated_resumes": len(annotated),
        "on_annotated_resumes": summarise(annotated),
        "dictionary_skills": len(dictionary),
        "dictionary_load_seconds": round(load_seconds, 3),
        "mean_analysis_ms": round(match_seconds / len(resumes) * 1000, 2),
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    summary = f"P {result['precision']:.3f}  R {result['recall']:.3f}  F1 {result['f1']:.3f}"
    print(f"{summary}  over {len(scores)} resumes")
    print(json.dumps(result, indent=2))
    if args.diagnose:
        diagnose(scores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
