"""Scoring a resume against a posting: weighted parts, determinism, skill gaps and the explanation."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from jobfirst_ai.engine.analyze import read_findings
from jobfirst_ai.engine.match_score import (
    WEIGHTS,
    candidate_from_findings,
    explain_fit,
    score_match,
    title_similarity,
)
from jobfirst_ai.engine.postings import read_posting
from jobfirst_ai.engine.skills import SkillDictionary, load_skill_dictionary
from jobfirst_ai.engine.types import CandidateProfile, DegreeLevel, JobFit, PartScore, PostingFacts
from tests.support.findings import bare, changed, degree, job, strong

FIXTURES = Path(__file__).parent.parent / "fixtures"
TODAY = date(2024, 6, 1)

JAVA_POSTING = PostingFacts(
    language="zh",
    title="Java后端开发工程师",
    required_skills=["Java", "Spring Boot", "MySQL", "Kubernetes"],
    preferred_skills=["Kafka", "Go"],
    years_min=3,
    education_level="bachelor",
)
STRONG_JAVA = CandidateProfile(
    language="zh",
    skills=["Java", "Spring Boot", "MySQL", "Redis", "Kafka"],
    years=5,
    education_level="master",
    titles=["高级Java开发工程师", "Java开发工程师"],
)
WEAK_JAVA = CandidateProfile(language="zh", skills=["Excel", "Java"], years=1, titles=["行政助理"])


@pytest.fixture(scope="module")
def dictionary() -> SkillDictionary:
    return load_skill_dictionary()


def _part(fit: JobFit, name: str) -> PartScore:
    return next(part for part in fit.parts if part.name == name)


def _candidate(**update: object) -> CandidateProfile:
    return STRONG_JAVA.model_copy(update=update)


def _posting(**update: object) -> PostingFacts:
    return JAVA_POSTING.model_copy(update=update)


@pytest.mark.parametrize("column", [0, 1])
def test_each_weight_column_sums_to_100(column: int) -> None:
    assert sum(points[column] for points in WEIGHTS.values()) == 100


def test_the_same_inputs_give_the_same_fit() -> None:
    shuffled = _candidate(skills=list(reversed(STRONG_JAVA.skills)))

    first = score_match(STRONG_JAVA, JAVA_POSTING, text_similarity=0.42)
    second = score_match(shuffled, JAVA_POSTING.model_copy(), text_similarity=0.42)

    assert first == second


@pytest.mark.parametrize("candidate", [STRONG_JAVA, WEAK_JAVA, _candidate(skills=[], titles=[])])
@pytest.mark.parametrize("semantic", [None, 0.37])
def test_the_parts_add_up_to_the_score(candidate: CandidateProfile, semantic: float | None) -> None:
    fit = score_match(candidate, JAVA_POSTING, text_similarity=0.335, semantic_similarity=semantic)

    assert fit.score == math.floor(sum(part.score for part in fit.parts) + 0.5)
    assert sum(part.max_score for part in fit.parts) == 100


def test_gaps_list_required_skills_first_in_posting_order() -> None:
    fit = score_match(_candidate(skills=["mysql", "Kafka"]), JAVA_POSTING, text_similarity=0.0)

    assert fit.matched_skills == ["MySQL", "Kafka"]
    assert fit.missing_required == ["Java", "Spring Boot", "Kubernetes"]
    assert fit.missing_preferred == ["Go"]
    assert _part(fit, "required_skills").detail == "1 of 4 required skills"


def test_a_skill_both_required_and_preferred_counts_once_as_required() -> None:
    posting = _posting(required_skills=["Java", "java"], preferred_skills=["JAVA", "Go"])

    fit = score_match(_candidate(skills=[]), posting, text_similarity=0.0)

    assert (fit.missing_required, fit.missing_preferred) == (["Java"], ["Go"])


def test_an_obviously_better_candidate_scores_higher() -> None:
    strong_fit = score_match(STRONG_JAVA, JAVA_POSTING, text_similarity=0.4)
    weak_fit = score_match(WEAK_JAVA, JAVA_POSTING, text_similarity=0.4)

    assert strong_fit.score > weak_fit.score + 30


def test_nothing_asked_is_nothing_missing() -> None:
    posting = _posting(required_skills=[], preferred_skills=[], years_min=None, education_level=None)

    fit = score_match(bare_profile(), posting, text_similarity=0.0)

    for name in ("required_skills", "preferred_skills", "experience", "education"):
        assert _part(fit, name).score == _part(fit, name).max_score
    assert _part(fit, "experience").detail == "no years of experience asked"


def bare_profile() -> CandidateProfile:
    return CandidateProfile(language="en", skills=[], years=0)


@pytest.mark.parametrize(("years", "points"), [(0, 0), (1.5, 7.5), (3, 15), (12, 15)])
def test_years_earn_credit_in_proportion_up_to_the_ask(years: float, points: float) -> None:
    fit = score_match(_candidate(years=years), JAVA_POSTING, text_similarity=0.0)

    assert _part(fit, "experience").score == points


@pytest.mark.parametrize(
    ("level", "points"),
    [("phd", 10), ("mba", 10), ("bachelor", 10), ("associate", 5), ("high_school", 0), (None, 0)],
)
def test_one_degree_level_short_earns_half(level: DegreeLevel | None, points: float) -> None:
    fit = score_match(_candidate(education_level=level), JAVA_POSTING, text_similarity=0.0)

    assert _part(fit, "education").score == points


def test_an_mba_meets_a_master_asked() -> None:
    fit = score_match(
        _candidate(education_level="mba"), _posting(education_level="master"), text_similarity=0
    )

    assert _part(fit, "education").score == 10


def test_a_semantic_similarity_takes_most_of_the_text_points() -> None:
    fit = score_match(STRONG_JAVA, JAVA_POSTING, text_similarity=1.0, semantic_similarity=0.5)

    assert (_part(fit, "text").max_score, _part(fit, "text").score) == (5, 5)
    assert (_part(fit, "semantic").max_score, _part(fit, "semantic").score) == (10, 5)


def test_without_a_semantic_similarity_there_is_no_semantic_part() -> None:
    fit = score_match(STRONG_JAVA, JAVA_POSTING, text_similarity=2.0)

    assert "semantic" not in [part.name for part in fit.parts]
    assert _part(fit, "text").score == 15


@pytest.mark.parametrize(
    ("posting_title", "held", "expected"),
    [
        ("Backend Engineer", "后端开发工程师", 1.0),
        ("销售经理", "Sales Manager", 1.0),
        ("Java后端开发工程师", "高级Java开发工程师", 0.8),
        ("Registered Nurse", "ICU护士", 0.5),
        ("小学语文教师", "初中数学教师", 0.25),
        ("Staff Accountant", "Java开发工程师", 0.0),
    ],
)
def test_title_similarity_reads_both_languages(posting_title: str, held: str, expected: float) -> None:
    assert title_similarity(posting_title, held) == pytest.approx(expected)


def test_the_best_held_title_counts() -> None:
    fit = score_match(_candidate(titles=["行政助理", "Java开发工程师"]), JAVA_POSTING, text_similarity=0)

    assert _part(fit, "title").score == 8
    assert "Java开发工程师" in _part(fit, "title").detail


def test_no_titles_held_earn_no_title_points() -> None:
    fit = score_match(_candidate(titles=[]), JAVA_POSTING, text_similarity=0.0)

    assert _part(fit, "title").score == 0


def test_the_candidate_comes_from_the_findings_most_recent_title_first() -> None:
    findings = changed(
        strong("zh"),
        experience=[
            job("Java 开发工程师", start="2016-07", end="2019-02"),
            job("高级 Java 工程师", start="2019-03", end=None, is_current=True),
            job("java 开发工程师", start="2014-07", end="2016-06"),
        ],
        education=[degree("bachelor"), degree("master", "硕士")],
        stated_years=None,
    )

    candidate = candidate_from_findings(findings)

    assert candidate.titles == ["高级 Java 工程师", "Java 开发工程师"]
    assert candidate.education_level == "master"
    assert candidate.years == findings.total_years
    assert candidate.skills == [match.name for match in findings.skills]


def test_stated_years_win_over_dated_years() -> None:
    candidate = candidate_from_findings(changed(strong("en"), stated_years=12.0, total_years=7.9))

    assert candidate.years == 12.0
    assert candidate_from_findings(bare("en")).education_level is None


def test_real_resumes_rank_the_software_engineer_above_the_nurse_for_a_java_posting(
    dictionary: SkillDictionary,
) -> None:
    posting = read_posting(
        "Java后端开发工程师",
        "任职要求：本科及以上学历，3年以上Java开发经验；\n"
        "精通Java，熟悉Spring Boot、MySQL、Redis；有Kafka经验者优先。",
        dictionary,
    )
    scores = {
        name: score_match(_from_fixture(name, dictionary), posting, text_similarity=0.2).score
        for name in ("resume_zh_software.md", "resume_zh_nurse.txt")
    }

    assert scores["resume_zh_software.md"] > scores["resume_zh_nurse.txt"] + 40


def _from_fixture(name: str, dictionary: SkillDictionary) -> CandidateProfile:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return candidate_from_findings(read_findings(text, dictionary, TODAY))


def test_a_chinese_explanation_names_the_missing_required_skill_and_what_to_do(
    dictionary: SkillDictionary,
) -> None:
    fit = score_match(STRONG_JAVA, JAVA_POSTING, text_similarity=0.4)

    text = explain_fit(fit, JAVA_POSTING, "zh", dictionary=dictionary)
    strengths, gaps, advice = text.split("。")[:3]

    assert 2 <= text.count("。") <= 4
    assert "Kubernetes" in gaps
    assert "Kubernetes" in advice
    assert "Go" not in strengths
    assert "Kubernetes" not in strengths
    assert "Java" in strengths
    assert "3 年经验" in strengths


def test_an_english_explanation_puts_required_gaps_before_preferred() -> None:
    fit = score_match(WEAK_JAVA, JAVA_POSTING, text_similarity=0.1)

    text = explain_fit(fit, JAVA_POSTING, "en")

    assert text.startswith(f"Match {fit.score}/100: you show Java from the posting.")
    assert text.index("Spring Boot") < text.index("Kafka")
    assert "fewer years than the 3 asked" in text
    assert "Add evidence of your work with Spring Boot and MySQL" in text
    assert not any("\u4e00" <= char <= "\u9fff" for char in text)


def test_a_chinese_explanation_uses_chinese_skill_names_with_the_dictionary(
    dictionary: SkillDictionary,
) -> None:
    posting = _posting(required_skills=["Microservices"], preferred_skills=[])
    fit = score_match(_candidate(skills=[]), posting, text_similarity=0.0)

    assert "微服务" in explain_fit(fit, posting, "zh", dictionary=dictionary)
    assert "Microservices" in explain_fit(fit, posting, "zh")


def test_a_full_match_says_nothing_is_missing() -> None:
    posting = _posting(required_skills=["Java"], preferred_skills=[], years_min=None, education_level=None)
    fit = score_match(STRONG_JAVA, posting, text_similarity=0.5)

    assert "岗位列出的要求均已覆盖" in explain_fit(fit, posting, "zh")
    assert "Nothing the posting lists is missing." in explain_fit(fit, posting, "en")


def test_a_resume_with_no_matched_skills_is_never_credited_with_any(dictionary: SkillDictionary) -> None:
    fit = score_match(bare_profile(), JAVA_POSTING, text_similarity=0.0)

    text = explain_fit(fit, JAVA_POSTING, "en", dictionary=dictionary)

    assert fit.matched_skills == []
    assert "you show" not in text
    assert "shows little of what this posting lists" in text


def test_a_tie_between_titles_goes_to_the_most_recent() -> None:
    fit = score_match(_candidate(titles=["Java 开发工程师", "Java开发"]), JAVA_POSTING, text_similarity=0)

    assert _part(fit, "title").detail.endswith("'Java 开发工程师'")


def test_points_of_a_part_the_posting_does_not_ask_for_move_to_text_similarity() -> None:
    candidate = CandidateProfile(language="en", skills=["Python"], years=1.0, titles=["Developer"])
    vague = PostingFacts(language="en", title="Developer", required_skills=["Python"], preferred_skills=[])
    strict = vague.model_copy(
        update={"preferred_skills": ["Go"], "years_min": 5.0, "education_level": "master"}
    )

    close, far = (score_match(candidate, vague, text_similarity=value) for value in (0.9, 0.1))
    demanding = score_match(candidate, strict, text_similarity=0.9)

    parts = {part.name: part for part in close.parts}
    assert parts["preferred_skills"].max_score == parts["experience"].max_score == 0
    assert parts["text"].max_score == 15 + 10 + 15 + 10
    assert sum(part.max_score for part in close.parts) == 100
    assert close.score > far.score  # a vague posting is judged by how alike the texts are, not for free
    assert far.score < demanding.score
