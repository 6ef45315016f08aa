"""Job matching: ranked postings for a resume, and a gap analysis of one resume for one posting.

Both take JSON, or a multipart upload whose `file` is the resume (PDF, DOCX, TXT, MD) with the other
fields as form fields (`filters` as their own fields: `locations` and `tags` comma-separated).
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from jobfirst_ai.api.deps import PrincipalDep, ServicesDep, check_declared_length
from jobfirst_ai.api.state import Services
from jobfirst_ai.errors import PayloadTooLarge, ValidationFailed
from jobfirst_ai.features.matching.schemas import GapRequest, GapResponse, MatchRequest, MatchResponse
from jobfirst_ai.features.resume.service import ResumeInput

router = APIRouter(tags=["matching"])

Body = TypeVar("Body", bound=BaseModel)

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, expired or invalid token"},
    404: {"description": "Unknown resume, analysis or job id"},
    413: {"description": "Resume file over the size limit"},
    415: {"description": "Not a PDF, DOCX, TXT or Markdown file"},
    422: {"description": "Invalid request, or an unreadable resume"},
}
_FILTER_FIELDS = ("locations", "tags", "salary_min", "salary_max")
_LIST_FIELDS = ("locations", "tags")


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


@router.post(
    "/job-match",
    response_model=MatchResponse,
    responses=_ERRORS,
    openapi_extra=_body(MatchRequest),
    summary="Rank the stored postings for a resume",
)
async def match_jobs(services: ServicesDep, principal: PrincipalDep, request: Request) -> MatchResponse:
    """The `top_k` best postings with the score's parts, matched and missing skills, and explanations."""
    body = await _read(request, services, MatchRequest)
    return await services.matching.match(principal.subject, body)


@router.post(
    "/job-match/gap",
    response_model=GapResponse,
    responses=_ERRORS,
    openapi_extra=_body(GapRequest),
    summary="Gap analysis of one resume for one posting (stored, or pasted)",
)
async def job_gap(services: ServicesDep, principal: PrincipalDep, request: Request) -> GapResponse:
    """Required and preferred skills the resume lacks, years and education against the ask, and advice."""
    body = await _read(request, services, GapRequest)
    return await services.matching.gap(principal.subject, body)


async def _read(request: Request, services: Services, schema: type[Body]) -> Body:
    limit = services.settings.max_upload_bytes
    check_declared_length(request, limit)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        values = await _form_values(request, services, limit)
    else:
        try:
            values = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ValidationFailed("请求需为 JSON / The request body must be JSON.") from None
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
        fields = {
            name: value for name, value in form.items() if name != "file" and isinstance(value, str) and value
        }
        given = ResumeInput(data=data, filename=upload.filename, content_type=upload.content_type)
    values: dict[str, Any] = {name: value for name, value in fields.items() if name not in _FILTER_FIELDS}
    filters: dict[str, Any] = {name: fields[name] for name in _FILTER_FIELDS if name in fields}
    for name in _LIST_FIELDS:
        if name in filters:
            filters[name] = [item.strip() for item in fields[name].split(",") if item.strip()]
    if filters:
        values["filters"] = filters
    values["content"] = await services.matching.text_of_upload(given)
    return values
