"""The process's services: built once from settings at start-up, closed at shutdown."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine

from jobfirst_ai import __version__
from jobfirst_ai.auth import TokenVerifier
from jobfirst_ai.config import Settings
from jobfirst_ai.db.migrate import upgrade_database
from jobfirst_ai.db.session import (
    SessionFactory,
    create_engine,
    create_session_factory,
    is_sqlite,
    wait_for_database,
)
from jobfirst_ai.db.usage import insert_calls
from jobfirst_ai.engine.skills import load_skill_dictionary
from jobfirst_ai.features.chat.service import ChatLimits, ChatService
from jobfirst_ai.features.interview.service import InterviewService
from jobfirst_ai.features.matching.catalog import JobCatalog
from jobfirst_ai.features.matching.service import MatchService
from jobfirst_ai.features.resume.analysis import ResumeAnalyzer
from jobfirst_ai.features.resume.enrich import model_backend
from jobfirst_ai.features.resume.service import Limits, ResumeService
from jobfirst_ai.features.usage.budgets import build_budget, build_rate_limiter
from jobfirst_ai.features.usage.recorder import UsageRecorder
from jobfirst_ai.features.usage.service import UsageService
from jobfirst_ai.llm.budget import BudgetGuard
from jobfirst_ai.llm.metering import FanOutSink, UsageSink
from jobfirst_ai.ratelimit import RateLimiter
from jobfirst_ai.redis_link import RedisLink, redis_from_settings
from jobfirst_ai.tasks.runner import TaskRunner

if TYPE_CHECKING:
    from jobfirst_ai.features.matching.semantic import SemanticScorer
    from jobfirst_ai.llm.router import Chain

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything a request needs, created once per process."""

    settings: Settings
    database: AsyncEngine
    verifier: TokenVerifier
    resumes: ResumeService
    runner: TaskRunner
    matching: MatchService
    chain: Chain | None = None
    interview: InterviewService | None = None
    chat: ChatService = field(kw_only=True)
    usage: UsageService = field(kw_only=True)
    redis: RedisLink | None = field(default=None, kw_only=True)
    budget: BudgetGuard | None = field(default=None, kw_only=True)
    limiter: RateLimiter | None = field(default=None, kw_only=True)


async def start_services(settings: Settings, model_metrics: UsageSink | None = None) -> Services:
    """Open the database, migrate it, load the engine's data and start the task workers."""
    database = create_engine(settings.resolved_database_url())
    await wait_for_database(database, settings.database_startup_wait_seconds)
    await upgrade_database(database)
    sessions = create_session_factory(database)
    limits = Limits(max_bytes=settings.max_upload_bytes, max_chars=settings.max_text_chars)
    recorder = UsageRecorder(lambda rows: insert_calls(sessions, rows))
    redis = redis_from_settings(settings)
    sink = FanOutSink(recorder, model_metrics) if model_metrics is not None else recorder
    budget = build_budget(settings, sessions, recorder, redis) if settings.provider_chain() else None
    chain = _chain(settings, sink, redis, budget)
    dictionary = load_skill_dictionary()
    backend = model_backend(settings, chain)
    analyzer = ResumeAnalyzer(dictionary, backend)
    resumes = ResumeService(sessions, analyzer, limits, concurrency=settings.ai_max_concurrency)
    runner = TaskRunner(
        sessions,
        resumes.run_task,
        workers=settings.task_workers,
        poll_seconds=settings.task_poll_seconds,
        lease_seconds=settings.task_lease_seconds,
        is_single_instance=is_sqlite(database),
    )
    resumes.on_queued = runner.wake
    catalog = JobCatalog(sessions, dictionary, sync_seconds=settings.match_sync_seconds)
    await catalog.refresh(force=True)
    matching = MatchService(
        catalog,
        limits,
        backend,
        semantic=_semantic(settings, sessions),
        explain_top=settings.match_explain_top,
    )
    interview = InterviewService(sessions, catalog, limits, backend)
    chat = ChatService(sessions, backend, _chat_limits(settings))
    verifier = TokenVerifier(settings)
    _log_start(settings, verifier)
    await runner.start()
    recorder.start()
    return Services(
        settings,
        database,
        verifier,
        resumes,
        runner,
        matching,
        chain,
        interview=interview,
        chat=chat,
        usage=UsageService(sessions, recorder, budget),
        redis=redis,
        budget=budget,
        limiter=build_rate_limiter(settings, redis, budget),
    )


async def stop_services(services: Services) -> None:
    """Drain the workers, write the queued usage records, then close the database."""
    await services.runner.stop()
    await services.usage.recorder.aclose()
    await services.database.dispose()
    await services.matching.aclose()
    if services.chain is not None:
        for backend in services.chain.backends:
            await backend.aclose()
    if services.redis is not None:
        await services.redis.aclose()


def _semantic(settings: Settings, sessions: SessionFactory) -> SemanticScorer | None:
    """The embeddings scorer; numpy and httpx load only when MATCH_EMBEDDINGS_PROVIDER is set."""
    if settings.match_embeddings_provider == "none":
        return None
    from jobfirst_ai.features.matching.semantic import semantic_scorer

    return semantic_scorer(settings, sessions)


def _chat_limits(settings: Settings) -> ChatLimits:
    return ChatLimits(
        max_message_chars=settings.chat_max_message_chars, history_tokens=settings.chat_history_tokens
    )


def _chain(
    settings: Settings, sink: UsageSink, redis: RedisLink | None, budget: BudgetGuard | None
) -> Chain | None:
    """The provider chain; its modules (httpx and the vendors, ~10 MB) load only when one is configured."""
    if not settings.provider_chain():
        return None
    from jobfirst_ai.llm.router import build_chain

    return build_chain(settings, sink=sink, redis=redis, budget=budget)


def _log_start(settings: Settings, verifier: TokenVerifier) -> None:
    if not verifier.is_enabled:
        logger.warning("authentication is OFF (no JWT_SECRET or JWT_PUBLIC_KEY): every caller is one user")
    engine = ",".join(settings.provider_chain()) or "builtin"
    logger.info("JobFirst AI %s ready: database=%s engine=%s", __version__, _database_kind(settings), engine)


def _database_kind(settings: Settings) -> str:
    return settings.resolved_database_url().split(":", 1)[0]
