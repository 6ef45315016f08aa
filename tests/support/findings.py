"""Builders of engine `Findings`, so scoring, suggestion and summary tests need none of the parsers."""

from __future__ import annotations

import random

from jobfirst_ai.engine.types import (
    Achievement,
    ContactInfo,
    DegreeLevel,
    EducationEntry,
    ExperienceEntry,
    Findings,
    Language,
    Section,
    SectionKind,
    Signals,
    SkillMatch,
    Span,
)

LANGUAGES_BOTH: list[Language] = ["zh", "en"]
STRONG_BULLETS: dict[Language, list[str]] = {
    "zh": [
        "主导订单中心拆分为 12 个微服务，发布频率提升 3 倍",
        "重构库存链路，接口延迟从 800ms 降至 120ms",
        "设计消息总线，日处理消息 3 亿条",
        "带领 6 人小组，线上故障下降 45%",
        "优化慢查询 60 余条，对账耗时缩短 80%",
        "搭建监控平台，故障定位时间降低 70%",
    ],
    "en": [
        "Led a team of 4 engineers to ship a usage API serving 1,200 requests per second",
        "Designed a streaming pipeline processing 2.5 billion events per day",
        "Migrated 140 Airflow DAGs to MWAA, cutting cost by 38%",
        "Reduced report build time from 6 hours to 45 minutes",
        "Built dashboards used by 30 support agents",
        "Automated weekly reporting, saving 10 hours per week",
    ],
}
STRONG_VERBS: dict[Language, list[str]] = {
    "zh": ["主导", "重构", "设计", "带领", "优化", "搭建"],
    "en": ["led", "designed", "migrated", "reduced", "built", "automated"],
}
JOBS: dict[Language, list[tuple[str, str]]] = {
    "zh": [("高级 Java 工程师", "杭州云栈科技有限公司"), ("Java 开发工程师", "南京易付信息技术有限公司")],
    "en": [("Senior Data Engineer", "Northwind Analytics"), ("Backend Engineer", "Bluefin Payments")],
}
SKILLS = [
    ("Java", "programming_language"),
    ("Python", "programming_language"),
    ("Spring Boot", "framework"),
    ("MySQL", "database"),
    ("Redis", "database"),
    ("Kafka", "cloud_devops"),
    ("Docker", "cloud_devops"),
    ("Kubernetes", "cloud_devops"),
]


def span(text: str, start: int = 0) -> Span:
    return Span(start=start, end=start + len(text), text=text)


def section(kind: SectionKind, heading: str = "") -> Section:
    return Section(kind=kind, heading=heading, start=0, end=1)


def skill(
    name: str,
    category: str = "programming_language",
    sections: tuple[SectionKind, ...] = ("skills", "experience"),
    seen: int = 2,
    first: int = 100,
) -> SkillMatch:
    evidence = [span(name, first + 50 * index) for index in range(seen)]
    return SkillMatch(name=name, category=category, evidence=evidence, sections=list(sections))


def job(
    title: str | None = "Java 开发工程师",
    company: str | None = "某某科技有限公司",
    start: str | None = "2019-03",
    end: str | None = "2021-02",
    bullets: tuple[str, ...] = (),
    is_current: bool = False,
) -> ExperienceEntry:
    header = " ｜ ".join(part for part in (company, title, start, end) if part)
    text = "\n".join([header, *(f"- {bullet}" for bullet in bullets)])
    months = _months(start, end) if start and end else 0
    return ExperienceEntry(
        title=title, company=company, start=start, end=end, is_current=is_current, months=months, text=text
    )


def _months(start: str, end: str) -> int:
    (start_year, start_month), (end_year, end_month) = (map(int, start.split("-")), map(int, end.split("-")))
    return (end_year - start_year) * 12 + end_month - start_month + 1


