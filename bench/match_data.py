"""Synthetic job postings for the matching benchmarks: 60% Chinese from templates, 40% English from SkillSpan.

English postings (40%) recombine real sentences of the SkillSpan job postings (train and dev splits of
../shared/data/skillspan-en, MIT). Each picks one source posting as its seed and takes some of its duty,
requirement and nice-to-have sentences (kinds told apart by the human SKILL/KNOWLEDGE labels and cue words),
swaps about a third for sentences of the same kind from other postings of the same source, varies the years
asked for, and lays them out under "Responsibilities:", "Requirements:" and "Nice to have:" (or a variant
heading), 150–400 words. The title is one of the O*NET alternate titles sharing the most IDF-weighted words
with the seed's title line and KNOWLEDGE spans. Placeholders of the de-identified text (<ORGANIZATION>,
<LOCATION>) become the generated company and city; sentences with names, addresses or contacts are dropped.

Chinese postings (60%) come from bench/match_data_zh.py: templates of 18 professions (后端, 前端, 数据分析,
算法, 测试, 运维, 产品, 设计, 销售, 财务, 教师, 护士, 运营, 人力资源, 市场, 采购/供应链, 机械, 法务) in
bench/match_professions_zh.txt, with 岗位职责 / 任职要求 / 加分项 sections whose wording, order, skills,
years, degree and major are drawn at random; every skill in them is a form in scripts/skills_zh.txt.

Fields: id ("bench-000001"), title, company, location, description, tags, salary_min, salary_max (monthly
CNY in yuan; None when the posting gives none or says 面议), language ("zh" or "en"). `language` is for the
benchmarks (splits, per-language figures): the JSONL written by the CLI leaves it out, because the service's
import refuses unknown fields and detects the language itself (`import_row`). The same seed gives the same
postings, and the first k postings of any n ≥ k are the same.

Run: `.venv/bin/python bench/match_data.py --n 100000 --out /tmp/postings.jsonl` (writes
bench/results/match_data.json: generation time, size, language split).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import shared_data, write_result
from match_data_zh import ZhTemplates, chinese_posting, draw_salary

ZH_SHARE = 0.6
IMPORT_FIELDS = ("id", "title", "company", "location", "description", "tags", "salary_min", "salary_max")
SPLITS = ("train", "dev")


# ---------------------------------------------------------------------------------------- SkillSpan


@dataclass(frozen=True)
class SourceSentence:
    """One SkillSpan sentence: its tokens and the human SKILL and KNOWLEDGE spans in it."""

    tokens: tuple[str, ...]
    skills: tuple[str, ...]
    knowledge: tuple[str, ...]

    @property
    def text(self) -> str:
        return detokenise(self.tokens)


@dataclass(frozen=True)
class SourcePosting:
    """One real SkillSpan posting: its sentences in file order, keyed "train-tech-1"."""

    key: str
    source: str
    sentences: tuple[SourceSentence, ...]


def bio_spans(tokens: Sequence[str], tags: Sequence[str]) -> tuple[str, ...]:
    """The spans a BIO tag sequence marks, as space-joined tokens."""
    spans: list[list[str]] = []
    inside = False
    for token, tag in zip(tokens, tags, strict=True):
        if tag == "B" or (tag == "I" and not inside):
            spans.append([token])
        elif tag == "I":
            spans[-1].append(token)
        inside = tag != "O"
    return tuple(" ".join(span) for span in spans)


def detokenise(tokens: Sequence[str]) -> str:
    """Join tokens, with no space before closing punctuation or after an opening bracket."""
    text = re.sub(r" ([.,;:!?)\]%])", r"\1", " ".join(tokens))
    return re.sub(r"([(\[]) ", r"\1", text)


def read_skillspan(data: Path | None = None) -> list[SourcePosting]:
    """Every SkillSpan posting (train, then dev): sentences grouped by (split, source, idx) in file order."""
    folder = (data or shared_data()) / "skillspan-en"
    grouped: dict[tuple[str, str, int], list[SourceSentence]] = {}
    for split in SPLITS:
        for line in (folder / f"{split}.json").read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            tokens = record["tokens"]
            sentence = SourceSentence(
                tuple(tokens),
                bio_spans(tokens, record["tags_skill"]),
                bio_spans(tokens, record["tags_knowledge"]),
            )
            grouped.setdefault((split, record["source"], record["idx"]), []).append(sentence)
    return [
        SourcePosting(f"{split}-{source}-{idx}", source, tuple(sentences))
        for (split, source, idx), sentences in grouped.items()
    ]


# ------------------------------------------------------------------------------ English sentence pools

_DROPPED = re.compile(
    r"<(?:ADDRESS|CONTACT|NAME|DESCRIPTION|PROFESSION)>|^(?:Date posted|Likes|Job type|Experience level|"
    r"Role|Industry|Company size|Company type|Location options)\b"
)
_NICE = re.compile(
    r"\b(?:plus|advantage\w*|nice to have|bonus|preferred|preferably|desirable|ideally|merit|beneficial)\b",
    re.IGNORECASE,
)
_REQUIRED = re.compile(
    r"\b(?:experienced?|knowledge|degree|understanding|familiar\w*|proficien\w*|years?|background|skills?|"
    r"ability|able to|you have|you are|fluent\w*|certifi\w*|bachelor\w*|master\w*|phd|qualifications?|"
    r"strong|excellent|solid|expertise|track record)\b",
    re.IGNORECASE,
)
_YEARS = re.compile(r"\b\d{1,2}(\+?\s*(?:-\s*\d{1,2}\s*)?years?)\b")
COMPANY, CITY = "\x00company\x00", "\x00city\x00"


def sentence_kind(sentence: SourceSentence) -> str | None:
    """The sentence's part of a posting: duty, requirement, nice (to have), intro (unlabelled), or None."""
    text = sentence.text
    if _DROPPED.search(text) or not 6 <= len(sentence.tokens) <= 60:
        return None
    if not (sentence.skills or sentence.knowledge):
        return "intro" if len(sentence.tokens) <= 35 else None
    if _NICE.search(text):
        return "nice"
    return "requirement" if _REQUIRED.search(text) else "duty"


