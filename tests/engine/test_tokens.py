"""Retrieval terms: Latin words whole, Chinese segmented with skills intact, stopwords out, jieba lazy."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from jobfirst_ai.engine.tokens import EN_STOPWORDS, ZH_STOPWORDS, term_counts, tokenize

SKILLS = Path(__file__).resolve().parents[2] / "src" / "jobfirst_ai" / "data" / "skills.tsv"
HAN_ONLY = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C++/C# and .NET", ["c++", "c#", ".net"]),
        ("Node.js, Vue.js; ASP.NET!", ["node.js", "vue.js", "asp.net"]),
        ("front-end K8s CI/CD", ["front-end", "k8s", "ci", "cd"]),
        ("Spring Boot (Java)", ["spring", "boot", "java"]),
        ("C, R and Go", ["c", "r", "go"]),
    ],
)
def test_latin_words_keep_their_symbols_and_lose_plain_punctuation(text: str, expected: list[str]) -> None:
    assert tokenize(text) == expected


def test_numbers_one_letter_words_and_stopwords_are_dropped() -> None:
    assert tokenize("I have 8+ years of experience in 2019, 3.5 GPA, a B.Sc. and the v2.0 API") == [
        "year",
        "experience",
        "gpa",
        "b.sc",
        "v2.0",
        "api",
    ]


@pytest.mark.parametrize(
    ("word", "term"),
    [
        ("engineers", "engineer"),
        ("companies", "company"),
        ("processes", "process"),
        ("services", "service"),
        ("redis", "redis"),
        ("status", "status"),
        ("analysis", "analysis"),
        ("business", "business"),
        ("aws", "aws"),
    ],
)
def test_plain_plurals_lose_their_s(word: str, term: str) -> None:
    assert tokenize(word) == [term]


def test_full_width_letters_and_capitals_are_normalised() -> None:
    assert tokenize("ＪＡＶＡ Ｃ＋＋ PYTHON") == ["java", "c++", "python"]


@pytest.mark.parametrize("skill", ["微服务", "机器学习", "深度学习", "财务报表", "静脉输液", "班主任工作"])
def test_chinese_skills_stay_whole_words(skill: str) -> None:
    assert skill in tokenize(f"具备{skill}经验者优先，负责相关工作")


def test_every_chinese_skill_form_of_the_dictionary_comes_out_whole() -> None:
    forms = {
        form.lstrip("~=!").lower()
        for line in SKILLS.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith(("#", "name\t"))
        for form in line.split("\t")[3].split("|")
    }
    chinese = sorted(form for form in forms if HAN_ONLY.fullmatch(form.lstrip("~=!")))

    split = [form for form in chinese if form not in tokenize(f"具备{form}经验")]

    assert len(chinese) > 1000
    assert split == []


def test_search_mode_also_gives_the_parts_of_long_words() -> None:
    terms = tokenize("机器学习")

    assert {"机器学习", "机器", "学习"} <= set(terms)


def test_chinese_single_characters_and_stopwords_are_dropped() -> None:
    terms = tokenize("负责公司的销售和市场工作，以及客户关系维护等")

    assert {"公司", "销售", "市场", "客户"} <= set(terms)
    assert not {"的", "和", "等", "负责", "以及"} & set(terms)
    assert all(len(term) > 1 for term in terms)


def test_mixed_chinese_and_latin_text_is_split_at_the_script_change() -> None:
    assert tokenize("5年Java开发经验，熟悉Spring Boot") == ["java", "开发", "经验", "熟悉", "spring", "boot"]


def test_term_counts_counts_repeats() -> None:
    assert term_counts("Python, python and PYTHON; SQL") == {"python": 3, "sql": 1}


def test_stopword_lists_hold_no_content_words() -> None:
    assert not {"java", "python", "sales", "design"} & EN_STOPWORDS
    assert not {"销售", "设计", "开发", "管理"} & ZH_STOPWORDS


def test_jieba_loads_only_for_chinese_text_and_without_pkg_resources() -> None:
    code = (
        "import sys\n"
        "from jobfirst_ai.engine.tokens import is_segmenter_loaded, tokenize\n"
        "tokenize('Senior Java engineer, Spring Boot')\n"
        "print('jieba' in sys.modules, is_segmenter_loaded())\n"
        "tokenize('负责微服务架构设计')\n"
        "print('jieba' in sys.modules, is_segmenter_loaded(), 'pkg_resources' in sys.modules)\n"
    )

    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert output.stdout.split("\n")[:2] == ["False False", "True True False"]
    assert output.stderr == ""  # jieba's own logger says nothing
