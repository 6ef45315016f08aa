"""Jobs read from the experience section: dates, title and company, and the years they cover."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from datetime import date
from typing import Literal, NamedTuple

from jobfirst_ai.engine.dates import DateRange, find_date_ranges, month_index, months_inclusive
from jobfirst_ai.engine.sections import Line, is_flat, iter_lines
from jobfirst_ai.engine.types import ExperienceEntry, Section

__all__ = ["looks_like_title", "parse_experience", "total_experience_years"]

Role = Literal["title", "company"]
_ROLES: tuple[Role, ...] = ("title", "company")

_ZH_TITLES = (
    *("工程师", "经理", "专员", "主管", "总监", "护士", "护师", "教师", "老师", "设计师", "架构师"),
    *("开发", "程序员", "分析师", "顾问", "助理", "实习生", "会计", "出纳", "销售", "代表", "店长"),
    *("医生", "医师", "研究员", "负责人", "组长", "运营", "编辑", "策划", "文员", "客服", "讲师"),
    *("主任", "专家", "秘书", "翻译", "律师", "审计", "测试", "班主任", "技术员", "总裁", "合伙人"),
)
_EN_TITLES = (
    *("engineer", "manager", "developer", "analyst", "director", "nurse", "consultant", "intern"),
    *("lead", "architect", "designer", "administrator", "specialist", "officer", "executive"),
    *("associate", "assistant", "teacher", "trainee", "coordinator", "technician", "accountant"),
    *("scientist", "programmer", "tester", "president", "head", "supervisor", "representative"),
    *("advisor", "editor", "writer", "lecturer", "professor", "researcher", "instructor"),
    *("attorney", "lawyer", "clerk", "founder", "ceo", "cto", "cfo", "vp", "counselor", "therapist"),
    *("physician", "pharmacist", "agent", "operator", "secretary", "receptionist", "trainer", "sde"),
    *("postdoctoral", "principal", "auditor", "owner", "member", "partner", "chef", "translator"),
)
_ZH_COMPANIES = (
    *("有限公司", "公司", "集团", "科技", "银行", "医院", "学校", "中学", "小学", "幼儿园", "大学"),
    *("学院", "研究院", "研究所", "事务所", "工作室", "中心", "股份", "合伙", "诊所", "工厂", "酒店"),
)
_EN_COMPANIES = (
    *("inc", "ltd", "llc", "llp", "corp", "corporation", "limited", "pvt", "co", "company"),
    *("technologies", "solutions", "systems", "services", "group", "bank", "hospital", "labs"),
    *("software", "infotech", "consulting", "consultancy", "industries", "holdings", "university"),
    *("college", "school", "institute", "agency", "studio", "partners", "associates", "foundation"),
    *("networks", "healthcare", "center", "centre", "clinic", "media", "capital", "global"),
)
_LABELS: dict[str, Role] = {
    **dict.fromkeys(("company", "employer", "organization", "organisation", "client"), "company"),
    **dict.fromkeys(("公司", "单位", "公司名称", "工作单位", "任职单位"), "company"),
    **dict.fromkeys(("designation", "title", "job title", "role", "position"), "title"),
    **dict.fromkeys(("职位", "岗位", "职务", "担任"), "title"),
}


_INTERNSHIP = re.compile(r"实习|见习|\b(?:intern|internship|trainee)\b", re.IGNORECASE)


def _keyword_pattern(chinese: Sequence[str], english: Sequence[str]) -> re.Pattern[str]:
    words = "|".join(sorted(english, key=len, reverse=True))
    return re.compile(rf"{'|'.join(chinese)}|\b(?:{words})\b\.?", re.IGNORECASE)


_TITLE = _keyword_pattern(_ZH_TITLES, _EN_TITLES)
_COMPANY = _keyword_pattern(_ZH_COMPANIES, _EN_COMPANIES)
_STRONG_BREAK = re.compile(r"\s*(?:[|｜•·@\t]|\s{2,}| [-–—]+ | at )\s*")
_COMMA = re.compile(r"[,，]\s*")
# 'Seattle, WA', 'Bangalore Urban, Karnataka': dropped when they trail a line, never taken for a company.
_PLACE = re.compile(r"[A-Z][\w.]+(?: [A-Z][\w.]+){0,2}, ?(?:[A-Z]{2}|[A-Z][a-z]+(?: [A-Z][a-z]+)?)")
# Indeed's export puts the employer on a line of its own: 'Disney -' or 'Infosys -  Pune, Maharashtra -'.
_INDEED_COMPANY = re.compile(r"^(?P<name>[^-–—]+?) -(?:\s+[^-–—]+ -)?$")
_NOT_A_NAME = re.compile(
    r"(?i)^(?:jan(?:uary)?|feb(?:ruary)?|march|april|may|june?|july?|aug(?:ust)?|sept?(?:ember)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)$|(?:19|20)\d\d|https?:|www\."
)
_WORKED_AS = re.compile(
    r"\b(?:[Ww]ork(?:ed|ing)|[Ss]erved|[Jj]oined)\b.{0,20}?\bas (?:an? )?(?P<title>[A-Z][\w./&' -]{2,50}?)"
    r" (?:with|at|in|for) (?P<company>[A-Z][\w.&' -]{1,60}?)(?= from\b| since\b| during\b|[,.;(]|$)"
)
_ZH_COMPANY_THEN_TITLE = re.compile(
    r"(?P<company>(?=\S*[\u4e00-\u9fff])[\u4e00-\u9fff（）()A-Za-z]{2,30}?) (?P<title>\w.*[\u4e00-\u9fff].*)"
)
_ZH_TITLE_MODIFIERS = frozenset(
    {"高级", "资深", "初级", "中级", "首席", "副", "助理", "实习", "兼职", "全职"}
)
_LABEL = re.compile(r"^(?P<label>[^:：]{1,12})\s*[:：]\s*(?P<value>.+)$")
# Bounded or starting only at a run's first character: none turns quadratic on hostile input.
_MARKUP = re.compile(r"^[#*_>:：\s]+|[*_]+|(?<![\s\-–—:：])[\s\-–—:：]+$")
_UNCLOSED = re.compile(r"\s*[(\[（][^()\[\]（）]{0,60}$")
_TRAILING_NOTE = re.compile(r"\s*[(（][^()（）]{0,60}[)）]$")
_BULLET = re.compile(r"^\s*[•·\-*–○◦➢❖✓✔→▪●■◆〓]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"\w")
_MAX_HEADER_CHARS = 100
_MAX_NAME_WORDS = 8
_MAX_ZH_NAME_CHARS = 20
_LOOK_BEFORE = 3
_REACH = 100  # characters beside a date on its line that may name the title or company
_MAX_ENTRIES = 100  # more is no resume; the cap keeps hostile input linear
_LOOK_AFTER = 2


class _Piece(NamedTuple):
    """A candidate for the title or the company, with the role its label or layout gives it."""

    line: int
    text: str
    role: Role | None


def _clean(segment: str) -> str:
    return _UNCLOSED.sub("", _TRAILING_NOTE.sub("", _MARKUP.sub("", segment.strip()))).strip()


def _role_of(segment: str) -> Role | None:
    """Title or company by its keywords; when both occur ('Bank Manager'), the later one names it."""
    if len(segment.split()) > _MAX_NAME_WORDS or segment[:1].islower():
        return None
    titles = [found.end() for found in _TITLE.finditer(segment)]
    companies = [found.end() for found in _COMPANY.finditer(segment)]
    if not titles and not companies:
        return None
    return "title" if max(titles, default=-1) > max(companies, default=-1) else "company"


def looks_like_title(text: str) -> bool:
    """Whether `text` holds a job-title word ('Engineer', '经理'), e.g. to tell a headline from a name."""
    return _TITLE.search(text) is not None


def _is_name_like(segment: str) -> bool:
    """A short name ('Disney', '阿里巴巴'), not a sentence, a label, a month or a number."""
    if not segment or segment.endswith((":", "：", ".", "。")) or _NOT_A_NAME.search(segment):
        return False
    if _HAN.search(segment):
        return len(segment) <= _MAX_ZH_NAME_CHARS and not re.search(r"[，。；;]", segment)
    return segment[0].isupper() and len(segment.split()) <= _MAX_NAME_WORDS


def _is_header_line(line: Line) -> bool:
    text = line.text.strip()
    return len(text) <= _MAX_HEADER_CHARS and not _BULLET.match(text)


def _pieces(index: int, text: str, is_date_line: bool = False) -> list[_Piece]:
    """Candidates on one line: 'Worked as X at Y', 'Company: X', Indeed's 'Disney -  City, ST -', or
    separated parts.

    Other labelled lines ('Environment: Java', 'Team Size: 30') hold neither.
    """
    stripped = text.strip()
    if sentence := _WORKED_AS.search(stripped):
        return [_Piece(index, sentence["title"], "title"), _Piece(index, sentence["company"], "company")]
    labelled = _LABEL.match(stripped)
    if labelled and labelled["label"].strip():
        role = _LABELS.get(labelled["label"].strip().lower())
        return [_Piece(index, _clean(labelled["value"]), role)] if role else []
    if not is_date_line and (indeed := _INDEED_COMPANY.match(stripped)):
        return [_Piece(index, _clean(indeed["name"]), "company")]
    pieces: list[_Piece] = []
    for position, part in enumerate(_STRONG_BREAK.split(stripped)):
        if position and _PLACE.fullmatch(part.strip()):
            continue
        for segment in _COMMA.split(part):
            if cleaned := _clean(segment):
                pieces += _split_zh_header(index, cleaned) or [_Piece(index, cleaned, _role_of(cleaned))]
    return pieces


def _split_zh_header(index: int, segment: str) -> list[_Piece]:
    """'某某科技有限公司 后端工程师' or '网易 Java开发工程师': company, then title, one space apart."""
    found = _ZH_COMPANY_THEN_TITLE.fullmatch(segment)
    if found is None or found["company"] in _ZH_TITLE_MODIFIERS:
        return []
    if _role_of(found["company"]) == "title" or _role_of(found["title"]) != "title":
        return []
    return [_Piece(index, found["company"], "company"), _Piece(index, found["title"], "title")]


def _read_roles(pieces: Sequence[_Piece]) -> tuple[dict[Role, str], list[int]]:
    """Title and company, nearest piece first, and the lines they came from.

    A short name with no keyword beside a found title is taken as the company ('Disney', '阿里巴巴').
    """
    roles: dict[Role, str] = {}
    used: list[int] = []
    for piece in pieces:
        if piece.role is not None and piece.role not in roles:
            roles[piece.role] = piece.text
            used.append(piece.line)
    if "title" in roles and "company" not in roles:
        name = next((piece for piece in pieces if piece.role is None and _is_name_like(piece.text)), None)
        if name is not None:
            roles["company"] = name.text
            used.append(name.line)
    return roles, used


def _candidates(
    lines: Sequence[Line], starts: Sequence[int], at: int, found: DateRange, floor: int
) -> list[_Piece]:
    """The date line without its date, then header-like lines before (down to `floor`) and after it."""
    line = lines[at]
    before, after = found.span.start - line.start, found.span.end - line.start
    same = line.text[max(0, before - _REACH) : before] + "  " + line.text[after : after + _REACH]
    pieces = _pieces(at, same, is_date_line=True)
    # A date inside a bullet belongs to the header above the bullets, not to the bullet before it.
    is_in_bullet = _BULLET.match(line.text) is not None
    for index in range(at - 1, max(floor, at - _LOOK_BEFORE) - 1, -1):
        if (is_in_bullet and _BULLET.match(lines[index].text)) or not _WORD.search(lines[index].text):
            continue
        if not _is_header_line(lines[index]):
            break
        pieces += _pieces(index, lines[index].text)
    after = bisect.bisect_left(starts, found.span.end)
    for index in range(after, min(len(lines), after + _LOOK_AFTER)):
        if not _is_header_line(lines[index]) or find_date_ranges(lines[index].text):
            break
        pieces += _pieces(index, lines[index].text)
    return pieces


def _regions(sections: Sequence[Section], text: str) -> list[Section]:
    experience = [section for section in sections if section.kind == "experience"]
    if experience:
        return experience
    others = [section for section in sections if section.kind != "education"]
    return others if sections else [Section(kind="contact", heading="", start=0, end=len(text))]


def _entries_in(
    text: str, region: tuple[int, int], has_heading: bool, today: date, flat: bool
) -> list[ExperienceEntry]:
    lines = list(iter_lines(text, *region, flat=flat))
    starts = [line.start for line in lines]
    entries: list[ExperienceEntry] = []
    header_ranges: list[tuple[int, int]] = []
    floor = 1 if has_heading else 0
    for found in find_date_ranges(text, today, *region)[:_MAX_ENTRIES]:
        at = max(bisect.bisect_right(starts, found.span.start) - 1, 0)
        roles, used = _read_roles(_candidates(lines, starts, at, found, floor))
        used.append(at)
        floor = at + 1
        end = found.end or f"{today.year}-{today.month:02d}"
        header_ranges.append((min(used), max(used)))
        entries.append(
            ExperienceEntry(
                title=roles.get("title"),
                company=roles.get("company"),
                start=found.start,
                end=found.end,
                is_current=found.is_current,
                months=months_inclusive(found.start, end),
                text=text[lines[min(used)].start : lines[max(used)].end].strip(),
            )
        )
    return _with_bullets(entries, header_ranges, [text[line.start : line.end] for line in lines])


def _with_bullets(
    entries: list[ExperienceEntry], headers: list[tuple[int, int]], lines: list[str]
) -> list[ExperienceEntry]:
    """Give each entry the lines between its header and the next entry's header."""
    bounds = [first for first, _ in headers[1:]] + [len(lines)] if headers else []
    return [
        entry.model_copy(
            update={"bullets": [line.strip() for line in lines[last + 1 : bound] if line.strip()]}
        )
        for entry, (_, last), bound in zip(entries, headers, bounds, strict=True)
    ]


