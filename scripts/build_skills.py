"""Build the shipped skill dictionary (src/jobfirst_ai/data/skills.tsv) from curated lists, O*NET and ESCO.

Run from the repository root: `.venv/bin/python scripts/build_skills.py` (data in ../shared/data, or
JOBFIRST_SHARED_DATA). Order decides ownership of a surface form: curated English, curated Chinese, O*NET
technology names, ESCO labels; a later source joins an existing skill when one of its forms is already
owned, so "Oracle Java" becomes an alias of the curated "Java". SkillSpan job postings only supply word
statistics: a word used often in ordinary (non-skill) text is too generic to match on its own.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from jobfirst_ai.engine.skills import CATEGORIES, fold_text

REPO = Path(__file__).resolve().parents[1]
SCRIPTS = REPO / "scripts"
OUTPUT = REPO / "src" / "jobfirst_ai" / "data" / "skills.tsv"
TABLES = SCRIPTS / "skills_words.txt"
NOUN_CATEGORIES = set(CATEGORIES) - {
    *("programming_language", "framework", "database", "cloud_devops", "operating_system", "tool"),
    *("office_software", "engineering", "language", "soft_skill"),
}
FIELD_CATEGORIES = {
    *("business", "sales_marketing", "finance", "education", "human_resources", "legal", "logistics"),
    *("manufacturing", "healthcare", "methodology"),
}
CAMEL_CASE = re.compile(r"(?:[A-Z][a-z]{2,}){2,}")
CAMEL_CASE_SPLIT = re.compile(r"(?<=[a-z])(?=[A-Z])")
MAX_WORDS = 4
MAX_CHARS = 40
# O*NET names used by fewer occupations than this, longer than two words and not flagged "Hot" or "In
# Demand", are vendor product names nobody writes in a resume ("Trigram Software AcuBase Pro").
ONET_MIN_OCCUPATIONS = 3
DESCRIPTIVE_WORD = re.compile(r"(tion|sion|ing|ment|ics|er|or|al|ure|ance|ence|ity|ness|ware|ed)$")
# ESCO labels are kept when a noun phrase: the first word looks like an adjective or a noun, or the last
# is a field word ("tax legislation", "data mining"); the imperative ones ("taste wines") are dropped.
ESCO_FIRST_WORD = re.compile(
    r"(al|ic|ical|ive|ary|ous|ing|ed|tion|sion|ment|ics|ology|ity|ness|ance|ence|ist|ship|ure|ful|less|able"
    r"|ible|ian|ese|ish)$"
)


def read_tables(path: Path) -> dict[str, list[str]]:
    """The "@name" tables of skills_words.txt, each as its non-comment lines."""
    tables: dict[str, list[str]] = {}
    current: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("@"):
            current = tables.setdefault(line[1:], [])
        elif line and not line.startswith("#"):
            current.append(line)
    return tables


def word_table(tables: dict[str, list[str]], name: str) -> set[str]:
    return {word for line in tables[name] for word in line.split()}


def mapping_table(tables: dict[str, list[str]], name: str) -> dict[str, str]:
    pairs = (line.split(" = ", 1) for line in tables[name])
    return {key.strip(): value.strip() for key, value in pairs}


_TABLES = read_tables(TABLES)
GENERIC = word_table(_TABLES, "generic")
ESCO_VERBS = word_table(_TABLES, "esco_verbs")
ESCO_HEAD_WORDS = word_table(_TABLES, "esco_head_words")
FIELDS_OF_STUDY = set(_TABLES["fields_of_study"])
VENDORS = sorted(_TABLES["vendors"], key=len, reverse=True)
COMMODITY_CATEGORY = mapping_table(_TABLES, "commodity_category")
ESCO_CATEGORY_WORDS = list(mapping_table(_TABLES, "esco_category").items())


@dataclass
class Entity:
    """One skill while building: canonical name, category, Chinese display name and matchable forms."""

    name: str
    category: str
    name_zh: str = ""
    forms: dict[str, str] = field(default_factory=dict)


@dataclass
class Builder:
    """Entities plus the owner and match mode of every folded key; the first to set either keeps it, so a
    later source's "sales" cannot loosen the curated list-only "~Sales"."""

    entities: dict[str, Entity] = field(default_factory=dict)
    owners: dict[str, Entity] = field(default_factory=dict)
    marks: dict[str, str] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)

    def owner_of(self, forms: list[tuple[str, str]]) -> Entity | None:
        return next((self.owners[k] for k in (fold_text(s) for s, _ in forms) if k in self.owners), None)

    def add(self, entity: Entity, surface: str, mark: str, *, report: bool = False) -> None:
        key = fold_text(surface)
        owner = self.owners.setdefault(key, entity)
        if owner is entity:
            entity.forms.setdefault(surface, self.marks.setdefault(key, mark))
        elif report:
            self.conflicts.append(f"{surface!r}: {owner.name} vs {entity.name}")

    def entity(self, name: str, category: str) -> Entity:
        if name not in self.entities:
            self.entities[name] = Entity(name, category)
        return self.entities[name]


