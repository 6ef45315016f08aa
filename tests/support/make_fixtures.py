"""Regenerates the binary resume fixtures in tests/fixtures/ from the Markdown resumes beside them.

Run `.venv/bin/python tests/support/make_fixtures.py`. Generating needs a CJK TrueType font
(`apt-get install fonts-wqy-microhei` or `fonts-noto-cjk`); the outputs are committed, so tests do not.
The output is deterministic (fixed dates, fixed zip timestamps, seeded noise) to keep diffs quiet.
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from fpdf import FPDF
from fpdf.enums import WrapMode
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXED_DATE = datetime(2024, 1, 15, 9, 30, tzinfo=UTC)
CJK_FONTS = [
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
]
ENCRYPTED_PASSWORD = "jobfirst-secret"
# A name character outside GBK (CJK Extension A): only GB18030 can encode it, so that fixture differs.
GB18030_EXTRA = "\n注：推荐人 刘䶮（联系方式可应要求提供）\n"
ENCRYPTED_TEXT = (
    "Emily Carter - Senior Data Engineer\nSeattle, WA - emily.carter@example.com\n\n"
    "Summary\nData engineer with 7+ years of experience building pipelines and services.\n"
)
SEPARATORS = ("｜", "|", "·")


@dataclass(frozen=True)
class Block:
    """One line of a Markdown resume: kind is h1, h2, h3, bullet or text."""

    kind: str
    text: str


def parse_markdown(source: str) -> list[Block]:
    """Reads the small Markdown subset the fixtures use (headings, bullets, bold, plain lines)."""
    blocks = []
    for raw in source.splitlines():
        line = raw.strip().replace("**", "")
        if not line:
            continue
        marker, _, rest = line.partition(" ")
        kinds = {"#": "h1", "##": "h2", "###": "h3", "-": "bullet"}
        if marker in kinds:
            blocks.append(Block(kinds[marker], rest))
        else:
            blocks.append(Block("text", line))
    return blocks


def find_cjk_font() -> Path:
    """The first CJK font installed, or exit with the package to install."""
    for path in CJK_FONTS:
        if path.exists():
            return path
    sys.exit("No CJK font found: apt-get install -y fonts-wqy-microhei (or fonts-noto-cjk)")


def render_pdf(blocks: list[Block], font: Path, *, is_cjk: bool) -> bytes:
    """Lays the resume out on A4 pages with a real, subset-embedded text layer."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_font("Resume", "", str(font))
    pdf.add_page()
    wrap = WrapMode.CHAR if is_cjk else WrapMode.WORD
    styles = {"h1": (20, 11), "h2": (14, 9), "h3": (11.5, 7), "bullet": (10.5, 6.2), "text": (10.5, 6.2)}
    for block in blocks:
        size, height = styles[block.kind]
        pdf.set_font("Resume", size=size)
        if block.kind == "h2":
            pdf.ln(3)
        text = f"• {block.text}" if block.kind == "bullet" else block.text
        indent = 4 if block.kind == "bullet" else 0
        pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(0, height, text, wrapmode=wrap, new_x="LMARGIN", new_y="NEXT")
        if block.kind == "h2":
            pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
            pdf.ln(1.5)
    return bytes(pdf.output())


def split_header(blocks: list[Block]) -> tuple[list[Block], list[Block]]:
    """The contact lines between the name and the first heading, and everything from that heading on."""
    first = next(index for index, block in enumerate(blocks) if index > 0 and block.kind != "text")
    return blocks[1:first], blocks[first:]


def contact_cells(contact: list[Block]) -> list[str]:
    """The contact lines split into single items."""
    cells: list[str] = []
    for block in contact:
        parts = [block.text]
        for separator in SEPARATORS:
            parts = [piece.strip() for part in parts for piece in part.split(separator)]
        cells.extend(part for part in parts if part)
    return cells


