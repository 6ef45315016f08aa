"""Job matching at 100k stored postings: import speed, index build time and memory, `match` latency.

1. **Import.** `bench/match_data.py` generates the postings (seed 7) into a JSON Lines file in a temporary
   folder; they are imported into a fresh SQLite database there the way `jobfirst-ai jobs import` does it
   (`parse_rows` → `JobCatalog.import_rows` with a `ParallelPreparer`: two worker processes read the
   postings; one transaction). The import is timed in its parts: reading and validating rows, the engine's
   reading of postings (worker processes), the database writes, and the index refresh `import_rows` ends
   with.
2. **Restart.** A fresh interpreter (what a service restart is) applies `return_freed_memory()` as `serve`
   does, opens the same database and times a new `JobCatalog`'s `refresh(force=True)`: every stored row
   into the match index, no text read again. RSS before and after, the peak, and `index.memory_bytes()`.
3. **Latency**, in that same process: `MatchService.match` with no model (`top_k=10`, `explain=True`, so
   the engine's explanations are written) for the 307 dotin resumes and the project's six Chinese text
   fixtures (each 16 times), shuffled with a fixed seed, after 20 warm-up requests; each resume is asked
   once without and once with a location filter (上海), in turn. The collector's pauses are recorded. The
   same pass runs again after `gc.freeze()` (what freezing the start-up objects would change; the service
   does not do it). Then the steps of one request are timed one by one (those of `MatchService.match` and
   `ranker.rank`, replicated), one pass of `match` runs under cProfile, and one more restart's build.
   Each phase records how busy the rest of the machine was (`other_work_cores_busy`, from /proc/stat).

Run: `.venv/bin/python bench/match_latency.py` (~5 min on 2 cores; writes bench/results/match_latency.json
and bench/results/match_latency_profile.txt). `--postings 20000` for a quick run.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import ctypes
import gc
import io
import json
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from common import RESULTS, ROOT, code, machine, shared_data, write_result
from jobfirst_ai.cli.main import return_freed_memory
from jobfirst_ai.db import jobs as job_queries
from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.session import create_engine, create_session_factory
from jobfirst_ai.engine.analyze import read_findings
from jobfirst_ai.engine.match_score import candidate_from_findings, score_match
from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.engine.tokens import term_counts
from jobfirst_ai.features.matching.catalog import JobCatalog
from jobfirst_ai.features.matching.explain import engine_explanations
from jobfirst_ai.features.matching.importer import ParsedRow, parse_rows
from jobfirst_ai.features.matching.ranker import MIN_DEPTH, Ranked
from jobfirst_ai.features.matching.schemas import JobIn, MatchFilters, MatchRequest, MatchResponse
from jobfirst_ai.features.matching.service import MatchService
from jobfirst_ai.features.matching.workers import ParallelPreparer
from jobfirst_ai.features.resume.service import Limits, ResumeInput, prepare_resume
from match_data import generate_postings, write_jsonl

FIXTURES = ROOT / "tests" / "fixtures"
LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_chars=200_000)  # the service's defaults
TODAY = date(2026, 11, 24)
WARMUP = 20
ZH_REPEATS = 16
FILTER = MatchFilters(locations=["上海"])
T = TypeVar("T")


# ------------------------------------------------------------------------------------------ helpers


def rss_mb() -> float:
    """Resident memory of this process now (MB)."""
    with open("/proc/self/statm") as statm:
        return round(int(statm.read().split()[1]) * resource.getpagesize() / 1e6, 1)


def peak_mb() -> float:
    """The highest resident memory of this process so far (MB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3, 1)


def load() -> list[float]:
    """The machine's load averages (1, 5, 15 minutes): other work on the 2 cores shows here."""
    return [round(value, 2) for value in os.getloadavg()]


class OtherWork:
    """CPU the rest of the machine used while a phase ran (cores busy, from /proc/stat, minus this
    process and its reaped children): the figures are only as clean as this is close to 0."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.busy = self._busy_seconds()
        self.own = self._own_seconds()

    @staticmethod
    def _busy_seconds() -> float:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own_seconds() -> float:
        own = resource.getrusage(resource.RUSAGE_SELF)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    def cores_busy(self) -> float:
        elapsed = time.perf_counter() - self.started
        other = (self._busy_seconds() - self.busy) - (self._own_seconds() - self.own)
        return round(max(other, 0.0) / elapsed, 2)


class GcPauses:
    """Durations of the garbage collector's runs, by generation, while installed."""

    def __init__(self) -> None:
        self.pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append((time.perf_counter() - self._started) * 1000)

    def summary(self) -> dict[str, Any]:
        return {
            f"generation_{generation}": {
                "runs": len(values),
                "max_ms": round(max(values, default=0.0), 2),
                "total_ms": round(sum(values), 1),
            }
            for generation, values in self.pauses.items()
        }


