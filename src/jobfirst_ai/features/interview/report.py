"""The report at the end of a mock interview: per-question scores, the mean, strengths and what to practise.

Deterministic and written in the session's language from the grades alone (no model): a part is a
strength when its mean reaches 70% of its maximum, and the weakest part below that is named with a tip;
each answer under 70 points lists the key points it missed; zero-score answers are counted together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from jobfirst_ai.engine.grading import RUBRIC, ZERO_VERDICTS, RubricPart
from jobfirst_ai.engine.grading_text import join_points
from jobfirst_ai.engine.question_bank import Question
from jobfirst_ai.engine.types import Language
from jobfirst_ai.features.interview.schemas import PartAverage, QuestionScore, Report, Turn

STRONG_SHARE: Final = 0.7
GOOD_SCORE: Final = 70
_MAX_PRACTISE: Final = 4
_SHOWN_CHARS: Final = 40

_TEXT: Final[Mapping[str, Mapping[Language, str]]] = {
    "summary": {
        "zh": "共回答 {answered} 题，平均 {overall} 分。",
        "en": "{answered} questions answered, {overall} points on average.",
    },
    "left": {
        "zh": "提前结束，还有 {left} 题未答。",
        "en": "Finished early with {left} questions unanswered.",
    },
    "none": {"zh": "还没有回答任何问题。", "en": "No question was answered."},
    "strong_part": {
        "zh": "{part}表现较好（平均 {score}/{top}）",
        "en": "Strong {part} (average {score}/{top})",
    },
    "good_answer": {"zh": "第 {number} 题答得好：{text}", "en": "A good answer to question {number}: {text}"},
    "weak_part": {
        "zh": "{part}最需要加强（平均 {score}/{top}）：{tip}",
        "en": "Work on {part} most (average {score}/{top}): {tip}",
    },
    "missed": {
        "zh": "第 {number} 题（{text}）：补上 {points}",
        "en": "Question {number} ({text}): add {points}",
    },
    "zero": {
        "zh": "有 {count} 题没有给出有效回答（空白、不知道、答非所问或重复）："
        "即使不确定，也先说出思路和相关经验",
        "en": "{count} answers earned nothing (empty, “I don't know”, off topic or repeated): even when "
        "unsure, say how you would approach it and what you have done that comes close",
    },
}
_PARTS: Final[Mapping[RubricPart, Mapping[Language, tuple[str, str]]]] = {
    "accuracy": {
        "zh": ("准确性", "紧扣问题作答，用上问题涉及的概念"),
        "en": ("accuracy", "stay on the question and use its own concepts"),
    },
    "completeness": {
        "zh": ("完整性", "回答前先想好要点，逐一讲到"),
        "en": ("completeness", "think of the key points first, then cover each one"),
    },
    "depth": {
        "zh": ("深度", "补充数据、工具和原因，说明取舍"),
        "en": ("depth", "add figures, tools and reasons, and explain the trade-offs"),
    },
    "expression": {
        "zh": ("表达", "按 STAR（情境、任务、行动、结果）或“首先、其次、最后”组织回答"),
        "en": ("expression", "structure answers with STAR (situation, task, action, result) or first / then"),
    },
}


def build_report(turns: Sequence[Turn], unanswered: int, language: Language) -> Report:
    """The report of a session with these answered `turns` and `unanswered` questions left."""
    scores = [turn.grade.score for turn in turns]
    overall = round(sum(scores) / len(scores)) if scores else 0
    averages = _averages(turns)
    summary = _TEXT["summary"][language].format(answered=len(turns), overall=overall) if turns else ""
    summary = summary or _TEXT["none"][language]
    if unanswered:
        summary += (" " if language == "en" else "") + _TEXT["left"][language].format(left=unanswered)
    return Report(
        overall=overall,
        answered=len(turns),
        unanswered=unanswered,
        per_question=[_score(turn) for turn in turns],
        parts=averages,
        strengths=_strengths(turns, averages, language),
        practise=_practise(turns, averages, language),
        summary=summary,
        language=language,
    )


def _score(turn: Turn) -> QuestionScore:
    return QuestionScore(
        number=turn.number,
        question_id=turn.question.id,
        type=turn.question.type,
        text=turn.question.text,
        score=turn.grade.score,
        verdict=turn.grade.verdict,
        grader=turn.grade.grader,
        is_follow_up=turn.question.source == "follow_up",
    )


def _averages(turns: Sequence[Turn]) -> list[PartAverage]:
    totals = dict.fromkeys(RUBRIC, 0)
    for turn in turns:
        for part in turn.grade.parts:
            totals[part.name] += part.score
    count = max(1, len(turns))
    return [
        PartAverage(name=name, score=round(totals[name] / count, 1), max_score=top)
        for name, top in RUBRIC.items()
    ]


def _strengths(turns: Sequence[Turn], averages: Sequence[PartAverage], language: Language) -> list[str]:
    if not turns:
        return []
    strong = sorted(
        (part for part in averages if part.score >= STRONG_SHARE * part.max_score),
        key=lambda part: -part.score / part.max_score,
    )
    found = [_part_line("strong_part", part, language) for part in strong]
    found += [
        _TEXT["good_answer"][language].format(number=turn.number, text=_shown(turn.question))
        for turn in turns
        if turn.grade.score >= GOOD_SCORE
    ][:3]
    return found


def _practise(turns: Sequence[Turn], averages: Sequence[PartAverage], language: Language) -> list[str]:
    if not turns:
        return []
    found = []
    weakest = min(averages, key=lambda part: part.score / part.max_score)
    if weakest.score < STRONG_SHARE * weakest.max_score:
        found.append(_part_line("weak_part", weakest, language))
    zero = sum(turn.grade.verdict in ZERO_VERDICTS for turn in turns)
    if zero:
        found.append(_TEXT["zero"][language].format(count=zero))
    weak = sorted(
        (turn for turn in turns if turn.grade.score < GOOD_SCORE), key=lambda turn: turn.grade.score
    )
    for turn in weak[:_MAX_PRACTISE]:
        missed = turn.grade.missed_points[:3]
        if missed:
            points = join_points(missed, language)
            found.append(
                _TEXT["missed"][language].format(
                    number=turn.number, text=_shown(turn.question), points=points
                )
            )
    return found


def _part_line(key: str, part: PartAverage, language: Language) -> str:
    name, tip = _PARTS[part.name][language]
    return _TEXT[key][language].format(part=name, score=f"{part.score:g}", top=part.max_score, tip=tip)


def _shown(question: Question) -> str:
    text = " ".join(question.text.split())
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"