def split_mark(form: str) -> tuple[str, str]:
    """'=Excel' -> ('Excel', '='); marks: '=' case-sensitive, '!' strict (case and skills context)."""
    return (form[1:], form[0]) if form[:1] in ("=", "!", "~") else (form, "")


def read_curated(path: Path) -> Iterator[tuple[str, list[str]]]:
    """(category, [forms...]) for each skill line of a curated list."""
    category = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            category = line[1:]
            continue
        yield category, [part.strip() for part in line.split("|") if part.strip()]


def variants(surface: str, category: str) -> list[str]:
    """Spellings people also use: "Power Point" for "PowerPoint"; plurals and hyphen/space swaps of nouns."""
    if CAMEL_CASE.fullmatch(surface):
        return [CAMEL_CASE_SPLIT.sub(" ", surface)]
    if category not in NOUN_CATEGORIES or not surface.isascii() or surface != surface.lower():
        return []
    found = []
    if len(surface.rsplit(maxsplit=1)[-1]) > 3 and surface[-1].isalpha() and not surface.endswith("s"):
        found.append(surface[:-1] + "ies" if re.search(r"[^aeiou]y$", surface) else surface + "s")
    if surface.count(" ") == 1:
        found.append(surface.replace(" ", "-"))
    if surface.count("-") == 1:
        found.append(surface.replace("-", " "))
    return found


def add_curated(builder: Builder, path: Path, *, has_display: bool, words: Words | None = None) -> None:
    for category, forms in read_curated(path):
        name = split_mark(forms[0])[0]
        if category == "block":
            entity = builder.entity(name, "block")
        else:
            entity = builder.entities.get(name) or builder.entity(name, category)
        if has_display and len(forms) > 1:
            entity.name_zh = split_mark(forms[1])[0]
        for form in forms:
            surface, mark = split_mark(form)
            is_bare = words is not None and not mark and is_bare_field_word(surface, entity.category, words)
            mark = "~" if is_bare else mark
            builder.add(entity, surface, mark, report=True)
            for variant in variants(surface, entity.category) if not mark or is_bare else []:
                builder.add(entity, variant, mark)


def is_bare_field_word(surface: str, category: str, words: Words) -> bool:
    """One ordinary word naming a whole field ("Sales", "Teaching"): a skill in a list, not in prose."""
    is_word = surface.isascii() and surface.isalpha() and not surface.isupper()
    return category in FIELD_CATEGORIES and is_word and words.is_plain_word(surface)


def skillspan_counts(skillspan: Path) -> tuple[Counter[str], Counter[str]]:
    """Lower-case words of SkillSpan postings counted outside and inside skill or knowledge spans."""
    outside: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    for name in ("train.json", "dev.json"):
        for line in (skillspan / name).read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            for token, skill, knowledge in zip(
                record["tokens"], record["tags_skill"], record["tags_knowledge"], strict=True
            ):
                if token.islower():
                    (outside if skill == knowledge == "O" else inside)[token] += 1
    return outside, inside


