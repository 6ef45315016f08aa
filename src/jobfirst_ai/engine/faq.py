"""The FAQ knowledge base: bilingual questions about JobFirst, ranked against a user's message.

The entries are shipped data (`data/faq.jsonl`, one JSON object a line; sources in `data/FAQ_SOURCES.md`):
an id, a topic and, for Chinese and for English, a question, its paraphrases and an answer.

**Features.** A text becomes a bag of features: the retrieval terms of `engine/tokens.py` (Latin words;
Chinese words from jieba, loaded with the index), synonyms folded (`data/faq_synonyms.txt`: cv → resume,
岗位 → 职位), a light stem of each English word (optimise, optimizer → optim) and, at half weight, the
character bigrams of each Han run, so a short Chinese question still meets a variant jieba cut otherwise.
Weights are tf-idf (`(1 + ln tf) · idf`, smoothed idf over the variants). A word no variant has keeps the
highest idf, so an off-topic message ("今天天气怎么样") is pulled away from every entry by its own words;
an unknown bigram is dropped instead (most straddle two words).

**Score.** Every question and paraphrase, in both languages, is a *variant* of its entry. An entry scores
0.3 × the best cosine similarity of the message to one variant + 0.7 × its cosine similarity to all the
entry's variants together: in [0, 1]. The whole-entry part breaks ties between entries that share a
phrase ("how do I … score") in favour of the one whose questions are about the message's words.

**Confidence.** The best hit is confident when it scores `CONFIDENT_SCORE` or more *and* leads the next
entry by `CONFIDENT_LEAD` (entries have near neighbours: the match score, improving it); the chat then
answers without a model. Tuned on one held-out set (122 paraphrases not in the data file, 20 off-topic
messages), measured once on a second one written before tuning (`tests/engine/test_faq.py`): accuracy@1
0.85, 81 of 122 answered confidently of which 5 wrong, 0 of 10 off-topic messages answered.
`GROUNDING_SCORE`, lower, is the floor for snippets handed to a model as context. Answers are in the
language asked for, else in the message's (`engine/language.detect_language`).
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Final, Literal

from pydantic import Field

from jobfirst_ai.engine.language import detect_language
from jobfirst_ai.engine.tokens import tokenize
from jobfirst_ai.engine.types import Frozen, Language

__all__ = [
    "CONFIDENT_LEAD",
    "CONFIDENT_SCORE",
    "GROUNDING_SCORE",
    "FaqEntry",
    "FaqHit",
    "FaqText",
    "FaqTopic",
    "faq_entries",
    "find_answer",
    "grounding_snippets",
    "parse_faq",
]

FaqTopic = Literal[
    "about",
    "account",
    "resume_upload",
    "resume_analysis",
    "optimization",
    "job_matching",
    "interview",
    "chat",
    "privacy",
    "limits",
    "troubleshooting",
    "resume_advice",
    "job_search",
]

CONFIDENT_SCORE: Final = 0.3
CONFIDENT_LEAD: Final = 0.08
GROUNDING_SCORE: Final = 0.2

_ENTRY_SHARE: Final = 0.7  # of an entry's score from all its variants together, the rest from the best one
_BIGRAM_WEIGHT: Final = 0.5
_BIGRAM_MARK: Final = "~"  # keeps a bigram feature apart from a two-character jieba word
_STEM_MARK: Final = "^"
_HAN_RUN: Final = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_PLAIN_LATIN: Final = re.compile("[a-z]{5,}")
# The first of these suffixes that leaves four letters goes, then six letters are kept.
_SUFFIXES: Final = (
    *("isation", "ization", "ations", "ation", "ising", "izing", "ised", "ized"),
    *("ise", "ize", "ing", "ed", "er", "es", "e", "al", "ly"),
)
_STEM_LENGTH: Final = 6


class FaqText(Frozen):
    """One language's side of an entry."""

    question: str = Field(min_length=1)
    paraphrases: tuple[str, ...] = Field(min_length=1, description="Other ways users ask the question")
    answer: str = Field(min_length=1)


class FaqEntry(Frozen):
    """One question of the knowledge base, in Chinese and English."""

    id: str = Field(pattern="^[a-z][a-z0-9_]*$")
    topic: FaqTopic
    zh: FaqText
    en: FaqText

    def text(self, language: Language) -> FaqText:
        """This entry's question, paraphrases and answer in `language`."""
        return self.zh if language == "zh" else self.en


