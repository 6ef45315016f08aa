"""The chat assistant as a service: start a turn (checked input, owned session, bounded history) and read,
list or delete the caller's sessions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from jobfirst_ai.db.chat import (
    delete_chat_session,
    find_chat_session,
    list_chat_sessions,
    message_sizes,
    messages_from,
)
from jobfirst_ai.db.models import ChatMessage, ChatSession, utc_now
from jobfirst_ai.db.repositories import as_utc, new_id
from jobfirst_ai.db.session import SessionFactory
from jobfirst_ai.db.sqlite import inline_sqlite
from jobfirst_ai.engine.language import detect_language
from jobfirst_ai.engine.types import Language
from jobfirst_ai.errors import EmptyInput, NotFound, PayloadTooLarge
from jobfirst_ai.features.chat.answers import look_up
from jobfirst_ai.features.chat.history import window_start
from jobfirst_ai.features.chat.schemas import (
    ChatMessageOut,
    ChatRequest,
    ChatSessionDetail,
    ChatSessionOut,
    ChatSessionPage,
    Source,
)
from jobfirst_ai.features.chat.turn import ChatTurn, TurnContext
from jobfirst_ai.features.resume.enrich import ModelBackend
from jobfirst_ai.llm.types import Role

__all__ = ["ChatLimits", "ChatService", "checked_message"]

TITLE_CHARS = 60


@dataclass(frozen=True)
class ChatLimits:
    """CHAT_MAX_MESSAGE_CHARS and CHAT_HISTORY_TOKENS."""

    max_message_chars: int = 4000
    history_tokens: int = 2000


class ChatService:
    """Starts chat turns and manages the caller's sessions; every read is scoped to the owner."""

    def __init__(self, sessions: SessionFactory, backend: ModelBackend | None, limits: ChatLimits) -> None:
        self._sessions = sessions
        self._backend = backend
        self._limits = limits

    async def start(self, owner: str, request: ChatRequest) -> ChatTurn:
        """A turn ready to answer: the message checked (413, 422), the session found (404) or made, and
        the history the model will see loaded — before the first byte of a streamed reply."""
        message = checked_message(request.message, self._limits.max_message_chars)
        language = request.language or detect_language(message)
        lookup = look_up(message, language)
        needs_history = self._backend is not None and lookup.confident is None
        now = utc_now()
        if request.session_id is None:
            chat = ChatSession(
                id=new_id(),
                owner=owner,
                title=_title(message),
                language=language,
                created_at=now,
                updated_at=now,
            )
            history: list[tuple[Role, str]] = []
        else:
            chat, history = await self._continued(owner, request.session_id, needs_history=needs_history)
        context = TurnContext(
            owner=owner,
            chat=chat,
            is_new=request.session_id is None,
            message=message,
            language=language,
            lookup=lookup,
            history=history,
            received_at=now,
        )
        return ChatTurn(context, self._backend, self._sessions)

    async def sessions(self, owner: str, *, offset: int = 0, limit: int = 20) -> ChatSessionPage:
        """A page of the owner's sessions, most recently active first."""
        async with self._sessions() as session:
            rows, total = await list_chat_sessions(session, owner, offset=offset, limit=limit)
        return ChatSessionPage(
            items=[_session_out(row) for row in rows], total=total, offset=offset, limit=limit
        )

    async def session(self, owner: str, session_id: str) -> ChatSessionDetail:
        """One of the owner's sessions with every message (another user's id is 404)."""
        async with self._sessions() as session:
            chat = await find_chat_session(session, session_id, owner)
            if chat is None:
                raise _not_found()
            messages = await messages_from(session, session_id, 0)
        return ChatSessionDetail(
            **_session_out(chat).model_dump(), messages=[_message_out(message) for message in messages]
        )

    async def delete(self, owner: str, session_id: str) -> None:
        """Delete one of the owner's sessions and its messages (another user's id is 404)."""
        async with self._sessions() as session, session.begin():
            if not await delete_chat_session(session, session_id, owner):
                raise _not_found()

    async def _continued(
        self, owner: str, session_id: str, *, needs_history: bool
    ) -> tuple[ChatSession, list[tuple[Role, str]]]:
        with inline_sqlite():  # by primary key and the session_id index (db/sqlite.py)
            async with self._sessions() as session:
                chat = await find_chat_session(session, session_id, owner)
                if chat is None:
                    raise _not_found()
                if not needs_history:
                    return chat, []
                sizes = await message_sizes(session, session_id)
                start = window_start(sizes, self._limits.history_tokens)
                rows = await messages_from(session, session_id, start) if start < len(sizes) else []
        return chat, [(cast(Role, row.role), row.prompt or row.content) for row in rows]


def checked_message(text: str, limit: int) -> str:
    """The message trimmed and storable (no NUL, no lone surrogates); 422 when empty, 413 when too long."""
    message = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8").strip()
    if not message:
        raise EmptyInput("消息为空 / The message is empty.")
    if len(message) > limit:
        raise PayloadTooLarge(
            f"消息超过 {limit} 个字符的上限 / The message is over the {limit}-character limit.",
            code="message_too_long",
        )
    return message


def _title(message: str) -> str:
    first_line = next(line.strip() for line in message.splitlines() if line.strip())
    return first_line if len(first_line) <= TITLE_CHARS else first_line[: TITLE_CHARS - 1] + "…"


def _not_found() -> NotFound:
    return NotFound("没有这个会话 / No such chat session.")


def _session_out(chat: ChatSession) -> ChatSessionOut:
    return ChatSessionOut(
        id=chat.id,
        title=chat.title,
        language=cast(Language, chat.language),
        created_at=as_utc(chat.created_at) or chat.created_at,
        updated_at=as_utc(chat.updated_at) or chat.updated_at,
    )


def _message_out(message: ChatMessage) -> ChatMessageOut:
    return ChatMessageOut(
        id=message.id,
        role="user" if message.role == "user" else "assistant",
        content=message.content,
        is_complete=message.is_complete,
        source=cast(Source | None, message.source),
        created_at=as_utc(message.created_at) or message.created_at,
    )
