"""Grading interview answers without a model: simulated candidates ordered sensibly in both languages,
answers that earn nothing, STAR structure, feedback that names the key points, and follow-up questions."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

from jobfirst_ai.engine.answer_signals import star_parts
from jobfirst_ai.engine.grading import RUBRIC, ZERO_VERDICTS, AnswerGrade, grade_answer
from jobfirst_ai.engine.question_bank import Question, shipped_question_bank
from jobfirst_ai.engine.questions import follow_up
from jobfirst_ai.engine.skills import SkillDictionary, load_skill_dictionary
from jobfirst_ai.engine.types import Language

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


class Candidates(NamedTuple):
    """One question and three candidates' answers to it, best first."""

    question_id: str
    language: Language
    good: str
    fair: str
    weak: str


def question(question_id: str, language: Language) -> Question:
    entry = shipped_question_bank().entry(question_id)
    assert entry is not None
    return entry.as_question(language)


def load_candidates() -> dict[tuple[str, str], Candidates]:
    """The simulated candidates of `fixtures/interview_answers.jsonl`, by question id and language."""
    lines = (FIXTURES / "interview_answers.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    return {
        (row["question"], row["language"]): Candidates(
            row["question"], row["language"], row["good"], row["fair"], row["weak"]
        )
        for row in rows
    }


BY_QUESTION = load_candidates()
CANDIDATES = list(BY_QUESTION.values())
MYSQL_ZH = BY_QUESTION["backend-mysql-index", "zh"]
MYSQL_EN = BY_QUESTION["backend-mysql-index", "en"]
DISAGREEMENT_ZH = BY_QUESTION["general-disagreement", "zh"]
DISAGREEMENT_EN = BY_QUESTION["general-disagreement", "en"]
PRICE_ZH = BY_QUESTION["sales-too-expensive", "zh"]
PRICE_EN = BY_QUESTION["sales-too-expensive", "en"]
FALLS_ZH = BY_QUESTION["nursing-falls", "zh"]
FALLS_EN = BY_QUESTION["nursing-falls", "en"]
STATEMENTS_ZH = BY_QUESTION["finance-statements", "zh"]
EVENT_LOOP_EN = BY_QUESTION["frontend-event-loop", "en"]
OFF_TOPIC: dict[Language, str] = {
    "zh": "我周末喜欢打篮球，最近在看一部科幻电影，觉得特别好看。",
    "en": "I like playing basketball at the weekend and I watched a great film yesterday.",
}
WORTHLESS: list[tuple[str, str]] = [
    ("", "empty"),
    ("   \n ", "empty"),
    ("……", "empty"),
    ("不知道", "dont_know"),
    ("这个我不太清楚，没做过。", "dont_know"),
    ("I don't know.", "dont_know"),
    ("No idea, pass.", "dont_know"),
    ("asdfgh jkl qwer zxcv", "gibberish"),
    ("fjdksl qpwoeiru zmxncb", "gibberish"),
    ("哈哈哈哈哈哈哈哈哈哈", "gibberish"),
    ("xxxxxxxxxxxx", "gibberish"),
    ("123456789", "gibberish"),
    (OFF_TOPIC["zh"], "off_topic"),
    (OFF_TOPIC["en"], "off_topic"),
    ("我觉得我是一个很有责任心的人，平时喜欢和团队一起工作，沟通能力也不错。", "off_topic"),
    ("Lorem ipsum dolor sit amet, consectetur adipiscing elit.", "off_topic"),
]


def grade(
    candidates: Candidates,
    answer: str,
    *,
    previous_answers: Sequence[str] = (),
    dictionary: SkillDictionary | None = None,
) -> AnswerGrade:
    asked = question(candidates.question_id, candidates.language)
    return grade_answer(
        asked, answer, candidates.language, previous_answers=previous_answers, dictionary=dictionary
    )


@pytest.fixture(scope="module")
def dictionary() -> SkillDictionary:
    return load_skill_dictionary()


# Simulated candidates


@pytest.mark.parametrize("candidates", CANDIDATES, ids=lambda c: f"{c.question_id}-{c.language}")
def test_good_answers_beat_fair_ones_which_beat_weak_ones_which_beat_nothing(candidates: Candidates) -> None:
    good, fair, weak = (grade(candidates, answer) for answer in candidates[2:])

    assert good.score > fair.score > weak.score > 0
    assert (good.verdict, good.is_weak) == ("good", False)
    assert (weak.verdict, weak.is_weak) == ("weak", True)


