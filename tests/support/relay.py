"""A TCP relay on a free loopback port that a test can cut and resume, to take a shared server "down"
(PostgreSQL, Redis) for one service without ever stopping the server itself.

`cut("refuse")` closes every open connection and closes new ones as soon as they arrive (a refused or
reset connection, fast); `cut("blackhole")` closes every open connection and accepts new ones but never
forwards a byte (the client waits until its own timeout). `resume()` forwards again. The relay runs its own
event loop in a daemon thread, so sync tests and subprocess services (which connect to `port`) can use it.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Literal

Mode = Literal["forward", "refuse", "blackhole"]

_CHUNK = 65536


class Relay:
    """Forwards 127.0.0.1:`port` to `target_host`:`target_port` until cut."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode: Mode = "forward"
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, name="relay", daemon=True)

    def start(self) -> Relay:
        """Listen on a free port (returns self, so `Relay(...).start()` reads well)."""
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(timeout=5)
        return self

    def cut(self, how: Literal["refuse", "blackhole"] = "refuse") -> None:
        """Close every open connection; new ones are refused or black-holed until `resume()`."""
        self._call(self._set_mode, how)

    def pause(self) -> None:
        """A black-hole cut: connections hang instead of failing fast (exercises timeouts)."""
        self.cut("blackhole")

    def resume(self) -> None:
        """Forward new connections again."""
        self._call(self._set_mode, "forward")

    def close(self) -> None:
        """Stop listening, drop every connection and end the thread."""
        self._call(self._shutdown)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _call(self, function: Callable[..., Awaitable[None] | None], *args: object) -> None:
        async def run() -> None:
            result = function(*args)
            if result is not None:
                await result

        asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=5)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    def _set_mode(self, mode: Mode) -> None:
        # Every change drops what is open: a cut ends live sessions, a resume ends black-holed ones.
        self.mode = mode
        self._drop_all()

    def _drop_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _shutdown(self) -> None:
        self._drop_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode == "refuse":
            writer.transport.abort()
            return
        self._writers.add(writer)
        if self.mode == "blackhole":
            return  # kept open (and tracked, so resume/close can drop it) but never answered
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            self._forget(writer)
            return
        self._writers.add(upstream_writer)
        await asyncio.gather(self._pipe(reader, upstream_writer), self._pipe(upstream_reader, writer))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, ConnectionError):
            while self.mode == "forward":
                data = await reader.read(_CHUNK)
                if not data:
                    break
                writer.write(data)
                await writer.drain()
        self._forget(writer)

    def _forget(self, writer: asyncio.StreamWriter) -> None:
        self._writers.discard(writer)
        writer.transport.abort()


@contextlib.contextmanager
def relay_to(host: str, port: int) -> Iterator[Relay]:
    """A started relay to host:port, closed afterwards."""
    relay = Relay(host, port).start()
    try:
        yield relay
    finally:
        relay.close()
