"""Date ranges as people write them ('2019.03-至今', 'April 2015 to Present') and stated years."""

from __future__ import annotations

import re
from datetime import date
from typing import NamedTuple

from jobfirst_ai.engine.types import Span

__all__ = [
    "COUNT",
    "DateRange",
    "find_date_ranges",
    "last_date",
    "month_index",
    "months_inclusive",
    "normalize_width",
    "parse_date_range",
    "read_count",
    "stated_years",
]

# One character for one character, so offsets found in the normalised text hold in the original.
_WIDTH = dict(zip("０１２３４５６７８９．／－～：（）　", "0123456789./-~:() ", strict=True))
_WIDE = re.compile(f"[{''.join(_WIDTH)}]")

_YEAR = r"(?:19|20)\d{2}(?!\d)"
_MONTH = r"(?:1[0-2]|0?[1-9])(?!\d)"
_MONTH_NAME = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?['’]?"
)
_SP = r"[ \t]*"  # dates never run across lines
_DATE = (
    rf"(?:(?<!\d){_YEAR}(?:{_SP}年{_SP}{_MONTH}{_SP}月?|[./\-]{_MONTH}(?:{_SP}月)?)?(?:{_SP}年)?"
    rf"|\b{_MONTH_NAME}[,/\-]?{_SP}{_YEAR}"
    rf"|(?<![\d/.]){_MONTH}{_SP}[/.\-]{_SP}{_YEAR})"
)
_CURRENT = (
    r"(?:至今|今|现在|目前|当前|present\b|current(?:ly)?\b|now\b|today\b|date\b|till[ \t]+(?:date|now)\b)"
)
_SEPARATOR = rf"(?:{_SP}(?:[-–—―‒−~～〜至到]+|\bto\b|\btill\b|\buntil\b|\bthrough\b){_SP}|[ \t]{{2,}})"
_RANGE = re.compile(
    rf"(?:\b(?P<since>since)\s+)?(?P<a>{_DATE})"
    rf"(?:{_SEPARATOR}(?P<b>{_DATE}|{_CURRENT})|{_SP}(?P<c>至今|onwards?\b|present\b))?",
    re.IGNORECASE,
)
_SIDE = re.compile(
    rf"(?<!\d)(?P<y1>{_YEAR})(?:{_SP}年{_SP}(?P<m1>{_MONTH})|[./\-](?P<m2>{_MONTH}))?"
    rf"|(?P<name>{_MONTH_NAME})[,/\-]?{_SP}(?P<y2>{_YEAR})"
    rf"|(?<![\d/.])(?P<m3>{_MONTH}){_SP}[/.\-]{_SP}(?P<y3>{_YEAR})",
    re.IGNORECASE,
)
# Every date has a year and every range fits around one: 'since September, 2017', '2019.03-至今'.
_YEAR_ANCHOR = re.compile(r"(?:19|20)\d\d")
_AROUND_YEAR = (24, 40)
_MONTH_AFTER_YEAR = 5  # "年06月", ".06"
_MONTH_NUMBERS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}


class DateRange(NamedTuple):
    """A period: start and end as YYYY-MM (a bare year reads as its January), end None when current."""

    start: str
    end: str | None
    is_current: bool
    span: Span


def normalize_width(text: str) -> str:
    """Full-width digits and punctuation to ASCII, keeping every offset."""
    # Not str.translate: it looks every character up in a dict (~50 ns each, 0.15 ms for a resume); one
    # str.replace per distinct full-width character present gives the same string far faster.
    for char in set(_WIDE.findall(text)):
        text = text.replace(char, _WIDTH[char])
    return text


def month_index(value: str) -> int:
    """'2019-03' → a month count that orders and subtracts."""
    return int(value[:4]) * 12 + int(value[5:7]) - 1


def months_inclusive(start: str, end: str) -> int:
    """Whole months from `start` to `end`, both counted: 2019-01..2019-12 is 12."""
    return month_index(end) - month_index(start) + 1


