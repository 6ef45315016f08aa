"""Ranking quality of job matching on the SkillSpan × dotin set of bench/match_quality_set.py.

The set's 198 postings go through the service's import (`match_data.import_row` → `parse_rows` →
`JobCatalog.import_rows`) into a fresh SQLite database in a temporary folder. Each query resume is matched
with `MatchService.match(top_k=10, explain=False)`, no model, and the ten results are scored with the set's
`evaluate` (nDCG@10, recall@10, MRR@10), beside the set's baselines computed again in this run: random order
(20 shuffles), plain BM25, longest posting first, and the ideal order.

Ablations, to show which part of the ranking earns what: the index's retrieval order alone (the first ten
keys of `index.search` for the resume's `term_counts` and canonical skills), its BM25 alone and its skill
overlap alone; then the final score's re-ranking of the same 100 retrieved postings (the steps of
`ranker.rank`, replicated and checked against the service's results), with each part of the score left
out in turn, and each part alone. Differences are compared query by query (paired: mean difference, its
standard error, wins / ties / losses on nDCG@10).

Run: `.venv/bin/python bench/match_quality.py` (~15 s); writes bench/results/match_quality.json.
"""

from __future__ import annotations

import asyncio
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from common import code, write_result
from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.session import create_engine, create_session_factory
from jobfirst_ai.engine.analyze import read_findings
from jobfirst_ai.engine.match_score import candidate_from_findings, score_match, title_tokens
from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.engine.tokens import term_counts
from jobfirst_ai.engine.types import JobFit, PostingFacts
from jobfirst_ai.features.matching.catalog import JobCatalog
from jobfirst_ai.features.matching.importer import parse_rows
from jobfirst_ai.features.matching.ranker import MIN_DEPTH, Ranked
from jobfirst_ai.features.matching.schemas import MatchRequest
from jobfirst_ai.features.matching.service import MatchService
from jobfirst_ai.features.resume.service import Limits
from match_data import import_row
from match_quality_set import (
    Bm25,
    QualitySet,
    build_quality_set,
    evaluate,
    ndcg_at_k,
    random_baseline,
    ranked_by,
    statistics_of,
)

LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_chars=200_000)  # the service's defaults
TODAY = date(2026, 11, 24)
TOP = 10
PARTS = ("required_skills", "preferred_skills", "experience", "education", "title", "text")

Rankings = dict[str, list[str]]


async def catalog_of(quality: QualitySet, database: Path) -> tuple[JobCatalog, Any, int]:
    """A catalog on a fresh database holding the set's postings, imported as the service imports."""
    engine = create_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade_database(engine)
    catalog = JobCatalog(create_session_factory(engine), load_skill_dictionary())
    await catalog.refresh(force=True)
    lines = [json.dumps(import_row(posting), ensure_ascii=False) + "\n" for posting in quality.postings]
    report = await catalog.import_rows(parse_rows(lines, "jsonl"))
    if report.rejected or report.imported != len(quality.postings):
        raise SystemExit(f"import failed: {report}")
    return catalog, engine, report.imported


def order(ranked: Sequence[Ranked], value: Callable[[Ranked], float]) -> list[str]:
    """Keys by `value`, best first, ties as `ranker.rank` breaks them (retrieval score, then id)."""
    key = lambda item: (-value(item), -(item.hit.score if item.hit else 0.0), item.summary.id)  # noqa: E731
    return [item.summary.id for item in sorted(ranked, key=key)[:TOP]]


def points(fit: JobFit, *, without: str | None = None, only: str | None = None) -> float:
    """The sum of the fit's part points, one part left out or one part alone."""
    return sum(
        part.score
        for part in fit.parts
        if (without is None or part.name != without) and (only is None or part.name == only)
    )


def asked(facts: PostingFacts) -> dict[str, bool]:
    """Which parts the posting asks anything for (a part asked nothing earns its full points)."""
    return {
        "required_skills": bool(facts.required_skills),
        "preferred_skills": bool(facts.preferred_skills),
        "experience": bool(facts.years_min),
        "education": facts.education_level is not None,
        "title": bool(title_tokens(facts.title)),
        "text": True,
    }


