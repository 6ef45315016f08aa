"""`jobfirst-ai chat`: the assistant in the terminal, each reply printed as it streams; no server needed.

Sessions are stored in the configured database as the anonymous user (the API's user when auth is off), so
`--session ID` continues one started here or through a local, auth-off service.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import typer

from jobfirst_ai.auth import ANONYMOUS
from jobfirst_ai.cli.model_chain import command_chain
from jobfirst_ai.config import Settings
from jobfirst_ai.errors import JobFirstError
from jobfirst_ai.features.chat.schemas import ChatDelta, ChatDone, ChatError, ChatRequest
from jobfirst_ai.features.chat.service import ChatLimits, ChatService
from jobfirst_ai.features.resume.enrich import model_backend

_COMMANDS = "/new: 新会话 new session · /quit: 退出 quit"
_QUIT = frozenset({"/quit", "/exit", "/q"})


def chat_command(
    session: Annotated[str | None, typer.Option("--session", help="Continue this session (its id)")] = None,
) -> None:
    """Chat with the assistant: resume advice, job search, how to use JobFirst (the FAQ, and the model
    chain if one is configured)."""
    from jobfirst_ai.cli.main import settings_or_exit

    settings = settings_or_exit()
    try:
        asyncio.run(_repl(settings, session))
    except JobFirstError as error:
        typer.echo(f"jobfirst-ai: {error.message}", err=True)
        raise typer.Exit(1) from None


async def _repl(settings: Settings, session_id: str | None) -> None:
    async with _chat_service(settings) as service:
        if session_id is not None:
            detail = await service.session(ANONYMOUS, session_id)
            typer.echo(f"继续会话 / Continuing “{detail.title}” ({len(detail.messages)} messages)")
        engine = ",".join(settings.provider_chain()) or "builtin"
        typer.echo(f"JobFirst 智能助手 / assistant ({engine}) · {_COMMANDS}")
        while (line := await _read_line("> ")) is not None:
            command = line.strip()
            if command in _QUIT:
                break
            if command == "/new":
                session_id = None
                typer.echo("(新会话 / new session)")
            elif command:
                session_id = await _ask(service, command, session_id)


async def _ask(service: ChatService, message: str, session_id: str | None) -> str | None:
    """Print one streamed reply; the session to continue with."""
    try:
        turn = await service.start(ANONYMOUS, ChatRequest(message=message, session_id=session_id))
    except JobFirstError as error:
        typer.echo(error.message, err=True)
        return session_id
    async for event in turn.events():
        if isinstance(event, ChatDelta):
            typer.echo(event.text, nl=False)
        elif isinstance(event, ChatDone):
            typer.echo()
            if event.degraded:
                typer.echo(f"(模型不可用 / model unavailable: {event.degraded_reason})", err=True)
        elif isinstance(event, ChatError):
            typer.echo()
            typer.echo(event.message, err=True)
    return turn.session_id


async def _read_line(prompt: str) -> str | None:
    """A line from standard input (read in a thread, so the event loop stays free); None at end of input."""
    typer.echo(prompt, nl=False)
    line = await asyncio.to_thread(sys.stdin.readline)
    return line if line else None


@asynccontextmanager
async def _chat_service(settings: Settings) -> AsyncIterator[ChatService]:
    async with command_chain(settings) as command:  # metered and budgeted like the service's calls
        limits = ChatLimits(settings.chat_max_message_chars, settings.chat_history_tokens)
        assert command.sessions is not None
        yield ChatService(command.sessions, model_backend(settings, command.chain), limits)
