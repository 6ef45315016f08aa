"""The chat assistant: a reply as JSON or streamed as Server-Sent Events, and the caller's sessions."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import ValidationError

from jobfirst_ai.api.deps import PrincipalDep, ServicesDep, check_declared_length
from jobfirst_ai.api.sse import EventStream, NamedEvent
from jobfirst_ai.errors import PayloadTooLarge, ValidationFailed
from jobfirst_ai.features.chat.schemas import (
    ChatDelta,
    ChatDone,
    ChatError,
    ChatRequest,
    ChatResponse,
    ChatSessionDetail,
    ChatSessionPage,
)
from jobfirst_ai.features.chat.streaming import closing_shielded
from jobfirst_ai.features.chat.turn import ChatTurn

router = APIRouter(prefix="/chat", tags=["chat"])

# JSON may spell every character as a \uXXXX pair of surrogates: 12 bytes for one character.
_BYTES_PER_CHAR = 12
_EVENT_NAMES: dict[type, str] = {ChatDelta: "delta", ChatDone: "done", ChatError: "error"}
_STREAM_DOC = (
    "With `stream: true` or `Accept: text/event-stream`: Server-Sent Events `delta` ({text}) for each piece, "
    "then `done` (the JSON reply's fields without `reply`), or `error` ({code, message, session_id, "
    "message_id}) when the model fails after part of the reply was sent (that part is stored, marked "
    "incomplete)."
)
_ERRORS: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}, "description": _STREAM_DOC},
    401: {"description": "Missing, expired or invalid token"},
    404: {"description": "Unknown session, or another user's"},
    413: {"description": "Message over CHAT_MAX_MESSAGE_CHARS (`message_too_long`)"},
    422: {"description": "Invalid request or an empty message"},
}


@router.post(
    "",
    response_model=ChatResponse,
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ChatRequest.model_json_schema()}},
        }
    },
    summary="Ask the assistant: a reply as JSON, or streamed as Server-Sent Events",
)
async def chat(services: ServicesDep, principal: PrincipalDep, request: Request) -> Response:
    """Resume advice, job search and how to use JobFirst; the FAQ answers common questions directly."""
    body = await _read(request, services.settings.chat_max_message_chars)
    turn = await services.chat.start(principal.subject, body)
    if body.stream if body.stream is not None else _accepts_events(request):
        return EventStream(_named(turn), on_failure=lambda: ("error", _internal_error(turn)))
    answer = await turn.answer()
    # pydantic's serialiser writes the same bytes as JSONResponse(model_dump(mode="json")) in one step
    return Response(answer.model_dump_json(), media_type="application/json")


@router.get("/sessions", response_model=ChatSessionPage, summary="The caller's chat sessions")
async def list_sessions(
    services: ServicesDep,
    principal: PrincipalDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ChatSessionPage:
    """Most recently active first."""
    return await services.chat.sessions(principal.subject, offset=offset, limit=limit)


@router.get(
    "/sessions/{session_id}",
    response_model=ChatSessionDetail,
    responses={404: {"description": "Unknown session, or another user's"}},
    summary="One chat session with its messages",
)
async def read_session(services: ServicesDep, principal: PrincipalDep, session_id: str) -> ChatSessionDetail:
    """Messages oldest first; a reply cut short has `is_complete: false`."""
    return await services.chat.session(principal.subject, session_id)


@router.delete(
    "/sessions/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {"description": "Unknown session, or another user's"}},
    summary="Delete a chat session and its messages",
)
async def delete_session(services: ServicesDep, principal: PrincipalDep, session_id: str) -> Response:
    """Gone for good."""
    await services.chat.delete(principal.subject, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


async def _read(request: Request, max_chars: int) -> ChatRequest:
    limit = max_chars * _BYTES_PER_CHAR
    check_declared_length(request, limit)
    body = await request.body()
    if len(body) > limit + 64 * 1024:
        raise PayloadTooLarge("请求体过大 / The request body is too large.", code="message_too_long")
    try:
        return ChatRequest.model_validate_json(body)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}"
            for item in error.errors()[:3]
        )
        raise ValidationFailed(f"请求不正确 / Invalid request ({problems})") from None


def _accepts_events(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "").lower()


async def _named(turn: ChatTurn) -> AsyncIterator[NamedEvent]:
    async with closing_shielded(turn.events()) as events:
        async for event in events:
            yield _EVENT_NAMES[type(event)], event


def _internal_error(turn: ChatTurn) -> ChatError:
    return ChatError(
        code="internal_error",
        message="服务内部错误 / Internal error; please retry.",
        session_id=turn.session_id,
    )
