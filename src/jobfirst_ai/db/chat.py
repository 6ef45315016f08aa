"""Queries over chat sessions and their messages, always scoped to the session's owner."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from jobfirst_ai.db.models import ChatMessage, ChatSession
from jobfirst_ai.db.repositories import insert_rows

_ORDER = (ChatMessage.created_at, ChatMessage.id)


async def find_chat_session(session: AsyncSession, session_id: str, owner: str) -> ChatSession | None:
    """The chat session with this id, if `owner` owns it."""
    query = select(ChatSession).where(ChatSession.id == session_id, ChatSession.owner == owner)
    return (await session.execute(query)).scalar_one_or_none()


async def message_sizes(session: AsyncSession, session_id: str) -> list[tuple[str, int]]:
    """(role, tokens) of every message, oldest first: enough to choose the history window."""
    query = select(ChatMessage.role, ChatMessage.tokens).where(ChatMessage.session_id == session_id)
    rows = await session.execute(query.order_by(*_ORDER))
    return [(role, tokens) for role, tokens in rows]


async def messages_from(session: AsyncSession, session_id: str, start: int) -> list[ChatMessage]:
    """The messages from position `start` on (0 = the oldest), oldest first."""
    query = select(ChatMessage).where(ChatMessage.session_id == session_id).order_by(*_ORDER)
    return list((await session.execute(query.offset(start))).scalars())


async def save_turn(
    session: AsyncSession, chat: ChatSession, messages: Sequence[ChatMessage], *, is_new: bool
) -> None:
    """Store a turn's messages (and the session itself when it is new) as plain INSERTs; the session's
    `updated_at` moves."""
    if not is_new:
        await session.execute(
            update(ChatSession).where(ChatSession.id == chat.id).values(updated_at=chat.updated_at)
        )
    await insert_rows(session, [chat, *messages] if is_new else list(messages))


async def list_chat_sessions(
    session: AsyncSession, owner: str, *, offset: int, limit: int
) -> tuple[list[ChatSession], int]:
    """A page of the owner's sessions, most recently active first, and how many they have in all."""
    owned = ChatSession.owner == owner
    total = await session.scalar(select(func.count()).select_from(ChatSession).where(owned))
    query = select(ChatSession).where(owned).order_by(ChatSession.updated_at.desc(), ChatSession.id)
    rows = await session.execute(query.offset(offset).limit(limit))
    return list(rows.scalars()), int(total or 0)


async def delete_chat_session(session: AsyncSession, session_id: str, owner: str) -> bool:
    """Delete the session and its messages; False when the owner has no such session."""
    owned = await find_chat_session(session, session_id, owner)
    if owned is None:
        return False
    # Deleted explicitly as well as by the foreign key's cascade: a SQLite connection opened without
    # PRAGMA foreign_keys (a hand-run tool) would otherwise leave the messages behind.
    await session.execute(delete(ChatMessage).where(ChatMessage.session_id == session_id))
    await session.execute(delete(ChatSession).where(ChatSession.id == session_id))
    return True
