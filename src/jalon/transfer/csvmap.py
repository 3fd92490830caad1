"""How one CSV row reads as a backlog item: column mapping (Jira's by default), types,
statuses, estimates and dates. Pure; re-exported by `transfer.csvread`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any, TypeVar, cast

from jalon.backlog.quality import fold
from jalon.backlog.rules import ItemType, parse_estimate, parse_type
from jalon.backlog.workflow import Category, parse_status
from jalon.errors import N_, Invalid, JalonError, Message

T = TypeVar("T")

FIELDS = (
    "external_key",
    "external_id",
    "title",
    "type",
    "status",
    "priority",
    "estimate",
    "parent_key",
    "tags",
    "sprint",
    "created_at",
    "done_at",
    "description",
    "acceptance_criteria",
    "assignee",
    "due_date",
)
MAX_TITLE = 200  # as services.TEXT_LIMITS["title"]
MAX_KEY = 100  # the external_key column

# Jira's CSV export column -> Jalon field. "Parent id" and "Parent" hold the parent's
# numeric issue id in recent exports, "Epic Link" the epic's key: `parent_key` is matched
# against the other rows' external_key, then their external_id ("Issue id").
JIRA_MAPPING = {
    "Issue key": "external_key",
    "Issue id": "external_id",
    "Summary": "title",
    "Issue Type": "type",
    "Status": "status",
    "Priority": "priority",
    "Story Points": "estimate",
    "Custom field (Story Points)": "estimate",
    "Custom field (Story point estimate)": "estimate",
    "Epic Link": "parent_key",
    "Custom field (Epic Link)": "parent_key",
    "Parent": "parent_key",
    "Parent id": "parent_key",
    "Labels": "tags",
    "Sprint": "sprint",
    "Created": "created_at",
    "Resolved": "done_at",
    "Description": "description",
    "Due Date": "due_date",
    "Assignee": "assignee",
    "Acceptance criteria": "acceptance_criteria",  # Jalon's own CSV export
}

# Jira issue types (English and French Jira) -> Jalon types; Jalon's own codes work too.
JIRA_TYPES = {
    "epic": ItemType.EPIC,
    "epique": ItemType.EPIC,
    "initiative": ItemType.EPIC,
    "feature": ItemType.FEATURE,
    "new feature": ItemType.FEATURE,
    "nouvelle fonctionnalite": ItemType.FEATURE,
    "story": ItemType.STORY,
    "user story": ItemType.STORY,
    "recit": ItemType.STORY,
    "task": ItemType.STORY,
    "tache": ItemType.STORY,
    "sub-task": ItemType.STORY,
    "subtask": ItemType.STORY,
    "sous-tache": ItemType.STORY,
    "improvement": ItemType.STORY,
    "amelioration": ItemType.STORY,
    "bug": ItemType.BUG,
    "bogue": ItemType.BUG,
    "defect": ItemType.BUG,
    "anomalie": ItemType.BUG,
    "spike": ItemType.SPIKE,
    "technical debt": ItemType.TECH_DEBT,
    "tech debt": ItemType.TECH_DEBT,
    "dette technique": ItemType.TECH_DEBT,
}

# Jira status names -> the category whose first status they take in the product.
JIRA_STATUSES = {
    **dict.fromkeys(
        ["to do", "todo", "open", "backlog", "reopened", "a faire", "ouvert", "icebox"], "todo"
    ),
    **dict.fromkeys(["selected for development", "ready", "pret"], "ready"),
    **dict.fromkeys(["in progress", "in review", "doing", "en cours", "en revue"], "doing"),
    **dict.fromkeys(["done", "closed", "resolved", "termine", "terminee", "fait"], "done"),
    **dict.fromkeys(["won't do", "won't fix", "cancelled", "rejected", "abandonne"], "rejected"),
}

_EN_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec"
_FR_MONTHS = "janv fevr mars avr mai juin juil aout sept oct nov dec"
MONTHS = {
    **{m: i for i, m in enumerate(_EN_MONTHS.split(), 1)},
    **{m: i for i, m in enumerate(_FR_MONTHS.split(), 1)},
    "fev": 2,
}
_JIRA_DATE = re.compile(
    r"(?P<d>\d{1,2})/(?P<m>[^\W\d_]+)\.?/(?P<y>\d{2}|\d{4})"
    r"(?:\s+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ap>[ap]\.?m\.?)?)?"
)
_NUMERIC_DATE = re.compile(
    r"(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})(?:\s+(?P<h>\d{1,2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2}))?)?"
)


@dataclass(frozen=True)
class ParsedRow:
    """A row read as an item, ready to create or update (by external key)."""

    line: int
    title: str
    type: str
    external_key: str | None = None
    external_id: str | None = None
    status: str | None = None  # None: the product's first status
    priority: str | None = None
    estimate: float | None = None
    parent_key: str | None = None
    tags: list[str] = field(default_factory=list)
    sprint: str | None = None
    created_at: datetime | None = None
    done_at: datetime | None = None
    description: str = ""
    acceptance_criteria: str = ""
    assignee: str | None = None  # a login or an e-mail (GitHub), matched against users
    due_date: date | None = None


@dataclass(frozen=True)
class RowError:
    """A row that cannot be imported: one message per field at fault."""

    line: int
    errors: dict[str, str]
    external_key: str | None = None
    title: str = ""


def default_mapping(header: Sequence[str]) -> dict[str, str]:
    """Jira's mapping for the columns of `header` (names compared without case)."""
    known = {name.casefold(): target for name, target in JIRA_MAPPING.items()}
    return {name: known[name.casefold()] for name in header if name.casefold() in known}


