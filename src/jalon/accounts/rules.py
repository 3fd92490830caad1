"""Pure account rules: e-mail and password checks, token hashing, login throttling."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from jalon.errors import N_

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10
MAX_PASSWORD = 256
TOKEN_PREFIX = "jal_"  # noqa: S105 (a visible prefix, not a secret)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def email_problem(email: str) -> str | None:
    if not email:
        return N_("Enter an e-mail address.")
    if len(email) > 254 or not EMAIL_RE.match(email):
        return N_("Enter a valid e-mail address, like name@example.org.")
    return None


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why a new password is refused, or None. Length over complexity (NIST SP 800-63B)."""
    if len(password) < MIN_PASSWORD:
        return N_("Use at least 10 characters.")
    if len(password) > MAX_PASSWORD:
        return N_("Use at most 256 characters.")
    if email and password.lower() == email.lower():
        return N_("Do not use your e-mail address as password.")
    if len(set(password)) < 4:
        return N_("This password is too easy to guess.")
    return None


def hash_token(raw: str) -> str:
    """Tokens are random and long, so a fast hash is enough to store them safely."""
    return hashlib.sha256(raw.encode()).hexdigest()


def retry_after(
    failures: Sequence[datetime], *, now: datetime, max_failures: int, window_seconds: int
) -> int:
    """Seconds to wait before the next login attempt, 0 when allowed.

    `failures` are the failed attempts since the last success. Once `max_failures` of
    them fall inside the window, the account waits until the oldest one leaves it.
    """
    window = timedelta(seconds=window_seconds)
    recent = sorted(t for t in failures if now - t < window)
    if len(recent) < max_failures:
        return 0
    oldest_counted = recent[-max_failures]
    return max(1, int((oldest_counted + window - now).total_seconds()) + 1)


TOKEN_TOUCH_SECONDS = 300


def token_use_is_stale(last_used: datetime | None, *, now: datetime) -> bool:
    """Whether to record a token's use now: at most every five minutes, to keep reads reads."""
    return last_used is None or (now - last_used).total_seconds() >= TOKEN_TOUCH_SECONDS
