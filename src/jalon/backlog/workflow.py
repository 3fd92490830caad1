"""Pure workflow rules: a product's statuses and their categories, and the Definition of
Ready and of Done checklists. Re-exported by `backlog.rules`."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from jalon.errors import N_, Invalid, Message

# --- workflow -------------------------------------------------------------------------------


class Category(StrEnum):
    TODO = "todo"
    DOING = "doing"
    DONE = "done"
    REJECTED = "rejected"


DEFAULT_STATUSES = ["new", "ready", "in_progress", "done", "rejected"]
STATUS_LABELS = {
    "new": N_("New"),
    "ready": N_("Ready"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "rejected": N_("Rejected"),
}
CATEGORY_LABELS = {
    Category.TODO: N_("To do"),
    Category.DOING: N_("In progress"),
    Category.DONE: N_("Done"),
    Category.REJECTED: N_("Rejected"),
}
_DEFAULT_CATEGORIES = ("todo", "todo", "doing", "done", "rejected")
MAX_STATUSES = 12
MAX_STATUS_LABEL = 40
STATUS_KEY_RE = re.compile(r"[a-z][a-z0-9_]{0,29}")


def default_workflow() -> list[dict[str, str]]:
    """new → ready → in progress → done, plus rejected: [{"key", "label", "category"}]."""
    return [
        {"key": key, "label": STATUS_LABELS[key], "category": category}
        for key, category in zip(DEFAULT_STATUSES, _DEFAULT_CATEGORIES, strict=True)
    ]


def _check_status(index: int, status: Mapping[str, str]) -> dict[str, str]:
    key = str(status.get("key", "")).strip()
    label = str(status.get("label") or key).strip()
    category = str(status.get("category", "")).strip()
    if not STATUS_KEY_RE.fullmatch(key):
        raise Invalid(
            "Status {n}: the key {key!r} must be 1 to 30 lower-case letters, digits or _, "
            "starting with a letter.",
            field="statuses",
            n=index,
            key=key,
        )
    if category not in set(Category):
        raise Invalid(
            "Status {key!r}: the category must be one of {names}.",
            field="statuses",
            key=key,
            names=", ".join(Category),
        )
    if len(label) > MAX_STATUS_LABEL:
        raise Invalid(
            "Status {key!r}: use at most {n} characters.",
            field="statuses",
            key=key,
            n=MAX_STATUS_LABEL,
        )
    return {"key": key, "label": label, "category": category}


def check_workflow(statuses: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """A custom workflow, cleaned: 1 to 12 statuses with unique slug keys, a label and a
    category each, and at least one status in the done category. Order is kept."""
    if not statuses or len(statuses) > MAX_STATUSES:
        raise Invalid("A workflow has 1 to {n} statuses.", field="statuses", n=MAX_STATUSES)
    cleaned = [_check_status(i, s) for i, s in enumerate(statuses, start=1)]
    keys = [s["key"] for s in cleaned]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise Invalid(
            "Each status needs its own key; repeated: {keys}.", field="statuses", keys=tuple(twice)
        )
    if not any(s["category"] == Category.DONE for s in cleaned):
        raise Invalid(
            "A workflow needs at least one status of the done category.", field="statuses"
        )
    return cleaned


def _find_status(raw: str, statuses: Sequence[Mapping[str, str]]) -> Mapping[str, str] | None:
    wanted = raw.strip().casefold()
    for status in statuses:
        if wanted in (status["key"].casefold(), str(status.get("label", "")).casefold()):
            return status
    spaced = wanted.replace(" ", "_").replace("-", "_")
    return next((s for s in statuses if s["key"] == spaced), None)


def parse_status(raw: str, statuses: Sequence[Mapping[str, str]]) -> str:
    """The key of the workflow status named by key or label, in any case."""
    found = _find_status(raw, statuses)
    if found is None:
        raise Invalid(
            "Unknown status {value!r}; this product's statuses are {names}.",
            field="status",
            value=raw,
            names=", ".join(s["key"] for s in statuses),
        )
    return found["key"]


def status_category(status: str, statuses: Sequence[Mapping[str, str]]) -> Category | None:
    found = next((s for s in statuses if s["key"] == status), None)
    return Category(found["category"]) if found else None


def is_done(status: str, statuses: Sequence[Mapping[str, str]]) -> bool:
    return status_category(status, statuses) is Category.DONE


# --- Definition of Ready and of Done --------------------------------------------------------

MAX_CHECKLIST = 20
MAX_CHECK_TEXT = 200


@dataclass(frozen=True)
class Readiness:
    ready: bool
    missing: list[str]


def check_checklist(items: Iterable[str], *, field: str) -> list[str]:
    """A Definition of Ready or Done, cleaned: no blanks, no repeats, bounded."""
    cleaned: list[str] = []
    for text in (str(i).strip() for i in items):
        if text and text not in cleaned:
            cleaned.append(text)
    if len(cleaned) > MAX_CHECKLIST:
        raise Invalid("A checklist holds at most {n} entries.", field=field, n=MAX_CHECKLIST)
    if any(len(text) > MAX_CHECK_TEXT for text in cleaned):
        raise Invalid("Keep each entry under {n} characters.", field=field, n=MAX_CHECK_TEXT)
    return cleaned


def _ticked(ticked: Mapping[str, object] | Collection[str]) -> set[str]:
    if isinstance(ticked, Mapping):
        return {str(k).strip() for k, v in ticked.items() if v}
    return {str(k).strip() for k in ticked}


def readiness(
    checklist: Sequence[str], ticked: Mapping[str, object] | Collection[str]
) -> Readiness:
    """Whether every entry of the checklist is ticked, and which are not (in order)."""
    done = _ticked(ticked)
    missing = [entry for entry in checklist if entry.strip() not in done]
    return Readiness(ready=not missing, missing=missing)


def done_warning(
    dod: Sequence[str], ticked: Mapping[str, object] | Collection[str]
) -> Message | None:
    """A warning (not a block) when an item goes to done with its DoD not all ticked."""
    missing = readiness(dod, ticked).missing
    if not missing:
        return None
    return Message(
        "The Definition of Done is not met; still unticked: {missing}.", missing=tuple(missing)
    )
