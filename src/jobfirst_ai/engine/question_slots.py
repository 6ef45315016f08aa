"""What fills the slots of the bank's templates: the resume's own jobs and lines, the job applied for, and
a skill the job asks for that the resume does not show.

Slots: `{role}` a job held ("「高级 Java 工程师 · 杭州云栈科技有限公司」这段经历", "your role as Registered
Nurse at Riverside Memorial Hospital"), `{work}` a line written under it (quoted as written, cut to 80
characters), `{job}` the position applied for ("「Java 开发工程师」这个职位", "the Data Analyst role", or
"this role" without a posting), `{skill}` the first required (else preferred) skill of the posting the
resume lacks, named for a reader of the language.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from jobfirst_ai.engine.skills import SkillDictionary
from jobfirst_ai.engine.types import ExperienceEntry, Findings, Language, PostingFacts

__all__ = ["Line", "Slots", "fill", "read_slots"]

# Title and company; title only; company only; neither.
_ROLE_FORMS: Final[Mapping[Language, tuple[str, str, str, str]]] = {
    "zh": ("「{title} · {company}」这段经历", "「{title}」这段经历", "「{company}」这段经历", ""),
    "en": ("your role as {title} at {company}", "your role as {title}", "your time at {company}", ""),
}
_FALLBACK_ROLE: Final[Mapping[Language, str]] = {
    "zh": "最近一段工作或项目",
    "en": "your most recent job or project",
}
_JOB_FORMS: Final[Mapping[Language, tuple[str, str]]] = {
    "zh": ("「{title}」这个职位", "这个职位"),
    "en": ("the {title} role", "this role"),
}
_BULLET_MARKS: Final = re.compile(r"^[\s\-–—•·*●▪◦►➢✓]+|[\s。.;；，,]+$")
_FIGURE: Final = re.compile(r"\d")
_MAX_LINE = 80
_MIN_LINE = 6
_SLOT: Final = re.compile(r"\{(role|work|job|skill)\}")


@dataclass(frozen=True, slots=True)
class Line:
    """A line the resume wrote under a job, with the job it belongs to."""

    text: str
    role: str
    has_figure: bool


@dataclass(frozen=True, slots=True)
class Slots:
    """Everything a template can be filled with, for one resume, job and language."""

    lines: tuple[Line, ...]
    roles: tuple[str, ...]
    fallback_role: str
    job: str
    missing_skill: str | None
    missing_skill_name: str | None


def read_slots(
    findings: Findings, posting: PostingFacts | None, language: Language, dictionary: SkillDictionary
) -> Slots:
    """The slot values of this resume and job; lines with figures first, then in resume order."""
    jobs = [(entry, _role(entry, language)) for entry in findings.experience]
    fallback = _FALLBACK_ROLE[language]
    lines = [
        Line(text, role or fallback, bool(_FIGURE.search(text)))
        for entry, role in jobs
        for text in map(_clean, entry.bullets)
        if len(text) >= _MIN_LINE
    ]
    missing = _missing_skill(findings, posting)
    return Slots(
        lines=tuple(sorted(lines, key=lambda line: not line.has_figure)),
        roles=tuple(role for _, role in jobs if role),
        fallback_role=fallback,
        job=_job(posting, language),
        missing_skill=missing,
        missing_skill_name=dictionary.display_name(missing, language) if missing else None,
    )


def fill(text: str, values: Mapping[str, str | None]) -> str:
    """`text` with each `{slot}` replaced by its value (a slot without a value is left as written)."""
    return _SLOT.sub(lambda match: values.get(match.group(1)) or match.group(), text)


def _role(entry: ExperienceEntry, language: Language) -> str:
    both, title_only, company_only, neither = _ROLE_FORMS[language]
    title, company = (entry.title or "").strip(), (entry.company or "").strip()
    if title and company:
        return both.format(title=title, company=company)
    if title or company:
        return (title_only if title else company_only).format(title=title, company=company)
    return neither


def _job(posting: PostingFacts | None, language: Language) -> str:
    named, unnamed = _JOB_FORMS[language]
    title = posting.title.strip() if posting else ""
    return named.format(title=title) if title else unnamed


def _missing_skill(findings: Findings, posting: PostingFacts | None) -> str | None:
    if posting is None:
        return None
    held = {skill.name for skill in findings.skills}
    wanted = [*posting.required_skills, *posting.preferred_skills]
    return next((name for name in wanted if name not in held), None)


def _clean(bullet: str) -> str:
    text = _BULLET_MARKS.sub("", bullet.strip())
    return text if len(text) <= _MAX_LINE else text[: _MAX_LINE - 1].rstrip() + "…"
