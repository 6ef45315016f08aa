"""`jobfirst-ai usage`: the usage report of the configured database as tables, with daily cost bars."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from jobfirst_ai.config import Settings

# rich's tables and the usage feature load when the command runs: `serve` imports this module too.
if TYPE_CHECKING:
    from rich.table import Table

    from jobfirst_ai.features.usage.schemas import DailyCost, Period, UsageGroup, UsageReport

BAR_WIDTH = 30


def usage_command(
    period: Annotated[
        str, typer.Option("--period", help="day (UTC today) or month (UTC month to date)")
    ] = "day",
    as_json: Annotated[bool, typer.Option("--json", help="Print the API's JSON")] = False,
) -> None:
    """Model calls, tokens, response times and estimated cost of every user (like the admin API)."""
    from jobfirst_ai.cli.main import settings_or_exit

    if period not in ("day", "month"):
        typer.echo("jobfirst-ai: --period must be day or month", err=True)
        raise typer.Exit(2)
    settings = settings_or_exit()
    report = asyncio.run(_report(settings, "day" if period == "day" else "month"))
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        print_report(report, Console())


async def _report(settings: Settings, period: Period) -> UsageReport:
    from jobfirst_ai.cli.model_chain import command_chain
    from jobfirst_ai.features.usage.service import UsageService

    async with command_chain(settings) as command:  # the budget lines read the same counters calls do
        assert command.sessions is not None and command.recorder is not None
        service = UsageService(command.sessions, command.recorder, command.budget)
        return await service.report(period, owner=None)


def print_report(report: UsageReport, console: Console) -> None:
    """The summary, the groups and the daily cost chart."""
    console.print(_summary(report))
    for title, groups in (
        ("feature", report.by_feature),
        ("provider", report.by_provider),
        ("model", report.by_model),
        ("user", report.by_user or []),
    ):
        if groups:
            console.print(_groups(title, groups))
    if report.budgets:
        console.print(_budgets(report))
    console.print(_chart(report.daily))


def _budgets(report: UsageReport) -> Table:
    from rich.table import Table

    table = Table(title="budgets")
    for column in ("limit", "used", "remaining", "share"):
        table.add_column(column, justify="left" if column == "limit" else "right")
    for line in report.budgets:
        unit = "tokens" if line.unit == "tokens" else "¥"
        table.add_row(
            f"{line.scope} {line.period}, {unit} {line.limit:,}",
            f"{line.used:,}",
            f"{line.remaining:,}",
            f"{line.used_ratio:.0%}",
        )
    return table


def _summary(report: UsageReport) -> Table:
    from rich.table import Table

    table = Table(
        title=f"Model usage, {report.period} from {report.start:%Y-%m-%d %H:%M} UTC", show_header=False
    )
    tokens = report.tokens
    rows = [
        ("requests", f"{report.requests} ({report.errors} failed, {report.cache_hits} cache hits)"),
        (
            "cache-hit rate",
            f"{report.cache_hit_rate:.1%} answers, {report.prompt_cache_hit_rate:.1%} prompt tokens",
        ),
        ("tokens", f"{tokens.total:,}"),
        ("  prompt", f"{tokens.prompt:,} (cache hit {tokens.cache_hit:,}, miss {tokens.cache_miss:,})"),
        ("  completion", f"{tokens.completion:,} (reasoning {tokens.reasoning:,})"),
        ("response time", f"avg {report.avg_response_ms:.0f} ms, p95 {report.p95_response_ms:.0f} ms"),
        ("estimated cost", f"${_money(report.estimated_cost_usd)}  ¥{_money(report.estimated_cost_cny)}"),
    ]
    if report.estimated_calls:
        rows.append(("estimated tokens", f"{report.estimated_calls} calls had no usage from the provider"))
    for label, value in rows:
        table.add_row(label, value)
    return table


def _groups(title: str, groups: list[UsageGroup]) -> Table:
    from rich.table import Table

    table = Table(title=f"by {title}")
    for column in (title, "requests", "tokens", "USD", "CNY"):
        table.add_column(column, justify="left" if column == title else "right")
    for group in groups:
        table.add_row(
            group.key or "-",
            str(group.requests),
            f"{group.tokens:,}",
            _money(group.cost_usd),
            _money(group.cost_cny),
        )
    return table


def _chart(daily: list[DailyCost]) -> Table:
    from rich.table import Table

    table = Table(title="daily cost (USD)", show_header=False, box=None)
    top = max((day.cost_usd for day in daily), default=Decimal(0))
    for day in daily:
        width = round(BAR_WIDTH * day.cost_usd / top) if top else 0
        table.add_row(f"{day.date:%m-%d}", "█" * width or "·", _money(day.cost_usd))
    return table


def _money(amount: Decimal) -> str:
    return f"{amount:.6f}"
