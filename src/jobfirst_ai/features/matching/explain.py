"""Explanations of matches: composed by the engine, or written by a model and checked locally.

One model call covers every explained result. What the model writes about a posting is kept only when it
names no skill outside the resume and the posting, calls no missing skill the candidate's (a sentence
naming a missing skill must read as a gap: 缺少, 补充, lack, add…), and states no number that neither
the resume nor the posting's facts contain. Otherwise the engine's explanation stands and a note says why.
The model's score adjustment is clamped to ±MAX_ADJUSTMENT and kept only with a grounded explanation and
a reason, so the final number is the engine's score plus one visible, bounded term.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from jobfirst_ai.engine.match_score import explain_fit
from jobfirst_ai.engine.skills import SkillDictionary, find_skills
from jobfirst_ai.engine.types import CandidateProfile, Language
from jobfirst_ai.features.matching.prompts import MAX_ADJUSTMENT, explanation_request
from jobfirst_ai.features.matching.ranker import Ranked
from jobfirst_ai.features.matching.schemas import ModelAdjustment, ModelExplanation, ModelExplanations
from jobfirst_ai.features.resume.enrich import ModelBackend, ask_model, user_tag
from jobfirst_ai.features.resume.grounding import invented_names, normalise, numbers_in
from jobfirst_ai.llm.types import Usage

_SENTENCE: Final = re.compile(r"[^。！？!?.;；\n]+[。！？!?.;；]?")
_GAP_CUE: Final = re.compile(
    r"缺|不足|欠缺|补充|学习|掌握|提升|加强|建议|尚未|没有|未|需要|可以|"
    r"\b(?:lack|lacks|lacking|missing|gap|gaps|add|learn|build|gain|improve|consider|no|not|without|need|needs|"
    r"should|could|would)\b",
    re.IGNORECASE,
)


@dataclass
class Explained:
    """What one posting's result shows besides its score."""

    explanation: str
    source: Literal["engine", "model"]
    advice: list[str] = field(default_factory=list)
    adjustment: ModelAdjustment | None = None


@dataclass
class ModelOutcome:
    """The checked model answer for a match request."""

    by_key: dict[str, Explained]
    provider: str
    model: str | None
    usage: Usage | None
    notes: list[str]


def engine_explanations(
    ranked: Sequence[Ranked], language: Language, dictionary: SkillDictionary
) -> dict[str, Explained]:
    """The engine's composed explanation for each result (Chinese skill names in Chinese text)."""
    return {
        item.summary.id: Explained(
            explain_fit(item.fit, item.facts, language, dictionary=dictionary),
            "engine",
            engine_advice(item, language, dictionary),
        )
        for item in ranked
    }


def engine_advice(item: Ranked, language: Language, dictionary: SkillDictionary) -> list[str]:
    """One concrete step per missing skill, required first (at most five)."""
    missing = [*item.fit.missing_required, *item.fit.missing_preferred][:5]
    required = set(item.fit.missing_required)
    if language == "zh":
        return [
            f"补充 {dictionary.display_name(skill, 'zh')} 的学习或项目经历，并写进简历"
            f"（{'必备' if skill in required else '加分'}技能）"
            for skill in missing
        ]
    return [
        f"Build and show {skill} experience in a project or course "
        f"({'required' if skill in required else 'preferred'})"
        for skill in missing
    ]


@dataclass(frozen=True)
class Subject:
    """The resume side of an explanation request."""

    candidate: CandidateProfile
    resume: str
    language: Language
    owner: str


async def model_explanations(
    backend: ModelBackend, ranked: Sequence[Ranked], subject: Subject, dictionary: SkillDictionary
) -> ModelOutcome:
    """Ask the model once for every result and keep what passes the local checks (raises ProviderError)."""
    facts = _facts(ranked, subject.candidate)
    request = explanation_request(
        ModelExplanations, facts, subject.resume, subject.language, user=user_tag(subject.owner)
    )
    answer, value = await ask_model(backend, request, ModelExplanations)
    written = {entry.job_id: entry for entry in value.results}
    checker = _Checker(subject.resume, subject.candidate, dictionary)
    outcome = ModelOutcome({}, answer.provider, answer.model, answer.usage, [])
    for item in ranked:
        entry = written.get(item.summary.id)
        if entry is None:
            outcome.notes.append(f"{item.summary.id}: the model gave no explanation; kept the engine's")
            continue
        kept, notes = checker.check(entry, item)
        outcome.notes.extend(notes)
        if kept is not None:
            outcome.by_key[item.summary.id] = kept
    return outcome


