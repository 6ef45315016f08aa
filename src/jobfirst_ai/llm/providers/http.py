"""Pooled vendor HTTP clients: limits, deadline-bound timeouts, the no-network switch and error mapping."""

from __future__ import annotations

import asyncio
import email.utils
import json
import os
import re
import time
import urllib.parse
import urllib.request
from collections.abc import AsyncGenerator, AsyncIterator, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport
from pydantic import BaseModel, SecretStr, ValidationError

from jobfirst_ai.config import is_loopback
from jobfirst_ai.errors import (
    InsufficientBalance,
    NetworkDisabled,
    ProviderAuthError,
    ProviderBadRequest,
    ProviderError,
    ProviderTimeout,
    ProviderUnavailable,
    RateLimited,
)

NETWORK_SWITCH = "JOBFIRST_NETWORK"
MESSAGE_LIMIT = 300
JsonObject = dict[str, object]
ModelT = TypeVar("ModelT", bound=BaseModel)

# Status → error class; 5xx is ProviderUnavailable and any other 4xx ProviderBadRequest (see error_class).
STATUS_ERRORS: Mapping[int, type[ProviderError]] = {
    400: ProviderBadRequest,
    401: ProviderAuthError,
    402: InsufficientBalance,
    403: ProviderAuthError,
    404: ProviderBadRequest,
    408: ProviderUnavailable,
    409: ProviderUnavailable,
    422: ProviderBadRequest,
    429: RateLimited,
}
# OpenAI answers 429 for an exhausted quota too; waiting does not help, so it is a balance problem.
QUOTA_CODES = frozenset({"insufficient_quota"})
_SECRET_PATTERN = re.compile(r"\bsk-[\w\-*.]{4,}|\bAIza[\w\-]{20,}|(?i:bearer)\s+\S+")
_SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


@dataclass(frozen=True)
class HttpLimits:
    """Pool size and timeouts of one provider's client (defaults from the seed)."""

    max_connections: int = 100
    max_connections_per_host: int = 30
    connect_timeout: float = 5.0
    total_timeout: float = 30.0


@dataclass(frozen=True)
class VendorError:
    """What a vendor's error body says, whatever its shape."""

    message: str
    codes: frozenset[str] = field(default_factory=frozenset)
    retry_after: float | None = None


