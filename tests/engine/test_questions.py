"""Interview questions from the bank: the shipped data, area choice, type and difficulty mix, templates
filled from the resume's own work, the job's gaps, determinism, both languages."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from jobfirst_ai.engine.analyze import read_findings
from jobfirst_ai.engine.interview_areas import choose_areas
from jobfirst_ai.engine.question_bank import (
    GENERAL_AREA,
    QuestionBank,
    load_question_bank,
    parse_question_bank,
    shipped_question_bank,
)
from jobfirst_ai.engine.questions import pick_questions
from jobfirst_ai.engine.skills import SkillDictionary, load_skill_dictionary
from jobfirst_ai.engine.types import Findings, Language, PostingFacts
from tests.support.findings import bare, changed, strong

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HAN = re.compile(r"[\u4e00-\u9fff]")
SLOT = re.compile(r"\{(\w+)\}")
PROFESSIONS = ("backend", "frontend", "data", "product", "sales", "finance", "teaching", "nursing", "design")
PROFESSIONS_TOO = ("marketing", "hr")


@pytest.fixture(scope="module")
def dictionary() -> SkillDictionary:
    return load_skill_dictionary()


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return shipped_question_bank()


def resume(name: str, dictionary: SkillDictionary) -> Findings:
    return read_findings((FIXTURES / name).read_text(encoding="utf-8"), dictionary, date(2025, 1, 1))


def posting(title: str, required: list[str], preferred: tuple[str, ...] = ()) -> PostingFacts:
    return PostingFacts(
        language="zh", title=title, required_skills=required, preferred_skills=list(preferred)
    )


# The shipped bank


def test_the_bank_covers_eleven_fields_with_a_dozen_questions_each_and_general_ones(
    bank: QuestionBank,
) -> None:
    sizes = {area.name: len(bank.in_area(area.name)) for area in bank.areas}

    assert all(sizes[name] >= 12 for name in (*PROFESSIONS, *PROFESSIONS_TOO, GENERAL_AREA)), sizes
    assert len(bank) >= 180


def test_each_field_has_every_type_of_question(bank: QuestionBank) -> None:
    for area in bank.areas:
        kinds = {entry.type for entry in bank.in_area(area.name)}
        expected = {"behavioural", "role_fit", "project"} | (
            {"technical"} if area.name != GENERAL_AREA else set()
        )
        assert expected <= kinds, area.name


def test_every_question_is_written_in_both_languages_with_its_reason_and_key_points(
    bank: QuestionBank,
) -> None:
    for entry in bank.entries:
        for language in ("zh", "en"):
            wording = entry.wording(language)
            assert wording.text and wording.reason, entry.id
            assert 3 <= len(wording.key_points) <= 5, entry.id
        assert HAN.search(entry.zh.text) and not HAN.search(entry.en.text), entry.id
        assert len(entry.zh.key_points) == len(entry.en.key_points), entry.id


def test_the_difficulties_mix_easy_medium_and_hard(bank: QuestionBank) -> None:
    shares = Counter(entry.difficulty for entry in bank.entries)

    assert shares[1] >= 40 and shares[2] >= 80 and shares[3] >= 25


def test_the_skills_a_question_names_are_in_the_dictionary(
    bank: QuestionBank, dictionary: SkillDictionary
) -> None:
    named = {name for entry in bank.entries for name in entry.skills}
    named |= {name for area in bank.areas for name in area.skills}

    assert {name for name in named if dictionary.entry(name) is None} == set()


def test_templates_use_known_slots_the_same_in_both_languages(bank: QuestionBank) -> None:
    for entry in bank.entries:
        slots = set(SLOT.findall(entry.zh.text))
        assert slots <= {"role", "work", "job", "skill"}, entry.id
        assert slots == set(SLOT.findall(entry.en.text)), entry.id


def test_project_questions_are_templates_on_the_resumes_own_work(bank: QuestionBank) -> None:
    projects = [entry for entry in bank.entries if entry.type == "project"]

    assert len(projects) >= 15
    assert all("{role}" in entry.zh.text for entry in projects)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("x\tbackend\tquiz\t1\t\ta\tb\tc\td\te|f|g\th|i|j", "unknown type"),
        ("x\tbackend\ttechnical\t4\t\ta\tb\tc\td\te|f|g\th|i|j", "difficulty"),
        ("x\tbackend\ttechnical\t1\t\ta\tb\tc\td\te|f|g\th|i", "key points"),
        ("x\tbackend\ttechnical\t1\t\ta\tb\tc\td\te|f|g", "columns"),
        ("x\tmining\ttechnical\t1\t\ta\tb\tc\td\te|f|g\th|i|j", "unknown areas"),
    ],
)
def test_a_malformed_bank_is_refused(line: str, message: str) -> None:
    areas = "backend\t后端\tBackend\t\t\t\tJava\n"

    with pytest.raises(ValueError, match=message):
        parse_question_bank(line + "\n", areas)


def test_a_repeated_id_is_refused() -> None:
    row = "x\tbackend\ttechnical\t1\t\ta\tb\tc\td\te|f|g\th|i|j\n"

    with pytest.raises(ValueError, match="unique"):
        parse_question_bank(row + row, "backend\t后端\tBackend\t\t\t\t\n")


# Choosing questions


def test_the_same_inputs_give_the_same_questions(dictionary: SkillDictionary) -> None:
    findings = resume("resume_zh_software.md", dictionary)
    job = posting("Java 开发工程师", ["Java", "MySQL", "Kafka"], ("Go",))

    first = pick_questions(findings, job, count=10, language="zh", dictionary=dictionary)
    again = pick_questions(
        findings, job, count=10, language="zh", dictionary=dictionary, bank=load_question_bank()
    )

    assert first == again


def test_the_language_changes_the_wording_not_the_choice(dictionary: SkillDictionary) -> None:
    findings = strong("zh")

    chinese = pick_questions(findings, None, count=10, language="zh", dictionary=dictionary)
    english = pick_questions(findings, None, count=10, language="en", dictionary=dictionary)

    assert [q.id for q in chinese] == [q.id for q in english]
    assert all(HAN.search(q.reason) for q in chinese)
    assert not any(HAN.search(q.reason) for q in english)


@pytest.mark.parametrize("count", [1, 3, 5, 10, 16])
def test_the_count_asked_for_is_met(count: int, dictionary: SkillDictionary) -> None:
    questions = pick_questions(strong("en"), None, count=count, language="en", dictionary=dictionary)

    assert len(questions) == count
    assert len({q.id for q in questions}) == count


def test_no_questions_for_a_count_of_zero(dictionary: SkillDictionary) -> None:
    assert pick_questions(strong("zh"), None, count=0, language="zh", dictionary=dictionary) == []


def test_ten_questions_mix_the_four_types_and_three_difficulties(dictionary: SkillDictionary) -> None:
    findings = resume("resume_zh_software.md", dictionary)

    questions = pick_questions(findings, None, count=10, language="zh", dictionary=dictionary)

    types = Counter(q.type for q in questions)
    assert types == {"technical": 4, "project": 3, "behavioural": 2, "role_fit": 1}
    assert Counter(q.difficulty for q in questions) == {1: 3, 2: 5, 3: 2}
    assert [q.type for q in questions] == sorted((q.type for q in questions), key=list(types).index)


def test_every_question_says_why_it_is_asked_and_what_a_good_answer_covers(
    dictionary: SkillDictionary,
) -> None:
    for question in pick_questions(strong("en"), None, count=10, language="en", dictionary=dictionary):
        assert question.reason and 3 <= len(question.key_points) <= 5
        assert question.source == "bank" and question.language == "en"
        assert "{" not in question.text


@pytest.mark.parametrize(
    ("fixture", "language", "area"),
    [
        ("resume_en_nurse.txt", "en", "nursing"),
        ("resume_zh_nurse.txt", "zh", "nursing"),
        ("resume_zh_software.md", "zh", "backend"),
        ("resume_zh_sales.txt", "zh", "sales"),
        ("resume_en_sales.txt", "en", "sales"),
        ("resume_zh_teacher.txt", "zh", "teaching"),
        ("resume_zh_finance.txt", "zh", "finance"),
        ("resume_zh_designer.txt", "zh", "design"),
    ],
)
def test_the_resume_decides_the_field_of_the_technical_questions(
    fixture: str, language: Language, area: str, dictionary: SkillDictionary
) -> None:
    questions = pick_questions(
        resume(fixture, dictionary), None, count=10, language=language, dictionary=dictionary
    )

    assert {q.area for q in questions if q.type == "technical"} == {area}


def test_a_chinese_sales_resume_gets_its_questions_in_chinese(dictionary: SkillDictionary) -> None:
    questions = pick_questions(
        resume("resume_zh_sales.txt", dictionary), None, count=8, language="zh", dictionary=dictionary
    )

    assert all(HAN.search(q.text) for q in questions)
    assert any("客户" in q.text for q in questions if q.type == "technical")


def test_a_data_engineer_gets_questions_from_both_of_his_fields(dictionary: SkillDictionary) -> None:
    findings = resume("resume_en_software.md", dictionary)

    assert choose_areas(findings, None, shipped_question_bank(), dictionary) == ["data", "backend"]


def test_project_questions_quote_the_resumes_own_jobs_and_lines(dictionary: SkillDictionary) -> None:
    findings = resume("resume_en_nurse.txt", dictionary)
    lines = {bullet.lstrip("- ") for entry in findings.experience for bullet in entry.bullets}

    projects = [
        q
        for q in pick_questions(findings, None, count=10, language="en", dictionary=dictionary)
        if q.type == "project"
    ]

    assert len(projects) == 3
    for question in projects:
        assert "Registered Nurse at Riverside Memorial Hospital" in question.text
        quoted = re.search(r"“(.+?)”", question.text)
        assert quoted is not None and quoted.group(1) in lines


def test_lines_with_figures_are_asked_about_first(dictionary: SkillDictionary) -> None:
    findings = changed(
        strong("zh"),
        experience=[
            strong("zh")
            .experience[0]
            .model_copy(
                update={
                    "bullets": ["- 负责日常开发和需求评审工作", "- 重构库存链路，接口延迟从 800ms 降至 120ms"]
                }
            )
        ],
    )

    projects = [
        q
        for q in pick_questions(findings, None, count=4, language="zh", dictionary=dictionary)
        if q.type == "project"
    ]

    assert "800ms" in projects[0].text
    assert "「高级 Java 工程师 · 杭州云栈科技有限公司」" in projects[0].text


def test_a_resume_that_points_nowhere_gets_general_questions_only(dictionary: SkillDictionary) -> None:
    questions = pick_questions(bare("zh"), None, count=8, language="zh", dictionary=dictionary)

    assert len(questions) == 8
    assert {q.area for q in questions} == {GENERAL_AREA}
    assert "technical" not in {q.type for q in questions}
    assert all("“" not in q.text and "{" not in q.text for q in questions)


def test_the_posting_points_to_its_field_when_the_resume_says_little(dictionary: SkillDictionary) -> None:
    job = PostingFacts(language="en", title="Registered Nurse", required_skills=["BLS"], preferred_skills=[])

    questions = pick_questions(bare("en"), job, count=6, language="en", dictionary=dictionary)

    assert {q.area for q in questions if q.type == "technical"} == {"nursing"}


def test_skills_both_the_resume_and_the_job_name_come_first(dictionary: SkillDictionary) -> None:
    job = posting("Java 开发工程师", ["MySQL", "Redis"])

    questions = pick_questions(strong("zh"), job, count=10, language="zh", dictionary=dictionary)

    technical = [q for q in questions if q.type == "technical"]
    assert all({"MySQL", "Redis"} & set(q.skills) for q in technical), [q.id for q in technical]


def test_a_skill_the_job_wants_and_the_resume_lacks_is_asked_about(dictionary: SkillDictionary) -> None:
    job = posting("Java 开发工程师", ["Java", "Terraform"])

    questions = pick_questions(strong("zh"), job, count=10, language="zh", dictionary=dictionary)

    gap = [q for q in questions if "Terraform" in q.text]
    assert [q.id for q in gap] == ["general-skill-gap"]
    assert gap[0].skills == ["Terraform"] and gap[0].type == "role_fit"


def test_without_a_job_no_gap_is_asked_about(dictionary: SkillDictionary) -> None:
    questions = pick_questions(strong("zh"), None, count=16, language="zh", dictionary=dictionary)

    assert "general-skill-gap" not in {q.id for q in questions}


def test_the_jobs_title_fills_role_fit_questions(dictionary: SkillDictionary) -> None:
    job = posting("Data Analyst", ["SQL"])

    questions = pick_questions(strong("en"), job, count=20, language="en", dictionary=dictionary)

    why = [q for q in questions if q.id == "general-why-role"]
    assert why and why[0].text == "Why are you applying for the Data Analyst role?"
