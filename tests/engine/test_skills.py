"""Skill dictionary and matcher: word boundaries, short names, Chinese aliases, evidence and sections."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

import pytest

from jobfirst_ai.engine.skills import (
    CATEGORIES,
    SkillDictionary,
    find_skills,
    fold_text,
    load_skill_dictionary,
    parse_skill_dictionary,
)
from jobfirst_ai.engine.types import Section, SkillMatch


@cache
def _dictionary() -> SkillDictionary:
    return load_skill_dictionary()


def _names(text: str, sections: tuple[Section, ...] = ()) -> list[str]:
    return [match.name for match in find_skills(text, _dictionary(), sections)]


def _match(text: str, name: str, sections: tuple[Section, ...] = ()) -> SkillMatch:
    return next(m for m in find_skills(text, _dictionary(), sections) if m.name == name)


def test_shipped_dictionary_is_large_bilingual_and_uses_only_documented_categories() -> None:
    dictionary = _dictionary()
    entries = dictionary.entries
    assert len(dictionary) > 3000
    assert sum(1 for entry in entries if entry.name_zh) > 500
    assert {entry.category for entry in entries} <= set(CATEGORIES)


def test_java_is_not_found_inside_javascript() -> None:
    assert _names("Built a JavaScript widget.") == ["JavaScript"]
    assert _names("Java, JavaScript and TypeScript") == ["Java", "JavaScript", "TypeScript"]


def test_excel_is_not_found_in_excellent_nor_in_the_verb() -> None:
    assert _names("Excellent results; I excel in fast-paced teams.") == []
    assert "Excel" in _names("Advanced Excel (pivot tables)")
    assert "Excel" in _names("Tools: word, excel, powerpoint")


@pytest.mark.parametrize(
    "text", ["Worked at Google on good go-to-market plans.", "Go to the office", "We go live in May"]
)
def test_go_needs_the_capitalised_language_in_a_list(text: str) -> None:
    assert "Go" not in _names(text)


def test_go_and_golang_are_the_language() -> None:
    assert _names("Languages: Go, Rust, Python") == ["Go", "Rust", "Python"]
    assert _names("Services in Golang.") == ["Go"]


def test_c_cpp_and_csharp_keep_their_symbols() -> None:
    text = "Skills: C, C++, C# (.NET) and Objective-C"
    matches = find_skills(text, _dictionary())
    assert [m.name for m in matches] == ["C", "C++", "C#", ".NET", "Objective-C"]
    assert [m.evidence[0].text for m in matches] == ["C", "C++", "C#", ".NET", "Objective-C"]
    assert _names("Wrote C++, then (C#) tools.") == ["C++", "C#"]


@pytest.mark.parametrize("text", ["Took vitamin C daily", "Reported to C-level executives", "Grade C pass"])
def test_single_letter_c_needs_a_skills_list(text: str) -> None:
    assert "C" not in _names(text)


def test_r_only_as_a_listed_capital_letter() -> None:
    assert "R" in _names("Statistics with Python, R and SAS")
    assert "R" not in _names("John R. Smith wrote r values in the report")
    assert "R" not in _names("Research and R&D budgets")


def test_k8s_is_kubernetes() -> None:
    match = _match("Deployed on k8s with Helm.", "Kubernetes")
    assert [span.text for span in match.evidence] == ["k8s", "Helm"]
    assert match.category == "cloud_devops"


def test_chinese_alias_joins_the_english_skill_and_has_a_chinese_display_name() -> None:
    dictionary = _dictionary()
    match = _match("负责微服务架构设计，熟悉Spring Cloud", "Microservices")
    assert match.evidence[0].text == "微服务架构"
    assert dictionary.display_name("Microservices", "zh") == "微服务"
    assert dictionary.display_name("Microservices", "en") == "Microservices"
    assert dictionary.display_name("Java", "zh") == "Java"
    assert _names("Microservices with Java") == ["Microservices", "Java"]


def test_overlapping_chinese_terms_keep_the_longest() -> None:
    assert _names("精通数据库设计") == ["Database Design"]
    assert _names("熟悉机器学习算法与自然语言处理") == ["Machine Learning", "NLP"]
    assert _names("具备较强的学习能力") == ["Quick Learner"]


def test_chinese_terms_inside_unrelated_words_are_blocked() -> None:
    assert _names("研究生学历，通信地址：北京") == []
    assert "Tamil" not in _names("Chennai, Tamil Nadu")


def test_evidence_offsets_point_into_the_original_text() -> None:
    text = "İstanbul — ＰＹＴＨＯＮ and python，熟练使用Photoshop"
    match = _match(text, "Python")
    assert [(s.start, s.end) for s in match.evidence] == [(11, 17), (22, 28)]
    assert all(text[s.start : s.end] == s.text for s in match.evidence)
    assert len(fold_text(text)) == len(text)


def test_one_match_per_canonical_skill_with_every_occurrence_in_order() -> None:
    text = "Core Java; Oracle Java 8.\nPython scripts. java again"
    matches = find_skills(text, _dictionary())
    assert [m.name for m in matches] == ["Java", "Python"]
    assert [s.text for s in matches[0].evidence] == ["Core Java", "Oracle Java", "java"]


def test_sections_are_attached_and_skills_sections_accept_strict_names() -> None:
    text = "SUMMARY\nSpark jobs in Go\nSKILLS\nGo\nJava\nEXPERIENCE\nJava services"
    sections = (
        Section(kind="summary", heading="SUMMARY", start=0, end=25),
        Section(kind="skills", heading="SKILLS", start=25, end=40),
        Section(kind="experience", heading="EXPERIENCE", start=40, end=len(text)),
    )
    matches = {m.name: m for m in find_skills(text, _dictionary(), sections)}
    assert matches["Java"].sections == ["skills", "experience"]
    assert matches["Go"].sections == ["skills"]
    assert [s.start for s in matches["Go"].evidence] == [32]


def test_a_section_heading_is_not_a_skill() -> None:
    text = "TEACHING EXPERIENCE\nTaught algebra to 30 pupils"
    sections = (Section(kind="experience", heading="TEACHING EXPERIENCE", start=0, end=len(text)),)
    assert "Teaching" not in _names(text, sections)


@pytest.mark.parametrize(
    ("text", "name", "category"),
    [
        ("熟练掌握静脉输液、护理文书书写，参与危重患者护理", "Intravenous Therapy", "healthcare"),
        ("负责护理工作与健康宣教", "Nursing", "healthcare"),
        ("独立完成财务报表编制和税务筹划", "Financial Reporting", "finance"),
        ("熟练使用用友、金蝶财务软件", "Yonyou", "tool"),
        ("精通Photoshop和Figma", "Photoshop", "design"),
        ("班主任工作五年，擅长教学设计", "Homeroom Teaching", "education"),
        ("负责渠道管理与商务谈判", "Channel Management", "sales_marketing"),
        ("Registered nurse: IV therapy, wound care, CPR certified", "Wound Care", "healthcare"),
        ("Prepared financial statements and managed accounts payable", "Financial Reporting", "finance"),
    ],
)
def test_professions_beyond_software(text: str, name: str, category: str) -> None:
    match = _match(text, name)
    assert match.category == category


def test_addresses_and_urls_name_no_skills() -> None:
    text = "java.dev@gmail.com | https://www.linkedin.com/in/python-dev | github.com/excel"
    assert _names(text) == []


def test_lookup_normalises_a_single_term() -> None:
    dictionary = _dictionary()
    assert (entry := dictionary.lookup(" K8S ")) is not None and entry.name == "Kubernetes"
    assert (entry := dictionary.lookup("微服务")) is not None and entry.name == "Microservices"
    assert dictionary.lookup("Tamil Nadu") is None
    assert dictionary.lookup("no such skill") is None


def test_load_from_a_file_plain_or_gzipped(tmp_path: Path) -> None:
    text = "name\tcategory\tname_zh\tforms\nGolang\tprogramming_language\tGo语言\tGolang|!Go|Go语言\n"
    plain = tmp_path / "skills.tsv"
    plain.write_text(text, encoding="utf-8")
    packed = tmp_path / "skills.tsv.gz"
    packed.write_bytes(gzip.compress(text.encode("utf-8")))
    for path in (plain, packed):
        dictionary = load_skill_dictionary(path)
        assert len(dictionary) == 1
        assert [m.name for m in find_skills("Go, Rust; 熟悉Go语言", dictionary)] == ["Golang"]
    assert len(parse_skill_dictionary(text)) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Sales Manager\nAcme Corp",
        "Worked as a Marketing Executive",
        "Sales Associate",
    ],
)
def test_a_field_inside_a_job_title_is_no_skill(text: str) -> None:
    assert _names(text) == []


def test_a_technology_inside_a_job_title_is_still_a_skill() -> None:
    assert _names("Senior Java Developer") == ["Java"]


def test_the_same_skill_words_count_in_a_list() -> None:
    assert _names("Skills: Sales, Marketing, Java") == ["Sales", "Marketing", "Java"]


@pytest.mark.parametrize(
    "text",
    [
        "Master of Engineering in Computer and Communication",
        "Bachelor of Science in Nursing, 2012",
        "B.Sc. in Accounting",
        "Ph.D. in Mass Communication",
    ],
)
def test_the_field_of_a_degree_is_no_skill(text: str) -> None:
    assert _names(text) == []


def test_a_degree_word_used_as_a_verb_blocks_nothing() -> None:
    assert "Java" in _names("Quick to master new tools in Java and Python")


def test_a_bare_field_word_counts_in_a_list_but_not_in_prose() -> None:
    assert _names("Increased sales by 20% for an insurance company.") == []
    assert _names("Handled accounting for a logistics firm.") == []  # ESCO may not loosen the list-only form
    assert _names("Sales, insurance, teaching") == ["Sales", "Insurance", "Teaching"]
    assert "Sales" in _names("Ran direct sales for the region.")


def test_soft_skill_adjectives_count_only_when_listed() -> None:
    listed = find_skills("Creative, reliable, organized", _dictionary())
    assert [m.name for m in listed] == ["Creativity", "Reliability", "Organizational Skills"]
    assert [m.evidence[0].text for m in listed] == ["Creative", "reliable", "organized"]
    assert _names("Designed a creative campaign for a reliable client.") == []


def test_short_platform_names_count_only_when_listed() -> None:
    assert _names("Platforms: PC, Mac; Languages: Perl, Shell") == ["PC", "macOS", "Perl", "Shell Scripting"]
    assert _names("Bought a Mac from the shell company") == []
