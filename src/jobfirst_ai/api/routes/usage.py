"""Model usage: the caller's own, or (admin) everyone's with a per-user breakdown."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from jobfirst_ai.api.deps import PrincipalDep, ServicesDep
from jobfirst_ai.features.usage.schemas import Period, UsageReport

router = APIRouter(tags=["usage"])


@router.get(
    "/usage",
    response_model=UsageReport,
    summary="Model calls, tokens, response times and estimated cost over the current UTC day or month",
    responses={401: {"description": "Missing, expired or invalid token"}},
)
async def get_usage(
    services: ServicesDep,
    principal: PrincipalDep,
    period: Annotated[Period, Query(description="`day` (UTC today) or `month` (UTC month to date)")] = "day",
) -> UsageReport:
    """A user sees their own calls; an admin sees everyone's and `by_user` (by opaque user tag)."""
    return await services.usage.report(period, owner=None if principal.is_admin else principal.subject)
