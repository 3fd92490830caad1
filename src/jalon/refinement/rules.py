"""Pure refinement rules: a product's backlog settings as an editable draft, Definition of
Ready and of Done ticks, links between items, and two versions of an item side by side."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from jalon.backlog import rules as backlog_rules
from jalon.errors import N_, Invalid, JalonError

T = TypeVar("T")

# --- settings -------------------------------------------------------------------------------

CHECKLISTS = {"ready": N_("Definition of Ready"), "done": N_("Definition of Done")}
CHECKLIST_FIELDS = {"ready": "definition_of_ready", "done": "definition_of_done"}


@dataclass(frozen=True)
class Draft:
    """Backlog settings as a form holds them: status rows (a new row has no key yet)."""

    statuses: list[dict[str, str]] = field(default_factory=list)
    scale: str = "fibonacci"
    ready: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CleanSettings:
    statuses: list[dict[str, str]]
    scale: str
    definition_of_ready: list[str]
    definition_of_done: list[str]


def status_key(label: str, taken: Collection[str]) -> str:
    """A key for a new status from its label: `En revue` → `en_revue`, unique among `taken`."""
    slug = re.sub(r"[^a-z0-9]+", "_", backlog_rules.fold(label.strip())).strip("_")
    if not slug or not slug[0].isalpha():
        slug = f"status_{slug}".rstrip("_")
    slug = slug[:30]
    key, n = slug, 2
    while key in taken:
        suffix = f"_{n}"
        key, n = slug[: 30 - len(suffix)] + suffix, n + 1
    return key


def _keyed(rows: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """Rows with a key each: blank new rows dropped, new rows keyed from their label."""
    kept = [
        {k: str(row.get(k) or "").strip() for k in ("key", "label", "category")}
        for row in rows
        if str(row.get("key") or "").strip() or str(row.get("label") or "").strip()
    ]
    taken = {row["key"] for row in kept if row["key"]}
    for row in kept:
        if not row["key"]:
            row["key"] = status_key(row["label"], taken)
            taken.add(row["key"])
    return kept


def check_settings(draft: Draft) -> CleanSettings:
    """The settings, checked: Invalid with a message per field when anything is wrong."""
    problems: dict[str, str] = {}
    clean: dict[str, object] = {}
    checks = (
        ("statuses", lambda: backlog_rules.check_workflow(_keyed(draft.statuses))),
        ("scale", lambda: backlog_rules.parse_scale(draft.scale).value),
        ("definition_of_ready", lambda: _checklist(draft.ready, "definition_of_ready")),
        ("definition_of_done", lambda: _checklist(draft.done, "definition_of_done")),
    )
    for name, check in checks:
        try:
            clean[name] = check()
        except JalonError as exc:
            problems.update(exc.fields or {name: exc.render()})
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return CleanSettings(**clean)  # type: ignore[arg-type]


def _checklist(entries: Iterable[str], name: str) -> list[str]:
    return backlog_rules.check_checklist(entries, field=name)


def removed_statuses(
    old: Sequence[Mapping[str, str]], new: Sequence[Mapping[str, str]]
) -> list[str]:
    """Keys of the old workflow that the new one drops, in their old order."""
    kept = {s["key"] for s in new}
    return [s["key"] for s in old if s["key"] not in kept]


def _moved(rows: list[T], verb: str, index: int) -> list[T]:
    rows = list(rows)
    if not 0 <= index < len(rows):
        return rows
    if verb == "remove":
        del rows[index]
    elif verb == "up" and index > 0:
        rows[index - 1], rows[index] = rows[index], rows[index - 1]
    elif verb == "down" and index < len(rows) - 1:
        rows[index + 1], rows[index] = rows[index], rows[index + 1]
    return rows


OP_RE = re.compile(r"(?P<list>statuses|ready|done):(?P<verb>up|down|remove):(?P<index>\d{1,3})")


def apply_op(draft: Draft, op: str) -> Draft:
    """A form button's effect on the draft: `ready:up:2` moves the third DoR entry up,
    `statuses:remove:1` drops the second status. Anything else (`save`) changes nothing."""
    match = OP_RE.fullmatch(op or "")
    if match is None:
        return draft
    name, verb, index = match["list"], match["verb"], int(match["index"])
    if name == "statuses":
        return replace(draft, statuses=_moved(draft.statuses, verb, index))
    if name == "ready":
        return replace(draft, ready=_moved(draft.ready, verb, index))
    return replace(draft, done=_moved(draft.done, verb, index))


# --- Definition of Ready and of Done ticks --------------------------------------------------


def ticked(checks: Mapping[str, object] | None, which: str) -> list[str]:
    """The ticked entries of one checklist, as `Item.checks` keeps them:
    `{"ready": ["entry text", ...], "done": [...]}`."""
    found = (checks or {}).get(which) or []
    return [str(t) for t in found] if isinstance(found, list) else []


def with_ticks(
    checks: Mapping[str, object] | None,
    which: str,
    ticks: Iterable[str],
    checklist: Sequence[str],
) -> dict[str, object]:
    """New `Item.checks` with the ticks of one checklist replaced; entries the checklist does
    not hold (any more) are dropped, the order is the checklist's."""
    if which not in CHECKLISTS:
        raise Invalid("Tick the Definition of Ready or of Done.", field="checklist")
    wanted = {t.strip() for t in ticks}
    unknown = sorted(wanted - set(checklist))
    if unknown:
        raise Invalid(
            "{entry!r} is not an entry of this checklist.", field="ticked", entry=unknown[0]
        )
    out = dict(checks or {})
    out[which] = [entry for entry in checklist if entry in wanted]
    return out


