"""`jobfirst-ai interview`: a mock interview in the terminal with no server, answers read from stdin."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobfirst_ai.cli.main import app
from jobfirst_ai.engine.analyze import read_findings
from jobfirst_ai.engine.questions import pick_questions
from jobfirst_ai.engine.skills import load_skill_dictionary
from tests.support.api import FIXTURES
from tests.support.interview import good_answer

runner = CliRunner()
RESUME_ZH = FIXTURES / "resume_zh_software.md"
RESUME_EN = FIXTURES / "resume_en_nurse.txt"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))


def _first_question_answer() -> str:
    """A good two-line answer to the first question the engine asks the Chinese resume."""
    dictionary = load_skill_dictionary()
    findings = read_findings(RESUME_ZH.read_text(encoding="utf-8"), dictionary, date.today())
    first = pick_questions(findings, None, count=2, language="zh", dictionary=dictionary)[0]
    return good_answer(first.key_points, first.type, "zh").replace("。", "。\n", 1)


def test_a_mock_interview_grades_each_answer_follows_up_and_ends_with_a_report() -> None:
    answers = f"{_first_question_answer()}\n\n不知道\n\n不知道\n\n"

    result = runner.invoke(app, ["interview", str(RESUME_ZH), "--count", "2"], input=answers)

    assert result.exit_code == 0, result.output
    output = result.stdout
    assert "问题 1: " in output and "追问 3: " in output
    assert "good;" in output and output.count("dont_know;") == 2
    assert "== 面试报告 ==" in output and "共回答 3 题" in output and "需要练习:" in output
    assert (Path("data") / "jobfirst_ai.db").exists()


def test_the_end_of_input_finishes_the_interview_early_with_a_report() -> None:
    result = runner.invoke(
        app,
        [
            "interview",
            str(RESUME_EN),
            "--count",
            "3",
            "--job",
            "ICU Nurse\nRequirements: BLS, ACLS, 2+ years",
        ],
        input="I don't know\n",
    )

    assert result.exit_code == 0, result.output
    assert "Question 1: " in result.stdout and "Follow-up 2: " in result.stdout
    assert "== Interview report ==" in result.stdout and "3 questions unanswered" in result.stdout


def test_a_job_description_file_and_the_language_are_used(tmp_path: Path) -> None:
    job = tmp_path / "job.txt"
    job.write_text("Data Analyst\nRequirements: SQL, Python and Tableau.", encoding="utf-8")

    result = runner.invoke(
        app, ["interview", str(RESUME_ZH), "--job", str(job), "--language", "en", "--count", "1"], input=""
    )

    assert result.exit_code == 0, result.output
    assert "Question 1: " in result.stdout and "No question was answered." in result.stdout


@pytest.mark.parametrize(
    ("arguments", "status", "message"),
    [
        (["--job-id", "no-such-job"], 1, "No job posting"),
        (["--language", "fr"], 2, "--language must be zh or en"),
        (["--job", "x", "--job-id", "y"], 2, "not both"),
    ],
    ids=["unknown-job", "bad-language", "two-jobs"],
)
def test_bad_arguments_fail_with_a_message(arguments: list[str], status: int, message: str) -> None:
    result = runner.invoke(app, ["interview", str(RESUME_EN), *arguments], input="")

    assert result.exit_code == status
    assert message in result.output