def degree(
    level: DegreeLevel | None = "bachelor",
    written: str | None = "本科",
    school: str | None = "浙江大学",
    major: str | None = "计算机科学与技术",
    start: str | None = "2009-09",
    end: str | None = "2013-06",
) -> EducationEntry:
    text = " ｜ ".join(part for part in (school, major, written, start, end) if part)
    return EducationEntry(
        degree=written, level=level, school=school, major=major, start=start, end=end, text=text
    )


def signals(**overrides: object) -> Signals:
    values: dict[str, object] = {
        "char_count": 0,
        "word_count": 0,
        "bullet_count": 0,
        "achievements": [],
        "action_verbs": [],
        "weak_phrases": [],
    }
    values.update(overrides)
    return Signals.model_validate(values)


def achievement(text: str, *numbers: str) -> Achievement:
    return Achievement(text=text, numbers=list(numbers) or ["1"])


def bare(language: Language = "zh") -> Findings:
    """A resume where nothing was found: no sections, contact, roles, degrees or skills."""
    return Findings(
        language=language,
        sections=[],
        skills=[],
        experience=[],
        education=[],
        contact=ContactInfo(),
        signals=signals(),
        total_years=0.0,
    )


def strong(language: Language = "zh") -> Findings:
    """A resume that has everything the rubric asks for."""
    bullets = STRONG_BULLETS[language]
    (title, company), (old_title, old_company) = JOBS[language]
    experience = [
        job(title, company, "2019-03", None, tuple(bullets[:3]), is_current=True),
        job(old_title, old_company, "2016-07", "2019-02", tuple(bullets[3:])),
    ]
    kinds: list[SectionKind] = ["contact", "summary", "experience", "projects", "education", "skills"]
    written = ("硕士", "浙江大学", "计算机科学与技术") if language == "zh" else ("M.S.", "UT Austin", "CS")
    return Findings(
        language=language,
        sections=[section(kind) for kind in kinds],
        skills=[skill(name, category, first=index * 10) for index, (name, category) in enumerate(SKILLS)],
        experience=experience,
        education=[degree("master", *written, start="2013-09", end="2016-06")],
        contact=ContactInfo(
            has_email=True, has_phone=True, has_name=True, name="张伟", links=["https://github.com/example"]
        ),
        signals=signals(
            char_count=1500,
            word_count=600,
            bullet_count=len(bullets),
            achievements=[achievement(text, "1") for text in bullets],
            action_verbs=STRONG_VERBS[language],
        ),
        total_years=7.9,
        stated_years=7.0,
    )


def mixed(seed: int) -> Findings:
    """A resume with a seeded, arbitrary mix of what the parsers can find."""
    rng = random.Random(seed)
    base = strong(rng.choice(LANGUAGES_BOTH))
    kinds: list[SectionKind] = ["contact", "summary", "experience", "projects", "education", "skills"]
    contact = {field: rng.random() < 0.5 for field in ("has_email", "has_phone", "has_name")}
    achievements = base.signals.achievements[: rng.randrange(len(base.signals.achievements) + 1)]
    signals = base.signals.model_copy(
        update={
            "bullet_count": rng.randrange(30),
            "achievements": achievements,
            "weak_phrases": ["负责", "helped"][: rng.randrange(3)],
            "char_count": rng.randrange(5000),
            "word_count": rng.randrange(2500),
        }
    )
    return changed(
        changed_contact(base, **contact),
        sections=[section(kind) for kind in kinds if rng.random() < 0.5],
        experience=[job(start=rng.choice([None, "2019-03"])) for _ in range(rng.randrange(3))],
        skills=base.skills[: rng.randrange(len(base.skills) + 1)],
        signals=signals,
        stated_years=rng.choice([None, 3.0, 12.0]),
        total_years=rng.choice([0.0, 4.0]),
    )


def changed(findings: Findings, **update: object) -> Findings:
    """A copy of `findings` with some fields replaced."""
    return findings.model_copy(update=update)


def changed_signals(findings: Findings, **update: object) -> Findings:
    return changed(findings, signals=findings.signals.model_copy(update=update))


def changed_contact(findings: Findings, **update: object) -> Findings:
    return changed(findings, contact=findings.contact.model_copy(update=update))
