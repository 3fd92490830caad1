"""Reading feedback from a CSV file: which column holds what (the mapping), and how each row
will be read (the dry run), before the import writes anything.

Files are read by `jalon.transfer.csvread.open_rows` (UTF-8 with or without BOM, UTF-16,
Windows-1252/Latin-1; commas, semicolons or tabs). A mapping names, for each feedback field,
the column that holds it; only the text is required.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from jalon.errors import N_, Invalid
from jalon.feedback import rules
from jalon.transfer.csvread import open_rows

MAX_ROWS = 50_000
# Each field, its label, and the column names (lower case, no accents) it is guessed from.
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "text": (N_("Text"), ("text", "feedback", "comment", "message", "body", "texte",
                          "commentaire", "verbatim", "description", "avis")),
    "received_at": (N_("Date received"), ("date", "received", "received_at", "created",
                                          "created_at", "recu le", "date de reception")),
    "customer": (N_("Customer"), ("customer", "company", "account", "client", "entreprise",
                                  "societe", "organisation", "organization")),
    "author_email": (N_("E-mail"), ("email", "e-mail", "mail", "courriel", "author_email")),
    "author_name": (N_("Author"), ("name", "author", "author_name", "nom", "auteur", "user")),
    "rating": (N_("Rating (1–5)"), ("rating", "score", "stars", "note", "etoiles")),
    "external_key": (N_("Key in the source"), ("id", "key", "ticket", "ticket id",
                                                "external_key", "reference", "ref", "cle")),
}  # fmt: skip


def _plain(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def guess_mapping(header: Iterable[str]) -> dict[str, str]:
    """The column for each field whose usual name appears in the header."""
    columns = {_plain(h): h for h in header if h}
    found: dict[str, str] = {}
    for name, (_label, synonyms) in FIELDS.items():
        for synonym in synonyms:
            if synonym in columns and columns[synonym] not in found.values():
                found[name] = columns[synonym]
                break
    return found


def check_mapping(mapping: Mapping[str, str], header: Iterable[str]) -> dict[str, str]:
    """The mapping without blanks; Invalid when the text has no column or a column is not
    in the file."""
    columns = set(header)
    clean = {k: v for k, v in mapping.items() if k in FIELDS and v}
    problems = {k: N_("The file has no such column.") for k, v in clean.items() if v not in columns}
    if "text" not in clean:
        problems["text"] = N_("Choose the column that holds the feedback's text.")
    if problems:
        raise Invalid(N_("The columns are not all mapped."), fields=problems)
    return clean


def parse_mapping(text: str) -> dict[str, str]:
    """`text=Comment,received_at=Date` (the command line's --mapping) as a dict."""
    pairs = [part.split("=", 1) for part in text.split(",") if part.strip()]
    if any(len(p) != 2 for p in pairs):
        raise Invalid(N_("Write the mapping as field=Column,field=Column."), field="mapping")
    unknown = sorted(k.strip() for k, _v in pairs if k.strip() not in FIELDS)
    if unknown:
        raise Invalid(
            N_("Unknown fields in the mapping: {names}."), field="mapping", names=tuple(unknown)
        )
    return {k.strip(): v.strip() for k, v in pairs}


@dataclass(frozen=True)
class Preview:
    """How one row will be read: its cleaned values, or the problems that stop it."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Read:
    header: list[str]
    mapping: dict[str, str]
    rows: list[Preview]

    @property
    def ok(self) -> bool:
        return all(not r.problems for r in self.rows)

    def batch(self) -> list[tuple[str, dict[str, str]]]:
        return [(str(r.line), r.raw) for r in self.rows]


def read(stream: BinaryIO, mapping: Mapping[str, str] | None, *, now: datetime) -> Read:
    """Every row of the file read through the mapping (guessed when None)."""
    header, rows = open_rows(stream)
    chosen = check_mapping(guess_mapping(header) if mapping is None else mapping, header)
    previews: list[Preview] = []
    for row in rows:
        raw = {name: (row.get(column) or [""])[0].strip() for name, column in chosen.items()}
        try:
            previews.append(Preview(row.line, rules.clean_row(raw, now=now), {}, raw))
        except Invalid as error:
            previews.append(Preview(row.line, {}, dict(error.fields), raw))
        if len(previews) > MAX_ROWS:
            raise Invalid(N_("Import at most 50,000 rows at once."), field="file")
    if not previews:
        raise Invalid(N_("The file has a header but no row."), field="file")
    return Read(header, chosen, previews)
