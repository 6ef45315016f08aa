"""The exception tree of the service; `api/errors.py` is the one place that maps it to HTTP.

JobFirstError                      code, message (safe to show a user), status
├── InputError                     400  the request itself is malformed
│   ├── ValidationFailed           422  well-formed but invalid fields
│   ├── EmptyInput                 422  nothing to analyse
│   ├── PayloadTooLarge            413  upload over the size limit
│   ├── UnsupportedFileType        415  not PDF / DOCX / TXT / Markdown
│   └── UnreadableDocument         422  empty, scanned, encrypted or corrupt file
├── AuthError                      401  missing, expired, malformed or wrongly signed token
├── Forbidden                      403  a valid token without the role the action needs
├── NotFound                       404  unknown id, or one that belongs to another user
├── Conflict                       409  a write lost a race, or the resource's state forbids it
├── TooManyRequests                429  a per-user rate limit (with Retry-After)
├── DatabaseUnavailable            503  the database is unreachable now (with Retry-After); at start-up,
│                                       it did not answer within DATABASE_STARTUP_WAIT_SECONDS
└── ConfigError                    --   invalid settings, raised at start-up (never over HTTP)
"""

from __future__ import annotations


class JobFirstError(Exception):
    """Base of every error the service raises on purpose; `message` is safe to show a user."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InputError(JobFirstError):
    """The request is malformed."""

    status = 400
    code = "invalid_input"


class ValidationFailed(InputError):
    """A field is missing or invalid."""

    status = 422
    code = "validation_error"


class EmptyInput(InputError):
    """There is no text to work on."""

    status = 422
    code = "empty_input"


class PayloadTooLarge(InputError):
    """An upload is over the configured size limit."""

    status = 413
    code = "file_too_large"


class UnsupportedFileType(InputError):
    """The file is not one of the accepted types."""

    status = 415
    code = "unsupported_file_type"


class UnreadableDocument(InputError):
    """The file has the right type but no text can be taken from it (codes: empty_document,
    scanned_document, encrypted_document, corrupt_document)."""

    status = 422
    code = "unreadable_document"


class AuthError(JobFirstError):
    """The bearer token is missing or invalid."""

    status = 401
    code = "unauthorized"


class Forbidden(JobFirstError):
    """The caller is known but lacks the role the action needs (writing job postings needs `admin`)."""

    status = 403
    code = "forbidden"


class NotFound(JobFirstError):
    """Unknown id, or an id that belongs to another user (the two are indistinguishable on purpose)."""

    status = 404
    code = "not_found"


class Conflict(JobFirstError):
    """The write lost a race with another one (a stale version), or the resource's state forbids it (an
    interview session already finished): read it again and retry."""

    status = 409
    code = "conflict"


class TooManyRequests(JobFirstError):
    """The caller passed a per-user rate limit; `retry_after` (seconds) becomes the Retry-After header."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class DatabaseUnavailable(JobFirstError):
    """The database refused, dropped or did not answer a connection: nothing was stored, retry later."""

    status = 503
    code = "database_unavailable"
    retry_after = 5


class ConfigError(JobFirstError):
    """Invalid settings; raised at start-up with the variable's name in the message."""

    code = "invalid_configuration"


class ProviderError(JobFirstError):
    """A model call failed. `provider` names the backend; `retryable` says whether trying again may help.

    Messages never contain an API key: vendors echo masked keys at most, and this layer builds its own.
    """

    status = 502
    code = "provider_error"
    retryable = False

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status_code: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.status_code = status_code
        self.retry_after = retry_after


class ProviderAuthError(ProviderError):
    """The vendor refused the key (401/403)."""

    code = "provider_auth_failed"


class InsufficientBalance(ProviderError):
    """The vendor account is out of balance (DeepSeek 402): retrying cannot help."""

    code = "provider_insufficient_balance"


class ProviderBadRequest(ProviderError):
    """The vendor rejected the request itself (400, 404, 422): retrying the same request cannot help."""

    code = "provider_bad_request"


class RateLimited(ProviderError):
    """429: too many requests or too much concurrency; `retry_after` when the vendor says."""

    code = "provider_rate_limited"
    retryable = True


class ProviderUnavailable(ProviderError):
    """5xx, a refused or dropped connection, or a stream cut before its end."""

    code = "provider_unavailable"
    retryable = True


class ProviderTimeout(ProviderError):
    """The per-request deadline passed."""

    code = "provider_timeout"
    status = 504


class CircuitOpen(ProviderError):
    """The provider failed repeatedly and is resting: fail fast instead of waiting on it."""

    code = "provider_circuit_open"
    status = 503


class ProviderBusy(ProviderError):
    """Every concurrency slot to the provider stayed taken for the whole wait: no request was sent."""

    code = "provider_busy"
    status = 503


class InvalidModelOutput(ProviderError):
    """The model's answer was not valid JSON for the expected schema, even after repair and one retry."""

    code = "invalid_model_output"


class NetworkDisabled(ProviderError):
    """A request to a non-loopback host while JOBFIRST_NETWORK=off (the test suite's switch)."""

    code = "network_disabled"
