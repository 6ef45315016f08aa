"""Interview questions: the engine's picks from the bank, or a model's questions checked and topped up.

Engine first: `pick_questions` chooses `count` bank questions for the resume and job; they are the answer
when no model is configured or the model fails (marked degraded, with the reason). Model second: one call
asks for the same mix of types and difficulties, grounded in the resume and the job. A model question is
kept only when its text and reason name no number that neither the resume nor the job states and no skill
outside the resume, the job and the field the engine chose for them (its listed skills and dictionary
categories; generic competences such as communication or testing are always fine; key points, being what
a good answer says, may name any concept), and nothing in it names an employer they lack. Job titles are
not checked: a question may well be about "your manager" or "a product manager". Within each type's
share the model's questions come first; places they leave empty are filled from the bank, so a request
always gets `count` questions.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from jobfirst_ai.engine.interview_areas import choose_areas
from jobfirst_ai.engine.question_bank import (
    GENERAL_AREA,
    QUESTION_TYPES,
    Area,
    Question,
    shipped_question_bank,
)
from jobfirst_ai.engine.questions import pick_questions
from jobfirst_ai.engine.skills import SkillDictionary, find_skills
from jobfirst_ai.engine.types import Findings, Language
from jobfirst_ai.errors import ProviderError
from jobfirst_ai.features.interview.inputs import JobTarget
from jobfirst_ai.features.interview.prompts import questions_request
from jobfirst_ai.features.interview.schemas import Generation, ModelQuestion, ModelQuestions
from jobfirst_ai.features.resume.enrich import ModelBackend, ask_model, user_tag
from jobfirst_ai.features.resume.grounding import normalise, numbers_in
from jobfirst_ai.llm.types import ChatRequest

logger = logging.getLogger(__name__)

# Competences any question may name: a behavioural question about communication invents nothing.
_GENERIC_CATEGORIES: Final = frozenset({"soft_skill", "methodology"})
DIFFICULTY_NAMES: Final = {1: "easy", 2: "medium", 3: "hard"}
# A named employer. Stricter than the resume checks' organisation words: a question says "上一家公司" or
# "你所在的医院" without naming anyone, so only a full company form (有限公司, 集团, 科技, Inc…) counts.
_EMPLOYER: Final = re.compile(
    r"[\u4e00-\u9fff]{2,12}(?:有限公司|集团|科技|银行|研究院)"
    r"|\b[A-Z][A-Za-z&.-]+(?: [A-Z][A-Za-z&.-]+)* (?:Inc|Ltd|LLC|Corp|Corporation|Company|Bank|Group)\b"
)
# Chinese has no spaces: "你在杭州云栈科技有限公司" matches whole, so the name starts after the last word
# that cannot be part of it ("在", "的", "你"…). Shorter tails are not tried: "科技有限公司" is in every
# resume with a 科技 company, and would let "字节跳动科技有限公司" through.
_LEAD_IN: Final = re.compile(r"^.*[在于的你我他她是和与到从对为曾]")


@dataclass(frozen=True)
class Subject:
    """Who the questions are for: the engine's reading of the resume, its text, the job, the language."""

    findings: Findings
    resume: str
    job: JobTarget | None
    language: Language
    owner: str


@dataclass(frozen=True)
class Drafted:
    """The questions, and who wrote them."""

    questions: list[Question]
    generation: Generation


async def draft_questions(
    backend: ModelBackend | None, subject: Subject, count: int, dictionary: SkillDictionary
) -> Drafted:
    """`count` questions: the model's grounded ones topped up from the bank, or the bank's alone."""
    bank = await asyncio.to_thread(_bank_questions, subject, count, dictionary)
    if backend is None:
        return Drafted(bank, Generation(engine="builtin"))
    try:
        answer, value = await ask_model(backend, _request(subject, bank, count), ModelQuestions)
    except ProviderError as error:
        logger.warning("interview questions degraded to the question bank: %s", error.code)
        reason = f"{error.code}: {error.message}"
        return Drafted(bank, Generation(engine="builtin", degraded=True, degraded_reason=reason))
    areas = _areas(subject, dictionary)
    checker = _Checker(subject, areas, dictionary)
    area = areas[0].name if areas else GENERAL_AREA
    kept: list[Question] = []
    notes: list[str] = []
    for number, written in enumerate(value.questions, start=1):
        problems = checker.problems(written)
        if problems:
            notes.append(f"model question {number} replaced from the bank: {'; '.join(problems)}")
        elif all(normalise(written.text) != normalise(question.text) for question in kept):
            kept.append(_question(written, number, area, checker.skills_in(written), subject.language))
    questions = merge_questions(kept, bank, count)
    filled = sum(question.source != "model" for question in questions)
    if filled:
        notes.append(f"{filled} of {len(questions)} questions came from the bank")
    generation = Generation(
        engine=answer.provider, model=answer.model, usage=answer.usage, grounding_notes=notes
    )
    return Drafted(questions, generation)