def percentiles(values: Sequence[float]) -> dict[str, float]:
    """n, p50, p95, p99, max and mean of milliseconds (nearest-rank percentiles)."""
    ordered = sorted(values)

    def rank(share: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, int(share * len(ordered) + 0.999999) - 1))]

    return {
        "n": len(ordered),
        "p50": round(statistics.median(ordered), 2),
        "p95": round(rank(0.95), 2),
        "p99": round(rank(0.99), 2),
        "max": round(ordered[-1], 2),
        "mean": round(statistics.fmean(ordered), 2),
    }


def db_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def db_bytes(path: Path) -> int:
    """The database file with its WAL and shared-memory files."""
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


class Stopwatch:
    """Adds up the time spent in wrapped calls and iterator steps."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def iterate(self, items: Iterable[T]) -> Iterator[T]:
        iterator = iter(items)
        while True:
            started = time.perf_counter()
            try:
                item = next(iterator)
            except StopIteration:
                self.seconds += time.perf_counter() - started
                return
            self.seconds += time.perf_counter() - started
            yield item

    def wrap(self, function: Callable[..., T]) -> Callable[..., T]:
        def timed(*args: Any, **kwargs: Any) -> T:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed

    def wrap_async(self, function: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
        async def timed(*args: Any, **kwargs: Any) -> T:
            started = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed


# ------------------------------------------------------------------------------------------- import


async def import_postings(jsonl: Path, database: Path) -> dict[str, Any]:
    """`jobfirst-ai jobs import` of the file into a fresh database (the lines of `cli.jobs._import_into`,
    without the progress bar), timed in parts."""
    engine = create_engine(db_url(database))
    try:
        await upgrade_database(engine)
        catalog = JobCatalog(create_session_factory(engine), load_skill_dictionary())
        await catalog.refresh(force=True)
        reading, preparing, refreshing = Stopwatch(), Stopwatch(), Stopwatch()
        original_refresh = catalog.refresh

        async def timed_refresh(*, force: bool = False) -> int:
            started = time.perf_counter()
            applied = await original_refresh(force=force)
            refreshing.seconds += time.perf_counter() - started
            return applied

        catalog.refresh = timed_refresh  # type: ignore[method-assign]
        other = OtherWork()
        started = time.perf_counter()
        with ParallelPreparer() as pool, jsonl.open(encoding="utf-8-sig", newline="") as lines:

            async def prepare(items: Sequence[JobIn]) -> Any:
                begun = time.perf_counter()
                prepared = await pool(items)
                preparing.seconds += time.perf_counter() - begun
                return prepared

            rows: Iterable[ParsedRow] = reading.iterate(parse_rows(lines, "jsonl"))
            report = await catalog.import_rows(rows, prepare=prepare)
        seconds = time.perf_counter() - started
    finally:
        await engine.dispose()
    writes = seconds - reading.seconds - preparing.seconds - refreshing.seconds
    return {
        "imported": report.imported,
        "rejected": len(report.rejected),
        "seconds": round(seconds, 1),
        "postings_per_second": round(report.imported / seconds),
        "parts_seconds": {
            "read_and_validate_rows": round(reading.seconds, 1),
            "engine_reading_in_2_worker_processes": round(preparing.seconds, 1),
            "database_writes_and_commit": round(writes, 1),
            "index_refresh_at_the_end": round(refreshing.seconds, 1),
        },
        "without_index_refresh_postings_per_second": round(report.imported / (seconds - refreshing.seconds)),
        "other_work_cores_busy": other.cores_busy(),
        "database_bytes": db_bytes(database),
        "jsonl_bytes": jsonl.stat().st_size,
    }


# ----------------------------------------------------------------------------------- resumes to ask


def resumes() -> list[tuple[str, str, str]]:
    """(language, name, text): the 307 dotin resumes and the six Chinese text fixtures, 16 times each,
    shuffled with a fixed seed."""
    lines = (shared_data() / "dotin-resume-en" / "train_spans.jsonl").read_text("utf-8").splitlines()
    english = [("en", Path(row["file"]).stem, row["text"]) for row in map(json.loads, filter(None, lines))]
    chinese = [
        ("zh", path.name, path.read_text("utf-8"))
        for path in sorted(FIXTURES.glob("resume_zh_*.*"))
        if path.suffix in (".md", ".txt") and not any(k in path.name for k in ("gbk", "gb18030", "utf16"))
    ]
    asked = english + chinese * ZH_REPEATS
    random.Random(7).shuffle(asked)
    return asked


# ------------------------------------------------------------------------------------------ restart


async def restart_and_measure(database: Path) -> dict[str, Any]:
    """In a fresh interpreter: the index build a restart does, its memory, then `match` latency."""
    return_freed_memory()  # as `serve` does before anything else
    engine = create_engine(db_url(database))
    result: dict[str, Any] = {}
    try:
        catalog = JobCatalog(create_session_factory(engine), load_skill_dictionary())
        catalog.index  # noqa: B018 - loads numpy and the index's modules before the "before" reading
        async with catalog.sessions() as session:  # opens the connection too
            await session.connection()
        gc.collect()
        arenas_before = pymalloc_arenas()
        result["index_build"] = await build(catalog)
        result["index_build"]["pymalloc_arenas_before_after"] = [arenas_before, pymalloc_arenas()]
        print(json.dumps(result["index_build"]), flush=True)
        result["latency"] = await latency(catalog)
        result["rss_after_requests_mb"] = rss_mb()
        gc.freeze()  # what if the service froze its start-up objects out of the collector's way
        result["latency_after_gc_freeze"] = await latency(catalog)
        gc.unfreeze()
        result["parts"] = await parts(catalog)
        result["profile"] = await profile(catalog)
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # diagnostic: how much of the RSS is freed heap glibc kept
        result["rss_after_requests_and_malloc_trim_mb"] = rss_mb()
        result["build_profile"] = await profile_build(engine)
    finally:
        await engine.dispose()
    return result


async def build(catalog: JobCatalog) -> dict[str, Any]:
    """`refresh(force=True)` of a new catalog, timed in parts (through wrappers: a few dozen calls)."""
    reading, applying, adding = Stopwatch(), Stopwatch(), Stopwatch()
    original = job_queries.changes_since
    job_queries.changes_since = reading.wrap_async(original)
    catalog._apply = applying.wrap(catalog._apply)  # type: ignore[method-assign]
    catalog.index.add_many = adding.wrap(catalog.index.add_many)  # type: ignore[method-assign]
    before, load_before, other = rss_mb(), load(), OtherWork()
    started = time.perf_counter()
    try:
        applied = await catalog.refresh(force=True)
    finally:
        job_queries.changes_since = original
    seconds = time.perf_counter() - started
    del catalog._apply, catalog.index.add_many
    peak = peak_mb()
    gc.collect()
    after = rss_mb()
    return {
        "postings": applied,
        "seconds": round(seconds, 2),
        "postings_per_second": round(applied / seconds),
        "parts_seconds": {
            "reading_rows (SQL, JSON columns decoded)": round(reading.seconds, 2),
            "facts validation and posting tuples": round(applying.seconds - adding.seconds, 2),
            "MatchIndex.add_many": round(adding.seconds, 2),
        },
        "rss_before_mb": before,
        "rss_after_mb": after,
        "rss_added_mb": round(after - before, 1),
        "rss_peak_mb": peak,
        "peak_over_before_mb": round(peak - before, 1),
        "index_memory_bytes_mb": round(catalog.index.memory_bytes() / 1e6, 1),
        "load_average_before": load_before,
        "other_work_cores_busy": other.cores_busy(),
    }


def pymalloc_arenas() -> int:
    """How many arenas Python's small-object allocator holds (each 1 MiB; one live object pins one)."""
    read, write = os.pipe()
    saved = os.dup(2)
    os.dup2(write, 2)
    try:
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(write)
    with os.fdopen(read) as text:
        for line in text:
            if line.startswith("# arenas allocated current"):
                return int(line.split("=")[1].replace(",", ""))
    return -1


