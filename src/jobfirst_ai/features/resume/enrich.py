"""Model-backed analysis: the engine's result, improved by a model where local checks allow it.

Engine first, model second, local checks on what the model said. The score, years, sections and skills the
engine found stay as they are; the model may replace the summary, add strengths, suggestions and skills
the dictionary missed, each checked against the resume. Any provider failure returns the engine's result
marked degraded, with the reason.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from pydantic import BaseModel, ValidationError

from jobfirst_ai.config import Settings
from jobfirst_ai.engine.skills import SkillDictionary
from jobfirst_ai.engine.types import SkillMatch, Span
from jobfirst_ai.errors import InvalidModelOutput, ProviderError
from jobfirst_ai.features.resume.grounding import FactBase
from jobfirst_ai.features.resume.prompts import analysis_request
from jobfirst_ai.features.resume.schemas import AnalysisResult, ModelAnalysis
from jobfirst_ai.llm.base import Provider
from jobfirst_ai.llm.redact import RedactionMap, Redactor
from jobfirst_ai.llm.structured import StructuredResult, complete_structured
from jobfirst_ai.llm.types import ChatRequest

if TYPE_CHECKING:
    from jobfirst_ai.llm.router import Chain

logger = logging.getLogger(__name__)

MAX_SUGGESTIONS = 10
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class ModelBackend:
    """The composed provider chain and how to call it."""

    provider: Provider
    timeout_seconds: float
    redactor: Redactor | None
    thinking: bool = False


def model_backend(settings: Settings, chain: Chain | None) -> ModelBackend | None:
    """How features call the chain built from `settings` (None: the engine answers alone)."""
    if chain is None:
        return None
    return ModelBackend(
        provider=chain.provider,
        timeout_seconds=settings.ai_timeout_seconds,
        redactor=chain.redactor,
        thinking=settings.ai_thinking,
    )


def user_tag(owner: str) -> str:
    """An opaque, stable per-user id for the vendor (DeepSeek isolates its prompt cache by it)."""
    return hashlib.sha256(owner.encode("utf-8")).hexdigest()[:32]


async def enrich_analysis(
    result: AnalysisResult, text: str, backend: ModelBackend, dictionary: SkillDictionary, *, owner: str
) -> AnalysisResult:
    """The engine's `result` with the model's grounded additions, or marked degraded if the model failed."""
    started = time.perf_counter()
    request = analysis_request(ModelAnalysis, _facts(result), text, result.language, user=user_tag(owner))
    try:
        answer, value = await ask_model(backend, request, ModelAnalysis)
    except ProviderError as error:
        logger.warning("model analysis degraded to the built-in engine: %s", error.code)
        return result.model_copy(
            update={"degraded": True, "degraded_reason": f"{error.code}: {error.message}"}
        )
    merged = _merge(result, value, text, dictionary)
    merged.timings_ms["model"] = round((time.perf_counter() - started) * 1000, 2)
    return merged.model_copy(
        update={"engine": answer.provider, "model": answer.model, "usage": answer.usage, "degraded": False}
    )


async def ask_model(
    backend: ModelBackend, request: ChatRequest, schema: type[Model]
) -> tuple[StructuredResult[Model], Model]:
    """Ask for `schema` with private details masked on the way out and restored in the validated answer."""
    mapping: RedactionMap | None = None
    if backend.redactor is not None:
        request, mapping = backend.redactor.mask_request(request)
    if backend.thinking:
        request = request.model_copy(update={"thinking": True})
    answer = await complete_structured(
        backend.provider, request, schema, deadline=time.monotonic() + backend.timeout_seconds
    )
    if mapping is None:
        return answer, answer.value
    try:
        return answer, schema.model_validate(mapping.restore_obj(answer.value.model_dump()))
    except ValidationError as error:  # a restored value can break a length limit the masked one kept
        raise InvalidModelOutput(
            f"answer invalid once private details were restored: {error.error_count()} errors"
        ) from None


def _facts(result: AnalysisResult) -> dict[str, object]:
    return {
        "language": result.language,
        "years_of_experience": result.years_of_experience,
        "skills": result.skills[:40],
        "jobs": result.experience[:8],
        "education": result.education[:4],
        "sections": sorted({section.kind for section in result.sections}),
        "score": result.score,
        "engine_suggestions": result.suggestions[:6],
    }


def _allowed_numbers(result: AnalysisResult) -> set[str]:
    years = result.years_of_experience or 0.0
    return {str(int(years)), str(round(years)), f"{years:g}", str(result.score), "100"}


def _merge(
    result: AnalysisResult, value: ModelAnalysis, text: str, dictionary: SkillDictionary
) -> AnalysisResult:
    known = {skill.name for skill in result.skill_details} | set(result.skills)
    facts = FactBase.of(text, known, dictionary, _allowed_numbers(result))
    summary_problems = facts.problems(value.summary)
    strengths = facts.filter(value.strengths, "strength")
    suggestions = facts.filter(value.suggestions, "suggestion")
    skills = facts.written_skills([skill for skill in value.additional_skills if skill not in known])
    notes = strengths.notes + suggestions.notes + skills.notes
    if summary_problems:
        notes.insert(0, f"kept the engine's summary: the model's had {'; '.join(summary_problems)}")
    extra = [_skill_at(name, text) for name in skills.kept]
    return result.model_copy(
        update={
            "summary": result.summary if summary_problems or not value.summary.strip() else value.summary,
            "strengths": strengths.kept,
            "suggestions": list(dict.fromkeys(suggestions.kept + result.suggestions))[:MAX_SUGGESTIONS],
            "skills": result.skills + [skill.name for skill in extra],
            "skill_details": result.skill_details + extra,
            "grounding_notes": notes,
            "timings_ms": dict(result.timings_ms),
        }
    )


def _skill_at(name: str, text: str) -> SkillMatch:
    """A model-found skill with its first place in the text (none when the text wraps it across lines)."""
    at = text.casefold().find(name.casefold())
    evidence = [Span(start=at, end=at + len(name), text=text[at : at + len(name)])] if at >= 0 else []
    return SkillMatch(name=name, category="other", evidence=evidence)