def _clean_sentence(text: str) -> str:
    """Without a leading bullet; placeholders of the de-identified text become markers filled per posting."""
    text = re.sub(r"^[*•·-]+\s*", "", text)
    text = re.sub(r"<(?:ORGANIZATION|ORG)>(?: <(?:ORGANIZATION|ORG)>)*", COMPANY, text)
    return re.sub(r"<LOCATION>(?: <LOCATION>)*", CITY, text)


@dataclass
class Seed:
    """The reusable sentences of one source posting, by kind, and titles that fit it."""

    source: str
    sentences: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    titles: list[str] = field(default_factory=list)


_TITLE_STOP = frozenset(
    ("and", "of", "the", "for", "in", "to", "or", "with", "senior", "junior", "lead", "head", "principal")
)


def _title_words(text: str) -> list[str]:
    return [w for w in re.findall(r"[a-z][a-z+#]+", text.lower()) if w not in _TITLE_STOP]


@dataclass(frozen=True)
class TitleIndex:
    """O*NET alternate titles and an inverted index of their words."""

    titles: list[str]
    by_word: dict[str, list[int]]

    @classmethod
    def load(cls, data: Path) -> TitleIndex:
        lines = (data / "onet" / "Alternate Titles.txt").read_text(encoding="utf-8").splitlines()[1:]
        titles = sorted({line.split("\t")[1] for line in lines})
        by_word: dict[str, list[int]] = defaultdict(list)
        for number, title in enumerate(titles):
            for word in set(_title_words(title)):
                by_word[word].append(number)
        return cls(titles, dict(by_word))

    def related(self, words: Counter[str], limit: int = 12) -> list[str]:
        """Titles most of whose words are in `words`, by the IDF-weighted words they share with it."""
        scores: Counter[int] = Counter()
        shared: Counter[int] = Counter()
        for word, weight in words.items():
            hits = self.by_word.get(word, [])
            idf = math.log(len(self.titles) / (1 + len(hits)))
            for number in hits:
                scores[number] += weight * idf
                shared[number] += 1
        covered = [n for n in scores if shared[n] * 2 >= len(set(_title_words(self.titles[n])))]
        ranked = sorted(covered, key=lambda n: (-scores[n], self.titles[n]))
        return [self.titles[n] for n in ranked[:limit]]


