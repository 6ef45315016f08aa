"""Probe of the match index's design: build time, memory and search latency on synthetic postings.

Not the matching benchmark (that one uses realistic postings): this one only guides the index's design.
Postings are random mixes of terms with a Zipf distribution (exponent 1.1) over a vocabulary of Chinese
words (the shipped `zh_words.txt`) and English words and skill forms (`skills.tsv`), 40–180 distinct terms
each (mean ~110, about what `term_counts` gives for a 300–600 character posting), 3–15 skills from the
skill dictionary, a city, tags and a salary range (none for a fifth). `--vocabulary 500` gives the stress
case of a tiny vocabulary (every term in a large share of postings). Queries are resume-sized: ~150
distinct terms from the same distribution, 10–25 skills. Fixed seed.

`--jsonl PATH` reads postings written by `bench/match_data.py` instead (terms: `term_counts` of title and
description; skills: the dictionary's matches in them), and the queries are real resumes: the English ones
of ../shared/data/dotin-resume-en and the Chinese fixtures of tests/fixtures, read the same way.

Run: `.venv/bin/python bench/match_index_probe.py [--postings 100000] [--queries 200] [--jsonl PATH]`
(writes bench/results/match_index_probe_*.json).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from common import ROOT, shared_data, write_result
from jobfirst_ai.engine.match_index import IndexedPosting, MatchFilter, MatchIndex, PostingFields
from jobfirst_ai.engine.skills import SkillDictionary, find_skills, load_skill_dictionary
from jobfirst_ai.engine.tokens import term_counts

DATA = ROOT / "src" / "jobfirst_ai" / "data"
CITIES = ("北京", "上海", "深圳", "广州", "杭州", "成都", "Beijing", "Shanghai", "Remote", "Singapore")
TAGS = ("remote", "full-time", "part-time", "internship", "五险一金", "双休", "急招", "外企")


def rss_mb() -> float:
    """Resident memory of this process now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def peak_mb() -> float:
    """The highest resident memory of this process so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def vocabulary(size: int) -> tuple[list[str], list[str]]:
    """Terms (Chinese words and English words/skill forms, shuffled) and canonical skill names."""
    zh = [line.split(" ")[0] for line in (DATA / "zh_words.txt").read_text("utf-8").splitlines()[4:]]
    english: list[str] = []
    skills: list[str] = []
    for line in (DATA / "skills.tsv").read_text("utf-8").splitlines():
        if line.startswith(("#", "name\t")):
            continue
        name, category, _, forms = line.split("\t")
        if category != "block":
            skills.append(name)
        english.extend(form.lstrip("~=!").lower() for form in forms.split("|") if form.isascii())
    words = sorted({*zh[: size * 6 // 10], *english[: size * 4 // 10]})
    np.random.default_rng(7).shuffle(words)
    return words[:size], skills


def draw(rng: np.random.Generator, size: int, count: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    """`count` distinct Zipf-distributed ranks below `size`."""
    ranks = np.unique(rng.zipf(1.1, count * 3) - 1)
    ranks = ranks[ranks < size]
    return rng.permutation(ranks)[:count]


def postings(count: int, words: list[str], skills: list[str], seed: int) -> list[IndexedPosting]:
    """Synthetic postings with terms, skills and filter fields."""
    rng = np.random.default_rng(seed)
    made = []
    for number in range(count):
        ranks = draw(rng, len(words), int(rng.integers(40, 181)))
        tfs = rng.geometric(0.6, len(ranks))
        terms = {words[rank]: int(tf) for rank, tf in zip(ranks.tolist(), tfs.tolist(), strict=True)}
        chosen = [skills[rank] for rank in draw(rng, len(skills), int(rng.integers(3, 16))).tolist()]
        low = int(rng.integers(5, 40)) * 1000
        fields = PostingFields(
            location=CITIES[int(rng.integers(len(CITIES)))],
            tags=tuple(TAGS[i] for i in rng.choice(len(TAGS), int(rng.integers(0, 3)), replace=False)),
            salary_min=None if rng.random() < 0.2 else low,
            salary_max=None if rng.random() < 0.2 else low + 10000,
        )
        made.append(IndexedPosting(f"p{number:07d}", terms, chosen, fields))
    return made


def queries(count: int, words: list[str], skills: list[str]) -> list[tuple[dict[str, int], list[str]]]:
    """Resume-sized queries: ~150 distinct terms, 10–25 skills."""
    rng = np.random.default_rng(99)
    made = []
    for _ in range(count):
        ranks = draw(rng, len(words), 150)
        terms = {
            words[rank]: int(tf)
            for rank, tf in zip(ranks.tolist(), rng.geometric(0.5, len(ranks)), strict=True)
        }
        made.append((terms, [skills[rank] for rank in draw(rng, len(skills), int(rng.integers(10, 26)))]))
    return made


@cache
def dictionary() -> SkillDictionary:
    """The shipped skill dictionary, once per process."""
    return load_skill_dictionary()


def read_text(text: str) -> tuple[dict[str, int], list[str]]:
    """Terms and canonical skills of a posting's or a resume's text."""
    return term_counts(text), [match.name for match in find_skills(text, dictionary())]


def read_postings(path: Path, count: int) -> list[IndexedPosting]:
    """Postings of a `bench/match_data.py` file, read in two processes."""
    rows = [json.loads(line) for _, line in zip(range(count), path.open(encoding="utf-8"), strict=False)]
    texts = [f"{row['title']}\n{row['description']}" for row in rows]
    with ProcessPoolExecutor(2) as pool:
        read = list(pool.map(read_text, texts, chunksize=500))
    return [
        IndexedPosting(
            row["id"],
            terms,
            skills,
            PostingFields(row["location"], tuple(row["tags"]), row["salary_min"], row["salary_max"]),
        )
        for row, (terms, skills) in zip(rows, read, strict=True)
    ]


def resumes(count: int) -> list[tuple[dict[str, int], list[str]]]:
    """Real resumes as queries: English (dotin) and Chinese (the fixtures), read like postings."""
    lines = (shared_data() / "dotin-resume-en" / "train_spans.jsonl").read_text("utf-8").splitlines()
    english = [json.loads(line)["text"] for line in lines if line]
    fixtures = sorted((ROOT / "tests" / "fixtures").glob("resume_zh_*.txt"))
    chinese = [
        path.read_text("utf-8") for path in fixtures if path.stem[10:] not in {"gbk", "gb18030", "utf16"}
    ]
    texts = [*english[: count - count // 4], *(chinese * count)[: count // 4]]
    return [read_text(text) for text in texts]


def latency(run: Callable[[], object], repeats: int) -> dict[str, float]:
    """p50 / p95 / max of `run` in milliseconds."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "max_ms": round(timings[-1], 2),
    }


