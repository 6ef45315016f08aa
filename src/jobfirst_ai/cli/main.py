"""The `jobfirst-ai` command: one Typer app, one module per command group."""

from __future__ import annotations

import asyncio
import ctypes
import subprocess
import sys
from typing import Annotated

import typer

from jobfirst_ai.cli.analyze import analyze_command
from jobfirst_ai.cli.chat import chat_command
from jobfirst_ai.cli.check import check_command
from jobfirst_ai.cli.interview import interview_command
from jobfirst_ai.cli.jobs import jobs_app, match_command
from jobfirst_ai.cli.usage import usage_command
from jobfirst_ai.config import Settings, load_settings
from jobfirst_ai.errors import ConfigError, DatabaseUnavailable
from jobfirst_ai.logs import configure_logging

app = typer.Typer(
    help="JobFirst AI: resume analysis and job matching with a built-in offline engine.", no_args_is_help=True
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.command("analyze")(analyze_command)
app.command("check")(check_command)
app.add_typer(jobs_app, name="jobs")
app.command("match")(match_command)
app.command("interview")(interview_command)
app.command("chat")(chat_command)
app.command("usage")(usage_command)


def settings_or_exit() -> Settings:
    """Settings, or a one-line message naming the bad variable and exit status 2."""
    try:
        return load_settings()
    except ConfigError as error:
        typer.echo(f"jobfirst-ai: {error.message}", err=True)
        raise typer.Exit(2) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (default AI_SERVICE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default AI_SERVICE_PORT, 8206)")] = None,
) -> None:
    """Run the HTTP service."""
    import uvicorn

    from jobfirst_ai.api.app import create_app

    settings = settings_or_exit()
    host = host or settings.ai_service_host
    try:
        settings.check_bind(host)
    except ConfigError as error:
        typer.echo(f"jobfirst-ai: {error.message}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level, settings.log_format)
    return_freed_memory()
    migrate_in_child(settings)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port or settings.ai_service_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=15,
        root_path=settings.ai_root_path,
    )


def return_freed_memory() -> None:
    """Have glibc give freed heap back to the system: loading a 100k-posting match index frees ~140 MB of
    build buffers that glibc's default, adaptive trim threshold would otherwise keep (bench/README.md)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to tune
        return
    m_trim_threshold = -1  # from <malloc.h>
    libc.mallopt(m_trim_threshold, 128 * 1024)


def migrate_in_child(settings: Settings) -> None:
    """Run pending migrations in a child process, so the long-lived server never imports Alembic and
    Mako (~13 MB) just to run them once; the server's own start-up check then finds the schema current."""
    from jobfirst_ai.db.migrate import is_schema_current
    from jobfirst_ai.db.session import create_engine, wait_for_database

    async def check() -> bool:
        database = create_engine(settings.resolved_database_url())
        try:
            await wait_for_database(database, settings.database_startup_wait_seconds)
            return await is_schema_current(database)
        finally:
            await database.dispose()

    try:
        if asyncio.run(check()):
            return
    except DatabaseUnavailable as error:
        typer.echo(f"jobfirst-ai: {error.message}", err=True)
        raise typer.Exit(1) from None
    completed = subprocess.run([sys.executable, "-m", "jobfirst_ai", "db", "upgrade"], check=False)
    if completed.returncode != 0:
        raise typer.Exit(completed.returncode)


@app.command()
def standin(
    host: Annotated[str, typer.Option(help="Listen address (loopback unless you mean it)")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8765,
) -> None:
    """Run the stand-in model server (DeepSeek, OpenAI, Gemini-compat and Ollama protocols) for tests and
    benchmarks; point EXTERNAL_AI_BASE_URL or OLLAMA_HOST at it."""
    from jobfirst_ai.llm.standin import run

    run(host=host, port=port)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations (the service also does this at start-up)."""
    from jobfirst_ai.db.migrate import upgrade_database
    from jobfirst_ai.db.session import create_engine

    settings = settings_or_exit()

    async def run() -> None:
        database = create_engine(settings.resolved_database_url())
        try:
            await upgrade_database(database)
        finally:
            await database.dispose()

    asyncio.run(run())
    typer.echo("database is up to date")


def main() -> None:
    """Console-script entry point."""
    sys.exit(app())