@pytest.mark.parametrize("candidates", CANDIDATES[::3], ids=lambda c: f"{c.question_id}-{c.language}")
def test_named_skills_count_as_specifics_without_changing_the_order(
    candidates: Candidates, dictionary: SkillDictionary
) -> None:
    scores = [grade(candidates, answer, dictionary=dictionary).score for answer in candidates[2:]]

    assert scores == sorted(scores, reverse=True) and scores[-1] > 0


@pytest.mark.parametrize("candidates", [MYSQL_ZH, DISAGREEMENT_EN], ids=["zh", "en"])
@pytest.mark.parametrize(("answer", "verdict"), WORTHLESS)
def test_answers_that_say_nothing_score_zero_on_every_part(
    candidates: Candidates, answer: str, verdict: str
) -> None:
    result = grade(candidates, answer)

    assert (result.score, result.verdict, result.is_weak) == (0, verdict, True)
    assert all(part.score == 0 for part in result.parts)
    assert result.covered_points == [] and result.missed_points == result.reference_points


@pytest.mark.parametrize("candidates", [MYSQL_ZH, MYSQL_EN, DISAGREEMENT_ZH], ids=lambda c: c.language)
def test_repeating_an_earlier_answer_scores_zero(candidates: Candidates) -> None:
    again = candidates.good.replace("，", ",").replace(". ", ".  ")

    result = grade(candidates, again, previous_answers=[OFF_TOPIC["en"], candidates.good])

    assert (result.score, result.verdict) == (0, "repeated")


def test_an_answer_to_another_question_given_again_scores_zero() -> None:
    result = grade(
        MYSQL_EN, PRICE_EN.good + " " + MYSQL_EN.fair, previous_answers=[PRICE_EN.good + MYSQL_EN.fair]
    )

    assert result.verdict == "repeated"


def test_reading_the_question_back_scores_zero() -> None:
    result = grade(MYSQL_ZH, question(MYSQL_ZH.question_id, "zh").text)

    assert (result.score, result.verdict) == (0, "repeated")


def test_a_first_answer_is_not_a_repeat() -> None:
    assert grade(MYSQL_ZH, MYSQL_ZH.good, previous_answers=[]).verdict == "good"


def test_an_admitted_gap_followed_by_a_real_answer_is_graded() -> None:
    answer = (
        "I don't know the exact internals, but a B+ tree keeps the index shallow so lookups need few disk "
        "reads, and with a composite index you have to filter on the leftmost column first."
    )

    result = grade(MYSQL_EN, answer)

    assert result.verdict not in ZERO_VERDICTS and result.score > grade(MYSQL_EN, MYSQL_EN.weak).score


def test_the_parts_are_the_weighted_rubric_and_add_up_to_the_score() -> None:
    result = grade(PRICE_ZH, PRICE_ZH.fair)

    assert {part.name: part.max_score for part in result.parts} == RUBRIC
    assert sum(RUBRIC.values()) == 100
    assert result.score == sum(part.score for part in result.parts)
    assert all(0 <= part.score <= part.max_score for part in result.parts)


def test_the_same_answer_gets_the_same_grade() -> None:
    assert grade(FALLS_EN, FALLS_EN.fair) == grade(FALLS_EN, FALLS_EN.fair)


# STAR structure


@pytest.mark.parametrize("answer", [DISAGREEMENT_ZH.good, DISAGREEMENT_EN.good])
def test_a_star_story_has_all_four_parts(answer: str) -> None:
    assert star_parts(answer) == ["situation", "task", "action", "result"]


def test_a_definition_is_not_a_story() -> None:
    assert star_parts("B+ 树层级低，叶子节点有序相连。") == []


def test_a_story_without_its_result_is_told_so() -> None:
    answer = DISAGREEMENT_ZH.good.split("最终")[0]

    result = grade(DISAGREEMENT_ZH, answer)

    assert "result" not in result.star_parts and {"situation", "action"} <= set(result.star_parts)
    assert "STAR" in result.feedback and "结果（最好有数据）" in result.feedback


