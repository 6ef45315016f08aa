"""Suggestions: concrete, in the resume's language, present when needed and absent when already satisfied."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from jobfirst_ai.engine.suggestions import MAX_SUGGESTIONS, MESSAGES, RULES, suggest
from jobfirst_ai.engine.types import ExperienceEntry, Findings, Language, SkillMatch, Suggestion
from tests.support.findings import (
    bare,
    changed,
    changed_contact,
    changed_signals,
    degree,
    job,
    mixed,
    skill,
    span,
    strong,
)

HAN = re.compile(r"[\u4e00-\u9fff]")
LANGUAGES: list[Language] = ["zh", "en"]
PRIORITY = {"high": 0, "medium": 1, "low": 2}
CURRENT = job(start="2021-06", end=None, is_current=True)


def codes(findings: Findings) -> list[str]:
    return [suggestion.code for suggestion in suggest(findings)]


def by_code(findings: Findings, code: str) -> Suggestion:
    return next(suggestion for suggestion in suggest(findings) if suggestion.code == code)


def without_sections(findings: Findings, *kinds: str) -> Findings:
    return changed(findings, sections=[s for s in findings.sections if s.kind not in kinds])


# Each row: the code, and how to take away from a strong resume exactly what that suggestion asks for.
BREAKS: dict[str, Callable[[Findings], Findings]] = {
    "add_email": lambda f: changed_contact(f, has_email=False),
    "add_phone": lambda f: changed_contact(f, has_phone=False),
    "add_name": lambda f: changed_contact(f, has_name=False),
    "add_experience": lambda f: changed(without_sections(f, "experience", "projects"), experience=[]),
    "add_experience_dates": lambda f: changed(f, experience=[*f.experience, job(start=None, end=None)]),
    "add_quantified_results": lambda f: changed_signals(f, achievements=f.signals.achievements[:1]),
    "add_summary": lambda f: without_sections(f, "summary"),
    "add_skills_section": lambda f: without_sections(f, "skills"),
    "add_education": lambda f: changed(without_sections(f, "education"), education=[]),
    "evidence_skills": lambda f: changed(f, skills=[skill(s.name, sections=("skills",)) for s in f.skills]),
    "shorten_resume": lambda f: changed_signals(f, char_count=5000, word_count=2000),
    "expand_resume": lambda f: changed_signals(f, char_count=300, word_count=200),
    "add_education_details": lambda f: changed(f, education=[degree(major=None)]),
    "use_bullets": lambda f: changed_signals(f, bullet_count=0),
    "add_profile_links": lambda f: changed_contact(f, links=[]),
    "fix_stated_years": lambda f: changed(f, stated_years=15.0),
    "explain_gap": lambda f: changed(f, experience=[CURRENT, job(start="2018-01", end="2020-06")]),
    "replace_weak_openers": lambda f: changed(f, experience=[job(bullets=("负责开发", "Helped"))]),
}  # fmt: skip


def test_every_rule_has_messages_in_both_languages_and_a_breaking_case() -> None:
    assert {rule.code for rule in RULES} == set(BREAKS)
    assert all(all(MESSAGES[rule.code]) for rule in RULES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_strong_resume_gets_no_suggestions(language: Language) -> None:
    assert suggest(strong(language)) == []


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", list(BREAKS))
def test_suggestion_appears_when_its_need_is_found(code: str, language: Language) -> None:
    assert code in codes(BREAKS[code](strong(language)))


@pytest.mark.parametrize("language", LANGUAGES)
def test_bare_resume_gets_the_most_urgent_fixes_first(language: Language) -> None:
    suggestions = suggest(bare(language))
    assert len(suggestions) == MAX_SUGGESTIONS
    assert [s.code for s in suggestions][:3] == ["add_email", "add_phone", "add_experience"]
    ranks = [PRIORITY[s.priority] for s in suggestions]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("language", LANGUAGES)
def test_messages_follow_the_resume_language(language: Language) -> None:
    findings = changed(bare(language), experience=[job(bullets=("负责开发",))], skills=[skill("Java")])
    messages = [s.message for s in suggest(findings)]
    assert messages
    assert all(
        bool(HAN.search(message)) == (language == "zh") for message in messages if "负责" not in message
    )


def test_same_findings_same_suggestions() -> None:
    findings = BREAKS["explain_gap"](BREAKS["add_email"](strong("zh")))
    assert suggest(findings) == suggest(findings)


def test_quantified_results_quote_an_unmeasured_bullet() -> None:
    plain = "负责订单系统的日常需求开发、线上问题排查以及接口文档的编写与维护工作"
    findings = changed(strong("zh"), experience=[job(bullets=(plain, "带领 6 人小组，故障下降 45%"))])
    findings = changed_signals(findings, achievements=findings.signals.achievements[:1])
    message = by_code(findings, "add_quantified_results").message
    assert message.startswith("工作经历中有 1 条要点没有量化成果，例如「负责订单系统的日常需求开发")
    assert "…」" in message and plain not in message


def test_weak_openers_are_counted_and_quoted() -> None:
    bullets = ("Responsible for maintaining ETL jobs", "Responsible for on-call", "Led a team of 4 engineers")
    findings = changed(strong("en"), experience=[job(bullets=bullets)])
    message = by_code(findings, "replace_weak_openers").message
    assert message.startswith(
        "2 bullets open with weak phrases such as “responsible for”, e.g. “Responsible for"
    )


def test_weak_openers_from_signals_when_roles_carry_no_bullets() -> None:
    findings = changed_signals(changed(strong("zh"), experience=[job(), job()]), weak_phrases=["负责"])
    assert "「负责」" in by_code(findings, "replace_weak_openers").message


def test_skill_level_words_in_a_skills_list_are_not_weak_openers() -> None:
    assert "replace_weak_openers" not in codes(changed_signals(strong("zh"), weak_phrases=["熟悉", "了解"]))


def test_skills_not_shown_in_experience_are_named() -> None:
    findings = BREAKS["evidence_skills"](strong("zh"))
    assert by_code(findings, "evidence_skills").message.startswith("技能 Java、Python、Spring Boot、MySQL 在")


def test_gap_over_six_months_names_the_months() -> None:
    message = by_code(BREAKS["explain_gap"](strong("zh")), "explain_gap").message
    assert message.startswith("2020-06 至 2021-06 之间约 11 个月没有工作经历")


@pytest.mark.parametrize(
    "roles",
    [
        [job(start="2020-01", end="2021-01"), job(start="2021-07", end="2022-01")],
        [job(start="2015-01", end="2021-03"), job(start="2016-01", end="2017-01"), CURRENT],
    ],
)  # fmt: skip
def test_short_gaps_and_overlaps_are_not_gaps(roles: list[ExperienceEntry]) -> None:
    assert "explain_gap" not in codes(changed(strong("zh"), experience=roles))


def test_undated_role_is_named() -> None:
    findings = changed(strong("en"), experience=[job("Analyst", "Acme Corp", start=None, end=None)])
    assert "(e.g. “Acme Corp”)" in by_code(findings, "add_experience_dates").message


def test_education_details_name_the_school_and_the_missing_parts() -> None:
    findings = changed(strong("zh"), education=[degree(major=None, start=None, end=None)])
    assert by_code(findings, "add_education_details").message.startswith(
        "「浙江大学」的教育经历缺少专业、起止时间"
    )


def test_links_are_not_asked_of_non_technical_profiles() -> None:
    findings = changed(changed_contact(strong("en"), links=[]), skills=[skill("Negotiation", "soft_skill")])
    assert "add_profile_links" not in codes(findings)


def test_missing_summary_names_skills_found() -> None:
    message = by_code(without_sections(strong("en"), "summary"), "add_summary").message
    assert message.endswith("strongest skills (Java, Python, Spring Boot).")


# What a resume must already have for a suggestion to be out of place.
SATISFIED: dict[str, Callable[[Findings], bool]] = {
    "add_email": lambda f: f.contact.has_email,
    "add_phone": lambda f: f.contact.has_phone,
    "add_name": lambda f: f.contact.has_name,
    "add_summary": lambda f: any(s.kind in ("summary", "objective") for s in f.sections),
    "add_skills_section": lambda f: any(s.kind == "skills" for s in f.sections),
    "add_education": lambda f: bool(f.education) or any(s.kind == "education" for s in f.sections),
    "add_experience": lambda f: bool(f.experience),
    "add_experience_dates": lambda f: all(e.start and (e.end or e.is_current) for e in f.experience),
    "add_profile_links": lambda f: bool(f.contact.links),
    "use_bullets": lambda f: f.signals.bullet_count > 0,
}


def test_no_suggestion_contradicts_what_a_resume_has() -> None:
    for seed in range(150):
        findings = mixed(seed)
        suggestions = suggest(findings)
        assert len(suggestions) <= MAX_SUGGESTIONS
        wrong = [s.code for s in suggestions if s.code in SATISFIED and SATISFIED[s.code](findings)]
        assert not wrong, (seed, wrong)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("code", list(BREAKS))
def test_taking_one_thing_away_asks_for_that_thing_only(code: str, language: Language) -> None:
    assert codes(BREAKS[code](strong(language))) == [code]


def test_a_bare_year_end_is_read_as_the_end_of_that_year() -> None:
    year_only = [job(start="2017-01", end="2019-01"), job(start="2020-01", end=None, is_current=True)]
    assert "explain_gap" not in codes(changed(strong("en"), experience=year_only))
    long_gap = [job(start="2015-01", end="2018-01"), job(start="2020-03", end=None, is_current=True)]
    message = by_code(changed(strong("zh"), experience=long_gap), "explain_gap").message
    assert message.startswith("2018 至 2020-03 之间约 14 个月")


def test_skills_a_certificate_vouches_for_are_not_asked_for() -> None:
    skills = [
        skill("AWS", "cloud_devops", sections=("certifications", "skills")),
        skill("Go", sections=("skills",)),
    ]
    message = by_code(changed(strong("en"), skills=skills), "evidence_skills").message
    assert "Go." in message and "AWS" not in message


def test_chinese_messages_name_skills_as_the_resume_wrote_them() -> None:
    written = SkillMatch(
        name="Reconciliation", category="finance", evidence=[span("对账")], sections=["skills"]
    )
    message = by_code(changed(strong("zh"), skills=[written]), "evidence_skills").message
    assert message.startswith("技能 对账 在工作和项目经历里没有体现")
