"""Pure release rules: fields, progress, the forecast against the target, readiness, notes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from jalon.backlog.workflow import check_checklist
from jalon.errors import N_, Conflict, Invalid, Message

MAX_NAME = 100
MAX_DESCRIPTION = 5000
MAX_NOTES = 100_000
NOTE_LANGUAGES = ("en", "fr")
DEFAULT_CHECKLIST = [
    N_("Release notes written"),
    N_("Documentation updated"),
    N_("Accessibility checked"),
    N_("Rollback plan ready"),
]


class State(StrEnum):
    PLANNED = "planned"
    RELEASED = "released"


STATE_LABELS = {State.PLANNED: N_("Planned"), State.RELEASED: N_("Released")}


# --- fields -----------------------------------------------------------------------------------


def parse_day(raw: object, *, field: str = "target_date") -> date | None:
    """A calendar day from a date or a YYYY-MM-DD string; None for blank."""
    if raw is None or isinstance(raw, date):
        return raw
    text = str(raw).strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(
            "{value!r} is not a date: write it as YYYY-MM-DD.", field=field, value=text
        ) from None


def clean_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """The editable fields among `values`, checked: every problem at once, per field."""
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    if "name" in values:
        clean["name"] = str(values["name"] or "").strip()
        if not clean["name"]:
            problems["name"] = Message("Give the release a name or a version number.")
        elif len(clean["name"]) > MAX_NAME:
            problems["name"] = Message("Use at most {n} characters.", n=MAX_NAME)
    if "target_date" in values:
        try:
            clean["target_date"] = parse_day(values["target_date"])
        except Invalid as exc:
            problems.update(exc.fields)
    for name, limit in (("description", MAX_DESCRIPTION), ("notes", MAX_NOTES)):
        if name in values:
            clean[name] = str(values[name] or "")
            if len(clean[name]) > limit:
                problems[name] = Message("Use at most {n} characters.", n=limit)
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return clean


def clean_checklist(entries: Iterable[str]) -> list[str]:
    return check_checklist(entries, field="checklist")


def copy_checklist(entries: Sequence[str]) -> list[dict[str, Any]]:
    return [{"text": text, "done": False} for text in entries]


def tick(checklist: Sequence[Mapping[str, Any]], ticked: Iterable[str]) -> list[dict[str, Any]]:
    """The checklist with exactly the `ticked` entries done; an unknown entry is refused."""
    wanted = {str(t).strip() for t in ticked if str(t).strip()}
    known = {str(entry["text"]) for entry in checklist}
    if unknown := sorted(wanted - known):
        raise Invalid(
            "{entry!r} is not an entry of this checklist.", field="ticked", entry=unknown[0]
        )
    return [{"text": e["text"], "done": e["text"] in wanted} for e in checklist]


def unticked(checklist: Sequence[Mapping[str, Any]]) -> list[str]:
    return [str(e["text"]) for e in checklist if not e.get("done")]


# --- progress -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeRow:
    id: int
    parent_id: int | None
    estimate: float | None
    done: bool


@dataclass(frozen=True)
class Progress:
    items: int
    done_items: int
    points: float
    done_points: float

    @property
    def remaining(self) -> int:
        return self.items - self.done_items

    @property
    def percent(self) -> int:
        return round(100 * self.done_items / self.items) if self.items else 0


def counted(rows: Sequence[ScopeRow]) -> list[ScopeRow]:
    """The rows that count: an epic or feature whose children are in the scope too counts
    through them, so its estimate is not added twice."""
    parents = {r.parent_id for r in rows if r.parent_id is not None}
    return [r for r in rows if r.id not in parents]


def progress(rows: Sequence[ScopeRow]) -> Progress:
    leaves = counted(rows)
    return Progress(
        items=len(leaves),
        done_items=sum(1 for r in leaves if r.done),
        points=sum(r.estimate or 0.0 for r in leaves),
        done_points=sum(r.estimate or 0.0 for r in leaves if r.done),
    )


# --- the forecast against the target ----------------------------------------------------------


class Outlook(StrEnum):
    EMPTY = "empty"  # nothing in the scope yet
    DONE = "done"  # everything in the scope is done
    ON_TRACK = "on_track"  # P85 <= target
    AT_RISK = "at_risk"  # P50 <= target < P85
    LATE = "late"  # P50 > target
    NO_TARGET = "no_target"  # a forecast, but no date to hold it against
    UNKNOWN = "unknown"  # too little history: an explanation instead


OUTLOOK_LABELS = {
    Outlook.EMPTY: N_("No items yet"),
    Outlook.DONE: N_("Everything is done"),
    Outlook.ON_TRACK: N_("On track"),
    Outlook.AT_RISK: N_("At risk"),
    Outlook.LATE: N_("Late"),
    Outlook.NO_TARGET: N_("No target date"),
    Outlook.UNKNOWN: N_("Not enough history"),
}


def outlook(
    *, items: int, remaining: int, target: date | None, p50: date | None, p85: date | None
) -> Outlook:
    """Where the release stands: on track when even the 85% date meets the target, at risk
    when only the median does, late when the median misses it."""
    if items <= 0 or remaining <= 0:
        return Outlook.EMPTY if items <= 0 else Outlook.DONE
    if p50 is None or p85 is None:
        return Outlook.UNKNOWN
    if target is None:
        return Outlook.NO_TARGET
    if p85 <= target:
        return Outlook.ON_TRACK
    return Outlook.AT_RISK if p50 <= target else Outlook.LATE


# --- releasing ------------------------------------------------------------------------------------


def release_warnings(
    checklist: Sequence[Mapping[str, Any]], not_done: Sequence[tuple[int, str]]
) -> list[Message]:
    """What the releaser should know first: unticked readiness entries, unfinished items
    (which leave the release when it is released)."""
    warnings = [
        Message("Readiness checklist not ticked: {entry}", entry=text)
        for text in unticked(checklist)
    ]
    if not_done:
        shown = tuple(f"#{i} {title}" for i, title in not_done[:5])
        more = len(not_done) - len(shown)
        more_items = (f"+{more}",) if more else ()
        warnings.append(
            Message("Not done, so leaving the release: {items}", items=shown + more_items)
        )
    return warnings


def check_can_change(state: str) -> None:
    """The scope and checklist of a released release are history: they no longer change."""
    if state == State.RELEASED:
        raise Conflict("This release is released: its scope no longer changes.", field="state")


# --- release notes ----------------------------------------------------------------------------

# Sections in the order they read, and the item types each gathers.
NOTE_SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("features", N_("New features"), ("epic", "feature")),
    ("improvements", N_("Improvements"), ("story",)),
    ("fixes", N_("Bug fixes"), ("bug",)),
    ("tech_debt", N_("Technical improvements"), ("tech_debt",)),
    ("research", N_("Research"), ("spike",)),
)


@dataclass(frozen=True)
class NoteItem:
    id: int
    type: str
    title: str


def group_for_notes(items: Iterable[NoteItem]) -> list[tuple[str, str, list[NoteItem]]]:
    """Done items grouped by section (key, title, items), empty sections left out, items in
    the order given."""
    groups: dict[str, list[NoteItem]] = {key: [] for key, _t, _types in NOTE_SECTIONS}
    section_of = {t: key for key, _title, types in NOTE_SECTIONS for t in types}
    for item in items:
        groups[section_of.get(item.type, "improvements")].append(item)
    return [(key, title, groups[key]) for key, title, _types in NOTE_SECTIONS if groups[key]]


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_escape(text: str) -> str:
    """Text shown literally in Markdown (a title with * or <b> stays as typed)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def notes_markdown(
    *,
    name: str,
    day: str,
    items: Iterable[NoteItem],
    gettext: Callable[[str], str],
) -> str:
    """Release notes as Markdown, in the language of `gettext`; `day` is already formatted."""
    lines = [f"# {md_escape(name)}", ""]
    if day:
        lines += [f"*{md_escape(day)}*", ""]
    groups = group_for_notes(items)
    if not groups:
        lines += [gettext("No change is done in this release yet."), ""]
    for _key, title, section in groups:
        lines += [f"## {gettext(title)}", ""]
        lines += [f"- {md_escape(item.title)} (#{item.id})" for item in section]
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def check_language(language: str) -> str:
    code = (language or "").strip().lower()
    if code not in NOTE_LANGUAGES:
        raise Invalid(
            "Release notes are written in {names}.",
            field="language",
            names=", ".join(NOTE_LANGUAGES),
        )
    return code
