"""The stand-in's scriptable state: queued steps, settings, recorded requests and the prefix cache."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

from jobfirst_ai.llm.standin.cache import PrefixCache
from jobfirst_ai.llm.standin.exchanges import Exchange
from jobfirst_ai.llm.standin.faults import FAULTS, FaultName

Shape = Literal["as_is", "malformed", "fenced", "blank", "truncated"]
CutMode = Literal["drop", "end", "error"]


class Step(BaseModel):
    """One scripted behaviour, used by exactly one chat request (`times` requests when repeated).

    Failure: `error` names a canned vendor error (`faults.FAULTS`), or `status` + `body` give a verbatim
    one; `retry_after` and `headers` add response headers. Timing: `delay` seconds before the answer,
    with keep-alive lines meanwhile when `keep_alive` (default: DeepSeek flavour only); `frame_interval`
    seconds between stream frames (a slow, token-by-token stream). Content:
    `answer`/`reasoning` replace the default text, `shape` spoils it, `finish_reason` overrides. Cuts:
    after `cut_after` stream frames, `hang` seconds of silence, then `cut` the stream.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    status: int = Field(default=200, ge=200, le=599)
    error: FaultName | None = None
    body: JsonValue = Field(default=None, description="Verbatim body: str as-is, other values as JSON")
    content_type: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    retry_after: float | None = Field(default=None, ge=0)
    delay: float = Field(default=0.0, ge=0)
    keep_alive: bool | None = None
    keep_alive_every: float = Field(default=0.05, gt=0)
    answer: str | None = None
    reasoning: str | None = None
    shape: Shape = "as_is"
    finish_reason: str | None = None
    cut_after: int | None = Field(default=None, ge=0)
    cut: CutMode = "drop"
    hang: float = Field(default=0.0, ge=0)
    frame_interval: float = Field(default=0.0, ge=0, description="Seconds between stream frames")
    cut_message: str | None = None
    times: int = Field(default=1, ge=1)

    @model_validator(mode="before")
    @classmethod
    def _status_of_named_error(cls, data: object) -> object:
        if isinstance(data, dict) and data.get("error") in FAULTS and "status" not in data:
            return {**data, "status": FAULTS[data["error"]].status}
        return data

    @property
    def is_failure(self) -> bool:
        """True when this step answers with an error status instead of a completion."""
        return self.status >= 400 or self.error is not None


DEFAULT_OLLAMA_MODELS = (
    "llama3.2:latest",
    "qwen3:8b",
    "qwen2.5:0.5b",
    "gemma3:1b",
    "gpt-oss:20b",
    "embeddinggemma:latest",
)


class StandinConfig(BaseModel):
    """Server-wide switches; `POST /_standin/config` or `StandinState.configure` change them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reject_retired_models: bool = Field(default=True, description="400 for deepseek-chat/-reasoner")
    known_models_only: bool = Field(default=True, description="DeepSeek 400 'Model Not Exist' otherwise")
    api_key: str | None = Field(default=None, description="When set, chat calls need `Bearer <api_key>`")
    ollama_models: tuple[str, ...] = DEFAULT_OLLAMA_MODELS
    balance: str = "110.00"
    embeddings_base64: bool = Field(
        default=False, description="Embeddings as base64 float32 whatever `encoding_format` asks"
    )


class RecordedRequest(BaseModel):
    """A request as the stand-in received it (control endpoints are not recorded)."""

    method: str
    path: str
    headers: dict[str, str]
    body: JsonValue = Field(default=None, description="The parsed JSON body, None when not JSON")
    text: str = ""


class StandinState:
    """Everything a test may script or inspect; thread-safe, since tests run the server in a thread."""

    def __init__(self, config: StandinConfig | None = None) -> None:
        self._lock = threading.Lock()
        self._initial = config or StandinConfig()
        self.config = self._initial
        self._steps: deque[Step] = deque()
        self._requests: list[RecordedRequest] = []
        self._exchanges: list[Exchange] = []
        self.cache = PrefixCache()

    def script(self, steps: Iterable[Step | Mapping[str, JsonValue]]) -> int:
        """Append steps (models or their JSON form); returns how many are queued now."""
        parsed = [step if isinstance(step, Step) else Step.model_validate(step) for step in steps]
        with self._lock:
            for step in parsed:
                self._steps.extend([step] * step.times)
            return len(self._steps)

    def next_step(self) -> Step | None:
        """The next scripted step, or None: the default behaviour answers."""
        with self._lock:
            return self._steps.popleft() if self._steps else None

    def pending(self) -> int:
        """How many steps are still queued."""
        with self._lock:
            return len(self._steps)

    def record(self, request: RecordedRequest) -> None:
        """Keep a received request for `requests()`."""
        with self._lock:
            self._requests.append(request)

    def requests(self) -> list[RecordedRequest]:
        """The recorded requests, oldest first."""
        with self._lock:
            return list(self._requests)

    def record_exchange(self, exchange: Exchange) -> None:
        """Keep how a response ended, for `exchanges()`."""
        with self._lock:
            self._exchanges.append(exchange)

    def exchanges(self) -> list[Exchange]:
        """How each vendor-route response ended (completed, disconnected, aborted), oldest first."""
        with self._lock:
            return list(self._exchanges)

    def configure(self, **changes: object) -> StandinConfig:
        """Change settings (validated); returns the new settings."""
        with self._lock:
            self.config = StandinConfig.model_validate({**self.config.model_dump(), **changes})
            return self.config

    def reset(self) -> None:
        """Forget steps, recorded requests and cached prefixes; settings return to their start values."""
        with self._lock:
            self._steps.clear()
            self._requests.clear()
            self._exchanges.clear()
            self.config = self._initial
            self.cache.clear()
