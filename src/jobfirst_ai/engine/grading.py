"""Grading an interview answer without a model: a weighted rubric over what the engine can measure.

* **accuracy, 30**: relevance. 60% for the distinct topic terms (of the question, its key points and
  skills) the answer uses, against a target of 30% of the topic's terms (at least 3, at most 8); 40% for
  focus: the share of its sentences that touch the topic (for behavioural and project questions, or the
  share of the STAR structure told, if higher: a story uses its own words, not the question's).
* **completeness, 30**: key-point coverage. Each key point earns min(1, overlap / 0.4), where overlap is
  the share of the point's terms found in the answer; a point at 0.4 or more is covered. In a story
  answer a point that asks for a STAR part ("最终结果", "the background") is covered when that part is
  told, and the STAR parts told (over a full length) make up half of behavioural completeness and 30%
  of project completeness (`_STAR_COMPLETENESS`).
* **depth, 25**: specifics. Figures, named skills or tools, and explanation or trade-off cues, each
  against a target of 2, mixed by question type (`_DEPTH_MIX`); scaled down for an answer shorter than
  the low end of its length band.
* **expression, 15**: half length band (`_LENGTH_BANDS`), half structure: STAR cues for behavioural and
  project questions, ordering cues and several sentences otherwise.

Answers that earn nothing score 0 on every part, with a verdict saying why, checked in this order:
`empty` (no letter, digit or Chinese character), `dont_know` ("不知道", "I don't know", "pass" with at
most three other terms), `gibberish` (keyboard mashing, random letters, one thing repeated), `repeated`
(80% of an earlier answer, or the question read back), `off_topic` (no topic term at all, or just one in
a long answer to a question that does not ask for a story). Otherwise the verdict is `good` from 70,
`fair` from 45, else `weak`; weak and zero verdicts set `is_weak`, which asks for a follow-up question.
The feedback names the covered and missed key points in the requested language and says that the
built-in engine graded it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from pydantic import Field

from jobfirst_ai.engine import answer_signals as signals
from jobfirst_ai.engine.answer_signals import StarPart, Terms
from jobfirst_ai.engine.grading_text import feedback_for, zero_feedback
from jobfirst_ai.engine.language import detect_language
from jobfirst_ai.engine.question_bank import Question, QuestionType
from jobfirst_ai.engine.skills import SkillDictionary, find_skills
from jobfirst_ai.engine.types import Frozen, Language

__all__ = ["RUBRIC", "ZERO_VERDICTS", "AnswerGrade", "GradePart", "RubricPart", "Verdict", "grade_answer"]

RubricPart = Literal["accuracy", "completeness", "depth", "expression"]
Verdict = Literal["good", "fair", "weak", "empty", "off_topic", "gibberish", "repeated", "dont_know"]
RUBRIC: Final[Mapping[RubricPart, int]] = {"accuracy": 30, "completeness": 30, "depth": 25, "expression": 15}
ZERO_VERDICTS: Final[frozenset[Verdict]] = frozenset(
    {"empty", "off_topic", "gibberish", "repeated", "dont_know"}
)
_VERDICT_FLOORS: Final[tuple[tuple[Verdict, int], ...]] = (("good", 70), ("fair", 45))
_COVERED = 0.4
_STAR_CREDIT = 1.0
_TOPIC_SHARE = 0.3
_TOPIC_TARGET = (3, 8)
_SPECIFICS_TARGET = 2
_SUBSTANTIAL_TERMS = 12
# Depth mix by question type: figures, named skills or tools, explanation.
_DEPTH_MIX: Final[Mapping[QuestionType, tuple[float, float, float]]] = {
    "technical": (0.2, 0.35, 0.45),
    "project": (0.4, 0.25, 0.35),
    "behavioural": (0.4, 0.15, 0.45),
    "role_fit": (0.25, 0.25, 0.5),
}
# Length band by the answer's language, in words (a Chinese character counts one): the low end of a full
# answer, its high end, and where a rambling answer has lost most of its length points.
_LENGTH_BANDS: Final[Mapping[Language, tuple[int, int, int]]] = {"zh": (60, 600, 1000), "en": (40, 350, 600)}
_STAR_COMPLETENESS: Final[Mapping[QuestionType, float]] = {"behavioural": 0.5, "project": 0.3}
_STAR_TYPES: Final[frozenset[QuestionType]] = frozenset({"behavioural", "project"})
_ACRONYM: Final = re.compile(r"\b[A-Z][A-Z0-9+#]{1,}\b")


class GradePart(Frozen):
    """One rubric part: points earned of the points available."""

    name: RubricPart
    score: int
    max_score: int


class AnswerGrade(Frozen):
    """The engine's grade of one answer."""

    score: int = Field(ge=0, le=100)
    parts: list[GradePart]
    verdict: Verdict
    is_weak: bool = Field(description="A follow-up question should probe what the answer missed")
    covered_points: list[str]
    missed_points: list[str]
    reference_points: list[str] = Field(description="The key points of a good answer")
    star_parts: list[StarPart] = Field(default_factory=list, description="STAR parts the answer has cues for")
    feedback: str
    language: Language
    grader: Literal["engine", "model"] = Field(
        default="engine", description="'engine' (lexical rubric) or 'model' (a feature's model grade)"
    )


