"""The providers' network transport (aiohttp under httpx) over real loopback sockets: what each way a
connection can fail becomes — a refused or dropped connection is "unavailable" (retried), never a timeout,
and only a real wait past the deadline is a final timeout."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from jobfirst_ai.errors import ProviderTimeout, ProviderUnavailable
from jobfirst_ai.llm.providers.http import HttpChannel, HttpLimits

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _serve(handler: Handler) -> AsyncIterator[str]:
    """A loopback server running `handler` per connection; every connection closed at the end."""
    tasks: set[asyncio.Task[None]] = set()

    async def tracked(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        tasks.add(task)
        try:
            await handler(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(tracked, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()


async def _read_request(reader: asyncio.StreamReader) -> None:
    await reader.readuntil(b"\r\n\r\n")


def _channel(base_url: str, *, total: float = 30.0) -> HttpChannel:
    return HttpChannel(
        provider="deepseek", base_url=base_url, api_key=None, limits=HttpLimits(total_timeout=total)
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_a_body_is_read_over_the_network_transport() -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        body = '{"ok": "好"}'.encode()
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\n")
        writer.write(b"content-length: %d\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()

    async for url in _serve(answer):
        channel = _channel(url)
        try:
            text = await channel.request_text("POST", "/x", deadline=time.monotonic() + 5, body={})
        finally:
            await channel.aclose()
        assert text == '{"ok": "好"}'


async def test_a_refused_connection_is_unavailable_not_a_timeout() -> None:
    channel = _channel(f"http://127.0.0.1:{_closed_port()}")
    try:
        with pytest.raises(ProviderUnavailable) as failure:
            await channel.request_text("POST", "/chat/completions", deadline=time.monotonic() + 5, body={})
    finally:
        await channel.aclose()
    assert not isinstance(failure.value, ProviderTimeout)
    assert "ConnectError" in failure.value.message and "timed out" not in failure.value.message


async def test_a_connection_dropped_mid_body_is_unavailable() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b'HTTP/1.1 200 OK\r\ncontent-length: 500\r\n\r\n{"choices": [')
        await writer.drain()
        writer.close()

    async for url in _serve(cut):
        channel = _channel(url)
        try:
            with pytest.raises(ProviderUnavailable) as failure:
                await channel.request_text("POST", "/x", deadline=time.monotonic() + 5, body={})
        finally:
            await channel.aclose()
    assert not isinstance(failure.value, ProviderTimeout)
    assert "ReadError" in failure.value.message


async def test_a_dropped_stream_is_unavailable() -> None:
    async def cut(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n")
        writer.write(b"transfer-encoding: chunked\r\n\r\n")
        writer.write(b'10\r\ndata: {"a": 1}\n\n\r\n')
        await writer.drain()
        writer.close()

    async for url in _serve(cut):
        channel = _channel(url)
        lines: list[str] = []
        try:
            with pytest.raises(ProviderUnavailable) as failure:
                async for line in channel.stream_lines("/x", {}, deadline=time.monotonic() + 5):
                    lines.append(line)
        finally:
            await channel.aclose()
    assert lines[:1] == ['data: {"a": 1}']
    assert not isinstance(failure.value, ProviderTimeout)


async def test_silence_past_the_timeout_is_unavailable_and_past_the_deadline_final() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        await asyncio.sleep(5)
        writer.close()

    async for url in _serve(silent):
        # The configured total timeout (0.3 s) ends it before a far deadline: a fault that may pass.
        channel = _channel(url, total=0.3)
        try:
            with pytest.raises(ProviderUnavailable) as failure:
                await channel.request_text("POST", "/x", deadline=time.monotonic() + 20, body={})
            assert not isinstance(failure.value, ProviderTimeout)
            assert "timed out" in failure.value.message
            # The deadline ends it: final.
            started = time.monotonic()
            with pytest.raises(ProviderTimeout):
                await channel.request_text("POST", "/x", deadline=time.monotonic() + 0.3, body={})
            assert time.monotonic() - started < 2.0
        finally:
            await channel.aclose()


def test_the_environment_proxy_is_read_once_for_the_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    from jobfirst_ai.llm.providers.http import environment_proxy

    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1,.internal")
    proxy = environment_proxy("https://api.deepseek.com")
    assert proxy is not None and str(proxy.url) == "http://proxy.example:3128"
    assert environment_proxy("http://127.0.0.1:11434") is None
    assert environment_proxy("https://ollama.internal") is None
    assert environment_proxy("http://vllm.example") is None  # only HTTPS_PROXY is set
