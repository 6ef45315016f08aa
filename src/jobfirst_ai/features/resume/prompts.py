"""Prompts for resume analysis and optimisation: a fixed prefix first, then the request's own data.

DeepSeek bills a cached prompt prefix at about 2% of the input price, so everything that does not change
between calls (role, rules, output schema) comes first and is byte-identical across calls; the engine's
findings and the resume come last. The resume is delimited as data and the rules say to ignore any
instruction inside it (prompt-injection containment); the score never comes from the model at all.
"""

from __future__ import annotations

from pydantic import BaseModel

from jobfirst_ai.engine.types import Language
from jobfirst_ai.features.prompting import data_request, system_prompt
from jobfirst_ai.llm.types import ChatRequest


def analysis_request(
    schema: type[BaseModel], findings: dict[str, object], resume: str, language: Language, *, user: str | None
) -> ChatRequest:
    """The chat request for a model-backed analysis; `findings` are the engine's facts, given as grounding."""
    role = (
        "You review resumes for JobFirst, a job-search platform. Given a resume and the facts a rule-based "
        "engine already extracted from it, write a short honest summary, the resume's strengths, skills the "
        "engine missed (exactly as written in the resume), and specific suggestions to improve it."
    )
    return data_request(
        system_prompt(role, schema), findings, resume, language, user=user, feature="resume_analysis"
    )


def optimize_request(
    schema: type[BaseModel],
    bullets: list[str],
    resume: str,
    language: Language,
    *,
    target_job: str | None,
    user: str | None,
) -> ChatRequest:
    """The chat request for rewriting weak bullets, optionally towards a target job."""
    role = (
        "You improve resume bullets for JobFirst. Rewrite each weak bullet so it starts with a strong verb "
        "and states the result more clearly, keeping its meaning. Do not add numbers, employers, titles or "
        "skills that the bullet or resume does not state; where a number would help, say so in `reason`."
    )
    facts: dict[str, object] = {"weak_bullets": bullets}
    if target_job:
        facts["target_job"] = target_job[:4000]
    return data_request(
        system_prompt(role, schema), facts, resume, language, user=user, feature="resume_optimize"
    )
