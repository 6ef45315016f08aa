"""Job postings read for matching: required and preferred skills, years and the degree asked for."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Final, NamedTuple

from jobfirst_ai.engine.dates import COUNT, normalize_width, read_count
from jobfirst_ai.engine.education import DEGREES
from jobfirst_ai.engine.language import detect_language
from jobfirst_ai.engine.scoring import TECH_CATEGORIES
from jobfirst_ai.engine.skills import SkillDictionary, find_skills
from jobfirst_ai.engine.summary import DEGREE_RANK
from jobfirst_ai.engine.types import DegreeLevel, PostingFacts, SkillMatch

__all__ = ["Clause", "read_posting", "split_clauses"]

# A preference cue makes its clause preferred, even beside a requirement word ('熟悉Kafka者优先').
_PREFERRED = re.compile(
    r"优先|加分|更佳|为佳|尤佳|最好|择优"
    r"|\b(?:preferred|preferably|nice[\s-]to[\s-]haves?|good[\s-]to[\s-]have|bonus|desirable|desired"
    r"|ideally|advantageous|an\s+advantage|(?:a|big|huge|strong)\s+plus|plus\s+points?)\b",
    re.IGNORECASE,
)
# An explicit requirement outranks the section default ('must' under 'Nice to have' is still a must).
_REQUIRED = re.compile(
    r"必须|必需|务必|须具备|需具备|要求|\b(?:required|requires?|must|mandatory|essential)\b", re.IGNORECASE
)
# Weak cues ('了解 Docker', 'exposure to Kafka') prefer only where no mastery word stands beside them.
_WEAK = re.compile(r"了解|接触过|\bexposure\s+to\b", re.IGNORECASE)
_MASTERY = re.compile(
    r"熟悉|精通|掌握|熟练|具备|深入|\b(?:proficien\w*|strong|solid|expert\w*|deep)\b", re.IGNORECASE
)

_HEADINGS_PREFERRED = (
    *("加分项", "加分", "加分条件", "加分项目", "优先条件", "优先考虑", "优先", "以下条件优先"),
    *("nice to have", "nice-to-have", "nice to haves", "nice-to-haves", "preferred", "bonus"),
    *("preferred qualifications", "preferred skills", "preferred requirements", "preferred experience"),
    *("bonus points", "pluses", "desirable", "desired skills", "desired qualifications", "good to have"),
)
_HEADINGS_OTHER = (
    *("任职要求", "岗位要求", "职位要求", "任职资格", "岗位资格", "应聘要求", "招聘要求", "基本要求"),
    *("技能要求", "能力要求", "资格要求", "硬性要求", "要求", "岗位职责", "工作职责", "职位描述"),
    *("岗位描述", "工作内容", "职责描述", "福利待遇", "薪资福利", "职位福利", "requirements"),
    *("required", "required qualifications", "required skills", "minimum qualifications"),
    *("basic qualifications", "qualifications", "must have", "must-have", "must haves", "must-haves"),
    *("what you need", "what you'll need", "what we're looking for", "who you are", "responsibilities"),
    *("key responsibilities", "duties", "what you'll do", "about the role", "job description", "benefits"),
)
# Heading → whether the lines under it are preferences ('加分项', 'Nice to have') or not ('任职要求').
_HEADINGS: Final[dict[str, bool]] = dict.fromkeys(_HEADINGS_OTHER, False) | dict.fromkeys(
    _HEADINGS_PREFERRED, True
)
# A field named only in the title names the job, not a requirement ('Back-End Development' in
# '后端开发工程师', 'Sales' in '销售经理'); a tool or technology there is one ('Java开发工程师').
_TITLE_SKILL_CATEGORIES: Final = TECH_CATEGORIES | {"tool", "office_software"}
_MAX_HEADING_CHARS = 40
_LINE = re.compile(r"[^\n]+")
_BULLET = re.compile(
    r"[\s#>•·●▪◦■◆\-–—]*(?:(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*[.、．)）]\s*|[(（]\d{1,2}[)）]\s*)?"
)
_HEAD = re.compile(r"[【\[]?(?P<head>[^:：【】\[\]]{1,40}?)[】\]]?\s*(?:[:：]\s*(?P<rest>.*))?")
_MARKUP = str.maketrans("*_", "  ")
# Clause ends: Chinese punctuation (the list mark 、 joins items), ';', and a full stop that is no 'e.g.'.
_BREAK = re.compile(r"[。；;！!？?，]|(?<!e\.g)(?<!i\.e)(?<!etc)\.(?=\s|$)")

# Spaces are bounded ({0,3}): unbounded runs side by side would backtrack quadratically on long blanks.
_YEARS = re.compile(
    r"(?:(?P<least>至少|不少于|不低于|最少|起码|\bat\s+least|\bminimum(?:\s+of)?|\bmin\.|\bmore\s+than|\bover)\s{0,3})?"
    rf"(?P<low>{COUNT})\s{{0,3}}(?P<plus>\+|plus\b|多)?\s{{0,3}}"
    rf"(?P<range>(?:[-–—~～至到]|\bto\b)\s{{0,3}}(?:{COUNT})\s{{0,3}}\+?\s{{0,3}})?"
    r"(?:年(?P<above>以上|及以上|或以上)?|(?:years?|yrs?)\b(?!\s+old))",
    re.IGNORECASE,
)
_EXPERIENCE_WORD = re.compile(r"经验|经历|工作|从业|年限|experience|\bexp\b|\bworking\b", re.IGNORECASE)
_MAX_YEARS = 50
_DEGREE_PATTERNS = tuple((degree.level, re.compile(degree.pattern)) for degree in DEGREES)
# 'high school' names a degree only where the clause is about schooling, not in '负责高中数学教学'.
_SCHOOLING = re.compile(r"学历|文凭|毕业|以上|diploma|\bGED\b|equivalent|degree|graduat", re.IGNORECASE)


class Clause(NamedTuple):
    """One requirement or preference: a clause of a posting line, with where it starts in the text."""

    start: int
    text: str
    is_preferred: bool


def read_posting(  # noqa: PLR0913 - each given value is a keyword of its own, as the posting form has it
    title: str,
    description: str,
    dictionary: SkillDictionary,
    *,
    required: Sequence[str] = (),
    preferred: Sequence[str] = (),
    years_min: float | None = None,
    education_level: DegreeLevel | None = None,
) -> PostingFacts:
    """What a posting asks for; values the caller gives win over the ones read from the text.

    Given skill names go through the dictionary ('k8s' → 'Kubernetes'); names it does not know are kept
    as written. A skill both required and preferred is required.
    """
    title = title.strip()
    text = f"{title}\n{description}"
    clauses = split_clauses(text)
    matches = [
        match
        for match in find_skills(text, dictionary)
        if match.category in _TITLE_SKILL_CATEGORIES
        or any(span.start > len(title) for span in match.evidence)
    ]
    found_required, found_preferred = _classify(matches, clauses)
    given_preferred = _canonical(preferred, dictionary)
    required_skills = _canonical(required, dictionary) or _without(found_required, given_preferred)
    asked = [clause for clause in clauses if clause.start > len(title) and not clause.is_preferred]
    return PostingFacts(
        language=detect_language(text),
        title=title,
        required_skills=required_skills,
        preferred_skills=_without(given_preferred or found_preferred, required_skills),
        years_min=years_min if years_min is not None else _years_asked(asked),
        education_level=education_level or _education_asked(asked),
    )


def split_clauses(text: str) -> list[Clause]:
    """The clauses of `text` in order, each marked preferred or not by its cues and its heading."""
    clauses: list[Clause] = []
    is_preferred = False
    for line in _LINE.finditer(text):
        content = line.group().translate(_MARKUP)
        skip = _BULLET.match(content)
        offset = skip.end() if skip else 0
        heading = _heading(content[offset:])
        if heading is not None:
            is_preferred, rest = heading
            offset += rest
        clauses += _clauses_in(content, line.start(), offset, is_preferred)
    return clauses


def _heading(line: str) -> tuple[bool, int] | None:
    """(whether the lines under it are preferences, where its own content starts) for a heading line:
    a known heading ('任职要求', 'Nice to have:') or any short line that ends in a colon."""
    found = _HEAD.fullmatch(line.rstrip())
    if found is None:
        return None
    head, rest = found["head"].strip(), found["rest"]
    known = _HEADINGS.get(" ".join(head.casefold().split()))
    content = found.start("rest") if rest is not None else len(line)
    if known is not None:
        return known, content
    if rest is not None and not rest.strip() and len(head) <= _MAX_HEADING_CHARS:
        return _PREFERRED.search(head) is not None, content
    return None


def _clauses_in(line: str, line_start: int, offset: int, default: bool) -> Iterator[Clause]:
    start = offset
    for end in [found.start() for found in _BREAK.finditer(line, offset)] + [len(line)]:
        piece = line[start:end]
        if piece.strip():
            yield from _pieces(piece, line_start + start, default)
        start = end + 1


def _pieces(clause: str, start: int, default: bool) -> Iterator[Clause]:
    """The clause, or its comma parts when a preference sits beside parts with asks of their own
    ('BS in CS, MS preferred'; 'Java required, Go preferred'), each then judged alone."""
    parts = clause.split(",")
    if len(parts) > 1 and _PREFERRED.search(clause) and any(_has_own_ask(p) for p in parts):
        for part in parts:
            yield Clause(start, part, _is_preferred(part, default))
            start += len(part) + 1
    else:
        yield Clause(start, clause, _is_preferred(clause, default))


def _has_own_ask(part: str) -> bool:
    if _PREFERRED.search(part):
        return False
    text = normalize_width(part)
    return bool(_REQUIRED.search(text) or _YEARS.search(text) or _degree_levels(text))


def _is_preferred(clause: str, default: bool) -> bool:
    if _PREFERRED.search(clause):
        return True
    if _REQUIRED.search(clause):
        return False
    if _WEAK.search(clause) and not _MASTERY.search(clause):
        return True
    return default


def _clause_at(clauses: Sequence[Clause], starts: Sequence[int], offset: int) -> Clause:
    return clauses[max(bisect.bisect_right(starts, offset) - 1, 0)]


def _classify(matches: Sequence[SkillMatch], clauses: Sequence[Clause]) -> tuple[list[str], list[str]]:
    """Required and preferred skill names in order of first mention: required if any mention is."""
    starts = [clause.start for clause in clauses]
    required: list[str] = []
    preferred: list[str] = []
    for match in matches:
        kinds = {_clause_at(clauses, starts, span.start).is_preferred for span in match.evidence}
        (preferred if kinds == {True} else required).append(match.name)
    return required, preferred


def _canonical(names: Iterable[str], dictionary: SkillDictionary) -> list[str]:
    """Dictionary names for the given names, unknown ones as written, each once (ignoring case)."""
    kept: dict[str, str] = {}
    for raw in names:
        name = raw.strip()
        if name:
            entry = dictionary.lookup(name)
            canonical = entry.name if entry else name
            kept.setdefault(canonical.casefold(), canonical)
    return list(kept.values())


def _without(names: Sequence[str], dropped: Sequence[str]) -> list[str]:
    keys = {name.casefold() for name in dropped}
    return [name for name in names if name.casefold() not in keys]


def _years_in(clause: str) -> list[float]:
    text = normalize_width(clause)
    has_context = _EXPERIENCE_WORD.search(text) is not None
    return [
        read_count(found["low"])
        for found in _YEARS.finditer(text)
        if has_context or found["least"] or found["plus"] or found["range"] or found["above"]
    ]


def _years_asked(clauses: Sequence[Clause]) -> float | None:
    """The largest lower bound of years among the required clauses ('3-5年' → 3, '5+ years' → 5)."""
    asked = [years for clause in clauses for years in _years_in(clause.text) if 0 < years <= _MAX_YEARS]
    return max(asked) if asked else None


def _degree_levels(text: str) -> list[DegreeLevel]:
    # 'BS/MS': a slash between degrees reads as the separator the degree patterns expect after 'BS'.
    text = text.replace("/", "|")
    return [
        level
        for level, pattern in _DEGREE_PATTERNS
        if level != "other" and pattern.search(text) and (level != "high_school" or _SCHOOLING.search(text))
    ]


def _education_asked(clauses: Sequence[Clause]) -> DegreeLevel | None:
    """The lowest degree named by a required clause ('本科及以上' → bachelor, 'BS/MS' → bachelor)."""
    levels = [level for clause in clauses for level in _degree_levels(normalize_width(clause.text))]
    if not levels:
        return None
    lowest: DegreeLevel = min(levels, key=DEGREE_RANK.__getitem__)
    return lowest
