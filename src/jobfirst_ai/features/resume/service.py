"""Resume analysis as a service: validate input, persist it, analyse now or as a durable task."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from jobfirst_ai.db import repositories
from jobfirst_ai.db.models import Analysis, Resume, utc_now
from jobfirst_ai.db.session import SessionFactory, is_database_unavailable
from jobfirst_ai.db.sqlite import inline_sqlite
from jobfirst_ai.engine.extract import extract_text
from jobfirst_ai.engine.types import Language
from jobfirst_ai.errors import EmptyInput, JobFirstError, NotFound, PayloadTooLarge
from jobfirst_ai.features.resume.analysis import ResumeAnalyzer
from jobfirst_ai.features.resume.schemas import (
    AnalysisResult,
    AnalysisTask,
    BatchItem,
    BatchOutcome,
    BatchRequest,
    BatchResponse,
    ErrorDetail,
    OptimizeResult,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
FINISH_PATIENCE_SECONDS = 60.0  # how long a finished task waits for the database to take its result
# Control characters other than tab and newline carry nothing a reader sees.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class ResumeInput:
    """What a caller sent: pasted text, or a file's bytes with its name and declared type."""

    text: str | None = None
    data: bytes | None = None
    filename: str | None = None
    content_type: str | None = None
    language: Language | None = None
    target_job: str | None = None


@dataclass(frozen=True)
class PreparedResume:
    """Validated resume text, ready to store and analyse."""

    text: str
    source_format: str
    encoding: str | None
    size_bytes: int
    filename: str | None
    extract_ms: float


@dataclass(frozen=True)
class Analysed:
    """A finished analysis: its stored row, its result, and whether an earlier analysis was reused."""

    analysis: Analysis
    result: AnalysisResult
    reused: bool = False


@dataclass(frozen=True)
class Limits:
    """Input limits from settings."""

    max_bytes: int
    max_chars: int


def prepare_resume(given: ResumeInput, limits: Limits) -> PreparedResume:
    """Text from pasted content or a file; raises a 4xx error for anything that is not a readable resume."""
    started = time.perf_counter()
    if given.data is not None:
        if len(given.data) > limits.max_bytes:
            raise PayloadTooLarge(_too_large_message(limits.max_bytes))
        extracted = extract_text(given.data, filename=given.filename, content_type=given.content_type)
        text, encoding, size = extracted.text, extracted.encoding, len(given.data)
        source_format: str = extracted.format
    else:
        text, source_format, encoding = given.text or "", "text", "utf-8"
        size = len(text.encode("utf-8"))
        if size > limits.max_bytes:
            raise PayloadTooLarge(_too_large_message(limits.max_bytes))
    text = _CONTROL.sub("", text).strip()
    if not any(char.isalnum() for char in text):
        raise EmptyInput("简历内容为空 / The resume is empty: paste its text or upload a file.")
    if len(text) > limits.max_chars:
        raise PayloadTooLarge(
            f"简历文字过长（超过 {limits.max_chars} 字符）/ "
            f"The resume text is longer than {limits.max_chars} characters.",
            code="text_too_long",
        )
    elapsed = (time.perf_counter() - started) * 1000
    return PreparedResume(text, source_format, encoding, size, given.filename, round(elapsed, 2))


@dataclass(frozen=True)
class ResumeText:
    """The resume's text, and its stored id when it came from the database."""

    text: str
    resume_id: str | None


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
        prepared = prepare_resume(ResumeInput(text=content), limits)  # pasted text: cheap, inline
        return ResumeText(prepared.text, None)
    async with sessions() as session:
        if analysis_id is not None:
            analysis = await repositories.find_analysis(session, analysis_id, owner)
            resume_id = analysis.resume_id if analysis else None
        resume = await repositories.find_resume(session, resume_id, owner) if resume_id else None
    if resume is None:
        raise NotFound("找不到该简历 / No such resume or analysis.")
    return ResumeText(resume.text, resume.id)


def _too_large_message(max_bytes: int) -> str:
    megabytes = max_bytes / 1024 / 1024
    return f"文件超过 {megabytes:g} MB 的上限 / The file is larger than the {megabytes:g} MB limit."


