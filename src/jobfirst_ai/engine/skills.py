"""Bilingual skill dictionary and the Aho-Corasick matcher that finds skills in resume text."""

from __future__ import annotations

import bisect
import gzip
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Final, NamedTuple

import ahocorasick

from jobfirst_ai.engine.types import Language, Section, SectionKind, SkillMatch, Span

__all__ = [
    "CATEGORIES",
    "SkillDictionary",
    "SkillEntry",
    "find_skills",
    "fold_text",
    "load_skill_dictionary",
    "parse_skill_dictionary",
]

CATEGORIES: Final = (
    *("programming_language", "framework", "database", "cloud_devops", "operating_system", "data_ai", "tool"),
    *("office_software", "design", "engineering", "methodology", "business", "finance", "sales_marketing"),
    *("healthcare", "education", "human_resources", "legal", "logistics", "manufacturing", "soft_skill"),
    *("language", "other"),
)
_BLOCK: Final = "block"  # rows that only stop a shorter skill inside them ("Tamil" in "Tamil Nadu")
_PLAIN, _LISTED, _CASED, _STRICT = 0, 1, 2, 3
_MODE_BY_MARK: Final = {"": _PLAIN, "~": _LISTED, "=": _CASED, "!": _STRICT}

# Length-preserving normalisation: full-width ASCII to ASCII and every space-like character to " ".
_FOLD_TABLE: Final = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {
    ord(c): " " for c in "\t\n\r\x0b\x0c\xa0\u2002\u2003\u2009\u200b\u3000"
}
# Web addresses and e-mail addresses never name a skill ("gmail.com", "linkedin.com/in/…", "http://").
_ADDRESS: Final = re.compile(
    r"(?:https?://|www\.)[!-~]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    r"|\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|edu|gov|io|cn|in|co|uk|me|info)(?:/[!-~]*)?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_LEFT_SEPARATORS: Final = frozenset("\n\r,/|;:•·●▪◦►➢✓*-–—([{、，；：（【和及与或")
_RIGHT_SEPARATORS: Final = frozenset("\n\r,/|;:.)]}(、，；：）】和及与或。")
_FLAT_GAP: Final = 2
# A field named in a degree ("Master of Engineering in Computer and Communication", "B.Sc. in Nursing")
# is what was studied, not a skill claimed; short degree names need their dots ("be in", "MS Office").
_DEGREE_FIELD: Final = re.compile(
    r"\b(?:bachelor|master|doctor|associate|diploma|ph\.? ?d|mba|mca|bca|[bm]\.? ?(?:tech|sc|com)"
    r"|[bm]\.[eas])(?:'s|s|\.)*(?: degree)?(?: of [a-z]+(?: [a-z]+)?)? (?:in|of) (?: ?[^\n,;|:. ])* ?$"
)
_LIST_WORDS_LEFT: Final = frozenset({"and", "or", "&"})
_LIST_WORDS_RIGHT: Final = frozenset({"and", "or", "&", "programming", "language", "lang", "developer"})
# A skill word right before one of these names a job, not a skill ("Sales Manager", "Java Developer").
_TITLE_WORDS: Final = frozenset(
    f"{word}{plural}"
    for word in (
        *("manager", "engineer", "executive", "officer", "director", "developer", "analyst", "consultant"),
        *("specialist", "intern", "trainer", "teacher", "assistant", "administrator", "coordinator"),
        *("representative", "architect", "tester", "supervisor", "programmer", "designer", "professor"),
        *("lecturer", "instructor", "technician", "advisor", "adviser", "clerk", "accountant", "scientist"),
        *("associate", "operator", "agent"),
    )
    for plural in ("", "s")
)


@dataclass(frozen=True, slots=True)
class SkillEntry:
    """One canonical skill: English-or-as-commonly-written name, category, Chinese display name."""

    name: str
    category: str
    name_zh: str | None = None


class _Form(NamedTuple):
    entry: int
    length: int
    mode: int
    surfaces: tuple[str, ...]  # exact spellings accepted by case-sensitive modes


class _Hit(NamedTuple):
    start: int
    end: int
    entry: int


def fold_text(text: str) -> str:
    """Lower-cased copy of `text` with the same length, so offsets into it are offsets into `text`."""
    mapped = text.translate(_FOLD_TABLE)
    lowered = mapped.lower()
    if len(lowered) == len(mapped):
        return lowered
    return "".join(low if len(low) == 1 else char for char, low in ((c, c.lower()) for c in mapped))


