"""Job matching as a service: rank stored postings for a resume, and a detailed gap for one posting.

Engine first: the resume is read, the index retrieves candidates, the deterministic score orders them and
the engine composes an explanation. Model second, when one is configured: one call explains the top
results and may nudge their scores by a bounded, visible adjustment; local checks decide what is kept.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, TypeVar

from jobfirst_ai.engine.analyze import read_findings
from jobfirst_ai.engine.match_score import candidate_from_findings, score_match
from jobfirst_ai.engine.tokens import term_counts
from jobfirst_ai.engine.types import CandidateProfile, Findings, Language
from jobfirst_ai.errors import NotFound, ProviderError
from jobfirst_ai.features.matching.catalog import JobCatalog
from jobfirst_ai.features.matching.explain import (
    Explained,
    ModelOutcome,
    Subject,
    engine_explanations,
    model_explanations,
)
from jobfirst_ai.features.matching.ranker import Ranked, SemanticHook, match_filter, prepare_posting, rank
from jobfirst_ai.features.matching.schemas import (
    CandidateSummary,
    GapRequest,
    GapResponse,
    JobIn,
    JobMatch,
    JobSummary,
    MatchRequest,
    MatchResponse,
)
from jobfirst_ai.features.resume.enrich import ModelBackend
from jobfirst_ai.features.resume.service import Limits, ResumeInput, ResumeText, prepare_resume, resume_text
from jobfirst_ai.llm.types import Usage

if TYPE_CHECKING:  # loads numpy; only a process with an embedder configured builds one
    from jobfirst_ai.features.matching.semantic import SemanticScorer

logger = logging.getLogger(__name__)

Reply = TypeVar("Reply", MatchResponse, GapResponse)

DRAFT_ID = "draft"


class MatchService:
    """Ranks postings for resumes and explains the fit."""

    def __init__(
        self,
        catalog: JobCatalog,
        limits: Limits,
        backend: ModelBackend | None = None,
        *,
        semantic: SemanticScorer | None = None,
        explain_top: int = 5,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.catalog = catalog
        self._sessions = catalog.sessions
        self._limits = limits
        self._backend = backend
        self._semantic = semantic
        self._explain_top = explain_top
        self._today = today

    async def aclose(self) -> None:
        """Close the embedder's connections, if there is one."""
        if self._semantic is not None:
            await self._semantic.aclose()

    async def text_of_upload(self, given: ResumeInput) -> str:
        """The text of an uploaded resume file (4xx for anything unreadable)."""
        return (await asyncio.to_thread(prepare_resume, given, self._limits)).text

    async def match(self, owner: str, request: MatchRequest) -> MatchResponse:
        """The best `top_k` stored postings for one resume, with scores, gaps and explanations."""
        started = time.perf_counter()
        text = (await self._resume(owner, request)).text
        findings, candidate = await self._read(text)
        language = request.language or findings.language
        await self.catalog.refresh()
        engine_started = time.perf_counter()
        meaning = _Meaning(self._semantic, text)
        where = match_filter(request.filters)
        try:
            ranked, retrieved = await rank(
                self.catalog,
                candidate,
                text,
                top_k=request.top_k,
                where=where,
                semantic=meaning.hook,
            )
        except ProviderError as error:
            meaning.failed(error)
            ranked, retrieved = await rank(self.catalog, candidate, text, top_k=request.top_k, where=where)
        engine_ms = _since(engine_started)
        explained = engine_explanations(ranked, language, self.catalog.dictionary) if request.explain else {}
        outcome = (
            await self._ask_model(ranked[: self._explain_top], candidate, text, language, owner)
            if request.explain
            else None
        )
        results = _results(ranked, explained, outcome)
        response = MatchResponse(
            results=results,
            candidates=retrieved,
            postings=self.catalog.size,
            candidate=_candidate_summary(candidate),
            language=language,
            engine="builtin",
            timings_ms={"rank": engine_ms, "total": _since(started)},
        )
        return _with_meaning(_with_model(response, outcome), meaning)

    async def gap(self, owner: str, request: GapRequest) -> GapResponse:
        """One resume against one posting (stored, or given and not stored): every gap and what to do."""
        started = time.perf_counter()
        text = (await self._resume(owner, request)).text
        findings, candidate = await self._read(text)
        language = request.language or findings.language
        meaning = _Meaning(self._semantic, text)
        ranked = await self._one(request, candidate, text, meaning)
        explained = engine_explanations([ranked], language, self.catalog.dictionary)
        outcome = await self._ask_model([ranked], candidate, text, language, owner)
        match = _results([ranked], explained, outcome)[0]
        chosen = (outcome.by_key.get(ranked.summary.id) if outcome else None) or explained[ranked.summary.id]
        response = GapResponse(
            match=match,
            required_skills=ranked.facts.required_skills,
            preferred_skills=ranked.facts.preferred_skills,
            years_asked=ranked.facts.years_min,
            education_asked=ranked.facts.education_level,
            candidate=_candidate_summary(candidate),
            advice=chosen.advice or explained[ranked.summary.id].advice,
            language=language,
            engine="builtin",
            timings_ms={"total": _since(started)},
        )
        return _with_meaning(_with_model(response, outcome), meaning)

    async def _one(
        self, request: GapRequest, candidate: CandidateProfile, text: str, meaning: _Meaning
    ) -> Ranked:
        query = term_counts(text)
        if request.job_id is not None:
            await self.catalog.refresh()
            loaded = await self.catalog.postings([request.job_id])
            if request.job_id not in loaded:
                raise NotFound(f"没有这个职位 / No job posting with id {request.job_id!r}.")
            summary, facts = loaded[request.job_id]
            similarity = self.catalog.index.similarity(query, request.job_id)
            semantic = await meaning.of_posting(request.job_id)
        else:
            job = request.job or JobIn.from_description(request.job_description or "")
            posting = await asyncio.to_thread(
                prepare_posting, job, job.id or DRAFT_ID, self.catalog.dictionary
            )
            summary, facts = _draft_summary(job, posting.key), posting.facts
            similarity = self.catalog.index.similarity_to(query, posting.terms)
            semantic = await meaning.of_text(f"{job.title}\n{job.description}")
        fit = score_match(candidate, facts, text_similarity=similarity, semantic_similarity=semantic)
        return Ranked(summary, facts, fit, None)

    async def _resume(self, owner: str, request: MatchRequest | GapRequest) -> ResumeText:
        return await resume_text(
            self._sessions,
            self._limits,
            owner,
            content=request.content,
            resume_id=request.resume_id,
            analysis_id=request.analysis_id,
        )

    async def _read(self, text: str) -> tuple[Findings, CandidateProfile]:
        findings = await asyncio.to_thread(read_findings, text, self.catalog.dictionary, self._today())
        return findings, candidate_from_findings(findings)

    async def _ask_model(
        self, ranked: Sequence[Ranked], candidate: CandidateProfile, text: str, language: Language, owner: str
    ) -> ModelOutcome | None:
        if self._backend is None or not ranked:
            return None
        try:
            subject = Subject(candidate, text, language, owner)
            return await model_explanations(self._backend, ranked, subject, self.catalog.dictionary)
        except ProviderError as error:
            logger.warning("match explanations degraded to the built-in engine: %s", error.code)
            return ModelOutcome({}, "builtin", None, None, [f"degraded: {error.code}: {error.message}"])