class ResumeService:
    """Stores resumes, answers analyses synchronously, and queues and runs them as durable tasks."""

    def __init__(
        self,
        sessions: SessionFactory,
        analyzer: ResumeAnalyzer,
        limits: Limits,
        *,
        on_queued: Callable[[], None] = lambda: None,
        today: Callable[[], date] = date.today,
        concurrency: int = 8,
    ) -> None:
        self._sessions = sessions
        self._analyzer = analyzer
        self._limits = limits
        self.on_queued = on_queued
        self._today = today
        self._concurrency = concurrency
        self.reused = 0  # analyses answered from a stored one since start (for /metrics)

    async def submit(self, owner: str, given: ResumeInput, *, refresh: bool = False) -> Analysis:
        """Validate and persist the resume and a queued analysis, then wake a worker (for HTTP 202).

        Unless `refresh`, the owner's stored analysis of the same input comes back instead, already
        succeeded (its status tells the two apart), and nothing is stored or queued.
        """
        prepared = await self._prepare(given)
        key = self.fingerprint(prepared.text, given.language)
        if not refresh and (stored := await self._reusable(owner, key)) is not None:
            return stored
        options = {"language": given.language, "extract_ms": prepared.extract_ms}
        with inline_sqlite():  # two INSERTs (db/sqlite.py)
            async with self._sessions.begin() as session:
                resume = await repositories.add_resume(session, _resume_row(owner, prepared))
                row = _analysis_row(
                    owner, resume.id, status=repositories.QUEUED, options=options, fingerprint=key
                )
                analysis = await repositories.add_analysis(session, row)
        self.on_queued()
        return analysis

    async def analyze_now(self, owner: str, given: ResumeInput, *, refresh: bool = False) -> Analysed:
        """Validate, analyse and persist in one call; unless `refresh`, the owner's stored analysis of the
        same input is returned instead (marked reused) without running the engine or the model again."""
        prepared = await self._prepare(given)
        key = self.fingerprint(prepared.text, given.language)
        if not refresh and (stored := await self._reusable(owner, key)) is not None:
            return Analysed(stored, AnalysisResult.model_validate(stored.result), reused=True)
        started = time.perf_counter()
        result = await self._analyze(
            prepared.text, given.language, owner=owner, extract_ms=prepared.extract_ms
        )
        result.timings_ms["total"] = round((time.perf_counter() - started) * 1000 + prepared.extract_ms, 2)
        resume = _resume_row(owner, prepared)
        analysis = _analysis_row(owner, resume.id, status=repositories.SUCCEEDED, options={}, fingerprint=key)
        analysis.result, analysis.engine, analysis.attempts = result.model_dump(mode="json"), result.engine, 1
        analysis.started_at = analysis.finished_at = analysis.created_at
        with inline_sqlite():  # two INSERTs (db/sqlite.py)
            async with self._sessions.begin() as session:
                await repositories.add_analysed_resume(session, resume, analysis)
        return Analysed(analysis, result)

    def fingerprint(self, text: str, language: Language | None) -> str:
        """sha256 of everything that decides an analysis: the text the engine reads, the options, the
        answering configuration (engine version, model) and the month "present" resolves to."""
        key = {
            "text": text,
            "language": language,
            "configuration": self._analyzer.configuration,
            "month": self._today().strftime("%Y-%m"),
        }
        encoded = json.dumps(key, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    async def get(self, owner: str | None, analysis_id: str) -> AnalysisTask:
        """The analysis with its status; NotFound for an unknown id or another user's."""
        async with self._sessions() as session:
            analysis = await repositories.find_analysis(session, analysis_id, owner)
        if analysis is None:
            raise NotFound("找不到该分析任务 / No such analysis.")
        return to_task(analysis)

    async def run_task(self, analysis_id: str, attempt: int) -> None:
        """Run one claimed task and record its outcome (fenced by `attempt`, so at most once)."""
        async with self._sessions() as session:
            analysis = await repositories.find_analysis(session, analysis_id, None)
            resume = await repositories.find_resume(session, analysis.resume_id, None) if analysis else None
        if analysis is None or resume is None:
            logger.warning("task %s vanished before it ran", analysis_id)
            return
        if attempt > MAX_ATTEMPTS:
            await self._finish(analysis_id, attempt, _failure("too_many_attempts", "analysis kept crashing"))
            return
        try:
            result = await self._analyze(
                resume.text,
                analysis.options.get("language"),
                owner=analysis.owner,
                extract_ms=float(analysis.options.get("extract_ms", 0.0)),
            )
        except JobFirstError as error:
            await self._finish(analysis_id, attempt, _failure(error.code, error.message))
            return
        except Exception:
            await self._release(analysis_id, attempt)
            return
        started = analysis.started_at or analysis.created_at
        queued_ms = (repositories.as_utc(started) - repositories.as_utc(analysis.created_at)).total_seconds()  # type: ignore[operator]
        result.timings_ms["queued"] = round(queued_ms * 1000, 2)
        values = {
            "status": repositories.SUCCEEDED,
            "result": result.model_dump(mode="json"),
            "engine": result.engine,
        }
        await self._finish(analysis_id, attempt, values)

    async def analyze_batch(
        self, owner: str, request: BatchRequest, *, refresh: bool = False
    ) -> BatchResponse:
        """Analyse every item concurrently, at most `concurrency` at a time; per-item results and errors.
        Each item reuses a stored analysis of the same input as `analyze_now` does."""
        gate = asyncio.Semaphore(self._concurrency)

        async def one(item: BatchItem) -> BatchOutcome:
            async with gate:
                given = ResumeInput(text=item.content, filename=item.filename, language=item.language)
                try:
                    done = await self.analyze_now(owner, given, refresh=refresh)
                except JobFirstError as error:
                    return BatchOutcome(id=item.id, error=ErrorDetail(code=error.code, message=error.message))
                return BatchOutcome(
                    id=item.id, analysis_id=done.analysis.id, result=done.result, reused=done.reused
                )

        outcomes = list(await asyncio.gather(*(one(item) for item in request.items)))
        failed = sum(1 for outcome in outcomes if outcome.error)
        return BatchResponse(results=outcomes, succeeded=len(outcomes) - failed, failed=failed)

    async def optimize(self, owner: str, given: ResumeInput) -> OptimizeResult:
        """Rewrites of the resume's weak bullets (nothing is stored: the caller decides what to keep)."""
        prepared = await self._prepare(given)
        return await self._analyzer.optimize(
            prepared.text,
            today=self._today(),
            language=given.language,
            target_job=given.target_job,
            owner=owner,
        )

    async def _prepare(self, given: ResumeInput) -> PreparedResume:
        # Pasted text needs only a few linear checks, cheaper than a hop to a worker thread and back
        # (~0.1 ms of CPU); extracting a file's text is real work, kept off the event loop.
        if given.data is None:
            return prepare_resume(given, self._limits)
        return await asyncio.to_thread(prepare_resume, given, self._limits)

    async def _reusable(self, owner: str, fingerprint: str) -> Analysis | None:
        with inline_sqlite():  # the (owner, fingerprint) index (db/sqlite.py)
            async with self._sessions() as session:
                stored = await repositories.find_reusable_analysis(session, owner, fingerprint)
        if stored is not None:
            self.reused += 1
        return stored

    async def _analyze(
        self, text: str, language: Language | None, *, owner: str, extract_ms: float
    ) -> AnalysisResult:
        result = await self._analyzer.run(text, today=self._today(), language=language, owner=owner)
        result.timings_ms["extract"] = extract_ms
        return result

    async def _release(self, analysis_id: str, attempt: int) -> None:
        # A bug or a passing fault (the database, a thread): give the task back to the queue so another
        # attempt runs it at once; after MAX_ATTEMPTS it is failed, never silently stuck running.
        logger.exception("task %s attempt %d crashed; putting it back in the queue", analysis_id, attempt)
        async with self._sessions.begin() as session:
            await repositories.release_task(session, analysis_id, attempt)
        self.on_queued()

    async def _finish(self, analysis_id: str, attempt: int, values: dict[str, Any]) -> None:
        """Write the outcome; while the database is unavailable, keep the result and retry for up to
        FINISH_PATIENCE_SECONDS (the attempt fences the write, so a late one never overwrites a re-run),
        so a task caught by an outage completes when the database returns, not when its lease expires."""
        give_up_at = time.monotonic() + FINISH_PATIENCE_SECONDS
        pause = 0.25
        while True:
            try:
                async with self._sessions.begin() as session:
                    finished = await repositories.finish_task(session, analysis_id, attempt, values)
                break
            except Exception as error:
                if not is_database_unavailable(error) or time.monotonic() + pause > give_up_at:
                    raise
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)
        if not finished:
            logger.warning("task %s attempt %d lost its lease; result discarded", analysis_id, attempt)