def searcher(
    index: MatchIndex, asked: list[tuple[dict[str, int], list[str]]], limit: int, where: MatchFilter | None
) -> Callable[[], object]:
    """A call that searches the next query each time."""
    iterator = iter(asked * 2)
    return lambda: index.search(*next(iterator), limit=limit, where=where)


def searches(index: MatchIndex, asked: list[tuple[dict[str, int], list[str]]]) -> dict[str, Any]:
    """Search latency at the depths the service uses, with and without a filter."""
    nearby = MatchFilter(locations=("北京", "beijing"), salary_min=15000)
    results: dict[str, Any] = {}
    for name, limit, where in (("top100", 100, None), ("top10", 10, None), ("top100_filtered", 100, nearby)):
        results[name] = latency(searcher(index, asked, limit, where), len(asked))
    sizes = [len(index.search(terms, chosen, limit=100)) for terms, chosen in asked[:20]]
    results["hits_per_query"] = statistics.mean(sizes)
    return results


def writes(index: MatchIndex, extra: list[IndexedPosting]) -> dict[str, Any]:
    """Latency of single adds, removes and of the compaction a full delta triggers."""
    adds = iter(extra)
    add = latency(lambda: index.add(*next(adds)), len(extra) - 1)
    started = time.perf_counter()
    index.add(*extra[-1])  # the delta_limit-th add compacts
    compact_ms = (time.perf_counter() - started) * 1000
    removes = iter(posting.key for posting in extra[: len(extra) // 2])
    remove = latency(lambda: index.remove(next(removes)), len(extra) // 2)
    return {"add": add, "remove": remove, "compaction_ms": round(compact_ms, 1)}


def main() -> None:
    """Build, measure, print, save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--vocabulary", type=int, default=30_000)
    parser.add_argument(
        "--jsonl", type=Path, help="postings of bench/match_data.py instead of synthetic ones"
    )
    arguments = parser.parse_args()
    words, skills = vocabulary(arguments.vocabulary)
    if arguments.jsonl:
        made = read_postings(arguments.jsonl, arguments.postings)
        asked = resumes(arguments.queries)
    else:
        made = postings(arguments.postings, words, skills, seed=1)
        asked = queries(arguments.queries, words, skills)
    extra = made[-2000:] if arguments.jsonl else postings(2000, words, skills, seed=2)
    gc.collect()
    before = rss_mb()
    index = MatchIndex()
    started = time.perf_counter()
    index.add_many(made)
    build_s = time.perf_counter() - started
    build_peak = peak_mb() - before
    gc.collect()
    result: dict[str, Any] = {
        "postings": len(index),
        "source": str(arguments.jsonl or f"synthetic, vocabulary {len(words)}"),
        "query_terms_mean": round(statistics.mean(len(terms) for terms, _ in asked), 1),
        "pairs": int(sum(len(posting.terms) for posting in made)),
        "build_s": round(build_s, 2),
        "memory_bytes_mb": round(index.memory_bytes() / 1e6, 1),
        "rss_delta_mb": round(rss_mb() - before, 1),
        "build_peak_over_start_mb": round(build_peak, 1),
        "search": searches(index, asked),
    }
    if arguments.jsonl:  # reading the file in worker processes leaves freed memory that the build reuses
        del result["rss_delta_mb"], result["build_peak_over_start_mb"]
    del made
    result["writes"] = writes(index, [posting._replace(key=f"x{posting.key}") for posting in extra])
    print(result)
    name = "realistic" if arguments.jsonl else f"synthetic_{arguments.vocabulary}"
    write_result(f"match_index_probe_{name}_{arguments.postings}", result)


if __name__ == "__main__":
    main()
