"""Grading one answer: the engine's rubric, or a model's grade bounded by the engine's pre-check.

Engine first, always: `grade_answer` measures the answer, and its zero verdicts (empty, "I don't know",
gibberish, a repeat of an earlier answer, off topic) are final: such an answer scores 0 whatever a model
would say, and no model is asked. Model second, for every other answer: one call returns the four part
scores (each clamped to its part's maximum), the key points covered (only the question's own, by number)
and feedback. The total and verdict follow from the parts with the engine's floors (good from 70, fair
from 45). Feedback quoting a figure that neither the question nor the answer contains is replaced by the
engine's. A failed call degrades to the engine's grade, with the reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from jobfirst_ai.engine.grading import RUBRIC, ZERO_VERDICTS, AnswerGrade, GradePart, Verdict, grade_answer
from jobfirst_ai.engine.question_bank import Question
from jobfirst_ai.engine.skills import SkillDictionary
from jobfirst_ai.engine.types import Language
from jobfirst_ai.errors import ProviderError
from jobfirst_ai.features.interview.prompts import grading_request
from jobfirst_ai.features.interview.schemas import Grade, ModelGrade
from jobfirst_ai.features.resume.enrich import ModelBackend, ask_model, user_tag
from jobfirst_ai.features.resume.grounding import numbers_in
from jobfirst_ai.llm.types import ChatRequest, Usage

logger = logging.getLogger(__name__)

# The engine's verdict floors (engine/grading.py), applied to a model's total so both graders agree.
VERDICT_FLOORS: Final[tuple[tuple[Verdict, int], ...]] = (("good", 70), ("fair", 45))


@dataclass(frozen=True)
class Graded:
    """A grade as shown, the same grade in the engine's type (what follow-ups read), and what it cost."""

    grade: Grade
    measured: AnswerGrade
    usage: Usage | None = None
    degraded_reason: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Answered:
    """One answer to grade: the question, the answer, the session's earlier answers and language."""

    question: Question
    answer: str
    previous: Sequence[str]
    language: Language
    owner: str


async def grade(backend: ModelBackend | None, answered: Answered, dictionary: SkillDictionary) -> Graded:
    """The grade of one answer: the model's when one is configured and the engine finds something to grade."""
    measured = await asyncio.to_thread(
        grade_answer,
        answered.question,
        answered.answer,
        answered.language,
        previous_answers=answered.previous,
        dictionary=dictionary,
    )
    if backend is None or measured.verdict in ZERO_VERDICTS:
        return Graded(engine_grade(measured), measured)
    try:
        result, value = await ask_model(backend, _request(answered, measured), ModelGrade)
    except ProviderError as error:
        logger.warning("interview grading degraded to the built-in engine: %s", error.code)
        return Graded(engine_grade(measured), measured, degraded_reason=f"{error.code}: {error.message}")
    shown, notes = _from_model(value, answered, measured, result.model)
    follow = measured.model_copy(
        update={
            "score": shown.score,
            "verdict": shown.verdict,
            "is_weak": shown.is_weak,
            "covered_points": shown.covered_points,
            "missed_points": shown.missed_points,
        }
    )
    return Graded(shown, follow, result.usage, None, notes)


def engine_grade(measured: AnswerGrade) -> Grade:
    """The engine's grade in the response's shape."""
    return Grade.model_validate({**measured.model_dump(), "grader": "engine", "model": None})


def _request(answered: Answered, measured: AnswerGrade) -> ChatRequest:
    question = answered.question
    facts: dict[str, object] = {
        "question": {
            "type": question.type,
            "difficulty": question.difficulty,
            "text": question.text,
            "key_points": {str(number): point for number, point in enumerate(question.key_points, start=1)},
        },
        "rubric": dict(RUBRIC),
        "engine": {
            "score": measured.score,
            "covered_points": measured.covered_points,
            "star_parts": measured.star_parts,
        },
    }
    return grading_request(
        ModelGrade, facts, answered.answer, answered.language, user=user_tag(answered.owner)
    )


def _from_model(
    value: ModelGrade, answered: Answered, measured: AnswerGrade, model: str
) -> tuple[Grade, list[str]]:
    points = answered.question.key_points
    numbers = sorted({number for number in value.covered_points if 1 <= number <= len(points)})
    covered = [points[number - 1] for number in numbers]
    parts = [GradePart(name=name, score=getattr(value, name), max_score=top) for name, top in RUBRIC.items()]
    score = sum(part.score for part in parts)
    verdict = next((name for name, floor in VERDICT_FLOORS if score >= floor), "weak")
    notes = []
    feedback = value.feedback.strip()
    allowed = numbers_in("\n".join([answered.question.text, *points, answered.answer]))
    if numbers_in(feedback) - allowed - {str(top) for top in RUBRIC.values()}:
        notes.append("kept the engine's feedback: the model's quoted figures the answer does not contain")
        feedback = measured.feedback
    elif not feedback:
        feedback = measured.feedback
    grade = Grade(
        score=score,
        parts=parts,
        verdict=verdict,
        is_weak=verdict == "weak",
        covered_points=covered,
        missed_points=[point for point in points if point not in covered],
        reference_points=list(points),
        star_parts=measured.star_parts,
        feedback=feedback,
        language=answered.language,
        grader="model",
        model=model,
    )
    return grade, notes