@dataclass(frozen=True, slots=True)
class _Reading:
    """What was measured in one answer."""

    matched: int
    target: float
    on_topic: float
    credits: tuple[float, ...]
    numbers: int
    named: int
    reasoning: int
    structure: float
    units: int
    band: tuple[int, int, int]
    star: tuple[StarPart, ...]


def grade_answer(
    question: Question,
    answer: str,
    language: Language,
    *,
    previous_answers: Sequence[str] = (),
    dictionary: SkillDictionary | None = None,
) -> AnswerGrade:
    """Grade `answer` to `question` on the rubric above; feedback in `language`.

    `previous_answers` are the candidate's earlier answers in the session (a repeat scores 0);
    `dictionary` lets named skills and tools count as specifics (without it, acronyms and the question's
    own skills do).
    """
    answer_terms = signals.read_terms(answer)
    topic = _topic_terms(question)
    earlier = [*previous_answers, question.text]
    verdict = _zero_verdict(answer, answer_terms, topic, earlier, is_story=question.type in _STAR_TYPES)
    if verdict is not None:
        return _zero_grade(question, verdict, language)
    reading = _read(question, answer, answer_terms, topic, dictionary)
    parts = _parts(question.type, reading)
    score = sum(part.score for part in parts)
    verdict = next((name for name, floor in _VERDICT_FLOORS if score >= floor), "weak")
    covered = [p for p, credit in zip(question.key_points, reading.credits, strict=True) if credit >= 1.0]
    missed = [p for p in question.key_points if p not in covered]
    text = feedback_for(covered, missed, _advice(question.type, reading), language)
    return AnswerGrade(
        score=score,
        parts=parts,
        verdict=verdict,
        is_weak=verdict == "weak",
        covered_points=covered,
        missed_points=missed,
        reference_points=list(question.key_points),
        star_parts=list(reading.star),
        feedback=text,
        language=language,
    )


def _topic_terms(question: Question) -> Terms:
    return signals.read_terms(" ".join([question.text, *question.key_points, *question.skills]))


def _zero_verdict(
    answer: str, terms: Terms, topic: Terms, previous: Sequence[str], *, is_story: bool
) -> Verdict | None:
    if not any(char.isalnum() for char in answer):
        return "empty"
    if signals.is_dont_know(answer, terms):
        return "dont_know"
    if signals.is_gibberish(answer):
        return "gibberish"
    if signals.is_repeat(answer, previous):
        return "repeated"
    matched = _matched(terms, topic)
    # One shared word in a long answer is chance, unless the answer tells a story in its own words.
    if matched == 0 or (matched == 1 and not is_story and len(terms.words) >= _SUBSTANTIAL_TERMS):
        return "off_topic"
    return None


def _matched(terms: Terms, topic: Terms) -> int:
    return max(len(terms.words & topic.words), len(terms.pairs & topic.pairs))


def _zero_grade(question: Question, verdict: Verdict, language: Language) -> AnswerGrade:
    return AnswerGrade(
        score=0,
        parts=[GradePart(name=name, score=0, max_score=points) for name, points in RUBRIC.items()],
        verdict=verdict,
        is_weak=True,
        covered_points=[],
        missed_points=list(question.key_points),
        reference_points=list(question.key_points),
        feedback=zero_feedback(verdict, question.key_points, language),
        language=language,
    )


