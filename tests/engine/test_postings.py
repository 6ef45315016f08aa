"""Reading job postings: required vs preferred skills by cue and heading, years and degree asked."""

from __future__ import annotations

import time

import pytest

from jobfirst_ai.engine.postings import read_posting, split_clauses
from jobfirst_ai.engine.skills import SkillDictionary, load_skill_dictionary
from jobfirst_ai.engine.types import DegreeLevel, PostingFacts

JAVA_BACKEND_ZH = """岗位职责：
1. 负责交易系统的设计与开发；
任职要求：
1. 本科及以上学历，计算机相关专业，3-5年Java开发经验，硕士优先；
2. 精通Java，熟悉Spring Boot、MySQL、Redis；
3. 必须熟悉微服务架构；
4. 有Kafka、k8s经验者优先；
5. 了解Docker；
加分项：
熟悉Go语言，有Elasticsearch使用经验"""

BACKEND_EN = """Requirements:
- 5+ years building backend services in Python or Go
- Strong SQL skills (PostgreSQL)
- BS/MS in Computer Science or a related field
Nice to have:
- Experience with Kubernetes and Terraform
- Familiarity with Kafka is a plus"""

SALES_MANAGER_ZH = (
    "岗位要求：大专以上学历，2年以上销售经验，具备良好的沟通能力和谈判技巧，熟练使用Excel，"
    "有客户关系管理经验者优先，有驾照优先。"
)

NURSE_EN = (
    "Requirements: BLS certification required. ACLS preferred. 2 years of acute care experience. "
    "Bachelor of Science in Nursing (BSN) preferred; Associate degree required. "
    "Strong patient care and communication skills."
)

ACCOUNTANT_EN = (
    "Bachelor's degree in Accounting or Finance. Minimum of three years of accounting experience. "
    "Proficient in Excel and QuickBooks. CPA is a plus. Knowledge of GAAP and reconciliations."
)

TEACHER_ZH = (
    "要求：本科及以上学历，持有教师资格证，普通话二级甲等以上，熟悉课堂管理，有班主任经验者优先，硕士优先。"
)

NURSE_ZH = "任职要求：护理专业大专以上学历，持有护士执业证书，熟悉基础护理操作，有ICU工作经验者优先。"


@pytest.fixture(scope="module")
def dictionary() -> SkillDictionary:
    return load_skill_dictionary()


def test_a_chinese_backend_posting_splits_must_haves_from_preferences(dictionary: SkillDictionary) -> None:
    posting = read_posting("Java后端开发工程师", JAVA_BACKEND_ZH, dictionary)

    assert posting.language == "zh"
    assert posting.required_skills == ["Java", "Spring Boot", "MySQL", "Redis", "Microservices"]
    assert posting.preferred_skills == ["Kafka", "Kubernetes", "Docker", "Go", "Elasticsearch"]
    assert posting.years_min == 3
    assert posting.education_level == "bachelor"


def test_an_english_posting_reads_the_nice_to_have_section_as_preferences(
    dictionary: SkillDictionary,
) -> None:
    posting = read_posting("  Senior Backend Engineer ", BACKEND_EN, dictionary)

    assert posting.language == "en"
    assert posting.title == "Senior Backend Engineer"
    assert posting.required_skills == ["Python", "Go", "SQL", "PostgreSQL"]
    assert posting.preferred_skills == ["Kubernetes", "Terraform", "Kafka"]
    assert (posting.years_min, posting.education_level) == (5, "bachelor")


@pytest.mark.parametrize(
    ("title", "description", "required", "preferred", "asks"),
    [
        ("销售经理", SALES_MANAGER_ZH, {"Sales", "Communication", "Excel"}, {"CRM"}, (2, "associate")),
        ("Registered Nurse", NURSE_EN, {"BLS", "Patient Care"}, {"ACLS"}, (2, "associate")),
        ("Staff Accountant", ACCOUNTANT_EN, {"Excel", "QuickBooks", "GAAP"}, {"CPA"}, (3, "bachelor")),
        (
            "小学语文教师",
            TEACHER_ZH,
            {"Teacher Qualification", "Classroom Management"},
            {"Homeroom Teaching"},
            (None, "bachelor"),
        ),
        ("护士", NURSE_ZH, {"Nursing", "Nursing License"}, {"Critical Care"}, (None, "associate")),
    ],
    ids=["sales-zh", "nurse-en", "accountant-en", "teacher-zh", "nurse-zh"],
)
def test_postings_outside_software_are_read_too(
    dictionary: SkillDictionary,
    title: str,
    description: str,
    required: set[str],
    preferred: set[str],
    asks: tuple[float | None, DegreeLevel],
) -> None:
    posting = read_posting(title, description, dictionary)

    assert required <= set(posting.required_skills)
    assert preferred <= set(posting.preferred_skills)
    assert not required & set(posting.preferred_skills)
    assert (posting.years_min, posting.education_level) == asks


def test_a_heading_switches_the_default_until_the_next_heading(dictionary: SkillDictionary) -> None:
    description = "加分项：\nPython\nDocker\n任职要求：\nLinux\nBonus points if you have:\nTerraform"

    posting = read_posting("工程师", description, dictionary)

    assert posting.required_skills == ["Linux"]
    assert posting.preferred_skills == ["Python", "Docker", "Terraform"]


def test_a_heading_may_carry_its_content_on_the_same_line(dictionary: SkillDictionary) -> None:
    posting = read_posting("Engineer", "Requirements: Python\n**Nice to have:** Kafka, Terraform", dictionary)

    assert posting.required_skills == ["Python"]
    assert posting.preferred_skills == ["Kafka", "Terraform"]


