"""Job matching: ranked postings for a resume, and a gap analysis of one resume for one posting.

Both take JSON, or a multipart upload whose `file` is the resume (PDF, DOCX, TXT, MD) with the other
fields as form fields (`filters` as their own fields: `locations` and `tags` comma-separated).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from jobfirst_ai.api.deps import PrincipalDep, ServicesDep, read_body_with_resume, resume_body_openapi
from jobfirst_ai.features.matching.schemas import GapRequest, GapResponse, MatchRequest, MatchResponse

router = APIRouter(tags=["matching"])


_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, expired or invalid token"},
    404: {"description": "Unknown resume, analysis or job id"},
    413: {"description": "Resume file over the size limit"},
    415: {"description": "Not a PDF, DOCX, TXT or Markdown file"},
    422: {"description": "Invalid request, or an unreadable resume"},
}
_FILTER_FIELDS = ("locations", "tags", "salary_min", "salary_max")
_LIST_FIELDS = ("locations", "tags")


@router.post(
    "/job-match",
    response_model=MatchResponse,
    responses=_ERRORS,
    openapi_extra=resume_body_openapi(MatchRequest),
    summary="Rank the stored postings for a resume",
)
async def match_jobs(services: ServicesDep, principal: PrincipalDep, request: Request) -> MatchResponse:
    """The `top_k` best postings with the score's parts, matched and missing skills, and explanations."""
    body = await read_body_with_resume(request, services, MatchRequest, _filters)
    return await services.matching.match(principal.subject, body)


@router.post(
    "/job-match/gap",
    response_model=GapResponse,
    responses=_ERRORS,
    openapi_extra=resume_body_openapi(GapRequest),
    summary="Gap analysis of one resume for one posting (stored, or pasted)",
)
async def job_gap(services: ServicesDep, principal: PrincipalDep, request: Request) -> GapResponse:
    """Required and preferred skills the resume lacks, years and education against the ask, and advice."""
    body = await read_body_with_resume(request, services, GapRequest)
    return await services.matching.gap(principal.subject, body)


def _filters(fields: dict[str, Any]) -> dict[str, Any]:
    """Form fields → the request's shape: `locations` and `tags` comma-separated, grouped under `filters`."""
    values = {name: value for name, value in fields.items() if name not in _FILTER_FIELDS}
    filters: dict[str, Any] = {name: fields[name] for name in _FILTER_FIELDS if name in fields}
    for name in _LIST_FIELDS:
        if name in filters:
            filters[name] = [item.strip() for item in fields[name].split(",") if item.strip()]
    if filters:
        values["filters"] = filters
    return values
