"""Reading Server-Sent Events in tests: from a whole body, or incrementally from a streaming response."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    """One event: its name and its JSON data."""

    name: str
    data: dict[str, Any]


def parse_events(lines: Iterable[str]) -> Iterator[Event]:
    """Events from SSE lines as they arrive (comments skipped; `data:` lines joined)."""
    name, data = "message", []
    for line in lines:
        if line.startswith(":"):
            continue
        if line == "":
            if data:
                yield Event(name, json.loads("\n".join(data)))
            name, data = "message", []
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))


def events_of(body: str) -> list[Event]:
    """Every event of a complete body."""
    return list(parse_events(body.split("\n")))


def reply_of(events: Iterable[Event]) -> str:
    """The text of the `delta` events, joined."""
    return "".join(event.data["text"] for event in events if event.name == "delta")