def _is_nested(entry: ExperienceEntry, kept: Sequence[ExperienceEntry]) -> bool:
    """A project dated inside a job already read, with no company of its own."""
    return entry.company is None and any(
        other.company is not None
        and other.start is not None
        and entry.start is not None
        and other.start <= entry.start
        and other.months >= entry.months
        for other in kept
    )


def parse_experience(text: str, sections: Sequence[Section], today: date) -> list[ExperienceEntry]:
    """Jobs and internships from the experience sections, else from dates anywhere but education."""
    kept: list[ExperienceEntry] = []
    flat = is_flat(text)
    for section in _regions(sections, text):
        region = (section.start, section.end)
        for entry in _entries_in(text, region, bool(section.heading), today, flat):
            if len(kept) == _MAX_ENTRIES:
                return kept
            if not _is_nested(entry, kept):
                kept.append(entry)
    return kept


def is_internship(entry: ExperienceEntry) -> bool:
    """Internships and traineeships, which do not count as years of professional experience."""
    return bool(entry.title and _INTERNSHIP.search(entry.title))


def total_experience_years(entries: Sequence[ExperienceEntry]) -> float:
    """Years of professional work covered by the entries, overlapping months counted once (one decimal)."""
    spans = sorted(
        (month_index(entry.start), month_index(entry.start) + entry.months)
        for entry in entries
        if entry.start is not None and entry.months > 0 and not is_internship(entry)
    )
    months = 0
    reach = -1
    for start, end in spans:
        months += max(0, end - max(start, reach))
        reach = max(reach, end)
    return round(months / 12, 1)