def test_telling_the_story_in_star_order_scores_higher_than_summing_it_up() -> None:
    story = grade(DISAGREEMENT_EN, DISAGREEMENT_EN.good)
    summary = grade(DISAGREEMENT_EN, DISAGREEMENT_EN.fair)

    expression = {
        result.verdict: next(p.score for p in result.parts if p.name == "expression")
        for result in (story, summary)
    }
    assert expression["good"] > expression["fair"]


# Feedback


def test_feedback_names_what_was_covered_and_what_to_add_in_chinese() -> None:
    result = grade(MYSQL_ZH, MYSQL_ZH.fair)

    assert result.missed_points and result.covered_points
    assert all(point in result.feedback for point in result.missed_points + result.covered_points)
    assert "还可以补充" in result.feedback and "内置引擎" in result.feedback
    assert result.grader == "engine" and result.language == "zh"


def test_feedback_follows_the_requested_language() -> None:
    asked = question("backend-mysql-index", "en")

    result = grade_answer(asked, MYSQL_EN.fair, "en")

    assert result.feedback.startswith("What worked:") and "built-in engine" in result.feedback
    assert all(point in result.feedback for point in result.missed_points)


def test_a_zero_grade_says_why_and_gives_the_reference_points() -> None:
    result = grade(FALLS_ZH, "不知道")

    assert result.feedback.startswith("回答是“不知道”")
    assert all(point in result.feedback for point in result.reference_points)


def test_a_short_technical_answer_is_told_to_explain_and_expand() -> None:
    result = grade(EVENT_LOOP_EN, EVENT_LOOP_EN.fair)

    assert "Explain why" in result.feedback and "short" in result.feedback


# Follow-up questions


@pytest.mark.parametrize("candidates", CANDIDATES, ids=lambda c: f"{c.question_id}-{c.language}")
def test_a_weak_answer_gets_a_follow_up_on_what_it_missed_and_a_good_one_none(candidates: Candidates) -> None:
    asked = question(candidates.question_id, candidates.language)
    weak = grade_answer(asked, candidates.weak, candidates.language)

    probe = follow_up(asked, weak, candidates.language)

    assert (
        follow_up(asked, grade_answer(asked, candidates.good, candidates.language), candidates.language)
        is None
    )
    assert probe is not None and probe.source == "follow_up"
    assert probe.id == f"{asked.id}~follow_up" and probe.type == asked.type and probe.area == asked.area
    assert probe.key_points == weak.missed_points[:3]
    assert weak.missed_points[0] in probe.text


def test_the_follow_up_names_what_was_said_and_what_was_not() -> None:
    asked = question("backend-mysql-index", "zh")
    weak = grade_answer(asked, MYSQL_ZH.weak, "zh")

    probe = follow_up(asked, weak, "zh")

    assert probe is not None
    assert probe.text.startswith(f"你提到了“{weak.covered_points[0]}”，但没有说明“{weak.missed_points[0]}”")


def test_a_vague_english_answer_is_asked_for_an_example() -> None:
    asked = question("sales-too-expensive", "en")

    probe = follow_up(asked, grade_answer(asked, PRICE_EN.weak, "en"), "en")

    assert probe is not None and probe.text.startswith("Your answer stayed general")


def test_after_i_dont_know_the_follow_up_is_an_easier_restart() -> None:
    asked = question("backend-mysql-index", "zh")

    probe = follow_up(asked, grade_answer(asked, "不知道", "zh"), "zh")

    assert probe is not None and probe.text.startswith("没关系")
    assert probe.difficulty == asked.difficulty - 1 and probe.key_points == asked.key_points[:3]


def test_after_an_off_topic_answer_the_follow_up_brings_it_back() -> None:
    asked = question("nursing-falls", "en")

    probe = follow_up(asked, grade_answer(asked, OFF_TOPIC["en"], "en"), "en")

    assert probe is not None and probe.text.startswith("Let's come back to the question")


def test_a_fair_answer_needs_no_follow_up() -> None:
    asked = question("finance-statements", "zh")
    fair = grade_answer(asked, STATEMENTS_ZH.fair, "zh")

    assert fair.verdict == "fair" and follow_up(asked, fair, "zh") is None
