"""The budget warning webhook: the event is POSTed as JSON in the background; a failing receiver is logged
and never fails the call that crossed the threshold."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from jobfirst_ai.features.usage.budgets import budget_webhook


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, object]]]]:
    received: list[dict[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/budget", received
    server.shutdown()
    server.server_close()


async def test_the_event_is_posted_as_json(receiver: tuple[str, list[dict[str, object]]]) -> None:
    url, received = receiver
    event: dict[str, object] = {"event": "budget_warning", "scope": "global", "period": "month", "ratio": 0.8}

    await budget_webhook(url)(event)  # returns at once; the POST runs in the background
    for _ in range(100):
        if received:
            break
        await asyncio.sleep(0.02)

    assert received == [event]


async def test_an_unreachable_receiver_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="jobfirst_ai.features.usage.budgets"):
        await budget_webhook("http://127.0.0.1:9/unreachable")({"event": "budget_warning"})
        for _ in range(100):
            if "budget webhook failed" in caplog.text:
                break
            await asyncio.sleep(0.02)

    assert "budget webhook failed" in caplog.text