def service_of(catalog: JobCatalog) -> MatchService:
    return MatchService(catalog, limits=LIMITS, today=lambda: TODAY)


async def timed_match(service: MatchService, text: str, filters: MatchFilters) -> tuple[float, MatchResponse]:
    request = MatchRequest(content=text, top_k=10, explain=True, filters=filters)
    started = time.perf_counter()
    response = await service.match("bench", request)
    return (time.perf_counter() - started) * 1000, response


async def latency(catalog: JobCatalog) -> dict[str, Any]:
    """`match` with and without the filter, each resume in turn; split by the resume's language."""
    service = service_of(catalog)
    asked = resumes()
    for _, _, text in asked[:WARMUP]:
        await timed_match(service, text, MatchFilters())
        await timed_match(service, text, FILTER)
    samples: dict[str, dict[str, list[float]]] = {}
    results, filtered_results, candidates = [], [], []
    load_before, other, pauses = load(), OtherWork(), GcPauses()
    gc.callbacks.append(pauses)
    cpu_before = time.process_time()
    started = time.perf_counter()
    for language, _, text in asked:
        for kind, filters in (("unfiltered", MatchFilters()), ("filtered", FILTER)):
            wall, response = await timed_match(service, text, filters)
            for key in (kind, f"{kind}_{language}"):
                bucket = samples.setdefault(key, {"wall": [], "total": [], "rank": [], "outside_rank": []})
                bucket["wall"].append(wall)
                bucket["total"].append(response.timings_ms["total"])
                bucket["rank"].append(response.timings_ms["rank"])
                bucket["outside_rank"].append(response.timings_ms["total"] - response.timings_ms["rank"])
            (results if kind == "unfiltered" else filtered_results).append(len(response.results))
            if kind == "unfiltered":
                candidates.append(response.candidates)
    elapsed = time.perf_counter() - started
    gc.callbacks.remove(pauses)
    return {
        "requests": 2 * len(asked),
        "seconds": round(elapsed, 1),
        "gc_during_requests": pauses.summary(),
        "resumes": {"en": sum(1 for a in asked if a[0] == "en"), "zh": sum(1 for a in asked if a[0] == "zh")},
        "warmup_requests": 2 * WARMUP,
        "filter": FILTER.model_dump(exclude_defaults=True),
        "cpu_share_of_wall": round((time.process_time() - cpu_before) / elapsed, 2),
        "load_average_before": load_before,
        "load_average_after": load(),
        "other_work_cores_busy": other.cores_busy(),
        "results_per_request_min": {"unfiltered": min(results), "filtered": min(filtered_results)},
        "candidates_retrieved_mean": round(statistics.fmean(candidates), 1),
        "ms": {
            key: {part: percentiles(values) for part, values in bucket.items()}
            for key, bucket in sorted(samples.items())
        },
    }


