"""Reading CSV files for import, a row at a time, from a binary stream passed in.

Memory does not grow with the file: bytes are read in chunks, decoded incrementally and
split into physical lines that feed `csv.reader`, so a quoted field may span lines.

- Encoding: UTF-16 or UTF-8 with a byte-order mark, else UTF-8 when the first 64 KiB
  decode as UTF-8, else Windows-1252 (a superset of Latin-1, what French Excel writes). A
  file that looked like ASCII and turns out not to be UTF-8 further down switches to
  Windows-1252 there; one that mixes real UTF-8 with other bytes is refused.
- Delimiter: `,`, `;` or tab, whichever the header line holds most of (outside quotes).
- Line numbers are physical lines, 1 being the header; a row is numbered by its first line.

Mapping a row to an item (`read_row`) lives in `transfer/csvmap.py`, re-exported here.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from jalon.errors import Invalid
from jalon.transfer.csvmap import (
    FIELDS,
    JIRA_MAPPING,
    ParsedRow,
    RowError,
    check_mapping,
    default_mapping,
    parse_date,
    read_row,
)

__all__ = [
    "FIELDS",
    "JIRA_MAPPING",
    "Dialect",
    "ParsedRow",
    "RawRow",
    "RowError",
    "check_mapping",
    "default_mapping",
    "open_rows",
    "parse_date",
    "read_row",
    "sniff",
]

SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 64 * 1024
MAX_LINE = 1_000_000  # characters in one physical line
DELIMITERS = (",", ";", "\t")
_EOL = re.compile(r"\r\n?|\n")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Dialect:
    encoding: str  # "utf-8-sig", "utf-16", "utf-8" or "cp1252"
    delimiter: str


class RawRow(dict[str, list[str]]):
    """One record: each column name maps to the values of the columns so named, in order
    (one value, or several for Jira's repeated Labels and Sprint columns)."""

    line: int

    def __init__(self, line: int, cells: Iterable[tuple[str, list[str]]] = ()) -> None:
        super().__init__(cells)
        self.line = line


def _encoding(head: bytes) -> str:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _header_line(text: str) -> str:
    """The first logical line (a quoted header name may hold a newline)."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            return text[:index]
    return text


def _delimiter(line: str) -> str:
    outside = re.sub(r'"[^"]*"', "", line)
    counts = {d: outside.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties go to the first: ","
    return best if counts[best] else ","


def sniff(head: bytes) -> Dialect:
    """The encoding and delimiter of a file, from its first bytes."""
    encoding = _encoding(head)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(head, final=False).lstrip("\ufeff")
    return Dialect(encoding=encoding, delimiter=_delimiter(_header_line(text)))


class _Lines:
    """Physical lines of the decoded stream, line endings kept, for `csv.reader`."""

    def __init__(self, head: bytes, stream: BinaryIO, encoding: str) -> None:
        self.head, self.stream, self.encoding = head, stream, encoding
        self.decoder = codecs.getincrementaldecoder(encoding)()
        self.line = 0  # lines handed out so far
        self.ascii_so_far = True

    def _decode(self, chunk: bytes, final: bool) -> str:
        try:
            text = self.decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            if self.encoding != "utf-8" or not self.ascii_so_far:
                raise Invalid(
                    "Line {line}: the file mixes text encodings; save it again as UTF-8.",
                    field="file",
                    line=self.line + 1,
                ) from None
            self.encoding = "cp1252"  # ASCII so far: nothing decoded differs
            pending = self.decoder.getstate()[0]
            self.decoder = codecs.getincrementaldecoder("cp1252")()
            text = self.decoder.decode(pending + chunk, final=final)
        self.ascii_so_far = self.ascii_so_far and text.isascii()
        return text

    def _chunks(self) -> Iterator[tuple[str, bool]]:
        yield self._decode(self.head, not self.head), not self.head
        while chunk := self.stream.read(CHUNK_BYTES):
            yield self._decode(chunk, False), False
        yield self._decode(b"", True), True

    def __iter__(self) -> Iterator[str]:
        pending = ""
        for text, final in self._chunks():
            pending += text
            start = 0
            for match in _EOL.finditer(pending):
                if match.end() == len(pending) and match.group() == "\r" and not final:
                    break  # a "\r\n" may be cut between two chunks
                self.line += 1
                yield pending[start : match.end()]
                start = match.end()
            pending = pending[start:]
            if len(pending) > MAX_LINE:
                raise Invalid(
                    "Line {line} is longer than {n} characters.",
                    field="file",
                    line=self.line + 1,
                    n=MAX_LINE,
                )
        if pending:
            self.line += 1
            yield pending


def _records(lines: _Lines, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each non-blank record; csv errors become Invalid."""
    reader = csv.reader(lines, delimiter=delimiter, quotechar='"', strict=True)
    while True:
        start = lines.line + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _csv_problem(error, start, lines.line) from None
        if any(c.strip() for c in cells):
            yield start, cells


def _csv_problem(error: csv.Error, start: int, line: int) -> Invalid:
    if "unexpected end of data" in str(error):
        return Invalid(
            'Line {line}: a quoted field is never closed (a " is missing).',
            field="file",
            line=start,
        )
    if "field larger than field limit" in str(error):
        return Invalid("Line {line}: a field is too long.", field="file", line=line)
    return Invalid(
        "Line {line} is not valid CSV: {detail}.", field="file", line=line, detail=str(error)
    )


def _header(records: Iterator[tuple[int, list[str]]]) -> list[str]:
    first = next(records, None)
    if first is None:
        raise Invalid("The file is empty.", field="file")
    line, names = first
    header = [name.strip().lstrip("\ufeff").strip() for name in names]
    if not any(header) or line != 1:
        raise Invalid(
            "Line 1 should name the columns (Summary, Status, …); it is empty.", field="file"
        )
    return header


def _rows(records: Iterator[tuple[int, list[str]]], header: list[str]) -> Iterator[RawRow]:
    for line, cells in records:
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            raise Invalid(
                "Line {line} has {n} fields but the header names {m} columns.",
                field="file",
                line=line,
                n=len(cells),
                m=len(header),
            )
        row = RawRow(line)
        for name, value in zip(header, cells, strict=False):
            if name:
                row.setdefault(name, []).append(value)
        for name in header[len(cells) :]:  # short rows: missing trailing cells are empty
            if name:
                row.setdefault(name, []).append("")
        yield row


def _read_head(stream: BinaryIO) -> bytes:
    """The first SNIFF_BYTES of the stream, even when reads come back short."""
    head = bytearray()
    while len(head) < SNIFF_BYTES and (chunk := stream.read(SNIFF_BYTES - len(head))):
        head += chunk
    return bytes(head)


def open_rows(stream: BinaryIO) -> tuple[list[str], Iterator[RawRow]]:
    """The header (column names as written, repeats kept) and a lazy iterator of rows.

    Raises Invalid, with the line number, for an empty file, a blank first line, an
    unterminated quote or a row wider than the header (the last two while iterating).
    """
    head = _read_head(stream)
    dialect = sniff(head)
    records = _records(_Lines(head, stream, dialect.encoding), dialect.delimiter)
    header = _header(records)
    return header, _rows(records, header)