def _facts(ranked: Sequence[Ranked], candidate: CandidateProfile) -> dict[str, object]:
    jobs = [
        {
            "job_id": item.summary.id,
            "title": item.summary.title,
            "company": item.summary.company,
            "score": item.fit.score,
            "matched_skills": item.fit.matched_skills,
            "missing_required": item.fit.missing_required,
            "missing_preferred": item.fit.missing_preferred,
            "years_asked": item.facts.years_min,
            "education_asked": item.facts.education_level,
        }
        for item in ranked
    ]
    return {"candidate": candidate.model_dump(), "jobs": jobs}


class _Checker:
    """Local checks of one model explanation against the resume and the posting."""

    def __init__(self, resume: str, candidate: CandidateProfile, dictionary: SkillDictionary) -> None:
        self._resume = resume
        self._folded = normalise(resume)
        self._skills = {skill.casefold() for skill in candidate.skills}
        self._numbers = numbers_in(resume) | {f"{candidate.years:g}", str(int(candidate.years))}
        self._dictionary = dictionary

    def check(self, entry: ModelExplanation, item: Ranked) -> tuple[Explained | None, list[str]]:
        posting_skills = {
            skill.casefold() for skill in (*item.facts.required_skills, *item.facts.preferred_skills)
        }
        allowed_numbers = self._numbers | _posting_numbers(item)
        problems = self._problems(entry.explanation, posting_skills, allowed_numbers, is_claim_checked=True)
        if problems:
            return None, [f"{item.summary.id}: kept the engine's explanation: {'; '.join(problems)}"]
        notes: list[str] = []
        advice = []
        for step in entry.advice:
            if self._problems(step, posting_skills, allowed_numbers, is_claim_checked=False):
                notes.append(f"{item.summary.id}: dropped a piece of advice that was not grounded")
            else:
                advice.append(step)
        adjustment = _adjustment(entry)
        if adjustment and self._problems(
            adjustment.reason, posting_skills, allowed_numbers, is_claim_checked=True
        ):
            notes.append(f"{item.summary.id}: dropped the score adjustment: its reason was not grounded")
            adjustment = None
        return Explained(entry.explanation, "model", advice, adjustment), notes

    def _problems(
        self, text: str, posting_skills: set[str], numbers: set[str], *, is_claim_checked: bool
    ) -> list[str]:
        reasons = []
        named = {match.name.casefold() for match in find_skills(text, self._dictionary)}
        if named - self._skills - posting_skills:
            reasons.append("skills in neither the resume nor the posting")
        if is_claim_checked and _claims_missing(text, named - self._skills, self._dictionary):
            reasons.append("a missing skill presented as the candidate's")
        if numbers_in(text) - numbers:
            reasons.append("numbers in neither the resume nor the posting")
        if invented_names(text, self._folded):
            reasons.append("employers or titles not in the resume")
        return reasons


def _claims_missing(text: str, missing: set[str], dictionary: SkillDictionary) -> bool:
    """A sentence names a skill the candidate lacks without any word that marks it as a gap."""
    if not missing:
        return False
    for sentence in _SENTENCE.findall(text):
        names = {match.name.casefold() for match in find_skills(sentence, dictionary)}
        if names & missing and not _GAP_CUE.search(sentence):
            return True
    return False


def _posting_numbers(item: Ranked) -> set[str]:
    numbers = {str(item.fit.score), "100"}
    if item.facts.years_min is not None:
        numbers |= {f"{item.facts.years_min:g}", str(int(item.facts.years_min))}
    numbers |= {str(len(item.fit.matched_skills)), str(len(item.fit.missing_required))}
    numbers |= {str(len(item.facts.required_skills)), str(len(item.facts.preferred_skills))}
    return numbers | numbers_in(item.summary.title)


def _adjustment(entry: ModelExplanation) -> ModelAdjustment | None:
    points = max(-MAX_ADJUSTMENT, min(MAX_ADJUSTMENT, entry.adjustment))
    if points == 0 or not entry.adjustment_reason.strip():
        return None
    return ModelAdjustment(points=points, reason=entry.adjustment_reason.strip())
