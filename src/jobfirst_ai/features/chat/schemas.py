"""Request, reply and stream-event shapes of the chat assistant, and of its stored sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jobfirst_ai.engine.types import Language
from jobfirst_ai.llm.types import Usage

Source = Literal["faq", "engine", "model"]
"""Who wrote a reply: the FAQ knowledge base, the engine's fallback reply, or a model."""

SESSION_ID_PATTERN = r"^[A-Za-z0-9-]{1,64}$"


class ChatRequest(BaseModel):
    """One user message, in a session (`session_id`) or starting a new one."""

    model_config = ConfigDict(extra="forbid")

    message: str = Field(description="The user's message (CHAT_MAX_MESSAGE_CHARS at most, 4,000 by default)")
    session_id: str | None = Field(
        default=None, pattern=SESSION_ID_PATTERN, description="Continue this session; absent: a new one"
    )
    stream: bool | None = Field(
        default=None,
        description="Stream the reply as Server-Sent Events; absent: stream when Accept is text/event-stream",
    )
    language: Language | None = Field(default=None, description="Reply language; absent: the message's")


class ChatDone(BaseModel):
    """What is known once a reply is complete (the final `done` event of a stream carries this)."""

    session_id: str
    message_id: str = Field(description="The stored assistant message")
    language: Language
    source: Source
    faq_id: str | None = Field(default=None, description="The FAQ entry that answered (source faq)")
    suggestions: list[str] = Field(
        default_factory=list, description="FAQ questions offered when the engine could not answer"
    )
    engine: str = Field(description="builtin, or the provider that answered")
    model: str | None = None
    usage: Usage | None = Field(default=None, description="Tokens of the model call (source model)")
    degraded: bool = Field(default=False, description="A configured model could not answer")
    degraded_reason: str | None = None


class ChatResponse(ChatDone):
    """The whole reply at once (non-streaming)."""

    reply: str


class ChatDelta(BaseModel):
    """A piece of the reply (`delta` event)."""

    text: str


class ChatError(BaseModel):
    """The model failed after part of the reply was sent (`error` event, the last one). The part that was
    sent is stored, marked incomplete, under `message_id`."""

    code: str
    message: str
    session_id: str
    message_id: str | None = None


ChatEvent = ChatDelta | ChatDone | ChatError
"""What a streamed turn yields, in order: deltas, then `ChatDone` or `ChatError`."""


class ChatMessageOut(BaseModel):
    """A stored message."""

    id: str
    role: Literal["user", "assistant"]
    content: str
    is_complete: bool = Field(description="False for a reply cut short (model failure or disconnect)")
    source: Source | None = None
    created_at: datetime


class ChatSessionOut(BaseModel):
    """A stored session."""

    id: str
    title: str
    language: Language
    created_at: datetime
    updated_at: datetime


class ChatSessionDetail(ChatSessionOut):
    """A session with its messages, oldest first."""

    messages: list[ChatMessageOut]


class ChatSessionPage(BaseModel):
    """A page of the caller's sessions, most recently active first."""

    items: list[ChatSessionOut]
    total: int
    offset: int
    limit: int
