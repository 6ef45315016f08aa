"""What the engine can measure in an interview answer: topic terms, STAR cues, specifics, length, and the
signs of an answer that earns nothing (empty, "I don't know", gibberish, a repeat).

Terms are language-neutral sets, so a key point and an answer are compared the same way in Chinese and
English: `engine.tokens` words (Latin words cut to a crude stem, so "disagreed" meets "disagreement"),
plus the character pairs of every Chinese run (so "最左前缀" meets "最左前缀原则" however jieba cuts
them), with a few everyday synonyms made one ("病人" is "患者", "job" is "position"), minus the words
every question uses ("具体", "如何", "explain", "example").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final, Literal, NamedTuple

from jobfirst_ai.engine.tokens import EN_STOPWORDS, tokenize

__all__ = [
    "STAR_PARTS",
    "StarPart",
    "Terms",
    "answer_units",
    "count_numbers",
    "count_reasoning",
    "count_structure",
    "is_dont_know",
    "is_gibberish",
    "is_repeat",
    "overlap",
    "read_terms",
    "sentences",
    "star_parts",
]

StarPart = Literal["situation", "task", "action", "result"]
STAR_PARTS: Final[tuple[StarPart, ...]] = ("situation", "task", "action", "result")

_HAN_RUN: Final = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_WORD: Final = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
# Characters that make a Chinese pair grammar rather than topic ("的数", "我们", "是在").
_STOP_CHARS: Final = frozenset("的了是在和与及等或我你他她它们这那也都就还而被把对于个一有很吗呢吧啊")
# Words every question and answer uses, whatever the topic; stemmed like the terms they are taken from.
_GENERIC_WORDS: Final = (
    "什么 怎么 怎样 如何 哪些 哪里 为什么 为什 是否 一下 具体 例子 举例 说明 介绍 讲讲 谈谈 说说 自己 "
    "时候 可能 需要 使用 一般 通常 比较 非常 然后 就是 还是 已经 这样 这种 那种 方面 之后 之前 "
    "问题 情况 方式 方法 东西 事情 觉得 认为 知道 主要 处理 做法 以后 一次 经历 讲一 "
    "explain describe example specific would use using how tell time make take good thing way "
    "really well lot get got like know think want need also just one two walk yes okay"
)
# Everyday words a candidate uses for what a question or key point names otherwise ("病人" for "患者").
_SYNONYM_GROUPS: Final = (
    "患者 病人 病患 患儿",
    "学生 孩子 学员",
    "客户 顾客 客人",
    "同事 同伴 队友",
    "听讲 听课",
    "讲话 说话 聊天",
    "降价 打折 折扣 优惠",
    "跌倒 摔倒",
    "老板 上级 领导 主管",
    "position job vacancy opening",
    "customer client buyer",
    "colleague coworker teammate",
    "discount cheaper",
    "student pupil learner kid",
    "patient resident",
    "manager boss supervisor",
)
_SYNONYMS: Final = {word: group.split()[0] for group in _SYNONYM_GROUPS for word in group.split()[1:]}
_SUFFIXES: Final = ("ations", "ation", "ments", "ment", "ings", "ing", "edly", "ed", "ers", "er", "ly", "es")
_STEM_LENGTH = 6
_DONT_KNOW: Final = re.compile(
    r"不知道|不清楚|不会|不了解|不太懂|不懂|没做过|没有做过|没接触过|没用过|没听说过|忘了|忘记了|想不起来"
    r"|答不上|回答不了|不太会|跳过|\b(?:pass|skip|idk|dunno|no idea|no clue|not sure|i don'?t know"
    r"|i do not know|i have no idea|can'?t answer|cannot answer|don'?t remember|never (?:used|done|heard))\b",
    re.IGNORECASE,
)
_DONT_KNOW_MAX_TERMS = 3
_STAR_CUES: Final[dict[StarPart, re.Pattern[str]]] = {
    "situation": re.compile(
        r"当时|那时|那年|背景|情况是|有一次|曾经|在.{0,12}(?:期间|时候|的时候)|项目中"
        r"|\b(?:situation|context|background|at the time|back then|when i was|while (?:i was )?working"
        r"|one time|once|last year|in my (?:previous|last|first)|we had|there was)\b",
        re.IGNORECASE,
    ),
    "task": re.compile(
        r"任务|目标|要求|职责|我负责|负责|我的工作是|挑战是|需要我|要在"
        r"|\b(?:task|goal|objective|my job was|my role was|i was responsible|responsible for|needed to"
        r"|had to|the challenge|aim was|asked to)\b",
        re.IGNORECASE,
    ),
    "action": re.compile(
        r"我(?:先|首先|主动|决定|采取|组织|协调|设计|推动|提出|带领|制定|联系|找|和|把|用|分析|安排|召集)"
        r"|采取|措施|于是|接着|随后|然后我"
        r"|\b(?:i (?:decided|organized|organised|proposed|led|built|talked|set up|created|scheduled|reached"
        r"|started|worked|asked|used|designed|analy[sz]ed|met|wrote|called|introduced|suggested|took)"
        r"|so i|my approach|first,? i|then i)\b",
        re.IGNORECASE,
    ),
    "result": re.compile(
        r"结果|最终|最后|成功|提升|提高|降低|减少|增加|缩短|达到|效果|收获|学到|反馈|完成了"
        r"|\b(?:result|as a result|in the end|eventually|finally|outcome|increased|reduced|improved|saved"
        r"|cut|grew|learned|learnt|led to|achieved|delivered|on time)\b",
        re.IGNORECASE,
    ),
}
_NUMBER: Final = re.compile(
    r"\d+(?:[.,]\d+)?\s*(?:%|％|万|亿|千|倍|天|小时|分钟|秒|ms|人|家|个|次|元|条|周|月|年|k\b|m\b)?"
    r"|[一二三四五六七八九十两百千万]+(?:个|次|倍|天|周|月|年|人|家|名|条|成)"
)
_REASONING: Final = re.compile(
    r"因为|所以|原因|导致|因此|于是|如果|否则|权衡|取舍|相比|对比|优点|缺点|风险|前提|为了|但是|不过|关键|本质|避免"
    r"|\b(?:because|so that|therefore|since|if|otherwise|trade-?offs?|instead|rather than|compared|however"
    r"|the reason|which means|to avoid|risks?|downsides?|benefits?|in order to|unless|whereas)\b",
    re.IGNORECASE,
)
_STRUCTURE: Final = re.compile(
    r"首先|其次|然后|最后|第一|第二|第三|另外|此外|总之|总的来说|例如|比如|一是|二是|[①②③]|\(\d\)|（\d）|^\s*\d[.、)]"
    r"|\b(?:first(?:ly)?|second(?:ly)?|third|then|finally|also|for example|for instance|in short"
    r"|overall|in summary|another)\b",
    re.IGNORECASE | re.MULTILINE,
)
_SENTENCE_END: Final = re.compile(r"[。！？!?；;\n]+|\.(?:\s+|$)")
_KEYBOARD_ROWS: Final = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEYBOARD_RUNS: Final = frozenset(
    run
    for row in _KEYBOARD_ROWS
    for text in (row, row[::-1])
    for run in (text[i : i + 4] for i in range(len(text) - 3))
) - {"erty"}  # "property", "liberty"
_CONSONANT_RUN: Final = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")
_VOWEL: Final = re.compile(r"[aeiouy]")
_MIN_WORDLIKE_SHARE = 0.6
_MIN_TRIGRAM_VARIETY = 0.5
_REPEAT_SHARE = 0.8


class Terms(NamedTuple):
    """The comparable terms of a text: words (jieba's and Latin stems) and Chinese character pairs."""

    words: frozenset[str]
    pairs: frozenset[str]

    @property
    def all(self) -> frozenset[str]:
        """Words and pairs together."""
        return self.words | self.pairs


def read_terms(text: str) -> Terms:
    """The terms of `text` (see the module docstring), synonyms made one, generic question words left out."""
    words = {_stem(_SYNONYMS.get(word, word)) for word in tokenize(text)} - _GENERIC
    pairs = {
        _SYNONYMS.get(pair, pair)
        for run in _HAN_RUN.findall(text)
        for pair in (run[i : i + 2] for i in range(len(run) - 1))
        if not (_STOP_CHARS & set(pair))
    } - _GENERIC
    return Terms(frozenset(words), frozenset(pairs))


def overlap(point: Terms, answer: Terms) -> float:
    """Share of a key point's terms the answer has: the better of the word and the pair measures, so a
    segmentation that differs between the two texts costs nothing."""
    shares = [
        len(mine & theirs) / len(mine)
        for mine, theirs in ((point.words, answer.words), (point.pairs, answer.pairs))
        if mine
    ]
    return max(shares, default=0.0)


def answer_units(text: str) -> int:
    """Length in words: each Chinese character counts one, each Latin word one."""
    return sum(map(len, _HAN_RUN.findall(text))) + len(_LATIN_WORD.findall(text))


def sentences(text: str) -> list[str]:
    """The non-empty sentences (or list lines) of `text`."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def star_parts(text: str) -> list[StarPart]:
    """The parts of the STAR structure (situation, task, action, result) that `text` has cues for."""
    return [part for part in STAR_PARTS if _STAR_CUES[part].search(text)]


def count_numbers(text: str) -> int:
    """Distinct quantities named: figures with or without units ("3 倍", "40%", "两周")."""
    return len({match.group().strip() for match in _NUMBER.finditer(text)})


def count_reasoning(text: str) -> int:
    """Distinct cues of explanation and trade-off ("因为", "权衡", "because", "instead")."""
    return len({match.group().lower() for match in _REASONING.finditer(text)})


def count_structure(text: str) -> int:
    """Distinct cues of an ordered answer ("首先", "其次", "for example", numbered lines)."""
    return len({match.group().strip().lower() for match in _STRUCTURE.finditer(text)})


def is_dont_know(text: str, answer_terms: Terms) -> bool:
    """An "I don't know" (不知道, 不清楚, no idea, pass…) with next to nothing else said."""
    return len(answer_terms.words) <= _DONT_KNOW_MAX_TERMS and bool(_DONT_KNOW.search(text))


def is_gibberish(text: str) -> bool:
    """Keyboard mashing, random letters, one thing repeated, or no words at all."""
    compact = re.sub(r"[\W_]+", "", text.lower())
    if not compact or not re.search(r"[a-z]|[\u3400-\u9fff]", compact):
        return True
    if len(compact) >= 8 and _variety(compact, 3) < _MIN_TRIGRAM_VARIETY:
        return True
    han = sum(map(len, _HAN_RUN.findall(text)))
    words = [word.lower() for word in _LATIN_WORD.findall(text) if len(word) > 1]
    if sum(map(len, words)) <= han or not words:
        return False
    return sum(map(_is_wordlike, words)) / len(words) < _MIN_WORDLIKE_SHARE


def is_repeat(text: str, previous: Iterable[str]) -> bool:
    """Whether `text` is (nearly) an earlier answer: 80% of its character triples already said in one."""
    mine = _shingles(text)
    return bool(mine) and any(
        len(mine & _shingles(earlier)) >= _REPEAT_SHARE * len(mine) for earlier in previous
    )


def _stem(word: str) -> str:
    if not word.isascii() or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:_STEM_LENGTH]


_GENERIC: Final = frozenset(map(_stem, _GENERIC_WORDS.split()))


def _variety(text: str, size: int) -> float:
    grams = [text[i : i + size] for i in range(len(text) - size + 1)]
    return len(set(grams)) / len(grams) if grams else 1.0


def _is_wordlike(word: str) -> bool:
    if word in EN_STOPWORDS:
        return True
    if not _VOWEL.search(word) or _CONSONANT_RUN.search(word) or re.search(r"(.)\1\1", word):
        return False
    return not any(word[i : i + 4] in _KEYBOARD_RUNS for i in range(len(word) - 3))


def _shingles(text: str) -> set[str]:
    compact = re.sub(r"[\W_]+", "", text.lower())
    if len(compact) < 3:
        return {compact} if compact else set()
    return {compact[i : i + 3] for i in range(len(compact) - 2)}
