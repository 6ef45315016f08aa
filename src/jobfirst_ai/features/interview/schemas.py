"""Request and response shapes of interview questions and mock interview sessions, and of the model's part."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from jobfirst_ai.engine.grading import RUBRIC, AnswerGrade, RubricPart, Verdict
from jobfirst_ai.engine.question_bank import Question, QuestionSource, QuestionType
from jobfirst_ai.engine.types import DegreeLevel, Language
from jobfirst_ai.features.matching.schemas import CandidateSummary, JobIn
from jobfirst_ai.llm.types import Usage

MAX_QUESTIONS = 20
MAX_ANSWER_CHARS = 5000
SessionStatus = Literal["active", "finished"]
Grader = Literal["engine", "model"]


class _ResumeAndJob(BaseModel):
    """A resume (text, stored resume id or analysis id) and, optionally, a job (stored id, object or text)."""

    model_config = ConfigDict(extra="forbid")

    content: str | None = Field(default=None, min_length=1, description="The resume as plain text")
    resume_id: str | None = Field(default=None, max_length=64)
    analysis_id: str | None = Field(default=None, max_length=64)
    job_id: str | None = Field(default=None, max_length=64, description="A stored posting")
    job: JobIn | None = Field(default=None, description="A posting that is not stored")
    job_description: str | None = Field(default=None, min_length=1, max_length=30000)
    language: Language | None = Field(
        default=None, description="Language of the questions; default: resume's"
    )

    @model_validator(mode="after")
    def _one_each(self) -> Self:
        if sum(value is not None for value in (self.content, self.resume_id, self.analysis_id)) != 1:
            raise ValueError("give exactly one of content, resume_id or analysis_id")
        if sum(value is not None for value in (self.job_id, self.job, self.job_description)) > 1:
            raise ValueError("give at most one of job_id, job or job_description")
        return self


class QuestionsRequest(_ResumeAndJob):
    """Questions for a resume and, optionally, a job."""

    count: int = Field(default=10, ge=1, le=MAX_QUESTIONS)


class StartSessionRequest(_ResumeAndJob):
    """A mock interview for a resume and, optionally, a job."""

    count: int = Field(
        default=5,
        ge=1,
        le=MAX_QUESTIONS,
        description="Questions planned; follow-ups to weak answers come on top",
    )


class JobContext(BaseModel):
    """The job the questions are for, as the engine read it."""

    id: str | None = None
    title: str
    company: str | None = None
    required_skills: list[str]
    preferred_skills: list[str]
    years_min: float | None = None
    education: DegreeLevel | None = None


class Generation(BaseModel):
    """Who wrote the questions and what the local checks did."""

    engine: str = Field(description="'builtin', or the provider whose questions were kept")
    model: str | None = None
    usage: Usage | None = None
    degraded: bool = False
    degraded_reason: str | None = None
    grounding_notes: list[str] = Field(default_factory=list)


class QuestionsResponse(Generation):
    """Typed questions with the reason each is asked and the key points of a good answer."""

    questions: list[Question]
    types: dict[str, int] = Field(description="Questions per type")
    difficulties: dict[str, int] = Field(description="Questions per difficulty: easy, medium, hard")
    candidate: CandidateSummary
    job: JobContext | None = None
    language: Language
    timings_ms: dict[str, float] = Field(default_factory=dict)


class AskedQuestion(BaseModel):
    """A question put to the candidate; its key points are shown only with the grade of the answer."""

    number: int = Field(description="1-based position in the session")
    id: str
    type: QuestionType
    difficulty: int
    text: str
    reason: str
    skills: list[str]
    source: QuestionSource
    is_follow_up: bool


class Grade(AnswerGrade):
    """One answer's grade on the weighted rubric (accuracy 30, completeness 30, depth 25, expression 15): the
    engine's grade, or the model's within the engine's bounds."""

    model: str | None = None