class _Meaning:
    """The semantic part of one request: a hook for `rank`, what it cost, and why it failed if it did."""

    def __init__(self, scorer: SemanticScorer | None, resume: str) -> None:
        self._scorer = scorer
        self._resume = resume
        self.usage: Usage | None = None
        self.problem: str | None = None
        self.hook: SemanticHook | None = self._similarities if scorer is not None else None

    async def _similarities(self, keys: Sequence[str]) -> Mapping[str, float]:
        assert self._scorer is not None
        result = await self._scorer.similarities(self._resume, keys)
        self.usage = result.usage
        return result.by_key

    def failed(self, error: ProviderError) -> None:
        logger.warning("semantic similarity left out: embeddings failed: %s", error.code)
        self.problem = f"embeddings {error.code}: {error.message}"

    async def of_posting(self, key: str) -> float | None:
        """Similarity to one stored posting (None: no embedder, or it failed)."""
        if self.hook is None:
            return None
        try:
            return (await self.hook([key])).get(key, 0.0)
        except ProviderError as error:
            self.failed(error)
            return None

    async def of_text(self, text: str) -> float | None:
        """Similarity to a posting that is not stored (None: no embedder, or it failed)."""
        if self._scorer is None:
            return None
        try:
            result = await self._scorer.similarity_to_text(self._resume, text)
        except ProviderError as error:
            self.failed(error)
            return None
        self.usage = result.usage
        return result.by_key[""]


def _with_meaning(response: Reply, meaning: _Meaning) -> Reply:
    update: dict[str, object] = {}
    if meaning.usage is not None:
        update["usage"] = meaning.usage if response.usage is None else response.usage + meaning.usage
    if meaning.problem is not None:
        update["degraded"] = True
        update["degraded_reason"] = "; ".join(filter(None, [response.degraded_reason, meaning.problem]))
    return response.model_copy(update=update) if update else response


def _draft_summary(job: JobIn, key: str) -> JobSummary:
    return JobSummary(
        id=key,
        title=job.title,
        company=job.company,
        location=job.location,
        salary_min=job.salary_min,
        salary_max=job.salary_max,
        tags=job.tags,
    )


def _results(
    ranked: Sequence[Ranked], explained: dict[str, Explained], outcome: ModelOutcome | None
) -> list[JobMatch]:
    results = []
    for item in ranked:
        chosen = (outcome.by_key.get(item.summary.id) if outcome else None) or explained.get(item.summary.id)
        adjustment = chosen.adjustment if chosen else None
        fit = item.fit
        results.append(
            JobMatch(
                job=item.summary,
                score=max(0, min(100, fit.score + (adjustment.points if adjustment else 0))),
                engine_score=fit.score,
                parts=fit.parts,
                matched_skills=fit.matched_skills,
                missing_skills=[*fit.missing_required, *fit.missing_preferred],
                missing_required=fit.missing_required,
                missing_preferred=fit.missing_preferred,
                explanation=chosen.explanation if chosen else "",
                explanation_source=chosen.source if chosen else "none",
                adjustment=adjustment,
            )
        )
    # A model adjustment re-orders only within the results already chosen by the engine's score.
    results.sort(key=lambda match: (-match.score, -match.engine_score))
    return results


def _candidate_summary(candidate: CandidateProfile) -> CandidateSummary:
    return CandidateSummary(
        language=candidate.language,
        skills=candidate.skills,
        years=candidate.years,
        education=candidate.education_level,
        titles=candidate.titles,
    )


def _with_model(response: Reply, outcome: ModelOutcome | None) -> Reply:
    if outcome is None:
        return response
    degraded = [note for note in outcome.notes if note.startswith("degraded: ")]
    if degraded:
        return response.model_copy(
            update={"degraded": True, "degraded_reason": degraded[0].removeprefix("degraded: ")}
        )
    return response.model_copy(
        update={
            "engine": outcome.provider,
            "model": outcome.model,
            "usage": outcome.usage,
            "grounding_notes": outcome.notes,
        }
    )


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
