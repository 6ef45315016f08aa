"""Filter fields of indexed postings (location, tags, salary) and the mask a `MatchFilter` makes of them."""

from __future__ import annotations

import sys
import unicodedata
from array import array
from collections.abc import Iterable
from typing import Final

import numpy as np
from numpy.typing import NDArray

from jobfirst_ai.engine.match_segment import Column
from jobfirst_ai.engine.types import MatchFilter, PostingFields

__all__ = ["FieldStore", "IdLists", "MatchFilter", "PostingFields", "fold"]

_NO_PAY: Final = (np.iinfo(np.int64).max, np.iinfo(np.int64).min)  # an empty range: overlaps nothing


def fold(text: str) -> str:
    """The form names are compared in: NFKC, case-folded, trimmed."""
    return (text if text.isascii() else unicodedata.normalize("NFKC", text)).casefold().strip()


class IdLists:
    """Name → ids of the postings listing it (skills, tags), as compact arrays; names are folded."""

    __slots__ = ("lists",)

    def __init__(self) -> None:
        self.lists: dict[str, array[int]] = {}

    def add(self, doc: int, names: Iterable[str]) -> None:
        """List `doc` under each distinct name."""
        for name in {fold(name) for name in names} - {""}:
            self.lists.setdefault(name, array("I")).append(doc)

    def ids(self, name: str) -> NDArray[np.uint32]:
        """The ids listed under a folded name (removed postings included until compaction)."""
        return np.array(self.lists.get(name, ()), np.uint32)

    def renumber(self, renumber: NDArray[np.int32]) -> None:
        """Drop removed ids (`renumber[id] == -1`) and give the rest their new ids."""
        lists: dict[str, array[int]] = {}
        for name, run in self.lists.items():
            ids = renumber[np.array(run, np.int64)]
            ids = ids[ids >= 0]
            if len(ids):
                lists[name] = array("I", ids.astype(np.uint32).tobytes())
        self.lists = lists

    def nbytes(self) -> int:
        """Approximate bytes held."""
        return sys.getsizeof(self.lists) + sum(sys.getsizeof(run) for run in self.lists.values())


class FieldStore:
    """Per-posting location code, salary range and tags, by dense id."""

    __slots__ = ("_codes", "_pay_high", "_pay_low", "_places", "_tags")

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}  # folded location → code, in code order
        self._places, self._pay_low, self._pay_high = Column(np.int32), Column(np.int64), Column(np.int64)
        self._tags = IdLists()

    def append(self, doc: int, fields: PostingFields) -> None:
        """Store the fields of the posting with the next id, `doc`."""
        place = fold(fields.location or "")
        self._places.append(self._codes.setdefault(place, len(self._codes)) if place else -1)
        low, high = _pay_range(fields)
        self._pay_low.append(low)
        self._pay_high.append(high)
        self._tags.add(doc, fields.tags)

    def keep(self, live: NDArray[np.int64], renumber: NDArray[np.int32]) -> None:
        """Keep the live postings only, renumbered (compaction)."""
        for column in (self._places, self._pay_low, self._pay_high):
            column.keep(live)
        self._tags.renumber(renumber)

    def mask(self, where: MatchFilter) -> NDArray[np.bool_]:
        """Which ids pass the filter."""
        size = self._places.size
        mask = np.ones(size, np.bool_)
        asked = [place for place in map(fold, where.locations) if place]
        if asked:
            allowed = np.array([any(place in name for place in asked) for name in self._codes] + [False])
            mask &= allowed[self._places.view()]  # code -1 (no location) picks the final False
        for tag in {fold(tag) for tag in where.tags} - {""}:
            tagged = np.zeros(size, np.bool_)
            tagged[self._tags.ids(tag)] = True
            mask &= tagged
        if where.salary_min is not None or where.salary_max is not None:
            low = where.salary_min if where.salary_min is not None else _NO_PAY[1]
            high = where.salary_max if where.salary_max is not None else _NO_PAY[0]
            mask &= (self._pay_low.view() <= high) & (self._pay_high.view() >= low)
        return mask

    def nbytes(self) -> int:
        """Approximate bytes held."""
        columns = sum(column.data.nbytes for column in (self._places, self._pay_low, self._pay_high))
        return columns + self._tags.nbytes() + sys.getsizeof(self._codes)


def _pay_range(fields: PostingFields) -> tuple[int, int]:
    """[low, high] of a posting's salary; no salary is an empty range nothing overlaps."""
    low, high = fields.salary_min, fields.salary_max
    if low is None and high is None:
        return _NO_PAY
    low, high = (low if low is not None else 0), (high if high is not None else _NO_PAY[0])
    return (low, high) if low <= high else (high, low)
