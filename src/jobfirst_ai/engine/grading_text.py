"""The words of the engine's answer feedback, in Chinese and English: one table, looked up by code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from jobfirst_ai.engine.types import Language

__all__ = ["MESSAGES", "feedback_for", "join_points", "zero_feedback"]

MESSAGES: Final[Mapping[str, Mapping[Language, str]]] = {
    "empty": {"zh": "没有收到回答，这一题记 0 分。", "en": "No answer was given, so this question scores 0."},
    "dont_know": {
        "zh": "回答是“不知道”，这一题记 0 分。面试中可以先说出你了解的相关部分，或者说明你会怎样找到答案。",
        "en": "The answer was “I don't know”, which scores 0. In an interview, say what you do know about "
        "it, or how you would find the answer.",
    },
    "gibberish": {
        "zh": "回答无法识别为有意义的内容，这一题记 0 分。",
        "en": "The answer could not be read as meaningful text, so it scores 0.",
    },
    "off_topic": {
        "zh": "回答与问题无关，这一题记 0 分。请围绕问题本身作答。",
        "en": "The answer does not address the question, so it scores 0. Answer the question that was asked.",
    },
    "repeated": {
        "zh": "回答与之前的回答几乎相同，这一题记 0 分。请针对这道题单独作答。",
        "en": "The answer repeats an earlier one, so it scores 0. Answer this question on its own.",
    },
    "covered": {"zh": "做得好的地方：讲到了{points}。", "en": "What worked: you covered {points}."},
    "covered_none": {
        "zh": "回答与问题相关，但还没有讲到关键要点。",
        "en": "The answer is on topic but does not reach the key points yet.",
    },
    "missed": {"zh": "还可以补充：{points}。", "en": "What to add: {points}."},
    "star": {
        "zh": "建议按 STAR（情境、任务、行动、结果）组织回答，还缺少：{points}。",
        "en": "Structure the answer with STAR (situation, task, action, result); missing: {points}.",
    },
    "numbers": {
        "zh": "加入具体数字（规模、时间、提升幅度）会更有说服力。",
        "en": "Add concrete numbers (scale, time, improvement) to make it convincing.",
    },
    "reasoning": {
        "zh": "多解释“为什么”以及其中的取舍，而不只是给出结论。",
        "en": "Explain why, and the trade-offs, not only the conclusion.",
    },
    "short": {
        "zh": "回答偏短，可以展开到一到两分钟。",
        "en": "The answer is short; aim for one to two minutes.",
    },
    "long": {
        "zh": "回答偏长，建议先给结论，再展开两三个要点。",
        "en": "The answer is long; lead with the conclusion, then two or three points.",
    },
    "reference": {"zh": "参考要点：{points}。", "en": "Key points of a good answer: {points}."},
    "engine": {
        "zh": "（由内置引擎评分：依据要点覆盖、结构、具体程度和篇幅，不核实每个技术细节。）",
        "en": "(Scored by the built-in engine from key-point coverage, structure, specifics and length; it "
        "does not check every technical detail.)",
    },
}
_STAR_NAMES: Final[Mapping[str, Mapping[Language, str]]] = {
    "situation": {"zh": "情境（当时的背景）", "en": "the situation"},
    "task": {"zh": "任务（你的目标或职责）", "en": "the task (your goal or responsibility)"},
    "action": {"zh": "行动（你具体做了什么）", "en": "the actions you took"},
    "result": {"zh": "结果（最好有数据）", "en": "the result (ideally in numbers)"},
}
_SEPARATOR: Final[Mapping[Language, str]] = {"zh": "、", "en": "; "}
_QUOTES: Final[Mapping[Language, tuple[str, str]]] = {"zh": ("“", "”"), "en": ("“", "”")}


def join_points(points: Sequence[str], language: Language) -> str:
    """Key points quoted and listed the way a reader of `language` expects."""
    opening, closing = _QUOTES[language]
    return _SEPARATOR[language].join(f"{opening}{point}{closing}" for point in points)


def zero_feedback(verdict: str, reference: Sequence[str], language: Language) -> str:
    """Why an answer scored 0, the key points it should have covered, and who graded it."""
    return _sentences(
        [
            MESSAGES[verdict][language],
            MESSAGES["reference"][language].format(points=join_points(reference, language)),
            MESSAGES["engine"][language],
        ],
        language,
    )


def feedback_for(
    covered: Sequence[str], missed: Sequence[str], advice: Sequence[str], language: Language
) -> str:
    """What was good, what to add (the missed key points by name), how to improve, and who graded it.

    `advice` holds codes: `star:<part>` for each STAR part missing, and any of `numbers`, `reasoning`,
    `short`, `long` (see `MESSAGES`).
    """
    lines = [
        MESSAGES["covered"][language].format(points=join_points(covered, language))
        if covered
        else MESSAGES["covered_none"][language]
    ]
    if missed:
        lines.append(MESSAGES["missed"][language].format(points=join_points(missed, language)))
    star = [_STAR_NAMES[code.split(":", 1)[1]][language] for code in advice if code.startswith("star:")]
    if star:
        lines.append(MESSAGES["star"][language].format(points=_SEPARATOR[language].join(star)))
    lines += [MESSAGES[code][language] for code in advice if not code.startswith("star:")]
    lines.append(MESSAGES["engine"][language])
    return _sentences(lines, language)


def _sentences(lines: Sequence[str], language: Language) -> str:
    return ("" if language == "zh" else " ").join(lines)