def add_contact_table(document: DocxDocument, cells: list[str]) -> None:
    """Puts the contact block in a two-column table, the way many resume templates do."""
    rows = (len(cells) + 1) // 2
    table = document.add_table(rows=rows, cols=2)
    for index, text in enumerate(cells):
        table.cell(index // 2, index % 2).text = text


def render_docx(blocks: list[Block]) -> bytes:
    """Builds a Word resume: Title and Heading styles, a contact table, List Bullet paragraphs."""
    document = docx.Document()
    document.core_properties.created = FIXED_DATE
    document.core_properties.modified = FIXED_DATE
    document.core_properties.author = "JobFirst fixtures"
    document.add_heading(blocks[0].text, level=0)
    contact, body = split_header(blocks)
    add_contact_table(document, contact_cells(contact))
    for block in body:
        if block.kind in ("h2", "h3"):
            document.add_heading(block.text, level=int(block.kind[1]) - 1)
        elif block.kind == "bullet":
            document.add_paragraph(block.text, style="List Bullet")
        else:
            document.add_paragraph(block.text)
    buffer = io.BytesIO()
    document.save(buffer)
    return fixed_zip_times(buffer.getvalue())


def fixed_zip_times(data: bytes) -> bytes:
    """Rewrites a zip with one fixed timestamp so regenerated DOCX files are byte-identical."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def render_scanned_pdf(lines: list[str], font: Path) -> bytes:
    """An image-only page: the resume drawn into a grey raster, as a phone scan would be."""
    image = Image.new("L", (620, 877), color=250)
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(str(font), 15)
    noise = random.Random(7)
    for row, line in enumerate(lines[:38]):
        draw.text((40, 40 + row * 21), line[:36], fill=30 + noise.randint(0, 40), font=face)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=40)
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_page()
    pdf.image(buffer, x=0, y=0, w=pdf.w, h=pdf.h)
    return bytes(pdf.output())


def render_plain_pdf(text: str) -> bytes:
    """A one-page PDF in a core font; the base of the encrypted fixture."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def encrypt_pdf(data: bytes) -> bytes:
    """The same PDF behind a user password (AES-128), so it cannot be opened without it."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(
        user_password=ENCRYPTED_PASSWORD, owner_password="owner-" + ENCRYPTED_PASSWORD, algorithm="AES-128"
    )
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def corrupt_pdf(data: bytes) -> bytes:
    """A PDF header and the start of a real file, then seeded garbage: no xref, no trailer."""
    return data[:700] + random.Random(11).randbytes(1500)


def render_empty_pdf() -> bytes:
    """One blank page: no text, no images."""
    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_page()
    return bytes(pdf.output())


def main() -> None:
    """Writes every binary fixture and prints the sizes."""
    font = find_cjk_font()
    zh_source = (FIXTURES / "resume_zh_software.md").read_text(encoding="utf-8")
    en_source = (FIXTURES / "resume_en_software.md").read_text(encoding="utf-8")
    zh_blocks, en_blocks = parse_markdown(zh_source), parse_markdown(en_source)
    en_pdf = render_pdf(en_blocks, font, is_cjk=False)
    outputs = {
        "resume_zh.pdf": render_pdf(zh_blocks, font, is_cjk=True),
        "resume_en.pdf": en_pdf,
        "resume_zh.docx": render_docx(zh_blocks),
        "resume_en.docx": render_docx(en_blocks),
        "scanned.pdf": render_scanned_pdf([block.text for block in zh_blocks], font),
        "encrypted.pdf": encrypt_pdf(render_plain_pdf(ENCRYPTED_TEXT)),
        "corrupt.pdf": corrupt_pdf(en_pdf),
        "empty.pdf": render_empty_pdf(),
        "resume_zh_gbk.txt": zh_source.encode("gbk"),
        "resume_zh_utf16.txt": b"\xff\xfe" + zh_source.encode("utf-16-le"),
        "resume_zh_gb18030.txt": (zh_source + GB18030_EXTRA).encode("gb18030"),
    }
    for name, data in outputs.items():
        (FIXTURES / name).write_bytes(data)
        print(f"{name:24} {len(data):>8,} bytes")


if __name__ == "__main__":
    main()
