"""Chinese job postings for the matching benchmarks, from the templates in bench/match_professions_zh.txt.

Each posting draws a profession, then its title, 3–7 core skills and 0–2 more from the profession's
categories of scripts/skills_zh.txt (written now and then as one of the dictionary's Chinese aliases), 3–6
duties, the degree, majors, years and certificate asked for, 0–2 加分项 lines, the section headings, city,
company name, tags and salary. Skills named by the templates are checked against the dictionary on load.
"""

from __future__ import annotations

import itertools
import random
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import ROOT

SKILLS_ZH = ROOT / "scripts" / "skills_zh.txt"
PROFESSIONS_ZH = ROOT / "bench" / "match_professions_zh.txt"


@dataclass(frozen=True)
class Profession:
    """One profession's templates, parsed from `PROFESSIONS_ZH`."""

    name: str
    field_name: str
    salary_k: tuple[int, int]
    years: tuple[int, int]
    degree: str
    majors: tuple[str, ...]
    company_kinds: tuple[str, ...]
    categories: tuple[str, ...]
    titles: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    bonus: tuple[str, ...] = ()
    certs: tuple[str, ...] = ()
    duties: tuple[str, ...] = ()


def _pair(text: str) -> tuple[int, int]:
    low, high = text.split("-")
    return int(low), int(high)


def _parse_profession(block: str) -> Profession:
    head, *lines = block.strip().splitlines()
    name, field_name, salary, years, degree, majors, kinds, categories = (p.strip() for p in head.split("|"))
    lists = {}
    for line in lines:
        if not line.startswith("- "):
            key, _, rest = line.partition(":")
            lists[key] = tuple(v.strip() for v in rest.split("|") if v.strip())
    return Profession(
        name,
        field_name,
        _pair(salary),
        _pair(years),
        degree,
        tuple(majors.split(",")),
        tuple(kinds.split(",")),
        tuple(categories.split(",")),
        titles=lists["titles"],
        skills=lists["skills"],
        bonus=lists["bonus"],
        certs=lists["certs"],
        duties=tuple(line[2:] for line in lines if line.startswith("- ")),
    )


@dataclass(frozen=True)
class ZhSkills:
    """The lines of scripts/skills_zh.txt: each skill's Chinese forms (display name first), by category."""

    by_category: dict[str, list[tuple[str, ...]]]
    by_form: dict[str, tuple[str, ...]]

    @classmethod
    def load(cls, path: Path = SKILLS_ZH) -> ZhSkills:
        by_category: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        category = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("@"):
                category = line[1:].strip()
            elif line.strip() and not line.startswith("#"):  # markers = ! ~ are matching rules, not text
                by_category[category].append(tuple(f.strip().lstrip("=!~") for f in line.split("|")[1:]))
        by_form = {form: forms for lines in by_category.values() for forms in lines for form in forms}
        return cls(dict(by_category), by_form)

    def written(self, rng: random.Random, skill: str) -> str:
        """The skill as a posting writes it: mostly the given form, sometimes an alias with Chinese in it."""
        aliases = [f for f in self.by_form.get(skill, ()) if f != skill and re.search(r"[\u4e00-\u9fff]", f)]
        return rng.choice(aliases) if aliases and rng.random() < 0.15 else skill


def load_professions(zh_skills: ZhSkills) -> list[Profession]:
    """The templates, after checking every skill they name is a form in scripts/skills_zh.txt."""
    text = "\n".join(
        x for x in PROFESSIONS_ZH.read_text(encoding="utf-8").splitlines() if not x.startswith("#")
    )
    professions = [_parse_profession(block) for block in text.split("@") if block.strip()]
    unknown = {s for p in professions for s in (*p.skills, *p.bonus, *p.certs) if s not in zh_skills.by_form}
    if unknown:
        raise ValueError(f"skills not in {SKILLS_ZH.name}: {sorted(unknown)}")
    return professions