# ---------------------------------------------------------------------------- parts of one request


async def parts(catalog: JobCatalog) -> dict[str, Any]:
    """The steps of `MatchService.match` / `ranker.rank` (no filter), replicated and timed one by one, for
    every resume once (the Chinese fixtures 16 times), split by the resume's language; the collector is
    frozen as in the pass before, so a pause does not land in one step's tail."""
    dictionary = catalog.dictionary
    steps: dict[str, dict[str, list[float]]] = {}

    def note(language: str, name: str, started: float) -> float:
        now = time.perf_counter()
        for key in ("all", language):
            steps.setdefault(key, {}).setdefault(name, []).append((now - started) * 1000)
        return now

    gc.freeze()
    for language, _, text in resumes():
        clock = time.perf_counter()
        checked = prepare_resume(ResumeInput(text=text), LIMITS).text
        clock = note(language, "prepare_resume (checks on pasted text)", clock)
        findings = read_findings(checked, dictionary, TODAY)
        candidate = candidate_from_findings(findings)
        clock = note(language, "read_findings + candidate_from_findings", clock)
        query = term_counts(checked)
        clock = note(language, "term_counts of the resume", clock)
        hits = catalog.index.search(query, candidate.skills, limit=MIN_DEPTH)
        clock = note(language, "index.search (limit 100)", clock)
        loaded = await catalog.postings([hit.key for hit in hits])
        clock = note(language, "catalog.postings (100 rows: SQL + PostingFacts validation)", clock)
        ranked = [
            Ranked(summary, facts, score_match(candidate, facts, text_similarity=hit.similarity), hit)
            for hit in hits
            if hit.key in loaded
            for summary, facts in (loaded[hit.key],)
        ]
        clock = note(language, "score_match x 100", clock)
        ranked.sort(
            key=lambda item: (-item.fit.score, -(item.hit.score if item.hit else 0.0), item.summary.id)
        )
        engine_explanations(ranked[:10], findings.language, dictionary)
        note(language, "engine_explanations (top 10)", clock)
    gc.unfreeze()
    return {
        language: {name: percentiles(values) for name, values in by_step.items()}
        for language, by_step in steps.items()
    }


