"""`jobfirst-ai interview RESUME`: a mock interview in the terminal, no server needed.

Each question is printed; the answer is read from standard input up to an empty line; the grade, the
feedback and the next question (a follow-up after a weak answer) follow, and the report at the end. End of
input finishes the session early. The session is stored in the configured database like the API's.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final, NoReturn, TextIO

import typer

from jobfirst_ai.config import Settings
from jobfirst_ai.engine.types import Language
from jobfirst_ai.errors import JobFirstError
from jobfirst_ai.features.interview.schemas import (
    MAX_QUESTIONS,
    AnswerRequest,
    AskedQuestion,
    Grade,
    Report,
    StartSessionRequest,
)
from jobfirst_ai.features.interview.service import InterviewService
from jobfirst_ai.features.resume.service import ResumeInput

OWNER: Final = "cli"
_LABELS: Final = {
    "zh": {
        "question": "问题",
        "follow_up": "追问",
        "prompt": "（输入回答，空行结束）",
        "score": "得分",
        "report": "面试报告",
        "overall": "总分",
        "strengths": "做得好的",
        "practise": "需要练习",
        "degraded": "模型不可用，由内置引擎评分",
    },
    "en": {
        "question": "Question",
        "follow_up": "Follow-up",
        "prompt": "(type your answer; an empty line ends it)",
        "score": "Score",
        "report": "Interview report",
        "overall": "Overall",
        "strengths": "Done well",
        "practise": "To practise",
        "degraded": "the model was unavailable; the built-in engine graded",
    },
}


def interview_command(
    resume: Annotated[Path, typer.Argument(help="Resume file: PDF, DOCX, TXT or Markdown")],
    job: Annotated[
        str | None, typer.Option("--job", help="The job: a file with its description, or the text itself")
    ] = None,
    job_id: Annotated[str | None, typer.Option("--job-id", help="A posting stored in the database")] = None,
    count: Annotated[int, typer.Option("--count", min=1, max=MAX_QUESTIONS, help="Questions planned")] = 5,
    language: Annotated[
        str | None, typer.Option("--language", help="zh or en (default: the resume's language)")
    ] = None,
) -> None:
    """Run a mock interview: answer each question, get a grade and feedback, and a report at the end."""
    from jobfirst_ai.cli.main import settings_or_exit

    settings = settings_or_exit()
    if language not in (None, "zh", "en"):
        _fail("--language must be zh or en", 2)
    if job is not None and job_id is not None:
        _fail("give --job or --job-id, not both", 2)
    try:
        data = resume.read_bytes()
    except OSError as error:
        _fail(f"cannot read {resume}: {error.strerror}", 2)
    start = _Start(
        ResumeInput(data=data, filename=resume.name), _job_text(job), job_id, count, _as_language(language)
    )
    try:
        asyncio.run(_interview(settings, start, typer.get_text_stream("stdin")))
    except JobFirstError as error:
        _fail(error.message, 1)


@dataclass(frozen=True)
class _Start:
    """What the command was asked to run."""

    given: ResumeInput
    job: str | None
    job_id: str | None
    count: int
    language: Language | None


async def _interview(settings: Settings, start: _Start, answers: TextIO) -> None:
    async with _service(settings) as service:
        text = await service.text_of_upload(start.given)
        request = StartSessionRequest(
            content=text,
            job_id=start.job_id,
            job_description=start.job,
            count=start.count,
            language=start.language,
        )
        session = await service.start(OWNER, request)
        labels = _LABELS[session.language]
        current, version = session.current, session.version
        while current is not None:
            _print_question(current, labels)
            answer = _read_answer(answers)
            if answer is None:
                finished = await service.finish(OWNER, session.id)
                _print_report(finished.report, labels)
                return
            result = await service.answer(OWNER, session.id, AnswerRequest(answer=answer, version=version))
            _print_grade(result.grade, labels, result.degraded)
            current, version = result.next_question, result.version
            if result.finished:
                _print_report(result.report, labels)


@asynccontextmanager
async def _service(settings: Settings) -> AsyncIterator[InterviewService]:
    from jobfirst_ai.db.migrate import upgrade_database
    from jobfirst_ai.db.session import create_engine, create_session_factory
    from jobfirst_ai.engine.skills import load_skill_dictionary
    from jobfirst_ai.features.matching.catalog import JobCatalog
    from jobfirst_ai.features.resume.enrich import model_backend
    from jobfirst_ai.features.resume.service import Limits
    from jobfirst_ai.llm.router import build_chain  # httpx and the vendors only when this command runs

    database = create_engine(settings.resolved_database_url())
    chain = build_chain(settings)
    try:
        await upgrade_database(database)
        sessions = create_session_factory(database)
        catalog = JobCatalog(sessions, load_skill_dictionary())
        limits = Limits(max_bytes=settings.max_upload_bytes, max_chars=settings.max_text_chars)
        yield InterviewService(sessions, catalog, limits, model_backend(settings, chain))
    finally:
        for backend in chain.backends if chain else []:
            await backend.aclose()
        await database.dispose()


def _read_answer(stream: TextIO) -> str | None:
    """Lines up to an empty line; None at the end of input with nothing typed."""
    lines: list[str] = []
    while True:
        line = stream.readline()
        if not line:
            return "\n".join(lines) if lines else None
        if not line.strip():
            return "\n".join(lines)
        lines.append(line.rstrip("\n"))


def _print_question(question: AskedQuestion, labels: dict[str, str]) -> None:
    kind = labels["follow_up"] if question.is_follow_up else labels["question"]
    typer.echo(f"\n{kind} {question.number}: {question.text}")
    typer.echo(f"  {labels['prompt']}")


def _print_grade(grade: Grade, labels: dict[str, str], is_degraded: bool) -> None:
    parts = ", ".join(f"{part.name} {part.score}/{part.max_score}" for part in grade.parts)
    typer.echo(f"{labels['score']}: {grade.score}/100 ({grade.verdict}; {parts}; {grade.grader})")
    typer.echo(grade.feedback)
    if is_degraded:
        typer.echo(f"({labels['degraded']})")


def _print_report(report: Report | None, labels: dict[str, str]) -> None:
    if report is None:
        return
    typer.echo(f"\n== {labels['report']} ==")
    typer.echo(f"{labels['overall']}: {report.overall}/100. {report.summary}")
    for item in report.per_question:
        typer.echo(f"  {item.number}. {item.score:>3}  {item.verdict:<9} {item.text}")
    for title, lines in ((labels["strengths"], report.strengths), (labels["practise"], report.practise)):
        if lines:
            typer.echo(f"{title}:")
            for line in lines:
                typer.echo(f"  - {line}")


def _job_text(job: str | None) -> str | None:
    if job is None:
        return None
    path = Path(job)
    try:
        return path.read_text(encoding="utf-8") if len(job) < 1024 and path.is_file() else job
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"cannot read {job}: {error}", 2)


def _as_language(value: str | None) -> Language | None:
    return "zh" if value == "zh" else "en" if value == "en" else None


def _fail(message: str, status: int) -> NoReturn:
    typer.echo(f"jobfirst-ai: {message}", err=True)
    raise typer.Exit(status)