CITIES_ZH = {
    "北京": ("海淀区", "朝阳区", "西城区"),
    "上海": ("浦东新区", "徐汇区", "闵行区"),
    "深圳": ("南山区", "福田区", "宝安区"),
    "杭州": ("西湖区", "滨江区", "余杭区"),
    "广州": ("天河区", "海珠区", "番禺区"),
    "成都": ("高新区", "武侯区"),
    "南京": ("鼓楼区", "江宁区"),
    "武汉": ("洪山区", "江夏区"),
    "西安": ("雁塔区", "高新区"),
    "苏州": ("工业园区",),
    "重庆": ("渝北区",),
    "天津": ("滨海新区",),
    "长沙": ("岳麓区",),
    "厦门": ("思明区",),
    "合肥": ("蜀山区",),
    "郑州": ("金水区",),
    "青岛": ("崂山区",),
}
CITY_NAMES_ZH = tuple(CITIES_ZH)
CITY_CUMULATIVE_ZH = tuple(itertools.accumulate((14, 14, 12, 10, 10, 7, 5, 5, 4, 4, 3, 3, 2, 2, 2, 2, 1)))
BRAND_CHARS = "星辰云帆华智远航科创新锐达蓝海腾跃启明汇众恒通博睿金鼎思源卓越聚力天成嘉禾优品百川融信"
TAGS_ZH = ("五险一金", "带薪年假", "弹性工作", "周末双休", "年终奖", "股票期权", "餐补", "交通补助")
TAGS_ZH += ("定期体检", "免费班车", "节日福利", "包吃住", "远程", "员工旅游", "绩效奖金")
HEADINGS_ZH = (("岗位职责：", "工作职责：", "职位描述："), ("任职要求：", "任职资格：", "岗位要求："))
HEADINGS_ZH += (("加分项：", "优先条件：", "以下条件优先："),)
SKILL_LINES_ZH = {  # by how many skills the line names
    1: ("熟悉{0}", "掌握{0}", "具备{0}相关经验", "有{0}方面的实践经验"),
    2: (
        "熟悉{0}、{1}，有实际工作经验",
        "掌握{0}和{1}",
        "具备{0}相关知识，了解{1}",
        "对{0}有深入理解，熟悉{1}",
    ),
    3: ("熟悉{0}、{1}、{2}", "掌握{0}、{1}、{2}中的至少一项", "具备{0}、{1}和{2}方面的经验"),
}
DEGREE_NEIGHBOURS = {"大专": ("中专", "本科"), "本科": ("大专", "硕士"), "硕士": ("本科", "博士")}
BONUS_LINES_ZH = ("有{a}经验者优先", "熟悉{a}者优先", "了解{a}、{b}者优先", "有{a}相关项目经验者优先考虑")
SOFT_ZH = ("沟通能力", "学习能力", "责任心", "执行力", "抗压能力", "逻辑思维", "协调能力", "组织能力")
SOFT_LINES_ZH = (
    "具备良好的{a}和团队协作精神",
    "{a}强，具备良好的{b}",
    "工作积极主动，{a}和{b}强",
    "细心、有耐心，{a}强",
    "具备良好的{a}和{b}，能承受一定的工作压力",
)
INTRO_ZH = "{company}成立于{year}年，现有员工{staff}余人。因业务发展需要，现诚聘{title}。"
CERT_LINES_ZH = ("持有{0}", "具有{0}", "须持有{0}", "已取得{0}")
_CHOICE = re.compile(r"\{s:([^}]*)\}")


@dataclass(frozen=True)
class ZhTemplates:
    """The profession templates and the dictionary's Chinese forms they draw skills from."""

    professions: list[Profession]
    skills: ZhSkills

    @classmethod
    def load(cls) -> ZhTemplates:
        skills = ZhSkills.load()
        return cls(load_professions(skills), skills)


