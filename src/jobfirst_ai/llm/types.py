"""Typed values of the provider layer: messages, requests, results, usage and stream chunks."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "user", "assistant"]
FinishReason = Literal["stop", "length", "content_filter", "tool_calls", "error", "other"]


class Message(BaseModel):
    """One chat message."""

    model_config = ConfigDict(frozen=True)

    role: Role
    content: str


class ChatRequest(BaseModel):
    """What a feature asks of a model; providers translate it to their wire format."""

    model_config = ConfigDict(frozen=True)

    messages: tuple[Message, ...]
    model: str | None = Field(default=None, description="Override the provider's configured model")
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_tokens: int | None = Field(default=None, ge=1)
    json_mode: bool = Field(default=False, description="Ask for a JSON object (JSON mode where supported)")
    thinking: bool | None = Field(
        default=None,
        description="Reasoning mode: None = the provider's setting (structured tasks send False)",
    )
    user: str | None = Field(
        default=None, description="Opaque end-user id (DeepSeek user_id: cache isolation)"
    )
    feature: str = Field(default="other", description="Which feature asked; for metering, never sent")


class Usage(BaseModel):
    """Tokens of one call, normalised across vendors."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hit_tokens: int = Field(
        default=0, description="Prompt tokens served from the vendor's prefix cache"
    )
    cache_miss_tokens: int = Field(default=0, description="Prompt tokens billed at the full input price")
    reasoning_tokens: int = Field(default=0, description="Thinking tokens (billed as output)")

    @property
    def total_tokens(self) -> int:
        """Prompt plus completion (completion includes reasoning)."""
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cache_hit_tokens=self.cache_hit_tokens + other.cache_hit_tokens,
            cache_miss_tokens=self.cache_miss_tokens + other.cache_miss_tokens,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
        )


class ChatResult(BaseModel):
    """A model's complete answer."""

    text: str
    provider: str
    model: str
    usage: Usage = Field(default_factory=Usage)
    finish_reason: FinishReason = "stop"
    latency_ms: float = 0.0
    attempts: int = Field(default=1, description="HTTP attempts this answer took (retries included)")


class StreamChunk(BaseModel):
    """A piece of a streamed answer; the last one carries usage and the finish reason."""

    text: str = ""
    usage: Usage | None = None
    finish_reason: FinishReason | None = None
