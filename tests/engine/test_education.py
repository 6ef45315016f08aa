"""Degrees from the education section: level table, ambiguous abbreviations, school, major, dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobfirst_ai.engine.education import parse_education
from jobfirst_ai.engine.sections import split_sections
from jobfirst_ai.engine.types import DegreeLevel
from tests.support.dotin import dotin_resumes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

Row = tuple[DegreeLevel | None, str | None, str | None, str | None, str | None]


def _degrees(text: str) -> list[Row]:
    entries = parse_education(text, split_sections(text))
    return [(entry.level, entry.school, entry.major, entry.start, entry.end) for entry in entries]


@pytest.mark.parametrize(
    ("line", "level", "degree"),
    [
        ("高中", "high_school", "高中"), ("中专", "high_school", "中专"), ("大专", "associate", "大专"),
        ("专科", "associate", "专科"), ("本科", "bachelor", "本科"), ("学士", "bachelor", "学士"),
        ("硕士研究生", "master", "硕士研究生"), ("研究生", "master", "研究生"), ("MBA", "mba", "MBA"),
        ("EMBA", "mba", "EMBA"), ("博士", "phd", "博士"),
        ("High School Diploma", "high_school", "High School"),
        ("Associate of Arts", "associate", "Associate of Arts"),
        ("Bachelor of Science in Physics", "bachelor", "Bachelor of Science"),
        ("B.S. in Physics", "bachelor", "B.S."), ("B.Sc. Mathematics", "bachelor", "B.Sc."),
        ("BS in Physics", "bachelor", "BS"), ("BA, English", "bachelor", "BA"),
        ("B.E. in ENC", "bachelor", "B.E."), ("B.Tech (Computer Science)", "bachelor", "B.Tech"),
        ("BE Computer Science", "bachelor", "BE"), ("Master of Science in CS", "master", "Master of Science"),
        ("M.S. in Computer Science", "master", "M.S."), ("MS in Statistics", "master", "MS"),
        ("M.Sc. Chemistry", "master", "M.Sc."), ("MA in History", "master", "MA"),
        ("M.Tech in VLSI", "master", "M.Tech"), ("MCA", "master", "MCA"),
        ("Master of Business Administration", "mba", "Master of Business Administration"),
        ("PhD in Linguistics", "phd", "PhD"), ("Ph.D. in Physics", "phd", "Ph.D."),
        ("Doctorate in Education", "phd", "Doctorate"),
    ],
)  # fmt: skip
def test_degree_table(line: str, level: DegreeLevel, degree: str) -> None:
    text = f"Jane Roe\nEDUCATION\n{line}\nState University\n"

    entries = parse_education(text, split_sections(text))

    assert [(entry.level, entry.degree) for entry in entries] == [(level, degree)]


@pytest.mark.parametrize(
    "line",
    [
        "Proficient in MS Office and MS Excel",
        "Ms. Jones supervised the thesis",
        "Eager to master the art of teaching",
        "Boston, MA 02115",
        "Certified Scrum Master",
        "Will BE available",
        "获校级优秀研究生奖学金",
    ],
)
def test_words_that_look_like_degrees_are_not(line: str) -> None:
    text = f"Jane Roe\nEDUCATION\n{line}\n"

    assert parse_education(text, split_sections(text)) == []


@pytest.mark.parametrize(
    ("block", "row"),
    [
        ("2015.09-2019.06  浙江大学  计算机科学与技术  本科",
         ("bachelor", "浙江大学", "计算机科学与技术", "2015-09", "2019-06")),
        ("**浙江大学** ｜ 计算机科学与技术 ｜ 硕士 ｜ 2013.09 - 2016.06",
         ("master", "浙江大学", "计算机科学与技术", "2013-09", "2016-06")),
        ("毕业院校：华中科技大学\n专业：软件工程\n学历：本科\n2012年9月 - 2016年6月",
         ("bachelor", "华中科技大学", "软件工程", "2012-09", "2016-06")),
        ("2016.03 - 2018.07    四川大学（成人教育）    护理学    本科",
         ("bachelor", "四川大学", "护理学", "2016-03", "2018-07")),
        ("B.E. in ENC\n\nNorth Maharashtra University\n\n2017",
         ("bachelor", "North Maharashtra University", "ENC", None, "2017")),
        ("Bachelor of Science in Nursing (BSN), The Ohio State University, 2015 - 2019",
         ("bachelor", "The Ohio State University", "Nursing", "2015-01", "2019-01")),
        ("**M.S. in Computer Science**, University of Texas at Austin — 2014 – 2016",
         ("master", "University of Texas at Austin", "Computer Science", "2014-01", "2016-01")),
        ("Stanford University\nComputer Science major, B.A., 2012",
         ("bachelor", "Stanford University", "Computer Science", None, "2012")),
    ],
)  # fmt: skip
def test_school_major_and_dates(block: str, row: Row) -> None:
    heading = "教育经历" if any("\u4e00" <= char <= "\u9fff" for char in block) else "EDUCATION"

    assert _degrees(f"张三\n{heading}\n{block}\n") == [row]


def test_one_entry_per_degree() -> None:
    text = (
        "教育经历\n2012.09 - 2015.06    四川护理职业学院    护理    大专\n"
        "- GPA 3.6/4.0\n2016.03 - 2018.07    四川大学    护理学    本科\n"
    )

    assert [row[0] for row in _degrees(text)] == ["associate", "bachelor"]


def test_without_an_education_section_a_degree_line_anywhere_counts() -> None:
    text = "Jane Roe\nSUMMARY\nAnalyst. Holds a B.S. in Economics from Ohio University, 2012.\n"

    assert _degrees(text) == [("bachelor", "Ohio University", "Economics", None, "2012")]


def test_seed_one_liner_has_no_degree() -> None:
    text = "张三，软件工程师，5年Java开发经验"

    assert parse_education(text, split_sections(text)) == []


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("resume_zh_software.md", [("master", "浙江大学", "计算机科学与技术", "2013-09", "2016-06"),
                                   ("bachelor", "南京邮电大学", "软件工程", "2009-09", "2013-06")]),
        ("resume_zh_teacher.txt", [("bachelor", "华中师范大学", "数学与应用数学", "2012-09", "2016-06"),
                                   ("master", "华中师范大学", "学科教学", "2016-09", "2019-06")]),
        ("resume_en_sales.txt", [("bachelor", "University of Colorado Boulder", "Communication", "2013-01",
                                  "2017-01")]),
    ],
)  # fmt: skip
def test_fixture_resumes(name: str, rows: list[Row]) -> None:
    assert _degrees((FIXTURES / name).read_text(encoding="utf-8")) == rows


@pytest.mark.parametrize(
    ("name", "rows"),
    [
        ("1.xml", [("bachelor", "North Maharashtra University", "ENC", None, "2017")]),
        ("3.xml", [("mba", "Goa Institute of Management", "Marketing", "2014-06", "2016-03"),
                   ("bachelor", "Uttar Pradesh Technical University", "Computer Science and Engineering",
                    "2010-07", "2014-04")]),
        ("20.xml", [("bachelor", "Padmanava College of Engineering", "CSE", None, "2009")]),
    ],
)  # fmt: skip
def test_real_resumes(name: str, rows: list[Row]) -> None:
    assert _degrees(dotin_resumes()[name]) == rows