# --- links ----------------------------------------------------------------------------------

LINK_KINDS = ("blocks", "relates", "duplicates")
OUTGOING = {"blocks": N_("Blocks"), "relates": N_("Relates to"), "duplicates": N_("Duplicates")}
INCOMING = {
    "blocks": N_("Blocked by"),
    "relates": N_("Relates to"),
    "duplicates": N_("Duplicated by"),
}


LINK_CHOICES = {
    "blocks": N_("blocks"),
    "blocked_by": N_("is blocked by"),
    "relates": N_("relates to"),
    "duplicates": N_("duplicates"),
    "duplicated_by": N_("is duplicated by"),
}


def parse_link_kind(raw: str) -> tuple[str, bool]:
    """(stored kind, reversed): `blocked_by` is a `blocks` link from the other item."""
    choice = raw.strip().lower().replace(" ", "_").replace("-", "_")
    choice = "relates" if choice == "relates_to" else choice
    if choice not in LINK_CHOICES:
        raise Invalid(
            "Unknown link {value!r}; links are {names}.",
            field="kind",
            value=raw,
            names=", ".join(LINK_CHOICES),
        )
    reverse = {"blocked_by": "blocks", "duplicated_by": "duplicates"}
    return reverse.get(choice, choice), choice in reverse


def check_link(
    *,
    from_id: int,
    to_id: int,
    kind: str,
    same_product: bool,
    existing: Collection[tuple[int, int, str]],
) -> None:
    """Invalid (field `to_id`) for a self-link, an item of another product or a link that is
    already there (either way round for `relates`, and no two items blocking each other)."""
    if to_id == from_id:
        raise Invalid("An item cannot be linked to itself.", field="to_id")
    if not same_product:
        raise Invalid("Link items of the same product only.", field="to_id")
    if (from_id, to_id, kind) in existing or (
        kind == "relates" and (to_id, from_id, kind) in existing
    ):
        raise Invalid("These items are already linked this way.", field="to_id")
    if kind == "blocks" and (to_id, from_id, kind) in existing:
        raise Invalid(
            "#{other} already blocks #{item}: two items cannot block each other.",
            field="to_id",
            other=to_id,
            item=from_id,
        )


def parse_item_ref(raw: str) -> int:
    """An item number as people type it: `42` or `#42`."""
    text = raw.strip().removeprefix("#").strip()
    if not text.isdigit() or len(text) > 12:
        raise Invalid("Give the number of an item, like #42.", field="to_id")
    return int(text)


# --- two versions side by side --------------------------------------------------------------


@dataclass(frozen=True)
class FieldDiff:
    """One field of an item as saved meanwhile (`theirs`) and as the user typed it (`mine`)."""

    name: str
    theirs: str
    mine: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (same|theirs|mine, text)

    @property
    def differs(self) -> bool:
        return _norm(self.theirs) != _norm(self.mine)


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().replace("\r\n", "\n").split("\n"))


def line_diff(theirs: str, mine: str) -> list[tuple[str, str]]:
    """The lines of both texts in order, each marked same, theirs (only saved) or mine."""
    a, b = _norm(theirs).split("\n"), _norm(mine).split("\n")
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out += [("same", line) for line in a[i1:i2]]
            continue
        out += [("theirs", line) for line in a[i1:i2]]
        out += [("mine", line) for line in b[j1:j2]]
    return out


def compare(theirs: Mapping[str, str], mine: Mapping[str, str]) -> list[FieldDiff]:
    """Field by field, in the order of `theirs`; multi-line texts get a line diff."""
    diffs = []
    for name, saved in theirs.items():
        typed = mine.get(name, "")
        multi = "\n" in saved.strip() or "\n" in typed.strip()
        lines = line_diff(saved, typed) if multi and _norm(saved) != _norm(typed) else []
        diffs.append(FieldDiff(name, saved, typed, lines))
    return diffs
