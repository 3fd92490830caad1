"""Pure portal rules: statuses, slugs, what a submission or comment must be, how an idea's
status follows its backlog item, rate limits, voter ids, and merging votes."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from jalon.accounts.rules import email_problem, normalise_email, retry_after
from jalon.errors import N_, Invalid

STATUSES = ("under_review", "planned", "in_progress", "shipped", "declined")
STATUS_LABELS = {
    "under_review": N_("Under review"),
    "planned": N_("Planned"),
    "in_progress": N_("In progress"),
    "shipped": N_("Shipped"),
    "declined": N_("Declined"),
}
DEFAULT_SHOWN = ("under_review", "planned", "in_progress", "shipped")
STATES = ("pending", "published", "rejected", "merged")
STATE_LABELS = {
    "pending": N_("Waiting for moderation"),
    "published": N_("Published"),
    "rejected": N_("Rejected"),
    "merged": N_("Merged"),
}
SORTS = ("votes", "newest")
# The similarity (0..1, from the themes engine) from which a published idea is suggested
# while a visitor types: below it, ideas share words by chance.
SIMILAR_MIN = 0.3

SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?")
MAX_TITLE, MAX_DESCRIPTION, MAX_NAME, MAX_COMMENT, MAX_WELCOME = 150, 5000, 100, 2000, 10_000
MIN_TITLE = 5

# Public writes allowed per client address and product: (how many, in how many seconds).
LIMITS = {"submit": (5, 3600), "vote": (60, 3600), "comment": (10, 3600)}
LONGEST_WINDOW = max(seconds for _n, seconds in LIMITS.values())


def slugify(name: str) -> str:
    """A slug proposed from a product's name: lower-case ASCII letters, digits and dashes."""
    plain = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60].strip("-")
    return plain or "portal"


def check_settings(slug: str, welcome: str, shown: Sequence[str]) -> list[str]:
    """The statuses to show, in their order, once the settings are found valid."""
    problems: dict[str, str] = {}
    if not SLUG_RE.fullmatch(slug):
        problems["slug"] = N_(
            "Use 1 to 60 lower-case letters, digits or dashes, not starting or ending with a dash."
        )
    if len(welcome) > MAX_WELCOME:
        problems["welcome"] = N_("Use at most 10,000 characters.")
    unknown = [s for s in shown if s not in STATUSES]
    if unknown or not shown:
        problems["shown_statuses"] = N_("Choose at least one of the statuses.")
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return [s for s in STATUSES if s in shown]


@dataclass(frozen=True)
class Submission:
    title: str
    description: str
    name: str
    email: str


def _author_problems(name: str, email: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    if len(name) > MAX_NAME:
        problems["name"] = N_("Use at most 100 characters.")
    if email and email_problem(email) is not None:
        problems["email"] = N_("This e-mail address does not look right.")
    return problems


def check_submission(title: str, description: str, name: str, email: str) -> Submission:
    title, description, name = title.strip(), description.strip(), name.strip()
    email = normalise_email(email) if email.strip() else ""
    problems = _author_problems(name, email)
    if len(title) < MIN_TITLE:
        problems["title"] = N_("Say in a few words what you would like (5 characters or more).")
    elif len(title) > MAX_TITLE:
        problems["title"] = N_("Use at most 150 characters; say more in the description.")
    if len(description) > MAX_DESCRIPTION:
        problems["description"] = N_("Use at most 5,000 characters.")
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return Submission(title, description, name, email)


def check_comment(body: str, name: str) -> tuple[str, str]:
    body, name = body.strip(), name.strip()
    problems = _author_problems(name, "")
    if not body:
        problems["body"] = N_("Write your comment.")
    elif len(body) > MAX_COMMENT:
        problems["body"] = N_("Use at most 2,000 characters.")
    if problems:
        raise Invalid("Some fields need your attention.", fields=problems)
    return body, name


def check_vote_email(email: str) -> str | None:
    if not email.strip():
        return None
    email = normalise_email(email)
    if email_problem(email) is not None:
        raise Invalid(
            "Some fields need your attention.",
            fields={"email": N_("This e-mail address does not look right.")},
        )
    return email


def status_from_item(category: str, status: str, first_status: str) -> str | None:
    """The idea status a linked backlog item gives: done → shipped, in progress (doing) →
    in progress, rejected → declined, any to-do status past the first (ready) → planned.
    An item still in the workflow's first status leaves the idea's own status (None)."""
    if category == "done":
        return "shipped"
    if category == "doing":
        return "in_progress"
    if category == "rejected":
        return "declined"
    return "planned" if status != first_status else None


def effective_status(own: str, from_item: str | None) -> str:
    return from_item or own


def wait_seconds(kind: str, hits: Iterable[datetime], *, now: datetime) -> int:
    """Seconds before the client may do `kind` again (0: now), by the login throttle's rule."""
    limit, window = LIMITS[kind]
    return retry_after(list(hits), now=now, max_failures=limit, window_seconds=window)


def client_key(address: str, secret: str) -> str:
    """What the rate limits store of a client address: a keyed hash, never the address."""
    return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:64]


def sign_voter(voter: str, secret: str) -> str:
    """The voter cookie's value: the random id and its signature."""
    mac = hmac.new(secret.encode(), f"voter:{voter}".encode(), hashlib.sha256).hexdigest()
    return f"{voter}.{mac[:32]}"


def read_voter(cookie: str, secret: str) -> str | None:
    """The voter id of a cookie, or None when it is missing or was tampered with."""
    voter, _, _mac = cookie.partition(".")
    if not voter or len(voter) > 40 or not hmac.compare_digest(sign_voter(voter, secret), cookie):
        return None
    return voter


@dataclass(frozen=True)
class VoteKey:
    id: int
    voter: str
    email: str | None


def votes_to_move(
    survivor: Sequence[VoteKey], merged: Sequence[VoteKey]
) -> tuple[list[int], list[int]]:
    """Merging an idea into another: (vote ids to move to the survivor, vote ids to drop).

    A visitor who voted for both (same voter id or same e-mail) counts once."""
    voters = {v.voter for v in survivor}
    emails = {v.email for v in survivor if v.email}
    move, drop = [], []
    for vote in merged:
        if vote.voter in voters or (vote.email and vote.email in emails):
            drop.append(vote.id)
            continue
        move.append(vote.id)
        voters.add(vote.voter)
        if vote.email:
            emails.add(vote.email)
    return move, drop


@dataclass(frozen=True)
class Listed:
    """An idea as the public list sorts and filters it."""

    id: int
    status: str
    votes: int
    published_at: datetime
    topic: int | None = None  # its feedback's theme


def arrange(
    rows: Iterable[Listed], *, sort: str, status: str, shown: Sequence[str],
    topic: int | None = None,
) -> list[int]:  # fmt: skip
    """Idea ids to list: only shown statuses (and `status`, `topic` when given), most voted
    first (newest breaking ties) or newest first."""
    kept = [
        r for r in rows
        if r.status in shown and (not status or r.status == status)
        and (topic is None or r.topic == topic)
    ]  # fmt: skip
    if sort == "newest":
        kept.sort(key=lambda r: (r.published_at, r.id), reverse=True)
    else:
        kept.sort(key=lambda r: (r.votes, r.published_at, r.id), reverse=True)
    return [r.id for r in kept]