def merge_questions(written: Sequence[Question], bank: Sequence[Question], count: int) -> list[Question]:
    """The model's questions first within each type's share of the bank's mix, the bank's in the gaps, then
    whatever is left; grouped by type, easiest first, like the bank's own picks."""
    shares = Counter(question.type for question in bank)
    chosen: list[Question] = []

    def take(pool: Sequence[Question], *, within_share: bool) -> None:
        for question in pool:
            held = Counter(item.type for item in chosen)
            if len(chosen) >= count or question.id in {item.id for item in chosen}:
                continue
            if not within_share or held[question.type] < shares[question.type]:
                chosen.append(question)

    take(written, within_share=True)
    take(bank, within_share=True)
    take(written, within_share=False)
    take(bank, within_share=False)
    order = {kind: index for index, kind in enumerate(QUESTION_TYPES)}
    return sorted(chosen, key=lambda question: (order[question.type], question.difficulty))


def mix_of(questions: Sequence[Question]) -> tuple[dict[str, int], dict[str, int]]:
    """Questions per type and per difficulty name."""
    types = Counter(question.type for question in questions)
    difficulties = Counter(DIFFICULTY_NAMES[question.difficulty] for question in questions)
    return (
        {kind: types[kind] for kind in QUESTION_TYPES},
        {name: difficulties[name] for name in DIFFICULTY_NAMES.values()},
    )


def _bank_questions(subject: Subject, count: int, dictionary: SkillDictionary) -> list[Question]:
    posting = subject.job.facts if subject.job else None
    return pick_questions(
        subject.findings, posting, count=count, language=subject.language, dictionary=dictionary
    )


def _request(subject: Subject, bank: Sequence[Question], count: int) -> ChatRequest:
    types, difficulties = mix_of(bank)
    findings = subject.findings
    facts: dict[str, object] = {
        "count": count,
        "types": {kind: number for kind, number in types.items() if number},
        "difficulty": {
            str(level): difficulties[name] for level, name in DIFFICULTY_NAMES.items() if difficulties[name]
        },
        "candidate": {
            "skills": [skill.name for skill in findings.skills][:40],
            "titles": [entry.title for entry in findings.experience if entry.title][:5],
            "years": findings.stated_years or findings.total_years,
        },
    }
    if subject.job is not None:
        facts["job"] = subject.job.context.model_dump(exclude={"id", "company"})
    return questions_request(
        ModelQuestions,
        facts,
        subject.resume,
        subject.job.text if subject.job else None,
        subject.language,
        user=user_tag(subject.owner),
    )


def _areas(subject: Subject, dictionary: SkillDictionary) -> list[Area]:
    posting = subject.job.facts if subject.job else None
    bank = shipped_question_bank()
    names = choose_areas(subject.findings, posting, bank, dictionary)
    return [area for area in bank.areas if area.name in names]


def _question(
    written: ModelQuestion, number: int, area: str, skills: list[str], language: Language
) -> Question:
    return Question(
        id=f"model-{number}",
        type=written.type,
        difficulty=written.difficulty,
        text=written.text.strip(),
        reason=written.reason.strip(),
        key_points=[point.strip() for point in written.key_points if point.strip()],
        skills=skills,
        area=area,
        language=language,
        source="model",
    )


class _Checker:
    """Local checks of a model question against what the resume and the job state."""

    def __init__(self, subject: Subject, areas: Sequence[Area], dictionary: SkillDictionary) -> None:
        source = f"{subject.resume}\n{subject.job.text if subject.job else ''}"
        self._folded = normalise(source)
        self._numbers = numbers_in(source)
        self._dictionary = dictionary
        skills = {skill.name for skill in subject.findings.skills}
        if subject.job is not None:
            skills |= {*subject.job.facts.required_skills, *subject.job.facts.preferred_skills}
        skills |= {skill for area in areas for skill in area.skills}
        self._skills = {skill.casefold() for skill in skills}
        self._categories = _GENERIC_CATEGORIES | {category for area in areas for category in area.categories}

    def problems(self, written: ModelQuestion) -> list[str]:
        """Why the question is not grounded (empty when it is)."""
        claims = f"{written.text}\n{written.reason}"
        everything = "\n".join([claims, *written.key_points])
        reasons = []
        if self._named(claims) - self._skills:
            reasons.append("skills outside the resume, the job and their field")
        if numbers_in(claims) - self._numbers:
            reasons.append("numbers in neither the resume nor the job")
        if any(
            normalise(_LEAD_IN.sub("", name)) not in self._folded for name in _EMPLOYER.findall(everything)
        ):
            reasons.append("employers in neither the resume nor the job")
        if not any(point.strip() for point in written.key_points):
            reasons.append("no key points")
        return reasons

    def skills_in(self, written: ModelQuestion) -> list[str]:
        """The skills a kept question is about, as the dictionary names them."""
        text = "\n".join([written.text, *written.key_points])
        return list(dict.fromkeys(match.name for match in find_skills(text, self._dictionary)))[:5]

    def _named(self, text: str) -> set[str]:
        return {
            match.name.casefold()
            for match in find_skills(text, self._dictionary)
            if match.category not in self._categories
        }