def _failure(code: str, message: str) -> dict[str, Any]:
    return {"status": repositories.FAILED, "error": {"code": code, "message": message}}


def _resume_row(owner: str, prepared: PreparedResume) -> Resume:
    return Resume(
        id=repositories.new_id(),
        owner=owner,
        filename=prepared.filename,
        source_format=prepared.source_format,
        encoding=prepared.encoding,
        size_bytes=prepared.size_bytes,
        text=prepared.text,
        text_sha256=hashlib.sha256(prepared.text.encode("utf-8")).hexdigest(),
    )


def _analysis_row(
    owner: str, resume_id: str, *, status: str, options: dict[str, Any], fingerprint: str
) -> Analysis:
    return Analysis(
        id=repositories.new_id(),
        resume_id=resume_id,
        owner=owner,
        status=status,
        options=options,
        attempts=0,
        created_at=utc_now(),
        fingerprint=fingerprint,
    )


def to_task(analysis: Analysis) -> AnalysisTask:
    """The API view of an analysis row."""
    return AnalysisTask(
        task_id=analysis.id,
        resume_id=analysis.resume_id,
        status=analysis.status,
        attempts=analysis.attempts,
        created_at=repositories.as_utc(analysis.created_at),
        started_at=repositories.as_utc(analysis.started_at),
        finished_at=repositories.as_utc(analysis.finished_at),
        result=AnalysisResult.model_validate(analysis.result) if analysis.result else None,
        error=ErrorDetail.model_validate(analysis.error) if analysis.error else None,
    )
