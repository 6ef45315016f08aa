"""Ranking-quality set for job matching: dotin resumes as queries, SkillSpan postings as the documents.

How it is built (deterministic; no code of the service is used):
- Postings: all 198 SkillSpan postings (train and dev, ../shared/data/skillspan-en), each rebuilt from its
  sentences in file order, one line per sentence. StackOverflow ("tech") postings open with their job
  title: that line becomes `title` (placeholders and "(m/f/d)" removed) and leaves the description;
  "house" postings have no title line and get the placeholder "Untitled posting" (the service's import
  needs a title). De-identification placeholders (<ORGANIZATION>, <LOCATION>…) and the "Date posted" /
  "Likes" lines are removed; company, location and salary are None. A posting's gold skills are its human
  SKILL and KNOWLEDGE spans.
- Queries: the 307 resumes of ../shared/data/dotin-resume-en/train_spans.jsonl, text as given; gold skills
  are the spans labelled Tech Tools, Job Specific Skills or Soft Skills.
- Two labels match by the rule of the shared skill metric (../shared/data/README.md, bench/skills_f1.py):
  after NFKC, lower case, collapsed white space and stripped surrounding punctuation, one equals the other
  or contains it on word boundaries.
- Generic labels: a resume label matching gold spans of more than a quarter of the postings
  ("development", "team", "english", "communication", "agile"…) cannot tell postings apart and is ignored.
- m(r, p) = the largest one-to-one matching between the resume's other labels and the posting's spans
  ("java", "core java" and "java ee" on a resume against one "java" in a posting count once).
  strength = m / sqrt(the posting's distinct spans), so postings with many labelled spans do not win
  just by length. Grade 3: m ≥ 3 and strength ≥ 0.5; grade 2: m ≥ 2 and strength ≥ 0.25; grade 1: m ≥ 1;
  else 0. A resume is a query when some posting reaches grade 2.
- Metrics, averaged over queries: nDCG@10 (gain 2^grade − 1, ideal order from all graded postings);
  recall@10 and MRR@10 of the postings of grade ≥ 2.

What it can show: how far a ranking agrees with the overlap of human-labelled skills between a resume and
a posting, against a random order and a plain BM25 over the same texts (printed by `main`).
What it cannot show: hiring outcomes or recruiter judgement (relevance is label overlap, nothing more);
Chinese text (both sides are English); titles, years and degrees (house postings have no title, none of
the postings states years or degree in a field, and the grades ignore them, so those parts of a matcher
score are idle or noise here); behaviour at scale (198 postings). Labels are sparse and uneven on both
sides, so grades are noisy; a matcher that extracts skills well but not the annotators' ones is
penalised.

Run: `.venv/bin/python bench/match_quality_set.py` (~1 s); writes bench/results/match_quality_set.json.
Use from another bench script: `quality = build_quality_set()`, import `quality.postings` (through
`match_data.import_row`, which drops `language`), rank them for each `(resume_id, text)` in
`quality.queries`, then `evaluate({resume_id: ranked_ids}, quality.qrels)`.
"""

from __future__ import annotations

import json
import math
import random
import re
import statistics
import string
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import contains, normalise, shared_data, write_result
from match_data import SourcePosting, read_skillspan

RESUME_LABELS = frozenset({"Tech Tools", "Job Specific Skills", "Soft Skills"})
GENERIC_SHARE = 0.25
MIN_RELEVANT = 2  # grade from which a posting counts as relevant for recall, MRR and query selection
K = 10
UNTITLED = "Untitled posting"
_PLACEHOLDER = re.compile(r"<[A-Z_]+>")
_GENDER = re.compile(r"\(\s*[mfwdx]\s*/\s*[mfwdx](?:\s*/\s*[mfwdx])?\s*\)", re.IGNORECASE)
_METADATA = re.compile(r"^(?:Date posted|Likes):")


