"""Degrees read from the education section: level, school, major and dates."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from jobfirst_ai.engine.dates import find_date_ranges, last_date
from jobfirst_ai.engine.sections import Line, is_flat, iter_lines
from jobfirst_ai.engine.types import DegreeLevel, EducationEntry, Section

__all__ = ["DEGREES", "parse_education"]

# Bare 'BS', 'MA', 'BE' are degrees only when followed by a field ('in', 'of', '(', a capitalised word
# that is no product such as 'MS Office'), and not after a comma ('Boston, MA').
_BARE = (
    r"(?<!, )\b{0}\b(?=\s*(?:in|of)\b|\s*[(,\-–—|]|\s*$"
    r"|\s+(?!Office|Word|Excel|Access|SQL|Project|Dynamics|Teams|Visio|Outlook|PowerPoint|Windows)[A-Z][a-z])"
)
_OF_FIELD = r"(?:\s+(?i:of)(?:\s+[A-Z][A-Za-z]+){1,3}|\s+(?i:degree))?"


class Degree(NamedTuple):
    """One level: hints, one of which must occur before the pattern is tried (a line of resume text is
    slow to search for all of them; a lower-case hint matches any case), and the exact pattern."""

    level: DegreeLevel
    hints: str
    pattern: str


# Highest level first: the first level whose pattern occurs in a line is the line's degree.
DEGREES: tuple[Degree, ...] = (
    Degree(
        "phd",
        "博士 ph doctor d.phil ed. psy. j.d.",
        r"博士(?!后)(?:研究生)?|\b(?i:ph\.?\s?d)\b\.?|\b(?i:doctor(?:ate|\s+of\s+philosophy))\b"
        r"|\b(?:Ed|Psy)\.\s?D\b\.?|\bD\.Phil\b|\b(?i:juris\s+doctor)\b|\bJ\.D\.",
    ),
    Degree(
        "mba",
        "MBA business administration PGD",
        r"\bE?MBA\b|\b(?i:master\s+of\s+business\s+administration)\b|\bPGD(?:B)?M\b",
    ),
    Degree(
        "master",
        "硕士 研究生 master M. MSc MSC MTech MTECH MEng MEd MCom MPhil",
        r"硕士(?:研究生)?|(?<!优秀)研究生(?![院会])"
        r"|(?<!Scrum )\b(?i:master(?:'?s)?)\b(?=\s+(?i:of|in|degree|program)\b|\s*[(,]|\s*$)"
        + _OF_FIELD
        + "|"
        r"\bM\.\s?(?:S|Sc|A|E|Ed|Eng|Tech|Com|Phil)\b\.?|\bM(?:Sc|SC|Tech|TECH|Eng|Ed|Com|Phil)\b",
    ),
    Degree("master", "MCA LL MS MA ME", r"\bMCA\b|\bLL\.?M\b\.?|" + _BARE.format("(?:MS|MA|ME)")),
    Degree(
        "bachelor",
        "本科 学士 专升本 bachelor b. tech BSc BSC Bsc BCom BCOM BCA BBA",
        r"本科|学士|专升本|\b(?i:bachelor(?:'?s)?)\b" + _OF_FIELD + "|"
        r"\bB\.\s?(?:S|Sc|A|E|Ed|Eng|Tech|Com|Arch|Pharm)\b\.?|\b(?i:b[.\-]?\s?tech)\b"
        r"|\bB(?:Sc|SC|sc|Com|COM|CA|BA)\b",
    ),
    Degree(
        "bachelor",
        "BEd BPharm BArch BEng BS BA BE",
        r"\bB(?:Ed|Pharm|Arch|Eng)\b|\bB\.?E\b(?=\.|\s*\()|" + _BARE.format("(?:BS|BA|BE)"),
    ),
    Degree(
        "associate",
        "大专 专科 高职 associate A.A. A.S. AAS",
        r"大专|专科|高职|\b(?i:associate(?:'?s)?\s+(?:degree|of\s+(?:arts|science|applied\s+science)))\b"
        r"|\bA\.[AS]\.|\bAAS\b",
    ),
    Degree(
        "high_school",
        "高中 中专 职高 中技 技校 high secondary matric SC S.C SSLC GED 0th 2th",
        r"高中|中专|职高|中技|技校|\b(?i:high(?:er)?\s+(?:school|secondary)|senior\s+secondary)\b"
        r"|\b(?i:secondary\s+school|matriculation)\b|\b(?:H\.?S\.?C|S\.?S\.?C|SSLC|GED)\b|\b(?:10|12)th\b",
    ),
    Degree("other", "diploma", r"\b(?i:(?:post\s*graduate\s+)?diploma)\b"),
)
_DEGREE_PATTERNS = tuple(
    (
        degree.level,
        tuple(hint for hint in degree.hints.split() if hint.lower() == hint),
        tuple(hint for hint in degree.hints.split() if hint.lower() != hint),
        re.compile(degree.pattern),
    )
    for degree in DEGREES
)
_SCHOOL_WORDS = (
    r"(?:University|College|Institute|School|Academy|Polytechnic|Vidyalaya|Vidyapeeth|Conservatory"
    r"|UNIVERSITY|COLLEGE|INSTITUTE|SCHOOL|ACADEMY)"
)
_NAME_WORD = r"[A-Z][\w.'’&\-]*"
# Words joined by single spaces: a run of spaces separates columns ('TVS Lakshmi    Higher Secondary School').
_EN_SCHOOL = re.compile(
    rf"(?<![\w.'’&\-])(?:{_NAME_WORD} (?:(?:{_NAME_WORD}|of|and|&) ){{0,5}}?)?{_SCHOOL_WORDS}\b"
    rf"(?: (?:of|for|at|in) {_NAME_WORD}(?: (?:{_NAME_WORD}|and|of|at|&))*)?"
)
_ZH_SCHOOL = re.compile(
    r"(?:毕业于)?(?P<school>[\u4e00-\u9fffA-Za-z·]{2,22}?(?:大学|学院|学校|中学|高中|分校|研究院|研究所))"
    r"(?:[(（][^)）]*[)）])?"
)
_SCHOOL_HINTS = (
    *("大学", "学院", "学校", "中学", "高中", "分校", "研究院", "研究所", "universit", "college"),
    *("institut", "school", "academy", "polytechnic", "vidyala", "vidyapeeth", "conservatory"),
)
_NOT_SCHOOLS = frozenset({"high school", "secondary school", "higher secondary school"})
# '专业：软件工程', 'Major: Biology', 'Majoring in Finance', 'Computer Science major'.
_LABELLED_MAJOR = re.compile(
    r"(?:(?:专业|(?i:major(?:ing)?))\s*[:：]|(?i:major(?:ing)?\s+in)\s)\s*(?P<major>[^,，|｜;；()（）\n]{2,40})"
    r"|(?<![\w&])(?P<before>[A-Z][\w&]*(?: (?:[A-Z&][\w&]*|and|of)){0,4}) (?i:major)\b"
)
_MAJOR_AFTER_DEGREE = re.compile(
    r"^\s*(?:[(（](?P<paren>[A-Za-z][^)）]{1,50})[)）])?[\s,]*(?:(?:in|of)\s+)?"
    r"(?P<major>[A-Z][\w&/'’\- ]{1,50}?)(?=\s*(?:[,;(|–—*]|\s-\s|\bfrom\b|\bat\b|\d|$))"
)
_ZH_LABEL = re.compile(r"[\u4e00-\u9fff]{2,6}[:：]")  # '毕业院校：', never a major
_ZH_MAJOR = re.compile(r"[\u4e00-\u9fff]{2,15}")
_SEGMENT_BREAK = re.compile(r"\s{2,}|[|｜,，;；:：\t]|\s[-–—]\s")
_MARKUP = re.compile(r"\*\*|__|^\s*#+\s*")
_BULLET = re.compile(r"^\s*[•·\-*–○◦➢❖✓✔→▪●■◆]")
_NOTE = re.compile(r"[(（][^)）]*[)）]")
_LEVELS: dict[str, DegreeLevel] = {degree.level: degree.level for degree in DEGREES}
_ONE_PER_ENTRY = frozenset({"degree", "school", "start", "end"})


@dataclass
class _Draft:
    """An entry being read line by line."""

    lines: list[Line] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)

    def conflicts(self, found: dict[str, str]) -> bool:
        return any(key in self.values for key in found if key in _ONE_PER_ENTRY)

    def entry(self) -> EducationEntry | None:
        if "degree" not in self.values and "school" not in self.values:
            return None
        text = "\n".join(line.text.strip() for line in self.lines)
        level = self.values.get("level")
        return EducationEntry(
            degree=self.values.get("degree"),
            level=_LEVELS.get(level or ""),
            school=self.values.get("school"),
            major=self.values.get("major"),
            start=self.values.get("start"),
            end=self.values.get("end"),
            text=text,
        )


def _find_degree(text: str) -> tuple[DegreeLevel, re.Match[str]] | None:
    lowered = text.lower()
    for level, folded_hints, exact_hints, pattern in _DEGREE_PATTERNS:
        has_hint = any(hint in lowered for hint in folded_hints) or any(hint in text for hint in exact_hints)
        if has_hint and (found := pattern.search(text)):
            return level, found
    return None


def _school_in(rest: str) -> str | None:
    for segment in _SEGMENT_BREAK.split(rest):
        if zh := _ZH_SCHOOL.fullmatch(segment.strip()):
            return zh["school"]
    for found in _EN_SCHOOL.finditer(rest):
        school = found.group().strip()
        if len(school.split()) >= 2 and school.lower() not in _NOT_SCHOOLS:
            return school
    return None


def _major_in(text: str, degree: re.Match[str] | None, rest: str, school: str | None) -> str | None:
    if labelled := _LABELLED_MAJOR.search(text):
        return (labelled["major"] or labelled["before"]).strip().removesuffix("专业").strip() or None
    if degree is not None and degree.group().isascii():
        after = _MAJOR_AFTER_DEGREE.match(text[degree.end() :])
        if after and not _EN_SCHOOL.search(after["major"]):
            return (after["paren"] or after["major"]).strip()
    for segment in _SEGMENT_BREAK.split(_ZH_LABEL.sub("  ", rest)):
        candidate = _NOTE.sub("", segment).strip().removesuffix("专业")
        if _ZH_MAJOR.fullmatch(candidate) and candidate != school:
            return candidate
    return None


def _read_dates(text: str, found: dict[str, str]) -> str:
    """Puts the line's dates into `found`; returns the line with the date ranges blanked out."""
    ranges = find_date_ranges(text)
    for date_range in ranges:
        text = text.replace(date_range.span.text, "  ")
    if ranges:
        found["start"] = ranges[0].start
        if ranges[0].end:
            found["end"] = ranges[0].end
    elif graduated := last_date(text):
        found["end"] = graduated
    return text


