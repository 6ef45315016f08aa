"""The deterministic 0-100 resume score: a table of rubric parts, each explained in the resume's language."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Literal, NamedTuple

from jobfirst_ai.engine.types import (
    ExperienceEntry,
    Findings,
    Language,
    SectionKind,
    Signals,
    SkillMatch,
    SubScore,
)

__all__ = [
    "CORE_SECTIONS",
    "EVIDENCE_SECTIONS",
    "LENGTH_BANDS",
    "LENGTH_IDEAL",
    "MINOR_CATEGORIES",
    "RUBRIC",
    "SECTION_NAMES",
    "SKILL_LEVEL_WORDS",
    "TECH_CATEGORIES",
    "LengthBand",
    "RubricPart",
    "evidence_target",
    "evidenced_skills",
    "format_years",
    "has_section",
    "is_dated",
    "is_technical",
    "is_years_inflated",
    "join_items",
    "length_band",
    "length_of",
    "pick",
    "quantified_target",
    "say",
    "score_resume",
]

LengthBand = Literal["too_short", "short", "ok", "long", "too_long"]
Earned = tuple[float, list[str]]

# The sections every resume is expected to have, and how each is recognised (a heading or its content).
CORE_SECTIONS: dict[SectionKind, Callable[[Findings], bool]] = {
    "contact": lambda findings: findings.contact.has_email or findings.contact.has_phone,
    "summary": lambda findings: has_section(findings, "summary", "objective"),
    "experience": lambda findings: (
        bool(findings.experience) or has_section(findings, "experience", "projects")
    ),
    "education": lambda findings: bool(findings.education) or has_section(findings, "education"),
    "skills": lambda findings: has_section(findings, "skills"),
}
SECTION_NAMES: dict[SectionKind, tuple[str, str]] = {
    "contact": ("联系方式", "contact details"),
    "summary": ("个人简介", "summary"),
    "experience": ("工作经历", "experience"),
    "education": ("教育背景", "education"),
    "skills": ("专业技能", "skills"),
}
CONTACT_POINTS: dict[str, tuple[int, tuple[str, str]]] = {
    "has_email": (4, ("邮箱", "e-mail")),
    "has_phone": (4, ("电话", "phone")),
    "has_name": (2, ("姓名", "name")),
}
LINK_BONUS = 1
# Dictionary categories that make a profile technical (links to GitHub or a portfolio are then expected).
TECH_CATEGORIES = frozenset(
    {"programming_language", "framework", "database", "cloud_devops", "operating_system", "data_ai"}
)
TECH_SKILLS_NEEDED = 3
EVIDENCE_SECTIONS: frozenset[SectionKind] = frozenset({"experience", "projects"})
# "熟悉/了解" open lines of a skills list by convention; signals cannot tell that list from a role, so
# these words neither cost writing points nor prompt a suggestion unless a role's own line opens with them.
SKILL_LEVEL_WORDS = frozenset({"熟悉", "了解", "接触"})
# Skills that say little about what a person does, named last in summaries and suggestions.
MINOR_CATEGORIES = frozenset({"soft_skill", "language", "office_software", "other"})
# Upper bounds of the first four length bands: non-space characters (zh) or words (en).
LENGTH_LIMITS: dict[Language, tuple[int, ...]] = {"zh": (199, 399, 2500, 4000), "en": (119, 249, 1200, 1800)}
LENGTH_IDEAL: dict[Language, str] = {"zh": "400–2500 字", "en": "250–1200 words"}
LENGTH_BANDS: dict[LengthBand, tuple[int, tuple[str, str]]] = {
    "too_short": (0, ("篇幅过短", "too short")),
    "short": (6, ("篇幅偏短", "on the short side")),
    "ok": (10, ("篇幅合适", "a good length")),
    "long": (6, ("篇幅偏长", "on the long side")),
    "too_long": (2, ("篇幅过长", "too long")),
}
REASONS: dict[str, tuple[str, str]] = {
    "sections_found": ("已包含：{items}", "Has: {items}"),
    "sections_missing": ("缺少：{items}", "Missing: {items}"),
    "contact_found": ("已写明：{items}", "Gives: {items}"),
    "contact_missing": ("未找到：{items}", "Not found: {items}"),
    "contact_links": ("附有主页/作品链接（技术岗加分）", "Profile links given (a plus for technical roles)"),
    "experience_none": ("未识别到工作或项目经历", "No work or project experience found"),
    "experience_projects": ("只有项目经历，没有识别到工作经历", "Projects only; no jobs found"),
    "experience_entries": ("{count} 段经历：{dated} 段有起止时间，{titles} 段有职位，{companies} 段有公司",
                           "Roles: {count} ({dated} dated, {titles} titled, {companies} with an employer)"),
    "years_dated": ("经历日期合计约 {years} 年", "Dates cover about {years} years"),
    "years_undated": ("经历没有可计算的起止时间，无法核算年限", "No dates to count years of experience from"),
    "years_inflated": ("自述 {stated} 年经验，但经历日期只覆盖约 {years} 年",
                       "States {stated} years of experience but the dates cover about {years}"),
    "impact": ("{count} 行写有量化成果（数字、比例、金额），共 {bullets} 条要点；{target} 行即可满分",
               "{count} lines with measured results across {bullets} bullets; {target} earn full marks"),
    "skills_count": ("识别到 {count} 项技能，分属 {categories} 类", "{count} skills in {categories} groups"),
    "skills_evidenced": ("{count} 项技能在工作/项目经历中有实际体现（{target} 项即可满分）",
                         "{count} skills shown in experience or projects ({target} earn full marks)"),
    "no_skills": ("未识别到技能", "No skills found"),
    "verbs": ("有力的动词开头：{items}", "Strong opening verbs: {items}"),
    "no_verbs": ("没有以「主导」「优化」等有力动词开头的要点", "No bullet opens with a strong verb ('led')"),
    "weak": ("弱动词开头：{items}", "Weak openers: {items}"),
    "no_weak": ("没有「负责」「参与」等弱开头", "No weak openers such as 'responsible for'"),
    "bullets": ("{count} 条分点要点", "{count} bullet points"),
    "length": ("约 {count} 字，{verdict}（建议 {ideal}）", "About {count} words, {verdict} (aim: {ideal})"),
}  # fmt: skip


class RubricPart(NamedTuple):
    """One row of the rubric: a stable name, the points available and how they are earned."""

    name: str
    max_score: int
    earn: Callable[[Findings], Earned]


def pick(texts: tuple[str, str], language: Language) -> str:
    """The Chinese or the English one of a (zh, en) pair."""
    return texts[0] if language == "zh" else texts[1]


def say(table: dict[str, tuple[str, str]], code: str, language: Language, **values: object) -> str:
    """The `language` text of `code` in `table`, filled with `values`."""
    return pick(table[code], language).format(**values)


def join_items(items: list[str], language: Language) -> str:
    """Items joined the way the language lists them: "A、B" or "A, B"."""
    return ("、" if language == "zh" else ", ").join(items)


def format_years(years: float) -> str:
    """Years to one decimal, without a trailing ".0"."""
    return f"{years:.1f}".removesuffix(".0")


def is_dated(entry: ExperienceEntry) -> bool:
    """Whether a role has a start and an end (or is current)."""
    return entry.start is not None and (entry.end is not None or entry.is_current)


def has_section(findings: Findings, *kinds: SectionKind) -> bool:
    """Whether the resume has a section of any of `kinds`."""
    return any(section.kind in kinds for section in findings.sections)


def is_technical(findings: Findings) -> bool:
    """Whether the skills found make this a technical profile."""
    return sum(skill.category in TECH_CATEGORIES for skill in findings.skills) >= TECH_SKILLS_NEEDED


def quantified_target(signals: Signals) -> float:
    """Quantified lines for full marks: a third of all bullets (about half of those in roles), at least 4."""
    return max(4.0, signals.bullet_count / 3)


def evidenced_skills(findings: Findings) -> list[SkillMatch]:
    """Skills that occur in experience or projects, not only in a list."""
    return [skill for skill in findings.skills if EVIDENCE_SECTIONS.intersection(skill.sections)]


def evidence_target(findings: Findings) -> float:
    """Evidenced skills that earn full marks: half the skills, at least four (or all, if fewer)."""
    return min(len(findings.skills), max(4.0, len(findings.skills) / 2))


def is_years_inflated(findings: Findings) -> bool:
    """Whether the stated years exceed what the dated entries cover by more than a year (or 20%)."""
    stated, dated = findings.stated_years, findings.total_years
    return stated is not None and dated > 0 and stated > dated + max(1.0, 0.2 * stated)


def length_band(findings: Findings) -> LengthBand:
    """How long the resume is for its language (characters for Chinese, words for English)."""
    size = length_of(findings)
    limits = LENGTH_LIMITS[findings.language]
    bands = list(LENGTH_BANDS)
    return next((bands[index] for index, upper in enumerate(limits) if size <= upper), "too_long")


def length_of(findings: Findings) -> int:
    """The size the length rule reads: non-space characters for Chinese, words for English."""
    signals = findings.signals
    return signals.char_count if findings.language == "zh" else signals.word_count


def _share(count: float, target: float) -> float:
    return min(1.0, count / target) if target > 0 else 0.0


def _listed(found: list[str], missing: list[str], codes: tuple[str, str], language: Language) -> list[str]:
    """Reasons naming what was found and what is missing, each only when non-empty."""
    pairs = ((codes[0], found), (codes[1], missing))
    return [say(REASONS, code, language, items=join_items(items, language)) for code, items in pairs if items]


def _earn_completeness(findings: Findings) -> Earned:
    present = {kind: check(findings) for kind, check in CORE_SECTIONS.items()}
    found = [
        pick(SECTION_NAMES[kind], findings.language) for kind, is_present in present.items() if is_present
    ]
    missing = [pick(SECTION_NAMES[kind], findings.language) for kind, ok in present.items() if not ok]
    return 3.0 * len(found), _listed(
        found, missing, ("sections_found", "sections_missing"), findings.language
    )


def _earn_contact(findings: Findings) -> Earned:
    language, contact = findings.language, findings.contact
    present = {field: getattr(contact, field) is True for field in CONTACT_POINTS}
    found = [pick(CONTACT_POINTS[field][1], language) for field, is_present in present.items() if is_present]
    missing = [pick(CONTACT_POINTS[field][1], language) for field, ok in present.items() if not ok]
    points = sum(CONTACT_POINTS[field][0] for field, is_present in present.items() if is_present)
    reasons = _listed(found, missing, ("contact_found", "contact_missing"), language)
    if contact.links and is_technical(findings):
        points += LINK_BONUS
        reasons.append(say(REASONS, "contact_links", language))
    return points, reasons


def _earn_experience(findings: Findings) -> Earned:
    language, entries = findings.language, findings.experience
    if not entries:
        is_projects = has_section(findings, "projects")
        return (2.0 if is_projects else 0.0), [
            say(REASONS, "experience_projects" if is_projects else "experience_none", language)
        ]
    dated = sum(is_dated(entry) for entry in entries)
    titles = sum(entry.title is not None for entry in entries)
    companies = sum(entry.company is not None for entry in entries)
    count = len(entries)
    points = 4 + 6 * dated / count + 3 * titles / count + 3 * companies / count
    values = {"count": count, "dated": dated, "titles": titles, "companies": companies}
    years_points, years_reasons = _earn_years(findings)
    return points + years_points, [say(REASONS, "experience_entries", language, **values), *years_reasons]


def _earn_years(findings: Findings) -> Earned:
    language, dated = findings.language, findings.total_years
    if dated <= 0:
        return 0.0, [say(REASONS, "years_undated", language)]
    reasons = [say(REASONS, "years_dated", language, years=format_years(dated))]
    if is_years_inflated(findings):
        stated = format_years(findings.stated_years or 0.0)
        return 2.0, [
            *reasons,
            say(REASONS, "years_inflated", language, stated=stated, years=format_years(dated)),
        ]
    return 4.0, reasons


def _earn_impact(findings: Findings) -> Earned:
    signals = findings.signals
    count, target = len(signals.achievements), quantified_target(signals)
    values = {"count": count, "bullets": signals.bullet_count, "target": math.ceil(target)}
    return 20 * _share(count, target), [say(REASONS, "impact", findings.language, **values)]


def _earn_skills(findings: Findings) -> Earned:
    language, skills = findings.language, findings.skills
    if not skills:
        return 0.0, [say(REASONS, "no_skills", language)]
    categories = len({skill.category for skill in skills})
    evidenced, target = len(evidenced_skills(findings)), evidence_target(findings)
    points = 5 * _share(len(skills), 8) + 4 * _share(categories, 3) + 6 * _share(evidenced, target)
    return points, [
        say(REASONS, "skills_count", language, count=len(skills), categories=categories),
        say(REASONS, "skills_evidenced", language, count=evidenced, target=math.ceil(target)),
    ]


def _earn_writing(findings: Findings) -> Earned:
    language, signals = findings.language, findings.signals
    weak_phrases = [phrase for phrase in signals.weak_phrases if phrase not in SKILL_LEVEL_WORDS]
    strong, weak = len(signals.action_verbs), len(weak_phrases)
    verbs = join_items(signals.action_verbs[:5], language)
    reasons = [say(REASONS, "verbs", language, items=verbs) if strong else say(REASONS, "no_verbs", language)]
    if weak:
        reasons.append(say(REASONS, "weak", language, items=join_items(weak_phrases[:3], language)))
    elif strong:
        reasons.append(say(REASONS, "no_weak", language))
    reasons.append(say(REASONS, "bullets", language, count=signals.bullet_count))
    # Openers earn 3 points in the proportion strong : weak; with no strong verb at all, none.
    openers = 3.0 * strong / (strong + weak) if strong else 0.0
    return 4 * _share(strong, 4) + openers + 3 * _share(signals.bullet_count, 6), reasons


def _earn_length(findings: Findings) -> Earned:
    language = findings.language
    points, verdict = LENGTH_BANDS[length_band(findings)]
    values = {"count": length_of(findings), "verdict": pick(verdict, language)}
    return float(points), [say(REASONS, "length", language, ideal=LENGTH_IDEAL[language], **values)]


RUBRIC: tuple[RubricPart, ...] = (
    RubricPart("completeness", 15, _earn_completeness),
    RubricPart("contact", 10, _earn_contact),
    RubricPart("experience", 20, _earn_experience),
    RubricPart("impact", 20, _earn_impact),
    RubricPart("skills", 15, _earn_skills),
    RubricPart("writing", 10, _earn_writing),
    RubricPart("length", 10, _earn_length),
)


def score_resume(findings: Findings) -> tuple[int, list[SubScore]]:
    """The 0-100 score of `findings` and its parts; the same findings always get the same score."""
    sub_scores = []
    for part in RUBRIC:
        points, reasons = part.earn(findings)
        score = min(part.max_score, max(0, int(points + 0.5)))
        sub_scores.append(SubScore(name=part.name, score=score, max_score=part.max_score, reasons=reasons))
    return min(100, max(0, sum(sub.score for sub in sub_scores))), sub_scores
