"""`jobfirst-ai usage`: the usage report of the configured database as tables and a daily cost chart."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jobfirst_ai.cli.main import app
from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.session import create_engine, create_session_factory
from jobfirst_ai.db.usage import insert_calls
from jobfirst_ai.features.usage.recorder import as_row
from tests.features.test_usage_recorder import call

runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))


async def _store_calls(url: str) -> None:
    database = create_engine(url)
    try:
        await upgrade_database(database)
        now = datetime.now(UTC)
        calls = [call("tag-a", at=now), call("tag-b", at=now, feature="interview", cost_usd=Decimal("0.25"))]
        await insert_calls(create_session_factory(database), [as_row(item) for item in calls])
    finally:
        await database.dispose()


def test_usage_prints_totals_groups_and_a_daily_cost_chart(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    asyncio.run(_store_calls(f"sqlite+aiosqlite:///{tmp_path / 'data' / 'jobfirst_ai.db'}"))

    result = runner.invoke(app, ["usage", "--period", "month"], env={"COLUMNS": "120"})

    assert result.exit_code == 0, result.output
    for expected in (
        "requests",
        "2 (0 failed, 0 cache hits)",
        "by feature",
        "interview",
        "tag-b",
        "daily cost",
    ):
        assert expected in result.stdout, expected
    assert "█" * 30 in result.stdout


def test_usage_as_json_is_the_api_report() -> None:
    result = runner.invoke(app, ["usage", "--json"])

    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert (body["period"], body["scope"], body["requests"], body["by_user"]) == ("day", "all", 0, [])


def test_an_unknown_period_exits_2() -> None:
    result = runner.invoke(app, ["usage", "--period", "year"])

    assert result.exit_code == 2