class SkillDictionary:
    """Immutable skill dictionary with its compiled automaton; build it once and share it."""

    __slots__ = ("_automaton", "_by_name", "_entries")

    def __init__(self, entries: Sequence[SkillEntry], forms: Iterable[tuple[int, str, str]]) -> None:
        self._entries = tuple(entries)
        self._by_name = {e.name: i for i, e in enumerate(self._entries) if e.category != _BLOCK}
        self._automaton = _compile(forms)

    def __len__(self) -> int:
        return len(self._by_name)

    @property
    def entries(self) -> tuple[SkillEntry, ...]:
        """Every skill (block rows excluded)."""
        return tuple(self._entries[i] for i in self._by_name.values())

    def entry(self, name: str) -> SkillEntry | None:
        """The skill with this canonical name."""
        index = self._by_name.get(name)
        return None if index is None else self._entries[index]

    def lookup(self, term: str) -> SkillEntry | None:
        """The skill a whole term names ("k8s", "微服务", "Microsoft Excel"), ignoring case."""
        form: _Form | None = self._automaton.get(fold_text(term.strip()), None)
        if form is None or self._entries[form.entry].category == _BLOCK:
            return None
        return self._entries[form.entry]

    def display_name(self, name: str, language: Language) -> str:
        """How a reader of `language` expects the skill named: "微服务" for Microservices in Chinese."""
        entry = self.entry(name)
        return entry.name_zh if language == "zh" and entry and entry.name_zh else name

    def scan(self, folded: str) -> Iterator[tuple[int, int, _Form]]:
        """Every (start, end, form) occurrence of a dictionary form in folded text, overlaps included."""
        for last, form in self._automaton.iter(folded):
            yield last + 1 - form.length, last + 1, form

    def entry_at(self, index: int) -> SkillEntry:
        """The entry (block rows included) a scanned form points at."""
        return self._entries[index]


def _compile(forms: Iterable[tuple[int, str, str]]) -> ahocorasick.Automaton:
    merged: dict[str, _Form] = {}
    for entry, surface, mark in forms:
        key = fold_text(surface)
        mode = _MODE_BY_MARK[mark]
        spellings: tuple[str, ...] = (surface, surface.upper()) if len(surface) >= 3 else (surface,)
        old = merged.get(key)
        if old is not None and old.entry != entry:
            continue  # the first skill to claim a spelling keeps it
        if old is not None:
            mode, spellings = min(mode, old.mode), old.surfaces + spellings
        merged[key] = _Form(entry, len(key), mode, () if mode == _PLAIN else tuple(set(spellings)))
    automaton = ahocorasick.Automaton()
    for key, form in merged.items():
        automaton.add_word(key, form)
    automaton.make_automaton()
    return automaton


def parse_skill_dictionary(text: str) -> SkillDictionary:
    """A dictionary from the TSV text format of `skills.tsv` (see its header)."""
    entries: list[SkillEntry] = []
    forms: list[tuple[int, str, str]] = []
    for line in text.splitlines():
        if not line or line.startswith("#") or line.startswith("name\t"):
            continue
        name, category, name_zh, joined = line.split("\t")
        index = len(entries)
        entries.append(SkillEntry(name, category, name_zh or None))
        for form in joined.split("|"):
            mark = form[0] if form[0] in _MODE_BY_MARK else ""
            forms.append((index, form[len(mark) :], mark))
    return SkillDictionary(entries, forms)


def load_skill_dictionary(path: Path | None = None) -> SkillDictionary:
    """Load the shipped dictionary (`jobfirst_ai/data/skills.tsv[.gz]`) or the file at `path`."""
    source: Path | Traversable = path or _shipped_file()
    raw = source.read_bytes()
    if source.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    return parse_skill_dictionary(raw.decode("utf-8"))


def _shipped_file() -> Traversable:
    folder = resources.files("jobfirst_ai") / "data"
    plain = folder / "skills.tsv"
    return plain if plain.is_file() else folder / "skills.tsv.gz"


def find_skills(text: str, dictionary: SkillDictionary, sections: Sequence[Section] = ()) -> list[SkillMatch]:
    """Every dictionary skill in `text`, one match per canonical skill, ordered by first occurrence.

    Latin forms match whole words only (no letter or digit beside them, so "Java" is not found in
    "JavaScript" nor "Excel" in "excellent"); Chinese forms match inside words. Where matches overlap the
    longest wins, so "数据分析师" is not also "数据分析" plus something shorter.
    """
    folded = _ADDRESS.sub(lambda found: " " * len(found[0]), fold_text(text))
    reader = _Reader(text, folded, sections)
    hits = [
        _Hit(start, end, form.entry)
        for start, end, form in dictionary.scan(folded)
        if reader.is_whole_word(start, end)
        and reader.is_accepted(start, end, form)
        and not reader.is_heading(start)
    ]
    kept = [
        hit
        for hit in _keep_longest(hits, len(text))
        if not (reader.is_job_title(hit.end) and _is_field(dictionary, hit))
        and not reader.is_degree_field(hit.start)
    ]
    return _group(kept, reader, dictionary)


