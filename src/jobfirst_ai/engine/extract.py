"""Turns an uploaded resume (PDF, DOCX, TXT, Markdown) into plain text, or a bilingual, user-safe error."""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from jobfirst_ai.engine.types import Frozen
from jobfirst_ai.errors import JobFirstError, UnreadableDocument, UnsupportedFileType

if TYPE_CHECKING:
    from pypdf import PdfReader

__all__ = ["ExtractedText", "extract_text"]

DocumentFormat = Literal["pdf", "docx", "txt", "markdown"]
PlainFormat = Literal["txt", "markdown"]

# Fewer letters / Han characters than this means "no text" (page numbers or a stray header don't count).
MIN_MEANINGFUL_CHARS = 20
# A zip that would inflate past this is refused before python-docx reads it (zip-bomb guard).
_MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
# Text with more NUL bytes (before decoding; UTF-16/32 need a BOM) or unprintable characters (after)
# than this share, and more than a few strays, is binary junk rather than a resume.
_MAX_NUL_SHARE = 0.01
_MAX_JUNK_SHARE = 0.02
_STRAY_CHARS = 8
# GB18030 decodes many byte strings; trust it only when nearly every non-ASCII character is common Chinese.
_MIN_GB2312_SHARE = 0.9

_MESSAGES = {
    "unsupported_file_type": "不支持的文件类型，请上传 PDF、DOCX、TXT 或 Markdown 文件 / "
    "Unsupported file type: please upload a PDF, DOCX, TXT or Markdown file",
    "legacy_office": "暂不支持旧版 Word（.doc）等 Office 文件，请在 Word 中另存为 DOCX 或 PDF 后再上传 / "
    "Old Word (.doc) and other legacy Office files are not supported: "
    "please save it as DOCX or PDF and upload it",
    "not_text": "无法识别文件内容，它似乎不是文本文件，请上传 PDF、DOCX、TXT 或 Markdown 文件 / "
    "This file does not look like text: please upload a PDF, DOCX, TXT or Markdown file",
    "empty_document": "文件中没有可读取的文字，请检查后重新上传 / "
    "The file contains no readable text: please check it and upload again",
    "scanned_document": "这份 PDF 似乎是扫描件或图片，无法读取文字，请上传含文字的 PDF 或 DOCX / "
    "This PDF looks scanned (images only), so its text cannot be read: "
    "please upload a PDF with selectable text, or a DOCX",
    "encrypted_document": "文件设置了密码，无法读取，请取消密码保护后重新上传 / "
    "The file is password-protected: please remove the password and upload it again",
    "corrupt_document": "文件已损坏或格式不正确，无法打开，请重新导出后上传 / "
    "The file is damaged or not a valid document: please export it again and upload the new file",
}

# OLE2 container: legacy .doc/.xls/.ppt, and also any password-protected DOCX.
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_REFUSED_SIGNATURES = (
    *(b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"II*\x00", b"MM\x00*", b"RIFF"),  # PNG JPEG GIF TIFF WebP
    *(b"{\\rtf", b"Rar!", b"7z\xbc\xaf\x27\x1c", b"\x1f\x8b", b"\x7fELF"),  # RTF, archives, Linux binary
)

_TEXT_SUFFIXES: dict[str, PlainFormat] = {".txt": "txt", ".md": "markdown", ".markdown": "markdown"}
_DOCUMENT_SUFFIXES = {".pdf", ".docx"}
_DOCUMENT_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
_MARKDOWN_TYPES = {"text/markdown", "text/x-markdown"}
# Extensions of files we cannot read; any other suffix ("张伟.简历", "resume.v2") is sniffed as text.
_REFUSED_SUFFIXES = {
    *(".doc", ".dot", ".wps", ".rtf", ".odt", ".pages", ".xls", ".xlsx", ".et", ".ppt", ".pptx", ".key"),
    *(".htm", ".html", ".mht", ".xml", ".zip", ".rar", ".7z", ".gz", ".exe", ".apk"),
    *(".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".heic", ".mp3", ".mp4", ".mov"),
}

# BOM → codec; UTF-32 LE must be tried before UTF-16 LE, whose BOM is its prefix.
_BOMS: dict[bytes, str] = {
    codecs.BOM_UTF32_LE: "utf-32-le",
    codecs.BOM_UTF32_BE: "utf-32-be",
    codecs.BOM_UTF8: "utf-8-sig",
    codecs.BOM_UTF16_LE: "utf-16-le",
    codecs.BOM_UTF16_BE: "utf-16-be",
}

_LINE_BREAKS = re.compile(r"\r\n|[\r\v\f\x85\u2028\u2029]")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufeff]")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)
_EXTRA_BLANK_LINES = re.compile(r"\n{3,}")
_SPACE_RUNS = re.compile(r"[ \t]{2,}")
_JUNK_CATEGORIES = {"Cc", "Co", "Cn", "Cs"}


