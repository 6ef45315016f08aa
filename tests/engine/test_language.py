"""Language detection: Han share of the words, robust to English tech terms and stray Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobfirst_ai.engine.language import detect_language
from jobfirst_ai.engine.types import Language

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三，软件工程师，5年Java开发经验", "zh"),
        ("熟练掌握 Java、Spring Boot、Spring Cloud、MySQL、Redis、Kafka、Docker、Kubernetes 与 CI/CD", "zh"),
        ("负责基于Spring Boot和Kafka的订单系统开发，使用Redis缓存和MySQL分库分表，部署在Kubernetes上", "zh"),
        ("Senior Java engineer with 8+ years of experience in Spring Boot, Kafka and Kubernetes.", "en"),
        (
            "Zhang Wei (张伟)\nSenior backend engineer with eight years of experience building payment "
            "systems in Java and Go, leading teams of five, and running services on Kubernetes.",
            "en",
        ),
        ("", "en"),
        ("2019.03 - 2021.06", "en"),
    ],
)
def test_language_of_mixed_text(text: str, expected: Language) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("resume_zh_software.md", "zh"),
        ("resume_zh_nurse.txt", "zh"),
        ("resume_zh_designer.txt", "zh"),
        ("resume_en_software.md", "en"),
        ("resume_en_nurse.txt", "en"),
        ("resume_en_sales.txt", "en"),
    ],
)
def test_language_of_fixture_resumes(name: str, expected: Language) -> None:
    assert detect_language((FIXTURES / name).read_text(encoding="utf-8")) == expected
