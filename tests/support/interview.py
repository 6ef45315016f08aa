"""Simulated interview candidates: answers built from a question's key points, and the worthless kinds.

A good candidate covers every key point, with the structure the grader looks for (STAR for stories, an
order and reasons otherwise) and figures; a thin one names only the first point. The key points of a
session's current question are hidden from the candidate over the API, so the tests read them from the
bank by question id (a follow-up's are the points the previous answer missed).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jobfirst_ai.engine.question_bank import shipped_question_bank
from jobfirst_ai.engine.types import Language

# The fixed words stay short beside the key points, so two good answers in a session never read as a repeat.
_STORY = {
    "zh": "当时我负责这件事，任务是解决它。我决定这样做：{body}。因为要权衡成本，最终结果提升了 30%。",
    "en": "At the time I was responsible for this. I decided to act: {body}. We weighed the cost, and as a "
    "result it improved by 30%.",
}
_PLAIN = {
    "zh": "首先，{first}。其次，{rest}。因为这样能解决问题，例如用 Redis 把延迟降低了 40%。",
    "en": "First, {first}. Second, {rest}. This matters because, for example, Redis cut latency by 40%.",
}
_SEPARATOR = {"zh": "；", "en": "; "}
OFF_TOPIC: dict[Language, str] = {
    "zh": "我周末喜欢打篮球，最近在看一部科幻电影，觉得特别好看。",
    "en": "I like playing basketball at the weekend and I watched a great film yesterday.",
}
GIBBERISH = "asdfgh jkl qwer zxcv"


def good_answer(points: Sequence[str], question_type: str, language: Language) -> str:
    """An answer that covers every key point with the structure, reasons and figures of a strong one."""
    separator = _SEPARATOR[language]
    if question_type in ("behavioural", "project"):
        return _STORY[language].format(body=separator.join(points))
    return _PLAIN[language].format(first=points[0], rest=separator.join(points[1:]) or points[0])


def thin_answer(points: Sequence[str], language: Language) -> str:
    """A one-line answer that names only the first key point."""
    return f"我觉得主要是{points[0]}。" if language == "zh" else f"I think it is mainly {points[0]}."


def bank_points(question_id: str, language: Language) -> list[str]:
    """The key points of a bank question (a project template's are the template's own)."""
    entry = shipped_question_bank().entry(question_id)
    assert entry is not None, question_id
    return list(entry.wording(language).key_points)


def current_points(
    current: dict[str, Any], last_grade: dict[str, Any] | None, language: Language
) -> list[str]:
    """The key points of the session's current question: a follow-up probes what the last answer missed."""
    if current["is_follow_up"]:
        assert last_grade is not None
        return list(last_grade["missed_points"][:3])
    return bank_points(current["id"], language)
