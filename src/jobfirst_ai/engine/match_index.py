"""The retrieval index for job matching: BM25 over posting terms plus skill overlap, updated in place.

Postings are added with their terms (`engine.tokens.term_counts` of title and description, as the database
stores them, so a restart reloads without re-reading any text), canonical skills and filter fields.

**Layout.** A frozen main segment (`engine.match_segment`: packed numpy arrays, 8 bytes per distinct term
of a posting) and a small delta of recent writes in Python arrays. A removal clears the posting's bit in
the `alive` mask and lowers the document frequencies of its terms at once (the frozen term vectors say
which), so statistics are always exact. `compact()` folds the delta in and drops removed postings in
linear passes; it runs by itself when the delta reaches `delta_limit` postings (2,000) or removed postings
are a tenth of the main segment, and after `add_many`. A search gives the same hits before and after a
compaction: per posting, contributions are summed in the same order.

**Scores.** With N live postings, avgdl their mean length and df a term's document frequency:

* idf = ln(1 + (N − df + 0.5) / (df + 0.5)) (always positive);
* a query's terms are weighted w = (1 + ln qtf) · idf; only its `MAX_QUERY_TERMS` (64) heaviest terms that
  some posting holds are searched (ties by term), which bounds the cost of a long resume;
* bm25 = Σ idf · (1 + ln qtf) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · dl / avgdl)), k1 = 1.2, b = 0.75
  (tf capped at 255; each term's part computed in float32, summed in float64);
* skill_overlap = how many of the query's distinct skills (case-insensitive) the posting lists;
* score = bm25 / (best bm25 among the filtered candidates) + `SKILL_WEIGHT` · skill_overlap / query
  skills: both parts in [0, 1]. Candidates are live postings passing the filter with bm25 > 0 or a
  shared skill; the best `limit` by score are returned, ties by key;
* similarity = cosine of the query's and the posting's tf-idf vectors, weights (1 + ln tf) · idf over all
  their terms (not only the 64 searched), in [0, 1] and independent of the other candidates.

**Costs** (bench/match_index_probe.py, 100k generated postings, 9.5M (term, posting) pairs, 2 cores):
~98 MB (`memory_bytes()`); `add_many` 4.5 s; a search for a real resume (~200 distinct terms) 3.9 ms
median, 5.7 ms p95 at limit 100; `add` 0.05 ms; `remove` 0.01 ms; a compaction 0.15–0.3 s. `add` one by one
for a start-up load is ~3× slower than `add_many` (a compaction every 2,000). glibc keeps freed build
buffers unless its trim threshold is fixed (`mallopt(M_TRIM_THRESHOLD, 128 KiB)` at start-up: RSS after a
100k load +114 MB instead of +250 MB).

**Not thread-safe.** The service calls it from one event loop; a mutation (add, remove, compact) must
never run while another thread searches.
"""

from __future__ import annotations

import heapq
import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Final, NamedTuple

import numpy as np
from numpy.typing import NDArray

from jobfirst_ai.engine.match_fields import FieldStore, IdLists, MatchFilter, PostingFields, fold
from jobfirst_ai.engine.match_segment import (
    MAX_ID,
    MAX_TF,
    Column,
    Delta,
    Pending,
    Vector,
    empty_segment,
    merge,
)

__all__ = [
    "MAX_QUERY_TERMS",
    "SKILL_WEIGHT",
    "IndexHit",
    "IndexedPosting",
    "MatchFilter",
    "MatchIndex",
    "PostingFields",
]

K1: Final = 1.2
B: Final = 0.75
MAX_QUERY_TERMS: Final = 64
SKILL_WEIGHT: Final = 1.0
DELTA_LIMIT: Final = 2000
_BULK_CHUNK: Final = 25_000
_LOG_TF: Final = np.array([0.0] + [1.0 + math.log(tf) for tf in range(1, MAX_TF + 1)])
_LOG_TF.setflags(write=False)


@dataclass(frozen=True, slots=True)
class IndexHit:
    """One retrieved posting: its retrieval score and the parts of it, and the text similarity."""

    key: str
    score: float
    bm25: float
    skill_overlap: int
    similarity: float


class IndexedPosting(NamedTuple):
    """One posting for `MatchIndex.add_many`."""

    key: str
    terms: Mapping[str, int]
    skills: Iterable[str]
    fields: PostingFields


@dataclass(frozen=True, slots=True)
class _Query:
    hashes: NDArray[np.int64]  # every query term, sorted by hash
    weights: NDArray[np.float64]  # their tf-idf weights
    norm: float
    searched: list[tuple[int, float]]  # (hash, weight) of the searched terms, in term order