@dataclass(frozen=True)
class Words:
    """What the sources say about ordinary English: words too generic to match, and plain words."""

    generic: set[str]
    english: set[str]

    @classmethod
    def read(cls, data: Path) -> Words:
        outside, inside = skillspan_counts(data / "skillspan-en")
        # Generic: used lower-case outside skill spans at least 3 times, and 3 times more than inside.
        generic = {w for w, n in outside.items() if n >= 3 and n >= 3 * inside[w]} | GENERIC
        with (data / "onet" / "Occupation Data.txt").open(encoding="utf-8", newline="") as handle:
            prose = " ".join(row["Description"] for row in csv.DictReader(handle, delimiter="\t"))
        titles = (data / "onet" / "Alternate Titles.txt").read_text(encoding="utf-8").lower()
        labels = (data / "esco" / "skills_en_label.txt").read_text(encoding="utf-8")
        english = set(re.findall(r"\b[a-z]+\b", f"{prose} {titles} {labels}")) | set(outside)
        return cls(generic, english)

    def is_generic(self, form: str) -> bool:
        words = form.lower().split()
        if all(w in self.generic for w in words):
            return True
        # "Web browser", "Medical procedure coding": descriptions, not names.
        return (
            len(words) > 1
            and form[:1].isupper()
            and form[1:] == form[1:].lower()
            and not re.search(r"\d", form)
        )

    def is_plain_word(self, form: str) -> bool:
        """One ordinary English word ("Drive", "Director"), however capitalised."""
        return " " not in form and form.lower() in self.english | self.generic

    def mark(self, form: str) -> str:
        """Match mode for a derived form: strict for one letter, case-sensitive for acronyms and words."""
        if len(form) == 1 or (len(form) == 2 and not form.isupper()):
            return "!"
        is_acronym = form.isupper() and len(form) <= 5 and " " not in form
        return "=" if len(form) == 2 or is_acronym or self.is_plain_word(form) else ""


def onet_forms(example: str, words: Words) -> tuple[list[tuple[str, str]], list[str]]:
    """Matchable forms of one O*NET technology name (best canonical first; none for junk), and the forms
    that may only join it to a skill already known ("Oracle Java" joins "Java", but "Google Drive" never
    makes "Drive" a skill)."""
    base = re.sub(r"\s+software$", "", example, flags=re.IGNORECASE).strip()
    bracketed = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", base)
    if bracketed:  # "Internet Information Services (IIS)" -> "Internet Information Services IIS"
        base = f"{bracketed[1]} {bracketed[2]}"
    tokens = base.split()
    if base != example and len(tokens) == 1 and (DESCRIPTIVE_WORD.search(base) or words.is_plain_word(base)):
        return [], []  # "Encryption software", "Email software": a kind of product, not a product
    forms: list[str] = []
    if len(tokens) >= 3 and re.fullmatch(r"[A-Z][A-Z0-9&/-]{1,7}", tokens[-1]) and _is_acronym(tokens):
        forms.append(tokens[-1])
        base = " ".join(tokens[:-1])
    vendor = next((v for v in VENDORS if base.startswith(v + " ")), None)
    stripped = base[len(vendor) + 1 :] if vendor else ""
    probes = [stripped] if stripped and words.is_plain_word(stripped) else []
    forms += [stripped] if stripped and not probes else []
    forms.append(base)
    kept = [f for f in dict.fromkeys(forms) if len(f.split()) <= MAX_WORDS and len(f) <= MAX_CHARS]
    kept = [f for f in kept if len(f) > 1 and (not words.is_generic(f) or _is_brand_word(f, base, words))]
    return [(f, words.mark(f)) for f in kept], probes


def _is_brand_word(form: str, base: str, words: Words) -> bool:
    """A product named by an ordinary word ("Zoom", "Slack"): kept, but matched case-sensitively."""
    return form == base and " " not in form and not form.islower() and form.lower() not in GENERIC


def _is_acronym(tokens: list[str]) -> bool:
    """Whether the last token abbreviates the words before it ("Structured query language SQL")."""
    initials = "".join(
        w[0] + "".join(c for c in w[1:] if c.isupper()) for w in tokens[:-1] if w[:1].isalpha()
    )
    letters = iter(initials.lower())
    return all(any(c == letter for letter in letters) for c in tokens[-1].lower() if c.isalpha())


