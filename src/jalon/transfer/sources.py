"""Where imported rows come from: a CSV file (through its column mapping), a Trello board
export or a GitHub issues list. Each gives a `Source`: the rows read as items (or the
reasons they cannot be), which item fields the file sets, and what it calls them.

Jalon's own lossless export is restored by `transfer/restore.py`, not row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, BinaryIO

from jalon.backlog.workflow import Category
from jalon.errors import Invalid, JalonError, Message
from jalon.transfer import csvread
from jalon.transfer.csvmap import ParsedRow, RowError, check_title, parse_date, status_for
from jalon.transfer.rules import type_from_labels

Statuses = Sequence[Mapping[str, str]]
Row = ParsedRow | RowError


@dataclass
class Source:
    format: str
    fields: frozenset[str]  # the item fields the file sets (others stay as they are)
    columns: dict[str, str]  # item field -> what the file calls it
    rows: Iterator[Row]
    skipped: int = 0  # archived cards, pull requests...


# --- CSV -------------------------------------------------------------------------------------


def csv_header(stream: BinaryIO, *, preview: int = 5) -> tuple[list[str], list[list[str]]]:
    """The column names and the first rows of a CSV file, for the mapping step."""
    header, rows = csvread.open_rows(stream)
    names = [name for name in dict.fromkeys(header) if name]
    first: list[list[str]] = []
    for raw in rows:
        first.append([" | ".join(v for v in raw.get(name, []) if v) for name in names])
        if len(first) >= preview:
            break
    return names, first


def csv_source(
    stream: BinaryIO, mapping: Mapping[str, str] | None, scale: str, statuses: Statuses
) -> Source:
    header, raws = csvread.open_rows(stream)
    chosen = csvread.check_mapping(header, mapping or csvread.default_mapping(header))
    columns: dict[str, str] = {}
    for column, target in chosen.items():
        columns.setdefault(target, column)
    memo: dict[Any, Any] = {}
    rows = (csvread.read_row(raw, chosen, scale, statuses, memo=memo) for raw in raws)
    return Source("csv", frozenset(chosen.values()), columns, rows)


# --- shared by the JSON sources --------------------------------------------------------------


def _status_of(category: str, statuses: Statuses) -> str | None:
    return next((s["key"] for s in statuses if s["category"] == category), None)


def _when(raw: Any) -> datetime | None:
    return parse_date(str(raw)) if raw else None


def _checked(line: int, key: str | None, title: Any, read: Callable[[], ParsedRow]) -> Row:
    """The row `read` builds, or a RowError naming the field at fault."""
    try:
        return read()
    except JalonError as error:
        name = next(iter(error.fields), "title")
        return RowError(line, {name: Message(error.message, **error.params)}, key, str(title))
    except ValueError:
        message = Message("A date here is not valid: write it as 2024-03-12T10:15:00Z.")
        return RowError(line, {"created_at": message}, key, str(title))


def _text(value: Any) -> str:
    return str(value or "").strip()


# --- Trello ----------------------------------------------------------------------------------

TRELLO_FIELDS = frozenset(
    {"external_key", "title", "type", "status", "tags", "description"}
    | {"acceptance_criteria", "due_date", "created_at", "done_at"}
)
TRELLO_COLUMNS = {
    "external_key": "shortLink",
    "title": "name",
    "status": "list",
    "tags": "labels",
    "description": "desc",
    "acceptance_criteria": "checklists",
    "due_date": "due",
    "created_at": "id",
    "done_at": "dateLastActivity",
}


def _checklists(data: Mapping[str, Any]) -> dict[str, str]:
    """Each card's checklists as Markdown task lists, by card id."""
    out: dict[str, list[str]] = {}
    for checklist in data.get("checklists") or []:
        lines = [f"**{_text(checklist.get('name')) or 'Checklist'}**"]
        for entry in sorted(checklist.get("checkItems") or [], key=lambda e: e.get("pos", 0)):
            tick = "x" if entry.get("state") == "complete" else " "
            lines.append(f"- [{tick}] {_text(entry.get('name'))}")
        out.setdefault(str(checklist.get("idCard")), []).append("\n".join(lines))
    return {card: "\n\n".join(parts) for card, parts in out.items()}


def _trello_created(card_id: str) -> datetime | None:
    """Trello ids start with the card's creation time, in seconds, as 8 hex digits."""
    try:
        return datetime.fromtimestamp(int(card_id[:8], 16), UTC)
    except ValueError:
        return None


@dataclass(frozen=True)
class _Board:
    lists: dict[str, str]  # list id -> name
    closed_lists: frozenset[str]
    checklists: dict[str, str]
    mapping: Mapping[str, str]  # list name -> status, chosen by the person importing
    statuses: Statuses