def _read_side(side: str) -> str | None:
    match = _SIDE.match(side)
    if match is None:
        return None
    year = match["y1"] or match["y2"] or match["y3"]
    month_text = match["m1"] or match["m2"] or match["m3"]
    month = int(month_text) if month_text else 1
    if match["name"]:
        month = _MONTH_NUMBERS[match["name"][:3].lower()]
    return f"{year}-{month:02d}"


def _to_range(match: re.Match[str], text: str, offset: int, today: date | None) -> DateRange | None:
    start = _read_side(match["a"])
    if start is None:
        return None
    end_text = match["b"]
    end = _read_side(end_text) if end_text else None
    if end_text is None and match["c"] is None and match["since"] is None:
        return None
    is_current = end is None
    if end is not None and month_index(end) < month_index(start):
        return None
    if today is not None:
        now = f"{today.year}-{today.month:02d}"
        if month_index(start) > month_index(now):
            return None
        if end is not None and month_index(end) > month_index(now):
            end = now
    first, last = match.start() + offset, match.end() + offset
    return DateRange(
        start=start, end=end, is_current=is_current, span=Span(start=first, end=last, text=text[first:last])
    )


def _windows(
    anchor: re.Pattern[str], text: str, position: int, around: tuple[int, int]
) -> list[tuple[int, int]]:
    """Stretches of `text` around each anchor, merged: the full patterns run only there, which is
    what keeps a resume under a millisecond (they are slow to try at every character)."""
    windows: list[tuple[int, int]] = []
    for found in anchor.finditer(text, position):
        low, high = max(position, found.start() - around[0]), min(len(text), found.end() + around[1])
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((low, high))
    return windows


def find_date_ranges(
    text: str, today: date | None = None, start: int = 0, end: int | None = None
) -> list[DateRange]:
    """Every date range in `text[start:end]` (offsets into `text`).

    With `today`, ranges starting after it are dropped and ends after it are clamped to it.
    """
    offset = max(start - 1, 0)  # one character before `start` for the look-behinds
    normalized = normalize_width(text[offset : len(text) if end is None else end])
    found: list[DateRange] = []
    for low, high in _windows(_YEAR_ANCHOR, normalized, start - offset, _AROUND_YEAR):
        for match in _RANGE.finditer(normalized, low, high):
            if (date_range := _to_range(match, text, offset, today)) is not None:
                found.append(date_range)
    return found


def last_date(text: str) -> str | None:
    """The last single date in `text` ('2017' → '2017', 'June 2017' → '2017-06'), e.g. a graduation."""
    normalized = normalize_width(text)
    years = list(_YEAR_ANCHOR.finditer(normalized))
    if not years:
        return None
    around = max(years[-1].start() - _AROUND_YEAR[0], 0), years[-1].end() + _MONTH_AFTER_YEAR
    sides = list(_SIDE.finditer(normalized, *around))
    if not sides:
        return None
    found = sides[-1]
    has_month = found["m1"] or found["m2"] or found["m3"] or found["name"]
    return _read_side(found.group()) if has_month else found["y1"]


def parse_date_range(text: str, today: date | None = None) -> DateRange | None:
    """The first date range in `text`, if any."""
    ranges = find_date_ranges(text, today)
    return ranges[0] if ranges else None