def build_seeds(postings: Sequence[SourcePosting], titles: TitleIndex) -> list[Seed]:
    """One seed per source posting that has at least two duty or requirement sentences."""
    seeds = []
    for posting in postings:
        seed = Seed(posting.source)
        words: Counter[str] = Counter()
        if posting.source == "tech":  # StackOverflow postings open with the job title
            words.update({w: 3 for w in _title_words(posting.sentences[0].text)})
        for sentence in posting.sentences:
            words.update(w for span in sentence.knowledge for w in _title_words(span))
            kind = sentence_kind(sentence)
            if kind:
                seed.sentences[kind].append(_clean_sentence(sentence.text))
        if len(seed.sentences["duty"]) + len(seed.sentences["requirement"]) >= 2:
            seed.titles = titles.related(words) or titles.related(Counter({"specialist": 1}))
            seeds.append(seed)
    return seeds


# ----------------------------------------------------------------------------------------- generation

CITIES_EN = ("Shanghai", "Beijing", "Shenzhen", "Hangzhou", "Guangzhou", "Suzhou", "Chengdu", "Hong Kong")
CITIES_EN += ("Singapore", "Remote", "London", "Berlin", "Copenhagen", "Amsterdam", "Dublin")
TAGS_EN = ("Remote", "Hybrid", "Visa sponsor", "Paid relocation", "Health insurance", "Stock options")
TAGS_EN += ("Flexible hours", "Annual bonus", "Learning budget", "Pension")
COMPANY_WORDS_EN = ("Northwind", "Bluepeak", "Silverline", "Redwood", "Brightpath", "Ironbridge", "Lumen")
COMPANY_WORDS_EN += ("Vertex", "Harbor", "Summit", "Nova", "Orbit", "Pioneer", "Quantum", "Sterling", "Tidal")
COMPANY_KINDS_EN = ("Technologies", "Systems", "Labs", "Analytics", "Software", "Solutions", "Health")
COMPANY_KINDS_EN += ("Group", "Consulting", "Logistics", "Capital", "Robotics", "Energy", "Media", "Retail")
HEADINGS_EN = {
    "duty": ("Responsibilities:",) * 3 + ("What you'll do:", "Your tasks:"),
    "requirement": ("Requirements:",) * 3 + ("What we're looking for:", "Qualifications:"),
    "nice": ("Nice to have:",) * 3 + ("Bonus points:", "Preferred qualifications:"),
}


@dataclass(frozen=True)
class Sources:
    """Everything generation draws from, loaded once per `generate_postings` call."""

    seeds: list[Seed]
    pools: dict[str, dict[str, list[str]]]
    zh: ZhTemplates

    @classmethod
    def load(cls, data: Path | None = None) -> Sources:
        data = data or shared_data()
        seeds = build_seeds(read_skillspan(data), TitleIndex.load(data))
        pools: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for seed in seeds:
            for kind, sentences in seed.sentences.items():
                pools[seed.source][kind].extend(sentences)
        return cls(seeds, pools, ZhTemplates.load())


def _pick(rng: random.Random, own: list[str], pool: list[str], count: int) -> list[str]:
    """`count` sentences, mostly the seed's own, about a third from the pool of other postings."""
    chosen = rng.sample(own, min(count, len(own)))
    chosen = [rng.choice(pool) if pool and rng.random() < 0.33 else s for s in chosen]
    chosen += [rng.choice(pool) for _ in range(count - len(chosen)) if pool]
    return list(dict.fromkeys(chosen))


