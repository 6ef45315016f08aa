"""The engine side of matching composed: read a posting once, retrieve candidates, score them in order.

Retrieval (the index) finds the postings worth scoring; the score (engine/match_score.py) decides the order.
The index ranks by a retrieval score, so the deepest `depth` candidates are re-scored and re-sorted by the
deterministic match score with a stable tie-break (retrieval score, then id): the same request over the
same postings gives the same list.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from jobfirst_ai.engine.match_score import score_match
from jobfirst_ai.engine.postings import read_posting
from jobfirst_ai.engine.skills import SkillDictionary
from jobfirst_ai.engine.tokens import term_counts
from jobfirst_ai.engine.types import CandidateProfile, JobFit, MatchFilter, PostingFacts, PostingFields
from jobfirst_ai.features.matching.schemas import JobIn, JobSummary, MatchFilters

if TYPE_CHECKING:  # the index's module loads numpy (~20 MB): only a process that matches pays for it
    from jobfirst_ai.engine.match_index import IndexHit, MatchIndex

# How many retrieved postings are re-scored; results beyond the first `depth` by retrieval never show.
MIN_DEPTH = 100
DEPTH_PER_RESULT = 10


# Semantic similarity in [0, 1] of the resume to each of these posting keys.
SemanticHook = Callable[[Sequence[str]], Awaitable[Mapping[str, float]]]


@dataclass(frozen=True)
class PreparedPosting:
    """A posting with the engine's reading of it: what the database stores beside the posting itself."""

    key: str
    facts: PostingFacts
    terms: dict[str, int]
    fields: PostingFields


@dataclass(frozen=True)
class Ranked:
    """One scored posting."""

    summary: JobSummary
    facts: PostingFacts
    fit: JobFit
    hit: IndexHit | None = None


class PostingSource(Protocol):
    """The match index and where the shown fields and facts of retrieved postings come from."""

    @property
    def index(self) -> MatchIndex:
        """The index of the live postings."""
        ...

    async def postings(self, keys: Sequence[str]) -> Mapping[str, tuple[JobSummary, PostingFacts]]:
        """Summary and facts of each key that still exists."""
        ...


def prepare_posting(job: JobIn, key: str, dictionary: SkillDictionary) -> PreparedPosting:
    """Read a posting with the engine, and count its terms for the index."""
    facts = read_job(job, dictionary)
    return PreparedPosting(key, facts, term_counts(f"{job.title}\n{job.description}"), posting_fields(job))


def read_job(job: JobIn, dictionary: SkillDictionary) -> PostingFacts:
    """The engine's reading of a posting; given skills, years and education win over what the text says."""
    return read_posting(
        job.title,
        job.description,
        dictionary,
        required=job.required_skills,
        preferred=job.preferred_skills,
        years_min=job.years_min,
        education_level=job.education,
    )


def posting_fields(job: JobIn) -> PostingFields:
    """The fields result filters look at."""
    return PostingFields(
        location=job.location, tags=tuple(job.tags), salary_min=job.salary_min, salary_max=job.salary_max
    )


def index_skills(facts: PostingFacts) -> list[str]:
    """The skills a posting is indexed under: required, then preferred."""
    return [*facts.required_skills, *facts.preferred_skills]


def match_filter(filters: MatchFilters) -> MatchFilter | None:
    """The index's filter for a request's filters (None when nothing is asked)."""
    if not (
        filters.locations or filters.tags or filters.salary_min is not None or filters.salary_max is not None
    ):
        return None
    return MatchFilter(
        locations=tuple(filters.locations),
        tags=tuple(filters.tags),
        salary_min=filters.salary_min,
        salary_max=filters.salary_max,
    )


async def rank(
    source: PostingSource,
    candidate: CandidateProfile,
    resume_text: str,
    *,
    top_k: int,
    where: MatchFilter | None = None,
    semantic: SemanticHook | None = None,
) -> tuple[list[Ranked], int]:
    """The `top_k` best postings for the resume, and how many the index retrieved.

    With `semantic`, every candidate gets the semantic part (0 for one that could not be embedded), so all
    scores of one list come from the same formula.
    """
    depth = max(MIN_DEPTH, top_k * DEPTH_PER_RESULT)
    hits = source.index.search(term_counts(resume_text), candidate.skills, limit=depth, where=where)
    loaded = await source.postings([hit.key for hit in hits])
    similar = await semantic([hit.key for hit in hits if hit.key in loaded]) if semantic else None

    def fit(hit: IndexHit, facts: PostingFacts) -> JobFit:
        meaning = similar.get(hit.key, 0.0) if similar is not None else None
        return score_match(candidate, facts, text_similarity=hit.similarity, semantic_similarity=meaning)

    ranked = [
        Ranked(summary, facts, fit(hit, facts), hit)
        for hit in hits
        if hit.key in loaded
        for summary, facts in (loaded[hit.key],)
    ]
    ranked.sort(key=lambda item: (-item.fit.score, -(item.hit.score if item.hit else 0.0), item.summary.id))
    return ranked[:top_k], len(hits)
