"""The rubric: a table summing to 100, deterministic, monotone in the good things, explained per language."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from jobfirst_ai.engine.scoring import MINOR_CATEGORIES, RUBRIC, TECH_CATEGORIES, score_resume
from jobfirst_ai.engine.types import Findings, Language, SectionKind, SubScore
from tests.support.findings import (
    achievement,
    bare,
    changed,
    changed_contact,
    changed_signals,
    job,
    mixed,
    section,
    skill,
    strong,
)

HAN = re.compile(r"[\u4e00-\u9fff]")
LANGUAGES: list[Language] = ["zh", "en"]
WEAK: dict[Language, str] = {"zh": "负责", "en": "responsible for"}


def middling(language: Language) -> Findings:
    """Some of everything: one undated role, a few skills, little quantified, weak openers."""
    return changed(
        bare(language),
        sections=[section("contact"), section("experience")],
        experience=[job(start=None, end=None)],
        skills=[skill("Java"), skill("Excel", "tool", sections=("skills",))],
        contact=bare(language).contact.model_copy(update={"has_phone": True}),
        signals=bare(language).signals.model_copy(
            update={"char_count": 350, "word_count": 200, "bullet_count": 5, "weak_phrases": [WEAK[language]]}
        ),
    )


def parts(findings: Findings) -> dict[str, SubScore]:
    return {sub.name: sub for sub in score_resume(findings)[1]}


BASES: list[Callable[[Language], Findings]] = [bare, middling, strong]


def test_technical_categories_are_dictionary_categories() -> None:
    from jobfirst_ai.engine.skills import CATEGORIES

    assert TECH_CATEGORIES.issubset(CATEGORIES)
    assert MINOR_CATEGORIES.issubset(CATEGORIES)


def test_maxima_sum_to_100() -> None:
    assert sum(part.max_score for part in RUBRIC) == 100
    assert len({part.name for part in RUBRIC}) == len(RUBRIC)


@pytest.mark.parametrize("language", LANGUAGES)
def test_strong_resume_scores_full_and_empty_scores_nothing(language: Language) -> None:
    assert score_resume(strong(language))[0] == 100
    assert score_resume(bare(language))[0] == 0


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("base", BASES)
def test_total_is_the_sum_of_parts_within_their_maxima(
    base: Callable[[Language], Findings], language: Language
) -> None:
    total, sub_scores = score_resume(base(language))
    assert total == sum(sub.score for sub in sub_scores)
    assert all(0 <= sub.score <= sub.max_score for sub in sub_scores)
    assert [sub.max_score for sub in sub_scores] == [part.max_score for part in RUBRIC]


@pytest.mark.parametrize("language", LANGUAGES)
def test_same_findings_same_score(language: Language) -> None:
    assert score_resume(middling(language)) == score_resume(middling(language))


def add_quantified_bullet(findings: Findings) -> Findings:
    signals = findings.signals
    return changed_signals(
        findings,
        bullet_count=signals.bullet_count + 1,
        achievements=[*signals.achievements, achievement("降低成本 30%", "30%")],
    )


def add_email(findings: Findings) -> Findings:
    return changed_contact(findings, has_email=True)


def add_section(kind: SectionKind) -> Callable[[Findings], Findings]:
    return lambda findings: changed(findings, sections=[*findings.sections, section(kind)])


IMPROVEMENTS: dict[str, Callable[[Findings], Findings]] = {
    "quantified bullet": add_quantified_bullet,
    "email": add_email,
    "phone": lambda findings: changed_contact(findings, has_phone=True),
    "name": lambda findings: changed_contact(findings, has_name=True),
    **{f"{kind} section": add_section(kind) for kind in ("summary", "skills", "education", "experience")},
}


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("improvement", list(IMPROVEMENTS))
def test_improvements_never_lower_the_score(
    base: Callable[[Language], Findings], improvement: str, language: Language
) -> None:
    findings = base(language)
    for _ in range(6):
        better = IMPROVEMENTS[improvement](findings)
        assert score_resume(better)[0] >= score_resume(findings)[0]
        findings = better


@pytest.mark.parametrize("improvement", list(IMPROVEMENTS))
def test_improvements_never_lower_the_score_of_any_mix(improvement: str) -> None:
    for seed in range(150):
        findings = mixed(seed)
        assert score_resume(IMPROVEMENTS[improvement](findings))[0] >= score_resume(findings)[0], seed


@pytest.mark.parametrize("language", LANGUAGES)
def test_quantified_bullets_raise_a_middling_score(language: Language) -> None:
    findings = middling(language)
    assert score_resume(add_quantified_bullet(findings))[0] > score_resume(findings)[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_missing_parts_are_named_in_the_resume_language(language: Language) -> None:
    reasons = [reason for sub in score_resume(middling(language))[1] for reason in sub.reasons]
    assert all(reasons) and all(bool(HAN.search(reason)) == (language == "zh") for reason in reasons)
    completeness = parts(middling(language))["completeness"]
    assert completeness.score == 6
    assert ("缺少：个人简介" if language == "zh" else "Missing: summary") in completeness.reasons[-1]


def test_undated_roles_cost_experience_points() -> None:
    dated = strong("zh")
    undated = changed(
        dated, experience=[job(start=None, end=None) for _ in dated.experience], total_years=0.0
    )
    assert parts(undated)["experience"].score < parts(dated)["experience"].score
    assert "无法核算年限" in " ".join(parts(undated)["experience"].reasons)


def test_stated_years_beyond_the_dates_are_flagged() -> None:
    inflated = changed(strong("en"), stated_years=12.0, total_years=4.0)
    experience = parts(inflated)["experience"]
    assert experience.score == 18
    assert "States 12 years of experience but the dates cover about 4" in experience.reasons


def test_fewer_stated_years_than_dated_are_fine() -> None:
    assert parts(changed(strong("zh"), stated_years=5.0))["experience"].score == 20


def test_link_bonus_only_for_technical_profiles() -> None:
    no_name = changed_contact(strong("en"), has_name=False)
    assert parts(no_name)["contact"].score == 9
    not_technical = changed(no_name, skills=[skill("Negotiation", "soft_skill")])
    assert parts(not_technical)["contact"].score == 8


def test_skills_only_listed_earn_less_than_skills_shown_in_work() -> None:
    shown = strong("zh")
    listed = changed(shown, skills=[s.model_copy(update={"sections": ["skills"]}) for s in shown.skills])
    assert parts(listed)["skills"].score == parts(shown)["skills"].score - 6


def test_skill_level_words_cost_no_writing_points() -> None:
    findings = strong("zh")
    assert parts(changed_signals(findings, weak_phrases=["熟悉", "了解"])) == parts(findings)


def test_weak_openers_cost_writing_points() -> None:
    findings = strong("zh")
    weak = changed_signals(findings, weak_phrases=["负责", "参与", "协助"])
    assert parts(weak)["writing"].score < parts(findings)["writing"].score
    assert "弱动词开头：负责、参与、协助" in parts(weak)["writing"].reasons


@pytest.mark.parametrize(
    ("language", "size", "points"),
    [
        ("zh", 150, 0), ("zh", 300, 6), ("zh", 600, 10), ("zh", 2500, 10), ("zh", 3000, 6), ("zh", 6000, 2),
        ("en", 100, 0), ("en", 200, 6), ("en", 300, 10), ("en", 1200, 10), ("en", 1500, 6), ("en", 3000, 2),
    ],
)  # fmt: skip
def test_length_bands_by_language(language: Language, size: int, points: int) -> None:
    findings = changed_signals(strong(language), char_count=size, word_count=size)
    assert parts(findings)["length"].score == points
