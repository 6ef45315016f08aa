"""Request and response models of resume analysis; the seed's six keys stay at the top level."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from jobfirst_ai.engine.types import (
    ContactInfo,
    EducationEntry,
    ExperienceEntry,
    Language,
    Section,
    SkillMatch,
    SubScore,
    Suggestion,
)
from jobfirst_ai.llm.types import Usage

TaskStatus = Literal["queued", "running", "succeeded", "failed"]


class AnalyzeRequest(BaseModel):
    """Resume text as in the seed: `{"content": "..."}`; a file goes as multipart field `file` instead."""

    content: str = Field(min_length=1, description="The resume as plain text (Chinese or English)")
    language: Language | None = Field(
        default=None, description="Language of summary and suggestions; default: the resume's own"
    )
    filename: str | None = Field(default=None, max_length=255, description="Shown back to the owner")
    target_job: str | None = Field(
        default=None, max_length=20_000, description="Optimisation only: the job description to tune for"
    )


class AnalysisResult(BaseModel):
    """The analysis of one resume."""

    skills: list[str] = Field(
        description="Each skill once, as the resume writes it; canonical names are in skill_details"
    )
    experience: list[str] = Field(description="One line per job: title, company, dates")
    education: list[str] = Field(description="One line per degree: degree, major, school, dates")
    summary: str
    score: int = Field(ge=0, le=100, description="Deterministic rubric score, see docs/scoring.md")
    suggestions: list[str] = Field(description="Concrete fixes in the resume's language")

    language: Language
    years_of_experience: float | None = Field(
        description="Dated work history with overlaps counted once; the stated years when there is none"
    )
    total_years: float = Field(description="Years covered by dated entries, overlaps counted once")
    stated_years: float | None = Field(description="Years the resume itself claims")
    skill_details: list[SkillMatch]
    experience_entries: list[ExperienceEntry]
    education_entries: list[EducationEntry]
    sections: list[Section]
    sub_scores: list[SubScore]
    suggestion_details: list[Suggestion]
    contact: ContactInfo
    quantified_achievements: int = Field(description="Lines carrying a measured result")
    strengths: list[str] = Field(default_factory=list, description="What the resume does well (model only)")
    engine: str = Field(description="Which engine answered: 'builtin' or the provider's name")
    model: str | None = None
    usage: Usage | None = Field(default=None, description="Tokens the model calls used")
    degraded: bool = Field(default=False, description="True when a configured model could not answer")
    degraded_reason: str | None = None
    grounding_notes: list[str] = Field(
        default_factory=list, description="What the local checks removed from the model's answer, and why"
    )
    timings_ms: dict[str, float] = Field(description="Where the time went: extract, engine, total")


class TaskAccepted(BaseModel):
    """An analysis accepted for background processing (HTTP 202), or the stored one reused (succeeded)."""

    task_id: str
    status: TaskStatus
    resume_id: str
    reused: bool = Field(
        default=False, description="True when a stored analysis of the same input answered (already done)"
    )


class ErrorDetail(BaseModel):
    """Why a task failed."""

    code: str
    message: str


class AnalysisTask(BaseModel):
    """An analysis task with its status and, once done, its result."""

    task_id: str
    resume_id: str
    status: TaskStatus
    attempts: int
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    result: AnalysisResult | None = None
    error: ErrorDetail | None = None


class ModelAnalysis(BaseModel):
    """What the model is asked for when analysing a resume; checked locally before any of it is used."""

    summary: str = Field(max_length=800, description="2-3 sentences on the candidate, from the resume only")
    strengths: list[str] = Field(default_factory=list, max_length=5, description="Short phrases")
    additional_skills: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="Skills written in the resume that the engine's list lacks, spelled exactly as written",
    )
    suggestions: list[str] = Field(default_factory=list, max_length=8, description="Concrete, specific fixes")


class Rewrite(BaseModel):
    """One weak bullet and a stronger version that states only what the original states."""

    original: str = Field(description="The bullet exactly as written in the resume")
    improved: str = Field(description="The rewrite: no new numbers, employers, titles or skills")
    reason: str = Field(default="", description="Why the rewrite is stronger")


class ModelRewrites(BaseModel):
    """What the model is asked for when optimising bullets."""

    rewrites: list[Rewrite] = Field(default_factory=list, max_length=12)


class OptimizeResult(BaseModel):
    """Rewrites of weak bullets, each checked to add no invented facts."""

    rewrites: list[Rewrite]
    language: Language
    engine: str
    model: str | None = None
    usage: Usage | None = None
    degraded: bool = False
    degraded_reason: str | None = None
    grounding_notes: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)


class BatchItem(AnalyzeRequest):
    """One resume of a batch, with the caller's own id to match results to inputs."""

    id: str | None = Field(default=None, max_length=128)


class BatchRequest(BaseModel):
    """Many resumes analysed in one call (what the seed's batch_process was for)."""

    items: list[BatchItem] = Field(min_length=1, max_length=50)


class BatchOutcome(BaseModel):
    """One item's result or error, in input order."""

    id: str | None
    analysis_id: str | None = None
    result: AnalysisResult | None = None
    error: ErrorDetail | None = None
    reused: bool = Field(default=False, description="True when a stored analysis of the same input answered")


class BatchResponse(BaseModel):
    """Per-item outcomes; one bad item never fails the others."""

    results: list[BatchOutcome]
    succeeded: int
    failed: int
