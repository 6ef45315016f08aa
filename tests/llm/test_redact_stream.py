"""Restoring private details in a streamed answer, wherever the chunks split a placeholder."""

from __future__ import annotations

import itertools

from jobfirst_ai.llm.redact import RedactionMap, Redactor
from jobfirst_ai.llm.redact_stream import StreamRestorer

MASKED = "电话 [PHONE_1]，邮箱【EMAIL_1】，再次 [ PHONE_1 ]；[x] 和 [ID_9] 不变 ["


def _mapping() -> RedactionMap:
    _, mapping = Redactor().mask("13812345678 li.lei@example.com")
    return mapping


def _streamed(chunks: list[str], mapping: RedactionMap | None) -> list[str]:
    restorer = StreamRestorer(mapping)
    return [restorer.feed(chunk) for chunk in chunks] + [restorer.flush()]


def test_any_three_chunks_give_the_same_text_as_restoring_it_whole() -> None:
    whole = _mapping().restore(MASKED)

    for first, second in itertools.combinations(range(1, len(MASKED)), 2):
        pieces = _streamed([MASKED[:first], MASKED[first:second], MASKED[second:]], _mapping())

        assert "".join(pieces) == whole, (first, second)
        assert not any("PHONE_1" in piece or "EMAIL_1" in piece for piece in pieces), (first, second)


def test_a_split_placeholder_is_held_back_until_it_closes() -> None:
    assert _streamed(["call [PHO", "NE_1] now"], _mapping()) == ["call ", "13812345678 now", ""]


def test_a_bracket_that_cannot_become_a_placeholder_is_not_held() -> None:
    assert _streamed(["see [note", "s] here"], _mapping()) == ["see [note", "s] here", ""]


def test_without_a_map_chunks_pass_through_untouched() -> None:
    assert _streamed(["[PHO", "NE_1]"], None) == ["[PHO", "NE_1]", ""]