def add_onet(builder: Builder, path: Path, words: Words) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    counts = Counter(row["Example"] for row in rows)
    commodity = {row["Example"]: row["Commodity Title"] for row in rows}
    flagged = {row["Example"] for row in rows if "Y" in (row["Hot Technology"], row["In Demand"])}
    for example, occupations in counts.most_common():
        if occupations < ONET_MIN_OCCUPATIONS and example not in flagged and len(example.split()) > 2:
            continue
        forms, probes = onet_forms(example, words)
        if not forms:
            continue
        owner = builder.owner_of(forms + [(probe, "") for probe in probes])
        if owner is None:
            owner = builder.entity(forms[0][0], COMMODITY_CATEGORY.get(commodity[example], "tool"))
        for surface, mark in forms:
            builder.add(owner, surface, mark)


def esco_keep(label: str, words: Words) -> bool:
    tokens = label.split()
    if not 1 <= len(tokens) <= MAX_WORDS or len(label) > MAX_CHARS or re.search(r"[(),;:/]", label):
        return False
    first = tokens[0].lower()
    if label.lower() in FIELDS_OF_STUDY:
        return False
    if first in ESCO_VERBS or " of " in f" {label} " or tokens[-1].lower() in ESCO_VERBS:
        return False
    if len(tokens) == 1 and label != label.lower():
        return not words.is_plain_word(label)  # "Haskell" yes, "LESS" no
    if len(tokens) == 1:
        return label not in words.generic and (not label.endswith("s") or label.endswith("ics"))
    is_noun_phrase = bool(ESCO_FIRST_WORD.search(first)) or tokens[-1].lower() in ESCO_HEAD_WORDS
    return is_noun_phrase and not words.is_generic(label)


def esco_category(label: str) -> str:
    lowered = label.lower()
    for category, stems in ESCO_CATEGORY_WORDS:
        if any(stem in lowered for stem in stems.split()):
            return category
    return "other"


def esco_name(label: str) -> str:
    small = {"and", "of", "in", "for", "to", "the", "with", "on"}
    return " ".join(w if w in small or not w.islower() else w[:1].upper() + w[1:] for w in label.split())


def add_esco(builder: Builder, path: Path, words: Words) -> None:
    for label in (line.strip() for line in path.read_text(encoding="utf-8").splitlines()):
        if not label or not esco_keep(label, words):
            continue
        mark = words.mark(label) if label != label.lower() else ""
        owner = builder.owner_of([(label, mark)]) or builder.entity(esco_name(label), esco_category(label))
        builder.add(owner, label, mark)


def write_tsv(builder: Builder, path: Path) -> None:
    header = [
        "# JobFirst AI skill dictionary, generated by scripts/build_skills.py (sources: SKILLS_SOURCES.md).",
        "# name<TAB>category<TAB>name_zh<TAB>forms: every form to match, '|'-separated. A form marked '=' is",
        "# case-sensitive (other casings only in a skills list or section); '!' is strict (as written, and",
        "# only in a skills list or section). Category 'block' rows are phrases that only stop a shorter",
        "# skill inside them from matching.",
        "name\tcategory\tname_zh\tforms",
    ]
    rows = [
        "\t".join([e.name, e.category, e.name_zh, "|".join(mark + s for s, mark in e.forms.items())])
        for e in builder.entities.values()
        if e.forms
    ]
    path.write_text("\n".join(header + rows) + "\n", encoding="utf-8")


def main() -> int:
    data = Path(os.environ.get("JOBFIRST_SHARED_DATA", REPO.parent / "shared" / "data"))
    words = Words.read(data)
    builder = Builder()
    add_curated(builder, SCRIPTS / "skills_en.txt", has_display=False, words=words)
    add_curated(builder, SCRIPTS / "skills_zh.txt", has_display=True)
    curated = len(builder.entities)
    add_onet(builder, data / "onet" / "Technology Skills.txt", words)
    onet = len(builder.entities) - curated
    add_esco(builder, data / "esco" / "skills_en_label.txt", words)
    bad = {e.category for e in builder.entities.values()} - set(CATEGORIES) - {"block"}
    if bad or builder.conflicts:
        print("unknown categories:", sorted(bad), *builder.conflicts, sep="\n", file=sys.stderr)
        return 1
    write_tsv(builder, OUTPUT)
    zh = sum(1 for e in builder.entities.values() if e.name_zh)
    print(f"{len(builder.entities)} skills ({curated} curated, {onet} O*NET, {zh} with Chinese names),")
    print(f"{len(builder.owners)} forms, {OUTPUT.stat().st_size} bytes -> {OUTPUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
