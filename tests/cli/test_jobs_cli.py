"""`jobfirst-ai jobs import` and `jobfirst-ai match`: postings and matching with no server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobfirst_ai.cli.main import app
from tests.support.api import FIXTURES

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))


def test_match_against_a_file_needs_no_server_or_database() -> None:
    resume, jobs = FIXTURES / "resume_en_nurse.txt", FIXTURES / "jobs.jsonl"

    result = runner.invoke(app, ["match", str(resume), "--jobs", str(jobs), "--top", "3", "--json"])

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["results"][0]["job"]["id"] == "en-nurse"
    assert len(body["results"]) == 3
    assert not (Path("data") / "jobfirst_ai.db").exists()


def test_imported_postings_are_matched_from_the_database() -> None:
    imported = runner.invoke(app, ["jobs", "import", str(FIXTURES / "jobs.jsonl")])
    assert imported.exit_code == 0, imported.output
    assert "13 imported, 0 rejected" in imported.output

    result = runner.invoke(app, ["match", str(FIXTURES / "resume_zh_software.md"), "--top", "2"])

    assert result.exit_code == 0, result.output
    assert "Java后端开发工程师" in result.stdout
    assert "zh-backend-java" in result.stdout


def test_an_import_with_bad_rows_lists_them_and_exits_1() -> None:
    result = runner.invoke(app, ["jobs", "import", str(FIXTURES / "jobs_bad.csv")])

    assert result.exit_code == 1
    assert "2 imported, 3 rejected" in result.output
    assert "row 4 (csv-bad-salary)" in result.output


def test_a_strict_import_with_bad_rows_stores_nothing() -> None:
    result = runner.invoke(app, ["jobs", "import", "--strict", str(FIXTURES / "jobs_bad.csv")])

    assert result.exit_code == 1
    assert "0 imported, 3 rejected (nothing stored)" in result.output


def test_an_unknown_import_format_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "jobs.xlsx"
    path.write_bytes(b"PK")

    result = runner.invoke(app, ["jobs", "import", str(path)])

    assert result.exit_code == 2
