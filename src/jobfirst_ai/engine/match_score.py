"""How well a resume fits a posting: a deterministic weighted score and an engine-written explanation.

The parts, weights and formulas are documented in docs/matching.md; keep the two in step.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from jobfirst_ai.engine.skills import SkillDictionary
from jobfirst_ai.engine.summary import DEGREE_RANK
from jobfirst_ai.engine.types import (
    CandidateProfile,
    DegreeLevel,
    ExperienceEntry,
    Findings,
    JobFit,
    Language,
    PartName,
    PartScore,
    PostingFacts,
)

__all__ = [
    "WEIGHTS",
    "candidate_from_findings",
    "explain_fit",
    "score_match",
    "title_similarity",
    "title_tokens",
]

# Points of each part: (without a semantic similarity, with one); each column sums to 100. Required
# skills carry the most: they are what a recruiter screens on first. With a semantic similarity (an
# embedding model's), it takes 10 of the lexical text part's 15 points: it sees synonyms and reads across
# Chinese and English, which word overlap cannot.
WEIGHTS: Final[dict[PartName, tuple[int, int]]] = {
    "required_skills": (40, 40),
    "preferred_skills": (10, 10),
    "experience": (15, 15),
    "education": (10, 10),
    "title": (10, 10),
    "text": (15, 5),
    "semantic": (0, 10),
}
_SIMILARITY_PARTS: Final = frozenset({"text", "semantic"})
# Credit for a degree 0, 1, 2… levels below the one asked.
_EDUCATION_CREDIT: Final = (1.0, 0.5)

# Job-title words that mean the same role in either language; seniority words are left out of titles.
_ROLES: Final[dict[str, tuple[str, ...]]] = {
    "engineer": (
        "工程师",
        "开发",
        "研发",
        "程序员",
        "engineer",
        "developer",
        "programmer",
        "dev",
        "swe",
        "sde",
    ),
    "manager": ("经理", "manager", "mgr"),
    "supervisor": ("主管", "supervisor"),
    "director": ("总监", "director"),
    "backend": ("后端", "后台", "backend", "back-end"),
    "frontend": ("前端", "frontend", "front-end"),
    "fullstack": ("全栈", "fullstack", "full-stack"),
    "test": ("测试", "test", "tester", "qa"),
    "data": ("数据", "data"),
    "algorithm": ("算法", "algorithm", "algorithms"),
    "product": ("产品", "product"),
    "design": ("设计", "设计师", "design", "designer"),
    "operations": ("运营", "operations"),
    "sales": ("销售", "sales"),
    "marketing": ("市场", "营销", "marketing"),
    "nurse": ("护士", "护师", "护理", "nurse", "nursing"),
    "teacher": ("教师", "老师", "teacher", "tutor", "instructor"),
    "accountant": ("会计", "accountant", "accounting"),
    "analyst": ("分析师", "分析", "analyst", "analysis"),
    "architect": ("架构师", "架构", "architect"),
    "consultant": ("顾问", "consultant"),
    "assistant": ("助理", "assistant"),
    "doctor": ("医生", "医师", "doctor", "physician"),
    "hr": ("人事", "人力资源", "hr", "recruiter", "招聘"),
}
_SENIORITY: Final = ("高级", "资深", "初级", "中级", "senior", "sr", "junior", "jr", "mid", "level")
_CONCEPT: Final[dict[str, str | None]] = {
    form: concept for concept, forms in _ROLES.items() for form in forms
} | dict.fromkeys(_SENIORITY)
_ZH_WORD = re.compile("|".join(sorted((form for form in _CONCEPT if not form.isascii()), key=len)[::-1]))
_LATIN_WORD = re.compile(r"[a-z0-9][a-z0-9+#]*(?:-[a-z0-9+#]+)*")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
_STOP_WORDS: Final = frozenset({"and", "of", "the", "for", "in", "at", "to", "a", "an", "with", "or"})


@dataclass(frozen=True, slots=True)
class _Match:
    """One scoring's inputs, with the skill comparison done once."""

    candidate: CandidateProfile
    posting: PostingFacts
    text_similarity: float
    semantic_similarity: float
    required: list[str]
    preferred: list[str]
    matched: frozenset[str]  # case-folded posting skills the candidate has


