"""A database outage is 503 `database_unavailable` with Retry-After, never 500; other database errors and
other socket errors stay 500. Also which errors count as an outage, and the bounded start-up wait."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import exc
from sqlalchemy.engine import make_url

from jobfirst_ai.api.errors import install_error_handlers
from jobfirst_ai.db.session import create_engine, is_database_unavailable, wait_for_database
from jobfirst_ai.errors import DatabaseUnavailable
from tests.support.server import free_port


class _PostgresError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _dbapi(cls: type[exc.DBAPIError], orig: BaseException, *, invalidated: bool = False) -> exc.DBAPIError:
    return cls("SELECT 1", {}, orig, connection_invalidated=invalidated)


def _refused_in_sqlalchemy() -> OSError:
    """An OSError whose traceback runs through SQLAlchemy, as asyncpg's socket errors arrive."""
    from sqlalchemy.util import langhelpers

    try:
        with langhelpers.safe_reraise():
            raise ConnectionRefusedError("connect call failed")
    except OSError as error:
        return error
    raise AssertionError("unreachable")


OUTAGES = {
    "operational": _dbapi(exc.OperationalError, Exception("server closed the connection")),
    "interface": _dbapi(exc.InterfaceError, Exception("connection is closed")),
    "invalidated": _dbapi(exc.DBAPIError, Exception("closed mid-operation"), invalidated=True),
    "admin shutdown": _dbapi(exc.DBAPIError, _PostgresError("57P01")),
    "too many connections": _dbapi(exc.DBAPIError, _PostgresError("53300")),
    "pool timeout": exc.TimeoutError("QueuePool limit reached"),
    "socket error in the driver": _refused_in_sqlalchemy(),
}
NOT_OUTAGES = {
    "unique violation": _dbapi(exc.IntegrityError, _PostgresError("23505")),
    "syntax error": _dbapi(exc.ProgrammingError, _PostgresError("42601")),
    "query cancelled": _dbapi(exc.DBAPIError, _PostgresError("57014")),
    "socket error elsewhere": ConnectionRefusedError("not from the database"),
}


@pytest.mark.parametrize("error", OUTAGES.values(), ids=OUTAGES.keys())
def test_an_outage_is_recognised(error: BaseException) -> None:
    assert is_database_unavailable(error)


@pytest.mark.parametrize("error", NOT_OUTAGES.values(), ids=NOT_OUTAGES.keys())
def test_a_wrong_statement_or_foreign_socket_error_is_not_an_outage(error: BaseException) -> None:
    assert not is_database_unavailable(error)


def _client_raising(error: BaseException) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise error

    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize("error", OUTAGES.values(), ids=OUTAGES.keys())
def test_an_outage_answers_503_with_retry_after_and_a_bilingual_message(error: BaseException) -> None:
    response = _client_raising(error).get("/boom")

    body = response.json()["error"]
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert body["code"] == "database_unavailable"
    assert "数据库暂时不可用" in body["message"] and "temporarily unavailable" in body["message"]


@pytest.mark.parametrize("error", NOT_OUTAGES.values(), ids=NOT_OUTAGES.keys())
def test_other_database_and_socket_errors_stay_internal_errors(error: BaseException) -> None:
    response = _client_raising(error).get("/boom")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
    assert "Retry-After" not in response.headers


async def test_the_start_up_wait_gives_up_naming_host_and_port_never_the_password() -> None:
    port = free_port()  # nobody listens: every attempt is refused
    engine = create_engine(f"postgresql+asyncpg://jobfirst:pw-secret@127.0.0.1:{port}/jobfirst")
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseUnavailable) as raised:
            await wait_for_database(engine, 0.5, interval=0.1)
    finally:
        await engine.dispose()

    assert 0.3 <= time.monotonic() - started < 3
    assert f"127.0.0.1:{port}" in raised.value.message
    assert "DATABASE_STARTUP_WAIT_SECONDS" in raised.value.message
    assert "pw-secret" not in str(raised.value)


class _Engine:
    """Stands in for an AsyncEngine whose every connection attempt fails with `error`."""

    dialect = SimpleNamespace(name="postgresql")
    url = make_url("postgresql+asyncpg://jobfirst@db.internal:5432/jobfirst")

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.attempts = 0

    def connect(self) -> _Engine:
        self.attempts += 1
        return self

    async def __aenter__(self) -> None:
        raise self.error

    async def __aexit__(self, *_exc: object) -> None:
        return None


async def test_the_start_up_wait_does_not_retry_what_waiting_cannot_fix() -> None:
    engine = _Engine(NOT_OUTAGES["syntax error"])

    with pytest.raises(exc.ProgrammingError):
        await wait_for_database(engine, 30, interval=0.01)  # type: ignore[arg-type]

    assert engine.attempts == 1


async def test_the_start_up_wait_retries_an_outage_until_its_deadline() -> None:
    engine = _Engine(OUTAGES["operational"])

    with pytest.raises(DatabaseUnavailable, match=r"db\.internal:5432"):
        await wait_for_database(engine, 0.2, interval=0.05)  # type: ignore[arg-type]

    assert 3 <= engine.attempts <= 5
