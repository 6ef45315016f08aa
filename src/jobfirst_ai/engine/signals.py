"""Writing signals of a resume text: length, bullets, quantified results and how bullets open."""

from __future__ import annotations

import re
from typing import Literal

from jobfirst_ai.engine.types import Achievement, Language, Signals

__all__ = [
    "HAN",
    "OpenerKind",
    "count_words",
    "find_quantities",
    "is_bullet",
    "read_opener",
    "read_signals",
    "statement_text",
]

OpenerKind = Literal["strong", "weak"]

# A number not glued to a word: keeps "P99", "K8s", "Vue3", "EC2" and "v2.0" out.
NUMBER = r"(?<![A-Za-z0-9.])\d+(?:[,，]\d{3})*(?:\.\d+)?"
# Years and year-months (2019, 2021.02, 2021-02) are dates, never counts: "2019 users" is not a result.
DATE_LIKE = r"(?:19|20)\d\d(?:[./-]\d{1,2})?(?![\d,])"
NOT_YEAR = rf"(?!{DATE_LIKE})"
ZH_MAGNITUDE = r"(?:千万|百万|万|亿)"
MAGNITUDE = r"(?:千万|百万|万|亿|[kKMB](?![A-Za-z])|bn|\s?(?:million|billion|thousand))"
ZH_UNITS = "个(?!月)|名|人|位|次|家|款|条|项|台|套|篇|所|件|份|单|笔|门|类|场|座|户|例|张|本|支|首|分(?!钟)"
EN_UNITS = (
    "people|persons?|engineers?|developers?|designers?|analysts?|agents?|nurses?|members?|"
    "reports?|staff|employees?|hires?|users?|customers?|clients?|accounts?|patients?|residents?|"
    "students?|partners?|vendors?|suppliers?|stores?|locations?|sites?|countries|cities|markets?|"
    "servers?|nodes?|clusters?|services?|microservices?|APIs?|endpoints?|requests?|transactions?|"
    "orders?|events?|records?|rows?|queries|messages?|downloads?|installs?|visitors?|subscribers?|"
    "followers?|stars?|contributors?|projects?|products?|features?|releases?|deals?|meetings?|"
    "opportunities|leads?|tickets?|incidents?|bugs?|pipelines?|DAGs?|dashboards?|models?|papers?|"
    "patents?|articles?|courses?|workshops?|campaigns?|teams?"
)
TIME_UNITS = (
    r"(?:个月|小时|天|周|分钟|秒|毫秒|min(?:ute)?s?|h(?:ou)?rs?|hours?|days?|weeks?|months?"
    r"|s(?:ec(?:ond)?s?)?)(?![A-Za-z])"
)
PER_PERIOD = r"per\s(?:second|minute|hour|day|week|month|quarter|year|shift|sprint)\b"
# What may follow any number to make it a result ...
AFTER_ANY_NUMBER = (
    r"\s?[%％]",
    r"\s?(?:percent\b|个百分点)",
    r"\s?(?:万元|亿元|元|万美元|美元|美金|RMB\b|CNY\b|USD\b|dollars\b)",
    r"\s?[xX×倍](?![A-Za-z0-9])",
    r"\s?(?:ms|毫秒)(?![A-Za-z])",
    ZH_MAGNITUDE,
)
# ... and what may follow a number that is not a bare year ("2019 users" is a date, not a count).
AFTER_COUNT = (
    rf"\s{ZH_MAGNITUDE}",
    r"(?-i:[kKMB]|bn)(?![A-Za-z])",
    r"\s(?:million|billion|thousand)\b",
    rf"\+?\s?(?:余|多)?\s?(?:{ZH_UNITS}|QPS|TPS|RPS|DAU|MAU)",
    rf"\+?\s(?:[A-Za-z-]+\s){{0,3}}?{PER_PERIOD}",
    rf"\+?\s(?:[A-Za-z-]+\s){{0,2}}?(?:{EN_UNITS})(?![A-Za-z])",
    r"\+(?!\s?(?:years?|yrs?|年))",
)
# The digit comes first so that the search skips to digits at C speed; the look-behind then checks the
# character before it, as "(?<![A-Za-z0-9.])\d" would.
NUMBER_START = re.compile(r"\d(?<![A-Za-z0-9.].)")
# Matched at each number's start, so a line is scanned once, not once per pattern.
NUMBER_RESULT = re.compile(
    rf"{NUMBER}(?:{'|'.join(AFTER_ANY_NUMBER)})|{NOT_YEAR}{NUMBER}(?:{'|'.join(AFTER_COUNT)})"
    rf"|(?<=team of ){NUMBER}",
    re.IGNORECASE,
)
METRIC_VALUE = rf"{NUMBER}\+?\s?{MAGNITUDE}?"
TECH_METRICS = r"(?:日活|月活|DAU|MAU|QPS|TPS|RPS|并发量?)"
BUSINESS_METRICS = r"(?:GMV|营收|营业额|收入|销售额|成交额|用户量|用户数|访问量|下载量|revenue|ARR|MRR)"
CONNECTOR = r"\s?(?:达到|超过|突破|提升至|提升到|增长至|增长到|达|约|近|超|of|to|reached|over|:|：)?\s?"
# A pattern is tried at every character. The look-aheads below name the characters its matches can start
# with (and, after a letter, the letter that follows), so most characters are turned away at once instead
# of after trying every alternative: without them these four scans took ~0.1 µs per character, the
# engine's largest cost.
# Results written before (or without) their number; the group "n", when set, is the number itself.
PREFIXED_RESULT = re.compile(
    r"(?=[¥￥$€£百一二两三四五六七八九十翻dtqhmrga日月并营收销成用访下])(?=[^dtqhmrga]|.[aoruepm])"
    rf"(?:[¥￥$€£]\s?\d[\d,]*(?:\.\d+)?{MAGNITUDE}?|百分之[零一二两三四五六七八九十百点]+"
    r"|[一二两三四五六七八九十]+倍|翻了?[一两]?番|翻倍|\b(?:doubled|tripled|quadrupled|halved)\b"
    rf"|{TECH_METRICS}{CONNECTOR}(?P<n>{METRIC_VALUE})"
    rf"|{BUSINESS_METRICS}{CONNECTOR}(?!{DATE_LIKE}(?!\s?{ZH_MAGNITUDE}))(?P<m>{METRIC_VALUE}))",
    re.IGNORECASE,
)
# Durations are results only next to a word of saving: "从 4 小时缩短到 40 分钟", "saving 10 hours".
TIME_SAVED = re.compile(rf"{NUMBER}\s?{TIME_UNITS}", re.IGNORECASE)
SAVING_WORDS = re.compile(
    r"(?=[节缩减降下提加scrfl])(?:节省|节约|缩短|减少|降低|降至|降到|下降|提前|加快|提速"
    r"|\b(?:sav(?:ed|es|ing)|cut(?:s|ting)?|reduc\w*|shorten\w*|faster|lower\w*)\b)",
    re.IGNORECASE,
)
# Salary hopes ("期望薪资：35-45K") look like money but are not results.
NOT_RESULT_LINE = re.compile(
    r"(?=[期薪月年edcs])(?=[^edcs]|.[xeua])(?:期望(?:薪资|月薪|年薪|待遇)|(?:薪资|月薪|年薪)(?:要求|期望)"
    r"|(?:expected|desired|current)\s+salary|salary\s+expectations?)"
    r"|^\W*(?:薪资|月薪|年薪|待遇)\s*[:：]|^\W*salary\s*:",
    re.IGNORECASE,
)
HAS_DIGIT_OR_WORD = re.compile(r"[\d百倍番]|(?=[dtqh])(?:doubled|tripled|quadrupled|halved)", re.IGNORECASE)

