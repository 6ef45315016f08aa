"""The prompt for explaining the top matches: the fixed prefix first, then this request's facts and resume."""

from __future__ import annotations

from pydantic import BaseModel

from jobfirst_ai.engine.types import Language
from jobfirst_ai.features.prompting import data_request, system_prompt
from jobfirst_ai.llm.types import ChatRequest

MAX_ADJUSTMENT = 5

_ROLE = (
    "You advise job seekers on JobFirst, a job-search platform. A rule-based engine has already scored how "
    "well the resume fits each job posting in `jobs` (score 0-100, with matched and missing skills). For "
    "each job, write `explanation`: 2-3 sentences on why it fits and what is missing, and `advice`: up to 3 "
    "concrete steps for the missing skills or experience (required ones first). Only call a skill the "
    "candidate's if it is in `candidate.skills`; a skill in `missing_required` or `missing_preferred` is a "
    "gap, never a strength. You may set `adjustment` (an integer from "
    f"-{MAX_ADJUSTMENT} to {MAX_ADJUSTMENT}, default 0) when the resume shows something the score cannot "
    "see (closely related experience, a clear career change), with `adjustment_reason`. Answer for every "
    "job, keeping its `job_id`."
)


def explanation_request(
    schema: type[BaseModel], facts: dict[str, object], resume: str, language: Language, *, user: str | None
) -> ChatRequest:
    """One request for every explained result (one call per match, not one per posting)."""
    request = data_request(
        system_prompt(_ROLE, schema), facts, resume, language, user=user, feature="job_match"
    )
    return request.model_copy(update={"max_tokens": 2500})
