"""Reading CSV for import: encodings, delimiters, broken files, Jira's columns, one row at a
time. Files are written here as French Excel and Jira write them."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta, timezone
from typing import BinaryIO, cast

import pytest

from jalon.backlog import rules
from jalon.errors import Invalid
from jalon.transfer import csvread
from jalon.transfer.csvread import Dialect, ParsedRow, RowError, open_rows, read_row, sniff

WORKFLOW = rules.default_workflow()


def _rows(data: bytes) -> tuple[list[str], list[csvread.RawRow]]:
    header, rows = open_rows(io.BytesIO(data))
    return header, list(rows)


def _error(data: bytes) -> Invalid:
    with pytest.raises(Invalid) as exc:
        _rows(data)
    assert set(exc.value.fields) == {"file"}
    return exc.value


# --- encodings and delimiters ---------------------------------------------------------------


def test_utf8_with_bom_and_semicolons_as_french_excel_writes() -> None:
    text = "Résumé;Statut;Points\r\nCréer un compte;À faire;3\r\n« Payer » en 1 clic;En cours;5\r\n"
    data = "\ufeff".encode() + text.encode("utf-8")
    assert sniff(data) == Dialect(encoding="utf-8-sig", delimiter=";")
    header, rows = _rows(data)
    assert header == ["Résumé", "Statut", "Points"]  # no BOM glued to the first name
    assert [dict(r) for r in rows] == [
        {"Résumé": ["Créer un compte"], "Statut": ["À faire"], "Points": ["3"]},
        {"Résumé": ["« Payer » en 1 clic"], "Statut": ["En cours"], "Points": ["5"]},
    ]
    assert [r.line for r in rows] == [2, 3]


def test_latin1_with_accents_falls_back_to_windows_1252() -> None:
    data = "Summary;Status\r\nCréer un compte;Terminé\r\nDéjà vu – œuvre;À faire\r\n".encode(
        "cp1252"
    )
    assert sniff(data) == Dialect(encoding="cp1252", delimiter=";")
    _, rows = _rows(data)
    assert [r["Summary"] for r in rows] == [["Créer un compte"], ["Déjà vu – œuvre"]]
    iso = "Summary,Status\nCréer un compte,Terminé\n".encode("latin-1")
    assert _rows(iso)[1][0]["Summary"] == ["Créer un compte"]


def test_an_ascii_start_with_latin1_far_down_switches_encoding() -> None:
    filler = "".join(f"PRJ-{i},Plain title {i}\n" for i in range(5000))  # > 64 KiB of ASCII
    data = ("Issue key,Summary\n" + filler + "PRJ-X,Créer un compte\n").encode("cp1252")
    assert (
        len(data) > csvread.SNIFF_BYTES and sniff(data[: csvread.SNIFF_BYTES]).encoding == "utf-8"
    )
    _, rows = _rows(data)
    assert rows[-1]["Summary"] == ["Créer un compte"] and rows[-1].line == 5002


def test_utf8_then_other_bytes_is_refused_with_the_line() -> None:
    data = "Summary\nCréer\n".encode() + b"x" * 70_000 + b"\nD\xe9j\xe0\n"
    error = _error(data)
    assert "mixes text encodings" in str(error) and "Line 3" in str(error)


def test_tab_separated_utf16_as_excel_unicode_text() -> None:
    data = "Summary\tStatus\nCréer un compte\tDone\n".encode("utf-16")
    assert sniff(data) == Dialect(encoding="utf-16", delimiter="\t")
    assert _rows(data)[1][0]["Status"] == ["Done"]


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        (b"a,b,c", ","),
        (b"a;b;c", ";"),
        (b"a\tb\tc", "\t"),
        (b'"x;y",b,c', ","),  # a delimiter inside quotes does not count
        (b"Summary", ","),
        (b"a;b,c;d", ";"),
    ],
)
def test_delimiter_is_sniffed_on_the_header_line(line: bytes, delimiter: str) -> None:
    assert sniff(line + b"\n1,2,3,4,5,6;7\n").delimiter == delimiter


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_chunk_boundaries_do_not_matter(size: int) -> None:
    """CRLF and multi-byte characters cut between two reads read the same."""
    data = '\ufeffSummary;Notes\r\nCréer;"deux\r\nlignes"\r\nÉté;ok\r\n'.encode()

    class Trickle(io.RawIOBase):
        def __init__(self) -> None:
            self.rest = data

        def read(self, n: int = -1) -> bytes:
            piece, self.rest = self.rest[:size], self.rest[size:]
            return piece

    header, rows = open_rows(cast(BinaryIO, Trickle()))
    assert header == ["Summary", "Notes"]
    assert [(r.line, dict(r)) for r in rows] == [
        (2, {"Summary": ["Créer"], "Notes": ["deux\r\nlignes"]}),
        (4, {"Summary": ["Été"], "Notes": ["ok"]}),
    ]


# --- structure and broken files -------------------------------------------------------------


def test_quoted_fields_with_newlines_quotes_and_delimiters() -> None:
    data = (
        b'Summary,Description\n"Pay, then ship","Line one\nsaid ""hello""\nline three"\n'
        b"Next,plain\n\nLast,\n"
    )
    _, rows = _rows(data)
    assert rows[0]["Description"] == ['Line one\nsaid "hello"\nline three']
    assert rows[0]["Summary"] == ["Pay, then ship"]
    assert [r.line for r in rows] == [2, 5, 7]  # a record is numbered by its first line
    assert rows[2]["Description"] == [""]


def test_short_rows_are_padded_and_empty_trailing_cells_tolerated() -> None:
    _, rows = _rows(b"a;b;c\n1\n1;2;3;;\n")
    assert dict(rows[0]) == {"a": ["1"], "b": [""], "c": [""]}
    assert dict(rows[1]) == {"a": ["1"], "b": ["2"], "c": ["3"]}


def test_unterminated_quote_names_the_line_where_it_opens() -> None:
    error = _error(b'Summary,Status\nOk,Done\n"Never closed,Done\nmore\nand more\n')
    assert str(error) == 'Line 3: a quoted field is never closed (a " is missing).'


def test_text_after_a_closing_quote_is_refused() -> None:
    error = _error(b'Summary,Status\nOk,Done\n"Closed"then text,Done\n')
    assert str(error).startswith("Line 3 is not valid CSV: ")


def test_a_row_wider_than_the_header() -> None:
    error = _error(b"Summary;Status\nOk;Done\nOne;Two;Three\n")
    assert str(error) == "Line 3 has 3 fields but the header names 2 columns."


@pytest.mark.parametrize("data", [b"", b"\n\r\n  \n", b"\xef\xbb\xbf"])
def test_empty_file(data: bytes) -> None:
    assert str(_error(data)) == "The file is empty."


@pytest.mark.parametrize("data", [b"\nSummary\nOk\n", b";;\nOk;Done;\n"])
def test_no_header(data: bytes) -> None:
    assert "Line 1 should name the columns" in str(_error(data))


def test_rows_are_read_lazily_from_an_endless_stream() -> None:
    """Memory does not grow with the file: three rows need only a few chunks."""

    class Endless(io.RawIOBase):
        def __init__(self) -> None:
            self.served, self.count = 0, 0

        def read(self, n: int = -1) -> bytes:
            if self.served == 0:
                chunk = b"Issue key,Summary\n"
            else:
                chunk = b"".join(
                    b"PRJ-%d,Title %d\n" % (self.count + i, self.count + i) for i in range(1000)
                )
                self.count += 1000
            self.served += len(chunk)
            return chunk

    stream = Endless()
    header, rows = open_rows(cast(BinaryIO, stream))
    first = [next(rows) for _ in range(3)]
    assert header == ["Issue key", "Summary"]
    assert [r["Summary"] for r in first] == [["Title 0"], ["Title 1"], ["Title 2"]]
    assert stream.served < 200_000


# --- Jira's export and the mapping ----------------------------------------------------------

JIRA = (
    "Summary,Issue key,Issue id,Issue Type,Status,Priority,Labels,Labels,Sprint,Sprint,"
    "Custom field (Story Points),Parent id,Epic Link,Created,Resolved,Description\n"
    'Checkout,SHOP-1,10001,Epic,In Progress,High,,,,,,,,12/Mar/24 10:15 AM,,"Pay, ship"\n'
    "Créer un compte,SHOP-2,10002,Story,Done,Medium,ux,mobile,Sprint 1,Sprint 2,5,,SHOP-1,"
    '01/Feb/24 9:05 AM,2024-03-12T16:45:00.000+0100,"As a buyer\nI want an account"\n'
    "Fix login,SHOP-3,10003,Bug,To Do,Low,security,,,,0.5,10001,,2024-03-12,,\n"
    "Sub step,SHOP-4,10004,Sub-task,Won't Do,,,,,,,10002,,12/Mar/24 12:05 AM,,\n"
).encode()


def test_default_mapping_follows_jira_columns() -> None:
    header, _ = _rows(JIRA)
    assert header.count("Labels") == 2 and header.count("Sprint") == 2
    mapping = csvread.default_mapping(header)
    assert mapping["Summary"] == "title" and mapping["Custom field (Story Points)"] == "estimate"
    assert mapping["Labels"] == "tags" and mapping["Parent id"] == "parent_key"
    assert csvread.default_mapping(["story points", "ISSUE KEY"]) == {
        "story points": "estimate",
        "ISSUE KEY": "external_key",
    }


def test_jira_rows_read_as_items() -> None:
    header, rows = _rows(JIRA)
    mapping = csvread.default_mapping(header)
    epic, story, bug, sub = (read_row(r, mapping, "fibonacci", WORKFLOW) for r in rows)
    assert isinstance(epic, ParsedRow) and isinstance(story, ParsedRow)
    assert (epic.type, epic.status, epic.priority, epic.estimate) == (
        "epic",
        "in_progress",
        "High",
        None,
    )
    assert epic.created_at == datetime(2024, 3, 12, 10, 15, tzinfo=UTC)
    assert epic.description == "Pay, ship"
    assert story == ParsedRow(
        line=3,
        title="Créer un compte",
        type="story",
        external_key="SHOP-2",
        external_id="10002",
        status="done",
        priority="Medium",
        estimate=5.0,
        parent_key="SHOP-1",
        tags=["ux", "mobile"],
        sprint="Sprint 2",  # the latest of the sprints it went through
        created_at=datetime(2024, 2, 1, 9, 5, tzinfo=UTC),
        done_at=datetime(2024, 3, 12, 15, 45, tzinfo=UTC),
        description="As a buyer\nI want an account",
    )
    assert isinstance(bug, ParsedRow) and isinstance(sub, ParsedRow)
    assert (bug.type, bug.status, bug.estimate, bug.parent_key) == ("bug", "new", 0.5, "10001")
    assert (sub.type, sub.status, sub.line) == ("story", "rejected", 6)
    assert sub.created_at == datetime(2024, 3, 12, 0, 5, tzinfo=UTC)


def test_a_bad_row_lists_every_problem() -> None:
    data = (
        b"Issue key;Summary;Issue Type;Status;Story Points;Created\n"
        b"SHOP-9;;Saga;Shipped;4;31/Feb/24 10:00 AM\n"
        b"SHOP-10;Ok;Story;;trois;yesterday\n"
    )
    header, rows = _rows(data)
    mapping = csvread.default_mapping(header)
    first, second = (read_row(r, mapping, "fibonacci", WORKFLOW) for r in rows)
    assert isinstance(first, RowError) and isinstance(second, RowError)
    assert (first.line, first.external_key, first.title) == (2, "SHOP-9", "")
    assert first.errors == {
        "title": "Every item needs a title.",
        "type": "Unknown item type 'Saga'; types are epic, feature, story, bug, tech_debt, spike.",
        "status": "Unknown status 'Shipped'; this product's statuses are new, ready, "
        "in_progress, done, rejected.",
        "estimate": "4 is not on the Fibonacci scale (0, 0.5, 1, 2, 3, 5, 8, 13, 20, 40, 100); "
        "the nearest is 5.",
        "created_at": "This is not a date; write it like 2024-03-12 or 12/Mar/24 10:15 AM.",
    }
    assert set(second.errors) == {"estimate", "created_at"}
    assert second.line == 3 and second.title == "Ok"


def test_french_jira_names_and_a_tshirt_scale() -> None:
    data = (
        "Résumé;Type de ticket;État;Taille;Créé\n"
        "Créer un compte;Récit;Terminé;M;12/mars/24 10:15\n"
        "Corriger;Bogue;En cours;xl;12/03/2024 14:00\n"
    ).encode("cp1252")
    header, rows = _rows(data)
    mapping = {
        "Résumé": "title",
        "Type de ticket": "type",
        "État": "status",
        "Taille": "estimate",
        "Créé": "created_at",
    }
    first, second = (
        read_row(r, csvread.check_mapping(header, mapping), "tshirt", WORKFLOW) for r in rows
    )
    assert isinstance(first, ParsedRow) and isinstance(second, ParsedRow)
    assert (first.type, first.status, first.estimate) == ("story", "done", 3.0)
    assert (second.type, second.status, second.estimate) == ("bug", "in_progress", 8.0)
    assert first.created_at == second.created_at - timedelta(hours=3, minutes=45)


def test_status_names_meet_a_custom_workflow_by_category() -> None:
    workflow = rules.check_workflow(
        [
            {"key": "inbox", "category": "todo"},
            {"key": "building", "category": "doing"},
            {"key": "live", "category": "done"},
        ]
    )
    raw = csvread.RawRow(2, [("Summary", ["x"]), ("Status", ["Selected for Development"])])
    row = read_row(raw, {"Summary": "title", "Status": "status"}, "fibonacci", workflow)
    assert isinstance(row, ParsedRow) and row.status == "inbox"
    raw["Status"] = ["Closed"]
    assert read_row(raw, {"Summary": "title", "Status": "status"}, "fibonacci", workflow) == (
        ParsedRow(line=2, title="x", type="story", status="live")
    )
    raw["Status"] = ["Won't Do"]  # no rejected status in this workflow
    refused = read_row(raw, {"Summary": "title", "Status": "status"}, "fibonacci", workflow)
    assert isinstance(refused, RowError) and set(refused.errors) == {"status"}


def test_tags_split_and_deduplicated_and_long_titles_refused() -> None:
    raw = csvread.RawRow(4, [("T", ["x" * 201]), ("Tags", ["a, b;c", "b", " "])])
    row = read_row(raw, {"T": "title", "Tags": "tags"}, "fibonacci", WORKFLOW)
    assert isinstance(row, RowError)
    assert row.errors == {"title": "The title is longer than 200 characters."}
    raw["T"] = ["ok"]
    row = read_row(raw, {"T": "title", "Tags": "tags"}, "fibonacci", WORKFLOW)
    assert isinstance(row, ParsedRow) and row.tags == ["a", "b", "c"]


def test_check_mapping_names_what_is_wrong() -> None:
    header = ["Summary", "Status"]
    assert csvread.check_mapping(header, {"Summary": "title"}) == {"Summary": "title"}
    with pytest.raises(Invalid) as exc:
        csvread.check_mapping(header, {"Status": "state", "Points": "estimate"})
    assert exc.value.fields == {
        "Status": "'state' is not a field of an item.",
        "Points": "The file has no column 'Points'.",
        "title": "Choose the column that holds the title (Jira: Summary).",
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12/Mar/24 10:15 AM", datetime(2024, 3, 12, 10, 15, tzinfo=UTC)),
        ("12/Mar/24 12:30 PM", datetime(2024, 3, 12, 12, 30, tzinfo=UTC)),
        ("1/Dec/2023 11:59 p.m.", datetime(2023, 12, 1, 23, 59, tzinfo=UTC)),
        ("12/févr./24 08:00", datetime(2024, 2, 12, 8, 0, tzinfo=UTC)),
        ("03/août/24", datetime(2024, 8, 3, tzinfo=UTC)),
        ("2024-03-12", datetime(2024, 3, 12, tzinfo=UTC)),
        ("2024-03-12 10:15", datetime(2024, 3, 12, 10, 15, tzinfo=UTC)),
        ("2024-03-12T10:15:00Z", datetime(2024, 3, 12, 10, 15, tzinfo=UTC)),
        ("2024-03-12T10:15:00.000-0500", datetime(2024, 3, 12, 15, 15, tzinfo=UTC)),
        ("12/03/2024", datetime(2024, 3, 12, tzinfo=UTC)),  # day first, as in France
        ("03/25/2024 14:00", datetime(2024, 3, 25, 14, 0, tzinfo=UTC)),  # only month first fits
    ],
)
def test_dates_as_jira_and_spreadsheets_write_them(raw: str, expected: datetime) -> None:
    assert csvread.parse_date(raw) == expected


def test_naive_times_are_read_in_the_given_zone() -> None:
    paris_winter = timezone(timedelta(hours=1))
    assert csvread.parse_date("12/Mar/24 10:15 AM", tz=paris_winter) == datetime(
        2024, 3, 12, 9, 15, tzinfo=UTC
    )


@pytest.mark.parametrize("raw", ["13/Mar/24 13:00 PM", "12/Foo/24", "32/01/2024", "soon", ""])
def test_bad_dates_raise_value_error(raw: str) -> None:
    with pytest.raises(ValueError):
        csvread.parse_date(raw)