def _card(board: _Board, line: int, card: Mapping[str, Any]) -> ParsedRow:
    list_name = board.lists.get(str(card.get("idList")), "")
    try:
        status = status_for(board.mapping.get(list_name) or list_name, board.statuses)
    except Invalid as error:
        raise Invalid(error.message, field="status", **error.params) from None
    labels = [_text(lb.get("name")) or _text(lb.get("color")) for lb in card.get("labels") or []]
    done = any(s["key"] == status and s["category"] == Category.DONE for s in board.statuses)
    due = _when(card.get("due"))
    return ParsedRow(
        line=line,
        title=check_title(_text(card.get("name"))),
        type=type_from_labels(labels),
        external_key=f"trello-{card.get('shortLink') or card.get('id')}",
        status=status,
        tags=[lb for lb in labels if lb],
        description=_text(card.get("desc")),
        acceptance_criteria=board.checklists.get(str(card.get("id")), ""),
        due_date=due.date() if due else None,
        created_at=_trello_created(str(card.get("id", ""))),
        done_at=_when(card.get("dateLastActivity")) if done else None,
    )


def _trello_rows(board: _Board, cards: Sequence[Mapping[str, Any]]) -> Iterator[Row]:
    for line, card in enumerate(cards, start=1):
        key = f"trello-{card.get('shortLink') or card.get('id')}"
        yield _checked(line, key, card.get("name"), partial(_card, board, line, card))


def trello_source(
    data: Mapping[str, Any], mapping: Mapping[str, str], statuses: Statuses
) -> Source:
    """Cards become items; lists give the status (by name, or as mapped); labels become tags
    (a label named like a type sets it); checklists become acceptance criteria. Archived
    cards and the cards of archived lists are skipped."""
    lists = {str(x.get("id")): _text(x.get("name")) for x in data.get("lists") or []}
    closed = frozenset(str(x.get("id")) for x in data.get("lists") or [] if x.get("closed"))
    board = _Board(lists, closed, _checklists(data), mapping, statuses)
    every = [c for c in data.get("cards") or [] if isinstance(c, dict)]
    cards = [c for c in every if not c.get("closed") and str(c.get("idList")) not in closed]
    source = Source("trello", TRELLO_FIELDS, dict(TRELLO_COLUMNS), _trello_rows(board, cards))
    source.skipped = len(every) - len(cards)
    return source


def trello_lists(data: Mapping[str, Any]) -> list[str]:
    """The names of the board's open lists, for the list-to-status mapping step."""
    return [_text(x.get("name")) for x in data.get("lists") or [] if not x.get("closed")]


# --- GitHub issues ---------------------------------------------------------------------------

GITHUB_FIELDS = frozenset(
    {"external_key", "title", "type", "status", "tags", "description", "assignee"}
    | {"created_at", "done_at"}
)
GITHUB_COLUMNS = {
    "external_key": "number",
    "title": "title",
    "status": "state",
    "tags": "labels",
    "description": "body",
    "assignee": "assignee",
    "created_at": "created_at",
    "done_at": "closed_at",
}


def _issue_status(issue: Mapping[str, Any], statuses: Statuses) -> str | None:
    if issue.get("state") != "closed":
        return None
    wanted = Category.REJECTED if issue.get("state_reason") == "not_planned" else Category.DONE
    return _status_of(wanted, statuses) or _status_of(Category.DONE, statuses)


def _issue(line: int, issue: Mapping[str, Any], statuses: Statuses) -> ParsedRow:
    labels = [
        _text(lb.get("name") if isinstance(lb, dict) else lb) for lb in issue.get("labels") or []
    ]
    assignee = issue.get("assignee") or {}
    return ParsedRow(
        line=line,
        title=check_title(_text(issue.get("title"))),
        type=type_from_labels(labels),
        external_key=f"#{issue.get('number')}",
        status=_issue_status(issue, statuses),
        tags=[lb for lb in labels if lb],
        description=_text(issue.get("body")),
        assignee=_text(assignee.get("login") or assignee.get("email")) or None,
        created_at=_when(issue.get("created_at")),
        done_at=_when(issue.get("closed_at")),
    )


def _github_rows(issues: Sequence[Mapping[str, Any]], statuses: Statuses) -> Iterator[Row]:
    for line, issue in enumerate(issues, start=1):
        key = f"#{issue.get('number')}"
        yield _checked(line, key, issue.get("title"), partial(_issue, line, issue, statuses))


def github_source(data: Sequence[Mapping[str, Any]], statuses: Statuses) -> Source:
    """Issues become items, `#<number>` their key; closed issues are done (or rejected when
    closed as not planned); labels become tags; pull requests are skipped."""
    issues = [i for i in data if "pull_request" not in i]
    source = Source("github", GITHUB_FIELDS, dict(GITHUB_COLUMNS), _github_rows(issues, statuses))
    source.skipped = len(data) - len(issues)
    return source