class FaqHit(Frozen):
    """An entry that answers a message, with how similar the message is to the entry's questions."""

    id: str
    topic: FaqTopic
    language: Language = Field(description="The language of `question` and `answer`")
    question: str
    answer: str
    score: float = Field(ge=0, le=1, description="Similarity of the message to the entry's questions")
    is_confident: bool = Field(description="Good enough to answer without a model (best hit only)")


@dataclass(frozen=True, slots=True)
class _Index:
    """Unit-length tf-idf vectors: one a variant (with its entry's position) and one an entry."""

    entries: tuple[FaqEntry, ...]
    synonyms: Mapping[str, str]
    idf: Mapping[str, float]
    unknown_idf: float
    variants: tuple[tuple[int, Mapping[str, float]], ...]
    wholes: tuple[Mapping[str, float], ...]
    by_feature: Mapping[str, tuple[tuple[int, float], ...]]  # feature -> (variant number, weight) of each
    wholes_by_feature: Mapping[str, tuple[tuple[int, float], ...]]  # feature -> (entry position, weight)


def parse_faq(text: str) -> tuple[FaqEntry, ...]:
    """Entries from JSON Lines text (blank lines skipped); ValueError on a bad line or a repeated id."""
    entries = tuple(FaqEntry.model_validate(json.loads(line)) for line in text.splitlines() if line.strip())
    repeated = sorted(name for name, count in Counter(entry.id for entry in entries).items() if count > 1)
    if repeated:
        raise ValueError(f"repeated FAQ ids: {', '.join(repeated)}")
    return entries


def faq_entries() -> tuple[FaqEntry, ...]:
    """The shipped entries, in file order (loaded once)."""
    return _index().entries


def find_answer(question: str, *, language: Language | None = None, limit: int = 3) -> list[FaqHit]:
    """The entries most similar to `question`, best first (ties by id), at most `limit`, none scoring 0.

    Answers are in `language`, or in the language of `question` when none is asked for. Only the first hit
    can be confident: it scores at least `CONFIDENT_SCORE` and leads the next entry by `CONFIDENT_LEAD`.
    """
    if limit < 1 or not question.strip():
        return []
    index = _index()
    ranked = _rank(index, question)
    if not ranked:
        return []
    runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
    is_confident = ranked[0][0] >= CONFIDENT_SCORE and ranked[0][0] - runner_up >= CONFIDENT_LEAD
    answer_language = language or detect_language(question)
    return [
        _hit(index.entries[position], score, answer_language, is_confident=is_confident and rank == 0)
        for rank, (score, position) in enumerate(ranked[:limit])
    ]


def grounding_snippets(message: str, language: Language | None = None, limit: int = 3) -> list[str]:
    """ "Q: … A: …" texts of the entries relevant to `message` (score >= GROUNDING_SCORE), best first, for a
    model's prompt; empty when nothing in the knowledge base is relevant."""
    hits = find_answer(message, language=language, limit=limit)
    return [f"Q: {hit.question}\nA: {hit.answer}" for hit in hits if hit.score >= GROUNDING_SCORE]


def _rank(index: _Index, message: str) -> list[tuple[float, int]]:
    """(score, entry position) of every entry sharing a feature with the message, best first, ties by id."""
    query = _query_vector(index, _features(message, index.synonyms))
    # Only variants sharing a feature with the message can score above 0; their dot products are summed
    # through the inverted index, each in the query's order as a dot product would (the same floats), without
    # touching the features they don't share (a dot product per variant was ~6% of a chat request's CPU).
    variants = _sparse_dots(query, index.by_feature)
    wholes = _sparse_dots(query, index.wholes_by_feature)
    closest: dict[int, float] = {}
    for number, score in variants.items():
        position = index.variants[number][0]
        closest[position] = max(closest.get(position, 0.0), score)
    scored = [
        (round(min(1.0, (1 - _ENTRY_SHARE) * best + _ENTRY_SHARE * wholes[position]), 4), position)
        for position, best in closest.items()
        if best > 0
    ]
    return sorted(scored, key=lambda pair: (-pair[0], index.entries[pair[1]].id))


def _sparse_dots(
    query: Mapping[str, float], postings: Mapping[str, tuple[tuple[int, float], ...]]
) -> dict[int, float]:
    sums: dict[int, float] = {}
    for key, weight in query.items():
        for number, value in postings.get(key, ()):
            sums[number] = sums.get(number, 0) + weight * value
    return sums


