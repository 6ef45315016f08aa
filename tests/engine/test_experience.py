"""Jobs from the experience section: title and company beside the dates, months, overlap counted once."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from jobfirst_ai.engine.experience import parse_experience, total_experience_years
from jobfirst_ai.engine.sections import split_sections
from jobfirst_ai.engine.types import ExperienceEntry
from tests.support.dotin import dotin_resumes

TODAY = date(2024, 6, 15)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _jobs(text: str) -> list[tuple[str | None, str | None, str | None, str | None]]:
    entries = parse_experience(text, split_sections(text), TODAY)
    return [(entry.title, entry.company, entry.start, entry.end) for entry in entries]


def _entry(start: str, end: str | None, months: int) -> ExperienceEntry:
    return ExperienceEntry(start=start, end=end, is_current=end is None, months=months, text="")


@pytest.mark.parametrize(
    ("block", "job"),
    [
        ("2019.03-至今  阿里巴巴  高级Java工程师", ("高级Java工程师", "阿里巴巴", "2019-03", None)),
        ("杭州云栈科技有限公司 ｜ 高级 Java 工程师 ｜ 2019.03-2021.06",
         ("高级 Java 工程师", "杭州云栈科技有限公司", "2019-03", "2021-06")),
        ("上海迅达物流有限公司\n财务主管\n2017.05 - 2020.04",
         ("财务主管", "上海迅达物流有限公司", "2017-05", "2020-04")),
        ("2015年7月 - 至今\n成都市第三人民医院  心内科护士",
         ("心内科护士", "成都市第三人民医院", "2015-07", None)),
        ("公司：北京字节跳动科技有限公司\n职位：产品运营\n时间：2020.07-2022.12",
         ("产品运营", "北京字节跳动科技有限公司", "2020-07", "2022-12")),
        ("Senior Data Engineer, Northwind Analytics — Seattle, WA\nMar 2019 – Present",
         ("Senior Data Engineer", "Northwind Analytics", "2019-03", None)),
        ("Software Engineer\n\nDisney -\n\nSeptember 2014 to Present",
         ("Software Engineer", "Disney", "2014-09", None)),
        ("Senior Associate Consultant\n\nInfosys Limited -  Bangalore Urban, Karnataka -\n\nJuly 2017 to Now",
         ("Senior Associate Consultant", "Infosys Limited", "2017-07", None)),
        ("Registered Nurse - Riverside Memorial Hospital, Columbus, OH\nAug 2019 – Present",
         ("Registered Nurse", "Riverside Memorial Hospital", "2019-08", None)),
        ("• Worked as Software Engineer with Prolifics Corporation Limited from Dec' 2015 to Sept' 2016",
         ("Software Engineer", "Prolifics Corporation Limited", "2015-12", "2016-09")),
    ],
)  # fmt: skip
def test_title_and_company_around_the_dates(block: str, job: tuple[str, str, str, str | None]) -> None:
    heading = "工作经历" if any("\u4e00" <= char <= "\u9fff" for char in block) else "WORK EXPERIENCE"

    assert _jobs(f"张三\n\n{heading}\n{block}\n- 负责日常开发\n") == [job]


def test_two_jobs_and_their_months() -> None:
    text = (
        "工作经历\n2020.06 - 至今  深圳轻羽互动科技有限公司  高级 UI 设计师\n- 主导 App 改版\n"
        "2017年7月 - 2020年5月  深圳橙果广告有限公司  UI 设计师\n- 参与官网改版\n"
    )

    entries = parse_experience(text, split_sections(text), TODAY)

    assert [(entry.months, entry.is_current) for entry in entries] == [(49, True), (35, False)]
    assert entries[0].text == "2020.06 - 至今  深圳轻羽互动科技有限公司  高级 UI 设计师"


def test_without_an_experience_section_dates_outside_education_count() -> None:
    text = "张三\n教育经历\n2010.09-2014.06 浙江大学 本科\n其他\n2015.07-2018.06 网易 Java开发工程师\n"

    assert _jobs(text) == [("Java开发工程师", "网易", "2015-07", "2018-06")]


def test_a_project_dated_inside_a_job_is_not_another_job() -> None:
    text = "工作经历\n2018.01-2021.12 某某科技有限公司 后端工程师\n项目：订单系统 2019.03-2019.09\n"

    assert _jobs(text) == [("后端工程师", "某某科技有限公司", "2018-01", "2021-12")]


def test_seed_one_liner_has_no_dated_job() -> None:
    text = "张三，软件工程师，5年Java开发经验"

    assert parse_experience(text, split_sections(text), TODAY) == []


@pytest.mark.parametrize(
    ("entries", "years"),
    [
        ([_entry("2019-01", "2020-12", 24), _entry("2020-01", "2021-12", 24)], 3.0),
        ([_entry("2015-01", "2015-12", 12), _entry("2017-01", "2017-06", 6)], 1.5),
        ([_entry("2016-01", "2021-12", 72), _entry("2018-03", "2018-08", 6)], 6.0),
        ([_entry("2023-01", None, 18)], 1.5),
        ([], 0.0),
    ],
)
def test_total_years_count_overlap_once(entries: list[ExperienceEntry], years: float) -> None:
    assert total_experience_years(entries) == years


@pytest.mark.parametrize(
    ("name", "jobs", "years"),
    [
        ("resume_zh_software.md",
         [("高级 Java 工程师 / 技术负责人", "杭州云栈科技有限公司", "2019-03", None),
          ("Java 开发工程师", "南京易付信息技术有限公司", "2016-07", "2019-02"),
          ("Java 开发实习生", "南京蓝海软件有限公司", "2015-07", "2016-06")], 8.0),  # internship left out
        ("resume_zh_nurse.txt", [("心内科护士", "成都市第三人民医院", "2015-07", None)], 9.0),
        ("resume_en_software.md",
         [("Senior Data Engineer", "Northwind Analytics", "2019-03", None),
          ("Backend Engineer", "Bluefin Payments", "2016-06", "2019-02"),
          ("Software Engineer Intern", "Cedar Labs", "2014-01", "2016-01")], 8.1),  # nor here
        ("resume_en_nurse.txt",
         [("Registered Nurse", "Riverside Memorial Hospital", "2019-08", None),
          ("Nursing Assistant", "Mercy Care Center", "2017-05", "2019-07")], 7.2),
    ],
)  # fmt: skip
def test_fixture_resumes(name: str, jobs: list[tuple[str, str, str, str | None]], years: float) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")

    entries = parse_experience(text, split_sections(text), TODAY)

    assert [(entry.title, entry.company, entry.start, entry.end) for entry in entries] == jobs
    assert total_experience_years(entries) == years


@pytest.mark.parametrize(
    ("name", "jobs"),
    [
        # Lee Connelly: the same 'September 2014 to Present' under Disney and under HCL, then Microsoft.
        ("2.xml", [("Software Engineer", "Disney", "2014-09", None),
                   ("Software Engineer", "HCL Technologies", "2014-09", None),
                   ("Process Associate", "Microsoft", "2013-07", "2014-08")]),
        ("3.xml", [("Senior Associate Consultant", "Infosys Limited", "2017-07", None),
                   ("Associate Consultant", "Infosys", "2016-05", "2017-06")]),
        ("10.xml", [("JAVA Developer/Senior Systems Engineer", "INFOSYS LIMITED", "2016-02", None),
                    ("JAVA Intern", "INFOSYS LIMITED", "2015-06", "2015-11")]),
    ],
)  # fmt: skip
def test_real_resumes(name: str, jobs: list[tuple[str, str, str, str | None]]) -> None:
    assert _jobs(dotin_resumes()[name]) == jobs


def test_real_resume_dates_overlap_counted_once() -> None:
    text = dotin_resumes()["2.xml"]

    entries = parse_experience(text, split_sections(text), TODAY)

    # 2013-07 .. 2024-06, the two current jobs counted once.
    assert total_experience_years(entries) == 11.0


def test_bullets_belong_to_the_entry_above_them() -> None:
    text = (
        "工作经历\n2019.03-至今  阿里巴巴  高级Java工程师\n- 主导订单系统重构，延迟降低40%\n- 负责代码评审\n"
        "2016.07-2019.02  网易  Java开发工程师\n- 参与支付网关开发\n"
    )

    first, second = parse_experience(text, split_sections(text), TODAY)

    assert first.bullets == ["- 主导订单系统重构，延迟降低40%", "- 负责代码评审"]
    assert second.bullets == ["- 参与支付网关开发"]


def test_internships_do_not_add_to_total_years() -> None:
    text = "Experience\nData Intern, Acme Inc\nJun 2015 - May 2016\nEngineer, Beta LLC\nJun 2016 - May 2018\n"

    entries = parse_experience(text, split_sections(text), TODAY)

    assert len(entries) == 2
    assert total_experience_years(entries) == 2.0
