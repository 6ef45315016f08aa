"""How much of a session's history goes to the model: a token estimate and a window that moves in steps.

The window holds the newest turns within CHAT_HISTORY_TOKENS, so a long session costs about the same per
turn as a short one. It does not slide one turn at a time: once the history outgrows the budget, the oldest
turns are dropped until it fits in half the budget, and the window's start then stays put for several turns.
DeepSeek bills a repeated prompt prefix at ~2% of the input price (providers.md §1.9), and a start that
moved every turn would change the prefix every turn. The start is worked out from the stored token counts
alone, by replaying the session from its first message, so no extra state is kept and every instance
agrees.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Final

__all__ = ["MESSAGE_OVERHEAD", "estimate_tokens", "window_start"]

_HAN: Final = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
# DeepSeek's rule of thumb: one English character is about 0.3 tokens, one Chinese character about 0.6
# (https://api-docs.deepseek.com/quick_start/token_usage). Chinese punctuation counts as Chinese.
_LATIN_TOKENS: Final = 0.3
_HAN_TOKENS: Final = 0.6
MESSAGE_OVERHEAD: Final = 4  # role and separators of one message in the chat template


def estimate_tokens(text: str) -> int:
    """A message's tokens, estimated without a tokenizer (the model's own count arrives only afterwards)."""
    han = len(_HAN.findall(text))
    return MESSAGE_OVERHEAD + math.ceil(_HAN_TOKENS * han + _LATIN_TOKENS * (len(text) - han))


def window_start(messages: Sequence[tuple[str, int]], budget: int) -> int:
    """The position of the oldest message to send, given every message's (role, tokens), oldest first.

    Replays the session: whenever the window outgrows `budget`, its start moves forward until the window
    fits in half the budget and begins with a user message. Returns len(messages) when nothing fits.
    """
    low_water = budget // 2
    start = 0
    total = 0
    for position, (_, tokens) in enumerate(messages):
        total += tokens
        if total <= budget:
            continue
        while start <= position and (total > low_water or messages[start][0] != "user"):
            total -= messages[start][1]
            start += 1
    return start
