"""Section splitting: heading variants in Chinese and English, coverage and offsets, real resumes."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from jobfirst_ai.engine.sections import iter_lines, split_sections
from jobfirst_ai.engine.types import Section, SectionKind
from tests.support.dotin import dotin_resumes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _kinds(text: str) -> list[SectionKind]:
    return [section.kind for section in split_sections(text)]


def _assert_covers(text: str, sections: list[Section]) -> None:
    assert sections[0].start == 0
    assert sections[-1].end == len(text)
    assert all(left.end == right.start for left, right in itertools.pairwise(sections))


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("教育经历", "education"), ("教育背景：", "education"), ("【工作经历】", "experience"),
        ("■ 实习经历", "experience"), ("一、项目经验", "projects"), ("2. 专业技能", "skills"),
        ("## 自我评价", "summary"), ("—— 获奖情况 ——", "awards"), ("个人优势", "summary"),
        ("求职意向", "objective"), ("证书与荣誉", "certifications"), ("工作及实习经历", "experience"),
        ("教 育 经 历", "education"), ("兴趣爱好", "interests"), ("语言能力", "languages"),
        ("WORK EXPERIENCE", "experience"), ("Professional Experience:", "experience"),
        ("Employment History", "experience"), ("EDUCATION", "education"),
        ("Academic Background", "education"), ("Core Competencies", "skills"), ("SKILL SET", "skills"),
        ("Technical Skills", "skills"), ("Certifications/Licenses", "certifications"),
        ("Honors & Awards", "awards"), ("# Summary", "summary"), ("About Me", "summary"),
        ("Objective", "objective"), ("Publications", "publications"), ("Hobbies", "interests"),
        ("RELEVANT WORK EXPERIENCE", "experience"), ("Teaching Experience", "experience"),
        ("SKILLS &amp; ABILITIES:", "skills"), ("Languages", "languages"),
    ],
)  # fmt: skip
def test_heading_variants(line: str, kind: SectionKind) -> None:
    text = f"张三\n{line}\n内容 content\n"

    assert _kinds(text) == ["contact", kind]


@pytest.mark.parametrize(
    "line",
    [
        "I have experience in Java and Python and enjoy building things",
        "Experience with Python",
        "• Languages: Java, C, C++",
        "Languages: Java, C, C++",
        "学历：本科",
        "Software Engineer",
        "Education Consultant",
        "Kentucky Department of Education",
        "负责教育经历模块的开发和维护工作，支持十万用户",
        "Project: Inventory system",
        "Environment: GIT, Maven, Jenkins",
    ],
)
def test_lines_that_are_not_headings(line: str) -> None:
    assert _kinds(f"张三\n{line}\n") == ["contact"]


@pytest.mark.parametrize(
    ("line", "kind", "heading"),
    [("专业技能：Java、MySQL、Redis", "skills", "专业技能"), ("求职意向：Java 开发", "objective", "求职意向"),
     ("Skills: Python, SQL", "skills", "Skills"), ("SUMMARY: Data engineer", "summary", "SUMMARY")],
)  # fmt: skip
def test_heading_with_content_on_the_same_line(line: str, kind: SectionKind, heading: str) -> None:
    text = f"王五\n{line}\n"

    section = split_sections(text)[1]

    assert (section.kind, section.heading, text[section.start : section.end]) == (kind, heading, f"{line}\n")


def test_sections_are_contiguous_and_cover_the_text() -> None:
    text = "  \n# 李四\n手机：13800000000\n\n## 教育经历\n浙江大学 本科\n\n## 工作经历\n2019.03-至今 某公司\n"

    sections = split_sections(text)

    _assert_covers(text, sections)
    assert [(s.kind, s.heading) for s in sections] == [
        ("contact", ""),
        ("education", "教育经历"),
        ("experience", "工作经历"),
    ]
    assert text[sections[1].start :].startswith("## 教育经历")


def test_text_opening_with_a_heading_has_no_empty_contact_block() -> None:
    text = "\nEDUCATION\nB.S. in Physics\nSKILLS\nPython\n"

    assert [(s.kind, s.start) for s in split_sections(text)] == [("education", 0), ("skills", 27)]


def test_text_without_headings_is_one_contact_section() -> None:
    text = "张三，软件工程师，5年Java开发经验"

    assert split_sections(text) == [Section(kind="contact", heading="", start=0, end=len(text))]
    assert split_sections("") == []


def test_flat_pasted_text_splits_on_runs_of_spaces() -> None:
    text = "Jane Roe  Email: jane@example.com    Work experience  Analyst at Acme  " + "x " * 300

    lines = [line.text for line in iter_lines(text)][:4]

    assert lines == ["Jane Roe", "Email: jane@example.com", "Work experience", "Analyst at Acme"]
    assert _kinds(text) == ["contact", "experience"]


@pytest.mark.parametrize(
    ("name", "kinds"),
    [
        ("resume_zh_software.md", ["contact", "objective", "contact", "education", "experience", "projects",
                                   "skills", "certifications", "summary"]),
        ("resume_zh_teacher.txt", ["contact", "objective", "education", "experience", "awards",
                                   "certifications", "skills", "summary"]),
        ("resume_en_software.md", ["contact", "summary", "experience", "projects", "education", "skills",
                                   "certifications"]),
        ("resume_en_nurse.txt", ["contact", "summary", "experience", "education", "certifications",
                                 "skills"]),
    ],
)  # fmt: skip
def test_fixture_resumes(name: str, kinds: list[SectionKind]) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")

    sections = split_sections(text)

    assert [section.kind for section in sections] == kinds
    _assert_covers(text, sections)


@pytest.mark.parametrize(
    ("name", "headings"),
    [
        ("1.xml", ["", "WORK EXPERIENCE", "EDUCATION", "SKILLS", "LINKS", "ADDITIONAL INFORMATION",
                   "TECHNICAL SKILLS"]),
        ("82.xml", ["", "Personal Details", "Academic Qualifications", "Work experience"]),
    ],
)  # fmt: skip
def test_real_resumes(name: str, headings: list[str]) -> None:
    text = dotin_resumes()[name]

    sections = split_sections(text)

    assert [section.heading for section in sections][: len(headings)] == headings
    _assert_covers(text, sections)