class Turn(BaseModel):
    """One question and its answer, as the transcript keeps them."""

    number: int
    question: Question
    answer: str
    grade: Grade
    at: datetime


class QuestionScore(BaseModel):
    """One answered question in the report."""

    number: int
    question_id: str
    type: QuestionType
    text: str
    score: int
    verdict: Verdict
    grader: Grader
    is_follow_up: bool


class PartAverage(BaseModel):
    """A rubric part averaged over the answers."""

    name: RubricPart
    score: float = Field(description="Mean points")
    max_score: int


class Report(BaseModel):
    """The end of a mock interview: scores, what went well, what to practise, in the session's language."""

    overall: int = Field(ge=0, le=100, description="Mean score of the answered questions")
    answered: int
    unanswered: int = Field(description="Questions left when the session was finished early")
    per_question: list[QuestionScore]
    parts: list[PartAverage]
    strengths: list[str]
    practise: list[str]
    summary: str
    language: Language


class SessionResponse(BaseModel):
    """A mock interview session: the question to answer now, the transcript, and the report once finished."""

    id: str
    status: SessionStatus
    language: Language
    version: int = Field(description="Send it back with an answer to make sure no other answer came first")
    planned: int = Field(description="Questions planned, follow-ups not counted")
    answered: int
    current: AskedQuestion | None = Field(description="The question to answer now; none once finished")
    turns: list[Turn]
    job: JobContext | None = None
    resume_id: str | None = None
    questions_by: Generation
    report: Report | None = None
    created_at: datetime
    updated_at: datetime


class AnswerRequest(BaseModel):
    """An answer to the session's current question."""

    model_config = ConfigDict(extra="forbid")

    answer: str = Field(description=f"At most {MAX_ANSWER_CHARS} characters; empty scores 0")
    version: int | None = Field(
        default=None, description="The session version the answer replies to; a stale one gets 409"
    )


class AnswerResponse(BaseModel):
    """The grade of an answer, and what comes next: a follow-up, the next question, or the report."""

    session_id: str
    number: int
    question: Question = Field(description="The question answered, with its key points")
    grade: Grade
    next_question: AskedQuestion | None
    is_follow_up_next: bool = Field(description="The next question is a follow-up to a weak answer")
    finished: bool
    report: Report | None = None
    version: int
    usage: Usage | None = None
    degraded: bool = False
    degraded_reason: str | None = None
    grounding_notes: list[str] = Field(default_factory=list)


class ModelQuestion(BaseModel):
    """One question as the model writes it (validated, then checked locally)."""

    type: QuestionType
    difficulty: int = Field(ge=1, le=3, description="1 easy, 2 medium, 3 hard")
    text: str = Field(min_length=5, max_length=400)
    reason: str = Field(default="", max_length=300, description="Why an interviewer asks it, one sentence")
    key_points: list[str] = Field(min_length=2, max_length=5, description="What a good answer covers")


class ModelQuestions(BaseModel):
    """The model's questions."""

    questions: list[ModelQuestion] = Field(default_factory=list, max_length=MAX_QUESTIONS + 5)


class ModelGrade(BaseModel):
    """The model's grade of one answer; part scores past a part's maximum are clamped, not refused."""

    accuracy: int = Field(ge=0, le=RUBRIC["accuracy"])
    completeness: int = Field(ge=0, le=RUBRIC["completeness"])
    depth: int = Field(ge=0, le=RUBRIC["depth"])
    expression: int = Field(ge=0, le=RUBRIC["expression"])
    covered_points: list[int] = Field(
        default_factory=list, max_length=10, description="1-based numbers of the key points the answer covers"
    )
    feedback: str = Field(max_length=800, description="2-4 sentences: what was good, what to add")

    @field_validator("accuracy", "completeness", "depth", "expression", mode="before")
    @classmethod
    def _clamped(cls, value: object, info: ValidationInfo) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            top = RUBRIC[info.field_name]  # type: ignore[index]
            return max(0, min(top, round(value)))
        return value
