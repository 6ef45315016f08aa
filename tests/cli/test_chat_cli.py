"""`jobfirst-ai chat`: a REPL with streamed replies, sessions in the local database, no server."""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobfirst_ai.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))


def test_the_repl_answers_faq_questions_in_both_languages_until_quit() -> None:
    lines = "简历支持哪些文件格式？\n/new\nHow is the match score calculated?\n/quit\nnever read\n"

    result = runner.invoke(app, ["chat"], input=lines)

    assert result.exit_code == 0, result.output
    assert "支持 PDF" in result.stdout
    assert "The match score (0–100)" in result.stdout
    assert "(新会话 / new session)" in result.stdout


def test_a_session_can_be_continued_and_an_unknown_one_is_refused(tmp_path: Path) -> None:
    runner.invoke(app, ["chat"], input="你能帮我做什么？\n")
    with closing(sqlite3.connect(tmp_path / "data" / "jobfirst_ai.db")) as database:
        (session_id,) = database.execute("SELECT id FROM chat_sessions").fetchone()

    continued = runner.invoke(app, ["chat", "--session", session_id], input="/quit\n")
    unknown = runner.invoke(app, ["chat", "--session", "no-such-session"], input="/quit\n")

    assert continued.exit_code == 0, continued.output
    assert re.search(r"Continuing “你能帮我做什么？” \(2 messages\)", continued.stdout)
    assert unknown.exit_code == 1
