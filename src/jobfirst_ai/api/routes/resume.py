"""Resume analysis endpoints: the seed's start-analysis (202 + task), its status, and a synchronous form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from jobfirst_ai.api.deps import PrincipalDep, ResumeInputDep, ServicesDep
from jobfirst_ai.features.resume.schemas import (
    AnalysisResult,
    AnalysisTask,
    AnalyzeRequest,
    BatchRequest,
    BatchResponse,
    OptimizeResult,
    TaskAccepted,
)

router = APIRouter(tags=["resume"])

# A query parameter, so it works the same for JSON, multipart and plain-text bodies.
RefreshParam = Annotated[
    bool,
    Query(description="Analyse anew even when a stored analysis of the same input exists (and store it)"),
]

_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": AnalyzeRequest.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": "PDF, DOCX, TXT or MD"},
                        "language": {"type": "string", "enum": ["zh", "en"]},
                        "target_job": {"type": "string", "description": "optimisation only"},
                    },
                }
            },
            "text/plain": {"schema": {"type": "string"}},
        },
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing, expired or invalid token"},
    413: {"description": "File over the size limit"},
    415: {"description": "Not a PDF, DOCX, TXT or Markdown file"},
    422: {"description": "Empty, scanned, encrypted or corrupt document, or invalid JSON"},
}


class AnalyzeResponse(AnalysisResult):
    """A synchronous analysis with the ids it was stored under."""

    analysis_id: str
    resume_id: str
    reused: bool = False


@router.post(
    "/start-analysis",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TaskAccepted,
    openapi_extra=_BODY,
    responses=_ERRORS,
    summary="Queue a resume analysis (durable task)",
)
async def start_analysis(
    services: ServicesDep,
    principal: PrincipalDep,
    given: ResumeInputDep,
    response: Response,
    refresh: RefreshParam = False,
) -> TaskAccepted:
    """Accept a resume; the task is stored before this answers, so it survives a crash or restart.
    The caller's finished analysis of the same input is answered at once (`reused`) unless `refresh`."""
    analysis = await services.resumes.submit(principal.subject, given, refresh=refresh)
    response.headers["Location"] = f"/api/v1/ai/analyses/{analysis.id}"
    reused = analysis.status != "queued"
    return TaskAccepted(
        task_id=analysis.id, status=analysis.status, resume_id=analysis.resume_id, reused=reused
    )


@router.get(
    "/analyses/{analysis_id}", response_model=AnalysisTask, responses={404: {"description": "No such task"}}
)
async def get_analysis(services: ServicesDep, principal: PrincipalDep, analysis_id: str) -> AnalysisTask:
    """The task's status and, when it has succeeded, its result."""
    return await services.resumes.get(principal.subject, analysis_id)


@router.post(
    "/resume/analyze",
    response_model=AnalyzeResponse,
    openapi_extra=_BODY,
    responses=_ERRORS,
    summary="Analyse a resume and answer at once",
)
async def analyze_resume(
    services: ServicesDep, principal: PrincipalDep, given: ResumeInputDep, refresh: RefreshParam = False
) -> Response:
    """Same input as start-analysis; the result is also stored and readable at its Location. The caller's
    stored analysis of the same input is answered again (`reused`) unless `refresh`."""
    done = await services.resumes.analyze_now(principal.subject, given, refresh=refresh)
    analysis = done.analysis
    # The result was validated when it was built; answering with its JSON directly skips a dump and two
    # re-validations (~5% of the service's CPU under load).
    answer = AnalyzeResponse.model_construct(
        **dict(done.result), analysis_id=analysis.id, resume_id=analysis.resume_id, reused=done.reused
    ).model_dump_json()
    return Response(
        answer, media_type="application/json", headers={"Location": f"/api/v1/ai/analyses/{analysis.id}"}
    )


@router.post(
    "/resume/optimize",
    response_model=OptimizeResult,
    openapi_extra=_BODY,
    responses=_ERRORS,
    summary="Rewrite weak bullets (original → improved), optionally for a target job",
)
async def optimize_resume(
    services: ServicesDep, principal: PrincipalDep, given: ResumeInputDep
) -> OptimizeResult:
    """Same input as analysis plus `target_job`; every rewrite is checked to add no invented facts."""
    return await services.resumes.optimize(principal.subject, given)


@router.post(
    "/resume/analyze/batch",
    response_model=BatchResponse,
    responses={401: _ERRORS[401], 422: {"description": "Invalid JSON, or more than 50 items"}},
    summary="Analyse up to 50 resumes in one call",
)
async def analyze_batch(
    services: ServicesDep, principal: PrincipalDep, request: BatchRequest, refresh: RefreshParam = False
) -> BatchResponse:
    """Items run concurrently within the provider limits; one bad item gets an error, not a failed batch.
    Each item reuses the caller's stored analysis of the same input unless `refresh`."""
    return await services.resumes.analyze_batch(principal.subject, request, refresh=refresh)
