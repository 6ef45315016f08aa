"""Choosing interview questions from the bank for a resume and, optionally, a job.

`pick_questions` is deterministic: the same resume, posting, count and language give the same questions
(ties are broken by a hash of the inputs, never by chance). It:

1. chooses one or two areas (`interview_areas`); general questions serve every resume;
2. splits `count` over types by `TYPE_SHARES` (technical 40%, project 25%, behavioural 20%, role fit
   15%; a type short of questions passes its places on) and over difficulty by `DIFFICULTY_SHARES`
   (30% easy, 50% medium, 20% hard);
3. ranks technical questions on skills both the resume and the job name first, then skills the job asks
   for and the resume lacks, then the resume's other skills, then the rest of the area; a question on a
   skill already asked about drops one rank;
4. fills project templates with the resume's own jobs and lines (those with figures first), and role-fit
   templates with the job's title; when the job asks for a skill the resume does not show, the question
   on that gap is always among the role-fit ones.

`follow_up` (from `follow_ups`) turns a weak answer's grade into the next question.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar

from jobfirst_ai.engine.follow_ups import follow_up
from jobfirst_ai.engine.interview_areas import choose_areas
from jobfirst_ai.engine.question_bank import (
    GENERAL_AREA,
    QUESTION_TYPES,
    BankEntry,
    Question,
    QuestionBank,
    QuestionType,
    shipped_question_bank,
)
from jobfirst_ai.engine.question_slots import Slots, fill, read_slots
from jobfirst_ai.engine.skills import SkillDictionary, find_skills
from jobfirst_ai.engine.types import Findings, Language, PostingFacts

__all__ = ["DIFFICULTY_SHARES", "TYPE_SHARES", "follow_up", "pick_questions"]

TYPE_SHARES: Final[tuple[tuple[QuestionType, float], ...]] = (
    ("technical", 0.4),
    ("project", 0.25),
    ("behavioural", 0.2),
    ("role_fit", 0.15),
)
DIFFICULTY_SHARES: Final[tuple[tuple[int, float], ...]] = ((1, 0.3), (2, 0.5), (3, 0.2))
_MUST_ASK = -1
_Key = TypeVar("_Key")


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A question that could be asked, and how well it fits (lower ranks first)."""

    question: Question
    tier: int
    area_rank: int
    tiebreak: str


@dataclass(frozen=True, slots=True)
class _Context:
    """What the ranking needs to know about the resume and the job."""

    language: Language
    areas: tuple[str, ...]
    resume_skills: frozenset[str]
    posting_skills: frozenset[str]
    has_posting: bool
    seed: str

    def area_rank(self, area: str) -> int:
        return self.areas.index(area) if area in self.areas else len(self.areas)

    def tiebreak(self, question_id: str) -> str:
        return hashlib.sha256(f"{self.seed}:{question_id}".encode()).hexdigest()


def pick_questions(
    findings: Findings,
    posting: PostingFacts | None,
    *,
    count: int,
    language: Language,
    dictionary: SkillDictionary,
    bank: QuestionBank | None = None,
) -> list[Question]:
    """`count` questions (fewer only if the bank runs out) for this resume and job, written in `language`,
    grouped by type (technical, project, behavioural, role fit) and easiest first within each type."""
    if count <= 0:
        return []
    bank = bank or shipped_question_bank()
    context = _context(findings, posting, language, choose_areas(findings, posting, bank, dictionary))
    slots = read_slots(findings, posting, language, dictionary)
    pools = _pools(bank, context, slots, dictionary)
    picker = _Picker(_split(count, DIFFICULTY_SHARES))
    missing = 0
    for kind, places in _split(count, TYPE_SHARES).items():
        missing += places - picker.take(pools[kind], places + missing)
    for kind in QUESTION_TYPES:  # a type that ran out leaves places for the others
        missing -= picker.take(pools[kind], missing)
    return picker.in_order()


def _context(
    findings: Findings, posting: PostingFacts | None, language: Language, areas: Sequence[str]
) -> _Context:
    resume = frozenset(skill.name for skill in findings.skills)
    wanted = frozenset([*posting.required_skills, *posting.preferred_skills]) if posting else frozenset()
    # The language words the questions; it does not choose them.
    parts = [*sorted(resume), *(entry.title or "" for entry in findings.experience)]
    if posting:
        parts += [posting.title, *sorted(wanted)]
    seed = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return _Context(language, tuple(areas), resume, wanted, posting is not None, seed)


def _pools(
    bank: QuestionBank, context: _Context, slots: Slots, dictionary: SkillDictionary
) -> dict[QuestionType, list[_Candidate]]:
    entries = [entry for area in (*context.areas, GENERAL_AREA) for entry in bank.in_area(area)]
    pools: dict[QuestionType, list[_Candidate]] = {kind: [] for kind in QUESTION_TYPES}
    templates = sorted(
        (entry for entry in entries if entry.type == "project"),
        key=lambda entry: (context.area_rank(entry.area), context.tiebreak(entry.id)),
    )
    pools["project"] = list(_project_candidates(templates, context, slots, dictionary))
    for entry in entries:
        if entry.type != "project":
            candidate = _candidate(entry, context, slots)
            if candidate is not None:
                pools[entry.type].append(candidate)
    return pools


