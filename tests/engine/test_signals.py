"""Writing signals: length, bullets, quantified results (not dates, phones or years) and bullet openers."""

from __future__ import annotations

from pathlib import Path

import pytest

from jobfirst_ai.engine.signals import count_words, find_quantities, is_bullet, read_opener, read_signals
from jobfirst_ai.engine.types import Language

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_char_count_ignores_whitespace() -> None:
    assert read_signals("张 伟\n\n  Java 工程师\t", "zh").char_count == 9


def test_english_words_are_latin_tokens() -> None:
    assert count_words("Built a C++ service in Node.js for 1,200 users (张伟)", "en") == 9


def test_chinese_words_count_han_characters_as_two_thirds_plus_latin_words() -> None:
    assert count_words("负责Java后端开发", "zh") == 1 + round(6 / 1.5)


@pytest.mark.parametrize(
    "line",
    ["• 主导重构", "- Led the team", "* Built X", "· 优化查询", "▪ item", "● item", "1. 完成迁移",
     "2、搭建平台", "（3）推动上线", "① 带领团队", "  - indented"],
)  # fmt: skip
def test_bullet_markers(line: str) -> None:
    assert is_bullet(line)


@pytest.mark.parametrize(
    "line",
    [
        "2019.06 - 2021.03 某某公司",
        "**浙江大学** ｜ 硕士",
        "1.5 years of Go",
        "---",
        "Led the team",
        "## 工作经历",
    ],
)
def test_not_bullets(line: str) -> None:
    assert not is_bullet(line)


def test_bullet_count_counts_list_items_only() -> None:
    text = "## 工作经历\n2019.03-至今 某公司\n- 主导重构\n- 负责开发\n1、搭建平台\n普通段落"
    assert read_signals(text, "zh").bullet_count == 3


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("服务器成本降低 30%", "30%"),
        ("转化率提升 25％", "25％"),
        ("成本降低百分之三十", "百分之三十"),
        ("年节税约 85 万元", "85 万元"),
        ("Closed $2.4M in new ARR", "$2.4M"),
        ("营收 ¥50万", "¥50万"),
        ("吞吐提升 3 倍", "3 倍"),
        ("improving throughput by 3x", "3x"),
        ("支撑日活 50 万的电商平台", "50 万"),
        ("服务 50万用户", "50万"),
        ("Led a team of 10+ people", "10+ people"),
        ("Served 1,200 requests per second", "1,200 requests per second"),
        ("对账耗时从 4 小时缩短到 40 分钟", "4 小时"),
        ("Automated reporting, saving 10 hours per week", "10 hours"),
        ("带领 6 人后端小组", "6 人"),
        ("接口延迟降至 120ms", "120ms"),
        ("Precepted 9 new graduate nurses", "9 new graduate nurses"),
        ("销售额突破 2000 万", "2000 万"),
        ("系统承载 QPS 2万", "2万"),
        ("收入翻了一番", "翻了一番"),
    ],
)
def test_quantified_results_are_found(line: str, expected: str) -> None:
    assert any(expected in number for number in find_quantities(line))


@pytest.mark.parametrize(
    "line",
    [
        "2019.06 - 2021.03 杭州云栈科技有限公司",
        "2019.03 - 2021.02 万达集团",
        "2016年7月 – 2019年2月",
        "Mar 2019 – Present",
        "手机：13800138000 ｜ 邮箱：a@example.com",
        "(206) 555-0147 · emily@example.com",
        "137-0000-1122",
        "出生年月：1991年5月，28岁",
        "Age: 28",
        "熟悉 Python 3.11、Vue3、Java 8、Spring Boot 2.7",
        "主导 App 3.0 视觉改版",
        "6 年 Java 后端开发经验",
        "Data engineer with 7+ years of experience",
        "获校级优秀研究生奖学金（2014、2015）",
        "In 2019 users asked for dark mode",
        "期望薪资：35-45K ｜ 到岗时间：一个月内",
        "Expected salary: $120K",
        "基于 k8s 与 EC2 部署，接口 P99 稳定",
        "GPA 3.6/4.0",
        "Executed the rollout in 6 weeks",
    ],
)
def test_dates_phones_years_ages_and_versions_are_not_results(line: str) -> None:
    assert find_quantities(line) == []


def test_achievements_keep_the_line_without_its_marker() -> None:
    signals = read_signals("- 带领 6 人小组，故障下降 45%\n- 负责日常开发\n2019.03 - 2021.02 某公司", "zh")
    assert [(item.text, item.numbers) for item in signals.achievements] == [
        ("带领 6 人小组，故障下降 45%", ["6 人", "45%"])
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("- 主导订单中心拆分", ("strong", "主导")),
        ("• 独立搭建监控平台", ("strong", "搭建")),
        ("- 负责日常需求开发", ("weak", "负责")),
        ("1、主要负责接口文档", ("weak", "负责")),
        ("- 参与支付网关开发", ("weak", "参与")),
        ("- Led a team of 4 engineers", ("strong", "led")),
        ("- **Designed** a pipeline", ("strong", "designed")),
        ("- Responsible for maintaining ETL jobs", ("weak", "responsible for")),
        ("- Was responsible for reports", ("weak", "responsible for")),
        ("- Helped with on-call duties", ("weak", "helped")),
        ("- 设计模式、数据结构", None),
        ("负责人：张三", None),
        ("Lead Software Engineer, Acme", None),
        ("- Leadership and communication", None),
    ],
)
def test_openers(line: str, expected: tuple[str, str] | None) -> None:
    assert read_opener(line) == expected


def test_openers_are_distinct_in_order_of_first_use() -> None:
    text = "- 主导A\n- 优化B\n- 主导C\n- 负责D\n- 负责E\n- 协助F\n- Led G\n- Responsible for H"
    signals = read_signals(text, "zh")
    assert signals.action_verbs == ["主导", "优化", "led"]
    assert signals.weak_phrases == ["负责", "协助", "responsible for"]


@pytest.mark.parametrize(
    ("name", "language"), [("resume_zh_software.md", "zh"), ("resume_en_software.md", "en")]
)
def test_same_text_same_signals(name: str, language: Language) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert read_signals(text, language) == read_signals(text, language)


def test_chinese_software_resume() -> None:
    signals = read_signals((FIXTURES / "resume_zh_software.md").read_text(encoding="utf-8"), "zh")
    assert signals.bullet_count >= 25
    assert len(signals.achievements) >= 12
    assert {"主导", "重构", "带领"} <= set(signals.action_verbs)
    assert {"负责", "参与", "协助"} <= set(signals.weak_phrases)
    numbers = [number for item in signals.achievements for number in item.numbers]
    assert "13800138000" not in " ".join(numbers)
    assert not any("2019" in number or "45K" in number for number in numbers)


def test_english_software_resume() -> None:
    signals = read_signals((FIXTURES / "resume_en_software.md").read_text(encoding="utf-8"), "en")
    assert 300 <= signals.word_count <= 600
    assert len(signals.achievements) >= 10
    assert {"designed", "migrated", "led", "automated"} <= set(signals.action_verbs)
    assert {"responsible for", "worked on", "helped"} <= set(signals.weak_phrases)
    assert all("555" not in number for item in signals.achievements for number in item.numbers)
