"""Bulk import of job postings from JSON Lines or CSV: every row validated, each rejection with its reason.

Rows are read as a stream; a rejected row is reported with its number and never stops the others. The
accepted rows are stored in one transaction (`JobCatalog.import_rows`), so an import is never half done.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from jobfirst_ai.errors import UnsupportedFileType, ValidationFailed
from jobfirst_ai.features.matching.schemas import JobIn, RejectedRow

ImportFormat = Literal["jsonl", "csv"]

_LIST_FIELDS = ("required_skills", "preferred_skills", "tags")
# A CSV cell holding a list separates its items with any of these.
_LIST_SEPARATORS = str.maketrans({"|": ";", "、": ";", "；": ";"})
_MAX_REASON = 300


@dataclass(frozen=True)
class ParsedRow:
    """One row of an import: a valid posting, or why it was rejected."""

    number: int
    job: JobIn | None
    rejected: RejectedRow | None


def import_format(filename: str | None, content_type: str | None = None) -> ImportFormat:
    """JSON Lines or CSV, from the file's name or declared type."""
    name = (filename or "").lower()
    kind = (content_type or "").split(";")[0].strip().lower()
    if name.endswith((".jsonl", ".ndjson", ".json")) or kind in ("application/x-ndjson", "application/jsonl"):
        return "jsonl"
    if name.endswith(".csv") or kind == "text/csv":
        return "csv"
    raise UnsupportedFileType(
        "请上传 JSON Lines（.jsonl）或 CSV 文件 / Upload a JSON Lines (.jsonl) or CSV file.",
        code="unsupported_import_format",
    )


def decode_lines(data: bytes) -> list[str]:
    """The lines of an uploaded UTF-8 file (BOM dropped); anything else is refused rather than guessed."""
    try:
        return data.decode("utf-8-sig").splitlines(keepends=True)
    except UnicodeDecodeError:
        raise ValidationFailed(
            "导入文件需为 UTF-8 编码 / An import file must be UTF-8.", code="bad_encoding"
        ) from None


def parse_rows(lines: Iterable[str], kind: ImportFormat) -> Iterator[ParsedRow]:
    """Validated rows with their numbers, read lazily (an open file streams); duplicate ids are rejected."""
    first_row: dict[str, int] = {}
    raw_rows = _jsonl_rows(lines) if kind == "jsonl" else _csv_rows(lines)
    for number, raw in raw_rows:
        parsed = _validate(number, raw)
        job_id = parsed.job.id if parsed.job else None
        if job_id is not None and job_id in first_row:
            reason = f"duplicate id (first at row {first_row[job_id]})"
            yield ParsedRow(number, None, RejectedRow(row=number, id=job_id, reason=reason))
            continue
        if job_id is not None:
            first_row[job_id] = number
        yield parsed


def _jsonl_rows(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, f"not valid JSON: {error.msg} at column {error.colno}"
            continue
        yield number, value if isinstance(value, dict) else "a row must be a JSON object"


def _csv_rows(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(lines)
    if not reader.fieldnames or "title" not in reader.fieldnames:
        raise ValidationFailed(
            "CSV 第一行需为列名，且包含 title / The CSV header must name the columns, title included."
        )
    for number, row in enumerate(reader, start=1):
        if None in row:
            yield number, "more cells than columns"
            continue
        yield number, _from_cells(row)


def _from_cells(row: dict[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, raw in row.items():
        cell = (raw or "").strip()
        if not cell:
            continue
        if name in _LIST_FIELDS:
            values[name] = [item for item in cell.translate(_LIST_SEPARATORS).split(";") if item.strip()]
        else:
            values[name] = cell
    return values


def _validate(number: int, raw: dict[str, Any] | str) -> ParsedRow:
    if isinstance(raw, str):
        return ParsedRow(number, None, RejectedRow(row=number, reason=raw))
    job_id = raw.get("id")
    if isinstance(job_id, int):
        raw = {**raw, "id": str(job_id)}
    try:
        return ParsedRow(number, JobIn.model_validate(raw), None)
    except ValidationError as error:
        reason = "; ".join(_describe(item) for item in error.errors())[:_MAX_REASON]
        shown_id = raw.get("id") if isinstance(raw.get("id"), str) else None
        return ParsedRow(number, None, RejectedRow(row=number, id=shown_id, reason=reason))


def _describe(item: Any) -> str:
    where = ".".join(str(part) for part in item.get("loc", ())) or "row"
    return f"{where}: {item.get('msg', 'invalid')}"
