"""Splitting a resume into sections by its headings ('教育经历', '【工作经历】', 'WORK EXPERIENCE:')."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from jobfirst_ai.engine.types import Section, SectionKind

__all__ = ["HEADINGS", "Line", "heading_kind", "is_flat", "iter_lines", "split_sections"]

# Each heading as people write it; matching ignores case, spacing, decorations and a trailing colon.
HEADINGS: dict[SectionKind, tuple[str, ...]] = {
    "contact": (
        *("个人信息", "基本信息", "联系方式", "个人资料", "联系信息", "个人概况"),
        *("Contact", "Contact Information", "Contact Info", "Contact Details", "Personal Information"),
        *("Personal Details", "Personal Info", "Personal Data", "Personal Dossier", "Personal Particulars"),
    ),
    "objective": (
        *("求职意向", "求职目标", "期望职位", "应聘职位", "职业目标"),
        *("Objective", "Career Objective", "Job Objective", "Professional Objective", "Career Goal"),
    ),
    "summary": (
        *("个人简介", "自我评价", "个人优势", "个人总结", "自我介绍", "个人评价", "自我描述", "个人介绍"),
        *("Summary", "Professional Summary", "Profile", "Professional Profile", "About Me", "About"),
        *("Career Summary", "Executive Summary", "Overview", "Career Profile", "Personal Statement"),
        *("Summary of Qualifications", "Professional Overview", "Career Overview", "Personal Profile"),
        *("Synopsis", "Qualifications Profile", "Highlights"),
    ),
    "education": (
        *("教育经历", "教育背景", "学历", "教育", "学习经历", "教育信息", "学历背景", "教育情况"),
        *("Education", "Academic Background", "Educational Background", "Academic Qualifications"),
        *("Academic Qualification", "Educational Qualifications", "Educational Qualification"),
        *("Education and Training", "Academics", "Academic Details", "Education Details"),
        *("Academic Profile", "Qualifications", "Educational Details", "Academic Credentials"),
    ),
    "experience": (
        *("工作经历", "工作经验", "实习经历", "职业经历", "实习经验", "工作履历", "从业经历", "任职经历"),
        *("Experience", "Work Experience", "Professional Experience", "Employment History"),
        *("Employment", "Work History", "Career History", "Relevant Experience", "Internships"),
        *("Internship", "Internship Experience", "Career Experience", "Employment Experience"),
        *("Professional Background", "Career Experience/Job History", "Job History", "Experience Summary"),
        *("Experiences", "Positions", "Positions Held", "Current Position", "Academic Career"),
        *("Professional History", "Employment Record", "Career"),
    ),
    "projects": (
        *("项目经验", "项目经历", "项目", "主要项目", "项目介绍", "参与项目"),
        *("Projects", "Project Experience", "Key Projects", "Academic Projects", "Project Details"),
        *("Personal Projects", "Selected Projects", "Project Work", "Projects Undertaken"),
        *("Academic Project",),
    ),
    "skills": (
        *("专业技能", "技能特长", "技能", "专业能力", "技能专长", "个人技能", "技术技能", "技能清单"),
        *("IT技能", "技术栈", "职业技能", "Skills", "Technical Skills", "Core Competencies", "Skill Set"),
        *("Key Skills", "Competencies", "Technical Expertise", "Technical Proficiency", "Expertise"),
        *("Areas of Expertise", "Professional Skills", "Skills & Abilities", "Technical Skill Set"),
        *("Key Technical Skills", "Technical Skill", "Computer Skills", "IT Skills", "Skills Summary"),
        *("Key Strengths", "Technical Summary", "Competencies and Skills", "Tools and Technologies"),
    ),
    "certifications": (
        *("证书", "资格证书", "技能证书", "职业资格", "证书资质", "资质证书", "培训经历"),
        *("Certifications", "Certificates", "Licenses", "Certifications/Licenses", "Certification"),
        *("Licenses & Certifications", "Certifications & Licenses", "Courses and Certifications"),
        *("Training & Certifications", "Trainings", "Workshop/Certification", "Professional Certifications"),
    ),
    "awards": (
        *("获奖情况", "荣誉奖项", "获奖经历", "荣誉", "所获荣誉", "奖项", "荣誉证书", "获奖", "教学成果"),
        *("Awards", "Honors", "Honours", "Awards and Honors", "Honors and Awards", "Achievements"),
        *("Awards and Recognitions", "Accomplishments", "Awards & Achievements", "Recognition"),
    ),
    "languages": (
        *("语言能力", "外语能力", "语言", "外语水平", "语言技能"),
        *("Languages", "Language Skills", "Language", "Languages Known"),
    ),
    "publications": (
        *("论文", "发表论文", "科研成果", "学术成果", "论文发表"),
        *("Publications", "Papers", "Research", "Research Papers"),
    ),
    "interests": (
        *("兴趣爱好", "爱好", "业余爱好", "个人爱好", "兴趣"),
        *("Interests", "Hobbies", "Hobbies and Interests", "Interests & Hobbies", "Areas of Interest"),
        *("Research Interests", "Research Interest"),
    ),
    "other": (
        *("其他", "附加信息", "其他信息", "校园经历", "社会实践", "在校经历", "社团经历", "志愿者经历"),
        *("Additional Information", "Other Information", "References", "Declaration", "Activities"),
        *("Volunteer Experience", "Volunteering", "Extracurricular Activities", "Links"),
    ),
}
# Words that also label a line inside a section ('学历：本科' in 基本信息, 'Languages: Java, C' under
# skills, 'Experience: 5 years'): a heading only when alone on its line.
_ALONE_ONLY = frozenset(
    {"学历", "语言", "教育", "项目", "兴趣", "languages", "language", "experience", "research", "about"}
)
# Keywords for headings the table does not hold ('RELEVANT WORK EXPERIENCE', 'Technical Skills Summary').
_KEYWORDS: dict[str, SectionKind] = {
    **dict.fromkeys(("experience", "experiences", "employment", "internship", "internships"), "experience"),
    **dict.fromkeys(("positions",), "experience"),
    **dict.fromkeys(("education", "academic", "academics", "qualification", "qualifications"), "education"),
    **dict.fromkeys(("skills", "competencies", "expertise", "proficiency"), "skills"),
    **dict.fromkeys(("projects",), "projects"),
    **dict.fromkeys(("certifications", "certificates", "licenses", "licences"), "certifications"),
    **dict.fromkeys(("awards", "honors", "honours", "achievements"), "awards"),
    **dict.fromkeys(("summary", "profile"), "summary"),
    **dict.fromkeys(("objective",), "objective"),
    **dict.fromkeys(("publications",), "publications"),
    **dict.fromkeys(("interests", "hobbies"), "interests"),
}
_CONNECTORS = frozenset({"and", "of", "&", "/"})


_HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")


def _key(heading: str) -> str:
    lowered = " ".join(heading.replace("&amp;", "&").lower().split())
    return lowered.replace(" ", "") if _HAN_CHAR.search(lowered) else lowered


_LOOKUP: dict[str, SectionKind] = {
    _key(variant): kind for kind, variants in HEADINGS.items() for variant in variants
}
_ZH_SUFFIXES = sorted((key for key in _LOOKUP if len(key) >= 4 and not key.isascii()), key=len, reverse=True)

_ZH_JOINER = re.compile(r"[与和及、/&]")
_ZH_MODIFIERS = frozenset(
    {"主要", "个人", "相关", "核心", "校内", "校园", "全职", "部分", "其他", "近期", "重点"}
)
_MAX_HEADING_CHARS = 40
_MAX_UPPER_WORDS = 5
_MAX_TITLED_WORDS = 3
_MAX_ZH_FALLBACK_CHARS = 10
_BULLET = re.compile(r"[•·\-*–○◦➢❖✓✔→>+]|\d+\s*[)）]?\s*$")
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|\d{1,2}\s*[.、．)）](?!\d)|[(（][一二三四五六七八九十\d]{1,2}[)）])"
)
_DECORATION = re.compile(r"[#*_=~|\"'“”｜【】\[\]〔〕「」『』<>《》■□◆◇▶►▪●★☆▌◎※—–\-:：\s]+")
_PARENTHESISED = re.compile(r"[(（][^)）]{0,12}[)）]$")
_INLINE = re.compile(r"^(?P<head>[^:：]{1,20})[:：]\s*\S")
_HAN_ONLY = re.compile(r"[\u4e00-\u9fff与和及、/&]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*|&|/")
_ENDS_WITH_COLON = re.compile(r"[:：]\W*$")
_FLAT_CHARS_PER_NEWLINE = 200
_LINE_BREAK = re.compile(r"\n")
_FLAT_BREAK = re.compile(r"\n|[ \t]{2,}")


class Line(NamedTuple):
    """One logical line: where it starts and ends in the text (end-exclusive, newline excluded)."""

    start: int
    end: int
    text: str


def is_flat(text: str) -> bool:
    """Whether `text` was pasted flat: line breaks turned into runs of spaces (few newlines for its size)."""
    return text.count("\n") * _FLAT_CHARS_PER_NEWLINE < len(text)


def iter_lines(
    text: str, start: int = 0, end: int | None = None, *, flat: bool | None = None
) -> Iterator[Line]:
    """Non-blank lines of `text[start:end]`; flat-pasted text (spaces for newlines) splits on space runs."""
    stop = len(text) if end is None else end
    breaks = _FLAT_BREAK if (is_flat(text) if flat is None else flat) else _LINE_BREAK
    position = start
    for found in breaks.finditer(text, start, stop):
        if text[position : found.start()].strip():
            yield Line(position, found.start(), text[position : found.start()])
        position = found.end()
    if text[position:stop].strip():
        yield Line(position, stop, text[position:stop])


def _clean(raw: str) -> str:
    stripped = _NUMBERING.sub("", raw.strip())
    return _PARENTHESISED.sub("", _DECORATION.sub(" ", stripped).strip()).strip()


def _by_zh_parts(compact: str) -> SectionKind | None:
    """'证书与荣誉' (first of joined headings), '工作及实习经历', '主要项目经历' (modifier + heading)."""
    first = _ZH_JOINER.split(compact)[0]
    if first != compact and first in _LOOKUP:
        return _LOOKUP[first]
    for suffix in _ZH_SUFFIXES:
        prefix = compact.removesuffix(suffix)
        if prefix != compact and (prefix in _ZH_MODIFIERS or _ZH_JOINER.search(prefix[-1:])):
            return _LOOKUP[suffix]
    return None


def _by_keyword(cleaned: str) -> SectionKind | None:
    """'RELEVANT WORK EXPERIENCE', 'Technical Skills Summary', '工作及实习经历', '证书与荣誉'."""
    compact = cleaned.replace(" ", "")
    if _HAN_ONLY.fullmatch(compact):
        return _by_zh_parts(compact) if len(compact) <= _MAX_ZH_FALLBACK_CHARS else None
    words = [word.lower() for word in _WORD.findall(cleaned)]
    if not words or len("".join(words)) < len(compact) - 2 or cleaned.endswith("."):
        return None
    if cleaned.isupper() and len(words) <= _MAX_UPPER_WORDS:
        # 'SKILLS & ABILITIES', 'RELEVANT WORK EXPERIENCE': the last word names it, else the first.
        return _KEYWORDS.get(words[-1]) or _KEYWORDS.get(words[0])
    is_titled = all(word[0].isupper() or word.lower() in _CONNECTORS for word in _WORD.findall(cleaned))
    if not is_titled or len(words) > _MAX_TITLED_WORDS:
        return None
    # 'Teaching Experience', not 'Education Administrator' or 'Kentucky Department of Education'.
    return _KEYWORDS.get(words[-1])


def _heading_of(raw: str) -> tuple[SectionKind, str] | None:
    """(kind, heading as written) when `raw` is a heading line, alone or followed by ':' and content."""
    stripped = raw.strip()
    if not stripped or _BULLET.match(stripped):
        return None
    inline = _INLINE.match(stripped)
    if inline and (head := _clean(inline["head"])) and _key(head) not in _ALONE_ONLY:
        kind = _LOOKUP.get(_key(head))
        if kind is not None:
            return kind, head
    if len(stripped) > _MAX_HEADING_CHARS or (inline and not _ENDS_WITH_COLON.search(stripped)):
        return None
    cleaned = _clean(stripped)
    kind = _LOOKUP.get(_key(cleaned)) or _by_keyword(cleaned)
    return (kind, cleaned) if kind else None


def heading_kind(line: str) -> SectionKind | None:
    """The section kind `line` opens, if it is a heading."""
    found = _heading_of(line)
    return found[0] if found else None


def split_sections(text: str) -> list[Section]:
    """Contiguous sections covering `text`; the block before the first heading is `contact`."""
    sections: list[Section] = []
    kind: SectionKind = "contact"
    heading = ""
    start = 0
    for line in iter_lines(text):
        found = _heading_of(line.text)
        if found is None:
            continue
        # A blank top block is not a section of its own: the first heading's section takes it.
        if sections or text[: line.start].strip():
            sections.append(Section(kind=kind, heading=heading, start=start, end=line.start))
            start = line.start
        kind, heading = found
    if text:
        sections.append(Section(kind=kind, heading=heading, start=start, end=len(text)))
    return sections
