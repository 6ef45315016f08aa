"""Token estimates and a deterministic simulation of DeepSeek's (and OpenAI's) prompt prefix cache.

Tokens are estimated, not counted: one per CJK character plus one per four other characters (rounded
up). The cache follows DeepSeek's V4 rules (providers.md §1.9): per user, stored prefix *units* are
the end of each prompt, the end of each answer, and the common prefix of two prompts; a request hits
the longest unit that is a prefix of its prompt, counted in whole blocks (64 tokens for DeepSeek,
128 from 1024 tokens for OpenAI). So the first request misses, a repeat hits, and for "same document,
new question" the first two miss and the third hits the shared document.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict
from dataclasses import dataclass

_MAX_UNITS_PER_USER = 256


_CJK = re.compile("[\u3000-\u9fff\uac00-\ud7af]")


def estimate_tokens(text: str) -> int:
    """Rough token count: CJK characters count one each, everything else four characters a token."""
    cjk = len(_CJK.findall(text))
    return cjk + (len(text) - cjk + 3) // 4


@dataclass(frozen=True)
class CachePolicy:
    """How a vendor reports cache hits: in whole blocks, only for prompts of at least `minimum` tokens."""

    block: int
    minimum: int = 0


DEEPSEEK_CACHE = CachePolicy(block=64)
OPENAI_CACHE = CachePolicy(block=128, minimum=1024)


def _common_prefix(first: str, second: str) -> str:
    """The longest common prefix, by bisection over C-level slice comparisons: a character loop in
    Python made the stand-in's CPU per call grow to milliseconds with a user's stored units."""
    low, high = 0, min(len(first), len(second))
    while low < high:
        middle = (low + high + 1) // 2
        if first[:middle] == second[:middle]:
            low = middle
        else:
            high = middle - 1
    return first[:low]


class PrefixCache:
    """Stored prefix units per (vendor, user); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._units: defaultdict[str, list[str]] = defaultdict(list)

    def lookup(self, key: str, prompt: str, answer: str, policy: CachePolicy) -> int:
        """Hit tokens for `prompt`, then store its units (`answer` is the next turn's assistant text)."""
        with self._lock:
            units = self._units[key]
            matched = max((len(unit) for unit in units if prompt.startswith(unit)), default=0)
            self._store(units, prompt, answer, policy)
        prompt_tokens = estimate_tokens(prompt)
        if prompt_tokens < policy.minimum:
            return 0
        hit = estimate_tokens(prompt[:matched]) // policy.block * policy.block
        return min(hit, prompt_tokens)

    @staticmethod
    def _store(units: list[str], prompt: str, answer: str, policy: CachePolicy) -> None:
        shared = [_common_prefix(prompt, unit) for unit in units]
        fresh = [prefix for prefix in shared if estimate_tokens(prefix) >= policy.block]
        for unit in (*fresh, prompt, prompt + answer):
            if unit not in units:
                units.append(unit)
        del units[:-_MAX_UNITS_PER_USER]

    def clear(self) -> None:
        """Forget every stored unit."""
        with self._lock:
            self._units.clear()
