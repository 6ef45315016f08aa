"""Which language a resume is written in: Chinese or English."""

from __future__ import annotations

import re

from jobfirst_ai.engine.types import Language

__all__ = ["ZH_SHARE", "detect_language"]

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_LATIN_PER_WORD = 5
# A Han character carries about a word, a Latin letter a fifth of one. Chinese resumes full of
# 'Spring Boot', 'Kafka', 'CI/CD' still give Han most of the words; an English resume with the
# author's Chinese name or one Chinese line stays far below a tenth.
ZH_SHARE = 0.1


def detect_language(text: str) -> Language:
    """'zh' when Han characters are at least a tenth of the words, else 'en' (also for empty text)."""
    han = len(_HAN.findall(text))
    if han == 0:
        return "en"
    latin_words = len(_LATIN.findall(text)) / _LATIN_PER_WORD
    return "zh" if han / (han + latin_words) >= ZH_SHARE else "en"
