"""Concrete fixes for a resume, each tied to what was found or missing, in the resume's language."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Literal, NamedTuple

from jobfirst_ai.engine import scoring
from jobfirst_ai.engine.scoring import join_items, pick, say
from jobfirst_ai.engine.signals import HAN, find_quantities, is_bullet, read_opener, statement_text
from jobfirst_ai.engine.types import Findings, Language, SectionKind, SkillMatch, Suggestion

__all__ = [
    "MAX_SUGGESTIONS",
    "MESSAGES",
    "RULES",
    "Rule",
    "experience_statements",
    "quote",
    "skill_name",
    "suggest",
]

Priority = Literal["high", "medium", "low"]
# A check's answer: None when nothing is needed, else the message variant ("" or "_few") and its values.
Found = tuple[str, dict[str, object]] | None

MAX_SUGGESTIONS = 8
GAP_MONTHS = 6
QUOTE_LENGTH: dict[Language, int] = {"zh": 24, "en": 60}
PRIORITY_ORDER: dict[Priority, int] = {"high": 0, "medium": 1, "low": 2}
CREDENTIAL_SECTIONS: frozenset[SectionKind] = frozenset({"certifications", "awards", "languages"})
YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
EXAMPLE: tuple[str, str] = ("，例如「{quote}」", ", e.g. “{quote}”")
MESSAGES: dict[str, tuple[str, str]] = {
    "add_email": ("没有找到电子邮箱：在简历顶部写上常用邮箱，面试邀请多经邮件发送。",
        "No e-mail address found: add one at the top; interview invitations usually come by e-mail."),
    "add_phone": ("没有找到手机号码：在简历顶部写上手机号，方便招聘方直接联系。",
        "No phone number found: add one at the top so recruiters can call you."),
    "add_experience": ("没有找到工作或项目经历：按时间倒序写出公司、职位、起止时间和成果。",
        "No work or project experience found: list each role (company, title, dates, results), newest "
        "first."),
    "add_experience_dates": ("{count} 段经历没有完整的起止时间（如「{label}」）：补上“2020.03 – "
        "2022.06”这样的年月。",
        "{count} roles lack complete dates (e.g. “{label}”): add months such as “Mar 2020 – Jun 2022”."),
    "add_quantified_results": ("工作经历中有 {count} 条要点没有量化成果{example}，可补充数据：提升了多少、"
        "节省多少时间或成本、服务多少用户。",
        "{count} bullets in your experience have no measured result{example}: add numbers — how much faster, "
        "cheaper or bigger, for how many users."),
    "add_quantified_results_few": ("全文 {bullets} 条要点中只有 {quantified} 行写了量化成果："
        "为主要工作补充数据，如提升了多少、服务多少用户。",
        "Only {quantified} lines show a measured result ({bullets} bullets in all): add numbers to your main "
        "work — how much faster, cheaper or bigger."),
    "add_name": ("简历开头没有识别到姓名：第一行写上你的名字。",
        "No name found at the top: put it on the first line."),
    "replace_weak_openers": ("{count} 条要点以「{phrase}」等弱动词开头{example}，"
        "可改用“主导”“设计”“优化”等动词，直接写做成了什么。",
        "{count} bullets open with weak phrases such as “{phrase}”{example}: start with what you achieved — "
        "led, built, reduced."),
    "replace_weak_openers_any": ("有要点以「{phrase}」等弱动词开头：改用“主导”“设计”“优化”等动词，"
        "直接写做成了什么。",
        "Some bullets open with “{phrase}”: start with what you achieved — led, built, reduced."),
    "fix_stated_years": ("自述 {stated} 年经验，但经历日期只覆盖约 {years} 年：补全早期经历或核对年限。",
        "You state {stated} years of experience but your dated roles cover about {years}: add or correct."),
    "explain_gap": ("{start} 至 {end} 之间约 {months} 个月没有工作经历：可简要说明（进修、家庭、创业等）。",
        "About {months} months between {start} and {end} have no role: add a short line (study, family…)."),
    "add_summary": ("没有个人简介：在开头用 2–3 句话概括方向、经验和最擅长的技能{skills}。",
        "No summary: open with 2–3 sentences on your direction, experience and strongest skills{skills}."),
    "add_skills_section": ("没有单独的技能板块：把经历中用到的技能{skills}集中列出，便于筛选。",
        "No skills section: list the skills your experience shows{skills} in one place for screening."),
    "add_education": ("没有找到教育背景：写明学校、专业、学历和起止时间。",
        "No education found: add school, degree, major and dates."),
    "evidence_skills": ("技能 {skills} 在工作和项目经历里没有体现：在相应要点中写明用它们做成了什么。",
        "Listed but never shown in your roles or projects: {skills}. Add a bullet on what you did with "
        "each."),
    "shorten_resume": ("全文约 {size} 字，{verdict}：压缩到 {ideal}，"
        "删去与目标职位无关的早期经历和重复描述。",
        "About {size} words, {verdict}: cut to {ideal}, dropping early roles and repetition."),
    "expand_resume": ("全文只有约 {size} 字，{verdict}：补充各段经历的成果、项目和技能（建议 {ideal}）。",
        "Only about {size} words, {verdict}: add results for each role, projects and skills ({ideal})."),
    "add_education_details": ("「{label}」的教育经历缺少{missing}：补全后招聘方能核对学历。",
        "The “{label}” education entry has no {missing}: add it so your degree can be checked."),
    "use_bullets": ("经历是成段文字，没有分点：拆成以动词开头、带结果的要点，便于快速浏览。",
        "Your experience is written as paragraphs: split it into bullets that open with a verb."),
    "add_profile_links": ("简历有技术技能{skills}，但没有附 GitHub 或个人主页：附上能展示代码或作品的链接。",
        "You list technical skills{skills} but no GitHub or portfolio link: add one that shows your work."),
}  # fmt: skip
SECTIONS = scoring.CORE_SECTIONS
EDUCATION_FIELDS: dict[str, tuple[str, str]] = {"major": ("专业", "major"), "dates": ("起止时间", "dates")}


class Rule(NamedTuple):
    """One row of the suggestion table: what, how urgent, and the check that finds the need for it."""

    code: str
    priority: Priority
    section: SectionKind | None
    check: Callable[[Findings], Found]


def quote(text: str, language: Language) -> str:
    """`text` cut to a short quotation, with an ellipsis when cut."""
    limit = QUOTE_LENGTH[language]
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if language == "en" and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip("，,;；。. ") + "…"


def experience_statements(findings: Findings) -> list[str]:
    """Bullet lines and verb-led lines of the experience entries, without their markers."""
    lines = (line for entry in findings.experience for line in [*entry.text.splitlines(), *entry.bullets])
    statements = [statement_text(line) for line in lines if is_bullet(line) or read_opener(line)]
    return list(dict.fromkeys(text for text in statements if text))


def skill_name(skill: SkillMatch, language: Language) -> str:
    """The skill's name for a message: in a Chinese resume, the Chinese form it was written in, if any,
    unless that form only wraps the name ('Java开发' reads as 'Java')."""
    if language == "zh" and not HAN.search(skill.name):
        written = next((span.text for span in skill.evidence if HAN.search(span.text)), None)
        if written and skill.name.casefold() not in written.casefold():
            return written
    return skill.name


def _example(statements: list[str], language: Language) -> str:
    return pick(EXAMPLE, language).format(quote=quote(statements[0], language)) if statements else ""


def _in_brackets(names: list[str], language: Language) -> str:
    """ "（A、B）" / " (A, B)" of the first names, or nothing when there are none."""
    if not names:
        return ""
    listed = join_items(names[:3], language)
    return f"（{listed}）" if language == "zh" else f" ({listed})"


def _unless(is_present: Callable[[Findings], bool]) -> Callable[[Findings], Found]:
    """A check that asks for its fix when `is_present` is false."""
    return lambda findings: None if is_present(findings) else ("", {})


def _skills_unless(is_present: Callable[[Findings], bool]) -> Callable[[Findings], Found]:
    """Like `_unless`, naming the first skills found so the fix is concrete."""

    def check(findings: Findings) -> Found:
        if is_present(findings):
            return None
        names = [skill_name(skill, findings.language) for skill in findings.skills]
        return "", {"skills": _in_brackets(names, findings.language)}

    return check


def _check_dates(findings: Findings) -> Found:
    undated = [entry for entry in findings.experience if not scoring.is_dated(entry)]
    if not undated:
        return None
    first = undated[0]
    label = first.company or first.title or quote(first.text.strip(), findings.language)
    return "", {"count": len(undated), "label": label}


def _check_quantified(findings: Findings) -> Found:
    signals = findings.signals
    quantified = len(signals.achievements)
    if quantified >= scoring.quantified_target(signals) or not SECTIONS["experience"](findings):
        return None
    plain = [text for text in experience_statements(findings) if not find_quantities(text)]
    if not plain:
        return "_few", {"quantified": quantified, "bullets": signals.bullet_count}
    return "", {"count": len(plain), "example": _example(plain, findings.language)}


def _check_weak(findings: Findings) -> Found:
    language, statements = findings.language, experience_statements(findings)
    weak = [(text, opener[1]) for text in statements if (opener := read_opener(text)) and opener[0] == "weak"]
    if weak:
        example = _example([weak[0][0]], language)
        return "", {"count": len(weak), "phrase": weak[0][1], "example": example}
    phrases = [phrase for phrase in findings.signals.weak_phrases if phrase not in scoring.SKILL_LEVEL_WORDS]
    if statements or not phrases:
        return None
    return "_any", {"phrase": phrases[0]}


def _check_stated_years(findings: Findings) -> Found:
    if not scoring.is_years_inflated(findings):
        return None
    stated = scoring.format_years(findings.stated_years or 0.0)
    return "", {"stated": stated, "years": scoring.format_years(findings.total_years)}


def _month_index(value: str | None) -> int | None:
    match = YEAR_MONTH.match(value or "")
    return int(match[1]) * 12 + int(match[2]) - 1 if match else None


def _dated_spans(findings: Findings) -> list[tuple[int, int, str, str]]:
    """(start month, latest end month, end as shown, start as shown) of each dated role, oldest first.

    A bare year reads as its January ('2017 - 2019' ends 2019-01), so a January end is taken as the
    end of its year: a gap is reported only when it is there whatever month was meant.
    """
    spans = []
    for entry in findings.experience:
        start, end = _month_index(entry.start), _month_index(entry.end)
        if start is None or (end is None and not entry.is_current):
            continue
        shown = entry.end or ""
        if end is not None and end % 12 == 0:
            end, shown = end + 11, shown[:4]
        spans.append((start, end if end is not None else 10**6, shown, entry.start or ""))
    return sorted(spans)


def _check_gap(findings: Findings) -> Found:
    """The longest stretch of more than six months between the end of all earlier roles and the next start."""
    longest, values = GAP_MONTHS, None
    reach: tuple[int, str] | None = None
    for start, end, shown_end, shown_start in _dated_spans(findings):
        if reach is not None and start - reach[0] - 1 > longest:
            longest = start - reach[0] - 1
            values = {"months": longest, "start": reach[1], "end": shown_start}
        if reach is None or end > reach[0]:
            reach = (end, shown_end)
    return None if values is None else ("", values)


def _check_evidence(findings: Findings) -> Found:
    evidenced = scoring.evidenced_skills(findings)
    if len(evidenced) >= scoring.evidence_target(findings):
        return None
    # Skills a certificate or an award already vouches for need no bullet; soft skills come last.
    shown = {skill.name for skill in evidenced}
    unshown = [
        s for s in findings.skills if s.name not in shown and not CREDENTIAL_SECTIONS.intersection(s.sections)
    ]
    unshown.sort(key=lambda skill: skill.category in scoring.MINOR_CATEGORIES)
    listed = [skill_name(skill, findings.language) for skill in unshown]
    return ("", {"skills": join_items(listed[:4], findings.language)}) if listed else None


def _length_in(*bands: scoring.LengthBand) -> Callable[[Findings], Found]:
    """A check that asks for its fix when the resume's length falls in one of `bands`."""

    def check(findings: Findings) -> Found:
        band, language = scoring.length_band(findings), findings.language
        if band not in bands:
            return None
        verdict = pick(scoring.LENGTH_BANDS[band][1], language)
        return "", {
            "size": scoring.length_of(findings),
            "verdict": verdict,
            "ideal": scoring.LENGTH_IDEAL[language],
        }

    return check


