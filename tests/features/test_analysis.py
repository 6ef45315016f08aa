"""How the engine's findings become the API result: skills as written, one line per job and degree."""

from __future__ import annotations

from datetime import date

import pytest

from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.engine.types import EducationEntry, ExperienceEntry, SkillMatch, Span
from jobfirst_ai.features.resume.analysis import ResumeAnalyzer, as_written, describe_degree, describe_job


def _skill(name: str, written: str) -> SkillMatch:
    return SkillMatch(name=name, category="tool", evidence=[Span(start=0, end=len(written), text=written)])


@pytest.mark.parametrize(
    ("name", "written", "shown"),
    [
        ("Java", "JAVA", "Java"),
        ("Java", "Java开发", "Java"),
        ("Microsoft Word", "MS  Word", "MS Word"),
        ("Microservices", "微服务", "微服务"),
    ],
)
def test_skills_are_shown_as_the_resume_writes_them(name: str, written: str, shown: str) -> None:
    assert as_written(_skill(name, written)) == shown


def test_job_and_degree_lines_in_the_resume_language() -> None:
    job = ExperienceEntry(title="后端工程师", company="网易", start="2019-03", is_current=True, text="x")
    degree = EducationEntry(
        degree="本科", school="浙江大学", major="软件工程", start="2012-09", end="2016-06", text="x"
    )

    assert describe_job(job, "zh") == "后端工程师 · 网易 · 2019-03 – 至今"
    assert describe_job(job, "en") == "后端工程师 · 网易 · 2019-03 – present"
    assert describe_degree(degree) == "本科 · 软件工程 · 浙江大学 · 2012-09 – 2016-06"


def test_the_seed_one_liner() -> None:
    analyzer = ResumeAnalyzer(load_skill_dictionary())

    result = analyzer.analyze("张三，软件工程师，5年Java开发经验", today=date(2026, 11, 24))

    assert result.skills == ["Java"]
    assert result.years_of_experience == 5
    assert result.stated_years == 5
    assert result.total_years == 0
    assert result.contact.name == "张三"


def test_the_seed_one_liner_in_english() -> None:
    analyzer = ResumeAnalyzer(load_skill_dictionary())

    result = analyzer.analyze(
        "John Smith, Java Developer, 5 years of Java development experience", today=date(2026, 11, 24)
    )

    assert "Java" in result.skills
    assert result.years_of_experience == 5
    assert result.language == "en"
