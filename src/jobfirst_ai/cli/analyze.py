"""`jobfirst-ai analyze PATH...`: the API's analysis, run locally with no server."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from jobfirst_ai.cli.model_chain import command_chain
from jobfirst_ai.config import Settings
from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.engine.types import Language
from jobfirst_ai.errors import JobFirstError
from jobfirst_ai.features.resume.analysis import ResumeAnalyzer
from jobfirst_ai.features.resume.enrich import model_backend
from jobfirst_ai.features.resume.report import render_report
from jobfirst_ai.features.resume.schemas import AnalysisResult
from jobfirst_ai.features.resume.service import Limits, ResumeInput, prepare_resume

Outcome = AnalysisResult | JobFirstError


def analyze_command(
    paths: Annotated[list[Path], typer.Argument(help="Resume files: PDF, DOCX, TXT or Markdown")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON instead of a report")] = False,
    language: Annotated[
        str | None, typer.Option(help="Language of summary and suggestions: zh or en")
    ] = None,
) -> None:
    """Analyse resumes locally, no server needed: the built-in engine, plus the model chain if configured."""
    from jobfirst_ai.cli.main import settings_or_exit

    settings = settings_or_exit()
    if language not in (None, "zh", "en"):
        raise typer.BadParameter("language must be zh or en")
    outcomes = asyncio.run(analyze_files(paths, settings, language))  # type: ignore[arg-type]
    _print(outcomes, as_json)
    if any(isinstance(outcome, JobFirstError) for _, outcome in outcomes):
        raise typer.Exit(1)


async def analyze_files(
    paths: list[Path], settings: Settings, language: Language | None
) -> list[tuple[Path, Outcome]]:
    """Every file, concurrently within AI_MAX_CONCURRENCY, with a progress bar for more than one. Model
    calls are metered into the usage table and count against the budgets, as the service's do."""
    async with command_chain(settings, needs_database=False) as command:
        analyzer = ResumeAnalyzer(load_skill_dictionary(), model_backend(settings, command.chain))
        limits = Limits(max_bytes=settings.max_upload_bytes, max_chars=settings.max_text_chars)
        gate = asyncio.Semaphore(settings.ai_max_concurrency)
        with Progress(transient=True, disable=len(paths) < 2) as progress:
            bar = progress.add_task("Analysing", total=len(paths))

            async def one(path: Path) -> tuple[Path, Outcome]:
                async with gate:
                    outcome = await analyze_file(path, analyzer, limits, language)
                progress.advance(bar)
                return path, outcome

            return list(await asyncio.gather(*(one(path) for path in paths)))


async def analyze_file(
    path: Path, analyzer: ResumeAnalyzer, limits: Limits, language: Language | None
) -> Outcome:
    """One file's result, or the same error the API would answer with."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return JobFirstError(f"cannot read {path}: {error.strerror}", code="unreadable_path")
    try:
        prepared = await asyncio.to_thread(prepare_resume, ResumeInput(data=data, filename=path.name), limits)
        result = await analyzer.run(prepared.text, today=date.today(), language=language, owner="cli")
    except JobFirstError as error:
        return error
    result.timings_ms["extract"] = prepared.extract_ms
    return result


def _print(outcomes: list[tuple[Path, Outcome]], as_json: bool) -> None:
    if as_json:
        first = outcomes[0][1]
        if len(outcomes) == 1 and isinstance(first, AnalysisResult):
            payload: object = first.model_dump(mode="json")
        else:
            payload = [_as_document(path, outcome) for path, outcome in outcomes]
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    console = Console()
    for path, outcome in outcomes:
        if isinstance(outcome, JobFirstError):
            console.print(f"[bold red]{path}[/]: {outcome.message}")
        else:
            console.print(render_report(path.name, outcome))


def _as_document(path: Path, outcome: Outcome) -> dict[str, object]:
    if isinstance(outcome, JobFirstError):
        return {"path": str(path), "error": {"code": outcome.code, "message": outcome.message}}
    return {"path": str(path), "result": outcome.model_dump(mode="json")}