@dataclass(frozen=True)
class QualitySet:
    """Postings (the service's import format), queries and graded relevance (only grades ≥ 1 are listed)."""

    postings: list[dict[str, Any]]
    queries: list[tuple[str, str]]
    qrels: dict[str, dict[str, int]]
    generic_labels: tuple[str, ...]
    designations: dict[str, tuple[str, ...]]  # resume_id → its Designation spans, to read results by
    resumes_without_labels: int
    resumes_without_relevant: int


# ------------------------------------------------------------------------------- the shared label rule


def is_hit(a: str, b: str) -> bool:
    """The shared metric's rule: equal, or one contains the other on word boundaries."""
    return a == b or contains(a, b) or contains(b, a)


def _word_index(labels: Iterable[str]) -> dict[str, set[str]]:
    index: dict[str, set[str]] = defaultdict(set)
    for label in labels:
        for word in re.findall(r"\w+", label):
            index[word].add(label)
    return index


def hit_table(left: set[str], right: set[str]) -> dict[str, set[str]]:
    """For each label of `left`, the labels of `right` it hits.

    A label contained on word boundaries has all its words (\\w+ runs) among the container's words, so
    only labels sharing the inner label's rarest word are checked; the result equals checking every pair.
    """
    hits: dict[str, set[str]] = defaultdict(set)
    for inners, outers, forward in ((left, right, True), (right, left, False)):
        index = _word_index(outers)
        for inner in inners:
            words = re.findall(r"\w+", inner)
            candidates = min((index.get(w, set()) for w in words), key=len) if words else outers
            for outer in candidates:
                if outer == inner or contains(outer, inner):
                    hits[inner if forward else outer].add(outer if forward else inner)
    return hits


def matching_size(edges: Mapping[str, Iterable[str]]) -> int:
    """Size of a maximum one-to-one matching of a small bipartite graph (augmenting paths)."""
    owner: dict[str, str] = {}

    def augment(node: str, seen: set[str]) -> bool:
        for other in edges[node]:
            if other not in seen:
                seen.add(other)
                if other not in owner or augment(owner[other], seen):
                    owner[other] = node
                    return True
        return False

    return sum(augment(node, set()) for node in edges)


def grade(matched: int, spans: int) -> int:
    """Relevance grade 0–3 from the one-to-one matches and the posting's number of distinct spans."""
    strength = matched / math.sqrt(spans) if spans else 0.0
    if matched >= 3 and strength >= 0.5:
        return 3
    if matched >= 2 and strength >= 0.25:
        return 2
    return 1 if matched else 0


# --------------------------------------------------------------------------------------- building


def _clean(text: str) -> str:
    text = _GENDER.sub("", _PLACEHOLDER.sub("", text))
    text = re.sub(r"\s+\)", ")", re.sub(r"\(\s+", "(", re.sub(r"\(\s*\)", "", text)))
    return " ".join(text.split()).strip(" -–|,")


def skillspan_posting(posting: SourcePosting) -> tuple[dict[str, Any], set[str]]:
    """A SkillSpan posting in the service's import format, and its normalised gold spans."""
    sentences = list(posting.sentences)
    title = UNTITLED
    if posting.source == "tech":
        title = _clean(sentences.pop(0).text.split(" Date posted:")[0])
    lines = [_clean(s.text) for s in sentences if not _METADATA.match(s.text)]
    spans = {normalise(x) for s in posting.sentences for x in (*s.skills, *s.knowledge)} - {""}
    record = {
        "id": f"skillspan-{posting.key}",
        "title": title,
        "company": None,
        "location": None,
        "description": "\n".join(line for line in lines if line.strip(string.punctuation + " ")),
        "tags": [],
        "salary_min": None,
        "salary_max": None,
        "language": "en",
    }
    return record, spans


def _resumes(data: Path) -> list[dict[str, Any]]:
    path = data / "dotin-resume-en" / "train_spans.jsonl"
    resumes = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    for resume in resumes:
        resume["id"] = "dotin-" + Path(resume["file"]).stem
        labels = (normalise(s["text"]) for s in resume["spans"] if s["label"] in RESUME_LABELS)
        resume["labels"] = {label for label in labels if label}
    return resumes