class ExtractedText(Frozen):
    """Plain text taken from an upload, and what it was read from."""

    text: str = Field(description="Normalised text: '\\n' line ends, no control characters, no NFKC")
    format: DocumentFormat
    pages: int | None = Field(default=None, description="PDF page count; None for other formats")
    encoding: str | None = Field(default=None, description="Detected encoding of a text file")


def extract_text(
    data: bytes, *, filename: str | None = None, content_type: str | None = None
) -> ExtractedText:
    """Reads a resume upload; raises UnsupportedFileType (415) or UnreadableDocument (422) with a
    message a job seeker can act on. The bytes decide the type; the name and type only label text."""
    if b"%PDF-" in data[:1024]:
        return _extract_pdf(data)
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _extract_docx(data)
    if data.startswith(_OLE2):
        raise _legacy_office_error(data)
    if data.startswith(_REFUSED_SIGNATURES):
        raise _unsupported()
    return _extract_plain(data, _plain_format(filename, content_type))


def _unreadable(code: str) -> UnreadableDocument:
    """An UnreadableDocument carrying the bilingual message for `code`."""
    return UnreadableDocument(_MESSAGES[code], code=code)


def _unsupported(reason: str = "unsupported_file_type") -> UnsupportedFileType:
    """An UnsupportedFileType with the bilingual message for `reason`."""
    return UnsupportedFileType(_MESSAGES[reason])


def _legacy_office_error(data: bytes) -> JobFirstError:
    """An encrypted DOCX (an OLE2 file with an EncryptionInfo stream) or an old Office file."""
    if "EncryptionInfo".encode("utf-16-le") in data:
        return _unreadable("encrypted_document")
    return _unsupported("legacy_office")


def _plain_format(filename: str | None, content_type: str | None) -> PlainFormat:
    """Whether bytes that are neither PDF nor DOCX should be read as text or Markdown, or refused."""
    suffix = PurePath(filename).suffix.lower() if filename else ""
    mime = (content_type or "").split(";")[0].strip().lower()
    if suffix in _TEXT_SUFFIXES:
        return _TEXT_SUFFIXES[suffix]
    if suffix in _DOCUMENT_SUFFIXES or (not suffix and mime in _DOCUMENT_TYPES):
        raise _unreadable("corrupt_document")
    if suffix in _REFUSED_SUFFIXES:
        raise _unsupported("legacy_office" if suffix in {".doc", ".dot", ".wps"} else "unsupported_file_type")
    if mime in _MARKDOWN_TYPES:
        return "markdown"
    if mime.startswith(("image/", "audio/", "video/")):
        raise _unsupported()
    return "txt"


def _normalise(text: str) -> str:
    """'\\n' line ends, no NUL/control characters, no trailing spaces or runs of blank lines."""
    text = _CONTROL_CHARS.sub("", _LINE_BREAKS.sub("\n", text))
    return _EXTRA_BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("", text)).strip()


def _extract_plain(data: bytes, text_format: PlainFormat) -> ExtractedText:
    """Decodes a text or Markdown file and checks that it is text with something in it."""
    try:
        text, encoding = _decode(data)
    except UnicodeDecodeError as error:  # bytes that contradict their BOM
        raise _unsupported("not_text") from error
    if _junk_count(text) > max(_STRAY_CHARS, len(text) * _MAX_JUNK_SHARE):
        raise _unsupported("not_text")
    text = _normalise(text)
    if not text:
        raise _unreadable("empty_document")
    return ExtractedText(text=text, format=text_format, encoding=encoding)


