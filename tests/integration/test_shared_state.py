"""Two real service processes on one PostgreSQL and Redis share what a user would notice if they did not:
the response cache, the budget, chat sessions and the job postings index. (Tasks: test_scale_out.py; rate
limits: tests/api/test_rate_limits.py; Redis and PostgreSQL outages: test_dependency_failures.py.)"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from jobfirst_ai.llm.standin import ThreadedStandin
from tests.support.api import FIXTURES, SECRET, bearer, make_token
from tests.support.cluster import Instance, private_database, query, start_cluster, stop_cluster
from tests.support.redis import REDIS_URL
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

database = pytest.fixture(private_database)

CHAT = "/api/v1/ai/chat"
ANALYZE = "/api/v1/ai/resume/analyze"
ALICE = bearer(make_token("alice"))
ADMIN = bearer(make_token("root", roles=["admin"]))
POSTINGS = [json.loads(line) for line in (FIXTURES / "jobs.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def make_pair(
    tmp_path: Path, database: str, redis_prefix: str, standin: ThreadedStandin
) -> Iterator[Callable[..., list[Instance]]]:
    """Starts two instances on the shared database and Redis (extra settings as keyword arguments)."""
    started: list[Instance] = []

    def start(**extra: str) -> list[Instance]:
        env = {
            "DATABASE_URL": database,
            "REDIS_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": redis_prefix,
            "EXTERNAL_AI_PROVIDER": "deepseek",
            "EXTERNAL_AI_API_KEY": "sk-test-key-for-the-standin",
            "EXTERNAL_AI_BASE_URL": standin.url,
            "JWT_SECRET": SECRET,
            "MATCH_SYNC_SECONDS": "0.2",
            "LOG_LEVEL": "WARNING",
            **extra,
        }
        started.extend(start_cluster(2, env, tmp_path))
        return started

    yield start
    stop_cluster(started)


def _post(url: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = httpx.post(url, json=body, headers=headers, timeout=30)
    assert response.status_code in (200, 201), response.text
    result: dict[str, Any] = response.json()
    return result


def _model_calls(standin: ThreadedStandin) -> int:
    return sum(1 for request in standin.requests() if request.path.endswith("/chat/completions"))


def test_an_answer_cached_by_one_instance_is_served_by_the_other(
    make_pair: Callable[..., list[Instance]], standin: ThreadedStandin
) -> None:
    first, second = make_pair()
    message = "Could you help me write a cover letter opening for a data analyst role?"

    one = _post(first.url + CHAT, ALICE, message=message)
    calls = _model_calls(standin)
    two = _post(second.url + CHAT, ALICE, message=message)

    assert one["source"] == "model" and two["reply"] == one["reply"]
    assert _model_calls(standin) == calls == 1  # the second instance answered from the shared cache


def test_a_chat_session_continues_on_the_other_instance_with_its_history(
    make_pair: Callable[..., list[Instance]], standin: ThreadedStandin
) -> None:
    first, second = make_pair()
    opened = _post(first.url + CHAT, ALICE, message="帮我写一段求职信的开头，我想申请数据分析师。")

    _post(second.url + CHAT, ALICE, message="能再简短一些吗？", session_id=opened["session_id"])

    messages = standin.requests()[-1].body["messages"]  # type: ignore[index]
    assert [message["role"] for message in messages] == ["system", "user", "assistant", "user"]
    assert messages[2]["content"] == opened["reply"]


def test_the_budget_is_one_budget_across_instances(
    make_pair: Callable[..., list[Instance]], standin: ThreadedStandin, database: str
) -> None:
    pair = make_pair(MAX_MONTHLY_TOKENS="12000", AI_CACHE_TTL_SECONDS="0")
    resume = (FIXTURES / "resume_en_software.md").read_text(encoding="utf-8")
    results = [
        _post(pair[index % 2].url + ANALYZE + "?refresh=true", ALICE, content=resume) for index in range(16)
    ]

    answered = sum(1 for result in results if not result["degraded"])
    refused = [result for result in results if result["degraded"]]
    time.sleep(1.5)  # the usage writer flushes once a second
    [spent] = query(database, "SELECT sum(prompt_tokens + completion_tokens) AS n FROM model_calls")
    assert answered >= 2 and refused  # some answered by the model, then the shared limit stopped both
    assert all(result["degraded_reason"].startswith("budget_exceeded") for result in refused)
    assert _model_calls(standin) == answered
    assert spent["n"] <= 12_000  # one limit for both: two separate ones could have spent 24,000


def test_a_posting_added_on_one_instance_is_matched_on_the_other(
    make_pair: Callable[..., list[Instance]],
) -> None:
    first, second = make_pair()
    _post(first.url + "/api/v1/ai/jobs", ADMIN, items=POSTINGS)
    time.sleep(0.5)  # MATCH_SYNC_SECONDS=0.2: the other instance's index catches up

    nurse = (FIXTURES / "resume_en_nurse.txt").read_text(encoding="utf-8")
    body = _post(second.url + "/api/v1/ai/job-match", ALICE, content=nurse, top_k=3)

    assert body["results"][0]["job"]["id"] == "en-nurse"
