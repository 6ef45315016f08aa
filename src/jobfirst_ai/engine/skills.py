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
from pydantic import TypeAdapter

from jobfirst_ai.engine.types import Language, Section, SectionKind, SkillMatch

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
_SPACES: Final = "\t\n\r\x0b\x0c\xa0\u2002\u2003\u2009\u200b\u3000"
_FOLD_CHARS: Final = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | dict.fromkeys(
    _SPACES, " "
)
_FOLDABLE: Final = re.compile(f"[\uff01-\uff5e{_SPACES}]")
# Every character an address can hold (under IGNORECASE [A-Za-z] also matches İ, ı, ſ and the Kelvin
# sign), and a run of them with a '.', '@' or ':', which every address has: _ADDRESS can only match inside
# such a run, so it runs there alone instead of being tried at every character (4x faster).
_ADDRESS_CHARS: Final = "!-~\u0130\u0131\u017f\u212a"
_ADDRESS_RUN: Final = re.compile(
    rf"(?<![{_ADDRESS_CHARS}])[\x21-\x2d\x2f-\x39\x3b-\x3f\x41-\x7e\u0130\u0131\u017f\u212a]*+[.@:][{_ADDRESS_CHARS}]*+"
)
_ASCII_ALNUM: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
# One byte per character for the whole-word test: 1 for an ASCII letter or digit, else 0.
_WORD_BYTES: Final = bytes(int(chr(code) in _ASCII_ALNUM) for code in range(256))
# Web addresses and e-mail addresses never name a skill ("gmail.com", "linkedin.com/in/…", "http://").
_ADDRESS: Final = re.compile(
    r"(?:https?://|www\.)[!-~]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    r"|\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:com|org|edu|gov|io|cn|in|co|uk|me|info)(?:/[!-~]*)?(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_LEFT_SEPARATORS: Final = frozenset("\n\r,/|;:•·●▪◦►➢✓*-–—([{、，；：（【和及与或")
_RIGHT_SEPARATORS: Final = frozenset("\n\r,/|;:.)]}(、，；：）】和及与或。")
_FLAT_GAP: Final = 2
_SKILL_MATCHES: Final = TypeAdapter(list[SkillMatch])
# A field named in a degree ("Master of Engineering in Computer and Communication", "B.Sc. in Nursing")
# is what was studied, not a skill claimed; short degree names need their dots ("be in", "MS Office").
_DEGREE_NAMES: Final = (
    r"\b(?:bachelor|master|doctor|associate|diploma|ph\.? ?d|mba|mca|bca"
    r"|[bm]\.? ?(?:tech|sc|com)|[bm]\.[eas])"
)
_DEGREE_FIELD: Final = re.compile(
    rf"{_DEGREE_NAMES}(?:'s|s|\.)*(?: degree)?(?: of [a-z]+(?: [a-z]+)?)? (?:in|of) (?: ?[^\n,;|:. ])* ?$"
)
# Where a degree's name starts: found once per text, so that _DEGREE_FIELD is tried only there and not
# searched for across the line before every skill found.
_DEGREE_NAME: Final = re.compile(rf"(?=[bmdap]){_DEGREE_NAMES}")
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
    mapped = text
    # str.translate looks every character up in a dict (~50 ns each); a few str.replace calls, one per
    # distinct foldable character present, give the same string in a tenth of the time.
    for char in set(_FOLDABLE.findall(text)):
        mapped = mapped.replace(char, _FOLD_CHARS[char])
    lowered = mapped.lower()
    if len(lowered) == len(mapped):
        return lowered
    return "".join(low if len(low) == 1 else char for char, low in ((c, c.lower()) for c in mapped))


class SkillDictionary:
    """Immutable skill dictionary with its compiled matcher; build it once and share it."""

    __slots__ = ("_by_name", "_entries", "_matcher")

    def __init__(self, entries: Sequence[SkillEntry], forms: Iterable[tuple[int, str, str]]) -> None:
        self._entries = tuple(entries)
        self._by_name = {e.name: i for i, e in enumerate(self._entries) if e.category != _BLOCK}
        self._matcher = _Matcher(_merge_forms(forms))

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
        form = self._matcher.get(fold_text(term.strip()))
        if form is None or self._entries[form.entry].category == _BLOCK:
            return None
        return self._entries[form.entry]

    def display_name(self, name: str, language: Language) -> str:
        """How a reader of `language` expects the skill named: "微服务" for Microservices in Chinese."""
        entry = self.entry(name)
        return entry.name_zh if language == "zh" and entry and entry.name_zh else name

    def scan(self, folded: str) -> Iterator[tuple[int, int, _Form]]:
        """Every (start, end, form) occurrence of a dictionary form in folded text, overlaps included."""
        for last, form in self._matcher.iter(folded):
            yield last + 1 - form.length, last + 1, form

    def scan_words(self, folded: str) -> list[tuple[int, int, _Form]]:
        """`scan`'s occurrences that are not part of a longer Latin word: no ASCII letter or digit on both
        sides of either end (so "Java" is not in "JavaScript"; Chinese forms match inside words)."""
        # Most raw hits are short forms inside words ("es" in "uses"); a bytes lookup per end rejects
        # them without a Python call. word[i + 1] tells whether folded[i] is a letter or digit.
        word = b"\0" + folded.encode("ascii", "replace").translate(_WORD_BYTES) + b"\0"
        found = []
        for last, form in self._matcher.iter(folded, standalone_letters=True):
            start = last + 1 - form.length
            if not ((word[start] and word[start + 1]) or (word[last + 1] and word[last + 2])):
                found.append((start, last + 1, form))
        return found

    def entry_at(self, index: int) -> SkillEntry:
        """The entry (block rows included) a scanned form points at."""
        return self._entries[index]


def _merge_forms(forms: Iterable[tuple[int, str, str]]) -> dict[str, _Form]:
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
    return merged


class _Matcher:
    """The dictionary's forms in two Aho-Corasick automata, forms starting with an ASCII character and the
    rest (Chinese forms, mostly), and the one-letter forms ("R", "C") apart.

    pyahocorasick finds a node's child by a linear search, so each character read at the root costs a scan
    of all the root's children: 650 in one automaton of every form, 35 when only the ASCII-led forms are
    in it. The other forms hold only non-ASCII characters and a few ASCII letters and digits ("金蝶k3"), so
    their automaton reads only the runs of such characters that start with a non-ASCII one. The one-letter
    forms occur inside nearly every word; a regex finds the ones that stand alone instead of the automaton
    reporting every "r" and "c" (half of all its hits in English text).
    """

    __slots__ = ("_anywhere", "_ascii", "_letters", "_other", "_other_run", "_shortest_other", "_standalone")

    def __init__(self, forms: dict[str, _Form]) -> None:
        self._letters = {key: form for key, form in forms.items() if len(key) == 1 and key in _ASCII_ALNUM}
        self._ascii = ahocorasick.Automaton()
        self._other = ahocorasick.Automaton()
        for key, form in forms.items():
            if key not in self._letters:
                (self._ascii if key[:1].isascii() else self._other).add_word(key, form)
        letters = "".join(sorted(self._letters))
        self._anywhere = re.compile(f"[{letters}]" if letters else "(?!)")
        self._standalone = re.compile(rf"[{letters}](?<![A-Za-z0-9].)(?![A-Za-z0-9])" if letters else "(?!)")
        others = [key for key in forms if not key[:1].isascii()]
        inner = "".join(sorted({re.escape(char) for key in others for char in key if char.isascii()}))
        self._other_run = re.compile(rf"[^\x00-\x7f][^\x00-\x7f{inner}]*")
        self._shortest_other = min(map(len, others), default=0)
        for automaton in (self._ascii, self._other):
            if len(automaton):
                automaton.make_automaton()

    def get(self, key: str) -> _Form | None:
        """The form spelled exactly `key` (folded)."""
        if key in self._letters:
            return self._letters[key]
        automaton = self._ascii if key[:1].isascii() else self._other
        form: _Form | None = automaton.get(key, None) if len(automaton) else None
        return form

    def iter(self, folded: str, *, standalone_letters: bool = False) -> Iterator[tuple[int, _Form]]:
        """(index of the last character, form) of every occurrence, overlaps included, in no set order; with
        `standalone_letters`, a one-letter form only where no ASCII letter or digit is beside it."""
        if len(self._ascii):
            yield from self._ascii.iter(folded)
        for found in (self._standalone if standalone_letters else self._anywhere).finditer(folded):
            yield found.start(), self._letters[found.group()]
        if not len(self._other):
            return
        for run in self._other_run.finditer(folded):
            start, end = run.span()
            if end - start >= self._shortest_other:
                yield from self._other.iter(folded, start, end)


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
    folded = _blank_addresses(fold_text(text))
    reader = _Reader(text, folded, sections)
    hits = [
        _Hit(start, end, form.entry)
        for start, end, form in dictionary.scan_words(folded)
        if reader.is_accepted(start, end, form) and not reader.is_heading(start)
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
        self._degree_names: list[int] | None = None

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
        names = self._degree_name_starts()
        candidates = names[bisect.bisect_left(names, line_start) : bisect.bisect_left(names, start)]
        return any(_DEGREE_FIELD.match(self.folded, name, start) for name in candidates)

    def _degree_name_starts(self) -> list[int]:
        if self._degree_names is None:
            self._degree_names = []
            found = _DEGREE_NAME.search(self.folded)
            while found is not None:  # overlapping: every start a name may have
                self._degree_names.append(found.start())
                found = _DEGREE_NAME.search(self.folded, found.start() + 1)
        return self._degree_names

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


def _blank_addresses(folded: str) -> str:
    """`folded` with every web and e-mail address turned into spaces of the same length."""
    spans = [
        found.span()
        for run in _ADDRESS_RUN.finditer(folded)
        for found in _ADDRESS.finditer(folded, run.start(), run.end())
    ]
    if not spans:
        return folded
    parts = []
    last = 0
    for start, end in spans:
        parts += [folded[last:start], " " * (end - start)]
        last = end
    return "".join(parts) + folded[last:]


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
    evidence: dict[int, list[dict[str, object]]] = {}
    kinds: dict[int, list[SectionKind]] = {}
    for hit in hits:
        if dictionary.entry_at(hit.entry).category == _BLOCK:
            continue
        span = {"start": hit.start, "end": hit.end, "text": reader.text[hit.start : hit.end]}
        evidence.setdefault(hit.entry, []).append(span)
        kind = reader.section_at(hit.start)
        seen = kinds.setdefault(hit.entry, [])
        if kind is not None and kind not in seen:
            seen.append(kind)
    # One validation call for the whole list: half the cost of building each SkillMatch and Span apart.
    return _SKILL_MATCHES.validate_python(
        [
            {"name": entry.name, "category": entry.category, "evidence": spans, "sections": kinds[index]}
            for index, spans in evidence.items()
            for entry in (dictionary.entry_at(index),)
        ]
    )