def draw_salary(
    rng: random.Random, low_k: int, high_k: int, none_share: float
) -> tuple[int | None, int | None]:
    """A monthly salary range in yuan drawn from `low_k`–`high_k` thousand, or none (面议) at `none_share`."""
    if rng.random() < none_share:
        return None, None
    low = rng.randint(low_k, max(low_k, high_k * 2 // 3))
    return low * 1000, int(low * rng.choice((1.3, 1.5, 1.6, 2.0))) * 1000


def _skill_lines(rng: random.Random, skills: list[str]) -> list[str]:
    lines, start = [], 0
    while start < len(skills):
        group = skills[start : start + rng.randint(1, 3)]
        lines.append(rng.choice(SKILL_LINES_ZH[len(group)]).format(*group))
        start += len(group)
    return lines


def _requirements_zh(rng: random.Random, profession: Profession, skills: list[str]) -> list[str]:
    degree = profession.degree if rng.random() < 0.75 else rng.choice(DEGREE_NEIGHBOURS[profession.degree])
    majors = "、".join(rng.sample(profession.majors, min(2, len(profession.majors))))
    years = rng.randint(*profession.years)
    education = rng.choice(("{d}及以上学历，{m}等相关专业", "统招{d}及以上学历", "{m}相关专业，{d}以上学历"))
    experience = (
        f"{years}年以上{profession.field_name}相关工作经验"
        if years
        else rng.choice(("经验不限，优秀应届毕业生亦可", "欢迎优秀应届毕业生"))
    )
    a, b = rng.sample(SOFT_ZH, 2)
    has_cert = profession.certs and rng.random() < 0.6
    certs = [rng.choice(CERT_LINES_ZH).format(rng.choice(profession.certs))] if has_cert else []
    return [
        education.format(d=degree, m=majors),
        experience,
        *certs,
        *_skill_lines(rng, skills),
        rng.choice(SOFT_LINES_ZH).format(a=a, b=b),
    ]


def _company_zh(rng: random.Random, profession: Profession, city: str) -> str:
    kind = rng.choice(profession.company_kinds)
    brand = "".join(rng.sample(BRAND_CHARS, 2))
    if "{" in kind:
        return kind.format(c=city, b=brand, n=rng.randint(1, 9))
    suffix = rng.choice(("有限公司", "有限公司", "股份有限公司", "集团有限公司"))
    prefix = f"{city}市" if rng.random() < 0.5 else ""
    return f"{prefix}{brand}{kind}{suffix}"


def _skills_zh(rng: random.Random, profession: Profession, zh_skills: ZhSkills) -> list[str]:
    """3–7 core skills and 0–2 from the profession's dictionary categories, as the posting writes them."""
    skills = rng.sample(profession.skills, rng.randint(3, 7))
    extra = zh_skills.by_category[rng.choice(profession.categories)]
    skills += [forms[0] for forms in rng.sample(extra, rng.randint(0, 2))]
    return [zh_skills.written(rng, s) for s in dict.fromkeys(skills)]


def _duty(rng: random.Random, template: str, city: str) -> str:
    return _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template).replace("{c}", city)


def _sections_zh(rng: random.Random, profession: Profession, skills: list[str], city: str) -> list[str]:
    bonus = rng.sample(profession.bonus, 4)
    sections = (
        [_duty(rng, d, city) for d in rng.sample(profession.duties, rng.randint(3, 6))],
        _requirements_zh(rng, profession, skills),
        [rng.choice(BONUS_LINES_ZH).format(a=a, b=b) for a, b in (bonus[:2], bonus[2:])][: rng.randint(0, 2)],
    )
    lines = []
    for headings, items in zip(HEADINGS_ZH, sections, strict=True):
        if items:
            lines += [rng.choice(headings), *(f"{n}. {item}；" for n, item in enumerate(items, 1))]
    return lines


def chinese_posting(rng: random.Random, templates: ZhTemplates, number: int) -> dict[str, Any]:
    """One Chinese posting from a profession template with randomly drawn wording, skills and numbers."""
    profession = rng.choice(templates.professions)
    city = rng.choices(CITY_NAMES_ZH, cum_weights=CITY_CUMULATIVE_ZH)[0]
    title, company = rng.choice(profession.titles), _company_zh(rng, profession, city)
    tags = ["全职", *rng.sample(TAGS_ZH, rng.randint(1, 4))]
    lines = _sections_zh(rng, profession, _skills_zh(rng, profession, templates.skills), city)
    if rng.random() < 0.4:
        staff = rng.choice((50, 100, 200, 500, 1000, 3000))
        year = rng.randint(1995, 2022)
        lines.insert(0, INTRO_ZH.format(company=company, year=year, staff=staff, title=title))
    if rng.random() < 0.5:
        lines.append(f"福利待遇：{'、'.join(tags[1:])}。")
    salary_min, salary_max = draw_salary(rng, *profession.salary_k, none_share=0.1)
    return {
        "id": f"bench-{number:06d}",
        "title": title,
        "company": company,
        "location": f"{city}·{rng.choice(CITIES_ZH[city])}" if rng.random() < 0.5 else city,
        "description": "\n".join(lines),
        "tags": tags,
        "salary_min": salary_min,
        "salary_max": salary_max,
        "language": "zh",
    }