def _decode(data: bytes) -> tuple[str, str]:
    """BOM, then strict UTF-8, then GB18030 if it reads as Chinese, then charset-normalizer's guess."""
    for bom, codec in _BOMS.items():
        if data.startswith(bom):
            return data[len(bom) :].decode(codec), codec
    if data.count(0) > max(_STRAY_CHARS, len(data) * _MAX_NUL_SHARE):
        raise _unsupported("not_text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("gb18030", errors="replace")
    if "\ufffd" not in text and _looks_chinese(text):
        return text, "gb18030"
    return _guess_encoding(data)


def _looks_chinese(text: str) -> bool:
    """Nearly all non-ASCII characters are common simplified Chinese (GB2312, two bytes each), so the
    bytes were not Big5 or Latin-1 that merely happen to be valid GB18030."""
    wide = "".join(char for char in text if ord(char) > 0x7F)
    common = len(wide.encode("gb2312", errors="ignore")) // 2
    return bool(wide) and common >= len(wide) * _MIN_GB2312_SHARE


def _guess_encoding(data: bytes) -> tuple[str, str]:
    """charset-normalizer's best guess, imported only when the cheap checks fail."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise _unsupported("not_text")
    return str(best), best.encoding


def _junk_count(text: str) -> int:
    """Characters no text file contains: U+FFFD, and controls, private-use, unassigned or surrogate
    code points other than whitespace."""
    return sum(
        1
        for char in text
        if char == "\ufffd" or (not char.isspace() and unicodedata.category(char) in _JUNK_CATEGORIES)
    )


def _extract_pdf(data: bytes) -> ExtractedText:
    """Text of every page, pages joined by a newline. Plain extraction mode keeps one line per
    printed line; runs of spaces (justified text) are collapsed to one."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        _unlock(reader)
        page_texts = [page.extract_text() or "" for page in reader.pages]
    except UnreadableDocument:
        raise
    except Exception as error:  # pypdf raises many types on broken files (PdfReadError, KeyError, ...)
        raise _unreadable("corrupt_document") from error
    if not page_texts:
        raise _unreadable("corrupt_document")
    text = _SPACE_RUNS.sub(" ", _normalise("\n".join(page_texts)))
    if sum(char.isalpha() for char in text) < MIN_MEANINGFUL_CHARS:  # letters and Han characters
        raise _unreadable("scanned_document" if _has_images(reader) else "empty_document")
    return ExtractedText(text=text, format="pdf", pages=len(page_texts))


def _unlock(reader: PdfReader) -> None:
    """Opens a PDF that only has an owner password; one that needs a user password is refused."""
    if not reader.is_encrypted:
        return
    try:
        is_open = bool(reader.decrypt(""))
    except Exception as error:  # e.g. an algorithm pypdf cannot run without an optional dependency
        raise _unreadable("encrypted_document") from error
    if not is_open:
        raise _unreadable("encrypted_document")


def _has_images(reader: PdfReader) -> bool:
    """Whether any page draws a raster image (XObject, also inside forms, or inline)."""
    try:
        return any(len(page.images) > 0 for page in reader.pages)
    except Exception:  # a broken image dictionary says nothing about text; call it empty
        return False


def _extract_docx(data: bytes) -> ExtractedText:
    """Paragraphs and tables of the body in document order; list items keep a '• ' marker."""
    _check_docx_zip(data)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        text = _normalise("\n".join(_block_lines(document)))
    except Exception as error:  # python-docx and lxml raise many types on damaged parts
        raise _unreadable("corrupt_document") from error
    if not text:
        raise _unreadable("empty_document")
    return ExtractedText(text=text, format="docx")


def _check_docx_zip(data: bytes) -> None:
    """Refuses zips that are not Word documents, damaged ones, and ones that would inflate too far."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        # A truncated zip has no central directory; its local headers still name the Word parts.
        raise (_unreadable("corrupt_document") if b"word/" in data else _unsupported()) from error
    if "word/document.xml" not in {entry.filename for entry in entries}:
        raise _unsupported()
    if sum(entry.file_size for entry in entries) > _MAX_UNZIPPED_BYTES:
        raise _unreadable("corrupt_document")


def _block_lines(container: Any) -> Iterator[str]:
    """Lines of a python-docx body or table cell, paragraphs and tables interleaved as in the file."""
    for block in container.iter_inner_content():
        if hasattr(block, "rows"):
            yield from _table_lines(block)
        else:
            yield _paragraph_line(block)


def _paragraph_line(paragraph: Any) -> str:
    """A paragraph's text, with '• ' in front when Word shows it as a list item."""
    text: str = paragraph.text
    return f"• {text}" if text.strip() and _is_list_item(paragraph) else text


def _is_list_item(paragraph: Any) -> bool:
    """Numbering set on the paragraph itself or by its style ('List Bullet', 'List Number')."""
    properties = paragraph._p.pPr
    if properties is not None and properties.numPr is not None:
        return True
    style = paragraph.style
    style_properties = style.element.pPr if style is not None else None
    return style_properties is not None and style_properties.numPr is not None


def _table_lines(table: Any) -> Iterator[str]:
    """A row of one-line cells becomes one line ('手机 | 138…'); cells holding blocks of text (a
    two-column layout) are read one after another. Merged cells are read once."""
    seen: set[Any] = set()
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell._tc not in seen:
                seen.add(cell._tc)
                cells.append("\n".join(_block_lines(cell)).strip())
        if all("\n" not in cell for cell in cells):
            yield " | ".join(cell for cell in cells if cell)
        else:
            yield from cells