def candidate_from_findings(findings: Findings) -> CandidateProfile:
    """The resume side of a match: skills, years (as stated, else as dated), highest degree, titles."""
    levels = [entry.level for entry in findings.education if entry.level is not None]
    recent_first = sorted(findings.experience, key=_recency, reverse=True)
    return CandidateProfile(
        language=findings.language,
        skills=list(dict.fromkeys(match.name for match in findings.skills)),
        years=findings.stated_years if findings.stated_years is not None else findings.total_years,
        education_level=max(levels, key=DEGREE_RANK.__getitem__) if levels else None,
        titles=_unique([entry.title for entry in recent_first if entry.title]),
    )


def _recency(entry: ExperienceEntry) -> tuple[bool, str, str]:
    return entry.is_current, entry.end or entry.start or "", entry.start or ""


def score_match(
    candidate: CandidateProfile,
    posting: PostingFacts,
    *,
    text_similarity: float,
    semantic_similarity: float | None = None,
) -> JobFit:
    """The fit of `candidate` to `posting`, 0–100; the same inputs always give the same fit.

    `text_similarity` (the lexical index's cosine) and `semantic_similarity` are in [0, 1]; without the
    latter the semantic part is left out and its points go to the text part (see `WEIGHTS`).
    """
    required = _unique(posting.required_skills)
    preferred = _unique([name for name in posting.preferred_skills if name.casefold() not in _keys(required)])
    have = _keys(candidate.skills)
    matched = frozenset(key for key in _keys(required + preferred) if key in have)
    inputs = _Match(
        candidate, posting, text_similarity, semantic_similarity or 0.0, required, preferred, matched
    )
    column = 0 if semantic_similarity is None else 1
    parts = _parts({name: WEIGHTS[name][column] for name in WEIGHTS if WEIGHTS[name][column]}, inputs)
    total = round(sum(part.score for part in parts), 2)
    return JobFit(
        score=min(100, max(0, math.floor(total + 0.5))),
        parts=parts,
        matched_skills=[name for name in required + preferred if name.casefold() in matched],
        missing_required=[name for name in required if name.casefold() not in matched],
        missing_preferred=[name for name in preferred if name.casefold() not in matched],
    )


def _parts(points: dict[PartName, int], inputs: _Match) -> list[PartScore]:
    """Each part's points earned. A part the posting asks nothing for earns nothing and keeps no points:
    they move to the similarity parts (in proportion to theirs), so a posting that states less is judged
    more by how alike the texts are, never given points for free."""
    rated = {name: _RATERS[name](inputs) for name in points}
    unasked = [name for name, (fraction, _) in rated.items() if fraction is None]
    similar = [name for name in points if name in _SIMILARITY_PARTS]
    moved = sum(points[name] for name in unasked)
    base = sum(points[name] for name in similar)
    maxima = {name: 0.0 if name in unasked else float(points[name]) for name in points}
    for name in similar:
        maxima[name] = round(points[name] + moved * points[name] / base, 2)
    parts = []
    for name, (fraction, detail) in rated.items():
        score = round(maxima[name] * (fraction or 0.0), 2)
        parts.append(PartScore(name=name, score=score, max_score=maxima[name], detail=detail))
    return parts


def _unique(names: Sequence[str]) -> list[str]:
    """Each name once, ignoring case, where it first occurs."""
    kept: dict[str, str] = {}
    for name in names:
        kept.setdefault(name.casefold(), name)
    return list(kept.values())


def _keys(names: Sequence[str]) -> set[str]:
    return {name.casefold() for name in names}


def _coverage(asked: Sequence[str], matched: frozenset[str], kind: str) -> tuple[float | None, str]:
    """Share of the asked skills the candidate has (None: none asked)."""
    if not asked:
        return None, f"no {kind} skills asked"
    count = sum(1 for name in asked if name.casefold() in matched)
    return count / len(asked), f"{count} of {len(asked)} {kind} skills"


def _rate_experience(inputs: _Match) -> tuple[float | None, str]:
    asked, years = inputs.posting.years_min, max(inputs.candidate.years, 0.0)
    if not asked:
        return None, "no years of experience asked"
    return min(1.0, years / asked), f"{years:g} of {asked:g} years asked"


def _rate_education(inputs: _Match) -> tuple[float | None, str]:
    asked, level = inputs.posting.education_level, inputs.candidate.education_level
    if asked is None:
        return None, "no education level asked"
    if level is None:
        return 0.0, f"no degree found, {asked} asked"
    short = max(DEGREE_RANK[asked] - DEGREE_RANK[level], 0)
    credit = _EDUCATION_CREDIT[short] if short < len(_EDUCATION_CREDIT) else 0.0
    return credit, f"{level} for {asked} asked"


