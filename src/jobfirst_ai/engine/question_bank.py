"""The bilingual interview question bank: shipped rows (`data/questions.tsv`), their areas, and `Question`.

The bank is data, not code: one row per question with its type, difficulty, Chinese and English wording,
the reason it is asked and the key points of a good answer (see the file's header and
`data/QUESTIONS_SOURCES.md`). `data/question_areas.tsv` says which resume skills and job titles point to
each area. Both are read once (`shipped_question_bank`) into immutable values.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Final, Literal, get_args

from pydantic import Field

from jobfirst_ai.engine.types import Frozen, Language

__all__ = [
    "GENERAL_AREA",
    "QUESTION_TYPES",
    "Area",
    "BankEntry",
    "Question",
    "QuestionBank",
    "QuestionSource",
    "QuestionType",
    "Wording",
    "load_question_bank",
    "parse_question_bank",
    "shipped_question_bank",
]

QuestionType = Literal["technical", "project", "behavioural", "role_fit"]
QuestionSource = Literal["bank", "follow_up", "model"]
QUESTION_TYPES: Final[tuple[QuestionType, ...]] = get_args(QuestionType)
GENERAL_AREA: Final = "general"
_TYPE_BY_NAME: Final[Mapping[str, QuestionType]] = MappingProxyType({name: name for name in QUESTION_TYPES})
_BANK_COLUMNS: Final = 11
_AREA_COLUMNS: Final = 7


class Question(Frozen):
    """One interview question in one language, ready to ask."""

    id: str = Field(description="Bank id; a follow-up adds '~follow_up'")
    type: QuestionType
    difficulty: int = Field(ge=1, le=3, description="1 easy, 2 medium, 3 hard")
    text: str
    reason: str = Field(description="Why an interviewer asks it")
    key_points: list[str] = Field(description="What a good answer covers")
    skills: list[str] = Field(default_factory=list, description="Canonical skill names it relates to")
    area: str = Field(description="Bank area, e.g. 'backend', 'nursing', 'general'")
    language: Language
    source: QuestionSource = "bank"


@dataclass(frozen=True, slots=True)
class Wording:
    """A bank question as written in one language."""

    text: str
    reason: str
    key_points: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BankEntry:
    """One row of the bank: the question in both languages and what it is about."""

    id: str
    area: str
    type: QuestionType
    difficulty: int
    skills: tuple[str, ...]
    zh: Wording
    en: Wording

    def wording(self, language: Language) -> Wording:
        """The question as written in `language`."""
        return self.zh if language == "zh" else self.en

    def as_question(self, language: Language) -> Question:
        """The row as a `Question` in `language`, its slots ("{role}"…) as written."""
        wording = self.wording(language)
        return Question(
            id=self.id,
            type=self.type,
            difficulty=self.difficulty,
            text=wording.text,
            reason=wording.reason,
            key_points=list(wording.key_points),
            skills=list(self.skills),
            area=self.area,
            language=language,
        )


@dataclass(frozen=True, slots=True)
class Area:
    """A field of work and what in a resume or posting points to it."""

    name: str
    name_zh: str
    name_en: str
    categories: frozenset[str]
    title_words: tuple[str, ...]
    title_hints: tuple[str, ...]
    skills: frozenset[str]


class QuestionBank:
    """Immutable question bank: the areas in table order and the rows of each area."""

    __slots__ = ("_areas", "_by_area", "_by_id", "_entries")

    def __init__(self, areas: tuple[Area, ...], entries: tuple[BankEntry, ...]) -> None:
        if len({entry.id for entry in entries}) != len(entries):
            raise ValueError("question ids must be unique")
        names = {area.name for area in areas}
        unknown = sorted({entry.area for entry in entries} - names)
        if unknown:
            raise ValueError(f"questions in unknown areas: {unknown}")
        self._areas = areas
        self._entries = entries
        grouped = {area.name: tuple(e for e in entries if e.area == area.name) for area in areas}
        self._by_area: Mapping[str, tuple[BankEntry, ...]] = MappingProxyType(grouped)
        self._by_id: Mapping[str, BankEntry] = MappingProxyType({entry.id: entry for entry in entries})

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def areas(self) -> tuple[Area, ...]:
        """Every area, in table order."""
        return self._areas

    @property
    def entries(self) -> tuple[BankEntry, ...]:
        """Every question, in file order."""
        return self._entries

    def in_area(self, area: str) -> tuple[BankEntry, ...]:
        """The questions of one area (none for an unknown name)."""
        return self._by_area.get(area, ())

    def entry(self, question_id: str) -> BankEntry | None:
        """The row with this id (a follow-up's id names its question's row)."""
        return self._by_id.get(question_id.split("~", 1)[0])


def parse_question_bank(questions_text: str, areas_text: str) -> QuestionBank:
    """A bank from the TSV texts of `questions.tsv` and `question_areas.tsv` (see their headers)."""
    areas = tuple(_parse_area(cells) for cells in _rows(areas_text, "area", _AREA_COLUMNS))
    entries = tuple(_parse_entry(cells) for cells in _rows(questions_text, "id", _BANK_COLUMNS))
    return QuestionBank(areas, entries)


def load_question_bank(questions: Path | None = None, areas: Path | None = None) -> QuestionBank:
    """Read the shipped bank, or the files given."""
    folder = resources.files("jobfirst_ai") / "data"
    question_file: Path | Traversable = questions or folder / "questions.tsv"
    area_file: Path | Traversable = areas or folder / "question_areas.tsv"
    return parse_question_bank(question_file.read_text("utf-8"), area_file.read_text("utf-8"))


@functools.cache
def shipped_question_bank() -> QuestionBank:
    """The shipped bank, read on first use and shared afterwards (it is immutable)."""
    return load_question_bank()


def _rows(text: str, first_column: str, width: int) -> list[list[str]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#") or line.startswith(f"{first_column}\t"):
            continue
        cells = line.split("\t")
        if len(cells) != width:
            raise ValueError(f"line {number}: {len(cells)} columns, expected {width}")
        rows.append(cells)
    return rows


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


def _parse_entry(cells: list[str]) -> BankEntry:
    qid, area, kind, difficulty, skills, text_zh, text_en, reason_zh, reason_en, points_zh, points_en = cells
    question_type = _TYPE_BY_NAME.get(kind)
    if question_type is None:
        raise ValueError(f"{qid}: unknown type {kind!r}")
    if difficulty not in {"1", "2", "3"}:
        raise ValueError(f"{qid}: difficulty must be 1, 2 or 3")
    zh, en = _split(points_zh), _split(points_en)
    if len(zh) != len(en) or not 3 <= len(zh) <= 5:
        raise ValueError(f"{qid}: needs 3 to 5 key points, as many in Chinese as in English")
    return BankEntry(
        id=qid,
        area=area,
        type=question_type,
        difficulty=int(difficulty),
        skills=_split(skills),
        zh=Wording(text_zh, reason_zh, zh),
        en=Wording(text_en, reason_en, en),
    )


def _parse_area(cells: list[str]) -> Area:
    name, name_zh, name_en, categories, title_words, title_hints, skills = cells
    return Area(
        name=name,
        name_zh=name_zh,
        name_en=name_en,
        categories=frozenset(_split(categories)),
        title_words=tuple(word.lower() for word in _split(title_words)),
        title_hints=tuple(word.lower() for word in _split(title_hints)),
        skills=frozenset(_split(skills)),
    )
