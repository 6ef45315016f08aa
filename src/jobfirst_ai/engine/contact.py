"""Contact details a resume gives: e-mail, phone, name, location and profile links (presence only)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from jobfirst_ai.engine.experience import looks_like_title
from jobfirst_ai.engine.sections import heading_kind, is_flat, iter_lines
from jobfirst_ai.engine.types import ContactInfo, Section

__all__ = ["find_contact"]

# Every pattern here starts only where its first run starts (look-behinds), so none turns quadratic on
# a long run of letters, digits or stars in hostile input.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits and phone punctuation: the exact patterns below run only on these runs.
_DIGIT_RUN = re.compile(r"[+(]?\d[\d\s().-]{6,}\d")
_PHONE = re.compile(
    r"(?<![\w+])(?:\+?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)"  # 中国手机 138 0013 8000
    r"|(?<![\d-])0\d{2,3}-?\d{7,8}(?!\d)"  # 固话 010-12345678
    r"|\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,5}){2,4}(?!\d)"  # +44 131 651 30 77
    r"|(?<![\d-])\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}(?!\d)"  # (206) 555-0147
    r"|(?<![\d-])[6-9]\d{9}(?!\d)"  # Indian mobile
)
_PHONE_LABEL = re.compile(r"(?:电话|手机|联系电话|\b(?i:tel|phone|mobile|cell|ph))\s*[:：.]?\s*$")
_PHONE_LABEL_REACH = 16
_ZH_NAME_LABEL = re.compile(r"姓\s*名\s*[:：]\s*(?P<name>[\u4e00-\u9fff·]{2,5})")
# "\bname", case-insensitive, written so that the search skips to an N at C speed: a pattern that
# opens with \b or (?i:…) is tried at every character.
_EN_NAME_LABEL = re.compile(
    r"[Nn](?<!\w.)[Aa][Mm][Ee]\s*[:：]\s*(?P<name>[A-Z][\w'’.-]+(?: [A-Z][\w'’.-]+){1,3})"
)
# Common surnames, single and double, so that '求职简历' or '软件工程' is not taken for a name.
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
    "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦"
    "戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻"
    "苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练"
)
_DOUBLE_SURNAMES = (
    "欧阳",
    "司马",
    "诸葛",
    "上官",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "令狐",
    "夏侯",
)
_ZH_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
_EN_NAME = re.compile(r"[A-Z][A-Za-z'’.-]*(?: [A-Z][A-Za-z'’.-]*){1,3}")
_NOT_NAMES = re.compile(r"(?i)简历|求职|resume|résumé|curriculum|vitae|\bcv\b|contact|address|\bname\b")
_NAME_SEPARATORS = re.compile(r"\s{2,}|[,，|｜·•/\t]|\s[-–—]\s")
_MARKUP = re.compile(r"^[\s#*>\"'“”]+|(?<![*\"'“”])[*\"'“”]+$")
_NAME_LINES = 3

_ZH_PLACE_LABEL = re.compile(
    r"(?:现居(?:住)?(?:地|城市)?|所在(?:地|城市)|居住地|现住址|家庭住址|通讯地址|地址|所在城市)\s*[:：]\s*\S"
)
_ZH_CITY = re.compile(
    r"(?:北京|上海|广州|深圳|杭州|成都|武汉|南京|西安|重庆|天津|苏州|长沙|郑州|青岛|厦门|合肥|济南|大连"
    r"|沈阳|宁波|福州|昆明|东莞|佛山|无锡|哈尔滨|长春|石家庄|南昌|南宁|贵阳|太原|兰州|海口|香港|澳门|台北)"
    r"|[\u4e00-\u9fff]{2,4}[市省][\u4e00-\u9fff]{0,4}区?"
)
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC"
    "|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
_EN_PLACE = re.compile(
    rf"\b[A-Z][a-z]+(?: [A-Z][a-z]+){{0,2}},? (?:{_US_STATES})\b"
    r"|(?:^|[|·•]\s*)[A-Z][a-z]+(?: [A-Z][a-z]+)?, [A-Z][a-z]+(?: [A-Z][a-z]+)?(?=\s*(?:$|[-|·•,]))"
    r"|\b(?i:address|location|city|residence)\s*[:：]\s*\S"
)
_URL = re.compile(r"[HhWw](?:(?<=[Hh])ttps?://|(?<=[Ww])ww\.)[^\s,;|｜()（）<>\"']+")  # opens with one class
_PROFILE_SITES = (
    *("github.com", "gitee.com", "gitlab.com", "linkedin.com", "stackoverflow.com", "behance.net"),
    *("dribbble.com", "medium.com", "zhihu.com", "juejin.cn", "blog.csdn.net", "indeed.com"),
)
_PROFILE = re.compile(
    rf"(?<![\w./])(?:[a-z]{{2}}\.)?(?:{'|'.join(re.escape(site) for site in _PROFILE_SITES)})"
    r"/[^\s,;|｜()（）<>\"']+",
    re.IGNORECASE,
)
# Each site above ends in one of these and a slash follows; _PROFILE is tried only a few characters before
# one (a site and a country prefix reach 16 characters before it), not at every character (~0.1 ms).
_PROFILE_TLD = re.compile(r"\.(?:[Cc][Oo][Mm]|[Nn][Ee][Tt]|[Cc][Nn])/")
_PROFILE_REACH = 24
_LINK_KEY = re.compile(r"^(?:https?://)?(?:www\.)?|/+$")


def _has_surname(name: str) -> bool:
    return name[0] in _SURNAMES or name.startswith(_DOUBLE_SURNAMES)


def _name_in(line: str) -> str | None:
    """A name opening a top line: '张三', '# 张伟', 'Emily Carter', 'SARAH JOHNSON, RN, BSN'."""
    first = _NAME_SEPARATORS.split(_MARKUP.sub("", line.strip()), maxsplit=1)[0].strip()
    if not first or _NOT_NAMES.search(first) or heading_kind(first) or looks_like_title(first):
        return None
    if _ZH_NAME.fullmatch(first):
        return first if _has_surname(first) else None
    return first if _EN_NAME.fullmatch(first) else None


def _find_name(text: str, top: Iterable[str]) -> str | None:
    if labelled := _ZH_NAME_LABEL.search(text) or _EN_NAME_LABEL.search(text):
        return labelled["name"]
    return next((name for line in top if (name := _name_in(line))), None)


def _links(text: str) -> list[str]:
    """URLs and bare profile addresses ('github.com/x'), once each, in order of appearance."""
    lowered = text.lower()
    found = list(_URL.finditer(text))
    if any(site in lowered for site in _PROFILE_SITES):
        found += _profile_addresses(text)
    links: dict[str, str] = {}
    for match in sorted(found, key=lambda match: match.start()):
        link = match.group().rstrip(".,;:")
        links.setdefault(_LINK_KEY.sub("", link.lower()), link)
    return list(links.values())


def _profile_addresses(text: str) -> list[re.Match[str]]:
    """What `_PROFILE.finditer(text)` finds, trying it only in reach of a site's top-level domain."""
    found: list[re.Match[str]] = []
    position = 0
    for domain in _PROFILE_TLD.finditer(text):
        for start in range(max(position, domain.start() - _PROFILE_REACH), domain.start() + 1):
            if match := _PROFILE.match(text, start):
                found.append(match)
                position = match.end()
                break
    return found


