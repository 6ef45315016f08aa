"""A one-to-three sentence summary of a resume, composed only from what the engine found."""

from __future__ import annotations

import re

from jobfirst_ai.engine.scoring import EVIDENCE_SECTIONS, MINOR_CATEGORIES, join_items, pick
from jobfirst_ai.engine.suggestions import skill_name, suggest
from jobfirst_ai.engine.types import (
    DegreeLevel,
    EducationEntry,
    ExperienceEntry,
    Findings,
    Language,
    SkillMatch,
    Suggestion,
)

__all__ = [
    "FIX_LABELS",
    "degree_name",
    "key_skill_names",
    "key_skills",
    "latest_role",
    "summarize",
    "years_of",
]

KEY_SKILLS = 4
DEGREE_RANK: dict[DegreeLevel, int] = {
    "phd": 6, "mba": 5, "master": 5, "bachelor": 4, "associate": 3, "high_school": 2, "other": 1,
}  # fmt: skip
DEGREE_NAMES: dict[DegreeLevel, tuple[str, str]] = {
    "phd": ("博士学历", "Ph.D."),
    "mba": ("MBA 学历", "MBA"),
    "master": ("硕士学历", "master's degree"),
    "bachelor": ("本科学历", "bachelor's degree"),
    "associate": ("大专学历", "associate degree"),
    "high_school": ("高中学历", "high-school diploma"),
}
# Short names of the fixes, for the "top fix" clause.
FIX_LABELS: dict[str, tuple[str, str]] = {
    "add_email": ("补充邮箱", "add an e-mail address"),
    "add_phone": ("补充手机号", "add a phone number"),
    "add_experience": ("补充工作经历", "add your experience"),
    "add_experience_dates": ("补全经历起止时间", "date every role"),
    "add_quantified_results": ("量化工作成果", "quantify results"),
    "add_name": ("写上姓名", "add your name"),
    "replace_weak_openers": ("用有力的动词开头", "lead with strong verbs"),
    "fix_stated_years": ("核对工作年限", "check your stated years"),
    "explain_gap": ("说明经历空档", "explain the gap"),
    "add_summary": ("补充个人简介", "add a summary"),
    "add_skills_section": ("补充技能板块", "add a skills section"),
    "add_education": ("补充教育背景", "add your education"),
    "evidence_skills": ("在经历中体现技能", "show your skills in your roles"),
    "shorten_resume": ("精简篇幅", "shorten it"),
    "expand_resume": ("充实内容", "add substance"),
    "add_education_details": ("补全教育信息", "complete your education details"),
    "use_bullets": ("改用分点要点", "use bullet points"),
    "add_profile_links": ("附上作品链接", "add a GitHub or portfolio link"),
}
LONGEST_DEGREE_AS_WRITTEN = 12
WHERE: dict[bool, tuple[str, str]] = {True: ("现任职于", "currently"), False: ("最近任职于", "most recently")}


def summarize(findings: Findings, score: int, suggestions: list[Suggestion] | None = None) -> str:
    """'约 6 年经验的Java后端工程师（最近任职于某某公司），本科学历，核心技能：…。简历评分 78/100，…'.

    Every clause comes from `findings`; a part that was not found is left out, never guessed.
    `suggestions` are `suggest(findings)` when the caller has them already (they are worked out otherwise).
    """
    language = findings.language
    profile = _profile(findings, language)
    verdict = _verdict(score, language, suggest(findings) if suggestions is None else suggestions)
    return f"{profile}{verdict}" if language == "zh" else f"{profile} {verdict}".strip()


def _profile(findings: Findings, language: Language) -> str:
    """The first sentence: who, how long, where lately, which degree, which skills."""
    latest = latest_role(findings.experience)
    head = _head(latest, years_of(findings), language)
    where = head + _where(latest, language, is_alone=not head)
    clauses = [where] if where else []
    degree = degree_name(findings.education, language)
    clauses += [degree] if degree else []
    title = latest.title if latest is not None else None
    skills = join_items(key_skill_names(findings.skills, language, title), language)
    clauses += [("核心技能：" if language == "zh" else "key skills: ") + skills] if skills else []
    if not clauses:
        return ""
    sentence = ("，" if language == "zh" else "; ").join(clauses)
    return sentence + "。" if language == "zh" else sentence[0].upper() + sentence[1:] + "."


