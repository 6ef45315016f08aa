"""Interview preparation: questions for a resume and a job, and mock interview sessions (owner-scoped).

Questions and a new session take JSON, or a multipart upload whose `file` is the resume with the other
fields as form fields (`job_id` or `job_description`, `count`, `language`). Answers are JSON.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from jobfirst_ai.api.deps import PrincipalDep, ServicesDep, check_declared_length
from jobfirst_ai.api.state import Services
from jobfirst_ai.errors import PayloadTooLarge, ValidationFailed
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
from jobfirst_ai.features.resume.service import ResumeInput

router = APIRouter(prefix="/interview", tags=["interview"])

Body = TypeVar("Body", bound=BaseModel)
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


def _body(schema: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": schema.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                        "additionalProperties": {"type": "string"},
                    }
                },
            },
        }
    }


def _interview(services: Services) -> InterviewService:
    assert services.interview is not None, "start_services builds the interview service"
    return services.interview


@router.post(
    "/questions",
    response_model=QuestionsResponse,
    responses=_ERRORS,
    openapi_extra=_body(QuestionsRequest),
    summary="Typed interview questions for a resume and, optionally, a job",
)
async def interview_questions(
    services: ServicesDep, principal: PrincipalDep, request: Request
) -> QuestionsResponse:
    """Technical, project deep-dive, behavioural and role-fit questions with a difficulty mix, the reason
    each is asked and the key points of a good answer."""
    body = await _read(request, services, QuestionsRequest)
    return await _interview(services).questions(principal.subject, body)


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionResponse,
    responses=_ERRORS,
    openapi_extra=_body(StartSessionRequest),
    summary="Start a mock interview",
)
async def start_session(
    services: ServicesDep, principal: PrincipalDep, request: Request, response: Response
) -> SessionResponse:
    """The session with its first question in `current`; answer it with POST …/answers."""
    body = await _read(request, services, StartSessionRequest)
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
    body = _validated(AnswerRequest, _json(raw))
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


async def _read(request: Request, services: Services, schema: type[Body]) -> Body:
    limit = services.settings.max_upload_bytes
    check_declared_length(request, limit)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        return _validated(schema, await _form_values(request, services, limit))
    return _validated(schema, _json(await request.body()))


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationFailed("请求需为 JSON / The request body must be JSON.") from None


def _validated(schema: type[Body], values: Any) -> Body:
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}"
            for item in error.errors()[:3]
        )
        raise ValidationFailed(f"请求不正确 / Invalid request ({problems})") from None


async def _form_values(request: Request, services: Services, limit: int) -> dict[str, Any]:
    async with request.form(max_files=1, max_fields=20) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ValidationFailed(
                "请在 `file` 字段上传简历 / Upload the resume in the form field `file`.", code="missing_file"
            )
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise PayloadTooLarge(f"文件超过 {limit / 1048576:g} MB 的上限 / The file is over the limit.")
        values: dict[str, Any] = {
            name: value for name, value in form.items() if name != "file" and isinstance(value, str) and value
        }
        given = ResumeInput(data=data, filename=upload.filename, content_type=upload.content_type)
    values["content"] = await _interview(services).text_of_upload(given)
    return values
