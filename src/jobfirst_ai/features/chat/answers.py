"""The replies that need no model: a confident FAQ answer, or the engine's list of related FAQ questions.

The FAQ is read once per message (`Lookup`): its best hit decides whether the knowledge base answers
directly, and its relevant hits are the snippets that ground a model's answer otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from jobfirst_ai.engine.faq import GROUNDING_SCORE, FaqHit, faq_entries, find_answer
from jobfirst_ai.engine.types import Language

__all__ = ["EngineReply", "Lookup", "engine_reply", "look_up"]

SUGGESTIONS: Final = 3
# Offered when nothing in the knowledge base is near the message: what the assistant can do, and the two
# questions users ask most about the scores.
_DEFAULT_TOPICS: Final = ("assistant_capabilities", "score_improve", "match_how")

Reason = Literal["no_model", "model_failed"]

_INTRO: Final[dict[tuple[Reason, Language], str]] = {
    ("no_model", "zh"): "智能助手目前没有接入大模型，只能回答关于 JobFirst 的常见问题。",
    ("no_model", "en"): (
        "The assistant is running without a language model right now, so it can answer only common "
        "questions about JobFirst."
    ),
    ("model_failed", "zh"): "大模型暂时无法回答，智能助手先用内置知识库为你服务。",
    ("model_failed", "en"): (
        "The language model is unavailable right now, so the assistant is answering from its built-in "
        "knowledge base."
    ),
}
_OFFER: Final[dict[Language, tuple[str, str]]] = {
    "zh": ("你可能想问：", "可以直接发送其中一个问题，或换个说法再问一次。"),
    "en": ("You might want to ask:", "Send one of these questions, or ask again in other words."),
}


@dataclass(frozen=True)
class Lookup:
    """The FAQ's view of one message."""

    language: Language
    hits: list[FaqHit]

    @property
    def confident(self) -> FaqHit | None:
        """The entry that answers the message without a model, if there is one."""
        return self.hits[0] if self.hits and self.hits[0].is_confident else None

    def snippets(self) -> list[str]:
        """ "Q: … A: …" texts of the relevant entries, for a model's prompt (as `grounding_snippets`)."""
        return [f"Q: {hit.question}\nA: {hit.answer}" for hit in self.hits if hit.score >= GROUNDING_SCORE]


@dataclass(frozen=True)
class EngineReply:
    """A reply written without a model."""

    text: str
    source: Literal["faq", "engine"]
    faq_id: str | None = None
    suggestions: list[str] = field(default_factory=list)


def look_up(message: str, language: Language) -> Lookup:
    """The FAQ entries nearest the message, answers in `language`."""
    return Lookup(language, find_answer(message, language=language, limit=SUGGESTIONS))


def engine_reply(lookup: Lookup, reason: Reason) -> EngineReply:
    """The confident FAQ answer, or a note on why no model answers and up to three questions to ask."""
    hit = lookup.confident
    if hit is not None:
        return EngineReply(hit.answer, "faq", faq_id=hit.id)
    suggestions = _suggested_questions(lookup)
    heading, closing = _OFFER[lookup.language]
    listed = "\n".join(f"{number}. {question}" for number, question in enumerate(suggestions, 1))
    text = f"{_INTRO[(reason, lookup.language)]}\n{heading}\n{listed}\n{closing}"
    return EngineReply(text, "engine", suggestions=suggestions)


def _suggested_questions(lookup: Lookup) -> list[str]:
    """The relevant hits' questions, topped up with the default topics."""
    questions = [hit.question for hit in lookup.hits if hit.score >= GROUNDING_SCORE]
    by_id = {entry.id: entry for entry in faq_entries()}
    for topic in _DEFAULT_TOPICS:
        question = by_id[topic].text(lookup.language).question
        if len(questions) >= SUGGESTIONS:
            break
        if question not in questions:
            questions.append(question)
    return questions[:SUGGESTIONS]
