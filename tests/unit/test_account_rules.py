"""Account rules: e-mail, passwords, token hashing, login throttling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jalon.accounts import rules
from jalon.permissions import Action, Role, can

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@b", "two@@example.org", "sp ace@x.org"])
def test_bad_emails_are_refused(email: str) -> None:
    assert rules.email_problem(email) is not None


def test_good_email_and_normalisation() -> None:
    assert rules.email_problem("camille.martin@example.fr") is None
    assert rules.normalise_email("  Camille@Example.FR ") == "camille@example.fr"


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "Use at least 10 characters."),
        ("a" * 257, "Use at most 256 characters."),
        ("aaaaaaaaaaaa", "This password is too easy to guess."),
        ("me@example.org", "Do not use your e-mail address as password."),
    ],
)
def test_password_problems(password: str, problem: str) -> None:
    assert rules.password_problem(password, email="me@example.org") == problem


def test_a_long_passphrase_is_fine() -> None:
    assert rules.password_problem("correct horse battery", email="me@example.org") is None


def test_token_hash_is_stable_and_not_the_token() -> None:
    digest = rules.hash_token("jal_secret")
    assert digest == rules.hash_token("jal_secret")
    assert digest != rules.hash_token("jal_secreT")
    assert "secret" not in digest and len(digest) == 64


def _failures(*minutes_ago: int) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes_ago]


def test_throttle_allows_until_the_limit() -> None:
    assert (
        rules.retry_after(_failures(1, 2, 3, 4), now=NOW, max_failures=5, window_seconds=900) == 0
    )


def test_throttle_blocks_at_the_limit_until_the_oldest_failure_leaves_the_window() -> None:
    wait = rules.retry_after(_failures(1, 2, 3, 4, 10), now=NOW, max_failures=5, window_seconds=900)
    assert wait == 5 * 60 + 1


def test_failures_outside_the_window_do_not_count() -> None:
    assert (
        rules.retry_after(
            _failures(1, 2, 3, 4, 16, 20), now=NOW, max_failures=5, window_seconds=900
        )
        == 0
    )


def test_role_permissions() -> None:
    assert can(Role.OWNER, Action.MANAGE_MEMBERS)
    assert not can(Role.MEMBER, Action.CHANGE_STAGE)
    assert can(Role.STAKEHOLDER, Action.COMMENT)
    assert not can(Role.VIEWER, Action.COMMENT)
    assert not can(None, Action.READ)
    assert can(None, Action.CHANGE_STAGE, is_admin=True)
