"""What an interview is for: the resume (text, stored resume or analysis) and the job (stored or pasted).

Both are taken exactly as job matching takes them: the same limits on pasted text, the same owner-scoped
reads of stored resumes, stored postings from the matching catalog, and pasted postings read by the engine.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from jobfirst_ai.engine.skills import SkillDictionary
from jobfirst_ai.engine.types import PostingFacts
from jobfirst_ai.errors import NotFound
from jobfirst_ai.features.interview.schemas import JobContext
from jobfirst_ai.features.matching.catalog import JobCatalog
from jobfirst_ai.features.matching.ranker import read_job
from jobfirst_ai.features.matching.schemas import JobIn
from jobfirst_ai.features.resume.service import ResumeText, resume_text

__all__ = ["JobTarget", "ResumeText", "job_target", "resume_text"]


@dataclass(frozen=True)
class JobTarget:
    """The job: what is shown and stored with a session, what the engine read, and its text for checks."""

    context: JobContext
    facts: PostingFacts
    text: str


async def job_target(
    catalog: JobCatalog, job_id: str | None, job: JobIn | None, description: str | None
) -> JobTarget | None:
    """The stored posting `job_id`, the posting `job`, a pasted `description`, or None for no job."""
    if job_id is not None:
        return await _stored(catalog, job_id)
    if job is None and description is None:
        return None
    given = job or JobIn.from_description(description or "")
    return await asyncio.to_thread(_read, given, catalog.dictionary)


async def _stored(catalog: JobCatalog, job_id: str) -> JobTarget:
    posting = await catalog.get(job_id)  # NotFound for an unknown or deleted id
    facts = (await catalog.postings([job_id])).get(job_id)
    if facts is None:  # deleted between the two reads
        raise NotFound(f"没有这个职位 / No job posting with id {job_id!r}.")
    read = facts[1]
    context = JobContext(
        id=posting.id,
        title=posting.title,
        company=posting.company,
        required_skills=read.required_skills,
        preferred_skills=read.preferred_skills,
        years_min=read.years_min,
        education=read.education_level,
    )
    return JobTarget(context, read, f"{posting.title}\n{posting.description}")


def _read(job: JobIn, dictionary: SkillDictionary) -> JobTarget:
    facts = read_job(job, dictionary)
    context = JobContext(
        id=job.id,
        title=job.title,
        company=job.company,
        required_skills=facts.required_skills,
        preferred_skills=facts.preferred_skills,
        years_min=facts.years_min,
        education=facts.education_level,
    )
    return JobTarget(context, facts, f"{job.title}\n{job.description}")