def _has_phone(text: str) -> bool:
    """A number shaped like a phone, or any long number right after a label ('Mobile: 1232456789')."""
    for run in _DIGIT_RUN.finditer(text):
        if _PHONE.search(text, run.start(), run.end()):
            return True
        if _PHONE_LABEL.search(text, max(0, run.start() - _PHONE_LABEL_REACH), run.start()):
            return True
    return False


def _has_location(text: str, contact_text: str, flat: bool) -> bool:
    if _ZH_PLACE_LABEL.search(text):
        return True
    lines = [line.text for line in iter_lines(contact_text, flat=flat)]
    return any(_ZH_CITY.search(line) or _EN_PLACE.search(line) for line in lines)


def find_contact(text: str, sections: Sequence[Section]) -> ContactInfo:
    """Which contact details `text` gives; phone and e-mail as presence only, the name as written."""
    contact = [section for section in sections if section.kind == "contact"] or [
        Section(kind="contact", heading="", start=0, end=len(text))
    ]
    contact_text = "\n".join(text[section.start : section.end] for section in contact)
    flat = is_flat(text)
    top = [line.text for line in iter_lines(text, contact[0].start, contact[0].end, flat=flat)][:_NAME_LINES]
    name = _find_name(text, top if contact[0].start == 0 else [])
    return ContactInfo(
        has_email=_EMAIL.search(text) is not None,
        has_phone=_has_phone(text),
        has_name=name is not None,
        has_location=_has_location(text, contact_text, flat),
        links=_links(text),
        name=name,
    )