def _rate_title(inputs: _Match) -> tuple[float | None, str]:
    title, titles = inputs.posting.title, inputs.candidate.titles
    if not title_tokens(title):
        return None, "no posting title to compare"
    if not titles:
        return 0.0, "no job titles found"
    # A tie goes to the more recent title (titles come most recent first).
    similarity, _, best = max(
        (title_similarity(title, held), -index, held) for index, held in enumerate(titles)
    )
    return similarity, f"title similarity {similarity:.2f} with '{best}'"


def _rate_similarity(value: float, kind: str) -> tuple[float | None, str]:
    value = min(1.0, max(0.0, value))
    return value, f"{kind} similarity {value:.2f}"


_RATERS: Final[dict[PartName, Callable[[_Match], tuple[float | None, str]]]] = {
    "required_skills": lambda inputs: _coverage(inputs.required, inputs.matched, "required"),
    "preferred_skills": lambda inputs: _coverage(inputs.preferred, inputs.matched, "preferred"),
    "experience": _rate_experience,
    "education": _rate_education,
    "title": _rate_title,
    "text": lambda inputs: _rate_similarity(inputs.text_similarity, "text"),
    "semantic": lambda inputs: _rate_similarity(inputs.semantic_similarity, "semantic"),
}


@functools.lru_cache(maxsize=4096)  # a match compares the resume's titles with ~100 postings' titles
def title_tokens(title: str) -> frozenset[str]:
    """Comparable pieces of a job title: English words and Chinese character pairs, role words mapped
    to one concept across languages ('开发' and 'developer' → 'engineer'), seniority words dropped."""
    folded = title.casefold()
    tokens = {_CONCEPT.get(word, word) for word in _LATIN_WORD.findall(folded) if word not in _STOP_WORDS}
    for run in _HAN_RUN.findall(folded):
        tokens.update(_CONCEPT[word] for word in _ZH_WORD.findall(run))
        for rest in _ZH_WORD.split(run):
            tokens.update(rest[i : i + 2] for i in range(len(rest) - 1))
    tokens.discard(None)
    return frozenset(token for token in tokens if token)


def title_similarity(first: str, second: str) -> float:
    """Dice overlap of the two titles' tokens, 0–1: 'Java后端开发工程师' and 'Backend Engineer' share two."""
    one, two = title_tokens(first), title_tokens(second)
    if not one or not two:
        return 0.0
    return 2 * len(one & two) / (len(one) + len(two))


_PHRASES: Final[dict[Language, dict[str, str]]] = {
    "zh": {
        "score": "匹配度 {score}/100：{strengths}。",
        "skills": "具备岗位所列的 {value}",
        "years": "满足 {value} 年经验的要求",
        "education": "学历满足{value}要求",
        "little": "简历与该岗位列出的要求重合较少",
        "gaps": "差距：{gaps}。",
        "missing_required": "缺少必备技能 {value}",
        "missing_preferred": "加分技能 {value} 未体现",
        "years_short": "工作年限少于要求的 {value} 年",
        "education_short": "学历低于要求的{value}",
        "no_gaps": "岗位列出的要求均已覆盖。",
        "fix_required": "建议补充 {value} 相关的项目经验和可量化成果；"
        "如确实用过，请在技能和项目描述中明确写出。",
        "fix_preferred": "如有 {value} 经验，可补充到简历中以增加竞争力。",
        "fix_years": "请写清每段工作的起止时间，并注明与该岗位相关的工作年限。",
        "fix_education": "如有在读学位、进修经历或相关证书，请在教育经历中写明。",
        "fix_none": "投递时可把与岗位最相关的成果放在简历前面。",
        "separator": "，",
        "gap_separator": "；",
        "sentence_separator": "",
        "list": "、",
        "last": "、",
        "more": " 等 {total} 项",
    },
    "en": {
        "score": "Match {score}/100: {strengths}.",
        "skills": "you show {value} from the posting",
        "years": "you meet the {value} years of experience asked",
        "education": "your degree meets the {value} asked",
        "little": "the resume shows little of what this posting lists",
        "gaps": "Gaps: {gaps}.",
        "missing_required": "missing required {value}",
        "missing_preferred": "preferred {value} not shown",
        "years_short": "fewer years than the {value} asked",
        "education_short": "a degree below the {value} asked",
        "no_gaps": "Nothing the posting lists is missing.",
        "fix_required": "Add evidence of your work with {value} (a project, task or result) and name it in"
        " your skills and project descriptions.",
        "fix_preferred": "If you have worked with {value}, add it to stand out.",
        "fix_years": "Give the dates of each job and state your years of relevant experience.",
        "fix_education": "List any degree in progress, further study or relevant certificate"
        " in your education section.",
        "fix_none": "Lead your resume with the results most relevant to this role.",
        "separator": ", ",
        "gap_separator": "; ",
        "sentence_separator": " ",
        "list": ", ",
        "last": " and ",
        "more": " and {rest} more",
    },
}
_DEGREE_NAMES: Final[dict[Language, dict[DegreeLevel, str]]] = {
    "zh": {
        **{"high_school": "高中", "associate": "大专", "bachelor": "本科", "master": "硕士"},
        **{"mba": "MBA", "phd": "博士", "other": "相关学历"},
    },
    "en": {
        **{"high_school": "high school diploma", "associate": "associate degree", "bachelor": "bachelor's"},
        **{"master": "master's", "mba": "MBA", "phd": "PhD", "other": "diploma"},
    },
}
_LISTED = 4