def _read_line(raw: str, needs_degree: bool) -> dict[str, str]:
    """The fields one line holds: degree, level, school, major, start, end (none without a degree
    when `needs_degree`)."""
    text = _MARKUP.sub("", raw).strip()
    level_and_degree = _find_degree(text)
    if needs_degree and level_and_degree is None:
        return {}
    found: dict[str, str] = {}
    rest = _read_dates(text, found)
    degree = level_and_degree[1] if level_and_degree else None
    if level_and_degree and degree:
        found["degree"] = degree.group().strip()
        found["level"] = level_and_degree[0]
        rest = rest.replace(degree.group(), "  ")
    lowered = rest.lower()
    if any(hint in lowered for hint in _SCHOOL_HINTS) and (school := _school_in(rest)):
        found["school"] = school
    has_subject = bool(found.keys() & {"degree", "school"}) or _LABELLED_MAJOR.search(text)
    if has_subject and (major := _major_in(text, degree, rest, found.get("school"))):
        found["major"] = major
    return found


def _regions(sections: Sequence[Section], text: str) -> list[Section]:
    education = [section for section in sections if section.kind == "education"]
    return education or [Section(kind="contact", heading="", start=0, end=len(text))]


def _entries_in(text: str, section: Section, is_fallback: bool, flat: bool) -> list[EducationEntry]:
    drafts = [_Draft()]
    lines = list(iter_lines(text, section.start, section.end, flat=flat))
    for line in lines[1:] if section.heading else lines:
        found = _read_line(line.text, needs_degree=is_fallback)
        if not found or (_BULLET.match(line.text) and "school" not in found):
            continue
        if drafts[-1].conflicts(found):
            drafts.append(_Draft())
        drafts[-1].lines.append(line)
        for key, value in found.items():
            drafts[-1].values.setdefault(key, value)
    return [entry for draft in drafts if (entry := draft.entry()) is not None]


def parse_education(text: str, sections: Sequence[Section]) -> list[EducationEntry]:
    """Degrees from the education sections; with none, from lines anywhere that name a degree."""
    has_section = any(section.kind == "education" for section in sections)
    flat = is_flat(text)
    return [
        entry
        for section in _regions(sections, text)
        for entry in _entries_in(text, section, not has_section, flat)
    ]
