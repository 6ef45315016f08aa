"""Job postings: create one or many, page, read, replace, delete, and bulk import (writes need `admin`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response, status
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from jobfirst_ai.api.deps import PrincipalDep, ServicesDep, check_declared_length
from jobfirst_ai.auth import Principal
from jobfirst_ai.errors import Forbidden, PayloadTooLarge, ValidationFailed
from jobfirst_ai.features.matching.importer import decode_lines, import_format, parse_rows
from jobfirst_ai.features.matching.schemas import ImportReport, JobIn, JobOut, JobPage, JobsCreate

router = APIRouter(prefix="/jobs", tags=["jobs"])

_ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, expired or invalid token"},
    403: {"description": "The token lacks the admin role"},
}


def require_admin(principal: PrincipalDep) -> Principal:
    """Postings belong to the platform: only its administrators write them."""
    if not principal.is_admin:
        raise Forbidden("只有管理员可以修改职位 / Only administrators can change job postings.")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]


class JobsCreated(JobsCreate):
    """Postings as stored."""

    items: list[JobOut]  # type: ignore[assignment]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=JobOut | JobsCreated,
    responses=_ADMIN_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"anyOf": [JobIn.model_json_schema(), JobsCreate.model_json_schema()]}
                }
            },
        }
    },
    summary="Store one posting, or many as {items: [...]} (all or none)",
)
async def create_jobs(services: ServicesDep, _: AdminDep, request: Request) -> JobOut | JobsCreated:
    """An existing id is replaced; skills, years and education are read from the text when not given."""
    body = await request.body()
    try:
        if body.lstrip().startswith(b"{") and b'"items"' in body:
            many = JobsCreate.model_validate_json(body)
            return JobsCreated(items=await services.matching.catalog.create(many.items))
        one = JobIn.model_validate_json(body)
    except ValidationError as error:
        raise ValidationFailed(_first_problem(error)) from None
    return (await services.matching.catalog.create([one]))[0]


@router.get("", response_model=JobPage, summary="Page through postings, newest first")
async def list_jobs(
    services: ServicesDep,
    _: PrincipalDep,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    location: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[str | None, Query(max_length=200, description="In title or company")] = None,
) -> JobPage:
    """Every authenticated user reads postings."""
    return await services.matching.catalog.page(offset=offset, limit=limit, location=location, query=q)


@router.get("/{job_id}", response_model=JobOut, responses={404: {"description": "No such posting"}})
async def get_job(services: ServicesDep, _: PrincipalDep, job_id: str) -> JobOut:
    """One posting with the engine's reading of it."""
    return await services.matching.catalog.get(job_id)


@router.put(
    "/{job_id}", response_model=JobOut, responses={**_ADMIN_ERRORS, 404: {"description": "No such posting"}}
)
async def replace_job(services: ServicesDep, _: AdminDep, job_id: str, job: JobIn) -> JobOut:
    """Replace a posting; the match index follows at once on this instance, within a second on others."""
    return await services.matching.catalog.replace(job_id, job)


@router.delete(
    "/{job_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={**_ADMIN_ERRORS, 404: {"description": "No such posting"}},
)
async def delete_job(services: ServicesDep, _: AdminDep, job_id: str) -> Response:
    """Delete a posting; it leaves every instance's match index."""
    await services.matching.catalog.delete(job_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/import",
    response_model=ImportReport,
    responses={
        **_ADMIN_ERRORS,
        413: {"description": "File over the size limit"},
        415: {"description": "Not JSONL or CSV"},
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary", "description": ".jsonl or .csv"}
                        },
                    }
                }
            },
        }
    },
    summary="Bulk import postings from a JSON Lines or CSV upload",
)
async def import_jobs(
    services: ServicesDep,
    _: AdminDep,
    request: Request,
    strict: Annotated[bool, Query(description="Store nothing if any row is rejected")] = False,
) -> ImportReport:
    """Valid rows are stored in one transaction; each rejected row is listed with its reason."""
    limit = services.settings.max_import_bytes
    check_declared_length(request, limit)
    async with request.form(max_files=1, max_fields=2) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise ValidationFailed(
                "请在 `file` 字段上传文件 / Upload the file in the form field `file`.", code="missing_file"
            )
        data = await upload.read(limit + 1)
        kind = import_format(upload.filename, upload.content_type)
    if len(data) > limit:
        raise PayloadTooLarge(f"文件超过 {limit / 1048576:g} MB 的上限 / The file is over the limit.")
    rows = parse_rows(decode_lines(data), kind)
    return await services.matching.catalog.import_rows(rows, is_strict=strict)


def _first_problem(error: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(part) for part in item['loc']) or 'body'}: {item['msg']}"
        for item in error.errors()[:3]
    ]
    return f"职位数据不正确 / Invalid job posting ({'; '.join(problems)})"