def explain_fit(
    fit: JobFit, posting: PostingFacts, language: Language, *, dictionary: SkillDictionary | None = None
) -> str:
    """Why the resume fits, what it misses (required first) and what to do about it, in three sentences.

    Only skills and numbers from `fit` and `posting` are named; with `dictionary`, skills get their
    Chinese names in a Chinese explanation.
    """
    explainer = _Explainer(
        phrases=_PHRASES[language],
        language=language,
        dictionary=dictionary,
        is_met={part.name: part.score >= part.max_score for part in fit.parts},
        years=f"{posting.years_min:g}" if posting.years_min else None,
        level=_DEGREE_NAMES[language][posting.education_level] if posting.education_level else None,
    )
    return explainer.explain(fit)


@dataclass(frozen=True, slots=True)
class _Explainer:
    """One explanation's wording: the language's phrases and what the posting asked."""

    phrases: dict[str, str]
    language: Language
    dictionary: SkillDictionary | None
    is_met: dict[PartName, bool]
    years: str | None
    level: str | None

    def explain(self, fit: JobFit) -> str:
        phrases, separator = self.phrases, self.phrases["separator"]
        strengths, gaps = self.strengths(fit), self.gaps(fit)
        sentences = (
            phrases["score"].format(
                score=fit.score, strengths=separator.join(strengths) or phrases["little"]
            ),
            phrases["gaps"].format(gaps=phrases["gap_separator"].join(gaps)) if gaps else phrases["no_gaps"],
            self.advice(fit),
        )
        return phrases["sentence_separator"].join(sentences)

    def strengths(self, fit: JobFit) -> list[str]:
        found = [("skills", self.names(fit.matched_skills))] if fit.matched_skills else []
        found += [("years", self.years)] if self.years and self.is_met.get("experience") else []
        found += [("education", self.level)] if self.level and self.is_met.get("education") else []
        return [self.phrases[key].format(value=value) for key, value in found]

    def gaps(self, fit: JobFit) -> list[str]:
        found = [("missing_required", self.names(fit.missing_required))] if fit.missing_required else []
        found += [("missing_preferred", self.names(fit.missing_preferred))] if fit.missing_preferred else []
        found += [("years_short", self.years)] if self.years and not self.is_met.get("experience") else []
        found += [("education_short", self.level)] if self.level and not self.is_met.get("education") else []
        return [self.phrases[key].format(value=value) for key, value in found]

    def advice(self, fit: JobFit) -> str:
        """The one next step for the largest gap: required skills, then preferred, years, degree."""
        if fit.missing_required:
            return self.phrases["fix_required"].format(value=self.names(fit.missing_required[:2]))
        if fit.missing_preferred:
            return self.phrases["fix_preferred"].format(value=self.names(fit.missing_preferred[:2]))
        steps: tuple[tuple[PartName, str], ...] = (
            ("experience", "fix_years"),
            ("education", "fix_education"),
        )
        for part, key in steps:
            if not self.is_met.get(part, True):
                return self.phrases[key]
        return self.phrases["fix_none"]

    def names(self, skills: Sequence[str]) -> str:
        dictionary = self.dictionary
        shown = [dictionary.display_name(name, self.language) if dictionary else name for name in skills]
        if len(shown) > _LISTED:
            more = self.phrases["more"].format(total=len(shown), rest=len(shown) - _LISTED)
            return self.phrases["list"].join(shown[:_LISTED]) + more
        if len(shown) > 1:
            return self.phrases["list"].join(shown[:-1]) + self.phrases["last"] + shown[-1]
        return "".join(shown)