def _generic(hits: Mapping[str, set[str]], posting_spans: Sequence[set[str]]) -> set[str]:
    spread = {label: sum(1 for spans in posting_spans if found & spans) for label, found in hits.items()}
    return {label for label, count in spread.items() if count > GENERIC_SHARE * len(posting_spans)}


def build_quality_set(data: Path | None = None) -> QualitySet:
    """The set described in this module's docstring."""
    data = data or shared_data()
    postings, posting_spans = zip(*(skillspan_posting(p) for p in read_skillspan(data)), strict=True)
    resumes = _resumes(data)
    hits = hit_table(set().union(*(r["labels"] for r in resumes)), set().union(*posting_spans))
    generic = _generic(hits, posting_spans)
    queries, qrels = [], {}
    for resume in resumes:
        labels = resume["labels"] - generic
        grades = {}
        for posting, spans in zip(postings, posting_spans, strict=True):
            edges = {label: hits[label] & spans for label in labels if hits[label] & spans}
            value = grade(matching_size(edges), len(spans)) if edges else 0
            if value:
                grades[posting["id"]] = value
        if max(grades.values(), default=0) >= MIN_RELEVANT:
            queries.append((resume["id"], resume["text"]))
            qrels[resume["id"]] = grades
    return QualitySet(
        postings=list(postings),
        queries=queries,
        qrels=qrels,
        generic_labels=tuple(sorted(generic)),
        designations={
            r["id"]: tuple(s["text"] for s in r["spans"] if s["label"] == "Designation") for r in resumes
        },
        resumes_without_labels=sum(1 for r in resumes if not r["labels"]),
        resumes_without_relevant=sum(1 for r in resumes if r["labels"]) - len(queries),
    )


# ---------------------------------------------------------------------------------------- metrics