def _hit(entry: FaqEntry, score: float, language: Language, *, is_confident: bool) -> FaqHit:
    text = entry.text(language)
    return FaqHit(
        id=entry.id,
        topic=entry.topic,
        language=language,
        question=text.question,
        answer=text.answer,
        score=score,
        is_confident=is_confident,
    )


def _features(text: str, synonyms: Mapping[str, str]) -> Counter[str]:
    """Retrieval terms (synonyms folded), English stems, and the character bigrams of every Han run."""
    features: Counter[str] = Counter()
    for term in tokenize(text):
        word = synonyms.get(term, term)
        features[word] += 1
        if _PLAIN_LATIN.fullmatch(word):
            features[_STEM_MARK + _stem(word)] += 1
    for run in _HAN_RUN.findall(unicodedata.normalize("NFKC", text)):
        features.update(_BIGRAM_MARK + run[start : start + 2] for start in range(len(run) - 1))
    return features


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)][:_STEM_LENGTH]
    return word[:_STEM_LENGTH]


def _query_vector(index: _Index, features: Counter[str]) -> dict[str, float]:
    """The message's vector: unknown words kept (at the highest idf), unknown bigrams dropped."""
    known = Counter(
        {key: count for key, count in features.items() if not _is_bigram(key) or key in index.idf}
    )
    return _vector(known, index.idf, index.unknown_idf)


def _vector(features: Counter[str], idf: Mapping[str, float], unknown_idf: float) -> dict[str, float]:
    """Unit-length tf-idf weights, bigrams at `_BIGRAM_WEIGHT`; empty for a text without features."""
    weights = {
        key: (1 + math.log(count)) * idf.get(key, unknown_idf) * (_BIGRAM_WEIGHT if _is_bigram(key) else 1.0)
        for key, count in features.items()
    }
    norm = math.sqrt(sum(weight * weight for weight in weights.values()))
    return {key: weight / norm for key, weight in weights.items()} if norm else {}


def _is_bigram(feature: str) -> bool:
    return feature.startswith(_BIGRAM_MARK)


@functools.cache
def _index() -> _Index:
    """The shipped entries and their vectors, built on first use and never changed afterwards."""
    folder = resources.files("jobfirst_ai") / "data"
    entries = parse_faq((folder / "faq.jsonl").read_text(encoding="utf-8"))
    synonyms = _parse_synonyms((folder / "faq_synonyms.txt").read_text(encoding="utf-8"))
    return _build_index(entries, synonyms)


def _parse_synonyms(text: str) -> Mapping[str, str]:
    """`canonical: form form …` lines (`#` comments) → form → canonical."""
    pairs = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            canonical, forms = line.split(":", 1)
            pairs.update(dict.fromkeys(forms.split(), canonical.strip()))
    return MappingProxyType(pairs)


def _build_index(entries: tuple[FaqEntry, ...], synonyms: Mapping[str, str]) -> _Index:
    features = [
        (position, _features(variant, synonyms))
        for position, entry in enumerate(entries)
        for side in (entry.zh, entry.en)
        for variant in (side.question, *side.paraphrases)
    ]
    document_counts = Counter(key for _, counts in features for key in counts)
    total = len(features)
    idf = {key: math.log((1 + total) / (1 + count)) + 1 for key, count in document_counts.items()}
    unknown_idf = math.log(1 + total) + 1
    wholes = [Counter[str]() for _ in entries]
    for position, counts in features:
        wholes[position].update(counts)

    def frozen(counts: Counter[str]) -> Mapping[str, float]:
        return MappingProxyType(_vector(counts, idf, unknown_idf))

    variants = tuple((position, frozen(counts)) for position, counts in features)
    whole_vectors = tuple(frozen(counts) for counts in wholes)
    return _Index(
        entries=entries,
        synonyms=synonyms,
        idf=MappingProxyType(idf),
        unknown_idf=unknown_idf,
        variants=variants,
        wholes=whole_vectors,
        by_feature=MappingProxyType(_inverted([vector for _, vector in variants])),
        wholes_by_feature=MappingProxyType(_inverted(whole_vectors)),
    )


def _inverted(vectors: Sequence[Mapping[str, float]]) -> dict[str, tuple[tuple[int, float], ...]]:
    postings: dict[str, list[tuple[int, float]]] = {}
    for number, vector in enumerate(vectors):
        for key, weight in vector.items():
            postings.setdefault(key, []).append((number, weight))
    return {key: tuple(found) for key, found in postings.items()}
