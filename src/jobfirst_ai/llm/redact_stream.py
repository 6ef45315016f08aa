"""Restoring masked private details in a streamed answer, where a placeholder may span two chunks.

A model streaming "call me at [PHO" then "NE_1] please" must reach the user as "call me at 138…": each
chunk is restored up to the last opening bracket that could still begin a placeholder, and that tail is
held back until the next chunk decides it (or the stream ends). A held tail never grows past the longest
placeholder a map can hold, so a stray "[" delays the text by a few characters at most.
"""

from __future__ import annotations

import re
from typing import Final

from jobfirst_ai.llm.redact import RedactionMap

__all__ = ["StreamRestorer"]

_OPENERS: Final = "[【"
# The beginning of a placeholder as `RedactionMap.restore` reads them: [PHONE_1], 【EMAIL_2】, [ ID_3 ].
_PARTIAL: Final = re.compile(
    r"[\[【]\s*(?:(?:E(?:M(?:A(?:I(?:L(?:_\d*\s*)?)?)?)?)?)"
    r"|(?:I(?:D(?:_\d*\s*)?)?)"
    r"|(?:P(?:H(?:O(?:N(?:E(?:_\d*\s*)?)?)?)?)?))?"
)
_LONGEST_HELD: Final = 24  # "[" + spaces + "PHONE_" + digits + spaces: longer tails are plain text


class StreamRestorer:
    """Feeds masked chunks in, gives restored text out; `flush` at the end releases what is held."""

    def __init__(self, mapping: RedactionMap | None) -> None:
        self._mapping = mapping if mapping is not None and len(mapping) else None
        self._held = ""

    def feed(self, chunk: str) -> str:
        """The restored text that is safe to show now (possibly empty while a placeholder is open)."""
        if self._mapping is None:
            return chunk
        text = self._held + chunk
        cut = _open_placeholder_at(text)
        self._held = text[cut:]
        return self._mapping.restore(text[:cut])

    def flush(self) -> str:
        """Whatever is still held, restored (the stream ended)."""
        held, self._held = self._held, ""
        return self._mapping.restore(held) if self._mapping is not None else held


def _open_placeholder_at(text: str) -> int:
    """Where a trailing, still unfinished placeholder starts; len(text) when there is none."""
    start = max(text.rfind(opener) for opener in _OPENERS)
    if start < 0 or len(text) - start > _LONGEST_HELD:
        return len(text)
    tail = text[start:]
    return start if _PARTIAL.fullmatch(tail) else len(text)
