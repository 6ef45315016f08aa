"""`jobfirst-ai jobs import FILE` and `jobfirst-ai match RESUME`: postings and matching with no server."""

from __future__ import annotations

import asyncio
import json
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from jobfirst_ai.config import Settings
from jobfirst_ai.errors import JobFirstError

# The matching feature, the worker pool and rich's progress bar load when a command runs, not when the CLI
# starts: `serve` imports this module too, and the service should not hold them.
if TYPE_CHECKING:
    from jobfirst_ai.features.matching.catalog import JobCatalog
    from jobfirst_ai.features.matching.importer import ImportFormat
    from jobfirst_ai.features.matching.schemas import ImportReport, MatchResponse
    from jobfirst_ai.features.resume.service import ResumeInput

PARALLEL_FROM_ROWS = 2000

jobs_app = typer.Typer(help="Job postings.", no_args_is_help=True)


@jobs_app.command("import")
def import_command(
    path: Annotated[Path, typer.Argument(help="JSON Lines (.jsonl) or CSV file of postings")],
    strict: Annotated[bool, typer.Option("--strict", help="Store nothing if any row is rejected")] = False,
) -> None:
    """Import postings into the configured database (one transaction; rejected rows listed with reasons)."""
    from jobfirst_ai.cli.main import settings_or_exit

    settings = settings_or_exit()
    kind = _format_or_exit(path)
    report = asyncio.run(_import(settings, path, kind, strict))
    _print_report(report)
    if report.rejected:
        raise typer.Exit(1)


