"""The CLI: analyze with no server (same JSON as the API), readable reports, db upgrade, serve's refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobfirst_ai.cli.main import app
from jobfirst_ai.features.resume.schemas import AnalysisResult
from jobfirst_ai.llm.standin import ThreadedStandin
from tests.support.api import FIXTURES, SEED_KEYS
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))


def test_analyze_json_matches_the_api_schema() -> None:
    result = runner.invoke(app, ["analyze", str(FIXTURES / "resume_zh.pdf"), "--json"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert set(document) == set(AnalysisResult.model_fields)
    assert document.keys() >= SEED_KEYS
    assert document["language"] == "zh"
    assert "Java" in document["skills"]


def test_analyze_prints_a_readable_report_in_the_resume_language() -> None:
    result = runner.invoke(app, ["analyze", str(FIXTURES / "resume_zh_nurse.txt")])

    assert result.exit_code == 0, result.output
    assert "评分" in result.stdout
    assert "改进建议" in result.stdout


def test_analyze_many_files_reports_each_and_fails_on_a_bad_one() -> None:
    paths = [str(FIXTURES / name) for name in ("resume_en.docx", "scanned.pdf", "resume_en_sales.txt")]

    result = runner.invoke(app, ["analyze", *paths, "--json"])

    assert result.exit_code == 1
    documents = json.loads(result.stdout)
    assert [("error" in document) for document in documents] == [False, True, False]
    assert documents[1]["error"]["code"] == "scanned_document"
    assert documents[0]["result"]["language"] == "en"


def test_db_upgrade_creates_the_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "jobfirst_ai.db").exists()


def test_serve_refuses_an_open_bind_without_auth() -> None:
    result = runner.invoke(app, ["serve", "--host", "0.0.0.0"])

    assert result.exit_code == 2
    assert "JWT_SECRET" in result.output


def test_invalid_settings_stop_the_cli_with_the_variable_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AI_SERVICE_PORT", "not-a-port")

    result = runner.invoke(app, ["db", "upgrade"])

    assert result.exit_code == 2
    assert "AI_SERVICE_PORT" in result.output


def test_analyze_uses_the_configured_model_chain(
    monkeypatch: pytest.MonkeyPatch, standin: ThreadedStandin
) -> None:
    _point_at(monkeypatch, standin)
    paths = [str(FIXTURES / name) for name in ("resume_zh_nurse.txt", "resume_en_sales.txt")]

    result = runner.invoke(app, ["analyze", *paths, "--json"])

    assert result.exit_code == 0, result.output
    documents = json.loads(result.stdout)
    assert {document["result"]["engine"] for document in documents} == {"deepseek"}
    assert len([request for request in standin.requests() if request.path.endswith("/chat/completions")]) == 2


def test_analyze_records_its_model_calls_for_the_usage_report(
    monkeypatch: pytest.MonkeyPatch, standin: ThreadedStandin
) -> None:
    _point_at(monkeypatch, standin)
    paths = [str(FIXTURES / name) for name in ("resume_zh_nurse.txt", "resume_en_sales.txt")]
    assert runner.invoke(app, ["analyze", *paths, "--json"]).exit_code == 0

    result = runner.invoke(app, ["usage", "--json"])

    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [(group["key"], group["requests"]) for group in report["by_feature"]] == [("resume_analysis", 2)]
    assert report["tokens"]["total"] > 0
    assert report["budgets"] == []  # the day's report: MAX_MONTHLY_TOKENS is the only default limit
    table = runner.invoke(app, ["usage", "--period", "month"])
    assert "budgets" in table.stdout and "global month, tokens 1,000,000" in table.stdout


def test_analyze_past_the_budget_is_answered_by_the_engine(
    monkeypatch: pytest.MonkeyPatch, standin: ThreadedStandin
) -> None:
    _point_at(monkeypatch, standin)
    monkeypatch.setenv("MAX_MONTHLY_TOKENS", "100")

    result = runner.invoke(app, ["analyze", str(FIXTURES / "resume_en_sales.txt"), "--json"])

    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["engine"], document["degraded"]) == ("builtin", True)
    assert document["degraded_reason"].startswith("budget_exceeded")
    assert standin.requests() == []


def test_analyze_without_a_model_creates_no_database(tmp_path: Path) -> None:
    assert runner.invoke(app, ["analyze", str(FIXTURES / "resume_en_sales.txt")]).exit_code == 0
    assert not (tmp_path / "data").exists()


def test_check_probes_each_provider(monkeypatch: pytest.MonkeyPatch, standin: ThreadedStandin) -> None:
    _point_at(monkeypatch, standin)

    result = runner.invoke(app, ["check"])

    assert result.exit_code == 0, result.output
    assert "deepseek" in result.stdout
    assert "valid" in result.stdout
    assert "CNY" in result.stdout
    assert "sk-cli-test" not in result.stdout


def test_check_reports_a_rejected_key(monkeypatch: pytest.MonkeyPatch, standin: ThreadedStandin) -> None:
    _point_at(monkeypatch, standin)
    standin.script([{"error": "auth"}])

    result = runner.invoke(app, ["check"])

    assert result.exit_code == 1
    assert "rejected" in result.stdout


def _point_at(monkeypatch: pytest.MonkeyPatch, standin: ThreadedStandin) -> None:
    monkeypatch.setenv("EXTERNAL_AI_PROVIDER", "deepseek")
    monkeypatch.setenv("EXTERNAL_AI_API_KEY", "sk-cli-test")
    monkeypatch.setenv("EXTERNAL_AI_BASE_URL", standin.url)


def test_check_reports_the_database_and_redis_before_the_providers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.support.redis import REDIS_URL, require_redis

    require_redis()
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    monkeypatch.setenv("REDIS_URL", REDIS_URL)

    result = runner.invoke(app, ["check"])

    assert "jobfirst_ai.db: reachable" in result.stdout and "schema current" in result.stdout
    assert "Redis: reachable" in result.stdout
    assert "No model provider configured" in result.stdout


def test_check_fails_when_redis_is_unreachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6390/0")

    result = runner.invoke(app, ["check"])

    assert "Redis: unreachable" in result.stdout