class _Reader:
    """Questions about one text: word boundaries, list context, which section an offset is in."""

    def __init__(self, text: str, folded: str, sections: Sequence[Section]) -> None:
        self.text = text
        self.folded = folded
        self.sections = sorted(sections, key=lambda s: s.start)
        self.starts = [s.start for s in self.sections]
        # A heading names a section ("TEACHING EXPERIENCE", "Computer Skills"), it claims no skill.
        self.headings = [(s.start, _heading_end(text, s)) for s in self.sections if s.heading]

    def is_whole_word(self, start: int, end: int) -> bool:
        folded = self.folded
        if start > 0 and _is_word_char(folded[start]) and _is_word_char(folded[start - 1]):
            return False
        return not (end < len(folded) and _is_word_char(folded[end - 1]) and _is_word_char(folded[end]))

    def is_accepted(self, start: int, end: int, form: _Form) -> bool:
        if form.mode == _PLAIN:
            return True
        if form.mode == _LISTED:
            return self.is_in_list(start, end)
        is_exact = self.text[start:end] in form.surfaces
        if form.mode == _CASED and is_exact:
            return True
        return (is_exact or form.mode == _CASED) and self.is_in_list(start, end)

    def is_heading(self, offset: int) -> bool:
        index = bisect.bisect_right(self.headings, (offset, len(self.text))) - 1
        return index >= 0 and offset < self.headings[index][1]

    def is_job_title(self, end: int) -> bool:
        """Whether the word after a match makes it part of a job title ("Sales Manager")."""
        folded = self.folded
        i = end
        if i < len(folded) and folded[i] == " ":
            i += 1
        word_end = i
        while word_end < len(folded) and folded[word_end].isalpha():
            word_end += 1
        return folded[i:word_end] in _TITLE_WORDS

    def is_degree_field(self, start: int) -> bool:
        """Whether a match names the field of a degree on its line ("Bachelor of Science in Nursing")."""
        line_start = max(self.folded.rfind("\n", 0, start) + 1, start - 80)
        return _DEGREE_FIELD.search(self.folded, line_start, start) is not None

    def is_in_list(self, start: int, end: int) -> bool:
        """In a skills section, or between list separators ("Java, C, Python", "Go/Rust", "R and SAS")."""
        if self.section_at(start) == "skills":
            return True
        return self._is_left_separated(start) and self._is_right_separated(end)

    def section_at(self, offset: int) -> SectionKind | None:
        index = bisect.bisect_right(self.starts, offset) - 1
        if index < 0 or offset >= self.sections[index].end:
            return None
        return self.sections[index].kind

    def _is_left_separated(self, start: int) -> bool:
        i = start - 1
        while i >= 0 and self.text[i] in " \t":
            i -= 1
        # A run of spaces is a line break in resumes pasted flat ("SKILLS  Java  Python  Linux").
        if i < 0 or self.text[i] in _LEFT_SEPARATORS or start - 1 - i >= _FLAT_GAP:
            return True
        word_start = i
        while word_start > 0 and self.folded[word_start - 1].isalpha():
            word_start -= 1
        return self.folded[word_start : i + 1] in _LIST_WORDS_LEFT

    def _is_right_separated(self, end: int) -> bool:
        text = self.text
        i = end
        while i < len(text) and text[i] in " \t":
            i += 1
        if i >= len(text) or text[i] in _RIGHT_SEPARATORS or i - end >= _FLAT_GAP:
            return True
        word_end = i
        while word_end < len(text) and self.folded[word_end].isalpha():
            word_end += 1
        return self.folded[i:word_end] in _LIST_WORDS_RIGHT


def _heading_end(text: str, section: Section) -> int:
    """End of the heading line, or of the heading itself where content follows on its line."""
    size = len(section.heading)
    found = text.find(section.heading, section.start, section.start + size + 16)
    heading_end = (section.start if found == -1 else found) + size + 2
    line_end = text.find("\n", section.start)
    return heading_end if line_end == -1 else min(line_end, heading_end)


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


# Tools and technologies stay skills inside a job title ("Java Developer" knows Java); fields and
# trades do not ("Sales Manager" names a job, not a sales skill).
_TECHNICAL: Final = frozenset(
    {
        "programming_language",
        "framework",
        "database",
        "cloud_devops",
        "operating_system",
        "data_ai",
        "tool",
        "office_software",
    }
)


def _is_field(dictionary: SkillDictionary, hit: _Hit) -> bool:
    return dictionary.entry_at(hit.entry).category not in _TECHNICAL


def _keep_longest(hits: list[_Hit], size: int) -> list[_Hit]:
    """Drop every hit overlapping a longer one (the earlier one wins a tie), in text order."""
    taken = bytearray(size)
    kept = []
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        if taken.find(1, hit.start, hit.end) == -1:
            taken[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
            kept.append(hit)
    return sorted(kept)


def _group(hits: list[_Hit], reader: _Reader, dictionary: SkillDictionary) -> list[SkillMatch]:
    evidence: dict[int, list[Span]] = {}
    kinds: dict[int, list[SectionKind]] = {}
    for hit in hits:
        if dictionary.entry_at(hit.entry).category == _BLOCK:
            continue
        evidence.setdefault(hit.entry, []).append(
            Span(start=hit.start, end=hit.end, text=reader.text[hit.start : hit.end])
        )
        kind = reader.section_at(hit.start)
        seen = kinds.setdefault(hit.entry, [])
        if kind is not None and kind not in seen:
            seen.append(kind)
    return [
        SkillMatch(name=entry.name, category=entry.category, evidence=spans, sections=kinds[index])
        for index, spans in evidence.items()
        for entry in (dictionary.entry_at(index),)
    ]
