"""How a stored interview session is shown: the current question without its key points, the transcript."""

from __future__ import annotations

from jobfirst_ai.db import interviews as queries
from jobfirst_ai.db.models import InterviewSession
from jobfirst_ai.db.repositories import as_utc
from jobfirst_ai.engine.question_bank import Question
from jobfirst_ai.engine.types import Language
from jobfirst_ai.features.interview.schemas import (
    AskedQuestion,
    Generation,
    JobContext,
    Report,
    SessionResponse,
    Turn,
)


def session_view(row: InterviewSession) -> SessionResponse:
    """A stored session as the API shows it."""
    questions = [Question.model_validate(item) for item in row.questions]
    is_active = row.status == queries.ACTIVE and row.current < len(questions)
    return SessionResponse(
        id=row.id,
        status="active" if row.status == queries.ACTIVE else "finished",
        language=language_of(row),
        version=row.version,
        planned=sum(question.source != "follow_up" for question in questions),
        answered=len(row.turns),
        current=asked_question(questions, row.current) if is_active else None,
        turns=[Turn.model_validate(item) for item in row.turns],
        job=JobContext.model_validate(row.job) if row.job else None,
        resume_id=row.resume_id,
        questions_by=Generation.model_validate(row.generation),
        report=Report.model_validate(row.report) if row.report else None,
        created_at=as_utc(row.created_at) or row.created_at,
        updated_at=as_utc(row.updated_at) or row.updated_at,
    )


def language_of(row: InterviewSession) -> Language:
    return "zh" if row.language == "zh" else "en"


def asked_question(questions: list[Question], index: int) -> AskedQuestion:
    question = questions[index]
    return AskedQuestion(
        number=index + 1,
        id=question.id,
        type=question.type,
        difficulty=question.difficulty,
        text=question.text,
        reason=question.reason,
        skills=question.skills,
        source=question.source,
        is_follow_up=question.source == "follow_up",
    )