def _read(
    question: Question, answer: str, terms: Terms, topic: Terms, dictionary: SkillDictionary | None
) -> _Reading:
    size = max(len(topic.words), len(topic.pairs))
    star = tuple(signals.star_parts(answer))
    sentences = signals.sentences(answer)
    if question.type in _STAR_TYPES:
        structure = len(star) / len(signals.STAR_PARTS)
    else:
        structure = min(1.0, (signals.count_structure(answer) + (len(sentences) >= 3)) / 2)
    return _Reading(
        matched=_matched(terms, topic),
        target=min(max(size * _TOPIC_SHARE, _TOPIC_TARGET[0]), _TOPIC_TARGET[1]),
        on_topic=_on_topic_share(sentences, topic),
        credits=tuple(_credit(question, point, terms, star) for point in question.key_points),
        numbers=signals.count_numbers(answer),
        named=_named(question, answer, dictionary),
        reasoning=signals.count_reasoning(answer),
        structure=structure,
        units=signals.answer_units(answer),
        band=_LENGTH_BANDS[detect_language(answer)],
        star=star,
    )


def _credit(question: Question, point: str, terms: Terms, star: tuple[StarPart, ...]) -> float:
    """A key point's share of its credit: its terms in the answer, or, for a story question, the STAR
    parts the point asks for ("结果以及之后的合作关系" asks for the result) told in the answer."""
    credit = min(1.0, signals.overlap(signals.read_terms(point), terms) / _COVERED)
    asked = signals.star_parts(point) if question.type in _STAR_TYPES else []
    if asked and set(asked) <= set(star):
        return max(credit, _STAR_CREDIT)
    return credit


def _on_topic_share(sentences: list[str], topic: Terms) -> float:
    counted = [s for s in sentences if signals.answer_units(s) >= 3] or sentences
    if not counted:
        return 0.0
    return sum(_matched(signals.read_terms(s), topic) > 0 for s in counted) / len(counted)


def _named(question: Question, answer: str, dictionary: SkillDictionary | None) -> int:
    if dictionary is not None:
        return len(find_skills(answer, dictionary))
    folded = answer.lower()
    own = {skill for skill in question.skills if skill.lower() in folded}
    return len(own | set(_ACRONYM.findall(answer)))


def _parts(question_type: QuestionType, reading: _Reading) -> list[GradePart]:
    shares: dict[RubricPart, float] = {
        "accuracy": 0.6 * min(1.0, reading.matched / reading.target) + 0.4 * _focus(question_type, reading),
        "completeness": _completeness(question_type, reading),
        "depth": _depth(question_type, reading),
        "expression": 0.5 * _length_score(reading) + 0.5 * reading.structure,
    }
    return [
        GradePart(name=name, score=round(points * min(1.0, shares[name])), max_score=points)
        for name, points in RUBRIC.items()
    ]


def _completeness(question_type: QuestionType, reading: _Reading) -> float:
    """Mean key-point credit; for a story question blended with how much of STAR it tells, over a full
    length (the STAR parts are the checklist of a behavioural answer)."""
    covered = sum(reading.credits) / len(reading.credits) if reading.credits else 0.0
    share = _STAR_COMPLETENESS.get(question_type, 0.0)
    told = reading.structure * min(1.0, reading.units / reading.band[0])
    return (1 - share) * covered + share * told


def _focus(question_type: QuestionType, reading: _Reading) -> float:
    """Share of the answer on the question: its sentences on the topic, or, for a story question, as much
    of the STAR structure as it tells (a story uses its own words, not the question's)."""
    if question_type in _STAR_TYPES:
        return max(reading.on_topic, reading.structure)
    return reading.on_topic


def _depth(question_type: QuestionType, reading: _Reading) -> float:
    numbers, named, reasoning = _DEPTH_MIX[question_type]
    found = (
        numbers * min(1.0, reading.numbers / _SPECIFICS_TARGET)
        + named * min(1.0, reading.named / _SPECIFICS_TARGET)
        + reasoning * min(1.0, reading.reasoning / _SPECIFICS_TARGET)
    )
    return found * min(1.0, reading.units / reading.band[0])


def _length_score(reading: _Reading) -> float:
    low, high, rambling = reading.band
    if reading.units < low:
        return reading.units / low
    if reading.units <= high:
        return 1.0
    return max(0.3, 1.0 - 0.7 * (reading.units - high) / (rambling - high))


def _advice(question_type: QuestionType, reading: _Reading) -> list[str]:
    """Codes of the advice `grading_text` words: STAR parts missing, figures, reasons, length."""
    advice: list[str] = []
    if question_type in _STAR_TYPES:
        advice += [f"star:{part}" for part in signals.STAR_PARTS if part not in reading.star]
    if question_type in _STAR_TYPES and reading.numbers == 0:
        advice.append("numbers")
    if question_type == "technical" and reading.reasoning == 0:
        advice.append("reasoning")
    if reading.units < reading.band[0]:
        advice.append("short")
    elif reading.units > reading.band[1]:
        advice.append("long")
    return advice