def points_if_asked(item: Ranked) -> float:
    """The score's points with every part the posting asks nothing for earning 0 instead of full."""
    kept = asked(item.facts)
    return sum(part.score for part in item.fit.parts if kept[part.name])


async def rankings(quality: QualitySet, catalog: JobCatalog) -> tuple[dict[str, Rankings], dict[str, Any]]:
    """Every ranking of every query: the service's, the index's, and the re-scoring variants."""
    service = MatchService(catalog, limits=LIMITS, today=lambda: TODAY)
    runs: dict[str, Rankings] = {}
    checks = {"queries": 0, "service_equals_replicated": 0, "results_per_query": [], "seconds": 0.0}
    started = time.perf_counter()
    for query_id, text in quality.queries:
        response = await service.match("bench", MatchRequest(content=text, top_k=TOP, explain=False))
        service_order = [match.job.id for match in response.results]
        runs.setdefault("service", {})[query_id] = service_order
        checks["results_per_query"].append(len(service_order))

        candidate = candidate_from_findings(read_findings(text, catalog.dictionary, TODAY))
        terms = term_counts(text)
        hits = catalog.index.search(terms, candidate.skills, limit=MIN_DEPTH)
        runs.setdefault("retrieval", {})[query_id] = [hit.key for hit in hits[:TOP]]
        bm25_only = catalog.index.search(terms, [], limit=TOP)
        runs.setdefault("retrieval_bm25", {})[query_id] = [hit.key for hit in bm25_only]
        skills_only = catalog.index.search({}, candidate.skills, limit=TOP)
        runs.setdefault("retrieval_skills", {})[query_id] = [hit.key for hit in skills_only]

        loaded = await catalog.postings([hit.key for hit in hits])
        ranked = [
            Ranked(summary, facts, score_match(candidate, facts, text_similarity=hit.similarity), hit)
            for hit in hits
            if hit.key in loaded
            for summary, facts in (loaded[hit.key],)
        ]
        replicated = order(ranked, lambda item: item.fit.score)
        checks["service_equals_replicated"] += replicated == service_order
        runs.setdefault("score_unrounded", {})[query_id] = order(ranked, lambda item: points(item.fit))
        runs.setdefault("score_nothing_asked_earns_0", {})[query_id] = order(ranked, points_if_asked)
        for part in PARTS:
            runs.setdefault(f"without_{part}", {})[query_id] = order(
                ranked, lambda item, part=part: points(item.fit, without=part)
            )
            runs.setdefault(f"only_{part}", {})[query_id] = order(
                ranked, lambda item, part=part: points(item.fit, only=part)
            )
        checks["queries"] += 1
    checks["seconds"] = round(time.perf_counter() - started, 1)
    sizes = checks.pop("results_per_query")
    checks["queries_with_fewer_than_10_results"] = sum(1 for size in sizes if size < TOP)
    return runs, checks


def top_postings(runs: Mapping[str, Rankings], facts: Mapping[str, PostingFacts]) -> dict[str, Any]:
    """What the postings in each ranking's top 10 ask: the mean number of required skills, and the share
    asking no preferred skills, no years and no degree (a part asked nothing earns full points)."""

    def describe(ids: Sequence[str]) -> dict[str, float]:
        chosen = [facts[pid] for pid in ids]
        return {
            "required_skills_asked_mean": round(statistics.fmean(len(f.required_skills) for f in chosen), 1),
            "share_no_preferred_skills": round(statistics.fmean(not f.preferred_skills for f in chosen), 2),
            "share_no_years": round(statistics.fmean(not f.years_min for f in chosen), 2),
            "share_no_degree": round(statistics.fmean(f.education_level is None for f in chosen), 2),
        }

    described = {"all postings": describe(list(facts))}
    for name, ranking in runs.items():
        described[name] = describe([pid for ids in ranking.values() for pid in ids])
    return described


