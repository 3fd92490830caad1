"""Pure feedback rules: what a valid feedback, customer or segment is, the inbox's triage
transitions, weighted demand and representative quotes, and the intake token's hash.

Values in, values out: no database, no web framework, no clock (times are passed in).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from jalon.errors import N_, Invalid

MAX_TEXT = 10_000
MAX_BATCH = 500
MAX_WEIGHT = 1000.0
QUOTE_CHARS = 280
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

SOURCE_LABELS = {
    "manual": N_("Entered by hand"),
    "csv": N_("CSV import"),
    "intake": N_("Intake endpoint"),
    "email": N_("E-mail"),
    "portal": N_("Public portal"),
}
STATE_LABELS = {
    "new": N_("New"),
    "pending": N_("Awaiting moderation"),
    "triaged": N_("Triaged"),
    "archived": N_("Archived"),
    "rejected": N_("Rejected"),
}
IMPORTANCE_LABELS = {1: N_("Nice to have"), 2: N_("Important"), 3: N_("Critical")}
# The inbox's triage: which state a feedback may move to from which (moderation of portal
# submissions, pending → new or rejected, belongs to the portal).
TRIAGE = {
    "new": ("triaged", "archived"),
    "triaged": ("new", "archived"),
    "archived": ("triaged",),
}


def _text(raw: object) -> str:
    return raw.strip() if isinstance(raw, str) else ("" if raw is None else str(raw).strip())


def check_text(raw: object, problems: dict[str, str]) -> str:
    text = _text(raw)
    if not text:
        problems["text"] = N_("Write what the person said.")
    elif len(text) > MAX_TEXT:
        problems["text"] = N_("Keep the text under 10,000 characters.")
    return text


def parse_rating(raw: object) -> int | None:
    """1 to 5, or None when blank; Invalid otherwise."""
    if raw is None or raw == "":
        return None
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        value = 0.0
    if isinstance(raw, bool) or not value.is_integer() or not 1 <= value <= 5:
        raise Invalid(N_("A rating is a whole number from 1 to 5."), field="rating")
    return int(value)


def parse_sentiment(raw: object) -> float | None:
    """-1 (negative) to 1 (positive), or None when blank."""
    if raw is None or raw == "":
        return None
    try:
        value = float(str(raw).strip())
    except ValueError:
        value = 99.0
    if not -1.0 <= value <= 1.0:
        raise Invalid(N_("Sentiment goes from -1 (negative) to 1 (positive)."), field="sentiment")
    return value


def parse_received(raw: object, *, now: datetime) -> datetime | None:
    """A date or date-time (ISO 8601, or day/month/year) in the past or today; None if blank."""
    if isinstance(raw, datetime):
        value = raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    elif isinstance(raw, date):
        value = datetime.combine(raw, time(12, 0), tzinfo=UTC)
    elif raw is None or _text(raw) == "":
        return None
    else:
        value = _parse_when(_text(raw))
    if value.date() > now.date():
        raise Invalid(N_("This date is in the future."), field="received_at")
    return min(value, now).astimezone(UTC)  # today at noon, said this morning: now


def _parse_when(text: str) -> datetime:
    match = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return datetime(year, month, day, 12, 0, tzinfo=UTC)
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(
            N_("Give a date as YYYY-MM-DD (or DD/MM/YYYY)."), field="received_at"
        ) from None
    if len(text) == 10:
        value = value.replace(hour=12)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def check_email(raw: object, field: str = "author_email") -> str:
    email = _text(raw).lower()
    if email and (len(email) > 254 or not EMAIL_RE.match(email)):
        raise Invalid(N_("This is not an e-mail address."), field=field)
    return email


def _collect(problems: dict[str, str], field: str, check: Any, raw: object) -> Any:
    try:
        return check(raw)
    except Invalid as error:
        problems[field] = error.fields.get(field, error.message)
        return None


def clean_feedback(
    values: Mapping[str, object], *, now: datetime, partial: bool = False
) -> dict[str, Any]:
    """The cleaned fields given (all of them unless `partial`); Invalid with a message per
    field, so nothing is written."""
    problems: dict[str, str] = {}
    out: dict[str, Any] = {}
    if not partial or "text" in values:
        out["text"] = check_text(values.get("text"), problems)
    checks: dict[str, Any] = {
        "rating": parse_rating,
        "sentiment": parse_sentiment,
        "received_at": lambda raw: parse_received(raw, now=now),
        "author_email": check_email,
    }
    for field, check in checks.items():
        if not partial or field in values:
            out[field] = _collect(problems, field, check, values.get(field))
    for field, limit in (("author_name", 200), ("external_key", 300)):
        if not partial or field in values:
            text = _text(values.get(field))
            if len(text) > limit:
                problems[field] = N_("This is too long.")
            out[field] = text if field != "external_key" else (text or None)
    if problems:
        raise Invalid(N_("Some fields need your attention."), fields=problems)
    return out


def check_transition(current: str, wanted: str) -> None:
    if wanted not in TRIAGE.get(current, ()):
        raise Invalid(
            N_("A feedback cannot go from {current} to {wanted}."),
            field="state",
            current=current,
            wanted=wanted,
        )


def check_importance(raw: object) -> int:
    try:
        value = int(str(raw).strip())
    except ValueError:
        value = 0
    if value not in IMPORTANCE_LABELS:
        raise Invalid(
            N_("Importance is 1 (nice to have), 2 (important) or 3 (critical)."),
            field="importance",
        )
    return value


def parse_weight(raw: object, field: str = "weight") -> float:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except ValueError:
        value = 0.0
    if not 0 < value <= MAX_WEIGHT:
        raise Invalid(N_("A weight is a number above 0 (1 is ordinary)."), field=field)
    return value


def clean_named(values: Mapping[str, object], *, limit: int) -> dict[str, Any]:
    """A customer's or segment's name and weight (and a customer's e-mail)."""
    problems: dict[str, str] = {}
    name = _text(values.get("name"))
    if not name:
        problems["name"] = N_("Give a name.")
    elif len(name) > limit:
        problems["name"] = N_("This is too long.")
    weight = _collect(problems, "weight", parse_weight, values.get("weight", 1))
    out: dict[str, Any] = {"name": name, "weight": weight}
    if "email" in values:
        out["email"] = _collect(
            problems, "email", lambda r: check_email(r, "email"), values["email"]
        )
    if problems:
        raise Invalid(N_("Some fields need your attention."), fields=problems)
    return out


# --- evidence -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Support:
    """One linked feedback, as evidence: its importance and who said it."""

    feedback_id: int
    text: str
    importance: int
    customer_weight: float | None
    segment_weight: float | None
    who: str
    received_at: datetime
    votes: float = 0.0  # the weight of the portal votes on this feedback's idea


def demand(support: Support) -> float:
    """Importance × (customer weight × segment weight + the weight of its portal votes); a
    missing weight counts as 1."""
    own = (support.customer_weight or 1.0) * (support.segment_weight or 1.0)
    return (own + support.votes) * support.importance


def weighted_demand(supports: Iterable[Support]) -> float:
    return round(sum(demand(s) for s in supports), 2)


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def representative(supports: Iterable[Support], limit: int = 3) -> list[Support]:
    """Up to `limit` quotes: the heaviest demand first, then the newest; no repeated text."""
    ranked = sorted(supports, key=lambda s: (-demand(s), -s.received_at.timestamp(), s.feedback_id))
    chosen: list[Support] = []
    seen: set[str] = set()
    for s in ranked:
        key = " ".join(s.text.lower().split())
        if key not in seen:
            seen.add(key)
            chosen.append(s)
        if len(chosen) == limit:
            break
    return chosen


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def clean_row(values: Mapping[str, object], *, now: datetime) -> dict[str, Any]:
    """One imported row: a feedback's fields plus the customer it names (by name)."""
    try:
        out = clean_feedback(values, now=now)
        problems: dict[str, str] = {}
    except Invalid as error:
        out, problems = {}, dict(error.fields)
    customer = _text(values.get("customer"))
    if len(customer) > 200:
        problems["customer"] = N_("This is too long.")
    if problems:
        raise Invalid(N_("Some fields need your attention."), fields=problems)
    return {**out, "customer": customer}


def clean_batch(
    rows: Iterable[tuple[str, Mapping[str, object]]], *, now: datetime
) -> list[dict[str, Any]]:
    """Every (label, row) checked; Invalid with `<label>.<field>` messages when any is bad,
    so a batch is written whole or not at all."""
    cleaned: list[dict[str, Any]] = []
    problems: dict[str, str] = {}
    for label, row in rows:
        try:
            cleaned.append(clean_row(row, now=now))
        except Invalid as error:
            problems.update({f"{label}.{k}" if label else k: v for k, v in error.fields.items()})
    if problems:
        raise Invalid(
            N_("Nothing was saved: {count} value(s) need your attention."),
            fields=problems,
            count=len(problems),
        )
    return cleaned
