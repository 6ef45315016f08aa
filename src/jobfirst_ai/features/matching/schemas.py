"""Request and response shapes of job postings and job matching."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jobfirst_ai.engine.types import DegreeLevel, Language, PartScore
from jobfirst_ai.llm.types import Usage

JOB_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}$"


def _clean_list(values: list[str]) -> list[str]:
    """Trimmed, non-empty, first spelling kept for case-insensitive duplicates."""
    seen: dict[str, str] = {}
    for value in values:
        item = value.strip()
        if item and item.casefold() not in seen:
            seen[item.casefold()] = item
    return list(seen.values())


class JobIn(BaseModel):
    """A job posting as the platform sends it; skills, years and education come from the text if absent."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str | None = Field(
        default=None, pattern=JOB_ID_PATTERN, description="The platform's own id (kept); generated if absent"
    )
    title: str = Field(min_length=1, max_length=300)
    company: str | None = Field(default=None, max_length=300)
    location: str | None = Field(default=None, max_length=200)
    description: str = Field(min_length=1, max_length=30000)
    required_skills: list[str] = Field(default_factory=list, max_length=100)
    preferred_skills: list[str] = Field(default_factory=list, max_length=100)
    years_min: float | None = Field(default=None, ge=0, le=60)
    education: DegreeLevel | None = None
    salary_min: int | None = Field(default=None, ge=0)
    salary_max: int | None = Field(default=None, ge=0)
    tags: list[str] = Field(default_factory=list, max_length=30)

    @field_validator("required_skills", "preferred_skills", "tags")
    @classmethod
    def _trimmed(cls, values: list[str]) -> list[str]:
        if any(len(value) > 100 for value in values):
            raise ValueError("each item must be at most 100 characters")
        return _clean_list(values)

    @classmethod
    def from_description(cls, description: str) -> JobIn:
        """A posting pasted as plain text: its first non-empty line is the title."""
        first_line = next((line.strip() for line in description.splitlines() if line.strip()), "")
        return cls(title=first_line[:300] or "-", description=description)

    @model_validator(mode="after")
    def _salary_order(self) -> Self:
        if self.salary_min is not None and self.salary_max is not None and self.salary_max < self.salary_min:
            raise ValueError("salary_max must not be below salary_min")
        return self


class JobOut(BaseModel):
    """A stored posting with what the engine read from it (given values win over read ones)."""

    id: str
    title: str
    company: str | None
    location: str | None
    description: str
    required_skills: list[str] = Field(description="Required skills: as given, else read from the text")
    preferred_skills: list[str] = Field(description="Preferred skills: as given, else read from the text")
    years_min: float | None
    education: DegreeLevel | None
    salary_min: int | None
    salary_max: int | None
    tags: list[str]
    language: Language
    revision: int
    created_at: datetime
    updated_at: datetime


class JobPage(BaseModel):
    """One page of postings."""

    items: list[JobOut]
    total: int
    offset: int
    limit: int


class JobsCreate(BaseModel):
    """Several postings in one request (all stored, or none if any is invalid)."""

    items: list[JobIn] = Field(min_length=1, max_length=1000)


class RejectedRow(BaseModel):
    """A row of an import that was not stored, and why."""

    row: int = Field(description="1-based line (JSON Lines) or data row (CSV) number")
    id: str | None = None
    reason: str


class ImportReport(BaseModel):
    """The outcome of a bulk import: every accepted row stored in one transaction, or none."""

    imported: int
    rejected: list[RejectedRow]
    stored: bool = Field(
        description="False when nothing was stored (strict mode and rejected rows, or none valid)"
    )
    elapsed_ms: float


class MatchFilters(BaseModel):
    """Optional limits on which postings may be returned."""

    model_config = ConfigDict(extra="forbid")

    locations: list[str] = Field(default_factory=list, max_length=20, description="Any of (substring match)")
    tags: list[str] = Field(default_factory=list, max_length=20, description="All of")
    salary_min: int | None = Field(default=None, ge=0, description="Posting's range must reach this")
    salary_max: int | None = Field(
        default=None, ge=0, description="Posting's range must start at or below this"
    )