_HAN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_WORD_NUMBERS = {
    word: number
    for number, word in enumerate(
        (
            *("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"),
            *("eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen"),
            *("eighteen", "nineteen", "twenty"),
        ),
        start=1,
    )
}
_HAN_NUMBER = r"[一二两三四五六七八九十]{1,3}"
_NUMBER = r"(?<![\d.])\d{1,2}(?:\.\d{1,2})?(?![\d.]\d)"
_ZH_YEARS = (
    # '5年Java开发经验', '五年工作经验', '3年以上工作经验', '一年半的实习经历'
    rf"(?P<zn>{_NUMBER}|{_HAN_NUMBER})\s*(?:\+|多)?\s*年(?P<half>半)?(?:以上|多)?"
    r"(?![级龄前后内度底初])[^，。,;；！\n]{0,12}?(?:经验|经历|从业)"
    # '工作年限：6年', '工作经验：3年以上', '从业8年'
    rf"|(?:工作|从业)(?:经验|年限|时间)?\s*[:：]?\s*(?:约|超过|近)?\s*(?P<zl>{_NUMBER}|{_HAN_NUMBER})\s*\+?\s*年"
)
_EN_WORD_NUMBER = "|".join(_WORD_NUMBERS)
# A count as written in either language ('3', '2.5', '五', '十二', 'three'); `read_count` reads it.
COUNT = rf"{_NUMBER}|{_HAN_NUMBER}|\b(?:{_EN_WORD_NUMBER})\b"
_EN_YEARS = (
    # '8+ years of experience', 'over 22 years of rich ... experience', '1.5 years experience'
    rf"(?P<en>{_NUMBER}|\b(?:{_EN_WORD_NUMBER}))\s*\+?\s*(?:plus\s+)?(?:years?|yrs?)\b['’]?(?!\s+old)"
    r"(?:\s+(?:of|in)\b)?(?:\s+[^\s.;:!?]+|\s*\.{3}|\s*…){0,8}?\s+(?:experience|exp)\b"
    # 'Total Experience: 12 years 6 months', 'experience of 5+ years'
    rf"|\bexperience\s*(?:of|:|-)?\s*(?:about|around|over|nearly|more\s+than|almost)?\s*"
    rf"(?P<el>{_NUMBER})\s*\+?\s*(?:years?|yrs?)\b(?:\s*(?:and\s*)?(?P<mo>\d{{1,2}})\s*months?)?"
)
_STATED = re.compile(f"{_ZH_YEARS}|{_EN_YEARS}", re.IGNORECASE)
_MAX_PLAUSIBLE_YEARS = 50
_YEARS_ANCHOR = re.compile(r"[Yy](?:ears?|rs?)|YEARS?|YRS?|年")
_AROUND_YEARS = (60, 120)


def _han_number(text: str) -> int:
    """'五' → 5, '十' → 10, '十五' → 15, '二十二' → 22."""
    if "十" not in text:
        return _HAN_DIGITS.get(text, 0)
    tens_text, _, ones_text = text.partition("十")
    tens = _HAN_DIGITS.get(tens_text, 0) if tens_text else 1
    return tens * 10 + _HAN_DIGITS.get(ones_text, 0)


def _number(text: str) -> float:
    lowered = text.lower()
    if lowered in _WORD_NUMBERS:
        return float(_WORD_NUMBERS[lowered])
    if lowered[0].isdigit():
        return float(lowered)
    return float(_han_number(lowered))


def read_count(text: str) -> float:
    """The value of a count matched by `COUNT`: '3' → 3.0, '五' → 5.0, '十二' → 12.0, 'three' → 3.0."""
    return _number(text)


def _claimed_years(match: re.Match[str]) -> float:
    number = match["zn"] or match["zl"] or match["en"] or match["el"]
    years = _number(number)
    if match["half"]:
        years += 0.5
    if match["mo"]:
        years += int(match["mo"]) / 12
    return round(years, 1)


def stated_years(text: str) -> float | None:
    """The largest plausible total of experience the resume claims ('5年Java开发经验', '8+ years of ...')."""
    normalized = normalize_width(text)
    windows = _windows(_YEARS_ANCHOR, normalized, 0, _AROUND_YEARS)
    claims = [
        _claimed_years(match) for low, high in windows for match in _STATED.finditer(normalized, low, high)
    ]
    plausible = [years for years in claims if 0 < years <= _MAX_PLAUSIBLE_YEARS]
    return max(plausible) if plausible else None
