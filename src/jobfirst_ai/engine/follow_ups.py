"""Follow-up questions for weak answers: they name what the answer covered and probe what it missed.

Which follow-up is asked depends on the grade (a table, `_KIND_BY_VERDICT`): after an empty, "I don't
know" or unreadable answer, a simpler restart on the first missed key points (one level easier); after an
off-topic or repeated answer, a pointer back to this question; after a weak answer, "你提到了X，但没有说明Y"
when something was covered, a request for a concrete example otherwise. Good and fair answers get none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, Literal

from jobfirst_ai.engine.grading import AnswerGrade
from jobfirst_ai.engine.question_bank import Question
from jobfirst_ai.engine.types import Language

__all__ = ["FOLLOW_UP_SUFFIX", "follow_up"]

FollowUpKind = Literal["partial", "vague", "specifics", "restart", "off_topic", "repeated"]
FOLLOW_UP_SUFFIX: Final = "~follow_up"
_KIND_BY_VERDICT: Final[Mapping[str, FollowUpKind]] = {
    "empty": "restart",
    "dont_know": "restart",
    "gibberish": "restart",
    "off_topic": "off_topic",
    "repeated": "repeated",
}
_EASIER: Final = frozenset({"restart"})
_TEMPLATES: Final[Mapping[FollowUpKind, Mapping[Language, str]]] = {
    "partial": {
        "zh": "你提到了{covered}，但没有说明{missed}。能具体讲讲吗？",
        "en": "You mentioned {covered}, but not {missed}. Could you walk me through that?",
    },
    "vague": {
        "zh": "你的回答还比较笼统，没有讲到{missed}。能结合一个具体的例子再说说吗？",
        "en": "Your answer stayed general and did not get to {missed}. Could you take a concrete example "
        "and go through it?",
    },
    "specifics": {
        "zh": "能举一个具体的例子，并用数据或细节说明结果吗？",
        "en": "Could you give a concrete example, with numbers or details about the result?",
    },
    "restart": {
        "zh": "没关系，我们换个简单一点的角度：请先说说{missed}。",
        "en": "That's all right; let's take a simpler angle. Start with {missed}.",
    },
    "off_topic": {
        "zh": "我们回到这个问题本身：请围绕{missed}具体说说。",
        "en": "Let's come back to the question itself: tell me about {missed}.",
    },
    "repeated": {
        "zh": "这个回答和你之前的回答几乎一样。请针对这个问题，说说{missed}。",
        "en": "That answer is almost the same as an earlier one. For this question, tell me about {missed}.",
    },
}
_REASONS: Final[Mapping[Language, str]] = {
    "zh": "追问：上一个回答没有讲到这些要点。",
    "en": "Follow-up: the last answer did not reach these points.",
}
_AND: Final[Mapping[Language, str]] = {"zh": "和", "en": " and "}
_NAMED = 2  # missed points named in the question
_KEPT = 3  # missed points kept as the follow-up's key points


def follow_up(question: Question, answer_grade: AnswerGrade, language: Language) -> Question | None:
    """The follow-up to ask after `answer_grade`, written in `language`; None when the answer was not weak.

    The follow-up keeps the question's type, skills and area; its key points are the missed ones.
    """
    if not answer_grade.is_weak:
        return None
    kind = _kind(answer_grade)
    missed = answer_grade.missed_points or list(question.key_points)
    text = _TEMPLATES[kind][language].format(
        covered=_quote(answer_grade.covered_points[:1], language),
        missed=_quote(missed[:_NAMED], language),
    )
    easier = kind in _EASIER and question.difficulty > 1
    return question.model_copy(
        update={
            "id": question.id + FOLLOW_UP_SUFFIX,
            "difficulty": question.difficulty - 1 if easier else question.difficulty,
            "text": text,
            "reason": _REASONS[language],
            "key_points": missed[:_KEPT],
            "language": language,
            "source": "follow_up",
        }
    )


def _kind(grade: AnswerGrade) -> FollowUpKind:
    by_verdict = _KIND_BY_VERDICT.get(grade.verdict)
    if by_verdict is not None:
        return by_verdict
    if grade.covered_points and grade.missed_points:
        return "partial"
    return "vague" if grade.missed_points else "specifics"


def _quote(points: Sequence[str], language: Language) -> str:
    return _AND[language].join(f"“{point}”" for point in points)