def ndcg_at_k(ranked_ids: Sequence[str], grades: Mapping[str, int], k: int = K) -> float:
    """nDCG@k with gain 2^grade − 1; the ideal order ranks every graded posting."""
    dcg = sum((2 ** grades.get(pid, 0) - 1) / math.log2(rank + 2) for rank, pid in enumerate(ranked_ids[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(rank + 2) for rank, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall_at_k(
    ranked_ids: Sequence[str], grades: Mapping[str, int], k: int = K, min_grade: int = MIN_RELEVANT
) -> float:
    """Share of the postings of grade ≥ min_grade found in the top k (0 if there are none)."""
    relevant = {pid for pid, g in grades.items() if g >= min_grade}
    return len(relevant.intersection(ranked_ids[:k])) / len(relevant) if relevant else 0.0


def mrr(
    ranked_ids: Sequence[str], grades: Mapping[str, int], k: int = K, min_grade: int = MIN_RELEVANT
) -> float:
    """1 / rank of the first posting of grade ≥ min_grade within the top k, else 0 (MRR@k per query)."""
    for rank, pid in enumerate(ranked_ids[:k], 1):
        if grades.get(pid, 0) >= min_grade:
            return 1.0 / rank
    return 0.0


def evaluate(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> dict[str, float]:
    """nDCG@10, recall@10 and MRR@10 averaged over every query of `qrels`; a missing ranking scores 0."""
    scores = {"ndcg@10": ndcg_at_k, "recall@10": recall_at_k, "mrr@10": mrr}
    return {
        name: round(statistics.fmean(metric(rankings.get(q, ()), grades) for q, grades in qrels.items()), 4)
        for name, metric in scores.items()
    }


# -------------------------------------------------------------------------------------- baselines


def tokens(text: str) -> list[str]:
    """White-space tokens, lower-cased, surrounding ASCII punctuation stripped."""
    return [t for t in (w.strip(string.punctuation) for w in text.lower().split()) if t]


class Bm25:
    """Plain Okapi BM25 over white-space tokens (k1 1.2, b 0.75), the lexical baseline."""

    def __init__(self, documents: Mapping[str, str], k1: float = 1.2, b: float = 0.75) -> None:
        self.ids = sorted(documents)
        counts = {pid: Counter(tokens(documents[pid])) for pid in self.ids}
        lengths = {pid: sum(c.values()) for pid, c in counts.items()}
        average = statistics.fmean(lengths.values())
        self.postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for pid, counter in counts.items():
            norm = k1 * (1 - b + b * lengths[pid] / average)
            for term, tf in counter.items():
                self.postings[term].append((pid, tf * (k1 + 1) / (tf + norm)))
        n = len(self.ids)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}

    def rank(self, query: str) -> list[str]:
        """Every document, best first; ties by id."""
        scores: Counter[str] = Counter()
        for term in set(tokens(query)):
            for pid, weight in self.postings.get(term, ()):
                scores[pid] += self.idf[term] * weight
        return sorted(self.ids, key=lambda pid: (-scores[pid], pid))


def random_baseline(quality: QualitySet, rounds: int = 20, seed: int = 7) -> dict[str, float]:
    """Metrics of a random order, averaged over `rounds` shuffles per query."""
    rng = random.Random(seed)
    ids = [p["id"] for p in quality.postings]
    runs = []
    for _ in range(rounds):
        runs.append(evaluate({q: rng.sample(ids, len(ids)) for q, _ in quality.queries}, quality.qrels))
    return {name: round(statistics.fmean(r[name] for r in runs), 4) for name in runs[0]}


def ranked_by(quality: QualitySet, rank: Callable[[str], list[str]]) -> dict[str, float]:
    """Metrics of a ranking function from resume text to posting ids."""
    return evaluate({q: rank(text) for q, text in quality.queries}, quality.qrels)


# ------------------------------------------------------------------------------------------ report


def statistics_of(quality: QualitySet) -> dict[str, Any]:
    """Sizes and grade counts of the set."""
    per_grade = Counter(g for grades in quality.qrels.values() for g in grades.values())
    relevant = [sum(1 for g in grades.values() if g >= MIN_RELEVANT) for grades in quality.qrels.values()]
    return {
        "postings": len(quality.postings),
        "postings_with_title": sum(1 for p in quality.postings if p["title"] != UNTITLED),
        "queries": len(quality.queries),
        "resumes_without_skill_labels": quality.resumes_without_labels,
        "resumes_without_posting_of_grade_2": quality.resumes_without_relevant,
        "pairs_per_grade": {str(g): per_grade[g] for g in (3, 2, 1)},
        "pairs_grade_0": len(quality.queries) * len(quality.postings) - sum(per_grade.values()),
        "queries_with_grade_3": sum(1 for grades in quality.qrels.values() if 3 in grades.values()),
        "relevant_per_query_median": statistics.median(relevant),
        "relevant_per_query_max": max(relevant),
        "generic_labels_ignored": list(quality.generic_labels),
    }


def main() -> int:
    started = time.perf_counter()
    quality = build_quality_set()
    build_seconds = time.perf_counter() - started
    stats = statistics_of(quality)
    bm25 = Bm25({p["id"]: f"{p['title']}\n{p['description']}" for p in quality.postings})
    longest = sorted(quality.postings, key=lambda p: (-len(p["description"].split()), p["id"]))
    ideal = {q: sorted(grades, key=lambda pid: (-grades[pid], pid)) for q, grades in quality.qrels.items()}
    baselines = {
        "ideal order (the ceiling of each metric)": evaluate(ideal, quality.qrels),
        "random (mean of 20 shuffles)": random_baseline(quality),
        "plain BM25 (title + description, whole resume as query)": ranked_by(quality, bm25.rank),
        "longest posting first (query-independent)": ranked_by(quality, lambda _: [p["id"] for p in longest]),
    }
    result = {"build_seconds": round(build_seconds, 2), "set": stats, "baselines": baselines}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(__doc__.split("\n\n")[2])
    path = write_result("match_quality_set", result)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
