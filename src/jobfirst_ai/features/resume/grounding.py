"""Local checks on what a model said about a resume: nothing it adds may be absent from the resume.

A model may phrase, summarise and advise; it may not state a number, skill, employer or title the resume
does not state. Each check returns what survives and a note for every removal, so the response can say
what was dropped and why. Notes name the kind of problem, never the invented value itself, so nothing
invented reaches the response even as a quotation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from jobfirst_ai.engine.skills import SkillDictionary, find_skills

_NUMBER: Final = re.compile(r"\d+(?:\.\d+)?")
_HAN: Final = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD: Final = re.compile(r"[a-z][a-z0-9+#.]*")
# Characters that continue a Latin word in folded text.
_LOWER_ALNUM: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
# Words that name an employer or a position; one the resume does not contain is an invented fact.
_ORGANISATION: Final = re.compile(
    r"[\u4e00-\u9fff]{2,12}(?:有限公司|公司|集团|银行|医院|学校|大学|研究院)"
    r"|\b[A-Z][A-Za-z&.-]+(?: [A-Z][A-Za-z&.-]+)* (?:Inc|Ltd|LLC|Corp|Corporation|Company|Bank|Group)\b"
)
_TITLE: Final = re.compile(
    r"(?:高级|资深|首席)?(?:工程师|经理|总监|主管|架构师|组长|负责人|总裁|主任)"
    r"|\b(?:Senior|Lead|Principal|Chief|Head)\b|\b(?:Manager|Director|Architect|VP|CTO|CEO)\b"
)
MIN_KEPT_MEANING: Final = 0.5


@dataclass
class Grounded:
    """What survived the checks, and a note per removal."""

    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def normalise(text: str) -> str:
    """Lower case with white space collapsed, for containment checks."""
    # str.split() splits on exactly the characters \s matches: the same as collapsing each run to one
    # space and stripping the ends, at a fraction of the cost for a whole resume.
    return " ".join(text.split()).casefold()


def numbers_in(text: str) -> set[str]:
    """Every number written in `text` ('30%' and '30' both give '30')."""
    return set(_NUMBER.findall(text))


def invented_numbers(text: str, allowed: set[str]) -> set[str]:
    """Numbers in `text` that are not in `allowed`."""
    return numbers_in(text) - allowed


def invented_skills(text: str, resume_skills: set[str], dictionary: SkillDictionary) -> set[str]:
    """Dictionary skills named in `text` that the resume does not have."""
    return {match.name for match in find_skills(text, dictionary)} - resume_skills


def invented_names(text: str, folded_source: str) -> set[str]:
    """Employer and title words in `text` that the (normalised) source does not contain."""
    folded = folded_source
    found = {match.group() for pattern in (_ORGANISATION, _TITLE) for match in pattern.finditer(text)}
    return {name for name in found if normalise(name) not in folded}


def is_written(term: str, folded_text: str) -> bool:
    """`term` occurs in the text; a Latin term only as a whole word ('R' is not in 'React')."""
    if not term.isascii():
        return term in folded_text
    # str.find and a look at the characters either side: a regex with a look-behind first is tried at
    # every character of the resume.
    start = folded_text.find(term)
    while start != -1:
        before, after = folded_text[start - 1 : start], folded_text[start + len(term) : start + len(term) + 1]
        if before not in _LOWER_ALNUM and after not in _LOWER_ALNUM:  # "" past either end of the text
            return True
        start = folded_text.find(term, start + 1)
    return False


def kept_meaning(original: str, improved: str) -> float:
    """Share of the original's content units (Han characters, Latin words) the rewrite keeps."""
    before, after = _units(original), _units(improved)
    return len(before & after) / len(before) if before else 0.0


def _units(text: str) -> set[str]:
    folded = text.casefold()
    return set(_HAN.findall(folded)) | set(_LATIN_WORD.findall(folded))


@dataclass(frozen=True)
class FactBase:
    """What the resume states, against which model text is checked."""

    text: str
    folded: str
    skills: frozenset[str]
    numbers: frozenset[str]
    dictionary: SkillDictionary

    @classmethod
    def of(
        cls, text: str, skills: set[str], dictionary: SkillDictionary, extra_numbers: set[str]
    ) -> FactBase:
        """Facts of one resume; `extra_numbers` are engine figures the model was given (years, counts)."""
        numbers = frozenset(numbers_in(text) | extra_numbers)
        return cls(text, normalise(text), frozenset(skills), numbers, dictionary)

    def problems(self, statement: str) -> list[str]:
        """Why `statement` is not grounded in the resume (empty when it is)."""
        reasons = []
        if invented_numbers(statement, set(self.numbers)):
            reasons.append("numbers not in the resume")
        if invented_skills(statement, set(self.skills), self.dictionary):
            reasons.append("skills not in the resume")
        if invented_names(statement, self.folded):
            reasons.append("employers or titles not in the resume")
        return reasons

    def filter(self, statements: list[str], what: str) -> Grounded:
        """Keep the grounded statements; note each one dropped."""
        result = Grounded()
        for statement in statements:
            reasons = self.problems(statement)
            if reasons:
                result.notes.append(f"dropped a {what}: {'; '.join(reasons)}")
            else:
                result.kept.append(statement)
        return result

    def written_skills(self, candidates: list[str]) -> Grounded:
        """Skills the model says the resume has: kept only when written in the resume."""
        result = Grounded()
        for skill in dict.fromkeys(candidate.strip() for candidate in candidates if candidate.strip()):
            if is_written(normalise(skill), self.folded):
                result.kept.append(skill)
            else:
                result.notes.append("dropped a skill not written in the resume")
        return result
