"""The stand-in served by uvicorn in a background thread on a free loopback port (tests, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable, Mapping
from types import TracebackType

import uvicorn
from pydantic import JsonValue

from jobfirst_ai.llm.standin.app import LOOPBACK, create_app
from jobfirst_ai.llm.standin.delivery import hide_scripted_drops
from jobfirst_ai.llm.standin.exchanges import Exchange
from jobfirst_ai.llm.standin.script import RecordedRequest, StandinConfig, StandinState, Step


def free_port(host: str = LOOPBACK) -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


class ThreadedStandin:
    """`with ThreadedStandin() as standin:` serves on `standin.url` and scripts it in-process."""

    def __init__(self, config: StandinConfig | None = None, *, startup_timeout: float = 10.0) -> None:
        self.state = StandinState(config)
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self._startup_timeout = startup_timeout
        uvicorn_config = uvicorn.Config(
            create_app(self.state),
            host=LOOPBACK,
            port=self.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(uvicorn_config)
        self._thread = threading.Thread(target=self._server.run, name="standin", daemon=True)

    def start(self) -> ThreadedStandin:
        """Start serving; returns once the port accepts connections."""
        hide_scripted_drops()
        self._thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the stand-in server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Ask the server to exit and wait for its thread (open streams are cut after a second)."""
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> ThreadedStandin:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()

    def script(self, steps: Iterable[Step | Mapping[str, JsonValue]]) -> int:
        """Queue steps; returns how many are pending."""
        return self.state.script(steps)

    def requests(self) -> list[RecordedRequest]:
        """The chat and vendor requests received so far."""
        return self.state.requests()

    def exchanges(self) -> list[Exchange]:
        """How each response ended: completed, disconnected by the caller, or aborted."""
        return self.state.exchanges()

    def reset(self) -> None:
        """Forget steps, requests and cache; settings back to their start values."""
        self.state.reset()

    def configure(self, **changes: object) -> StandinConfig:
        """Change server settings (e.g. `reject_retired_models=False`)."""
        return self.state.configure(**changes)
