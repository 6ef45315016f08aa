"""Storage of the match index: the frozen segment in packed numpy arrays, the delta of recent writes.

A `Segment` holds, for documents with dense ids 0..n-1:

* `vocabulary`: the sorted 64-bit hashes of its terms. Term strings are not kept (a Python string costs
  ~60–80 bytes). Python's string hash differs between processes, which does not matter: the index lives
  in one process and is rebuilt from the stored term counts at start. Two terms colliding in one process
  (~1e-9 likely at 300k terms) would count as one.
* `offsets`/`postings`: per term, a contiguous run of `doc_id << 8 | tf` (uint32, ids ascending), the
  inverted lists BM25 reads;
* `doc_offsets`/`vectors`: per document, its terms as `term_index << 8 | tf` (uint32, term indices
  ascending, i.e. by hash), which give exact document frequencies on removal and the documents' own
  tf-idf norms for the cosine similarity;
* `df`: per term, how many *live* documents hold it (the index decrements it on removal).

So one (term, posting) pair costs 8 bytes; tf is capped at 255; ids and term indices stay below 2**24.
`merge` folds new documents into a segment and drops removed ones in linear passes (only the new
documents' entries are sorted). A `Delta` takes single writes cheaply until the next merge.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MAX_ID",
    "MAX_TF",
    "Batch",
    "Column",
    "Delta",
    "Pending",
    "Segment",
    "Vector",
    "empty_segment",
    "merge",
]

MAX_TF: Final = 255
MAX_ID: Final = (1 << 24) - 1
_LOW: Final = np.uint32(0xFF)
_SHIFT: Final = np.uint32(8)

Ints = NDArray[np.int64]
Ids = NDArray[np.int32]
Packed = NDArray[np.uint32]
Vector = tuple[Ints, NDArray[np.uint8]]  # a posting's term hashes (ascending) and tfs


@dataclass(frozen=True, slots=True)
class Batch:
    """New documents in id order: each one's sorted term hashes and tfs, concatenated."""

    ids: Ids  # the (already renumbered) id of each document, ascending
    counts: Ints  # how many distinct terms each document has
    hashes: Ints  # term hashes, sorted within each document
    tfs: NDArray[np.uint8]


@dataclass(frozen=True, slots=True)
class Segment:
    """Immutable inverted and forward lists (only `df` changes, as documents are removed)."""

    vocabulary: Ints
    offsets: Ints
    postings: Packed
    df: NDArray[np.int32]
    doc_offsets: Ints
    vectors: Packed

    @property
    def size(self) -> int:
        """How many document ids the segment covers (removed ones included)."""
        return len(self.doc_offsets) - 1

    def find(self, hashes: Ints) -> tuple[Ints, NDArray[np.bool_]]:
        """Term index of each hash and whether the segment has it at all."""
        if len(self.vocabulary) == 0:
            return np.zeros(len(hashes), np.int64), np.zeros(len(hashes), np.bool_)
        where = np.minimum(np.searchsorted(self.vocabulary, hashes), len(self.vocabulary) - 1)
        return where, self.vocabulary[where] == hashes

    def run(self, term: int) -> Packed:
        """The postings of one term index."""
        return self.postings[self.offsets[term] : self.offsets[term + 1]]

    def vector(self, doc: int) -> Packed:
        """The packed term vector (`term_index << 8 | tf`, by term index) of one document."""
        return self.vectors[self.doc_offsets[doc] : self.doc_offsets[doc + 1]]

    def forget(self, doc: int) -> None:
        """Lower the document frequencies of a removed document's terms."""
        self.df[self.vector(doc) >> _SHIFT] -= 1

    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        arrays = (self.vocabulary, self.offsets, self.postings, self.df, self.doc_offsets, self.vectors)
        return sum(array.nbytes for array in arrays)


class Column:
    """A per-document numpy column that grows by doubling."""

    __slots__ = ("data", "size")

    def __init__(self, dtype: type[np.generic]) -> None:
        self.data: NDArray[Any] = np.zeros(64, dtype)
        self.size = 0

    def append(self, value: int | bool) -> None:
        """Set the value of the next id."""
        if self.size == len(self.data):
            self.data = np.concatenate([self.data, np.zeros_like(self.data)])
        self.data[self.size] = value
        self.size += 1

    def view(self) -> NDArray[Any]:
        """The values of every id so far."""
        return self.data[: self.size]

    def keep(self, ids: NDArray[np.int64]) -> None:
        """Keep the values of `ids` only, in that order."""
        self.data = np.concatenate([self.data[ids], np.zeros(64, self.data.dtype)])
        self.size = len(ids)


