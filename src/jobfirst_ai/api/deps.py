"""Request dependencies: the process's services, the caller, and the resume a request carries."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from jobfirst_ai.api.state import Services
from jobfirst_ai.auth import Principal
from jobfirst_ai.engine.types import Language
from jobfirst_ai.errors import PayloadTooLarge, UnsupportedFileType, ValidationFailed
from jobfirst_ai.features.resume.enrich import user_tag
from jobfirst_ai.features.resume.schemas import AnalyzeRequest
from jobfirst_ai.features.resume.service import Limits, ResumeInput, prepare_resume

_bearer = HTTPBearer(auto_error=False, description="JobFirst platform JWT (HS256 or RS256)")

# Multipart framing and JSON escaping make a body somewhat larger than the file or text it carries.
_BODY_OVERHEAD = 64 * 1024


# The dependencies below are `async def` although they never await: FastAPI runs a plain `def` dependency
# in a worker thread, and the hop there and back cost ~0.1 ms of CPU each, more than their work.
async def get_services(request: Request) -> Services:
    """The services built in the lifespan."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_principal(
    services: ServicesDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    """The caller named by the bearer token (the anonymous user when auth is off)."""
    return services.verifier.verify(credentials.credentials if credentials else None)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def enforce_rate_limits(request: Request, services: ServicesDep, principal: PrincipalDep) -> None:
    """The caller's per-user limits, on every POST of the AI routers (429 with Retry-After past them)."""
    limiter = services.limiter
    if limiter is None or not limiter.is_enabled or request.method != "POST":
        return
    await limiter.check(user_tag(principal.subject))


async def read_resume_input(request: Request, services: ServicesDep) -> ResumeInput:
    """A resume from JSON `{"content"}`, a multipart `file` upload, or a text/plain body."""
    limit = services.settings.max_upload_bytes
    check_declared_length(request, limit)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        return await _read_upload(request, limit)
    body = await request.body()
    if len(body) > limit + _BODY_OVERHEAD:
        raise PayloadTooLarge(f"请求体超过上限 / The request body is over the {limit // 1048576} MB limit.")
    if media_type in ("application/json", ""):
        return _read_json(body)
    if media_type in ("text/plain", "text/markdown"):
        return ResumeInput(text=_decode_text(body))
    raise UnsupportedFileType(
        "请以 JSON、multipart 文件或纯文本提交简历 / "
        'Send JSON {"content"}, a multipart `file`, or text/plain.',
        code="unsupported_media_type",
    )


ResumeInputDep = Annotated[ResumeInput, Depends(read_resume_input)]


def check_declared_length(request: Request, limit: int) -> None:
    """Refuse a body whose declared length is over the limit before reading it."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + _BODY_OVERHEAD:
        raise PayloadTooLarge(f"文件超过上限 / The upload is over the {limit / 1048576:g} MB limit.")


def _read_json(body: bytes) -> ResumeInput:
    try:
        parsed = AnalyzeRequest.model_validate_json(body)
    except ValidationError as error:
        fields = ", ".join(".".join(str(part) for part in item["loc"]) or "body" for item in error.errors())
        raise ValidationFailed(
            f'请求需为 JSON：{{"content": "简历文字"}} / Expected JSON {{"content": "..."}} ({fields})',
        ) from None
    return ResumeInput(
        text=parsed.content, filename=parsed.filename, language=parsed.language, target_job=parsed.target_job
    )


def _decode_text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValidationFailed(
            "文本需为 UTF-8 编码 / A text/plain body must be UTF-8.", code="bad_encoding"
        ) from None


async def _read_upload(request: Request, limit: int) -> ResumeInput:
    async with request.form(max_files=1, max_fields=5) as form:
        upload = form.get("file")
        language = form.get("language")
        target_job = form.get("target_job")
        if not isinstance(upload, UploadFile):
            raise ValidationFailed(
                "请在 `file` 字段上传简历文件 / Upload the resume in the form field `file`.",
                code="missing_file",
            )
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise PayloadTooLarge(f"文件超过 {limit / 1048576:g} MB 的上限 / The file is over the limit.")
        return ResumeInput(
            data=data,
            filename=upload.filename,
            content_type=upload.content_type,
            language=_language(language),
            target_job=target_job if isinstance(target_job, str) and target_job.strip() else None,
        )


_LANGUAGES: dict[object, Language | None] = {None: None, "": None, "auto": None, "zh": "zh", "en": "en"}


def _language(value: object) -> Language | None:
    if value in _LANGUAGES:
        return _LANGUAGES[value]
    raise ValidationFailed(
        "language 只能是 zh 或 en / `language` must be zh or en.",
    )


Body = TypeVar("Body", bound=BaseModel)


def resume_body_openapi(schema: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI for a body read by `read_body_with_resume`: the JSON schema, or a form with a resume `file`."""
    form = {
        "type": "object",
        "required": ["file"],
        "properties": {"file": {"type": "string", "format": "binary", "description": "PDF, DOCX, TXT or MD"}},
        "additionalProperties": {"type": "string"},
    }
    content = {
        "application/json": {"schema": schema.model_json_schema()},
        "multipart/form-data": {"schema": form},
    }
    return {"requestBody": {"required": True, "content": content}}


async def read_body_with_resume(
    request: Request,
    services: Services,
    schema: type[Body],
    shape: Callable[[dict[str, Any]], dict[str, Any]] = dict,
) -> Body:
    """`schema` from a JSON body, or from a multipart form whose `file` is the resume (its text becomes
    `content`; `shape` turns the other form fields into the schema's structure)."""
    limit = services.settings.max_upload_bytes
    check_declared_length(request, limit)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "multipart/form-data":
        return validated_json(await request.body(), schema)
    fields, content = await _form_with_resume(request, services, limit)
    return validated({**shape(fields), "content": content}, schema)


def validated_json(raw: bytes, schema: type[Body]) -> Body:
    """`schema` from a JSON body; 422 with the first problems named otherwise."""
    try:
        values = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationFailed("请求需为 JSON / The request body must be JSON.") from None
    return validated(values, schema)


def validated(values: Any, schema: type[Body]) -> Body:
    """`schema` from parsed values; 422 with the first three problems named otherwise."""
    try:
        return schema.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}"
            for item in error.errors()[:3]
        )
        raise ValidationFailed(f"请求不正确 / Invalid request ({problems})") from None


async def _form_with_resume(request: Request, services: Services, limit: int) -> tuple[dict[str, Any], str]:
    async with request.form(max_files=1, max_fields=20) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ValidationFailed(
                "请在 `file` 字段上传简历 / Upload the resume in the form field `file`.", code="missing_file"
            )
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise PayloadTooLarge(f"文件超过 {limit / 1048576:g} MB 的上限 / The file is over the limit.")
        fields: dict[str, Any] = {
            name: value for name, value in form.items() if name != "file" and isinstance(value, str) and value
        }
        given = ResumeInput(data=data, filename=upload.filename, content_type=upload.content_type)
    limits = Limits(max_bytes=limit, max_chars=services.settings.max_text_chars)
    return fields, (await asyncio.to_thread(prepare_resume, given, limits)).text