async def profile(catalog: JobCatalog, count: int = 150) -> dict[str, Any]:
    """One pass of `match` (no filter) under cProfile: the top functions by cumulative time."""
    service = service_of(catalog)
    asked = resumes()[:count]
    profiler = cProfile.Profile()
    profiler.enable()
    for _, _, text in asked:
        await timed_match(service, text, MatchFilters())
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(60)
    stats.sort_stats("tottime").print_stats(30)
    (RESULTS / "match_latency_profile.txt").write_text(
        f"cProfile of {count} MatchService.match calls (top_k 10, explain, no filter, no model)\n"
        + out.getvalue()
    )
    per_call: dict[str, float] = {}
    wanted: dict[str, Callable[[tuple[str, int, str]], bool]] = {
        "match (whole)": lambda f: f[2] == "match" and f[0].endswith("matching/service.py"),
        "read_findings": lambda f: f[2] == "read_findings",
        "rank": lambda f: f[2] == "rank" and f[0].endswith("ranker.py"),
        "MatchIndex.search": lambda f: f[2] == "search" and f[0].endswith("match_index.py"),
        "JobCatalog.postings": lambda f: f[2] == "postings" and f[0].endswith("catalog.py"),
        "PostingFacts.model_validate": lambda f: f[2] == "model_validate",
        "score_match": lambda f: f[2] == "score_match",
        "engine_explanations": lambda f: f[2] == "engine_explanations",
        "term_counts": lambda f: f[2] == "term_counts",
    }
    for function, (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        for name, matches in wanted.items():
            if matches(function):
                per_call[name] = per_call.get(name, 0.0) + cumulative * 1000 / count
    return {"requests": count, "cumulative_ms_per_request": {k: round(v, 2) for k, v in per_call.items()}}


async def profile_build(engine: Any) -> dict[str, Any]:
    """A second restart's `refresh(force=True)` under cProfile: where the build time goes."""
    catalog = JobCatalog(create_session_factory(engine), load_skill_dictionary())
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    await catalog.refresh(force=True)
    profiler.disable()
    seconds = time.perf_counter() - started
    stats = pstats.Stats(profiler)
    wanted = {
        "refresh (whole, profiled)": ("catalog.py", "refresh"),
        "reading rows (changes_since: SQL, JSON columns)": ("jobs.py", "changes_since"),
        "JobCatalog._apply (facts validation + index)": ("catalog.py", "_apply"),
        "PostingFacts.model_validate": ("main.py", "model_validate"),
        "MatchIndex.add_many": ("match_index.py", "add_many"),
        "match_index._vector (term hashes)": ("match_index.py", "_vector"),
        "MatchIndex._compact (merge)": ("match_index.py", "_compact"),
        "json.loads": ("__init__.py", "loads"),
    }
    found: dict[str, float] = {}
    for (filename, _, function), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        for name, (file_end, wanted_function) in wanted.items():
            if function == wanted_function and filename.endswith(file_end):
                found[name] = max(found.get(name, 0.0), cumulative)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
    with (RESULTS / "match_latency_profile.txt").open("a") as text:
        text.write(f"\n\ncProfile of a restart's refresh(force=True) over {catalog.size} postings\n")
        text.write(out.getvalue())
    cumulative = {k: round(v, 2) for k, v in found.items()}
    return {"seconds_profiled": round(seconds, 1), "cumulative_seconds": cumulative}


# --------------------------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--restart", type=Path, help=argparse.SUPPRESS)  # the child's database
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)  # the child's result file
    arguments = parser.parse_args()
    if arguments.restart:
        arguments.out.write_text(json.dumps(asyncio.run(restart_and_measure(arguments.restart))))
        return 0
    result: dict[str, Any] = {"postings": arguments.postings, "code": code(), "load_average_start": load()}
    with tempfile.TemporaryDirectory(prefix="jobfirst-match-bench-") as folder:
        jsonl, database, child = Path(folder) / "postings.jsonl", Path(folder) / "jobs.db", Path(folder) / "r"
        started = time.perf_counter()
        languages = write_jsonl(generate_postings(arguments.postings), jsonl)
        result["generation_seconds"] = round(time.perf_counter() - started, 1)
        result["languages"] = dict(languages)
        result["import"] = asyncio.run(import_postings(jsonl, database))
        result["import"]["load_average_after"] = load()
        print(json.dumps(result, ensure_ascii=False), flush=True)
        script = Path(__file__).resolve()
        command = [sys.executable, str(script), "--restart", str(database), "--out", str(child)]
        subprocess.run(command, check=True, cwd=ROOT)
        result |= json.loads(child.read_text())
    result["load_average_end"] = load()
    path = write_result("match_latency", result)
    print(json.dumps({k: v for k, v in result.items() if k != "profile"}, ensure_ascii=False, indent=2))
    print(f"machine: {machine()}\nwrote {path} and {RESULTS / 'match_latency_profile.txt'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