class Delta:
    """Documents written since the last compaction, in Python structures that take one posting cheaply."""

    __slots__ = ("df", "postings", "vectors")

    def __init__(self) -> None:
        self.postings: dict[int, array[int]] = {}  # term hash → doc << 8 | tf, removed docs included
        self.df: dict[int, int] = {}  # live documents only
        self.vectors: dict[int, Vector] = {}  # live documents only

    def add(self, doc: int, vector: Vector) -> None:
        """Index one document (its id above every id so far)."""
        self.vectors[doc] = vector
        postings, df = self.postings, self.df
        for term, tf in zip(vector[0].tolist(), vector[1].tolist(), strict=True):
            run = postings.get(term)
            if run is None:
                run = postings[term] = array("I")
            run.append(doc << 8 | tf)
            df[term] = df.get(term, 0) + 1

    def forget(self, doc: int) -> None:
        """Lower the document frequencies of a removed document's terms (its postings stay, masked)."""
        df = self.df
        for term in self.vectors.pop(doc)[0].tolist():
            left = df[term] - 1
            if left:
                df[term] = left
            else:
                del df[term]

    def frequencies(self, hashes: Iterable[int]) -> Ints:
        """Document frequency of each term hash among the live delta documents."""
        return np.fromiter(map(self.df.get, hashes, repeat(0)), np.int64)

    def run(self, term: int) -> Packed | None:
        """The postings of one term hash, if any."""
        run = self.postings.get(term)
        return None if run is None else np.array(run, np.uint32)

    def pending(self) -> Pending:
        """The live documents' vectors, in id order."""
        pending = Pending()
        for doc in sorted(self.vectors):
            pending.append(doc, self.vectors[doc])
        return pending

    def nbytes(self) -> int:
        """Approximate bytes held."""
        runs = sum(sys.getsizeof(run) for run in self.postings.values())
        vectors = sum(hashes.nbytes + tfs.nbytes + 224 for hashes, tfs in self.vectors.values())
        return (
            runs
            + vectors
            + sum(map(sys.getsizeof, (self.postings, self.df, self.vectors)))
            + 64 * len(self.df)
        )


class Pending:
    """Term vectors of new documents in id order, copied into flat arrays that grow by doubling."""

    __slots__ = ("counts", "docs", "hashes", "size", "tfs")

    def __init__(self) -> None:
        self.docs: list[int] = []
        self.counts: list[int] = []
        self.hashes = np.zeros(0, np.int64)
        self.tfs = np.zeros(0, np.uint8)
        self.size = 0

    def append(self, doc: int, vector: Vector) -> None:
        """Add the next document (ids must ascend)."""
        hashes, tfs = vector
        end = self.size + len(hashes)
        if end > len(self.hashes):
            capacity = max(end, 2 * len(self.hashes), 4096)
            self.hashes = np.concatenate([self.hashes[: self.size], np.zeros(capacity - self.size, np.int64)])
            self.tfs = np.concatenate([self.tfs[: self.size], np.zeros(capacity - self.size, np.uint8)])
        self.hashes[self.size : end] = hashes
        self.tfs[self.size : end] = tfs
        self.docs.append(doc)
        self.counts.append(len(hashes))
        self.size = end

    def batch(self, renumber: Ids, after: Pending) -> Batch:
        """These documents, then those of `after`, with their new ids."""
        docs = np.array(self.docs + after.docs, np.int64)
        return Batch(
            ids=renumber[docs],
            counts=np.array(self.counts + after.counts, np.int64),
            hashes=np.concatenate([self.hashes[: self.size], after.hashes[: after.size]]),
            tfs=np.concatenate([self.tfs[: self.size], after.tfs[: after.size]]),
        )


def empty_segment() -> Segment:
    """A segment without terms or documents."""
    zero = np.zeros(1, np.int64)
    return Segment(
        np.zeros(0, np.int64),
        zero,
        np.zeros(0, np.uint32),
        np.zeros(0, np.int32),
        zero,
        np.zeros(0, np.uint32),
    )


