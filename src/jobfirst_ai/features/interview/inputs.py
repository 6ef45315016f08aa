"""What an interview is for: the resume (text, stored resume or analysis) and the job (stored or pasted).

Both are taken exactly as job matching takes them: the same limits on pasted text, the same owner-scoped
reads of stored resumes, stored postings from the matching catalog, and pasted postings read by the engine.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from jobfirst_ai.db import repositories
from jobfirst_ai.db.session import SessionFactory
from jobfirst_ai.engine.postings import read_posting
from jobfirst_ai.engine.skills import SkillDictionary
from jobfirst_ai.engine.types import PostingFacts
from jobfirst_ai.errors import NotFound
from jobfirst_ai.features.interview.schemas import JobContext
from jobfirst_ai.features.matching.catalog import JobCatalog
from jobfirst_ai.features.matching.schemas import JobIn
from jobfirst_ai.features.resume.service import Limits, ResumeInput, prepare_resume


@dataclass(frozen=True)
class ResumeText:
    """The resume's text, and its stored id when it came from the database."""

    text: str
    resume_id: str | None


@dataclass(frozen=True)
class JobTarget:
    """The job: what is shown and stored with a session, what the engine read, and its text for checks."""

    context: JobContext
    facts: PostingFacts
    text: str


async def resume_text(
    sessions: SessionFactory,
    limits: Limits,
    owner: str,
    *,
    content: str | None,
    resume_id: str | None,
    analysis_id: str | None,
) -> ResumeText:
    """Pasted text (checked against the limits), or the owner's stored resume by its id or an analysis id."""
    if content is not None:
        prepared = await asyncio.to_thread(prepare_resume, ResumeInput(text=content), limits)
        return ResumeText(prepared.text, None)
    async with sessions() as session:
        if analysis_id is not None:
            analysis = await repositories.find_analysis(session, analysis_id, owner)
            resume_id = analysis.resume_id if analysis else None
        resume = await repositories.find_resume(session, resume_id, owner) if resume_id else None
    if resume is None:
        raise NotFound("找不到该简历 / No such resume or analysis.")
    return ResumeText(resume.text, resume.id)


async def job_target(
    catalog: JobCatalog, job_id: str | None, job: JobIn | None, description: str | None
) -> JobTarget | None:
    """The stored posting `job_id`, the posting `job`, a pasted `description`, or None for no job."""
    if job_id is not None:
        return await _stored(catalog, job_id)
    if job is None and description is None:
        return None
    given = job or _pasted(description or "")
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
    facts = read_posting(
        job.title,
        job.description,
        dictionary,
        required=job.required_skills,
        preferred=job.preferred_skills,
        years_min=job.years_min,
        education_level=job.education,
    )
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


def _pasted(description: str) -> JobIn:
    first_line = next((line.strip() for line in description.splitlines() if line.strip()), "")
    return JobIn(title=first_line[:300] or "-", description=description)