def match_command(
    resume: Annotated[Path, typer.Argument(help="Resume file: PDF, DOCX, TXT or Markdown")],
    jobs: Annotated[
        Path | None, typer.Option("--jobs", help="Match against this JSONL/CSV instead of the database")
    ] = None,
    top: Annotated[int, typer.Option("--top", min=1, max=50, help="How many postings to show")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON")] = False,
) -> None:
    """Rank postings for a resume, no server needed: stored postings, or the ones in --jobs."""
    from jobfirst_ai.cli.main import settings_or_exit
    from jobfirst_ai.features.resume.service import ResumeInput

    settings = settings_or_exit()
    try:
        data = resume.read_bytes()
    except OSError as error:
        typer.echo(f"jobfirst-ai: cannot read {resume}: {error.strerror}", err=True)
        raise typer.Exit(2) from None
    kind = _format_or_exit(jobs) if jobs else None
    try:
        response = asyncio.run(
            _match(settings, ResumeInput(data=data, filename=resume.name), jobs, kind, top)
        )
    except JobFirstError as error:
        typer.echo(f"jobfirst-ai: {error.message}", err=True)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(response.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        _print_matches(response)


def _format_or_exit(path: Path) -> ImportFormat:
    from jobfirst_ai.features.matching.importer import import_format

    try:
        return import_format(path.name)
    except JobFirstError as error:
        typer.echo(f"jobfirst-ai: {error.message}", err=True)
        raise typer.Exit(2) from None


async def _import(settings: Settings, path: Path, kind: ImportFormat, strict: bool) -> ImportReport:
    async with _catalog(settings) as catalog:
        return await _import_into(catalog, path, kind, strict)


async def _import_into(catalog: JobCatalog, path: Path, kind: ImportFormat, strict: bool) -> ImportReport:
    from rich.progress import Progress

    from jobfirst_ai.features.matching.importer import parse_rows
    from jobfirst_ai.features.matching.workers import ParallelPreparer

    with path.open(encoding="utf-8-sig") as counting:
        total = sum(1 for line in counting if line.strip()) - (1 if kind == "csv" else 0)
    # Worker processes take about a second to start; they pay off only for a big file.
    pool = ParallelPreparer() if total >= PARALLEL_FROM_ROWS else nullcontext(None)
    with (
        path.open(encoding="utf-8-sig", newline="") as lines,
        pool as prepare,
        Progress(console=Console(stderr=True)) as progress,
    ):
        bar = progress.add_task(f"Importing {path.name}", total=max(total, 1))
        return await catalog.import_rows(
            parse_rows(lines, kind),
            is_strict=strict,
            prepare=prepare,
            progress=lambda read: progress.update(bar, completed=read),
        )


async def _match(
    settings: Settings, given: ResumeInput, jobs: Path | None, kind: ImportFormat | None, top: int
) -> MatchResponse:
    if jobs is not None and kind is not None:
        with tempfile.TemporaryDirectory(prefix="jobfirst-match-") as folder:
            scratch = settings.model_copy(update={"database_url": f"sqlite+aiosqlite:///{folder}/jobs.db"})
            async with _catalog(scratch) as catalog:
                report = await _import_into(catalog, jobs, kind, strict=False)
                if report.rejected:
                    _print_report(report)
                return await _run_match(settings, catalog, given, top)
    async with _catalog(settings) as catalog:
        return await _run_match(settings, catalog, given, top)


async def _run_match(settings: Settings, catalog: JobCatalog, given: ResumeInput, top: int) -> MatchResponse:
    from jobfirst_ai.features.matching.schemas import MatchRequest
    from jobfirst_ai.features.matching.semantic import semantic_scorer
    from jobfirst_ai.features.matching.service import MatchService
    from jobfirst_ai.features.resume.enrich import model_backend
    from jobfirst_ai.features.resume.service import Limits
    from jobfirst_ai.llm.router import build_chain  # httpx and the vendors only when this command runs

    chain = build_chain(settings)
    limits = Limits(max_bytes=settings.max_upload_bytes, max_chars=settings.max_text_chars)
    semantic = (
        semantic_scorer(settings, catalog.sessions) if settings.match_embeddings_provider != "none" else None
    )
    service = MatchService(
        catalog,
        limits,
        model_backend(settings, chain),
        semantic=semantic,
        explain_top=settings.match_explain_top,
    )
    try:
        text = await service.text_of_upload(given)
        return await service.match("cli", MatchRequest(content=text, top_k=top))
    finally:
        for backend in chain.backends if chain else []:
            await backend.aclose()
        await service.aclose()


@asynccontextmanager
async def _catalog(settings: Settings) -> AsyncIterator[JobCatalog]:
    from jobfirst_ai.db.migrate import upgrade_database
    from jobfirst_ai.db.session import create_engine, create_session_factory
    from jobfirst_ai.engine.skills import load_skill_dictionary
    from jobfirst_ai.features.matching.catalog import JobCatalog

    database = create_engine(settings.resolved_database_url())
    try:
        await upgrade_database(database)
        catalog = JobCatalog(create_session_factory(database), load_skill_dictionary())
        await catalog.refresh(force=True)
        yield catalog
    finally:
        await database.dispose()


def _print_report(report: ImportReport) -> None:
    console = Console(stderr=True)
    state = "stored" if report.stored else "nothing stored"
    seconds = report.elapsed_ms / 1000
    console.print(f"{report.imported} imported, {len(report.rejected)} rejected ({state}) in {seconds:.1f} s")
    for row in report.rejected[:50]:
        console.print(f"  row {row.row}{f' ({row.id})' if row.id else ''}: {row.reason}")
    if len(report.rejected) > 50:
        console.print(f"  … and {len(report.rejected) - 50} more")


def _print_matches(response: MatchResponse) -> None:
    console = Console()
    zh = response.language == "zh"
    labels = ("匹配", "缺少", "说明") if zh else ("matched", "missing", "why")
    console.print(f"[bold]{len(response.results)} / {response.postings}[/] {'个职位' if zh else 'postings'}")
    for rank, match in enumerate(response.results, start=1):
        job = match.job
        where = " · ".join(part for part in (job.company, job.location) if part)
        console.print(f"\n[bold]{rank}. {match.score}[/]  {job.title}  {where}  [dim]{job.id}[/]")
        console.print(f"   {labels[0]}: {', '.join(match.matched_skills) or '-'}")
        console.print(f"   {labels[1]}: {', '.join(match.missing_skills) or '-'}")
        console.print(f"   {labels[2]}: {match.explanation}")
    if response.degraded:
        console.print(f"[yellow]model unavailable, the engine explained: {response.degraded_reason}[/]")