class NetworkGuard(httpx.AsyncBaseTransport):
    """Refuses non-loopback hosts while JOBFIRST_NETWORK=off (read per request), and gives aiohttp's
    failures their plain httpx meaning (see `_plain_error`)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self._inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if os.environ.get(NETWORK_SWITCH, "").strip().lower() == "off" and not is_loopback(host):
            raise NetworkDisabled(f"{NETWORK_SWITCH}=off refuses a request to {host}")
        try:
            response = await self._inner.handle_async_request(request)
        except (httpx.TransportError, aiohttp.ClientError) as exc:
            raise _plain_error(exc, request) from exc
        response.stream = _GuardedStream(response.stream, request)
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class _GuardedStream(httpx.AsyncByteStream):
    """A response body whose read failures mean what they say (a dropped connection, not a timeout)."""

    def __init__(self, inner: httpx.SyncByteStream | httpx.AsyncByteStream, request: httpx.Request) -> None:
        assert isinstance(inner, httpx.AsyncByteStream)
        self._inner = inner
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._inner:
                yield chunk
        except (httpx.TransportError, aiohttp.ClientError) as exc:
            raise _plain_error(exc, self._request) from exc

    async def aclose(self) -> None:
        await self._inner.aclose()


def _plain_error(exc: Exception, request: httpx.Request) -> Exception:
    """httpx-aiohttp reports every dropped or refused connection as `ConnectTimeout` (its map sends
    aiohttp's ClientConnectionError there), which would read as a timeout; only aiohttp's timeouts are
    timeouts here, and an aiohttp error it left unmapped becomes a protocol error instead of escaping."""
    cause = exc.__cause__ if isinstance(exc, httpx.TransportError) else exc
    if not isinstance(cause, aiohttp.ClientError):
        return exc
    message = str(cause) or type(cause).__name__
    if isinstance(cause, aiohttp.ServerTimeoutError):
        if isinstance(cause, aiohttp.ConnectionTimeoutError):
            return httpx.ConnectTimeout(message, request=request)
        return httpx.ReadTimeout(message, request=request)
    if isinstance(cause, aiohttp.ClientConnectorError):
        return httpx.ConnectError(message, request=request)
    if isinstance(cause, aiohttp.ClientConnectionError | aiohttp.ClientPayloadError):
        return httpx.ReadError(message, request=request)
    return httpx.RemoteProtocolError(message, request=request)


def create_transport(
    base_url: str, limits: HttpLimits, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncBaseTransport:
    """One pooled transport. An injected one (tests, MockTransport) replaces the guarded network one.

    The network transport is aiohttp's (httpx-aiohttp): through httpx's own (httpcore, h11 in Python,
    anyio) a call cost 0.755 ms of CPU, through this one 0.171 (`bench/http_clients.py`)."""
    if transport is not None:
        return transport
    proxy = environment_proxy(base_url)
    return NetworkGuard(AiohttpTransport(proxy=proxy, client=lambda: _session(limits)))


def environment_proxy(base_url: str) -> httpx.Proxy | None:
    """The proxy that HTTP(S)_PROXY / ALL_PROXY and NO_PROXY give for `base_url`, read once at start.

    (aiohttp's own `trust_env` reads the environment and ~/.netrc on a worker thread for every request.)"""
    url = urllib.parse.urlsplit(base_url)
    if not url.hostname or urllib.request.proxy_bypass(url.hostname):
        return None
    proxies = urllib.request.getproxies()
    address = proxies.get(url.scheme) or proxies.get("all")
    return httpx.Proxy(address) if address else None


def _session(limits: HttpLimits) -> aiohttp.ClientSession:
    # Built on the first request, inside the running loop.
    connector = aiohttp.TCPConnector(
        limit=limits.max_connections, limit_per_host=limits.max_connections_per_host
    )
    return aiohttp.ClientSession(connector=connector)


class HttpChannel:
    """One vendor's pooled client: authenticated requests bounded by a deadline, errors mapped to ours."""

    def __init__(
        self,
        *,
        provider: str,
        base_url: str,
        api_key: SecretStr | None,
        limits: HttpLimits,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.provider = provider
        self.limits = limits
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._transport = create_transport(base_url, limits, transport)

    def __repr__(self) -> str:
        return f"HttpChannel(provider={self.provider!r}, base_url={self._base_url!r})"

    async def request_text(
        self, method: str, path: str, *, deadline: float, body: JsonObject | None = None
    ) -> str:
        """The body of a successful response; the whole exchange ends within min(total timeout, deadline)."""
        budget, is_bound = self._budget(deadline)
        with self._mapped_errors(deadline, is_bound=is_bound):
            async with asyncio.timeout(budget):
                response = await self._send(method, path, body, budget)
                try:
                    await response.aread()
                finally:
                    await response.aclose()
        if response.is_error:
            raise self.error_for(response)
        return response.text

    async def stream_lines(
        self, path: str, body: JsonObject, *, deadline: float
    ) -> AsyncGenerator[str, None]:
        """POST and yield the body line by line; each read waits at most min(total timeout, deadline)."""
        budget, is_bound = self._budget(deadline)
        with self._mapped_errors(deadline, is_bound=is_bound):
            response = await self._send("POST", path, body, budget)
            try:
                if response.is_error:
                    await response.aread()
                    raise self.error_for(response)
                async for line in response.aiter_lines():
                    if time.monotonic() >= deadline:
                        raise ProviderTimeout(f"{self.provider}: the deadline passed", provider=self.provider)
                    yield line
            finally:
                await response.aclose()

    async def _send(self, method: str, path: str, body: JsonObject | None, budget: float) -> httpx.Response:
        """One request straight to the transport. httpx's client adds nothing a vendor call needs —
        redirects, auth flows, a cookie jar — and was ~0.3 ms of CPU a call (its cookie extraction alone
        ~0.1 ms); the transport, the Request and the Response are httpx's as before."""
        headers = self._headers()
        content = None
        if body is not None:
            content = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
            headers["Content-Type"] = "application/json"
        connect = min(self.limits.connect_timeout, budget)
        timeout = {"connect": connect, "read": budget, "write": budget, "pool": budget}
        request = httpx.Request(
            method,
            f"{self._base_url}/{path.lstrip('/')}",
            headers=headers,
            content=content,
            extensions={"timeout": timeout},
        )
        return await self._transport.handle_async_request(request)

    def error_for(self, response: httpx.Response) -> ProviderError:
        """Our exception for a vendor's error response, with a short, key-free message."""
        detail = vendor_error(response.text)
        kind = error_class(response.status_code, detail.codes)
        message = f"{self.provider} HTTP {response.status_code}: {self.scrub(detail.message)}"
        retry_after = retry_after_seconds(response.headers)
        return kind(
            message,
            provider=self.provider,
            status_code=response.status_code,
            retry_after=detail.retry_after if retry_after is None else retry_after,
        )

    def scrub(self, text: str) -> str:
        """Remove anything that looks like a key (ours above all) and truncate."""
        secret = self._api_key.get_secret_value() if self._api_key else ""
        if secret:
            text = text.replace(secret, "***")
        text = _SECRET_PATTERN.sub("***", text).strip()
        return text if len(text) <= MESSAGE_LIMIT else text[:MESSAGE_LIMIT] + "…"

    async def aclose(self) -> None:
        """Close the pool."""
        await self._transport.aclose()

    def _headers(self) -> dict[str, str]:
        # Built per request so the key never sits in shared state.
        if self._api_key is None or not self._api_key.get_secret_value():
            return {}
        return {"Authorization": f"Bearer {self._api_key.get_secret_value()}"}

    def _budget(self, deadline: float) -> tuple[float, bool]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ProviderTimeout(
                f"{self.provider}: the deadline passed before the request was sent", provider=self.provider
            )
        return min(self.limits.total_timeout, remaining), remaining <= self.limits.total_timeout

    @contextmanager
    def _mapped_errors(self, deadline: float, *, is_bound: bool) -> Iterator[None]:
        try:
            yield
        except (httpx.TimeoutException, TimeoutError) as exc:
            # A timeout that the deadline imposed is final; one the configured timeout imposed may pass.
            if is_bound or time.monotonic() >= deadline:
                raise ProviderTimeout(
                    f"{self.provider}: the deadline passed", provider=self.provider
                ) from exc
            raise ProviderUnavailable(
                f"{self.provider}: timed out ({type(exc).__name__})", provider=self.provider
            ) from exc
        except httpx.RequestError as exc:
            raise ProviderUnavailable(
                f"{self.provider}: {type(exc).__name__}: {self.scrub(str(exc))}", provider=self.provider
            ) from exc


def as_secret(api_key: SecretStr | str | None) -> SecretStr | None:
    """The key wrapped so that reprs and logs show `**********`."""
    if api_key is None or isinstance(api_key, SecretStr):
        return api_key
    return SecretStr(api_key)


def decode(text: str, kind: type[ModelT], provider: str) -> ModelT:
    """Validate a vendor payload; a malformed one is a transient vendor fault, not a caller mistake."""
    try:
        return kind.model_validate_json(text.strip())
    except ValidationError as exc:
        raise ProviderUnavailable(
            f"{provider}: malformed response ({exc.error_count()} problem(s))", provider=provider
        ) from None


def error_class(status: int, codes: frozenset[str]) -> type[ProviderError]:
    """The exception class for an HTTP status (and a vendor's error code where the status is ambiguous)."""
    if status == 429 and codes & QUOTA_CODES:
        return InsufficientBalance
    if status >= 500:
        return ProviderUnavailable
    return STATUS_ERRORS.get(status, ProviderBadRequest if 400 <= status < 500 else ProviderError)


def vendor_error(text: str) -> VendorError:
    """Read `{"error":{...}}`, Gemini's `[{"error":{...}}]`, Ollama's `{"error":"..."}` or plain text."""
    try:
        payload: object = json.loads(text)
    except ValueError:
        return VendorError(text.strip() or "(empty body)")
    if isinstance(payload, list) and payload:
        payload = payload[0]
    error = payload.get("error", payload) if isinstance(payload, dict) else payload
    if isinstance(error, str):
        return VendorError(error)
    if not isinstance(error, dict):
        return VendorError(text.strip())
    codes = frozenset(str(error[key]) for key in ("code", "type", "status") if error.get(key) is not None)
    message = str(error.get("message") or text.strip())
    return VendorError(message, codes, _retry_delay(error.get("details")))


def _retry_delay(details: object) -> float | None:
    # Google puts the hint in the body: {"@type": ".../google.rpc.RetryInfo", "retryDelay": "26s"}.
    for item in details if isinstance(details, list) else []:
        delay = item.get("retryDelay") if isinstance(item, dict) else None
        match = _SECONDS.match(delay) if isinstance(delay, str) else None
        if match:
            return float(match.group(1))
    return None


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """`retry-after-ms`, else `Retry-After` as seconds or an HTTP date; None when absent or unreadable."""
    milliseconds = _number(headers.get("retry-after-ms"))
    if milliseconds is not None:
        return max(milliseconds / 1000, 0.0)
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return max(seconds, 0.0)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max((moment - datetime.now(UTC)).total_seconds(), 0.0)


def _number(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None
