"""Pure rules of the Sprint Review and the Retrospective: formats and their columns, verdicts,
the increment's totals, dot votes, and which action items carry over to the next retro."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jalon.errors import N_, Conflict, Invalid

CARD_LIMIT = 2000
ACTION_LIMIT = 500
NAME_LIMIT = 200
NOTE_LIMIT = 5000
MAX_ATTENDEES = 100
MAX_DOTS = 20


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    hint: str


FORMATS: dict[str, tuple[Column, ...]] = {
    "start_stop_continue": (
        Column("start", N_("Start"), N_("What should we begin doing?")),
        Column("stop", N_("Stop"), N_("What gets in our way and should end?")),
        Column("continue", N_("Continue"), N_("What works and should go on?")),
    ),
    "four_ls": (
        Column("liked", N_("Liked"), N_("What did you enjoy?")),
        Column("learned", N_("Learned"), N_("What did you discover?")),
        Column("lacked", N_("Lacked"), N_("What was missing?")),
        Column("longed_for", N_("Longed for"), N_("What do you wish we had?")),
    ),
    "sailboat": (
        Column("wind", N_("Wind"), N_("What pushes us forward?")),
        Column("anchors", N_("Anchors"), N_("What holds us back?")),
        Column("rocks", N_("Rocks"), N_("Which risks lie ahead?")),
        Column("island", N_("Island"), N_("Where do we want to get to?")),
    ),
}
FORMAT_LABELS = {
    "start_stop_continue": N_("Start, stop, continue"),
    "four_ls": N_("4Ls: liked, learned, lacked, longed for"),
    "sailboat": N_("Sailboat"),
}
DEFAULT_FORMAT = "start_stop_continue"

VERDICTS = {"met": N_("Met"), "partly": N_("Partly met"), "not_met": N_("Not met")}
ACTION_STATUSES = {"open": N_("Open"), "done": N_("Done"), "dropped": N_("Dropped")}


def parse_format(value: str) -> str:
    key = (value or "").strip()
    if key not in FORMATS:
        raise Invalid(
            "Unknown format {value!r}; formats are {names}.",
            field="format",
            value=key,
            names=tuple(FORMATS),
        )
    return key


def check_column(fmt: str, column: str) -> str:
    keys = tuple(c.key for c in FORMATS[parse_format(fmt)])
    key = (column or "").strip()
    if key not in keys:
        raise Invalid(
            "Unknown column {value!r}; this format's columns are {names}.",
            field="column",
            value=key,
            names=keys,
        )
    return key


def clean_text(value: str | None, *, field: str, limit: int, required: str) -> str:
    """Trimmed text; `required` is the message when it is empty."""
    text = (value or "").strip()
    if not text:
        raise Invalid(required, field=field)
    if len(text) > limit:
        raise Invalid("Keep it under {n} characters.", field=field, n=limit)
    return text


def clean_note(value: str | None, *, field: str) -> str:
    text = (value or "").strip()
    if len(text) > NOTE_LIMIT:
        raise Invalid("Keep it under {n} characters.", field=field, n=NOTE_LIMIT)
    return text


def parse_verdict(value: str | None) -> str | None:
    key = (value or "").strip()
    if not key:
        return None
    if key not in VERDICTS:
        raise Invalid(
            "Say whether the Sprint Goal was {names}.", field="goal_verdict", names=tuple(VERDICTS)
        )
    return key


def parse_percent(value: object) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(str(value).strip().rstrip("%"))
    except ValueError:
        raise Invalid("Write a percentage from 0 to 100.", field="progress_percent") from None
    if not 0 <= number <= 100 or number != int(number):
        raise Invalid("Write a percentage from 0 to 100.", field="progress_percent")
    return int(number)


def clean_attendees(value: str | Iterable[str]) -> list[str]:
    """Names, one per line (or comma-separated), without blanks or repeats, in order."""
    raw = value.replace(",", "\n").splitlines() if isinstance(value, str) else list(value)
    names: list[str] = []
    for name in (str(n).strip() for n in raw):
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    if len(names) > MAX_ATTENDEES:
        raise Invalid("List at most {n} attendees.", field="attendees", n=MAX_ATTENDEES)
    if any(len(n) > NAME_LIMIT for n in names):
        raise Invalid("Keep each name under {n} characters.", field="attendees", n=NAME_LIMIT)
    return names


def parse_action_status(value: str) -> str:
    key = (value or "").strip()
    if key not in ACTION_STATUSES:
        raise Invalid(
            "Unknown status {value!r}; statuses are {names}.",
            field="status",
            value=key,
            names=tuple(ACTION_STATUSES),
        )
    return key


def parse_dots(value: object) -> int:
    try:
        dots = int(str(value).strip())
    except ValueError:
        raise Invalid("Give each person from 1 to {n} dots.", field="dots", n=MAX_DOTS) from None
    if not 1 <= dots <= MAX_DOTS:
        raise Invalid("Give each person from 1 to {n} dots.", field="dots", n=MAX_DOTS)
    return dots


def check_vote(*, budget: int, used: int) -> None:
    """A person may place a dot while they have dots left."""
    if used >= budget:
        raise Conflict("You have used your {n} dots; take one back to vote elsewhere.", n=budget)


REVIEW_FIELDS = ("goal_verdict", "goal_note", "progress_percent", "progress_note", "attendees")


def clean_review(values: dict[str, Any]) -> dict[str, Any]:
    """The review fields given, checked (all problems at once, per field)."""
    checks = {
        "goal_verdict": parse_verdict,
        "goal_note": lambda v: clean_note(v, field="goal_note"),
        "progress_percent": parse_percent,
        "progress_note": lambda v: clean_note(v, field="progress_note"),
        "attendees": clean_attendees,
    }
    clean: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for name in (n for n in REVIEW_FIELDS if n in values):
        try:
            clean[name] = checks[name](values[name] if values[name] is not None else "")
        except Invalid as exc:
            problems.update(exc.fields)
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return clean


# --- the increment -------------------------------------------------------------------------


@dataclass(frozen=True)
class Increment:
    count: int
    points: float
    unestimated: int
    by_type: dict[str, int] = field(default_factory=dict)


def increment(items: Iterable[tuple[str, float | None]]) -> Increment:
    """Totals of the done items, given as (type, estimate)."""
    count, points, unestimated = 0, 0.0, 0
    by_type: dict[str, int] = {}
    for kind, estimate in items:
        count += 1
        by_type[kind] = by_type.get(kind, 0) + 1
        if estimate is None:
            unestimated += 1
        else:
            points += estimate
    return Increment(count, points, unestimated, dict(sorted(by_type.items())))


def feedback_title(what: str) -> str:
    """A backlog item's title from a piece of feedback: its first line, cut at a word."""
    first = what.strip().splitlines()[0].strip() if what.strip() else ""
    if len(first) <= NAME_LIMIT:
        return first
    cut = first[: NAME_LIMIT - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def feedback_description(*, who: str, what: str, sprint: str) -> str:
    return f"{what.strip()}\n\n— {who} ({sprint})"


# --- the Product Goal's trend --------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    label: str
    percent: int
    change: int | None  # since the previous assessment


def trend(assessments: Sequence[tuple[str, int | None]]) -> list[TrendPoint]:
    """Assessments in sprint order, skipping reviews that recorded none."""
    points: list[TrendPoint] = []
    for label, percent in assessments:
        if percent is None:
            continue
        change = percent - points[-1].percent if points else None
        points.append(TrendPoint(label, percent, change))
    return points


# --- action items across sprints -----------------------------------------------------------


@dataclass(frozen=True)
class ActionFacts:
    id: int
    origin_sprint_id: int | None
    origin_start: date  # the origin retro's sprint start (or the day it was written)
    status: str
    closed_on: date | None


def carried_over(
    actions: Iterable[ActionFacts], *, sprint_id: int, sprint_start: date, sprint_end: date
) -> list[int]:
    """Action items of earlier sprints a retro reviews: those still open, and those closed
    during this sprint (so the team sees them done). Later sprints' items stay out."""
    return [
        a.id
        for a in actions
        if a.origin_sprint_id != sprint_id
        and a.origin_start < sprint_start
        and (
            a.status == "open"
            or (a.closed_on is not None and sprint_start <= a.closed_on <= sprint_end)
        )
    ]
