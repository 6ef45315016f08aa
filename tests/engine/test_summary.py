"""The summary: composed from findings only, in the resume's language, leaving out what was not found."""

from __future__ import annotations

import re

import pytest

from jobfirst_ai.engine.suggestions import RULES, skill_name
from jobfirst_ai.engine.summary import FIX_LABELS, summarize
from jobfirst_ai.engine.types import Language, SkillMatch, Span
from tests.support.findings import bare, changed, changed_contact, degree, job, skill, strong

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_chinese_summary_names_years_title_company_degree_skills_and_score() -> None:
    assert summarize(strong("zh"), 92) == (
        "约 8 年经验的高级 Java 工程师（现任职于杭州云栈科技有限公司），硕士学历，"
        "核心技能：Python、Spring Boot、MySQL、Redis。简历评分 92/100。"
    )


def test_english_summary_names_years_title_company_degree_skills_and_score() -> None:
    assert summarize(strong("en"), 92) == (
        "Senior Data Engineer with about 8 years of experience (currently at Northwind Analytics); "
        "master's degree; key skills: Java, Python, Spring Boot, MySQL. Score 92/100."
    )


def test_top_fix_is_the_most_urgent_suggestion() -> None:
    findings = changed_contact(strong("zh"), has_email=False)
    assert summarize(findings, 80).endswith("简历评分 80/100，最需改进：补充邮箱。")
    assert summarize(changed_contact(strong("en"), has_phone=False), 80).endswith(
        "top fix: add a phone number."
    )


@pytest.mark.parametrize("language", ["zh", "en"])
def test_nothing_found_says_only_the_score(language: Language) -> None:
    text = summarize(bare(language), 0)
    assert text == (
        "简历评分 0/100，最需改进：补充邮箱。"
        if language == "zh"
        else "Score 0/100; top fix: add an e-mail address."
    )


def test_missing_title_and_years_are_left_out() -> None:
    findings = changed(strong("zh"), experience=[job(title=None, company="某某公司", start=None, end=None)],
                       stated_years=None, total_years=0.0)  # fmt: skip
    assert summarize(findings, 60).startswith("最近任职于某某公司，硕士学历，核心技能：Java、")
    alone = changed(findings, experience=[job(title=None, company=None, start=None, end=None)], language="en")
    assert summarize(alone, 60).startswith("Master's degree; key skills: Java, ")


def test_title_without_years_and_years_without_title() -> None:
    no_years = changed(strong("en"), stated_years=None, total_years=0.0)
    assert summarize(no_years, 70).startswith("Senior Data Engineer (currently at Northwind Analytics); ")
    no_title = changed(strong("zh"), experience=[job(title=None, company=None)])
    assert summarize(no_title, 70).startswith("约 8 年工作经验，硕士学历，")


def test_dated_years_count_and_stated_years_fill_in() -> None:
    findings = changed(strong("en"), stated_years=None, total_years=0.6)
    assert "under a year of experience" in summarize(findings, 70)


def test_no_degree_and_no_skills_are_left_out() -> None:
    findings = changed(strong("en"), education=[], skills=[])
    text = summarize(findings, 70)
    assert "degree" not in text and "key skills" not in text
    assert text.startswith(
        "Senior Data Engineer with about 8 years of experience (currently at Northwind Analytics)."
    )


def test_highest_degree_wins_and_unknown_levels_read_as_written() -> None:
    two = changed(strong("zh"), education=[degree("bachelor"), degree("phd", "博士")])
    assert "博士学历" in summarize(two, 70) and "本科" not in summarize(two, 70)
    written = changed(strong("en"), education=[degree(None, "B.Eng.")])
    assert "; B.Eng.; " in summarize(written, 70)


def test_skills_the_title_already_names_are_left_out() -> None:
    roles = [job("Go Developer", "Google", "2020-01", None, is_current=True)]
    skills = [skill("Go"), skill("Google Cloud", "cloud_devops")]
    assert (
        summarize(changed(strong("en"), experience=roles, skills=skills), 70).count(
            "key skills: Google Cloud."
        )
        == 1
    )


def test_working_skills_come_before_soft_skills() -> None:
    skills = [skill("Communication", "soft_skill", seen=9, first=0), skill("Salesforce", "tool", seen=1)]
    text = summarize(changed(strong("en"), skills=skills), 70)
    assert "key skills: Salesforce, Communication." in text


def test_latest_role_is_the_current_one() -> None:
    roles = [
        job("Intern", "Old Co", "2014-01", "2015-01"),
        job("Lead", "New Co", "2020-01", None, is_current=True),
    ]
    text = summarize(changed(strong("en"), experience=roles), 70)
    assert "Lead with about 8 years of experience (currently at New Co)" in text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_summary_language_and_length(language: Language) -> None:
    text = summarize(changed_contact(strong(language), has_email=False), 75)
    assert bool(HAN.search(text)) == (language == "zh")
    sentence_ends = text.count("。") if language == "zh" else len(re.findall(r"\.(?:\s|$)", text))
    assert 1 <= sentence_ends <= 3


def test_every_suggestion_has_a_short_label() -> None:
    assert set(FIX_LABELS) == {rule.code for rule in RULES}


def test_same_findings_same_summary() -> None:
    assert summarize(strong("zh"), 88) == summarize(strong("zh"), 88)


def test_a_chinese_form_that_wraps_the_name_reads_as_the_name() -> None:
    wrapped = SkillMatch(
        name="Java", category="programming_language", evidence=[Span(start=0, end=6, text="Java开发")]
    )
    chinese = SkillMatch(
        name="Microservices", category="framework", evidence=[Span(start=0, end=3, text="微服务")]
    )

    assert skill_name(wrapped, "zh") == "Java"
    assert skill_name(chinese, "zh") == "微服务"
    assert skill_name(chinese, "en") == "Microservices"
