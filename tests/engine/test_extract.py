"""Text extraction from PDF, DOCX, TXT and Markdown uploads, and the errors a job seeker sees."""

from __future__ import annotations

import base64
import io
import random
import re
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from pypdf import PdfReader, PdfWriter

from jobfirst_ai.engine.extract import ExtractedText, extract_text
from jobfirst_ai.errors import JobFirstError, UnreadableDocument, UnsupportedFileType

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
OLE2_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)

ZH_HEADINGS = ["张伟", "求职意向", "个人信息", "教育经历", "工作经历", "项目经验", "专业技能", "自我评价"]
EN_HEADINGS = ["Emily Carter", "Summary", "Experience", "Projects", "Education", "Skills", "Certifications"]
ZH_KEY_LINES = [
    "13800138000",
    "zhangwei.dev@example.com",
    "硕士 ｜ 2013.09 - 2016.06",
    "技术负责人 ｜ 2019.03-至今",
    "支撑日活 50 万的电商平台大促峰值",
    "服务器成本降低 30%",
    "• 负责日常需求开发和线上问题处理",
    "2016年7月 – 2019年2月",
    "2015/07 - 2016/06",
    "运维与工具：Docker、k8s、Linux、Git、Jenkins、Maven",
]
EN_KEY_LINES = [
    "emily.carter@example.com",
    "Mar 2019 – Present",
    "cutting infrastructure cost by 38% ($210K per year)",
    "• Responsible for maintaining ETL jobs",
    "06/2016 - 02/2019",
    "2014 - 2016",
    "M.S. in Computer Science",
    "B.Sc. in Mathematics",
    "AWS Certified Data Analytics – Specialty (2021)",
]
RESUMES = {
    "zh": (ZH_HEADINGS, ZH_KEY_LINES),
    "en": (EN_HEADINGS, EN_KEY_LINES),
}


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def extract_fixture(name: str) -> ExtractedText:
    return extract_text(read(name), filename=name)


def squeeze(text: str) -> str:
    """Whitespace removed, so a phrase a PDF wrapped over two lines is still found."""
    return re.sub(r"\s+", "", text)


def assert_in_order(text: str, phrases: list[str]) -> None:
    haystack, position = squeeze(text), -1
    for phrase in phrases:
        found = haystack.find(squeeze(phrase), position + 1)
        assert found > position, f"{phrase!r} missing or out of order"
        position = found


def assert_heading_lines(text: str, headings: list[str]) -> None:
    lines = [line.strip() for line in text.splitlines()]
    positions = [lines.index(heading) for heading in headings]
    assert positions == sorted(positions)


def save(document: Any) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def raised(data: bytes, **hints: str) -> JobFirstError:
    with pytest.raises(JobFirstError) as caught:
        extract_text(data, **hints)
    return caught.value


@pytest.mark.parametrize("language", ["zh", "en"])
def test_pdf_keeps_headings_on_their_own_lines_in_order(language: str) -> None:
    result = extract_fixture(f"resume_{language}.pdf")
    assert (result.format, result.pages, result.encoding) == ("pdf", 2, None)
    assert_heading_lines(result.text, RESUMES[language][0])


@pytest.mark.parametrize("language", ["zh", "en"])
def test_pdf_keeps_key_lines_in_order(language: str) -> None:
    assert_in_order(extract_fixture(f"resume_{language}.pdf").text, RESUMES[language][1])


def test_pdf_collapses_the_space_runs_of_justified_lines() -> None:
    assert "  " not in extract_fixture("resume_en.pdf").text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_docx_keeps_headings_bullets_and_table_in_order(language: str) -> None:
    result = extract_fixture(f"resume_{language}.docx")
    headings, key_lines = RESUMES[language]
    assert (result.format, result.pages) == ("docx", None)
    assert_heading_lines(result.text, headings)
    assert_in_order(result.text, [headings[0], key_lines[0], headings[1]])  # the contact table
    assert_in_order(result.text, key_lines)


def test_docx_reads_a_row_of_table_cells_as_one_line() -> None:
    lines = extract_fixture("resume_zh.docx").text.splitlines()
    assert "手机：13800138000 | 邮箱：zhangwei.dev@example.com" in lines


def test_docx_reads_merged_cells_once_and_nested_tables() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "工作经历 2019.03-至今"
    table.cell(1, 0).text = "杭州云栈科技"
    inner = table.cell(1, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "Java", "Kafka"
    text = extract_text(save(document)).text
    assert text.count("工作经历 2019.03-至今") == 1
    assert_in_order(text, ["工作经历", "杭州云栈科技", "Java | Kafka"])


def test_docx_without_text_is_empty() -> None:
    error = raised(save(docx.Document()), filename="blank.docx")
    assert (error.code, error.status) == ("empty_document", 422)


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("resume_zh_gbk.txt", "gb18030"),
        ("resume_zh_utf16.txt", "utf-16-le"),
        ("resume_zh_gb18030.txt", "gb18030"),
    ],
)
def test_each_encoding_decodes_to_the_utf8_text(name: str, encoding: str) -> None:
    source = extract_fixture("resume_zh_software.md").text
    result = extract_fixture(name)
    assert (result.format, result.encoding) == ("txt", encoding)
    assert result.text.startswith(source)
    assert result.text[len(source) :].strip() in ("", "注：推荐人 刘䶮（联系方式可应要求提供）")


