"""One chat turn: the reply as a whole or as a stream of events, and the turn stored in its session.

Engine first: a confident FAQ hit answers directly, and without a model the engine offers related FAQ
questions. Model second: the model answers with the session's history and the FAQ excerpts for grounding,
private details masked on the way out and restored on the way back (chunk by chunk when streaming). A
model that fails before its first word leaves the reply to the engine (marked degraded); one that fails
mid-stream ends the stream with an `error` event, and what was sent is stored marked incomplete — as it is
when the client goes away. The upstream call is closed as soon as the stream stops, however it stops.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime

from jobfirst_ai.db.chat import save_turn
from jobfirst_ai.db.models import ChatMessage, ChatSession, utc_now
from jobfirst_ai.db.repositories import new_id
from jobfirst_ai.db.session import SessionFactory
from jobfirst_ai.db.sqlite import inline_sqlite
from jobfirst_ai.engine.types import Language
from jobfirst_ai.errors import ProviderError, ProviderUnavailable
from jobfirst_ai.features.chat.answers import EngineReply, Lookup, Reason, engine_reply
from jobfirst_ai.features.chat.history import estimate_tokens
from jobfirst_ai.features.chat.prompts import chat_request, turn_content
from jobfirst_ai.features.chat.schemas import (
    ChatDelta,
    ChatDone,
    ChatError,
    ChatEvent,
    ChatResponse,
    Source,
)
from jobfirst_ai.features.chat.streaming import closing_shielded, pieces, shielded
from jobfirst_ai.features.resume.enrich import ModelBackend, user_tag
from jobfirst_ai.llm.redact import RedactionMap
from jobfirst_ai.llm.redact_stream import StreamRestorer
from jobfirst_ai.llm.types import ChatRequest, Role, Usage

__all__ = ["ChatTurn", "TurnContext"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnContext:
    """Everything a turn needs, read before the reply starts (so a wrong session id is a 404, not a
    broken stream)."""

    owner: str
    chat: ChatSession
    is_new: bool
    message: str
    language: Language
    lookup: Lookup
    history: list[tuple[Role, str]]
    received_at: datetime


@dataclass
class _Written:
    """What a model stream has delivered so far."""

    parts: list[str] = field(default_factory=list)
    usage: Usage | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)


class ChatTurn:
    """Answers one message: `answer()` for JSON, `events()` for Server-Sent Events."""

    def __init__(self, context: TurnContext, backend: ModelBackend | None, sessions: SessionFactory) -> None:
        self.context = context
        self._backend = backend
        self._sessions = sessions
        self._sent: str | None = None  # this turn's user message as sent to the model

    @property
    def session_id(self) -> str:
        """The session this turn belongs to (new sessions have their id before they are stored)."""
        return self.context.chat.id

    async def answer(self) -> ChatResponse:
        """The whole reply; a failing model leaves it to the engine."""
        if self._backend is None or self.context.lookup.confident is not None:
            return await self._engine_answer("no_model")
        request, mapping = self._model_request(self._backend)
        deadline = time.monotonic() + self._backend.timeout_seconds
        try:
            result = await self._backend.provider.complete(request, deadline=deadline)
            if not result.text.strip():
                raise ProviderUnavailable("the model's reply was empty", provider=result.provider)
        except ProviderError as error:
            return await self._engine_answer("model_failed", error)
        text = mapping.restore(result.text) if mapping is not None else result.text
        done = await self._store(
            text, "model", engine=result.provider, model=result.model, usage=result.usage
        )
        return ChatResponse(**done.model_dump(), reply=text)

    async def events(self) -> AsyncIterator[ChatEvent]:
        """The reply in pieces, then `ChatDone` — or `ChatError` when the model fails mid-stream."""
        if self._backend is None or self.context.lookup.confident is not None:
            async for event in self._engine_events("no_model"):
                yield event
            return
        written = _Written()
        failure: ProviderError | None = None
        try:
            async with closing_shielded(self._model_text(self._backend, written)) as texts:
                async for text in texts:
                    yield ChatDelta(text=text)
        except ProviderError as error:
            failure = error
        except BaseException:  # the client went away (cancelled, or the generator closed): keep what it saw
            if written.parts:
                await shielded(lambda: self._store_cut_short(written.text))
            raise
        async for event in self._after_stream(written, failure):
            yield event

    async def _after_stream(
        self, written: _Written, failure: ProviderError | None
    ) -> AsyncIterator[ChatEvent]:
        if failure is None and written.text.strip():
            backend = self._backend
            assert backend is not None
            yield await self._store(
                written.text,
                "model",
                engine=backend.provider.name,
                model=backend.provider.model,
                usage=written.usage,
            )
            return
        error = failure or ProviderUnavailable("the model's reply was empty")
        if not written.text.strip():
            async for event in self._engine_events("model_failed", error):
                yield event
            return
        logger.warning("chat reply cut short by the model: %s", error.code)
        message_id = await self._store_cut_short(written.text)
        yield ChatError(
            code=error.code,
            message=f"回答中断 / The reply was cut short: {error.message}",
            session_id=self.session_id,
            message_id=message_id,
        )

    async def _model_text(self, backend: ModelBackend, written: _Written) -> AsyncIterator[str]:
        """The model's reply as restored text pieces; usage lands in `written` at the end."""
        request, mapping = self._model_request(backend)
        restorer = StreamRestorer(mapping)
        deadline = time.monotonic() + backend.timeout_seconds
        async with closing_shielded(backend.provider.stream(request, deadline=deadline)) as chunks:
            async for chunk in chunks:
                if chunk.usage is not None:
                    written.usage = chunk.usage
                text = restorer.feed(chunk.text)
                if text:
                    written.parts.append(text)
                    yield text
        tail = restorer.flush()
        if tail:
            written.parts.append(tail)
            yield tail

    def _model_request(self, backend: ModelBackend) -> tuple[ChatRequest, RedactionMap | None]:
        context = self.context
        self._sent = turn_content(context.message, context.lookup.snippets(), context.language)
        request = chat_request(context.history, self._sent, user=user_tag(context.owner))
        if backend.redactor is None:
            return request, None
        return backend.redactor.mask_request(request)

    async def _engine_events(
        self, reason: Reason, error: ProviderError | None = None
    ) -> AsyncIterator[ChatEvent]:
        answer = await self._engine_answer(reason, error)
        for piece in pieces(answer.reply):
            yield ChatDelta(text=piece)
        yield ChatDone(**answer.model_dump(exclude={"reply"}))

    async def _engine_answer(self, reason: Reason, error: ProviderError | None = None) -> ChatResponse:
        reply: EngineReply = engine_reply(self.context.lookup, reason)
        degraded = None
        if error is not None:
            logger.warning("chat degraded to the built-in engine: %s", error.code)
            degraded = f"{error.code}: {error.message}"
        done = await self._store(
            reply.text,
            reply.source,
            faq_id=reply.faq_id,
            suggestions=reply.suggestions,
            degraded_reason=degraded,
        )
        return ChatResponse(**done.model_dump(), reply=reply.text)

    async def _store(self, text: str, source: Source, **details: object) -> ChatDone:
        """Store the turn as complete and describe it; `details` are more ChatDone fields (engine, model,
        usage, faq_id, suggestions, degraded_reason)."""
        message_id = await self._save(text, source, is_complete=True)
        fields = {"engine": "builtin", **details, "degraded": details.get("degraded_reason") is not None}
        return ChatDone.model_validate(
            {
                "session_id": self.session_id,
                "message_id": message_id,
                "language": self.context.language,
                "source": source,
                **fields,
            }
        )

    async def _store_cut_short(self, text: str) -> str:
        return await self._save(text, "model", is_complete=False)

    async def _save(self, text: str, source: Source, *, is_complete: bool) -> str:
        """Store the user's message and the reply in one transaction; the reply's id."""
        context = self.context
        now = utc_now()
        sent = self._sent if source == "model" else None  # what later turns resend as this message
        user = ChatMessage(
            id=new_id(),
            session_id=context.chat.id,
            role="user",
            content=context.message,
            prompt=sent,
            tokens=estimate_tokens(sent or context.message),
            is_complete=True,
            source=None,  # set, like the reply's prompt, so both rows go in one statement
            created_at=context.received_at,
        )
        reply = ChatMessage(
            id=new_id(),
            session_id=context.chat.id,
            role="assistant",
            content=text,
            prompt=None,
            tokens=estimate_tokens(text),
            is_complete=is_complete,
            source=source,
            created_at=now,
        )
        context.chat.updated_at = now
        with inline_sqlite():  # two INSERT statements (db/sqlite.py)
            async with self._sessions() as session, session.begin():
                await save_turn(session, context.chat, [user, reply], is_new=context.is_new)
        return reply.id