def check_mapping(header: Sequence[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """The mapping, checked against the file's columns and Jalon's fields."""
    problems: dict[str, str] = {}
    for column, target in mapping.items():
        if column not in header:
            problems[column] = Message("The file has no column {column!r}.", column=column)
        elif target not in FIELDS:
            problems[column] = Message("{target!r} is not a field of an item.", target=target)
    if "title" not in mapping.values():
        problems["title"] = N_("Choose the column that holds the title (Jira: Summary).")
    if problems:
        raise Invalid("Some columns cannot be imported as mapped.", fields=problems)
    return dict(mapping)


def _values(raw: Mapping[str, Sequence[str]], mapping: Mapping[str, str]) -> dict[str, list[str]]:
    """Non-empty values per Jalon field, in column order."""
    out: dict[str, list[str]] = {}
    for column, values in raw.items():
        target = mapping.get(column)
        if target is None:
            continue
        kept = [text for value in values if (text := value.strip())]
        if kept:
            out.setdefault(target, []).extend(kept)
    return out


def _type(raw: str | None) -> str:
    if not raw:
        return ItemType.STORY
    known = JIRA_TYPES.get(fold(raw.strip()))
    return known if known is not None else parse_type(raw)


def status_for(raw: str | None, statuses: Sequence[Mapping[str, str]]) -> str | None:
    """The product's status named by key, label or a Jira/Trello synonym; None when empty."""
    if not raw:
        return None
    try:
        return parse_status(raw, statuses)
    except Invalid:
        wanted = JIRA_STATUSES.get(fold(raw.strip()).replace("’", "'"))
        if wanted == "ready" and any(s["key"] == "ready" for s in statuses):
            return "ready"
        category = Category.TODO if wanted == "ready" else wanted
        found = next((s["key"] for s in statuses if s["category"] == category), None)
        if found is None:
            raise
        return found


def _time(match: re.Match[str]) -> tuple[int, int, int]:
    hour, minute, second = int(match["h"] or 0), int(match["mi"] or 0), int(match["s"] or 0)
    meridiem = (match.groupdict().get("ap") or "").replace(".", "")
    if meridiem and not 1 <= hour <= 12:
        raise ValueError("hour")
    if meridiem:
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    return hour, minute, second


def _dated(text: str) -> datetime:
    folded = text.lower() if text.isascii() else fold(text)
    if match := _JIRA_DATE.fullmatch(folded):
        month = MONTHS[match["m"]]
        year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
        return datetime(year, month, int(match["d"]), *_time(match))
    if match := _NUMERIC_DATE.fullmatch(folded):
        day, month = int(match["a"]), int(match["b"])
        if month > 12 >= day:  # 03/25/2024 can only be month first
            day, month = month, day
        return datetime(int(match["y"]), month, day, *_time(match))
    return datetime.fromisoformat(text)


def parse_date(raw: str, *, tz: tzinfo = UTC) -> datetime:
    """A date as Jira or a spreadsheet writes it, as an aware UTC datetime.

    Accepts `12/Mar/24 10:15 AM` (Jira; French month names too), ISO 8601 with or
    without a time or offset, and `12/03/2024 [10:15]` (day first unless that cannot be).
    Times without an offset are read in `tz`. Raises ValueError.
    """
    try:
        value = _dated(raw.strip())
    except (KeyError, ValueError):
        raise ValueError(raw) from None
    return (value if value.tzinfo else value.replace(tzinfo=tz)).astimezone(UTC)


def _tags(values: dict[str, list[str]]) -> list[str]:
    tags: list[str] = []
    for value in values.get("tags", []):
        for tag in re.split(r"[,;]", value):
            if tag.strip() and tag.strip() not in tags:
                tags.append(tag.strip())
    return tags


def check_title(title: str | None) -> str:
    if not title:
        raise Invalid("Every item needs a title.")
    if len(title) > MAX_TITLE:
        raise Invalid("The title is longer than {n} characters.", n=MAX_TITLE)
    return title


def _key(key: str | None) -> str | None:
    if key is not None and len(key) > MAX_KEY:
        raise Invalid("The key is longer than {n} characters.", n=MAX_KEY)
    return key


def _date(text: str | None, tz: tzinfo) -> datetime | None:
    return parse_date(text, tz=tz) if text else None


class _Reader:
    """Reads the fields of one row, noting one message per field at fault."""

    def __init__(self, values: dict[str, list[str]], memo: dict[Any, Any]) -> None:
        self.values = values
        self.errors: dict[str, str] = {}
        self.memo = memo  # (field, raw value) -> what it reads as, for repeated values

    def first(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[0] if found else None

    def last(self, name: str) -> str | None:
        found = self.values.get(name)
        return found[-1] if found else None

    def texts(self) -> dict[str, Any]:
        """The fields taken as written: optional ones, and texts that default to ""."""
        texts: dict[str, Any] = {name: self.first(name) for name in _OPTIONAL}
        texts.update(
            {name: self.first(name) or "" for name in ("description", "acceptance_criteria")}
        )
        return texts

    def check(self, name: str, read: Callable[[str | None], T], *, cache: bool = False) -> T | None:
        raw = self.first(name)
        if cache and (name, raw) in self.memo:
            return cast(T, self.memo[name, raw])
        try:
            value = read(raw)
            if cache and len(self.memo) < MEMO_SIZE:
                self.memo[name, raw] = value
            return value
        except JalonError as error:
            self.errors[name] = Message(error.message, **error.params)
        except ValueError:
            self.errors[name] = N_(
                "This is not a date; write it like 2024-03-12 or 12/Mar/24 10:15 AM."
            )
        return None


_DATE_FIELDS = ("created_at", "done_at", "due_date")
MEMO_SIZE = 4096
_OPTIONAL = ("external_id", "priority", "parent_key", "assignee")


def read_row(
    raw: Mapping[str, Sequence[str]],
    mapping: Mapping[str, str],
    scale: str,
    statuses: Sequence[Mapping[str, str]],
    *,
    tz: tzinfo = UTC,
    memo: dict[Any, Any] | None = None,
) -> ParsedRow | RowError:
    """How a row will be imported, or every reason it cannot be (for the dry run).

    A field takes the first non-empty column mapped to it, `sprint` the last, `tags` all
    (split on `,` and `;`); naive times are in `tz`; `raw.line` numbers the row. The rows
    of one file share a `memo`: repeated types, statuses and estimates are read once."""
    row = _Reader(_values(raw, mapping), {} if memo is None else memo)
    title = row.check("title", check_title)
    key = row.check("external_key", _key)
    item_type = row.check("type", _type, cache=True)
    status = row.check("status", lambda v: status_for(v, statuses), cache=True)
    estimate = row.check("estimate", lambda v: parse_estimate(scale, v), cache=True)
    created_at, done_at, due = (row.check(n, lambda v: _date(v, tz)) for n in _DATE_FIELDS)
    line = int(getattr(raw, "line", 0))
    if row.errors or title is None or item_type is None:
        return RowError(line, row.errors, row.first("external_key"), row.first("title") or "")
    return ParsedRow(
        line=line,
        title=title,
        type=item_type,
        external_key=key,
        status=status,
        estimate=estimate,
        tags=_tags(row.values),
        sprint=row.last("sprint"),
        created_at=created_at,
        done_at=done_at,
        due_date=due.date() if due else None,
        **row.texts(),
    )