def test_latin1_text_falls_back_to_charset_detection() -> None:
    source = "José Müller — Résumé\nExperience: café manager for five years in Zürich\n"
    result = extract_text(source.encode("cp1252"), filename="cv.txt")
    assert result.text == source.strip()
    assert result.encoding is not None


def test_markdown_keeps_its_text() -> None:
    source = (FIXTURES / "resume_en_software.md").read_text(encoding="utf-8")
    result = extract_text(source.encode(), filename="resume_en_software.md")
    assert (result.format, result.encoding, result.text) == ("markdown", "utf-8", source.strip())


def test_markdown_content_type_without_a_name() -> None:
    result = extract_text(b"# Jane Doe\n\n## Skills\n", content_type="text/markdown; charset=utf-8")
    assert result.format == "markdown"


@pytest.mark.parametrize(
    "name",
    [
        "resume_zh_nurse.txt",
        "resume_zh_sales.txt",
        "resume_zh_finance.txt",
        "resume_zh_teacher.txt",
        "resume_zh_designer.txt",
        "resume_en_nurse.txt",
        "resume_en_sales.txt",
    ],
)
def test_text_resumes_read_as_utf8(name: str) -> None:
    result = extract_fixture(name)
    assert (result.format, result.encoding) == ("txt", "utf-8")
    assert result.text == (FIXTURES / name).read_text(encoding="utf-8").strip()


def test_text_is_normalised_but_not_nfkc() -> None:
    data = "Name\r\nA\x00B\x07C\rD\ufeff\x0c全角ＡＢＣ１２３  \n\n\n\nEnd".encode()
    assert extract_text(data, filename="a.txt").text == "Name\nABC\nD\n全角ＡＢＣ１２３\n\nEnd"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("scanned.pdf", "scanned_document"),
        ("encrypted.pdf", "encrypted_document"),
        ("corrupt.pdf", "corrupt_document"),
        ("empty.pdf", "empty_document"),
    ],
)
def test_unreadable_pdfs(name: str, code: str) -> None:
    error = raised(read(name), filename=name)
    assert isinstance(error, UnreadableDocument)
    assert (error.code, error.status) == (code, 422)


def test_pdf_with_only_an_owner_password_opens() -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(read("resume_en.pdf"))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert_in_order(extract_text(buffer.getvalue()).text, EN_KEY_LINES[:2])


def test_scanned_message_is_bilingual_and_actionable() -> None:
    message = raised(read("scanned.pdf")).message
    assert "扫描件" in message
    assert "scanned" in message
    assert "Traceback" not in message


def zip_without_word_parts() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photos/readme.txt", "not a resume")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (PNG_1X1, "photo.png"),
        (PNG_1X1, "resume.txt"),
        (OLE2_HEADER, "resume.doc"),
        (b"plain words saved with an old extension", "resume.doc"),
        (zip_without_word_parts(), "resume.zip"),
        (random.Random(3).randbytes(3000), "resume.txt"),
        (bytes(range(1, 32)) * 40, "resume.txt"),
    ],
    ids=["png", "png-named-txt", "doc", "text-named-doc", "zip", "random-named-txt", "controls-named-txt"],
)
def test_unsupported_files_get_415(data: bytes, filename: str) -> None:
    error = raised(data, filename=filename)
    assert isinstance(error, UnsupportedFileType)
    assert error.status == 415


def test_unsupported_message_names_the_accepted_types_in_both_languages() -> None:
    message = raised(PNG_1X1).message
    assert "不支持的文件类型" in message
    assert "Unsupported file type" in message
    assert all(kind in message for kind in ("PDF", "DOCX", "TXT", "Markdown"))


def test_legacy_word_message_asks_for_docx_or_pdf() -> None:
    message = raised(OLE2_HEADER, filename="resume.doc").message
    assert ".doc" in message
    assert "另存为 DOCX" in message


def test_password_protected_docx_is_encrypted() -> None:
    data = OLE2_HEADER + "EncryptionInfo".encode("utf-16-le")
    assert raised(data, filename="resume.docx").code == "encrypted_document"


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (read("resume_zh.docx")[:4000], "resume.docx"),
        (b"<html>Not found</html>", "resume.pdf"),
    ],
    ids=["truncated-docx", "html-named-pdf"],
)
def test_damaged_documents_are_corrupt(data: bytes, filename: str) -> None:
    assert raised(data, filename=filename).code == "corrupt_document"


@pytest.mark.parametrize("data", [b"", b" \r\n\t\n", "\u3000\n".encode()])
def test_blank_text_is_empty(data: bytes) -> None:
    error = raised(data, filename="resume.txt")
    assert (error.code, error.status) == ("empty_document", 422)
