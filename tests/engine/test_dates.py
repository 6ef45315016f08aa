"""Date ranges in the forms people write, and the years of experience a resume states."""

from __future__ import annotations

from datetime import date

import pytest

from jobfirst_ai.engine.dates import (
    find_date_ranges,
    last_date,
    months_inclusive,
    parse_date_range,
    stated_years,
)

TODAY = date(2024, 6, 15)


@pytest.mark.parametrize(
    ("text", "start", "end", "is_current"),
    [
        ("2019.03-至今", "2019-03", None, True),
        ("2019.3 - 今", "2019-03", None, True),
        ("2019年3月 – 2021年6月", "2019-03", "2021-06", False),
        ("2019年3月至2021年6月", "2019-03", "2021-06", False),
        ("2019年3月至今", "2019-03", None, True),
        ("2019/03 - 2021/06", "2019-03", "2021-06", False),
        ("2019-03 ~ 2021-06", "2019-03", "2021-06", False),
        ("Mar 2019 – Present", "2019-03", None, True),
        ("March 2019 to Current", "2019-03", None, True),
        ("03/2019 - 06/2021", "2019-03", "2021-06", False),
        ("08 / 2008 - 09 / 2009", "2008-08", "2009-09", False),
        ("2014 - 2016", "2014-01", "2016-01", False),
        ("2019 – now", "2019-01", None, True),
        ("April 2015 to Present", "2015-04", None, True),
        ("Jan. 2018 - Dec. 2019", "2018-01", "2019-12", False),
        ("Dec' 2015 to Sept' 2016", "2015-12", "2016-09", False),
        ("September 2017 onwards", "2017-09", None, True),
        ("2016present", "2016-01", None, True),
        ("２０１９．０３－２０２１．０６", "2019-03", "2021-06", False),
        ("2019.03—2021.06", "2019-03", "2021-06", False),
        ("2019.03～2021.06", "2019-03", "2021-06", False),
        ("2019.03到2021.06", "2019-03", "2021-06", False),
        ("2019.03－至今", "2019-03", None, True),
        ("2011  2014", "2011-01", "2014-01", False),
        ("Jan-2018 to Jun-2019", "2018-01", "2019-06", False),
        ("April 2015 - Till Date", "2015-04", None, True),
    ],
)
def test_range_forms(text: str, start: str, end: str | None, is_current: bool) -> None:
    found = parse_date_range(text, TODAY)

    assert found is not None
    assert (found.start, found.end, found.is_current) == (start, end, is_current)
    assert (found.span.start, found.span.end, found.span.text) == (0, len(text), text)


@pytest.mark.parametrize(
    "text",
    [
        "2019.13-2020.01",  # no 13th month
        "2019.00-2020.01",
        "2021.06-2019.03",  # ends before it starts
        "2030.01-至今",  # starts after today
        "2019",  # a single date is no range
        "手机：139-1234-5678",
    ],
)
def test_impossible_ranges_are_rejected(text: str) -> None:
    assert find_date_ranges(text, TODAY) == []


def test_future_end_is_clamped_to_today() -> None:
    found = parse_date_range("2022.09 - 2026.06", TODAY)

    assert found is not None
    assert (found.end, found.is_current) == ("2024-06", False)


def test_without_today_nothing_is_clamped() -> None:
    found = parse_date_range("2022.09 - 2026.06")

    assert found is not None
    assert found.end == "2026-06"


def test_ranges_keep_offsets_into_the_original_text() -> None:
    text = "阿里巴巴  ２０１９．０３－至今\nApril 2015 to Present"

    spans = [(found.span.start, found.span.text) for found in find_date_ranges(text, TODAY)]

    assert spans == [(6, "２０１９．０３－至今"), (17, "April 2015 to Present")]


def test_search_can_be_limited_to_a_region() -> None:
    text = "2010-2012 ignored; 2019.03-2020.01 read"

    assert [found.start for found in find_date_ranges(text, TODAY, start=10)] == ["2019-03"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2017", "2017"), ("Graduated June 2017", "2017-06"), ("2019.06 毕业", "2019-06"), ("no date", None)],
)
def test_last_date(text: str, expected: str | None) -> None:
    assert last_date(text) == expected


def test_months_count_both_ends() -> None:
    assert months_inclusive("2019-01", "2019-12") == 12
    assert months_inclusive("2019-03", "2019-03") == 1


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("张三，软件工程师，5年Java开发经验", 5),
        ("五年工作经验", 5),
        ("十五年从业经验", 15),
        ("二十二年的行业经验", 22),
        ("一年半的实习经历", 1.5),
        ("3年以上工作经验", 3),
        ("工作年限：6年", 6),
        ("6 年 Java 后端开发经验", 6),
        ("8+ years of experience", 8),
        ("over 22 years of experience", 22),
        ("Offering over 22 years of rich and diverse experience in banking", 22),
        ("1.5 years of experience", 1.5),
        ("Over 3.5 years of experience in implementing DevOps", 3.5),
        ("2 years of IT/Presales/Project Management experience", 2),
        ("Over twenty years experience in planning", 20),
        ("Total Experience: 12 years 6 months.", 12.5),
        ("5 years of Java experience; 10+ years of experience overall", 10),
    ],
)
def test_stated_years(text: str, years: float) -> None:
    assert stated_years(text) == years


@pytest.mark.parametrize(
    "text",
    [
        "I am 25 years old",
        "三年级学生",
        "年龄：28岁",
        "C++ (Less than 1 year), Java (5 years)",
        "2019年开始接触工作",
        "Led a 3 year migration",
        "60 years of combined team experience",
        "",
    ],
)
def test_no_stated_years(text: str) -> None:
    assert stated_years(text) is None