def _verdict(score: int, language: Language, suggestions: list[Suggestion]) -> str:
    """The last sentence: the score and the most urgent fix."""
    fix = pick(FIX_LABELS[suggestions[0].code], language) if suggestions else ""
    if language == "zh":
        return f"简历评分 {score}/100" + (f"，最需改进：{fix}。" if fix else "。")
    return f"Score {score}/100" + (f"; top fix: {fix}." if fix else ".")


def years_of(findings: Findings) -> float:
    """Years of experience: the dated work history when there is one, else what the resume states."""
    return findings.total_years or findings.stated_years or 0.0


def _head(latest: ExperienceEntry | None, years: float, language: Language) -> str:
    title = latest.title if latest is not None else None
    span = _years_phrase(years, language)
    if language == "zh":
        return f"{span}经验的{title}" if span and title else title or (f"{span}工作经验" if span else "")
    if span and title:
        return f"{title} with {span} of experience"
    return title or (f"{span} of experience" if span else "")


def _years_phrase(years: float, language: Language) -> str:
    if years <= 0:
        return ""
    if years < 1:
        return "不足 1 年" if language == "zh" else "under a year"
    whole = int(years + 0.5)
    return f"约 {whole} 年" if language == "zh" else f"about {whole} year{'s' if whole > 1 else ''}"


def _where(latest: ExperienceEntry | None, language: Language, is_alone: bool) -> str:
    """Where the latest role is: in brackets after a head clause, or a clause of its own."""
    if latest is None or latest.company is None:
        return ""
    when = WHERE[latest.is_current][0 if language == "zh" else 1]
    if is_alone:
        return f"{when}{latest.company}" if language == "zh" else f"{when} at {latest.company}"
    return f"（{when}{latest.company}）" if language == "zh" else f" ({when} at {latest.company})"


def latest_role(entries: list[ExperienceEntry]) -> ExperienceEntry | None:
    """The current role, else the one that started last, else the first listed (resumes list newest first)."""
    if not entries:
        return None
    dated = [entry for entry in entries if entry.start is not None]
    if not dated:
        return entries[0]
    return max(dated, key=lambda entry: (entry.is_current, entry.start or "", entry.end or "9999-99"))


def degree_name(education: list[EducationEntry], language: Language) -> str:
    """The highest degree found, by level; as written when its level is unknown and the text is short."""
    ranked = sorted(education, key=lambda entry: -DEGREE_RANK.get(entry.level or "other", 0))
    for entry in ranked:
        level = entry.level
        if level is not None and level in DEGREE_NAMES:
            return pick(DEGREE_NAMES[level], language)
        if entry.degree and len(entry.degree) <= LONGEST_DEGREE_AS_WRITTEN:
            return entry.degree
    return ""


def key_skill_names(skills: list[SkillMatch], language: Language, title: str | None) -> list[str]:
    """Names of the key skills, leaving out any the title already says ("护士" for "心内科护士")."""
    names = [skill_name(skill, language) for skill in key_skills(skills, KEY_SKILLS + 2)]
    return [name for name in names if not _says(title, name)][:KEY_SKILLS]


def _says(title: str | None, name: str) -> bool:
    """Whether `title` contains `name` (whole words for Latin names: "Go" is not in "Google")."""
    return (
        title is not None
        and re.search(rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", title, re.I) is not None
    )


def key_skills(skills: list[SkillMatch], limit: int = KEY_SKILLS) -> list[SkillMatch]:
    """The skills to name first: working skills before soft ones; listed as skills and used in roles
    before used only or listed only; then the most often seen, then as they appear."""

    def rank(skill: SkillMatch) -> tuple[bool, int, int, int, str]:
        is_listed, is_used = "skills" in skill.sections, bool(EVIDENCE_SECTIONS.intersection(skill.sections))
        first = min((span.start for span in skill.evidence), default=0)
        return (
            skill.category in MINOR_CATEGORIES,
            -(is_listed + is_used),
            -len(skill.evidence),
            first,
            skill.name,
        )

    return sorted(skills, key=rank)[:limit]