def _candidate(entry: BankEntry, context: _Context, slots: Slots) -> _Candidate | None:
    wording = entry.wording(context.language)
    if "{skill}" in wording.text and slots.missing_skill is None:
        return None
    if entry.type == "technical":
        tier = _skill_tier(entry.skills, context)
    elif "{skill}" in wording.text:
        tier = _MUST_ASK  # the gap between the job and the resume: an interviewer always asks
    elif "{job}" in wording.text and context.has_posting:
        tier = 0  # about the job applied for, by its title
    else:
        tier = 1 if entry.area != GENERAL_AREA else 2
    values = {"job": slots.job, "skill": slots.missing_skill_name}
    skills = [slots.missing_skill] if "{skill}" in wording.text and slots.missing_skill else entry.skills
    return _make(entry, context, values, list(skills), tier)


def _skill_tier(skills: Sequence[str], context: _Context) -> int:
    """0: a skill the resume and the job both name; 1: one the job wants and the resume lacks; 2: one the
    resume names; 3: none of these."""
    named = set(skills)
    if named & context.resume_skills & context.posting_skills:
        return 0
    if named & (context.posting_skills - context.resume_skills):
        return 1
    return 2 if named & context.resume_skills else 3


def _project_candidates(
    templates: Sequence[BankEntry], context: _Context, slots: Slots, dictionary: SkillDictionary
) -> Iterator[_Candidate]:
    """Each template paired with its own line of the resume (figures first) or, needing only the job, the
    resume's jobs in turn; a template needing a line is dropped when the lines run out."""
    lines = iter(slots.lines)
    roles = 0
    for entry in templates:
        if "{work}" in entry.zh.text or "{work}" in entry.en.text:
            line = next(lines, None)
            if line is None:
                continue
            values, tier, evidence = (
                {"role": line.role, "work": line.text},
                0 if line.has_figure else 1,
                line.text,
            )
        else:
            role = slots.roles[roles % len(slots.roles)] if slots.roles else slots.fallback_role
            roles += 1
            values, tier, evidence = {"role": role}, 1 if slots.roles else 2, role
        skills = [match.name for match in find_skills(evidence, dictionary)][:5]
        yield _make(entry, context, values, skills, tier)


def _make(
    entry: BankEntry, context: _Context, values: Mapping[str, str | None], skills: list[str], tier: int
) -> _Candidate:
    question = entry.as_question(context.language)
    question = question.model_copy(update={"text": fill(question.text, values), "skills": skills})
    return _Candidate(question, tier, context.area_rank(entry.area), context.tiebreak(entry.id))


class _Picker:
    """Takes the best candidates in turn, keeping to the difficulty quota and spreading skills."""

    def __init__(self, difficulty_quota: dict[int, int]) -> None:
        self._remaining = difficulty_quota
        self._chosen: list[Question] = []
        self._asked_skills: set[str] = set()

    def take(self, pool: Sequence[_Candidate], places: int) -> int:
        """Choose up to `places` from `pool`; how many were chosen."""
        taken = 0
        chosen_ids = {question.id for question in self._chosen}
        options = [candidate for candidate in pool if candidate.question.id not in chosen_ids]
        while taken < places and options:
            best = min(options, key=self._rank)
            options.remove(best)
            self._chosen.append(best.question)
            self._asked_skills.update(best.question.skills)
            self._remaining[best.question.difficulty] -= 1
            taken += 1
        return taken

    def in_order(self) -> list[Question]:
        """The chosen questions by type, easiest first within a type (stable, so best first on ties)."""
        order = {kind: index for index, kind in enumerate(QUESTION_TYPES)}
        return sorted(self._chosen, key=lambda question: (order[question.type], question.difficulty))

    def _rank(self, candidate: _Candidate) -> tuple[bool, int, int, str]:
        """Open difficulty first (a must-ask question is never held back), then tier, area and hash."""
        question = candidate.question
        repeats = question.type == "technical" and bool(self._asked_skills & set(question.skills))
        is_held = candidate.tier > _MUST_ASK and self._remaining.get(question.difficulty, 0) <= 0
        return (is_held, candidate.tier + repeats, candidate.area_rank, candidate.tiebreak)


def _split(count: int, shares: Sequence[tuple[_Key, float]]) -> dict[_Key, int]:
    """`count` split by `shares`, largest remainders first (ties in table order), summing to `count`."""
    exact = [(key, count * share) for key, share in shares]
    split = {key: int(value) for key, value in exact}
    left = count - sum(split.values())
    for key, _ in sorted(exact, key=lambda pair: -(pair[1] - int(pair[1])))[:left]:
        split[key] += 1
    return split
