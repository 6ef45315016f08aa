"""Typed results of the built-in engine, shared by its modules and by the features built on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["zh", "en"]

SectionKind = Literal[
    "contact",
    "summary",
    "objective",
    "education",
    "experience",
    "projects",
    "skills",
    "certifications",
    "awards",
    "languages",
    "publications",
    "interests",
    "other",
]

PartName = Literal[
    "required_skills", "preferred_skills", "experience", "education", "title", "text", "semantic"
]

DegreeLevel = Literal["associate", "bachelor", "master", "mba", "phd", "high_school", "other"]


class Frozen(BaseModel):
    """Immutable engine value."""

    model_config = ConfigDict(frozen=True)


class Span(Frozen):
    """Where something was found: end-exclusive character offsets into the analysed text."""

    start: int
    end: int
    text: str


class Section(Frozen):
    """A block of the resume under one heading (the part before the first heading is `contact`)."""

    kind: SectionKind
    heading: str = Field(description="The heading as written, empty for the untitled top block")
    start: int
    end: int


class SkillMatch(Frozen):
    """One normalised skill with where it was seen."""

    name: str = Field(description="Canonical name, e.g. 'Kubernetes' for 'k8s'")
    category: str = Field(description="Dictionary category, e.g. 'programming_language', 'soft_skill'")
    evidence: list[Span] = Field(description="Every place the skill (or an alias) occurs")
    sections: list[SectionKind] = Field(default_factory=list, description="Sections it occurs in")


class ExperienceEntry(Frozen):
    """One job (or internship) with its dates normalised to months."""

    title: str | None = None
    company: str | None = None
    start: str | None = Field(default=None, description="YYYY-MM")
    end: str | None = Field(default=None, description="YYYY-MM; None with is_current")
    is_current: bool = False
    months: int = Field(default=0, description="Length of this entry in whole months")
    text: str = Field(description="The line(s) the entry was read from")
    bullets: list[str] = Field(default_factory=list, description="The lines under the entry: duties, results")


class EducationEntry(Frozen):
    """One degree."""

    degree: str | None = Field(default=None, description="As written, e.g. '本科', 'B.Sc.'")
    level: DegreeLevel | None = None
    school: str | None = None
    major: str | None = None
    start: str | None = None
    end: str | None = None
    text: str


class ContactInfo(Frozen):
    """Which contact details are present (values are never sent anywhere)."""

    has_email: bool = False
    has_phone: bool = False
    has_name: bool = False
    has_location: bool = False
    links: list[str] = Field(default_factory=list, description="Profile URLs: GitHub, LinkedIn, portfolio")
    name: str | None = None


class Achievement(Frozen):
    """A line that carries a quantified result (a number, percentage, amount)."""

    text: str
    numbers: list[str]


class Signals(Frozen):
    """Writing signals used by the rubric."""

    char_count: int = Field(description="Non-whitespace characters")
    word_count: int = Field(description="Latin words, plus Han characters / 1.5 for Chinese")
    bullet_count: int
    achievements: list[Achievement]
    action_verbs: list[str] = Field(description="Distinct strong verbs that open bullets")
    weak_phrases: list[str] = Field(description="Distinct weak openers: 'responsible for', '负责'")


class SubScore(Frozen):
    """One rubric part: points earned of the points available, and why."""

    name: str
    score: int
    max_score: int
    reasons: list[str]


class Suggestion(Frozen):
    """A concrete fix, in the resume's language, tied to what was (or was not) found."""

    code: str = Field(description="Stable machine code, e.g. 'add_quantified_results'")
    section: SectionKind | None = None
    priority: Literal["high", "medium", "low"]
    message: str


class Findings(Frozen):
    """Everything the engine read from one resume; the input of scoring, suggestions and summary."""

    language: Language
    sections: list[Section]
    skills: list[SkillMatch]
    experience: list[ExperienceEntry]
    education: list[EducationEntry]
    contact: ContactInfo
    signals: Signals
    total_years: float = Field(
        description="Years covered by dated entries, overlaps counted once, internships left out"
    )
    stated_years: float | None = Field(
        default=None, description="Years the resume states ('5年Java开发经验', '8+ years of experience')"
    )


class PostingFacts(Frozen):
    """What the engine reads from one job posting: the requirements a resume is matched against."""

    language: Language
    title: str
    required_skills: list[str] = Field(description="Canonical skill names the posting requires")
    preferred_skills: list[str] = Field(description="Canonical names it prefers (优先, nice to have)")
    years_min: float | None = Field(default=None, description="Years of experience asked for, if stated")
    education_level: DegreeLevel | None = Field(default=None, description="Lowest degree asked for")


class CandidateProfile(Frozen):
    """The resume side of a match, taken from `Findings`."""

    language: Language
    skills: list[str] = Field(description="Canonical skill names found in the resume")
    years: float = Field(description="Stated years if given, else the years covered by dated entries")
    education_level: DegreeLevel | None = Field(default=None, description="Highest degree level found")
    titles: list[str] = Field(default_factory=list, description="Job titles held, most recent first")


class PartScore(Frozen):
    """One weighted part of a match score: `score` of `max_score` points, and why."""

    name: PartName
    score: float
    max_score: float
    detail: str


class JobFit(Frozen):
    """The deterministic fit of one resume to one posting."""

    score: int = Field(ge=0, le=100)
    parts: list[PartScore]
    matched_skills: list[str]
    missing_required: list[str]
    missing_preferred: list[str]


# The two below are plain dataclasses, not models: the match index holds 100k of them and checks nothing.
@dataclass(frozen=True, slots=True)
class PostingFields:
    """The fields of a posting that result filters look at."""

    location: str | None = None
    tags: tuple[str, ...] = ()
    salary_min: int | None = None
    salary_max: int | None = None


@dataclass(frozen=True, slots=True)
class MatchFilter:
    """Limits on the postings a search returns; an empty field limits nothing.

    `locations`: the posting's location contains any of them (case-insensitive). `tags`: the posting has
    all of them (case-insensitive). `salary_min`/`salary_max`: the posting's salary range overlaps the asked
    one (a posting giving only a minimum is open-ended above, only a maximum starts at 0); with either set,
    postings without a salary are left out.
    """

    locations: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    salary_min: int | None = None
    salary_max: int | None = None