BULLET = re.compile(
    r"^\s*(?:[•·▪●◦○■□◆◇►▶➢✓✔※★☆]\s*|[-*+–]\s+|\d{1,2}[.、)）](?!\d)\s*|[(（]\d{1,2}[)）]\s*|[①-⑳]\s*)"
)
HEADING = re.compile(r"^\s*#")
EMPHASIS = re.compile(r"^[*_\s]+")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"\d{1,3}(?:,\d{3})+|[A-Za-z0-9](?:[A-Za-z0-9'’+#._-]*[A-Za-z0-9+#])?")

# Strong verbs that open a bullet, and the words after which they are a noun instead ("设计模式").
ZH_STRONG: dict[str, tuple[str, ...]] = {
    "主导": (), "带领": (), "领导": (), "牵头": (), "设计": ("模式", "师", "稿", "规范"), "搭建": (),
    "构建": (), "开发": ("工程师", "者", "经验", "语言", "工具", "环境"), "优化": (), "提升": (),
    "提高": (), "降低": (), "减少": (), "推动": (), "重构": (), "实现": (), "完成": (), "获得": (),
    "创建": (), "建立": (), "打造": (), "落地": (), "制定": (), "规划": (), "攻克": (), "解决": (),
    "改进": (), "交付": (), "上线": (), "节省": (), "开拓": (), "培养": (), "指导": (),
    "管理": ("系统", "平台"),
}  # fmt: skip
ZH_WEAK: dict[str, tuple[str, ...]] = {
    "负责": ("人",), "参与": (), "协助": (), "帮助": (), "辅助": (), "配合": (), "了解": (), "熟悉": (),
    "接触": (),
}  # fmt: skip
ZH_ADVERBS = ("主要", "独立", "全面", "深度", "积极", "成功", "全程", "共同", "亲自", "先后", "多次", "曾")
EN_STRONG = (
    "led", "built", "designed", "developed", "created", "launched", "delivered", "shipped", "reduced",
    "increased", "improved", "grew", "cut", "saved", "automated", "migrated", "negotiated", "mentored",
    "coached", "trained", "managed", "spearheaded", "architected", "implemented", "optimized", "optimised",
    "streamlined", "introduced", "established", "founded", "drove", "owned", "scaled", "accelerated",
    "achieved", "won", "secured", "closed", "generated", "booked", "shortened", "lowered", "eliminated",
    "resolved", "redesigned", "rebuilt", "refactored", "deployed", "engineered", "orchestrated",
    "directed", "headed", "supervised", "expanded", "boosted", "doubled", "tripled", "precepted",
)  # fmt: skip
EN_WEAK = (
    "responsible for", "duties included", "duties include", "worked on", "worked with", "helped",
    "assisted", "participated in", "involved in", "tasked with", "in charge of", "supported",
)  # fmt: skip


