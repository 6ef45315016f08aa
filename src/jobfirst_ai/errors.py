"""The exception tree of the service; `api/errors.py` is the one place that maps it to HTTP.

JobFirstError                      code, message (safe to show a user), status
├── InputError                     400  the request itself is malformed
│   ├── ValidationFailed           422  well-formed but invalid fields
│   ├── EmptyInput                 422  nothing to analyse
│   ├── PayloadTooLarge            413  upload over the size limit
│   ├── UnsupportedFileType        415  not PDF / DOCX / TXT / Markdown
│   └── UnreadableDocument         422  empty, scanned, encrypted or corrupt file
├── AuthError                      401  missing, expired, malformed or wrongly signed token
├── NotFound                       404  unknown id, or one that belongs to another user
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


class NotFound(JobFirstError):
    """Unknown id, or an id that belongs to another user (the two are indistinguishable on purpose)."""

    status = 404
    code = "not_found"


class ConfigError(JobFirstError):
    """Invalid settings; raised at start-up with the variable's name in the message."""

    code = "invalid_configuration"
