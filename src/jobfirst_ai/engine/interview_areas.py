"""Which areas of the question bank fit a resume and a job: skills and job titles scored against the
area table (`data/question_areas.tsv`).

Score of an area = for each resume skill, 2 when the area lists it, else 0.5 when its dictionary
category is one of the area's, at most 10 in all; plus the job titles held (the first listed in full, the
next two at half): 5 for a title word of the area ("护士", "frontend"), 1 for a hint ("developer"); plus,
with a posting, its title at twice those weights and its required and preferred skills counted as the
resume's are. The best
area is chosen when it scores at least 2; a second area too when it scores at least half as much.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Final

from jobfirst_ai.engine.question_bank import GENERAL_AREA, Area, QuestionBank
from jobfirst_ai.engine.skills import SkillDictionary
from jobfirst_ai.engine.types import Findings, PostingFacts

__all__ = ["area_scores", "choose_areas"]

_LISTED_SKILL = 2.0
_CATEGORY_SKILL = 0.5
_MAX_SKILLS = 10.0  # so that a long skills list does not outweigh the job titles
_TITLE_WORD = 5.0
_TITLE_HINT = 1.0
_POSTING_TITLE = 2.0
_TITLE_WEIGHTS: Final = (1.0, 0.5, 0.5)  # the first listed job, then the next two
_MIN_SCORE = 2.0
_SECOND_AREA_SHARE = 0.5
_MAX_AREAS = 2


def choose_areas(
    findings: Findings, posting: PostingFacts | None, bank: QuestionBank, dictionary: SkillDictionary
) -> list[str]:
    """The one or two best areas for this resume and job, best first (none when nothing points anywhere:
    then only the general questions fit)."""
    scores = area_scores(findings, posting, bank, dictionary)
    best = max(scores.values(), default=0.0)
    if best < _MIN_SCORE:
        return []
    ranked = sorted(scores, key=lambda name: -scores[name])  # stable: table order breaks ties
    return [name for name in ranked if scores[name] >= best * _SECOND_AREA_SHARE][:_MAX_AREAS]


def area_scores(
    findings: Findings, posting: PostingFacts | None, bank: QuestionBank, dictionary: SkillDictionary
) -> dict[str, float]:
    """Every area's score (see the module docstring), the general area left out."""
    return {
        area.name: _resume_score(area, findings) + _posting_score(area, posting, dictionary)
        for area in bank.areas
        if area.name != GENERAL_AREA
    }


def _resume_score(area: Area, findings: Findings) -> float:
    found = sum(_skill_score(area, skill.name, skill.category) for skill in findings.skills)
    skills = min(_MAX_SKILLS, found)
    titles = sum(
        weight * _title_score(area, entry.title or "")
        for weight, entry in zip(_TITLE_WEIGHTS, findings.experience, strict=False)
    )
    return skills + titles


def _posting_score(area: Area, posting: PostingFacts | None, dictionary: SkillDictionary) -> float:
    if posting is None:
        return 0.0
    names = dict.fromkeys([*posting.required_skills, *posting.preferred_skills])
    skills = min(_MAX_SKILLS, sum(_skill_score(area, name, _category(dictionary, name)) for name in names))
    return skills + _POSTING_TITLE * _title_score(area, posting.title)


def _skill_score(area: Area, name: str, category: str) -> float:
    if name in area.skills:
        return _LISTED_SKILL
    return _CATEGORY_SKILL if category in area.categories else 0.0


def _category(dictionary: SkillDictionary, name: str) -> str:
    entry = dictionary.entry(name)
    return entry.category if entry else ""


def _title_score(area: Area, title: str) -> float:
    folded = title.lower()
    return _TITLE_WORD * _mentions(folded, area.title_words) + _TITLE_HINT * _mentions(
        folded, area.title_hints
    )


def _mentions(folded: str, words: tuple[str, ...]) -> bool:
    pattern = _pattern(words)
    return pattern is not None and pattern.search(folded) is not None


@functools.cache
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a tuple of title words: Latin words whole ("rn" not in "intern"), Chinese anywhere."""
    return re.compile("|".join(_alternatives(words))) if words else None


def _alternatives(words: Iterable[str]) -> Iterable[str]:
    for word in words:
        escaped = re.escape(word)
        yield rf"(?<![a-z0-9]){escaped}(?![a-z0-9])" if word.isascii() else escaped