def _check_education_details(findings: Findings) -> Found:
    for entry in findings.education:
        missing = {"major": entry.major is None, "dates": entry.start is None and entry.end is None}
        names = [
            pick(EDUCATION_FIELDS[field], findings.language) for field, is_gap in missing.items() if is_gap
        ]
        if names:
            label = entry.school or entry.degree or quote(entry.text.strip(), findings.language)
            return "", {"label": label, "missing": join_items(names, findings.language)}
    return None


def _check_bullets(findings: Findings) -> Found:
    return ("", {}) if findings.experience and findings.signals.bullet_count == 0 else None


def _check_links(findings: Findings) -> Found:
    if findings.contact.links or not scoring.is_technical(findings):
        return None
    technical = [
        skill_name(s, findings.language) for s in findings.skills if s.category in scoring.TECH_CATEGORIES
    ]
    return "", {"skills": _in_brackets(technical, findings.language)}


RULES: tuple[Rule, ...] = (
    Rule("add_email", "high", "contact", _unless(lambda findings: findings.contact.has_email)),
    Rule("add_phone", "high", "contact", _unless(lambda findings: findings.contact.has_phone)),
    Rule("add_experience", "high", "experience", _unless(SECTIONS["experience"])),
    Rule("add_experience_dates", "high", "experience", _check_dates),
    Rule("add_quantified_results", "high", "experience", _check_quantified),
    Rule("add_name", "medium", "contact", _unless(lambda findings: findings.contact.has_name)),
    Rule("replace_weak_openers", "medium", "experience", _check_weak),
    Rule("fix_stated_years", "medium", "experience", _check_stated_years),
    Rule("explain_gap", "medium", "experience", _check_gap),
    Rule("add_summary", "medium", "summary", _skills_unless(SECTIONS["summary"])),
    Rule("add_skills_section", "medium", "skills", _skills_unless(SECTIONS["skills"])),
    Rule("add_education", "medium", "education", _unless(SECTIONS["education"])),
    Rule("evidence_skills", "medium", "skills", _check_evidence),
    Rule("shorten_resume", "medium", None, _length_in("long", "too_long")),
    Rule("expand_resume", "medium", None, _length_in("short", "too_short")),
    Rule("add_education_details", "low", "education", _check_education_details),
    Rule("use_bullets", "low", "experience", _check_bullets),
    Rule("add_profile_links", "low", "contact", _check_links),
)


def suggest(findings: Findings) -> list[Suggestion]:
    """At most eight fixes the resume needs, most urgent first; a fix it already has never appears."""
    found = []
    for rule in RULES:
        result = rule.check(findings)
        if result is not None:
            message = say(MESSAGES, rule.code + result[0], findings.language, **result[1])
            found.append(
                Suggestion(code=rule.code, section=rule.section, priority=rule.priority, message=message)
            )
    found.sort(key=lambda suggestion: PRIORITY_ORDER[suggestion.priority])
    return found[:MAX_SUGGESTIONS]
