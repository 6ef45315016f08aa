"""Per-user rate limits over HTTP: 429 with Retry-After past RATE_LIMIT_USER_RPM, per user, POSTs only,
off by default; and, with Redis, one window shared by two service processes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
import redis
from fastapi.testclient import TestClient

from jobfirst_ai.features.resume.enrich import user_tag
from jobfirst_ai.llm.standin import ThreadedStandin
from tests.conftest import ClientFactory
from tests.support.api import SECRET, bearer, fixture_bytes, has_han, make_token
from tests.support.redis import REDIS_URL
from tests.support.server import ServiceProcess
from tests.support.standin import standin, standin_server

__all__ = ["standin", "standin_server"]

ANALYZE = "/api/v1/ai/resume/analyze"
RESUME_ZH = fixture_bytes("resume_zh_software.md").decode("utf-8")
RESUME_EN = fixture_bytes("resume_en_software.md").decode("utf-8")
ALICE, BOB = bearer(make_token("alice")), bearer(make_token("bob"))


def _assert_rate_limited(status: int, headers: httpx.Headers, body: dict[str, object], limit: int) -> None:
    assert status == 429, body
    retry_after = headers["Retry-After"]
    assert retry_after.isdigit() and 1 <= int(retry_after) <= 60
    error = body["error"]
    assert isinstance(error, dict)
    assert error["code"] == "rate_limited"
    message = str(error["message"])
    assert has_han(message) and "Too many requests" in message and f"at most {limit}" in message


def _post(client: TestClient, headers: dict[str, str], content: str) -> httpx.Response:
    response: httpx.Response = client.post(ANALYZE, json={"content": content}, headers=headers)
    return response


@pytest.mark.parametrize("content", [RESUME_ZH, RESUME_EN], ids=["zh", "en"])
def test_the_fourth_post_in_a_minute_gets_429_with_retry_after(
    make_client: ClientFactory, content: str
) -> None:
    client = make_client(jwt_secret=SECRET, rate_limit_user_rpm=3)

    statuses = [_post(client, ALICE, content).status_code for _ in range(3)]
    refused = _post(client, ALICE, content)

    assert statuses == [200, 200, 200]
    _assert_rate_limited(refused.status_code, refused.headers, refused.json(), 3)
    # still refused: a refused request does not count, but the window has not moved on
    again = _post(client, ALICE, content)
    assert again.status_code == 429 and int(again.headers["Retry-After"]) <= int(
        refused.headers["Retry-After"]
    )


def test_another_user_is_not_affected(make_client: ClientFactory) -> None:
    client = make_client(jwt_secret=SECRET, rate_limit_user_rpm=3)
    for _ in range(3):
        assert _post(client, ALICE, RESUME_ZH).status_code == 200
    assert _post(client, ALICE, RESUME_ZH).status_code == 429

    assert [_post(client, BOB, RESUME_EN).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_every_limited_router_counts_into_one_window(make_client: ClientFactory) -> None:
    client = make_client(jwt_secret=SECRET, rate_limit_user_rpm=3)
    assert _post(client, ALICE, RESUME_EN).status_code == 200
    chat = client.post("/api/v1/ai/chat", json={"message": "How do I write a resume summary?"}, headers=ALICE)
    assert chat.status_code == 200, chat.text
    assert (
        client.post("/api/v1/ai/resume/optimize", json={"content": RESUME_EN}, headers=ALICE).status_code
        == 200
    )

    refused = client.post("/api/v1/ai/chat", json={"message": "如何写简历摘要？"}, headers=ALICE)

    _assert_rate_limited(refused.status_code, refused.headers, refused.json(), 3)


def test_gets_are_not_limited(make_client: ClientFactory) -> None:
    client = make_client(jwt_secret=SECRET, rate_limit_user_rpm=1)
    assert _post(client, ALICE, RESUME_ZH).status_code == 200
    assert _post(client, ALICE, RESUME_ZH).status_code == 429

    for _ in range(5):
        assert client.get("/health").status_code == 200
        assert client.get("/api/v1/ai/usage", headers=ALICE).status_code == 200
        # a GET on a limited router (chat) is not counted either
        assert client.get("/api/v1/ai/chat/sessions", headers=ALICE).status_code == 200
    assert _post(client, ALICE, RESUME_ZH).status_code == 429


def test_limits_are_off_by_default(make_client: ClientFactory) -> None:
    client = make_client()
    statuses = [_post(client, {}, RESUME_ZH if i % 2 else RESUME_EN).status_code for i in range(10)]
    assert statuses == [200] * 10


def test_a_rejected_token_is_401_not_counted(make_client: ClientFactory) -> None:
    client = make_client(jwt_secret=SECRET, rate_limit_user_rpm=1)
    for _ in range(3):
        assert _post(client, bearer("not-a-token"), RESUME_EN).status_code == 401
    assert _post(client, ALICE, RESUME_EN).status_code == 200


# --- two service processes ---------------------------------------------------------------------------------

LIMIT = 4


def _start_pair(tmp_path: Path, stack: ExitStack, **extra: str) -> tuple[str, str]:
    """Two service processes sharing one SQLite database (and, given REDIS_URL, one Redis)."""
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}",
        "RATE_LIMIT_USER_RPM": str(LIMIT),
        "JWT_SECRET": SECRET,
        "LOG_LEVEL": "WARNING",
        "EXTERNAL_AI_PROVIDER": "builtin",
        **extra,
    }
    urls = []
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        process = ServiceProcess({**env, "DATA_DIR": str(folder)}, folder)
        stack.callback(process.stop)
        process.start()  # one after the other: the first applies the migrations
        urls.append(process.url)
    return urls[0], urls[1]


@pytest.fixture
def pair_on_redis(tmp_path: Path, redis_prefix: str) -> Iterator[tuple[str, str]]:
    with ExitStack() as stack:
        yield _start_pair(tmp_path, stack, REDIS_URL=REDIS_URL, REDIS_KEY_PREFIX=redis_prefix)


@pytest.fixture
def pair_alone(tmp_path: Path) -> Iterator[tuple[str, str]]:
    with ExitStack() as stack:
        yield _start_pair(tmp_path, stack)


def _alternate(urls: tuple[str, str], count: int, headers: dict[str, str]) -> list[httpx.Response]:
    with httpx.Client(timeout=20) as client:
        return [
            client.post(urls[index % 2] + ANALYZE, json={"content": RESUME_ZH}, headers=headers)
            for index in range(count)
        ]


@pytest.mark.slow
def test_two_processes_on_one_redis_share_the_window(
    pair_on_redis: tuple[str, str], redis_prefix: str
) -> None:
    responses = _alternate(pair_on_redis, LIMIT + 2, ALICE)

    assert [response.status_code for response in responses] == [200] * LIMIT + [429, 429]
    for refused in responses[LIMIT:]:  # refused on either process
        _assert_rate_limited(refused.status_code, refused.headers, refused.json(), LIMIT)
    # the other user still has a whole window, on both processes
    assert [response.status_code for response in _alternate(pair_on_redis, 2, BOB)] == [200, 200]
    # and the window is the one in Redis, under the configured prefix
    with redis.Redis.from_url(REDIS_URL) as client:
        assert client.zcard(f"{redis_prefix}rate:{user_tag('alice')}") == LIMIT
        assert client.zcard(f"{redis_prefix}rate:{user_tag('bob')}") == 2


@pytest.mark.slow
def test_without_redis_each_process_counts_alone(pair_alone: tuple[str, str]) -> None:
    responses = _alternate(pair_alone, 2 * LIMIT + 2, ALICE)

    statuses = [response.status_code for response in responses]
    assert statuses == [200] * (2 * LIMIT) + [429, 429]  # LIMIT on each: the documented in-process fallback
    for refused in responses[2 * LIMIT :]:
        _assert_rate_limited(refused.status_code, refused.headers, refused.json(), LIMIT)


# --- tokens per day, wired from settings (model calls against the stand-in) ---------------------------------


def test_tokens_per_day_refuses_a_user_whose_model_calls_used_the_day(
    make_client: ClientFactory, standin: ThreadedStandin
) -> None:
    client = make_client(
        jwt_secret=SECRET,
        rate_limit_user_tokens_per_day=50,
        external_ai_provider="deepseek",
        external_ai_api_key="sk-test-key-for-the-standin",
        external_ai_base_url=standin.url,
        ai_timeout_seconds=5,
    )
    first = client.post(ANALYZE, json={"content": RESUME_EN}, headers=ALICE)
    assert first.status_code == 200, first.text
    assert first.json()["engine"] == "deepseek"  # a model call: more than 50 tokens

    refused = client.post(ANALYZE, json={"content": RESUME_ZH}, headers=ALICE)

    assert refused.status_code == 429, refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 86_400
    error = refused.json()["error"]
    assert error["code"] == "token_limit_reached"
    assert has_han(error["message"]) and "tokens" in error["message"] and "tomorrow" in error["message"]
    assert client.post(ANALYZE, json={"content": RESUME_ZH}, headers=BOB).status_code == 200