def paired(first: Rankings, second: Rankings, quality: QualitySet) -> dict[str, Any]:
    """nDCG@10 of `first` minus `second`, query by query."""
    differences = [
        ndcg_at_k(first.get(q, []), grades) - ndcg_at_k(second.get(q, []), grades)
        for q, grades in quality.qrels.items()
    ]
    return {
        "mean_difference": round(statistics.fmean(differences), 4),
        "standard_error": round(statistics.stdev(differences) / math.sqrt(len(differences)), 4),
        "wins": sum(1 for d in differences if d > 1e-9),
        "ties": sum(1 for d in differences if abs(d) <= 1e-9),
        "losses": sum(1 for d in differences if d < -1e-9),
    }


async def run() -> dict[str, Any]:
    started = time.perf_counter()
    quality = build_quality_set()
    build_seconds = time.perf_counter() - started
    bm25 = Bm25({p["id"]: f"{p['title']}\n{p['description']}" for p in quality.postings})
    longest = [
        p["id"] for p in sorted(quality.postings, key=lambda p: (-len(p["description"].split()), p["id"]))
    ]
    ideal = {q: sorted(grades, key=lambda pid: (-grades[pid], pid)) for q, grades in quality.qrels.items()}
    bm25_rankings = {q: bm25.rank(text) for q, text in quality.queries}
    baselines = {
        "ideal order (ceiling)": evaluate(ideal, quality.qrels),
        "random order (mean of 20 shuffles, seed 7)": random_baseline(quality),
        "longest posting first (query-independent)": ranked_by(quality, lambda _: longest),
        "plain BM25 (white-space tokens; title + description vs whole resume)": evaluate(
            bm25_rankings, quality.qrels
        ),
    }
    with tempfile.TemporaryDirectory(prefix="jobfirst-match-quality-") as folder:
        catalog, engine, imported = await catalog_of(quality, Path(folder) / "jobs.db")
        try:
            runs, checks = await rankings(quality, catalog)
            stored = await catalog.postings([p["id"] for p in quality.postings])
        finally:
            await engine.dispose()
    matcher = {name: evaluate(ranking, quality.qrels) for name, ranking in runs.items()}
    ideal_top = {q: ids[:TOP] for q, ids in ideal.items()}
    shown = {k: runs[k] for k in ("service", "retrieval", "score_nothing_asked_earns_0")}
    diagnostics = top_postings({**shown, "ideal": ideal_top}, {pid: f for pid, (_, f) in stored.items()})
    comparisons = {
        "service vs plain BM25": paired(runs["service"], bm25_rankings, quality),
        "service vs retrieval order": paired(runs["service"], runs["retrieval"], quality),
        "nothing asked earns 0 vs service": paired(
            runs["score_nothing_asked_earns_0"], runs["service"], quality
        ),
        "retrieval order vs plain BM25": paired(runs["retrieval"], bm25_rankings, quality),
        "retrieval order vs its BM25 alone": paired(runs["retrieval"], runs["retrieval_bm25"], quality),
        **{
            f"service vs without {part}": paired(runs["service"], runs[f"without_{part}"], quality)
            for part in PARTS
        },
    }
    return {
        "code": code(),
        "set": statistics_of(quality),
        "set_build_seconds": round(build_seconds, 2),
        "imported": imported,
        "checks": checks,
        "baselines": baselines,
        "matcher": matcher,
        "paired_ndcg@10": comparisons,
        "top_10_postings_ask": diagnostics,
    }


def main() -> int:
    result = asyncio.run(run())
    for title, table in (("baselines", result["baselines"]), ("matcher and ablations", result["matcher"])):
        print(f"\n{title}:\n{'ranking':<70} nDCG@10  recall@10  MRR@10")
        for name, metrics in table.items():
            ndcg, recall, mrr = metrics["ndcg@10"], metrics["recall@10"], metrics["mrr@10"]
            print(f"{name:<70} {ndcg:.3f}    {recall:.3f}      {mrr:.3f}")
    print("\npaired nDCG@10 differences:")
    for name, row in result["paired_ndcg@10"].items():
        print(f"  {name:<40} {json.dumps(row)}")
    print("\nwhat the postings in each top 10 ask:")
    for name, row in result["top_10_postings_ask"].items():
        print(f"  {name:<40} {json.dumps(row)}")
    print(f"\nchecks: {json.dumps(result['checks'])}")
    path = write_result("match_quality", result)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
