"""Contact details: presence of e-mail and phone (never their values), name, location and links."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobfirst_ai.engine.contact import find_contact
from jobfirst_ai.engine.sections import split_sections
from jobfirst_ai.engine.types import ContactInfo
from tests.support.dotin import dotin_resumes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _contact(text: str) -> ContactInfo:
    return find_contact(text, split_sections(text))


@pytest.mark.parametrize(
    "phone",
    ["13800138000", "138 0013 8000", "139-1234-5678", "+86 138-0013-8000", "+8613800138000", "010-62345678",
     "(206) 555-0147", "206.555.0147", "+1 206 555 0147", "+44 131 651 30 77", "9876543210",
     "Mobile: 1232456789"],
)  # fmt: skip
def test_phone_forms(phone: str) -> None:
    assert _contact(f"Jane Roe\n{phone}\n").has_phone


@pytest.mark.parametrize(
    "text",
    ["2019.03 - 2021.06", "2014 - 2016", "GPA 3.8/4.0, ranked 5/120", "Revenue grew 35% to $2,400,000"],
)
def test_numbers_that_are_not_phones(text: str) -> None:
    assert not _contact(f"Jane Roe\n{text}\n").has_phone


def test_values_are_never_returned() -> None:
    info = _contact("张伟\n手机：13800138000 ｜ 邮箱：zhangwei.dev@example.com\n")

    assert (info.has_phone, info.has_email) == (True, True)
    assert "13800138000" not in info.model_dump_json()
    assert "zhangwei.dev" not in info.model_dump_json()


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("张三，软件工程师，5年Java开发经验", "张三"),
        ("# 张伟\n\n手机：13800138000", "张伟"),
        ("个人简历\n姓名：欧阳娜娜\n性别：女", "欧阳娜娜"),
        ("求职意向：Java 开发\n", None),
        ("软件工程师\n手机：13800138000", None),
        ("Emily Carter\nSeattle, WA · (206) 555-0147", "Emily Carter"),
        ("SARAH JOHNSON, RN, BSN\nColumbus, OH", "SARAH JOHNSON"),
        ("Curriculum Vitae\nName: John Smith\n", "John Smith"),
        ("Software Engineer\nSeattle, WA", None),
        ("WORK EXPERIENCE\nAnalyst", None),
    ],
)
def test_name(text: str, name: str | None) -> None:
    info = _contact(text)

    assert (info.name, info.has_name) == (name, name is not None)


@pytest.mark.parametrize(
    ("text", "has_location"),
    [
        ("张伟\n现居：杭州市西湖区", True),
        ("王强\n手机：137-0000-1122 | 广州", True),
        ("赵敏\n深圳市南山区", True),
        ("Emily Carter\nSeattle, WA · (206) 555-0147", True),
        ("Meda Cronin\nBengaluru, Karnataka - Email me on Indeed: x@example.com", True),
        ("Jane Roe\nAddress: 12 Main St.", True),
        ("张伟\n手机：13800138000", False),
        ("Jane Roe\njane@example.com", False),
    ],
)
def test_location(text: str, has_location: bool) -> None:
    assert _contact(text).has_location is has_location


def test_links_once_each_in_order() -> None:
    text = (
        "Jane Roe\nlinkedin.com/in/jane-roe · github.com/janeroe\nhttps://www.linkedin.com/in/jane-roe/\n"
        "Portfolio: https://jane.example.com. Mail jane@example.com"
    )

    assert _contact(text).links == [
        "linkedin.com/in/jane-roe",
        "github.com/janeroe",
        "https://jane.example.com",
    ]


def _everything(name: str, links: tuple[str, ...] = ()) -> ContactInfo:
    return ContactInfo(
        has_email=True, has_phone=True, has_name=True, has_location=True, links=list(links), name=name
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("resume_zh_software.md", _everything("张伟", ("https://github.com/zhangwei-example",))),
        ("resume_zh_nurse.txt", _everything("李静")),
        ("resume_en_software.md",
         _everything("Emily Carter", ("linkedin.com/in/emily-carter-example", "github.com/ecarter-example"))),
    ],
)  # fmt: skip
def test_fixture_resumes(name: str, expected: ContactInfo) -> None:
    assert _contact((FIXTURES / name).read_text(encoding="utf-8")) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Indeed layout: name on the first line, 'City, State - Email me on Indeed: …' below it.
        ("1.xml", ContactInfo(has_email=True, has_name=True, has_location=True, name="Meda Cronin",
                              links=["http://www.linkedin.com/in/meda-cronin",
                                     "https://www.indeed.com/r/meda-cronin"])),
        # Pasted flat (runs of spaces for line breaks), name under a 'Name:' label.
        ("82.xml", ContactInfo(has_email=True, has_phone=True, has_name=True, has_location=True,
                               name="Demarcus Eleni Ledner")),
    ],
)  # fmt: skip
def test_real_resumes(name: str, expected: ContactInfo) -> None:
    assert _contact(dotin_resumes()[name]) == expected
