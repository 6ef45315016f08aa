"""Interview preparation: questions for a resume and a job, and mock interview sessions (owner-scoped).

Questions and a new session take JSON, or a multipart upload whose `file` is the resume with the other
fields as form fields (`job_id` or `job_description`, `count`, `language`). Answers are JSON.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status

from jobfirst_ai.api.deps import (
    PrincipalDep,
    ServicesDep,
    read_body_with_resume,
    resume_body_openapi,
    validated_json,
)
from jobfirst_ai.api.state import Services
from jobfirst_ai.features.interview.schemas import (
    MAX_ANSWER_CHARS,
    AnswerRequest,
    AnswerResponse,
    QuestionsRequest,
    QuestionsResponse,
    SessionResponse,
    StartSessionRequest,
)
from jobfirst_ai.features.interview.service import InterviewService, answer_too_long

router = APIRouter(prefix="/interview", tags=["interview"])

SessionId = Annotated[str, Path(max_length=64)]

# JSON escapes (\uXXXX) make an answer's body at most about six bytes a character.
_ANSWER_BODY_BYTES = 6 * MAX_ANSWER_CHARS + 1024
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, expired or invalid token"},
    404: {"description": "Unknown resume, analysis, job or session id (or another user's)"},
    413: {"description": "Resume file or text over the size limit"},
    415: {"description": "Not a PDF, DOCX, TXT or Markdown file"},
    422: {"description": "Invalid request, or an unreadable resume"},
}
_ANSWER_ERRORS: dict[int | str, dict[str, Any]] = {
    401: _ERRORS[401],
    404: {"description": "Unknown session id (or another user's)"},
    409: {"description": "Another answer came first (stale `version`), or the session has finished"},
    413: {"description": f"Answer over {MAX_ANSWER_CHARS} characters"},
    422: {"description": "Invalid request"},
}


def _interview(services: Services) -> InterviewService:
    assert services.interview is not None, "start_services builds the interview service"
    return services.interview


@router.post(
    "/questions",
    response_model=QuestionsResponse,
    responses=_ERRORS,
    openapi_extra=resume_body_openapi(QuestionsRequest),
    summary="Typed interview questions for a resume and, optionally, a job",
)
async def interview_questions(
    services: ServicesDep, principal: PrincipalDep, request: Request
) -> QuestionsResponse:
    """Technical, project deep-dive, behavioural and role-fit questions with a difficulty mix, the reason
    each is asked and the key points of a good answer."""
    body = await read_body_with_resume(request, services, QuestionsRequest)
    return await _interview(services).questions(principal.subject, body)


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionResponse,
    responses=_ERRORS,
    openapi_extra=resume_body_openapi(StartSessionRequest),
    summary="Start a mock interview",
)
async def start_session(
    services: ServicesDep, principal: PrincipalDep, request: Request, response: Response
) -> SessionResponse:
    """The session with its first question in `current`; answer it with POST …/answers."""
    body = await read_body_with_resume(request, services, StartSessionRequest)
    session = await _interview(services).start(principal.subject, body)
    response.headers["Location"] = f"/api/v1/ai/interview/sessions/{session.id}"
    return session


@router.get(
    "/sessions/{session_id}",
    response_model=SessionResponse,
    responses={401: _ERRORS[401], 404: _ANSWER_ERRORS[404]},
    summary="A session: the current question, the transcript, the report",
)
async def get_session(
    services: ServicesDep, principal: PrincipalDep, session_id: SessionId
) -> SessionResponse:
    """Only the user who started a session can read it."""
    return await _interview(services).get(principal.subject, session_id)


@router.post(
    "/sessions/{session_id}/answers",
    response_model=AnswerResponse,
    responses=_ANSWER_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": AnswerRequest.model_json_schema()}},
        }
    },
    summary="Answer the current question: its grade, and the next question or the report",
)
async def answer_question(
    services: ServicesDep, principal: PrincipalDep, session_id: SessionId, request: Request
) -> AnswerResponse:
    """A weak answer is followed by a follow-up question; the last answer finishes the session."""
    raw = await request.body()
    if len(raw) > _ANSWER_BODY_BYTES:
        raise answer_too_long()
    body = validated_json(raw, AnswerRequest)
    return await _interview(services).answer(principal.subject, session_id, body)


@router.post(
    "/sessions/{session_id}/finish",
    response_model=SessionResponse,
    responses={401: _ERRORS[401], 404: _ANSWER_ERRORS[404], 409: _ANSWER_ERRORS[409]},
    summary="End a session now and get its report",
)
async def finish_session(
    services: ServicesDep, principal: PrincipalDep, session_id: SessionId
) -> SessionResponse:
    """Questions not yet answered count as unanswered; finishing twice returns the same report."""
    return await _interview(services).finish(principal.subject, session_id)
