"""Interview preparation as a service: questions for a resume and a job, and mock interview sessions.

A session keeps its questions (follow-ups are inserted after the weak answer that asked for them, one
level deep), the graded answers and, once finished, the report, in one row. Every write names the
version it read; a write from a stale version changes nothing and is refused with 409, so of two
concurrent answers to the same question exactly one counts. Sessions are scoped to their owner: another
user's id reads as unknown.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from jobfirst_ai.db import interviews as queries
from jobfirst_ai.db.models import InterviewSession, utc_now
from jobfirst_ai.db.repositories import new_id
from jobfirst_ai.db.session import SessionFactory
from jobfirst_ai.engine.analyze import read_findings
from jobfirst_ai.engine.match_score import candidate_from_findings
from jobfirst_ai.engine.question_bank import Question
from jobfirst_ai.engine.questions import follow_up
from jobfirst_ai.errors import Conflict, NotFound, PayloadTooLarge
from jobfirst_ai.features.interview.generate import Drafted, Subject, draft_questions, mix_of
from jobfirst_ai.features.interview.grade import Answered, Graded, grade
from jobfirst_ai.features.interview.inputs import JobTarget, job_target, resume_text
from jobfirst_ai.features.interview.report import build_report
from jobfirst_ai.features.interview.schemas import (
    MAX_ANSWER_CHARS,
    AnswerRequest,
    AnswerResponse,
    QuestionsRequest,
    QuestionsResponse,
    Report,
    SessionResponse,
    StartSessionRequest,
    Turn,
)
from jobfirst_ai.features.interview.views import asked_question, language_of, session_view
from jobfirst_ai.features.matching.catalog import JobCatalog
from jobfirst_ai.features.matching.schemas import CandidateSummary
from jobfirst_ai.features.resume.enrich import ModelBackend
from jobfirst_ai.features.resume.service import Limits, ResumeInput, prepare_resume


class InterviewService:
    """Writes interview questions and runs mock interviews."""

    def __init__(
        self,
        sessions: SessionFactory,
        catalog: JobCatalog,
        limits: Limits,
        backend: ModelBackend | None = None,
        *,
        today: Callable[[], date] = date.today,
    ) -> None:
        self._sessions = sessions
        self._catalog = catalog
        self._limits = limits
        self._backend = backend
        self._today = today

    async def text_of_upload(self, given: ResumeInput) -> str:
        """The text of an uploaded resume file (4xx for anything unreadable)."""
        return (await asyncio.to_thread(prepare_resume, given, self._limits)).text

    async def questions(self, owner: str, request: QuestionsRequest) -> QuestionsResponse:
        """`count` typed questions with reasons and key points, grounded in the resume and the job."""
        started = time.perf_counter()
        subject, _ = await self._subject(owner, request)
        drafted = await draft_questions(self._backend, subject, request.count, self._catalog.dictionary)
        types, difficulties = mix_of(drafted.questions)
        candidate = candidate_from_findings(subject.findings)
        return QuestionsResponse(
            **drafted.generation.model_dump(),
            questions=drafted.questions,
            types=types,
            difficulties=difficulties,
            candidate=CandidateSummary(
                language=candidate.language,
                skills=candidate.skills,
                years=candidate.years,
                education=candidate.education_level,
                titles=candidate.titles,
            ),
            job=subject.job.context if subject.job else None,
            language=subject.language,
            timings_ms={"total": round((time.perf_counter() - started) * 1000, 2)},
        )

    async def start(self, owner: str, request: StartSessionRequest) -> SessionResponse:
        """A new session with its questions planned; the first one is `current`."""
        subject, resume_id = await self._subject(owner, request)
        drafted = await draft_questions(self._backend, subject, request.count, self._catalog.dictionary)
        row = _new_row(owner, subject, resume_id, drafted)
        async with self._sessions.begin() as session:
            await queries.add_session(session, row)
        return session_view(row)

    async def get(self, owner: str, session_id: str) -> SessionResponse:
        """The session: the question to answer now, the transcript, the report once finished."""
        return session_view(await self._load(owner, session_id))

    async def answer(self, owner: str, session_id: str, request: AnswerRequest) -> AnswerResponse:
        """Grade the answer to the current question; say what comes next (a follow-up, the next question,
        or, after the last one, the report)."""
        if len(request.answer) > MAX_ANSWER_CHARS:
            raise answer_too_long()
        row = await self._load(owner, session_id)
        _check_writable(row, request.version)
        language = language_of(row)
        questions = [Question.model_validate(item) for item in row.questions]
        turns = [Turn.model_validate(item) for item in row.turns]
        answered = Answered(
            questions[row.current], request.answer.strip(), [turn.answer for turn in turns], language, owner
        )
        graded = await grade(self._backend, answered, self._catalog.dictionary)
        step = _Step.after(row.current, questions, turns, answered, graded)
        await self._save(row, step.values())
        return AnswerResponse(
            session_id=row.id,
            number=step.current,
            question=answered.question,
            grade=graded.grade,
            next_question=None if step.report else asked_question(step.questions, step.current),
            is_follow_up_next=step.is_follow_up_next,
            finished=step.report is not None,
            report=step.report,
            version=row.version + 1,
            usage=graded.usage,
            degraded=graded.degraded_reason is not None,
            degraded_reason=graded.degraded_reason,
            grounding_notes=graded.notes,
        )

    async def finish(self, owner: str, session_id: str) -> SessionResponse:
        """End the session now (the questions left count as unanswered) and write the report; finishing a
        finished session returns it unchanged."""
        row = await self._load(owner, session_id)
        if row.status == queries.FINISHED:
            return session_view(row)
        language = language_of(row)
        turns = [Turn.model_validate(item) for item in row.turns]
        report = build_report(turns, len(row.questions) - row.current, language)
        values = {"status": queries.FINISHED, "report": report.model_dump(mode="json")}
        await self._save(row, values)
        async with self._sessions() as session:
            saved = await queries.find_session(session, session_id, owner)
        assert saved is not None  # sessions are never deleted
        return session_view(saved)

    async def _subject(
        self, owner: str, request: QuestionsRequest | StartSessionRequest
    ) -> tuple[Subject, str | None]:
        resume = await resume_text(
            self._sessions,
            self._limits,
            owner,
            content=request.content,
            resume_id=request.resume_id,
            analysis_id=request.analysis_id,
        )
        job: JobTarget | None = await job_target(
            self._catalog, request.job_id, request.job, request.job_description
        )
        findings = await asyncio.to_thread(
            read_findings, resume.text, self._catalog.dictionary, self._today()
        )
        language = request.language or findings.language
        return Subject(findings, resume.text, job, language, owner), resume.resume_id

    async def _load(self, owner: str, session_id: str) -> InterviewSession:
        async with self._sessions() as session:
            row = await queries.find_session(session, session_id, owner)
        if row is None:
            raise NotFound("没有这个面试 / No such interview session.")
        return row

    async def _save(self, row: InterviewSession, values: dict[str, Any]) -> None:
        async with self._sessions.begin() as session:
            saved = await queries.save_session(session, row.id, row.version, values)
        if not saved:
            raise _stale()


def answer_too_long() -> PayloadTooLarge:
    """The error for an answer over the limit (the route raises it too, for a body too big to read)."""
    return PayloadTooLarge(
        f"回答过长（超过 {MAX_ANSWER_CHARS} 字符）/ The answer is longer than {MAX_ANSWER_CHARS} characters.",
        code="answer_too_long",
    )


@dataclass(frozen=True)
class _Step:
    """A session after one more answer: its questions (a follow-up inserted), turns, and the report if it
    has just finished."""

    questions: list[Question]
    turns: list[Turn]
    current: int
    is_follow_up_next: bool
    report: Report | None

    @classmethod
    def after(
        cls, current: int, questions: list[Question], turns: list[Turn], answered: Answered, graded: Graded
    ) -> _Step:
        """The next state; a follow-up is asked after a weak answer, but never after a follow-up."""
        question = answered.question
        turn = Turn(
            number=current + 1, question=question, answer=answered.answer, grade=graded.grade, at=utc_now()
        )
        turns = [*turns, turn]
        asked = (
            follow_up(question, graded.measured, answered.language)
            if question.source != "follow_up"
            else None
        )
        questions = [*questions[: current + 1], *([asked] if asked else []), *questions[current + 1 :]]
        finished = current + 1 >= len(questions)
        report = build_report(turns, 0, answered.language) if finished else None
        return cls(questions, turns, current + 1, asked is not None, report)

    def values(self) -> dict[str, Any]:
        """The columns to write."""
        return {
            "questions": [question.model_dump(mode="json") for question in self.questions],
            "turns": [turn.model_dump(mode="json") for turn in self.turns],
            "current": self.current,
            "status": queries.FINISHED if self.report else queries.ACTIVE,
            "report": self.report.model_dump(mode="json") if self.report else None,
        }


def _check_writable(row: InterviewSession, version: int | None) -> None:
    if row.status != queries.ACTIVE:
        raise Conflict(
            "面试已结束，不能再回答 / This interview session has finished; start a new one.",
            code="session_finished",
        )
    if version is not None and version != row.version:
        raise _stale()


def _stale() -> Conflict:
    return Conflict(
        "另一个回答已先提交，请重新读取面试后再试 / Another answer to this session came first; "
        "read the session again and retry."
    )


def _new_row(owner: str, subject: Subject, resume_id: str | None, drafted: Drafted) -> InterviewSession:
    now = utc_now()
    return InterviewSession(
        id=new_id(),
        owner=owner,
        language=subject.language,
        status=queries.ACTIVE,
        resume_id=resume_id,
        job=subject.job.context.model_dump(mode="json") if subject.job else None,
        questions=[question.model_dump(mode="json") for question in drafted.questions],
        turns=[],
        current=0,
        report=None,
        generation=drafted.generation.model_dump(mode="json"),
        version=1,
        created_at=now,
        updated_at=now,
    )
