"""The real service in a subprocess on a free loopback port, for crash and CLI-level tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    """A port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ServiceProcess:
    """`python -m jobfirst_ai serve` with the given environment; `kill()` is SIGKILL, nothing graceful."""

    def __init__(self, env: dict[str, str], cwd: Path, python: str = sys.executable) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {**os.environ, **env, "AI_SERVICE_PORT": str(self.port)}
        self._cwd = cwd
        self._python = python
        self._process: subprocess.Popen[bytes] | None = None
        self._log = cwd / "service.log"

    def start(self, timeout: float = 30.0) -> None:
        """Start and wait until /ready answers 200."""
        with self._log.open("ab") as log:  # the child keeps its own copy of the handle
            self._process = subprocess.Popen(
                [self._python, "-m", "jobfirst_ai", "serve"],
                env=self._env,
                cwd=self._cwd,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"service exited: {self._stderr()}")
            try:
                if httpx.get(f"{self.url}/ready", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError("service did not become ready")

    @property
    def pid(self) -> int:
        """The service's process id."""
        assert self._process is not None
        return self._process.pid

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks run."""
        assert self._process is not None
        self._process.kill()
        self._process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait (graceful shutdown)."""
        if self._process and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=20)

    def _stderr(self) -> str:
        return self._log.read_text(errors="replace")[-2000:]
