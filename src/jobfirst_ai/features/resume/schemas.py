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

TaskStatus = Literal["queued", "running", "succeeded", "failed"]


class AnalyzeRequest(BaseModel):
    """Resume text as in the seed: `{"content": "..."}`; a file goes as multipart field `file` instead."""

    content: str = Field(min_length=1, description="The resume as plain text (Chinese or English)")
    language: Language | None = Field(
        default=None, description="Language of summary and suggestions; default: the resume's own"
    )
    filename: str | None = Field(default=None, max_length=255, description="Shown back to the owner")


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
    engine: str = Field(description="Which engine answered: 'builtin' or provider/model")
    model: str | None = None
    degraded: bool = Field(default=False, description="True when a configured model could not answer")
    degraded_reason: str | None = None
    timings_ms: dict[str, float] = Field(description="Where the time went: extract, engine, total")


class TaskAccepted(BaseModel):
    """An analysis accepted for background processing (HTTP 202)."""

    task_id: str
    status: TaskStatus
    resume_id: str


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