class MatchRequest(BaseModel):
    """A resume (text, stored resume id or analysis id) to match against the stored postings."""

    model_config = ConfigDict(extra="forbid")

    content: str | None = Field(default=None, min_length=1, description="The resume as plain text")
    resume_id: str | None = Field(default=None, max_length=64)
    analysis_id: str | None = Field(default=None, max_length=64)
    top_k: int = Field(default=10, ge=1, le=50)
    filters: MatchFilters = Field(default_factory=MatchFilters)
    language: Language | None = Field(default=None, description="Language of explanations; default: resume's")
    explain: bool = Field(default=True, description="Write an explanation per result")

    @model_validator(mode="after")
    def _one_resume(self) -> Self:
        given = [self.content, self.resume_id, self.analysis_id]
        if sum(value is not None for value in given) != 1:
            raise ValueError("give exactly one of content, resume_id or analysis_id")
        return self


class JobSummary(BaseModel):
    """The posting fields a result list shows."""

    id: str
    title: str
    company: str | None
    location: str | None
    salary_min: int | None
    salary_max: int | None
    tags: list[str]


class ModelAdjustment(BaseModel):
    """A bounded change the model made to the engine's score, with its reason."""

    points: int
    reason: str


class JobMatch(BaseModel):
    """One ranked posting: the deterministic score and its parts, skills, and an explanation."""

    job: JobSummary
    score: int = Field(ge=0, le=100, description="Final score: engine score plus any model adjustment")
    engine_score: int = Field(ge=0, le=100, description="The deterministic score, see docs/matching.md")
    parts: list[PartScore]
    matched_skills: list[str]
    missing_skills: list[str] = Field(description="Required first, then preferred")
    missing_required: list[str]
    missing_preferred: list[str]
    explanation: str = ""
    explanation_source: Literal["engine", "model", "none"] = "none"
    adjustment: ModelAdjustment | None = None


class CandidateSummary(BaseModel):
    """What the engine read from the resume that matching used."""

    language: Language
    skills: list[str]
    years: float
    education: DegreeLevel | None
    titles: list[str]


class MatchResponse(BaseModel):
    """Ranked postings for one resume."""

    results: list[JobMatch]
    candidates: int = Field(description="Postings the index retrieved before scoring")
    postings: int = Field(description="Live postings searched")
    candidate: CandidateSummary
    language: Language
    engine: str = Field(description="'builtin', or the provider that wrote explanations")
    model: str | None = None
    usage: Usage | None = None
    degraded: bool = False
    degraded_reason: str | None = None
    grounding_notes: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)


class GapRequest(BaseModel):
    """One resume against one posting: a stored one (`job_id`) or a pasted description."""

    model_config = ConfigDict(extra="forbid")

    content: str | None = Field(default=None, min_length=1)
    resume_id: str | None = Field(default=None, max_length=64)
    analysis_id: str | None = Field(default=None, max_length=64)
    job_id: str | None = Field(default=None, max_length=64)
    job: JobIn | None = Field(default=None, description="A posting that is not stored")
    job_description: str | None = Field(default=None, min_length=1, max_length=30000)
    language: Language | None = None

    @model_validator(mode="after")
    def _one_each(self) -> Self:
        if sum(value is not None for value in (self.content, self.resume_id, self.analysis_id)) != 1:
            raise ValueError("give exactly one of content, resume_id or analysis_id")
        if sum(value is not None for value in (self.job_id, self.job, self.job_description)) != 1:
            raise ValueError("give exactly one of job_id, job or job_description")
        return self


class GapResponse(BaseModel):
    """A detailed gap analysis of one resume for one posting."""

    match: JobMatch
    required_skills: list[str]
    preferred_skills: list[str]
    years_asked: float | None
    education_asked: DegreeLevel | None
    candidate: CandidateSummary
    advice: list[str] = Field(description="What to do about each gap, required first")
    language: Language
    engine: str
    model: str | None = None
    usage: Usage | None = None
    degraded: bool = False
    degraded_reason: str | None = None
    grounding_notes: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)


class ModelExplanation(BaseModel):
    """What the model writes for one posting (validated, then checked locally)."""

    job_id: str
    explanation: str = Field(max_length=600, description="2-3 sentences: why it fits, what is missing")
    advice: list[str] = Field(default_factory=list, max_length=4, description="What to do about the gaps")
    adjustment: int = Field(default=0, ge=-10, le=10, description="Points to add to the engine score")
    adjustment_reason: str = Field(default="", max_length=200)


class ModelExplanations(BaseModel):
    """The model's answer for the top results, one entry per posting."""

    results: list[ModelExplanation] = Field(default_factory=list, max_length=20)