def _english_sections(rng: random.Random, seed: Seed, pool: dict[str, list[str]]) -> dict[str, list[str]]:
    sections = {
        "intro": _pick(rng, seed.sentences["intro"], pool["intro"], rng.randint(1, 3)),
        "duty": _pick(rng, seed.sentences["duty"], pool["duty"], rng.randint(3, 7)),
        "requirement": _pick(rng, seed.sentences["requirement"], pool["requirement"], rng.randint(3, 8)),
        "nice": _pick(rng, seed.sentences["nice"], pool["nice"], rng.randint(0, 3)),
    }
    target = rng.randint(150, 400)
    words = sum(len(s.split()) for part in sections.values() for s in part)
    for kind in ("intro", "duty", "requirement", "nice") * 8:  # trim the longest posts back into range
        if words <= target or len(sections[kind]) <= (0 if kind in ("intro", "nice") else 2):
            continue
        words -= len(sections[kind].pop().split())
    while words < 150:  # a seed with few sentences borrows requirements from other postings
        sentence = rng.choice(pool["requirement"])
        sections["requirement"].append(sentence)
        words += len(sentence.split())
    return sections


def english_posting(rng: random.Random, sources: Sources, number: int) -> dict[str, Any]:
    """One English posting recombined from the sentences of a SkillSpan seed posting."""
    seed = rng.choice(sources.seeds)
    company = f"{rng.choice(COMPANY_WORDS_EN)} {rng.choice(COMPANY_KINDS_EN)}"
    city = rng.choice(CITIES_EN)
    sections = _english_sections(rng, seed, sources.pools[seed.source])
    intro = sections.pop("intro")
    lines = [" ".join(intro), ""] if intro else []
    for kind, sentences in sections.items():
        if sentences:
            lines += [rng.choice(HEADINGS_EN[kind]), *(f"- {s}" for s in sentences), ""]
    text = "\n".join(lines).strip().replace(COMPANY, company)
    text = _YEARS.sub(
        lambda m: f"{rng.randint(1, 8)}{m.group(1)}", text.replace(CITY, city.replace("Remote", "Shanghai"))
    )
    title = rng.choice(seed.titles)
    if rng.random() < 0.2:
        title = f"{rng.choice(('Senior', 'Junior', 'Lead'))} {title}"
    salary_min, salary_max = draw_salary(rng, 15, 60, none_share=0.4)
    return {
        "id": f"bench-{number:06d}",
        "title": title,
        "company": company,
        "location": city,
        "description": text,
        "tags": ["Full-time", *rng.sample(TAGS_EN, rng.randint(0, 3))],
        "salary_min": salary_min,
        "salary_max": salary_max,
        "language": "en",
    }


def generate_postings(n: int, seed: int = 7, data: Path | None = None) -> Iterator[dict[str, Any]]:
    """`n` postings, 60% Chinese and 40% English (drawn per posting), deterministic for a given seed."""
    sources = Sources.load(data)
    rng = random.Random(seed)
    for number in range(1, n + 1):
        if rng.random() < ZH_SHARE:
            yield chinese_posting(rng, sources.zh, number)
        else:
            yield english_posting(rng, sources, number)


def import_row(posting: dict[str, Any]) -> dict[str, Any]:
    """The posting as the service imports it: the fields of its job import, nothing else."""
    return {name: posting[name] for name in IMPORT_FIELDS}


def write_jsonl(postings: Iterator[dict[str, Any]], path: Path) -> Counter[str]:
    """Write postings as importable JSON Lines; return how many of each language."""
    languages: Counter[str] = Counter()
    with path.open("w", encoding="utf-8") as out:
        for posting in postings:
            languages[posting["language"]] += 1
            out.write(json.dumps(import_row(posting), ensure_ascii=False) + "\n")
    return languages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="how many postings")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path("/tmp/postings.jsonl"))
    args = parser.parse_args()
    started = time.perf_counter()
    languages = write_jsonl(generate_postings(args.n, args.seed), args.out)
    seconds = time.perf_counter() - started
    result = {
        "postings": args.n,
        "seed": args.seed,
        "seconds": round(seconds, 2),
        "bytes": args.out.stat().st_size,
        "languages": dict(languages),
        "zh_share": round(languages["zh"] / args.n, 4),
    }
    path = write_result("match_data", result)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(f"wrote {args.out} and {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
