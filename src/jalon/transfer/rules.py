"""Pure import rules: what kind of file this is, what a dry run reports, and whether the
rows of one file make a sound hierarchy (known keys, allowed parents, no loops, no key
used twice). Values in, values out; the database is read by services and passed in."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from jalon.backlog.rules import ItemType, check_parent
from jalon.errors import N_, Invalid, JalonError, Message
from jalon.transfer.csvmap import ParsedRow

FORMATS = ("csv", "trello", "github", "jalon")
FORMAT_LABELS = {
    "csv": N_("CSV (Jira or a spreadsheet)"),
    "trello": N_("Trello board (JSON)"),
    "github": N_("GitHub issues (JSON)"),
    "jalon": N_("Jalon export (JSON)"),
}
MAX_PROBLEMS = 500  # reported one by one; the count goes on
MAX_PREVIEW = 100
MAX_TAGS, MAX_TAG = 30, 50

# --- the kind of file ------------------------------------------------------------------------


def looks_like_json(head: bytes) -> bool:
    """True when the first significant byte opens a JSON object or array."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return text[:1] in (b"{", b"[")


def check_text(head: bytes) -> None:
    """Invalid for a file that is not text: a spreadsheet workbook, or any binary file."""
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        raise Invalid(
            "This is a spreadsheet workbook, not a CSV file: save it as CSV (UTF-8) first.",
            field="file",
        )
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Invalid("This is not a text file: import a CSV or a JSON file.", field="file")


def json_format(data: Any) -> str:
    """Which JSON export this is: a Jalon export, a Trello board or a GitHub issues list."""
    if isinstance(data, dict) and data.get("format") == "jalon":
        return "jalon"
    if isinstance(data, dict) and isinstance(data.get("cards"), list):
        return "trello"
    if isinstance(data, list) and all(isinstance(i, dict) and "number" in i for i in data):
        return "github"
    raise Invalid(
        "This JSON file is neither a Jalon export, a Trello board export nor a list of "
        "GitHub issues.",
        field="file",
    )


def check_format(name: str | None) -> str | None:
    if name in (None, "", "auto"):
        return None
    if name not in FORMATS:
        raise Invalid(
            "Unknown format {value!r}; formats are {names}.",
            field="format",
            value=name,
            names=", ".join(FORMATS),
        )
    return name


# --- what a dry run reports ------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why one row (line of a CSV, card, issue) cannot be imported, for one column."""

    line: int
    column: str
    message: str


@dataclass(frozen=True)
class Preview:
    """How one row will be read, and what importing it does (create, update or nothing)."""

    line: int
    action: str  # "create", "update" or "unchanged"
    key: str | None
    title: str
    type: str
    status: str
    estimate: float | None
    parent: str | None
    tags: list[str]


@dataclass
class Report:
    format: str
    source: str
    columns: dict[str, str] = field(default_factory=dict)  # field -> the column it comes from
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    unkeyed: int = 0
    problem_count: int = 0
    preview: list[Preview] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def column(self, name: str) -> str:
        return self.columns.get(name, name)

    def problem(self, line: int, name: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(line, self.column(name), message))

    def show(self, preview: Preview) -> None:
        if len(self.preview) < MAX_PREVIEW:
            self.preview.append(preview)

    def error(self) -> Invalid:
        """The whole import refused: one entry per row and column at fault."""
        fields = {f"line {p.line}: {p.column}": p.message for p in self.problems}
        return Invalid(
            "Nothing was imported: {n} row(s) need fixing first.",
            fields=fields,
            n=self.problem_count,
        )


def clean_tags(tags: Iterable[str]) -> list[str]:
    """Tags as the backlog keeps them: lower case, trimmed, unique, sorted, bounded."""
    cleaned = sorted({t.strip().lower()[:MAX_TAG] for t in tags if t.strip()})
    if len(cleaned) > MAX_TAGS:
        raise Invalid("An item takes at most {n} tags.", field="tags", n=MAX_TAGS)
    return cleaned


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The values of `after` that differ from `before`."""
    return {k: v for k, v in after.items() if before.get(k) != v}


# --- the hierarchy of one file ---------------------------------------------------------------


class Known(NamedTuple):
    """An item of the product before the import."""

    id: int
    key: str | None
    type: str
    parent_id: int | None


# A node of the hierarchy: an item's key (the same string object as the row's, so the
# index costs little per row), else the line of a row (> 0) or minus the id of an item of
# the product (< 0).
Node = str | int


def node_of(key: str | None, line: int) -> Node:
    return key if key else line


def _known_node(item: Known) -> Node:
    return item.key if item.key else -item.id


def node_value(value: Node | None) -> Node | None:
    return value


def node_name(node: Node) -> str:
    if isinstance(node, str):
        return node
    return f"line {node}" if node > 0 else f"#{-node}"


class _Row(NamedTuple):
    line: int
    node: Node
    type: str
    parent_ref: str | None


_ABSENT: Any = object()


def in_memory(_width: int, _make: Callable[..., Any]) -> MutableMapping[Any, Any]:
    return {}


# Makes the plan's mappings: (values per entry, how to rebuild an entry from them) -> mapping.
# A dict by default; the import passes one that spills to disk past a size, so that memory
# does not grow with the file.
MappingFactory = Callable[[int, Callable[..., Any]], MutableMapping[Any, Any]]


class Plan:
    """The rows of one file, checked as a whole: keys used once, parents that exist (in the
    file, by key or Jira issue id, or in the product), allowed parent types, and no loops."""

    def __init__(
        self, known: Iterable[Known], fields: Iterable[str], mapping: MappingFactory = in_memory
    ) -> None:
        self.fields = frozenset(fields)
        self.mapping = mapping
        self.known: MutableMapping[Node, Known] = mapping(4, Known)
        self.known_by_id: MutableMapping[int, Known] = mapping(4, Known)
        # node -> item id: the product's items, then new ones as the writer inserts them
        self.ids: MutableMapping[Node, int] = mapping(1, int)
        for item in known:
            self.known[_known_node(item)] = item
            self.known_by_id[item.id] = item
            self.ids[_known_node(item)] = item.id
        self.rows: MutableMapping[Node, _Row] = mapping(4, _Row)
        self.by_external_id: MutableMapping[str, Node] = mapping(1, node_value)

    def known_item(self, key: str | None) -> Known | None:
        return self.known.get(key) if key else None

    def add(self, row: ParsedRow) -> Message | None:
        """Take one row; a message when its key was already used earlier in the file."""
        node = node_of(row.external_key, row.line)
        if node in self.rows:
            return Message(
                "The key {key} is already used on line {line}: each item appears once.",
                key=row.external_key,
                line=self.rows[node].line,
            )
        self.rows[node] = _Row(row.line, node, str(row.type), row.parent_key)
        if row.external_id and row.external_id not in self.by_external_id:
            self.by_external_id[row.external_id] = node
        return None

    def resolve(self, ref: str) -> Node | None:
        """The node a parent reference names, among the rows so far and the product."""
        return ref if ref in self.rows else self._resolve_elsewhere(ref)

    def _resolve_elsewhere(self, ref: str) -> Node | None:
        """The node a reference names when no row has it as key: by Jira issue id, else
        an item of the product."""
        found: Node | None = self.by_external_id.get(ref)
        if found is not None:
            return found
        return ref if ref in self.known else None

    def _known_parent(self, node: Node) -> Node | None:
        item = self.known.get(node)
        if item is None or item.parent_id is None:
            return None
        parent = self.known_by_id.get(item.parent_id)
        return _known_node(parent) if parent is not None else None

    def _type(self, node: Node, row: _Row | None) -> str:
        """The type of a parent: from its row (given, or looked up), else the product."""
        row = row if row is not None else self.rows.get(node)
        if row is not None and ("type" in self.fields or node not in self.known):
            return row.type
        return self.known[node].type

    def finish(self) -> tuple[Mapping[Node, Node | None], list[Problem]]:
        """(parent node of each row, when the file sets parents; problems), after every row.

        Loops are found on the references as written, before types are checked, so that
        the message shows the loop itself."""
        if "parent_key" not in self.fields:
            return {}, []
        targets: MutableMapping[Node, Node | None] = self.mapping(1, node_value)
        problems: list[Problem] = []
        typed: list[tuple[Node, Problem]] = []  # wrong parent types, unless on a loop
        for row in self.rows.values():
            targets[row.node] = self._target(row, problems, typed)
        loops, looped = self._cycles(targets)
        problems.extend(problem for node, problem in typed if node not in looped)
        return targets, sorted(problems + loops, key=lambda p: p.line)

    def _target(
        self, row: _Row, problems: list[Problem], typed: list[tuple[Node, Problem]]
    ) -> Node | None:
        """The parent node of a row (every row read), noting a missing or wrong parent."""
        if not row.parent_ref:
            return None
        parent_row = self.rows.get(row.parent_ref)
        target = row.parent_ref if parent_row else self._resolve_elsewhere(row.parent_ref)
        if target is None:
            message = Message(
                "No item has the key {key}, neither in this file nor in the product.",
                key=row.parent_ref,
            )
            problems.append(Problem(row.line, "parent_key", message))
            return None
        try:
            check_parent(row.type, self._type(target, parent_row))
        except JalonError as error:
            message = Message(error.message, **error.params)
            typed.append((row.node, Problem(row.line, "parent_key", message)))
        return target

    def _parent_of(self, node: Node, parents: Mapping[Node, Node | None]) -> Node | None:
        found = parents.get(node, _ABSENT)
        return self._known_parent(node) if found is _ABSENT else found

    def _loop(self, loop: list[Node]) -> Problem:
        line = min(self.rows[n].line for n in loop if n in self.rows)
        if len(loop) == 2:
            return Problem(line, "parent_key", N_("An item cannot be its own parent."))
        text = " → ".join(node_name(n) for n in loop)
        message = Message("These items make a loop of parents: {path}.", path=text)
        return Problem(line, "parent_key", message)

    def _cycles(self, parents: Mapping[Node, Node | None]) -> tuple[list[Problem], set[Node]]:
        """A problem per loop of parents, and the nodes on loops."""
        checked: MutableMapping[Node, int] = self.mapping(1, int)
        problems: list[Problem] = []
        looped: set[Node] = set()
        for start, target in parents.items():
            if start in checked:
                continue
            path: dict[Node, int] = {start: 0}  # the nodes walked from `start`, in order
            current = target
            while current is not None and current not in path and current not in checked:
                path[current] = len(path)
                current = self._parent_of(current, parents)
            if current is not None and current in path:
                loop = [*list(path)[path[current] :], current]
                looped.update(loop)
                problems.append(self._loop(loop))
            checked.update(dict.fromkeys(path, 2))
        return problems, looped


def type_from_labels(labels: Sequence[str]) -> str:
    """An item type named by one of a card's or an issue's labels, else a story."""
    names = {label.strip().lower().replace("-", " ").replace("_", " ") for label in labels}
    for item_type in (ItemType.EPIC, ItemType.FEATURE, ItemType.BUG, ItemType.SPIKE):
        if item_type.value in names:
            return item_type.value
    if names & {"tech debt", "technical debt", "dette technique"}:
        return ItemType.TECH_DEBT.value
    return ItemType.STORY.value