class _Terms(NamedTuple):
    """The terms of some postings, flattened: which posting (row), hash, tf and document frequency."""

    rows: NDArray[np.int64]
    hashes: NDArray[np.int64]
    tfs: NDArray[np.uint8]
    df: NDArray[np.int64]
    size: int


class MatchIndex:
    """In-memory retrieval index over job postings (see the module docstring for formulas and costs)."""

    def __init__(self, *, delta_limit: int = DELTA_LIMIT) -> None:
        self._delta_limit = delta_limit
        self._keys: list[str] = []  # by id; removed ids keep their key until compaction
        self._ids: dict[str, int] = {}  # live keys only
        self._alive, self._lengths = Column(np.bool_), Column(np.int32)
        self._skills = IdLists()
        self._fields = FieldStore()
        self._main = empty_segment()
        self._delta = Delta()
        self._total_length = 0
        self._removed_main = 0

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, key: object) -> bool:
        return key in self._ids

    def add(self, key: str, terms: Mapping[str, int], skills: Iterable[str], fields: PostingFields) -> None:
        """Index a posting, replacing the one with the same key; visible to the next search."""
        self._drop(key)
        vector, length = _vector(terms)
        self._delta.add(self._register(key, length, skills, fields), vector)
        if len(self._delta.vectors) >= self._delta_limit:
            self.compact()

    def add_many(self, postings: Iterable[IndexedPosting]) -> None:
        """Index many postings at once (a later one wins over an earlier one with the same key).

        Much faster than `add` one by one for a start-up load: the postings go straight into the frozen
        segment, in chunks of 25,000 (one linear merge each).
        """
        iterator = iter(postings)
        while chunk := list(islice(iterator, _BULK_CHUNK)):
            latest = {posting.key: posting for posting in chunk}
            pending = Pending()
            for key, posting in latest.items():
                self._drop(key)
                vector, length = _vector(posting.terms)
                pending.append(self._register(key, length, posting.skills, posting.fields), vector)
            self._compact(pending)

    def remove(self, key: str) -> bool:
        """Remove a posting; False if the index did not hold it."""
        removed = self._drop(key)
        if removed and self._removed_main >= max(self._delta_limit, self._main.size // 10):
            self.compact()
        return removed

    def compact(self) -> None:
        """Fold recent writes into the frozen segment and forget removed postings (linear in its size)."""
        self._compact(Pending())

    def search(
        self,
        query_terms: Mapping[str, int],
        skills: Iterable[str],
        *,
        limit: int,
        where: MatchFilter | None = None,
    ) -> list[IndexHit]:
        """The best `limit` postings for a query (a resume's terms and canonical skills), best first."""
        if limit <= 0 or not self._ids:
            return []
        query = self._query(query_terms)
        bm25 = self._bm25(query)
        overlap, asked = self._overlap(skills)
        candidates = (bm25 > 0) | (overlap > 0)
        candidates &= self._alive.view()
        if where is not None:
            candidates &= self._fields.mask(where)
        docs = np.flatnonzero(candidates)
        if len(docs) == 0:
            return []
        best = float(bm25[docs].max())
        scores = bm25[docs] / best if best > 0 else np.zeros(len(docs))
        if asked:
            scores = scores + SKILL_WEIGHT * overlap[docs] / asked
        chosen = self._top(docs, scores, limit)
        similarities = self._cosines(query, self._terms_of([doc for doc, _ in chosen]))
        return [
            IndexHit(self._keys[doc], score, float(bm25[doc]), int(overlap[doc]), float(similarity))
            for (doc, score), similarity in zip(chosen, similarities, strict=True)
        ]

    def similarity(self, query_terms: Mapping[str, int], key: str) -> float:
        """The text similarity of a query to one indexed posting (0.0 if the index does not hold it)."""
        doc = self._ids.get(key)
        if doc is None:
            return 0.0
        return float(self._cosines(self._query(query_terms), self._terms_of([doc]))[0])

    def similarity_to(self, query_terms: Mapping[str, int], terms: Mapping[str, int]) -> float:
        """The text similarity of a query to a posting that is not indexed, with the index's idf."""
        hashes, tfs = _vector(terms)[0]
        posting = _Terms(np.zeros(len(hashes), np.int64), hashes, tfs, self._df(hashes), 1)
        return float(self._cosines(self._query(query_terms), posting)[0])

    def memory_bytes(self) -> int:
        """Approximate bytes held: arrays, id lists, the delta, and the keys with their dictionary."""
        columns = self._alive.data.nbytes + self._lengths.data.nbytes
        keys = sys.getsizeof(self._keys) + sys.getsizeof(self._ids) + sum(map(sys.getsizeof, self._keys))
        parts = (self._main.nbytes(), self._delta.nbytes(), self._skills.nbytes(), self._fields.nbytes())
        return columns + keys + sum(parts)

    # ------------------------------------------------------------------------------------------ writes

    def _register(self, key: str, length: int, skills: Iterable[str], fields: PostingFields) -> int:
        """Give a new posting the next id and store everything but its terms."""
        if len(self._keys) > MAX_ID:
            self.compact()
        doc = len(self._keys)
        self._keys.append(key)
        self._ids[key] = doc
        self._alive.append(True)
        self._lengths.append(length)
        self._total_length += length
        self._skills.add(doc, skills)
        self._fields.append(doc, fields)
        return doc

    def _drop(self, key: str) -> bool:
        doc = self._ids.pop(key, None)
        if doc is None:
            return False
        self._alive.data[doc] = False
        self._total_length -= int(self._lengths.data[doc])
        if doc < self._main.size:
            self._main.forget(doc)
            self._removed_main += 1
        else:
            self._delta.forget(doc)
        return True

    def _compact(self, pending: Pending) -> None:
        """Compact, with `pending` (live postings registered after every delta posting) joining in."""
        size = self._alive.size
        if size == self._main.size and self._removed_main == 0:
            return
        live = np.flatnonzero(self._alive.view())
        renumber = np.full(size, -1, np.int32)
        renumber[live] = np.arange(len(live), dtype=np.int32)
        self._main = merge(self._main, renumber, self._delta.pending().batch(renumber, pending))
        self._delta = Delta()
        self._keys = [self._keys[doc] for doc in live.tolist()]
        self._ids = {key: doc for doc, key in enumerate(self._keys)}
        self._alive.keep(live)
        self._lengths.keep(live)
        self._skills.renumber(renumber)
        self._fields.keep(live, renumber)
        self._removed_main = 0

    # ----------------------------------------------------------------------------------------- search

    def _query(self, query_terms: Mapping[str, int]) -> _Query:
        items = sorted((term, count) for term, count in query_terms.items() if count > 0)
        hashes = np.array([hash(term) for term, _ in items], np.int64)
        counts = np.array([min(count, MAX_TF) for _, count in items], np.int64)
        df = self._df(hashes)
        weights = _LOG_TF[counts] * self._idf(df)
        present = np.flatnonzero(df > 0)
        heaviest = present[np.lexsort((present, -weights[present]))[:MAX_QUERY_TERMS]]
        searched = [(int(hashes[i]), float(weights[i])) for i in np.sort(heaviest).tolist()]
        order = np.argsort(hashes)
        norm = math.sqrt(math.fsum((weights * weights).tolist()))
        return _Query(hashes[order], weights[order], norm, searched)

    def _df(self, hashes: NDArray[np.int64]) -> NDArray[np.int64]:
        where, found = self._main.find(hashes)
        df = np.where(found, self._main.df[where] if len(self._main.df) else 0, 0).astype(np.int64)
        if self._delta.df:
            df += self._delta.frequencies(hashes.tolist())
        return df

    def _idf(self, df: NDArray[np.int64]) -> NDArray[np.float64]:
        # math.log per distinct value: numpy's vectorised log may round differently by position, and the
        # same posting must score the same wherever its terms sit in the arrays.
        values, inverse = np.unique(df, return_inverse=True)
        live = len(self._ids)
        table = [math.log(1.0 + (live - value + 0.5) / (value + 0.5)) for value in values.tolist()]
        return np.array(table, np.float64)[inverse.reshape(-1)]

    def _bm25(self, query: _Query) -> NDArray[np.float64]:
        entries, weights = self._postings_of(query)
        docs = entries >> 8
        tf = (entries & 0xFF).astype(np.float32)
        average = max(self._total_length, 1) / max(len(self._ids), 1)
        saturation = (K1 * (1.0 - B) + (K1 * B / average) * self._lengths.view()).astype(np.float32)
        denominator = saturation[docs]
        denominator += tf
        tf *= np.float32(K1 + 1.0)
        tf *= weights
        tf /= denominator
        return np.bincount(docs, tf, minlength=self._alive.size).astype(np.float64, copy=False)

    def _postings_of(self, query: _Query) -> tuple[NDArray[np.uint32], NDArray[np.float32]]:
        """The packed postings of the searched terms, term by term, and each one's query weight."""
        runs: list[NDArray[np.uint32]] = [np.zeros(0, np.uint32)]
        weights: list[float] = [0.0]
        where, found = self._main.find(np.array([term for term, _ in query.searched], np.int64))
        for (term, weight), index, is_found in zip(
            query.searched, where.tolist(), found.tolist(), strict=True
        ):
            for run in (self._main.run(index) if is_found else None, self._delta.run(term)):
                if run is not None:
                    runs.append(run)
                    weights.append(weight)
        per_entry = np.repeat(np.array(weights, np.float32), [len(run) for run in runs])
        return np.concatenate(runs), per_entry

    def _overlap(self, skills: Iterable[str]) -> tuple[NDArray[np.int64], int]:
        names = sorted({fold(skill) for skill in skills} - {""})
        docs = np.concatenate([np.zeros(0, np.uint32), *map(self._skills.ids, names)])
        return np.bincount(docs, minlength=self._alive.size), len(names)

    def _top(
        self, docs: NDArray[np.int64], scores: NDArray[np.float64], limit: int
    ) -> list[tuple[int, float]]:
        """The best `limit` (id, score), ties by key (only the keys tied at the cut are compared)."""
        keys = self._keys
        if len(docs) > limit:
            threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            above = scores > threshold
            tied = docs[scores == threshold].tolist()
            tied = heapq.nsmallest(limit - int(above.sum()), tied, key=keys.__getitem__)
            docs = np.concatenate([docs[above], np.array(tied, np.int64)])
            scores = np.concatenate([scores[above], np.full(len(tied), threshold)])
        rows = sorted(
            zip((-scores).tolist(), docs.tolist(), strict=True), key=lambda row: (row[0], keys[row[1]])
        )
        return [(doc, -negative) for negative, doc in rows]

    def _terms_of(self, docs: list[int]) -> _Terms:
        """The terms of indexed postings (a main-segment posting's document frequencies need no lookup)."""
        main, rows, parts = self._main, [], []
        for row, doc in enumerate(docs):
            if doc < main.size:
                rows.append(row)
                parts.append(main.vector(doc))
        packed = np.concatenate([np.zeros(0, np.uint32), *parts])
        terms = packed >> 8
        hashes, tfs, df = (
            main.vocabulary[terms],
            (packed & 0xFF).astype(np.uint8),
            main.df[terms].astype(np.int64),
        )
        if self._delta.df:
            df += self._delta.frequencies(hashes.tolist())
        in_main = _Terms(_rows(rows, [len(part) for part in parts]), hashes, tfs, df, len(docs))
        in_delta = [(row, self._delta.vectors[doc]) for row, doc in enumerate(docs) if doc >= main.size]
        if not in_delta:
            return in_main
        rows_delta = _rows([row for row, _ in in_delta], [len(vector[0]) for _, vector in in_delta])
        hashes_delta = np.concatenate([vector[0] for _, vector in in_delta])
        return _Terms(
            np.concatenate([in_main.rows, rows_delta]),
            np.concatenate([hashes, hashes_delta]),
            np.concatenate([tfs, *(vector[1] for _, vector in in_delta)]),
            np.concatenate([df, self._df(hashes_delta)]),
            len(docs),
        )

    def _cosines(self, query: _Query, terms: _Terms) -> NDArray[np.float64]:
        if query.norm == 0 or terms.size == 0:
            return np.zeros(terms.size)
        weights = _LOG_TF[terms.tfs] * self._idf(terms.df)
        where = np.minimum(np.searchsorted(query.hashes, terms.hashes), len(query.hashes) - 1)
        shared = np.where(query.hashes[where] == terms.hashes, query.weights[where], 0.0)
        dots = np.bincount(terms.rows, weights * shared, minlength=terms.size)
        norms = np.sqrt(np.bincount(terms.rows, weights * weights, minlength=terms.size)) * query.norm
        return np.clip(np.divide(dots, norms, out=np.zeros(terms.size), where=norms > 0), 0.0, 1.0)


def _rows(rows: list[int], counts: list[int]) -> NDArray[np.int64]:
    """Each row number repeated as often as its posting has terms."""
    return np.repeat(np.array(rows, np.int64), np.array(counts, np.int64))


def _vector(terms: Mapping[str, int]) -> tuple[Vector, int]:
    """A posting's distinct terms as sorted hashes (colliding terms merged) with tfs capped at 255, and
    its length (the sum of its counts)."""
    hashes = np.fromiter(map(hash, terms), np.int64, len(terms))
    counts = np.fromiter(terms.values(), np.int64, len(terms))
    if len(counts) and counts.min() <= 0:
        hashes, counts = hashes[counts > 0], counts[counts > 0]
    order = np.argsort(hashes)
    hashes, counts = hashes[order], counts[order]
    if len(hashes) > 1 and bool((hashes[1:] == hashes[:-1]).any()):
        hashes, inverse = np.unique(hashes, return_inverse=True)
        counts = np.bincount(inverse, counts).astype(np.int64)
    return (hashes, np.minimum(counts, MAX_TF).astype(np.uint8)), int(counts.sum())