def merge(segment: Segment, renumber: Ids, batch: Batch) -> Segment:
    """`segment` without its removed documents (`renumber[old] == -1`), renumbered, then `batch` after it.

    `renumber` maps every old id to its new id and must keep the order of the survivors; the batch's ids
    follow the survivors'. Terms no live document holds any more leave the vocabulary.
    """
    kept_docs = renumber[: segment.size] >= 0
    postings, per_term = _surviving_postings(segment, renumber)
    new_terms = np.unique(batch.hashes)
    vocabulary = np.union1d(segment.vocabulary[per_term > 0], new_terms)
    if len(vocabulary) > MAX_ID:
        raise ValueError(f"the match index holds at most {MAX_ID} distinct terms")
    old_to_new = np.searchsorted(vocabulary, segment.vocabulary).astype(np.int32)
    batch_terms = np.searchsorted(vocabulary, batch.hashes).astype(np.int32)
    old_counts = np.zeros(len(vocabulary), np.int64)
    old_counts[old_to_new[per_term > 0]] = per_term[per_term > 0]
    batch_counts = np.bincount(batch_terms, minlength=len(vocabulary))
    offsets = np.zeros(len(vocabulary) + 1, np.int64)
    np.cumsum(old_counts + batch_counts, out=offsets[1:])
    merged = _interleave(postings, offsets, old_counts, batch_terms, _pack(_batch_docs(batch), batch.tfs))
    old_vectors, old_lengths = _surviving_vectors(segment, kept_docs, old_to_new)
    doc_lengths = np.concatenate([old_lengths, batch.counts])
    doc_offsets = np.zeros(len(doc_lengths) + 1, np.int64)
    np.cumsum(doc_lengths, out=doc_offsets[1:])
    vectors = np.concatenate([old_vectors, _pack(batch_terms, batch.tfs)])
    return Segment(vocabulary, offsets, merged, np.diff(offsets).astype(np.int32), doc_offsets, vectors)


def _pack(high: NDArray[np.integer], low: NDArray[np.unsignedinteger]) -> Packed:
    packed = high.astype(np.uint32)
    packed <<= _SHIFT
    packed |= low
    return packed


def _batch_docs(batch: Batch) -> Ids:
    return np.repeat(batch.ids, batch.counts)


def _surviving_postings(segment: Segment, renumber: Ids) -> tuple[Packed, Ints]:
    """The postings of live documents with new ids, and how many each term keeps."""
    per_term = np.diff(segment.offsets)
    if len(segment.postings) == 0 or np.array_equal(renumber[: segment.size], np.arange(segment.size)):
        return segment.postings, per_term
    new_ids = renumber[segment.postings >> _SHIFT]
    alive = new_ids >= 0
    per_term = np.add.reduceat(alive, segment.offsets[:-1], dtype=np.int64)
    return _pack(new_ids[alive], segment.postings[alive] & _LOW), per_term


def _interleave(old: Packed, offsets: Ints, old_counts: Ints, batch_terms: Ids, batch: Packed) -> Packed:
    """Each term's run: its old postings, then the batch's (old ids all precede the batch's)."""
    order = np.argsort(batch_terms, kind="stable")  # the batch is in id order already
    terms = batch_terms[order]
    starts = np.zeros(len(offsets) - 1, np.int64)
    counts = np.bincount(terms, minlength=len(starts))
    np.cumsum(counts[:-1], out=starts[1:])
    slots = offsets[terms] + old_counts[terms] + (np.arange(len(terms)) - starts[terms])
    merged = np.empty(offsets[-1], np.uint32)
    is_new = np.zeros(len(merged), np.bool_)
    is_new[slots] = True
    merged[slots] = batch[order]
    merged[~is_new] = old
    return merged


def _surviving_vectors(
    segment: Segment, kept_docs: NDArray[np.bool_], old_to_new: Ids
) -> tuple[Packed, Ints]:
    """The term vectors of live documents with new term indices, and their lengths."""
    lengths = np.diff(segment.doc_offsets)
    if len(segment.vectors) == 0:
        return segment.vectors, lengths[kept_docs]
    kept = segment.vectors[np.repeat(kept_docs, lengths)] if not kept_docs.all() else segment.vectors
    packed = old_to_new.view(np.uint32)[kept >> _SHIFT]
    packed <<= _SHIFT
    packed |= kept & _LOW
    return packed, lengths[kept_docs]