def _alternation(words: dict[str, tuple[str, ...]]) -> str:
    """A regex alternation of `words`, longest first, each barred before its noun-making followers."""
    parts = []
    for word in sorted(words, key=lambda item: (-len(item), item)):
        followers = "|".join(map(re.escape, words[word]))
        parts.append(re.escape(word) + (f"(?!{followers})" if followers else ""))
    return "|".join(parts)


def _plain(words: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    return dict.fromkeys(words, ())


ZH_OPENER = re.compile(
    rf"^(?:{'|'.join(ZH_ADVERBS)})?(?:(?P<weak>{_alternation(ZH_WEAK)})|(?P<strong>{_alternation(ZH_STRONG)}))"
)
EN_OPENER = re.compile(
    rf"^(?:i\s+|was\s+|have\s+|has\s+)?(?:(?P<weak>{_alternation(_plain(EN_WEAK))})"
    rf"|(?P<strong>{_alternation(_plain(EN_STRONG))}))\b",
    re.IGNORECASE,
)


def is_bullet(line: str) -> bool:
    """Whether `line` is a list item: •, -, *, ·, ▪, ●, "1." / "1、" / "(1)" / "①"."""
    return BULLET.match(line) is not None


def statement_text(line: str) -> str:
    """`line` without its bullet marker, leading emphasis and surrounding whitespace."""
    return EMPHASIS.sub("", BULLET.sub("", line, count=1)).strip()


def find_quantities(line: str) -> list[str]:
    """The numbers in `line` that carry a result (30%, ¥50万, 3x, 50万用户, 10+ people, time saved).

    Dates, years, phone numbers, ages and version numbers match none of the patterns; a line about
    salary hopes ("期望薪资：35-45K") is skipped whole.
    """
    if not HAS_DIGIT_OR_WORD.search(line):
        return []
    spans = [_number_span(match) for match in PREFIXED_RESULT.finditer(line)]
    is_saving: bool | None = None  # looked for only when a number has no other reading
    for start in NUMBER_START.finditer(line):
        match = NUMBER_RESULT.match(line, start.start())
        if match is None:
            if is_saving is None:
                is_saving = SAVING_WORDS.search(line) is not None
            if is_saving:
                match = TIME_SAVED.match(line, start.start())
        if match is not None:
            spans.append(match.span())
    if not spans or NOT_RESULT_LINE.search(line):  # the salary check only where there is a result
        return []
    return [line[start:end].strip() for start, end in _merge(spans)]


def _number_span(match: re.Match[str]) -> tuple[int, int]:
    for group in ("n", "m"):
        if match.group(group) is not None:
            return match.span(group)
    return match.span()


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def read_opener(line: str) -> tuple[OpenerKind, str] | None:
    """The strong verb or weak phrase that opens `line` (after its bullet marker), if any.

    The table is chosen by the script the statement starts with, so an English bullet in a Chinese
    resume is still read. English verbs are past-tense forms only: "Lead Engineer" is a title.
    """
    text = statement_text(line)
    match = (ZH_OPENER if HAN.match(text) else EN_OPENER).match(text)
    if match is None:
        return None
    kind: OpenerKind = "weak" if match.group("weak") else "strong"
    phrase = match.group(kind)
    return kind, (phrase if HAN.match(phrase) else phrase.lower())


def count_words(text: str, language: Language) -> int:
    """Latin words, plus Han characters / 1.5 (rounded) for Chinese.

    A Chinese word averages about 1.5 characters; in an English resume Han characters are names or
    glosses, not prose, so they are not counted.
    """
    words = len(LATIN_WORD.findall(text))
    if language == "zh":
        words += round(len(HAN.findall(text)) / 1.5)
    return words


def read_signals(text: str, language: Language) -> Signals:
    """Length, bullets, quantified lines and bullet openers of `text`; `char_count` excludes whitespace."""
    achievements: list[Achievement] = []
    openers: dict[OpenerKind, dict[str, None]] = {"strong": {}, "weak": {}}
    bullet_count = 0
    for line in text.splitlines():
        if not line.strip() or HEADING.match(line):
            continue
        bullet_count += is_bullet(line)
        numbers = find_quantities(line)
        if numbers:
            achievements.append(Achievement(text=statement_text(line), numbers=numbers))
        opener = read_opener(line)
        if opener is not None:
            openers[opener[0]][opener[1]] = None
    return Signals(
        char_count=sum(map(len, text.split())),  # str.split() splits on exactly what \s matches
        word_count=count_words(text, language),
        bullet_count=bullet_count,
        achievements=achievements,
        action_verbs=list(openers["strong"]),
        weak_phrases=list(openers["weak"]),
    )