def test_a_skill_both_required_and_preferred_is_required(dictionary: SkillDictionary) -> None:
    posting = read_posting(
        "Engineer", "Must know Docker.\nNice to have:\n- Docker in production, Helm", dictionary
    )

    assert "Docker" in posting.required_skills
    assert "Docker" not in posting.preferred_skills


@pytest.mark.parametrize(
    ("description", "required", "preferred"),
    [
        ("Java required, Golang preferred.", ["Java"], ["Go"]),
        ("Experience with Kafka, Terraform, or Ansible is a plus.", [], ["Kafka", "Terraform", "Ansible"]),
        ("熟悉Kafka者优先", [], ["Kafka"]),
        ("了解Docker", [], ["Docker"]),
        ("熟悉或了解Docker", ["Docker"], []),
        ("Exposure to Tableau", [], ["Tableau"]),
        ("Must have SQL; Tableau desirable", ["SQL"], ["Tableau"]),
    ],
)
def test_cues_decide_each_clause(
    dictionary: SkillDictionary, description: str, required: list[str], preferred: list[str]
) -> None:
    posting = read_posting("Analyst", description, dictionary)

    assert (posting.required_skills, posting.preferred_skills) == (required, preferred)


def test_a_field_named_only_in_the_title_is_no_requirement(dictionary: SkillDictionary) -> None:
    posting = read_posting("Java后端开发工程师", "熟悉MySQL", dictionary)

    assert posting.required_skills == ["Java", "MySQL"]


def test_given_skills_win_and_go_through_the_dictionary(dictionary: SkillDictionary) -> None:
    posting = read_posting(
        "Backend Engineer",
        BACKEND_EN,
        dictionary,
        required=["k8s", " golang", "Go", "", "Underwater Basket Weaving", "underwater basket weaving"],
        preferred=["微服务", "Kubernetes"],
        years_min=2,
        education_level="master",
    )

    assert posting.required_skills == ["Kubernetes", "Go", "Underwater Basket Weaving"]
    assert posting.preferred_skills == ["Microservices"]
    assert (posting.years_min, posting.education_level) == (2, "master")


def test_given_preferred_skills_leave_the_extracted_required_ones(dictionary: SkillDictionary) -> None:
    posting = read_posting("Backend Engineer", BACKEND_EN, dictionary, preferred=["postgres"])

    assert posting.required_skills == ["Python", "Go", "SQL"]
    assert posting.preferred_skills == ["PostgreSQL"]


@pytest.mark.parametrize(
    ("description", "years"),
    [
        ("3年以上Java开发经验", 3),
        ("3-5年工作经验", 3),
        ("至少3年", 3),
        ("三年以上相关经验", 3),
        ("工作经验：1~3年", 1),
        ("5+ years of experience", 5),
        ("Minimum of 3 years in accounting", 3),
        ("3 to 5 years of experience", 3),
        ("At least two years of retail experience", 2),
        ("5+ years of backend work\n7+ years preferred", 5),
        ("7+ years preferred", None),
        ("年龄25-35岁，五险一金", None),
        ("We have been in business for 20 years", None),
    ],
)
def test_years_asked_are_the_lower_bound_of_a_required_clause(
    dictionary: SkillDictionary, description: str, years: float | None
) -> None:
    assert read_posting("Role", description, dictionary).years_min == years


@pytest.mark.parametrize(
    ("description", "level"),
    [
        ("本科及以上学历", "bachelor"),
        ("大专以上学历", "associate"),
        ("硕士优先", None),
        ("本科以上学历，硕士优先", "bachelor"),
        ("Bachelor's degree in Accounting or Finance", "bachelor"),
        ("BS/MS in Computer Science", "bachelor"),
        ("BS in Statistics or equivalent, MS preferred", "bachelor"),
        ("Master's degree preferred", None),
        ("PhD in Machine Learning required", "phd"),
        ("负责高中数学教学工作", None),
        ("高中及以上学历", "high_school"),
        ("学历不限", None),
    ],
)
def test_the_degree_asked_is_the_lowest_required_one(
    dictionary: SkillDictionary, description: str, level: DegreeLevel | None
) -> None:
    assert read_posting("Role", description, dictionary).education_level == level


def test_the_title_asks_for_no_degree_or_years(dictionary: SkillDictionary) -> None:
    posting = read_posting("高中数学教师 5年以上", "负责数学教学", dictionary)

    assert (posting.years_min, posting.education_level) == (None, None)


def test_clauses_know_where_they_start_in_the_text() -> None:
    text = "任职要求：\n精通Java；有Kafka经验者优先"

    clauses = split_clauses(text)

    assert [(text[c.start : c.start + len(c.text)], c.is_preferred) for c in clauses] == [
        ("精通Java", False),
        ("有Kafka经验者优先", True),
    ]


def test_an_empty_posting_asks_for_nothing(dictionary: SkillDictionary) -> None:
    posting = read_posting("", "", dictionary)

    assert posting == PostingFacts(language="en", title="", required_skills=[], preferred_skills=[])


def test_long_runs_of_blanks_read_in_linear_time(dictionary: SkillDictionary) -> None:
    # Unbounded space runs side by side in the years pattern took seconds here (quadratic backtracking).
    description = "3" + " " * 20_000 + "\n至少" + " " * 20_000 + "年"
    started = time.perf_counter()

    read_posting("Role", description, dictionary)

    assert time.perf_counter() - started < 2
